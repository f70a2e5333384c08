"""Where a fine-tuning run writes, and how it never leaves a half-written model directory.

- ``DIR`` (``--out``): the finished model, a MarianMT directory ``songngu translate --model DIR``
  loads, with ``training.json`` inside it. It only ever appears complete: the model is written to
  ``DIR.tmp-*/`` beside it and renamed into place (a finished ``DIR`` from an earlier run is
  replaced the same way).
- ``DIR.checkpoint/``: the state of a run in progress (last epoch's weights, optimizer, scheduler,
  random generators, the best weights so far), kept after an interruption for ``--resume`` and
  removed when the run finishes.

An existing ``DIR`` is only ever replaced when it is a finished finetune directory (it holds
``training.json`` written by songngu finetune): anything else is refused before any work starts.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from safetensors import SafetensorError

from songngu.errors import InputError
from songngu.textfile import check_writable_dir

TRAINING_JSON = "training.json"
TOOL = "songngu finetune"
STATE_FILE = "state.json"  # in a checkpoint: the run's progress (epoch, scores, history)


def checkpoint_dir(out: Path) -> Path:
    """The in-progress state of a run writing ``out``."""
    return out.with_name(out.name + ".checkpoint")


def is_finished(out: Path) -> bool:
    """Whether ``out`` is a directory a finished ``songngu finetune`` run wrote."""
    record = out / TRAINING_JSON
    if not (out.is_dir() and record.is_file() and (out / "model.safetensors").is_file()):
        return False
    try:
        return bool(json.loads(record.read_text(encoding="utf-8")).get("tool") == TOOL)
    except (OSError, ValueError, AttributeError):
        return False


def check_out(out: Path, *, resume: bool) -> None:
    """Refuse an ``--out`` that a run must not write (one line, nothing written).

    ``out`` may be missing (with its parents) or a finished finetune directory (then replaced);
    its checkpoint directory must exist exactly when resuming.
    """
    if out.exists() and not is_finished(out):
        raise InputError(
            f"{out}: exists and is not a finished songngu finetune directory; choose another --out "
            "or remove it"
        )
    # Missing parents are created when the model is published (as `translate --out` creates its
    # folder); now only the nearest existing one is checked to take files, and nothing is written.
    existing = next(parent for parent in out.absolute().parents if parent.exists())
    if not existing.is_dir():
        raise InputError(f"{out}: {existing} exists and is not a directory")
    check_writable_dir(existing)
    checkpoint = checkpoint_dir(out)
    if resume and not checkpoint.is_dir():
        raise InputError(f"{checkpoint}: no checkpoint to resume from; run without --resume")
    if not resume and checkpoint.exists():
        raise InputError(
            f"{checkpoint}: holds an interrupted run; pass --resume to continue it, or remove it to "
            "start over"
        )


# What writing a model or a checkpoint raises when the disk is full or the folder refuses files:
# torch.save reports a short write as a RuntimeError, safetensors as its own SafetensorError.
WRITE_ERRORS: tuple[type[BaseException], ...] = (OSError, RuntimeError, SafetensorError)
_NEARLY_FULL = 1 << 20  # bytes: what a write that failed for want of space leaves free, at most


def write_failure(error: BaseException, where: Path) -> str:
    """Why a write under ``where`` failed, in words; call it before removing what was written.

    torch and safetensors do not say "no space" in their own exception types, so a disk that is
    full right after the failure is taken to be the reason.
    """
    if (
        (isinstance(error, OSError) and error.errno == errno.ENOSPC)
        or "No space left on device" in str(error)  # safetensors quotes the OS error's text
        or _nearly_full(where)
    ):
        return "no space left on the device"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _nearly_full(where: Path) -> bool:
    existing = next((p for p in (where, *where.parents) if p.exists()), None)
    try:
        return existing is not None and shutil.disk_usage(existing).free < _NEARLY_FULL
    except OSError:
        return False


def saved_epoch(checkpoint: Path) -> int | None:
    """The epoch the last complete checkpoint in ``checkpoint`` holds (None: there is none)."""
    for last in (checkpoint / "last", checkpoint / "last.old"):
        try:
            return int(json.loads((last / STATE_FILE).read_text(encoding="utf-8"))["epoch"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return None


def kept_for_resume(checkpoint: Path) -> str:
    """What a failed run leaves to continue from, said at the end of its one line."""
    epoch = saved_epoch(checkpoint)
    if epoch is None:
        return "no checkpoint was saved yet (--checkpoint-minutes): make room and run again"
    return f"the checkpoint of epoch {epoch} in {checkpoint} is kept: make room and rerun with --resume"


def publish(out: Path, write: Callable[[Path], None]) -> None:
    """Have ``write`` fill a fresh directory beside ``out``, then rename it to ``out``.

    A finished ``out`` from an earlier run is moved aside first and removed once the new one is in
    place; if anything fails, the temporary directory is removed and ``out`` is as it was. A write
    that fails (full disk) is an InputError naming ``out`` and the reason.
    """
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{out.name}.tmp-", dir=out.parent))
    except OSError as error:
        raise InputError(f"{out}: cannot write the model: {write_failure(error, out.parent)}") from None
    try:
        try:
            write(staging)
        except WRITE_ERRORS as error:
            reason = write_failure(error, staging)
            shutil.rmtree(staging, ignore_errors=True)
            raise InputError(f"{out}: cannot write the model: {reason}") from None
        _sync_dir(staging)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f"{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(staging, out)
        _sync_dir(out.parent)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def replace_dir(staging: Path, final: Path) -> None:
    """Put the complete directory ``staging`` at ``final``, replacing what was there."""
    _sync_dir(staging)
    old = final.with_name(final.name + ".old")
    if final.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)


def _sync_dir(path: Path) -> None:
    """Flush a directory's files and entries to disk (a crash then leaves all of it or none)."""
    for child in path.iterdir():
        if child.is_file():
            with open(child, "rb") as handle:
                os.fsync(handle.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
