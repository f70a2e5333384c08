"""Fault: ``songngu finetune`` on a full disk (issue #23, item 5).

It ended in ``SafetensorError: No space left on device`` (or torch.save's ``RuntimeError: unexpected
pos``) after the first epoch, leaving a half-written ``DIR.checkpoint/last.tmp`` or ``DIR.tmp-*``. Now
a save that fails is one line naming the folder and the reason, exit 2; nothing half-written is left;
the last complete checkpoint is kept, and ``--resume`` continues from it once there is room.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from msgfmt import msgfmt_check
from safetensors import SafetensorError
from test_write_faults import one_line, tmpfs
from transformers import MarianMTModel

from songngu.translate.cli import main

ROOT = Path(__file__).resolve().parents[2]
REFERENCES = sorted((ROOT / "seeds" / "reference").glob("*.po"))
ENOSPC_TEXT = (
    'Error while serializing: IoError(Os { code: 28, kind: StorageFull, message: "No space left on device" })'
)


@pytest.fixture(scope="module")
def memory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A memory of twelve short reviewed seed pairs: a few steps an epoch."""
    work = tmp_path_factory.mktemp("full-disk-memory")
    catalogs = []
    for path in REFERENCES:
        catalog = polib.pofile(str(path))
        for entry in sorted((e for e in catalog if e.msgstr), key=lambda e: len(e.msgid))[4:]:
            catalog.remove(entry)
        catalog.save(str(work / path.name))
        msgfmt_check(work / path.name)
        catalogs.append(str(work / path.name))
    tm = work / "tm.sqlite"
    assert main(["review", "import", *catalogs, "--tm", str(tm)]) == 0
    return tm


def finetune(memory: Path, model: Path, out: Path, *extra: str) -> int:
    args = ["--tm", str(memory), "--model", str(model), "--out", str(out), "--batch-size", "4"]
    return main(["finetune", *args, "--dev-fraction", "0", "--checkpoint-minutes", "0", *extra])


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The one ``songngu:`` line on stderr, and no traceback (the other lines report progress)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return one_line("\n".join(line for line in err.splitlines() if line.startswith("songngu:")))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if ".tmp" in p.name or ".old" in p.name)


def test_a_full_disk_keeps_the_last_good_checkpoint_and_resume_finishes(
    memory: Path, tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # How much one checkpoint takes, measured on a roomy disk: the run saves after epoch 1, then
    # fails writing the model into a folder that is a file by then.
    probe = tmp_path / "probe" / "ft"
    probe.parent.mkdir()

    def block_the_model(self: MarianMTModel, *args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MarianMTModel, "save_pretrained", block_the_model)
        assert finetune(memory, tiny_model_dir, probe, "--epochs", "2") == 2
    size = sum(p.stat().st_size for p in (probe.parent / "ft.checkpoint").rglob("*") if p.is_file())
    capsys.readouterr()

    # Room for one checkpoint and a half: epoch 1's is saved, epoch 2's (written beside it before
    # it replaces it) finds the disk full.
    with tmpfs(tmp_path / "small", f"{size * 3 // 2 // 1024}k") as small:
        out = small / "ft"
        assert finetune(memory, tiny_model_dir, out, "--epochs", "3") == 2
        assert error_line(capsys) == (
            f"songngu: {out}.checkpoint: cannot save the checkpoint of epoch 2: no space left on the "
            f"device; the checkpoint of epoch 1 in {out}.checkpoint is kept: make room and rerun with "
            "--resume"
        )
        assert not out.exists() and leftovers(small) == []
        assert sorted(p.name for p in (small / "ft.checkpoint").iterdir()) == ["last"]
        kept = tmp_path / "roomy"
        shutil.copytree(small, kept)

    # With room again (the same folder, copied to a roomy disk), --resume continues after epoch 1.
    out = kept / "ft"
    assert finetune(memory, tiny_model_dir, out, "--epochs", "3", "--resume") == 0
    assert "resuming after epoch 1" in capsys.readouterr().err
    assert (out / "model.safetensors").is_file() and not (kept / "ft.checkpoint").exists()


def test_a_disk_full_from_the_first_save_leaves_nothing(
    memory: Path, tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(tmp_path / "tiny", "64k") as tiny:
        out = tiny / "models" / "ft"
        assert finetune(memory, tiny_model_dir, out, "--epochs", "2") == 2
        assert error_line(capsys) == (
            f"songngu: {out}.checkpoint: cannot save the checkpoint of epoch 1: no space left on the "
            "device; no checkpoint was saved yet (--checkpoint-minutes): make room and run again"
        )
        # No checkpoint folder either: it would ask for a --resume that has nothing to resume.
        assert [p.name for p in tiny.rglob("*") if p.is_file()] == []
        assert not (tiny / "models" / "ft.checkpoint").exists()
        # So the same command runs again as it is (and fails again the same way, on this disk).
        assert finetune(memory, tiny_model_dir, out, "--epochs", "2") == 2
        assert "no checkpoint was saved yet" in error_line(capsys)


def test_a_model_that_cannot_be_written_leaves_no_half_written_directory(
    memory: Path,
    tiny_model_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # safetensors raises its own exception type for a full disk, after writing part of the file.
    def fill_the_disk(self: MarianMTModel, directory: Path, *args: object, **kwargs: object) -> None:
        (Path(directory) / "model.safetensors").write_bytes(b"\0" * 1000)
        raise SafetensorError(ENOSPC_TEXT)

    out = tmp_path / "ft"
    monkeypatch.setattr(MarianMTModel, "save_pretrained", fill_the_disk)
    assert finetune(memory, tiny_model_dir, out, "--epochs", "2") == 2
    assert error_line(capsys) == (
        f"songngu: {out}: cannot write the model: no space left on the device; the checkpoint of "
        f"epoch 1 in {out}.checkpoint is kept: make room and rerun with --resume"
    )
    assert not out.exists() and leftovers(tmp_path) == []

    monkeypatch.undo()
    assert finetune(memory, tiny_model_dir, out, "--epochs", "2", "--resume") == 0
    assert (out / "model.safetensors").is_file() and not (tmp_path / "ft.checkpoint").exists()
