"""``songngu serve`` in its own process, as an operator runs it: Ctrl-C and SIGTERM finish the
requests in flight, then stop (a second Ctrl-C stops at once); bad settings are one line and exit 2,
before the model loads.

The stop tests run the command through ``gated_serve.py``: its model calls wait for a gate file, so
a request is held in the model, for certain, while the signals arrive, and is let go only then.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from conftest import SEED_GLOSSARY, wait_for
from model_factory import FLORES
from songngu_process import run_songngu

SERVING = re.compile(r"songngu: serving .* on http://127\.0\.0\.1:(\d+)/")
GATED_SERVE = Path(__file__).with_name("gated_serve.py")
SENTENCES = (FLORES / "vie_Latn.devtest").read_text(encoding="utf-8").splitlines()[:16]


def start_server(
    model: Path, cwd: Path, *extra: str, gate: Path | None = None
) -> tuple[subprocess.Popen[str], str]:
    """``python -m songngu serve`` on a free port; waits for its line saying where it serves. With
    ``gate``, the same command whose model calls wait until the file ``gate`` exists."""
    environment = dict(os.environ)
    environment.pop("PYTHONPATH", None)
    command = [sys.executable, "-m", "songngu"]
    if gate is not None:
        command = [sys.executable, str(GATED_SERVE)]
        environment["SONGNGU_TEST_GATE"] = str(gate)
    process = subprocess.Popen(
        [*command, "serve", "--model", str(model), "-g", str(SEED_GLOSSARY), "--port", "0", *extra],
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


def refuses_connections(url: str) -> bool:
    """True once the server has stopped accepting (what it does first on a stop signal)."""
    try:
        httpx.get(f"{url}/languages", timeout=5)
    except httpx.ConnectError:
        return True
    except httpx.TransportError:  # accepted just before the listener closed, then dropped: ask again
        return False
    return False


def ask_in_background(url: str, answer: dict[str, object]) -> threading.Thread:
    """POST the sentences to ``/translate`` in a thread; ``answer`` gets the response or the error."""

    def ask() -> None:
        try:
            answer["response"] = httpx.post(
                f"{url}/translate", json={"q": SENTENCES, "source": "vi", "target": "en"}, timeout=300
            )
        except httpx.HTTPError as error:
            answer["error"] = error

    asking = threading.Thread(target=ask)
    asking.start()
    wait_for(
        lambda: httpx.get(f"{url}/songngu/status", timeout=30).json()["queue"]["jobs_in_model"] == 1,
        "the request to reach the model",
    )
    return asking


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_finishes_the_requests_in_flight_then_stops(
    stop: signal.Signals, tiny_model_dir: Path, tmp_path: Path
) -> None:
    gate = tmp_path / "gate"
    process, url = start_server(tiny_model_dir, tmp_path, "--beam", "2", "--max-length", "60", gate=gate)
    try:
        answer: dict[str, object] = {}
        asking = ask_in_background(url, answer)
        process.send_signal(stop)
        wait_for(lambda: refuses_connections(url), "the server to stop accepting")
        assert "response" not in answer and "error" not in answer  # still held in the model
        gate.touch()  # the model may now finish the request in flight
        asking.join(300)
        returncode = process.wait(120)
        stderr = process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
    response = answer.get("response")
    assert isinstance(response, httpx.Response) and response.status_code == 200, answer
    texts = response.json()["translatedText"]
    assert len(texts) == len(SENTENCES) and all(texts)
    assert returncode == 0, stderr
    assert f"songngu: stopped by {stop.name}: 1 translation request answered, none cut off" in stderr
    assert "Traceback" not in stderr


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
        "model": (["--model", str(tmp_path / "no-model")], "no-model: no such directory; --model takes"),
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


def test_a_second_ctrl_c_stops_at_once(tiny_model_dir: Path, tmp_path: Path) -> None:
    gate = tmp_path / "gate"  # never opened: the request would stay in the model for ever
    process, url = start_server(tiny_model_dir, tmp_path, "--beam", "2", "--max-length", "60", gate=gate)
    try:
        answer: dict[str, object] = {}
        asking = ask_in_background(url, answer)
        process.send_signal(signal.SIGINT)
        wait_for(lambda: refuses_connections(url), "the server to stop accepting")
        process.send_signal(signal.SIGINT)
        returncode = process.wait(60)
        asking.join(60)
        stderr = process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
    assert returncode == 130, stderr
    assert stderr.splitlines()[-1] == (
        "songngu: stopped at once (second Ctrl-C): requests in flight were cut off; "
        "0 translation requests answered"
    ), stderr
    assert "Traceback" not in stderr
    # Cut off, not answered: uvicorn answers a cancelled request 500 when it can, else the
    # connection closes.
    response = answer.get("response")
    assert isinstance(answer.get("error"), httpx.HTTPError) or (
        isinstance(response, httpx.Response) and response.status_code == 500
    ), answer


def test_deepl_glossaries_are_kept_next_to_the_memory(tiny_model_dir: Path, tmp_path: Path) -> None:
    memory = tmp_path / "tm.sqlite"  # not there yet: served as an empty memory
    process, url = start_server(tiny_model_dir, tmp_path, "--tm", str(memory))
    try:
        created = httpx.post(
            f"{url}/v2/glossaries",
            json={
                "name": "desk",
                "source_lang": "vi",
                "target_lang": "en",
                "entries": "hội nghị\tconference\n",
                "entries_format": "tsv",
            },
            timeout=60,
        )
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(120)
        stderr = process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
    assert created.status_code == 201, created.text
    assert returncode == 0, stderr
    kept = list((tmp_path / "tm.sqlite.glossaries").iterdir())
    assert any(created.json()["glossary_id"] in path.name for path in kept), kept
