"""Shared fixtures: a tiny MarianMT model built once per test session, PO files checked by msgfmt,
one ``songngu translate`` run in its own process, and headless Chromium (``browser``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from hypothesis import settings

# Test helpers (model_factory) are importable however pytest is started.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import browser  # noqa: F401  (the session's headless Chromium, as a fixture)
from model_factory import SEEDS, build_marian
from msgfmt import msgfmt_check
from songngu_process import TranslateRun, run_songngu

from songngu.textfile import write_atomic

# Property tests draw the same examples every run (the suite is deterministic: a failure in CI is a
# failure here); HYPOTHESIS_PROFILE=explore draws fresh ones, for hunting new counterexamples.
settings.register_profile("songngu", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "songngu"))

# The test models are tiny: one thread is as fast as several, and on a shared machine far faster than
# threads spinning while they wait for each other (measured: 4× on the engine tests).
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random MarianMT (d_model 32, one layer) in the opus-mt directory layout.

    Real SentencePiece tokenizers (trained on the seeds and FLORES-200), random weights, seed 0.
    """
    return build_marian(tmp_path_factory.mktemp("tiny-marian"), d_model=32, layers=1, heads=2, ffn=64, seed=0)


@pytest.fixture
def write_po(tmp_path: Path) -> Callable[..., Path]:
    """Write PO text to ``tmp_path/<name>`` and check it with msgfmt: every valid PO the tests write
    goes through it."""

    def write(text: str, name: str = "bai.po") -> Path:
        path = tmp_path / name
        write_atomic(path, text)
        msgfmt_check(path)
        return path

    return write


@pytest.fixture(scope="session")
def translate_run(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TranslateRun:
    """The first three paragraphs of a seed article (glossary terms, an acronym in parentheses)
    translated with the tiny model in a fresh process; later tests read its stderr and files."""
    directory = tmp_path_factory.mktemp("translate-run")
    paragraphs = (SEEDS / "000_8d105ddd42d75641.txt").read_text(encoding="utf-8").split("\n\n")[:3]
    article = directory / "bai.txt"
    article.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    args = [
        "translate",
        article.name,
        "--glossary",
        str(SEEDS / "glossary.csv"),
        "--model",
        str(tiny_model_dir),
    ]
    process = run_songngu([*args, "--out", "out", "--beam", "2", "--max-length", "40"], cwd=directory)
    return TranslateRun(directory, article, directory / "out", process)
