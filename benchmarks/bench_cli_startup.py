"""Command-line start-up: ``songngu --help`` against a bare ``python -c pass``, and the model-free commands.

    .venv/bin/python benchmarks/bench_cli_startup.py [--repeat N]

Each command runs N times (default 9) in a fresh interpreter, interleaved with the baseline so that
both see the same machine load; the medians and their ratio are printed. ``glossary check`` on the
seed glossary is timed too: it must stay as quick as ``--help``, since neither loads a model. The
run also says whether ``--help`` imported torch or transformers (it must not).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "songngu --help": [sys.executable, "-m", "songngu", "--help"],
    "songngu glossary check": [
        sys.executable,
        "-m",
        "songngu",
        "glossary",
        "check",
        str(ROOT / "seeds" / "glossary.csv"),
    ],
}


def _seconds(command: list[str], cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def _imports_model_stack(cwd: str) -> bool:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "songngu", "--help"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    return bool(modules & {"torch", "transformers"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs of each command (median reported)")
    args = parser.parse_args()
    # Outside the checkout: `-m` puts the working directory on sys.path, where translate/ would
    # shadow Translate Toolkit and the editable install would not be what is measured.
    with tempfile.TemporaryDirectory() as cwd:
        for command in COMMANDS.values():  # warm the file cache and the .pyc files
            _seconds(command, cwd)
        times: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(args.repeat):
            for name, command in COMMANDS.items():
                times[name].append(_seconds(command, cwd))
        heavy = _imports_model_stack(cwd)
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["python -c pass"]
    for name, median in medians.items():
        ratio = median / base
        print(f"{name:<24} median {1000 * median:7.1f} ms over {args.repeat} runs, {ratio:5.2f} × python")
    print(
        f"songngu --help / python -c pass = {medians['songngu --help'] / base:.2f}; "
        f"--help imports torch or transformers: {'YES' if heavy else 'no'}"
    )


if __name__ == "__main__":
    main()
