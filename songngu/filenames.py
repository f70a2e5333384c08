"""File names as songngu writes them: in records, catalogs, the memory and messages.

A file name on Linux is bytes. Python hands one that is not valid UTF-8 (``b\\xe0.txt``, common in
archives copied from old Windows machines) over with each bad byte as a lone surrogate
(``os.fsdecode``: ``'b\\udce0.txt'``), which no UTF-8 file, SQLite text or terminal takes: writing it
ended in ``UnicodeEncodeError: surrogates not allowed``. :func:`printable` spells each such byte as
its escape, ``\\xe0`` (and any other lone surrogate as ``\\udXXX``), so the name is written as the
ten printable characters ``b\\xe0.txt`` everywhere: segment ids, JSONL, PO, TMX, XLIFF, TSV, the
memory, messages, and the output file names themselves. A valid UTF-8 name is left as it is.
"""

from __future__ import annotations

import codecs
import os
import re

# What os.fsdecode makes of a byte that is not UTF-8 (surrogateescape: U+DC80..U+DCFF), and any
# other lone surrogate a name might carry.
_SURROGATE = re.compile("[\ud800-\udfff]")
ERRORS = "songngu.printable"  # the codec error handler: streams that print names use it


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every lone surrogate (a byte of a file name that is not UTF-8) as its escape."""
    return _SURROGATE.sub(lambda match: _escape(match.group()), text)


def printable_path(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """A path as songngu writes it (:func:`printable` of ``os.fsdecode(path)``)."""
    return printable(os.fsdecode(path))


def _printable_errors(error: UnicodeError) -> tuple[str, int]:
    """Encoding errors as escapes: a file name's bytes as ``\\xNN``; any other character the stream
    cannot take (a terminal that is not UTF-8) as Python's ``backslashreplace`` writes it."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return "".join(
        _escape(char) if _SURROGATE.match(char) else char.encode("ascii", "backslashreplace").decode()
        for char in chunk
    ), error.end


codecs.register_error(ERRORS, _printable_errors)
