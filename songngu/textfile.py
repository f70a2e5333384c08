"""Reading UTF-8 text exactly as users wrote it, and writing files atomically.

Every reader and writer in songngu goes through these two functions, so that a bad byte is always
reported the same way and no output file is ever left half-written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from songngu.errors import InputError

BOM = "\ufeff"


def decode_utf8(data: bytes, name: str | os.PathLike[str]) -> str:
    """Decode ``data`` as UTF-8, dropping a leading BOM; nothing else is changed.

    Raises InputError naming ``name`` and the byte offset of the first invalid byte.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: byte {exc.start}: not valid UTF-8 ({exc.reason}); save the file as UTF-8"
        ) from None
    return text[1:] if text.startswith(BOM) else text


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a whole UTF-8 text file (BOM dropped); offsets into the result are the project's offsets."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return decode_utf8(data, path)


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same directory and a rename.

    A reader (or a crash) sees either the old file or the new one, never a mix. Text is written
    as UTF-8 with ``\\n`` line ends.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp creates the file 0600; give it the mode a plain open() would (or the old file's).
        os.fchmod(fd, _mode_for(target))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
