"""``songngu translate`` as a user runs it, in its own process: stderr carries songngu's lines only.

A fresh process is the only place to see this: a library warns once per process, logs through
handlers it installs when imported, and draws progress bars on whatever stderr is.
"""

from __future__ import annotations

import json
import re

from songngu_process import TranslateRun

from songngu import __version__

# The one line songngu prints per article: "FILE: N segments (…), terms met M/T[, V VIOLATING] → DIR/NAME.*"
SUMMARY = re.compile(
    r"bai\.txt: \d+ segments \(\d+ constrained, \d+ unconstrained, \d+ from memory\), "
    r"terms met \d+/\d+(, \d+ VIOLATING)?(, \d+ QA findings \(\w+ \d+(, \w+ \d+)*\))? → out/bai\.\*"
)


def test_translate_prints_only_its_own_lines_on_stderr(translate_run: TranslateRun) -> None:
    process = translate_run.process
    assert process.returncode == 0, process.stderr
    # No warning from torch, torchao or transformers, no loading or progress bar (not a terminal).
    assert "\r" not in process.stderr
    assert [line for line in process.stderr.splitlines() if not SUMMARY.fullmatch(line)] == []
    assert len(process.stderr.splitlines()) == 1
    assert process.stdout == ""


def test_translate_writes_valid_jsonl_with_a_plain_version(translate_run: TranslateRun) -> None:
    lines = (translate_run.out / "bai.jsonl").read_text(encoding="utf-8").splitlines()
    first, *records = [json.loads(line) for line in lines]
    assert first["run"]["tool_version"] == __version__
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", first["run"]["tool_version"])
    assert records and all(isinstance(r["target"], str) and r["id"].startswith("bai:") for r in records)
    assert any(r["terms"] for r in records)
