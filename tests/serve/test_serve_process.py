"""``songngu serve`` in its own process, as an operator runs it: Ctrl-C and SIGTERM finish the
requests in flight, then stop; bad settings are one line and exit 2, before the model loads."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import SEED_GLOSSARY, wait_for
from model_factory import FLORES
from songngu_process import run_songngu

SERVING = re.compile(r"songngu: serving .* on http://127\.0\.0\.1:(\d+)/")


def start_server(model: Path, cwd: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """``python -m songngu serve`` on a free port; waits for its line saying where it serves."""
    environment = dict(os.environ)
    environment.pop("PYTHONPATH", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "songngu",
            "serve",
            "--model",
            str(model),
            "-g",
            str(SEED_GLOSSARY),
            "--port",
            "0",
            *extra,
        ],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        if found := SERVING.search(line):
            return process, f"http://127.0.0.1:{found.group(1)}"
    process.wait(30)
    raise AssertionError(f"the server did not start: {''.join(lines)}")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_finishes_the_requests_in_flight_then_stops(
    stop: signal.Signals, tiny_model_dir: Path, tmp_path: Path
) -> None:
    process, url = start_server(tiny_model_dir, tmp_path, "--beam", "2", "--max-length", "60")
    try:
        sentences = (FLORES / "vie_Latn.devtest").read_text(encoding="utf-8").splitlines()[:32]
        answer: dict[str, object] = {}

        def ask() -> None:
            response = httpx.post(
                f"{url}/translate", json={"q": sentences, "source": "vi", "target": "en"}, timeout=300
            )
            answer["response"], answer["at"] = response, time.monotonic()

        asking = threading.Thread(target=ask)
        asking.start()
        wait_for(
            lambda: httpx.get(f"{url}/songngu/status", timeout=30).json()["queue"]["jobs_in_model"] == 1,
            "the request to reach the model",
        )
        signalled = time.monotonic()
        process.send_signal(stop)
        asking.join(300)
        returncode = process.wait(120)
        stderr = process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
    response = answer["response"]
    assert isinstance(response, httpx.Response) and response.status_code == 200
    assert float(answer["at"]) > signalled  # answered after the signal: it was in flight
    texts = response.json()["translatedText"]
    assert len(texts) == len(sentences) and all(texts)
    assert returncode == 0, stderr
    assert f"songngu: stopped by {stop.name}: 1 translation request answered, none cut off" in stderr
    assert "Traceback" not in stderr
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/languages", timeout=5)


def test_bad_settings_are_one_line_and_exit_2(tiny_model_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "keys.txt"
    empty.write_text("# no keys yet\n\n", encoding="utf-8")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    taken = busy.getsockname()[1]
    cases = {
        "keys": (["--api-keys", str(empty)], "keys.txt: no API keys in the file"),
        "port": (["--port", str(taken)], f"--host 127.0.0.1 --port {taken}: cannot listen there"),
        "queue": (["--max-segments", "10", "--queue", "5"], "--max-segments 10 is more than --queue 5"),
        "model": (["--model", str(tmp_path / "no-model")], "model directory not found"),
    }
    try:
        for name, (args, message) in cases.items():
            model = [] if name == "model" else ["--model", str(tiny_model_dir)]
            done = run_songngu(["serve", *model, *args], cwd=tmp_path)
            assert done.returncode == 2, (name, done.stderr)
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and message in lines[0], (name, done.stderr)
    finally:
        busy.close()
