"""Tab-separated bitext: ``<name>.tsv`` with the header ``id<TAB>vi<TAB>en``, one segment per row.

Every field is first put under the character policy (:mod:`songngu.translate.formats.characters`:
line breaks become ``\\n``, other controls U+FFFD, bidi controls go), so no field holds a character
``str.splitlines`` breaks at but ``\\n``. Then backslash, tab and line feed are written as
``\\\\``, ``\\t`` and ``\\n`` (the convention of PostgreSQL's text COPY and of many MT toolkits), and
:func:`loads_rows` undoes exactly that (it also reads ``\\r``, which older files hold). Rows are
separated by ``\\n`` only, so a file has one line per row for every reader.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence

from songngu.errors import InputError
from songngu.textfile import read_records
from songngu.translate.formats.base import OutputFormat, UnitReader, paragraph_of
from songngu.translate.formats.characters import portable_text
from songngu.translate.records import ArticleTranslation, SegmentResult
from songngu.translate.reviewed import Origin, ReviewedUnit, UnitState

BITEXT_HEADER = ("id", "vi", "en")

_ESCAPE_TABLE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n"})
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_ESCAPE_SEQUENCE = re.compile(r"\\(.?)", re.DOTALL)


def escape_field(text: str) -> str:
    """``text`` under the character policy, with backslash, tab and line feed escaped."""
    return portable_text(text).translate(_ESCAPE_TABLE)


def unescape_field(field: str, where: str) -> str:
    """Undo :func:`escape_field`; an unknown escape raises InputError naming ``where`` (FILE:LINE)."""
    if "\\" not in field:
        return field

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code not in _UNESCAPES:
            shown = f"'\\{code}'" if code else "a lone '\\' at the end of a field"
            raise InputError(f"{where}: unknown escape {shown}; write a backslash as '\\\\'")
        return _UNESCAPES[code]

    return _ESCAPE_SEQUENCE.sub(replace, field)


def dumps_rows(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A TSV file: the header line, then one escaped line per row, each ending in ``\\n``."""
    lines = ["\t".join(header)]
    lines.extend("\t".join(escape_field(value) for value in row) for row in rows)
    return "\n".join(lines) + "\n"


def loads_rows(text: str, name: str | os.PathLike[str], header: Sequence[str]) -> list[tuple[str, ...]]:
    """Parse a TSV file written by :func:`dumps_rows` with this ``header``.

    A ``\\r`` before a line end (a file saved with CRLF line ends) is dropped; blank lines are
    skipped. Errors name the file and line.
    """
    # not splitlines(): \v, \f, \x1c, \u2028... may be inside a field
    return [row for _, row in iter_rows(text.split("\n"), name, header)]


def iter_rows(
    lines: Iterable[str], name: str | os.PathLike[str], header: Sequence[str]
) -> Iterator[tuple[int, tuple[str, ...]]]:
    """:func:`loads_rows` over the file's pieces between line feeds (as :func:`read_records`
    streams them), each row with its line number."""
    expected = "\t".join(header)
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\r")
        if number == 1:
            if line != expected:
                found = repr(line[:60]) if line else "an empty file"
                raise InputError(f"{name}:1: expected the header {expected!r}, found {found}")
            continue
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            raise InputError(
                f"{name}:{number}: expected {len(header)} tab-separated fields "
                f"({', '.join(header)}), found {len(fields)}"
            )
        yield number, tuple(unescape_field(value, f"{name}:{number}") for value in fields)


class TsvFormat(OutputFormat, UnitReader):
    """``<name>.tsv``: id, Vietnamese and English of each segment, one row per segment; read as
    units, each row a translation as the file gives it (confirmed; new when the English is empty)."""

    suffix = ".tsv"

    def units(self, path: str | os.PathLike[str]) -> Iterator[ReviewedUnit]:
        """The rows of a bitext TSV (header ``id vi en``) as units."""
        name = os.fspath(path)
        for number, (id_, vi, en) in iter_rows(read_records(path), path, BITEXT_HEADER):
            state = UnitState.CONFIRMED if en.strip() else UnitState.NEW
            yield ReviewedUnit(id=id_, source=vi, target=en, state=state, origin=Origin(name, number))

    def render(self, article: ArticleTranslation, existing: str | None = None, *, name: str = "") -> str:
        return dumps_rows(BITEXT_HEADER, ((r.id, r.source, r.target) for r in article.results))

    def parse(self, text: str, name: str = "<tsv>") -> ArticleTranslation:
        """The (id, Vietnamese, English) rows of a ``<name>.tsv`` file; errors name the file and line."""
        results = [
            SegmentResult(id=id_, source=vi, target=en, paragraph=paragraph_of(id_))
            for id_, vi, en in loads_rows(text, name, BITEXT_HEADER)
        ]
        return ArticleTranslation(self.article_name(name), name, None, results)
