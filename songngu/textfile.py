"""Reading UTF-8 text exactly as users wrote it, and writing files atomically.

Every reader and writer in songngu goes through these functions, so that a bad byte is always
reported the same way, no output file is ever left half-written, and a write that fails (full disk,
read-only folder) is one line naming the file, never a traceback.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from songngu.errors import InputError

BOM = "\ufeff"
TMP_SUFFIX = ".tmp"
_TEMPORARY = re.compile(r"\..+\.(?P<pid>\d+)\.[^.]+\.tmp")


def decode_utf8(data: bytes, name: str | os.PathLike[str]) -> str:
    """Decode ``data`` as UTF-8, dropping a leading BOM; nothing else is changed.

    Raises InputError naming ``name`` and the byte offset of the first invalid byte.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, exc.start, exc.reason) from None
    return text[1:] if text.startswith(BOM) else text


def _not_utf8(name: str | os.PathLike[str], offset: int, reason: str) -> InputError:
    return InputError(f"{name}: byte {offset}: not valid UTF-8 ({reason}); save the file as UTF-8")


# The most songngu reads as one article (translate, align, segment, glossary match and extract):
# 16 MiB of UTF-8 is about 2.5 million Vietnamese words, some 5,000 printed pages, far beyond any
# article or report a desk translates as one file, while the run's segments, records and eight
# output files of such an article still fit a laptop's memory many times over. What is larger is
# refused before it is read whole, so an endless file (a link to /dev/zero) costs 16 MiB, not all
# the memory there is.
ARTICLE_LIMIT = 16 * 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for reading bytes, refusing (InputError) anything but a regular file.

    A device, a named pipe or a socket may never end (``/dev/zero``) or block until a writer
    comes (a FIFO): songngu reads files. The file is opened without blocking and then checked
    (``fstat`` of what was opened, so a swap in between cannot slip past); links are followed.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise InputError(f"{path}: is {kind}, not a regular file; songngu reads only regular files")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_text(path: str | os.PathLike[str], limit: int | None = None) -> str:
    """Read a whole UTF-8 text file (BOM dropped); offsets into the result are the project's offsets.

    Only a regular file is read (:func:`open_regular`). With ``limit`` (bytes; articles are read
    with :data:`ARTICLE_LIMIT`), a larger file is refused, and at most ``limit + 1`` bytes are read
    to find out.
    """
    with open_regular(path) as handle:
        try:
            data = handle.read() if limit is None else handle.read(limit + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if limit is not None and len(data) > limit:
        raise InputError(
            f"{path}: larger than {_size(limit)}, the most songngu reads as one article; split it"
        )
    return decode_utf8(data, path)


def _size(limit: int) -> str:
    if limit % (1 << 20) == 0:
        return f"{limit >> 20} MiB"
    return f"{limit:,} bytes"


class Utf8Decoder:
    """UTF-8 decoding of a file read in chunks, reporting a bad byte by its offset in the whole file,
    exactly as :func:`decode_utf8` does (a BOM at the start is dropped)."""

    def __init__(self, name: str | os.PathLike[str]) -> None:
        self.name = name
        self.offset = 0  # bytes handed over so far
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._first = True  # no character decoded yet: a BOM would still be the file's

    def decode(self, chunk: bytes, final: bool = False) -> str:
        """The text of ``chunk`` (bytes of a character split between chunks wait for the next one)."""
        pending = len(self._decoder.getstate()[0])
        try:
            text = self._decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            raise _not_utf8(self.name, self.offset - pending + exc.start, exc.reason) from None
        self.offset += len(chunk)
        if self._first and text:
            self._first = False
            return text[1:] if text.startswith(BOM) else text
        return text


def read_lines(path: str | os.PathLike[str], chunk_size: int = 1 << 16) -> Iterator[str]:
    """The lines of a UTF-8 text file as ``read_text(path).splitlines()`` gives them, read as a
    stream: memory holds one chunk, not the file."""
    decoder = Utf8Decoder(path)
    with open_regular(path) as handle:
        rest = ""
        while True:
            try:
                chunk = handle.read(chunk_size)
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
            final = not chunk
            lines = (rest + decoder.decode(chunk, final)).splitlines(keepends=True)
            # The last line may go on in the next chunk (even "\r" may be half of "\r\n").
            rest = "" if final or not lines else lines.pop()
            for line in lines:
                yield (line.splitlines() or [""])[0]
            if final:
                return


def read_chunks(path: str | os.PathLike[str], chunk_size: int = 1 << 16) -> Iterator[str]:
    """The text of a UTF-8 file in pieces (BOM dropped; a bad byte reported by its offset in the
    file), read as a stream: memory holds one chunk, not the file."""
    decoder = Utf8Decoder(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, also when the caller stops early
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        while True:
            try:
                chunk = handle.read(chunk_size)
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
            text = decoder.decode(chunk, final=not chunk)
            if text:
                yield text
            if not chunk:
                return


def read_records(path: str | os.PathLike[str], chunk_size: int = 1 << 16) -> Iterator[str]:
    """The pieces of a UTF-8 file between line feeds, as ``read_text(path).split("\\n")`` gives them
    (a CR before a line feed stays; U+2028 and other characters ``splitlines`` breaks at are no line
    ends: line-aligned files and JSON Lines end records at ``\\n`` only), read as a stream."""
    rest = ""
    for text in read_chunks(path, chunk_size):
        pieces = (rest + text).split("\n")
        rest = pieces.pop()
        yield from pieces
    yield rest


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same directory and a rename.

    A reader (or a crash) sees either the old file or the new one, never a mix. Text is written
    as UTF-8 with ``\\n`` line ends. A failure (full disk, no permission, a directory in the way)
    is an InputError naming ``path``, and the old file is left as it was.
    """
    write_all([(path, content)])


def write_all(files: Sequence[tuple[str | os.PathLike[str], str | bytes]]) -> None:
    """Write several files as one set: every temporary file is written and synced before any is
    renamed into place, so a full disk or a permission error leaves all of the old files, not a
    mix of old and new. Failures are InputErrors naming the path."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, content in files:
            staged.append((_stage(Path(path), content), Path(path)))
        for tmp_name, target in staged:
            try:
                os.replace(tmp_name, target)
            except OSError as exc:
                raise InputError(f"{target}: cannot write: {_reason(exc)}") from None
    finally:
        for tmp_name, _ in staged:
            Path(tmp_name).unlink(missing_ok=True)


def _stage(target: Path, content: str | bytes) -> str:
    """Write ``content`` to a synced temporary file beside ``target``; return its name."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        # The pid in the name lets a later run tell a temporary file left by a killed process
        # (see remove_stale_temporaries) from one that a running process is still writing.
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=TMP_SUFFIX, dir=target.parent
        )
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {_reason(exc)}") from None
    try:
        # mkstemp creates the file 0600; give it the mode a plain open() would (or the old file's).
        os.fchmod(fd, _mode_for(target))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        raise InputError(f"{target}: cannot write: {_reason(exc)}") from None
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return tmp_name


def check_writable_dir(path: str | os.PathLike[str]) -> None:
    """Make sure files can be written into the directory ``path`` (creating it if needed), before
    any work is done: an InputError now beats a lost hour of translation later.

    Writing and removing a probe file is the only test that also catches read-only file systems
    and full disks, which permission bits do not show (and root ignores).
    """
    directory = Path(path)
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}: exists and is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(
            prefix=f".songngu-probe.{os.getpid()}.", suffix=TMP_SUFFIX, dir=directory
        )
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(f"{directory}: cannot write here: {_reason(exc)}") from None


def check_writable_file(path: str | os.PathLike[str]) -> None:
    """Make sure ``path`` can be written (its directory takes files; it is not a directory), and
    clear that directory of temporaries that killed writers left there."""
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{target}: is a directory; name a file to write")
    check_writable_dir(target.parent)
    remove_stale_temporaries(target.parent)


def remove_stale_temporaries(directory: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files that writers killed mid-write left in ``directory``.

    Only songngu's own (``.<name>.<pid>.<random>.tmp``) whose process no longer runs are removed;
    returns their paths.
    """
    removed: list[Path] = []
    folder = Path(directory)
    if not folder.is_dir():
        return removed
    for candidate in folder.glob(f".*{TMP_SUFFIX}"):
        match = _TEMPORARY.fullmatch(candidate.name)
        if match is None or _running(int(match.group("pid"))):
            continue
        try:
            candidate.unlink()
        except OSError:
            continue  # not ours to fight over: another process may be cleaning up too
        removed.append(candidate)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, but another user's
    return True


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    return exc.strerror or str(exc)


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
