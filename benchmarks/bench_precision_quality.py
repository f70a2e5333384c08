"""What int8 costs in quality: FLORES-200 devtest translated at fp32 and at int8 with the real model,
scored and compared by ``songngu evaluate --compare`` (BLEU, chrF, term success, paired bootstrap).

Needs the real model (``Helsinki-NLP/opus-mt-vi-en`` from the Hugging Face cache or the network, or
``--model DIR``); it is not reachable from songngu's development machines, so this runs on a
connected one. Without the model it stops at once with songngu's one-line message and exit status 2.

Usage (``make bench-quality``)::

    python benchmarks/bench_precision_quality.py [--model ID|DIR] [--glossary G] [--limit N] [--out DIR]

Writes ``DIR/flores200.fp32.txt`` and ``DIR/flores200.int8.txt`` (one translation a line), then prints
``songngu evaluate``'s report of int8 against the fp32 baseline.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLORES = ROOT / "data" / "flores200"
PRECISIONS = ("fp32", "int8")


def songngu(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the songngu command line with this interpreter, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "songngu", *args], capture_output=True, text=True, check=False, cwd=ROOT
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="Helsinki-NLP/opus-mt-vi-en")
    parser.add_argument("--glossary", default=str(ROOT / "seeds" / "glossary.csv"))
    parser.add_argument("--limit", type=int, help="only the first N sentences")
    parser.add_argument("--device", default="cpu", help="int8 runs on CPU (default cpu)")
    parser.add_argument("--out", default=str(ROOT / "out" / "precision-quality"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    hypotheses: dict[str, Path] = {}
    for precision in PRECISIONS:
        hypotheses[precision] = out / f"flores200.{precision}.txt"
        command = ["evaluate", "--testset", "flores200", "--model", args.model, "--precision", precision]
        command += [
            "--device",
            args.device,
            "--glossary",
            args.glossary,
            "--save-hyp",
            str(hypotheses[precision]),
        ]
        if args.limit:
            command += ["--limit", str(args.limit)]
        done = songngu(*command)
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            print(
                lines[-1] if lines else f"songngu evaluate failed (exit {done.returncode})", file=sys.stderr
            )
            return done.returncode
        print(f"{precision}: " + " | ".join(done.stdout.strip().splitlines()[:3]))

    sources, references = FLORES / "vie_Latn.devtest", FLORES / "eng_Latn.devtest"
    if args.limit:  # the references and sources the hypotheses cover
        for name, path in (("src", sources), ("ref", references)):
            part = out / f"flores200.{name}.txt"
            lines = path.read_text(encoding="utf-8").splitlines()[: args.limit]
            part.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            sources, references = (part, references) if name == "src" else (sources, part)
    compare = songngu(
        "evaluate",
        "--hyp",
        str(hypotheses["int8"]),
        "--ref",
        str(references),
        "--src",
        str(sources),
        "--glossary",
        args.glossary,
        "--compare",
        str(hypotheses["fp32"]),
    )
    if compare.returncode != 0:
        print(compare.stderr.strip().splitlines()[-1], file=sys.stderr)
        return compare.returncode
    print("\nint8 (system) against fp32 (baseline), songngu evaluate --compare:")
    print(compare.stdout, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
