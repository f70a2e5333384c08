"""`songngu finetune` refuses bad input with one line and exit 2, writing nothing; its help and the
model-free commands do not import torch."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from songngu.translate.cli import main
from songngu.translate.memory import TranslationMemory

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = sorted((ROOT / "seeds" / "reference").glob("*.po"))


@pytest.fixture(scope="module")
def seed_memory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed references (reviewed catalogs) imported into a memory: 34 pairs, 3 articles."""
    tm = tmp_path_factory.mktemp("memory") / "tm.sqlite"
    assert main(["review", "import", *map(str, REFERENCES), "--tm", str(tm)]) == 0
    return tm


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def refused(capsys: pytest.CaptureFixture[str], work: Path, args: list[str], expected: str) -> None:
    """The command exits 2 with one line on stderr containing ``expected``; ``work`` is unchanged."""
    capsys.readouterr()
    before = snapshot(work)
    assert main(["finetune", *args]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("songngu: "), err
    assert expected in lines[0], err
    assert snapshot(work) == before


@pytest.fixture
def work(tmp_path: Path, seed_memory: Path) -> Path:
    (tmp_path / "tm.sqlite").write_bytes(seed_memory.read_bytes())
    return tmp_path


Run = Callable[..., None]


@pytest.fixture
def refuse(capsys: pytest.CaptureFixture[str], work: Path, tiny_model_dir: Path) -> Run:
    def run(
        expected: str, *extra: str, tm: str = "tm.sqlite", model: str | None = None, out: str = "ft"
    ) -> None:
        args = ["--tm", str(work / tm), "--model", model or str(tiny_model_dir), "--out", str(work / out)]
        refused(capsys, work, [*args, "--epochs", "1", *extra], expected)

    return run


def test_empty_memory(refuse: Run, work: Path) -> None:
    TranslationMemory(work / "empty.sqlite").close()
    refuse("memory is empty", tm="empty.sqlite")


def test_missing_memory(refuse: Run) -> None:
    refuse("no translation memory", tm="nothing.sqlite")


def test_fewer_pairs_than_a_batch(refuse: Run) -> None:
    refuse("fewer than one batch", "--batch-size", "64", "--dev-fraction", "0")


def test_missing_base_model(refuse: Run, work: Path) -> None:
    refuse("no such directory", model=str(work / "no-such-model"))


def test_out_that_is_not_a_finetune_directory(refuse: Run, work: Path) -> None:
    (work / "ft").mkdir()
    (work / "ft" / "notes.txt").write_text("mine\n", encoding="utf-8")
    refuse("not a finished songngu finetune directory")
    (work / "file").write_text("x\n", encoding="utf-8")
    refuse("not a finished songngu finetune directory", out="file")


def test_out_under_a_file_is_refused(refuse: Run, work: Path) -> None:
    # Missing parents of --out are created (models/desk); a file where a parent should be is not.
    (work / "models").write_text("x\n", encoding="utf-8")
    refuse(f"{work / 'models'} exists and is not a directory", out="models/desk")


def test_resume_without_a_checkpoint(refuse: Run) -> None:
    refuse("no checkpoint to resume from", "--resume")


def test_leftover_checkpoint_needs_resume(refuse: Run, work: Path) -> None:
    (work / "ft.checkpoint").mkdir()
    refuse("pass --resume")


def test_test_set_in_the_memory(refuse: Run, work: Path) -> None:
    flores = ROOT / "data" / "flores200"
    vi = (flores / "vie_Latn.devtest").read_text(encoding="utf-8").splitlines()[:20]
    en = (flores / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()[:20]
    from songngu.translate.memory import MemoryUnit

    with TranslationMemory(work / "tm.sqlite") as memory:
        memory.store(
            MemoryUnit(s, t, "flores.po", f"flores:{i}:1", True, "2026-01-01T00:00:00Z")
            for i, (s, t) in enumerate(zip(vi, en, strict=True), 1)
        )
    refuse("test sets")


def test_help_and_model_free_commands_do_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from songngu.translate.cli import main\n"
        "try:\n    main(['finetune', '--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'torch imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "--tm" in done.stdout and "torchrun" in done.stdout
