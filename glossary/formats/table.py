"""Glossaries as CSV or TSV tables: the format curators edit in a spreadsheet.

A header row names the columns: ``vi`` and ``en`` are required; ``acronym`` (the English
abbreviation), ``vi_acronym`` (the Vietnamese one), ``vi_variants``, ``en_variants``, ``en_forbidden``
(lists separated by ``|``) and ``note`` are optional. A file whose
first row is not such a header and that has exactly two columns is read as (source, target) pairs,
as DeepL and Google glossary exports are.

A header naming a column twice (``vi,en,vi,en``: one pair would be silently lost) and a body row
that is a header again (two files joined with ``cat``; it would become the entry "vi → en" and match
the Vietnamese word "vi") are refused with the file and line.

Cells are written through :func:`songngu.spreadsheet.neutralise` (a cell a spreadsheet would run as
a formula gets a leading apostrophe) and read through :func:`songngu.spreadsheet.restore`, so a
glossary read back is the glossary written.
"""

from __future__ import annotations

import csv
import io
import os

from songngu.errors import InputError
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.spreadsheet import neutralise, restore
from songngu.textfile import read_text

COLUMNS = ("vi", "en", "acronym", "vi_variants", "en_variants", "en_forbidden", "note", "vi_acronym")
REQUIRED = ("vi", "en")
LIST_COLUMNS = ("vi_variants", "en_variants", "en_forbidden")
LIST_SEPARATOR = "|"


def delimiter_for(path: str | os.PathLike[str], text: str) -> str:
    """Tab for ``.tsv``/``.tab`` files, comma for ``.csv``; otherwise whichever the first line uses."""
    suffix = os.fspath(path).lower().rsplit(".", 1)[-1]
    if suffix in ("tsv", "tab"):
        return "\t"
    if suffix == "csv":
        return ","
    first_line = text.split("\n", 1)[0]
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def loads(text: str, name: str | os.PathLike[str], delimiter: str = ",") -> Glossary:
    """Parse a glossary table. Errors name the file and line."""
    rows = _read_rows(text, name, delimiter)
    if not rows:
        return Glossary([], source=os.fspath(name))
    header_line, header = rows[0]
    columns = [cell.strip().lower() for cell in header]
    if "vi" in columns or "en" in columns or len(columns) != 2:
        missing = [column for column in REQUIRED if column not in columns]
        if missing:
            found = ", ".join(repr(c) for c in columns if c) or "none"
            raise InputError(
                f"{name}:{header_line}: glossary header lacks required column(s) "
                f"{', '.join(missing)} (found: {found})"
            )
        _refuse_duplicate_columns(columns, header_line, name)
        body = rows[1:]
    else:  # headerless (source, target) pairs
        columns = ["vi", "en"]
        body = rows
    entries = []
    for number, cells in body:
        if any(c.strip() for c in cells):
            _refuse_header_again(cells, columns, number, name)
            entries.append(_entry(columns, cells, number, name))
    return Glossary(entries, source=os.fspath(name))


def load(path: str | os.PathLike[str]) -> Glossary:
    """Read a CSV or TSV glossary file."""
    text = read_text(path)
    return loads(text, path, delimiter_for(path, text))


def dumps(glossary: Glossary, delimiter: str = ",") -> str:
    """Write a glossary as a table with the full header; lists are ``|``-separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    # csv quotes a cell holding "\n" but not one holding a lone "\r", which would then be read back
    # as a line end: such rows are written fully quoted.
    quoting_writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for entry in glossary:
        cells = [
            neutralise(cell)
            for cell in (
                entry.vi,
                entry.en,
                entry.acronym,
                LIST_SEPARATOR.join(entry.vi_variants),
                LIST_SEPARATOR.join(entry.en_variants),
                LIST_SEPARATOR.join(entry.en_forbidden),
                entry.note,
                entry.vi_acronym,
            )
        ]
        (quoting_writer if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return buffer.getvalue()


def list_cells(text: str, name: str | os.PathLike[str], delimiter: str = ",") -> list[tuple[int, str, str]]:
    """The raw ``|``-list cells of a table with a header, as (line, column, cell), for validation."""
    rows = _read_rows(text, name, delimiter)
    if not rows:
        return []
    columns = [cell.strip().lower() for cell in rows[0][1]]
    wanted = [(i, column) for i, column in enumerate(columns) if column in LIST_COLUMNS]
    return [
        (line, column, restore(cells[i]))
        for line, cells in rows[1:]
        for i, column in wanted
        if i < len(cells)
    ]


def _read_rows(text: str, name: str | os.PathLike[str], delimiter: str) -> list[tuple[int, list[str]]]:
    """Rows with the line number each starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{name}:{reader.line_num}: malformed table row ({exc})") from None
    return rows


def _refuse_duplicate_columns(columns: list[str], line: int, name: str | os.PathLike[str]) -> None:
    """A column named twice would silently lose one of its cells in every row."""
    first: dict[str, int] = {}
    for number, column in enumerate(columns, start=1):
        if not column:  # blank header cells (trailing commas of a spreadsheet export) name nothing
            continue
        if column in first:
            raise InputError(
                f"{name}:{line}: the header names column {column!r} twice "
                f"(columns {first[column]} and {number}); keep one"
            )
        first[column] = number


def _refuse_header_again(
    cells: list[str], columns: list[str], line: int, name: str | os.PathLike[str]
) -> None:
    """A body row made only of column names, ``vi`` and ``en`` among them, is a header again."""
    names = {restore(cell).strip().lower() for cell in cells} - {""}
    if {"vi", "en"} <= names and names <= set(COLUMNS) | set(columns):
        raise InputError(
            f"{name}:{line}: a header row again in the body (two glossaries joined?); "
            "remove it, or it would become the entry 'vi → en'"
        )


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip())


def _entry(columns: list[str], cells: list[str], line: int, name: str | os.PathLike[str]) -> GlossaryEntry:
    if len(cells) > len(columns):
        raise InputError(f"{name}:{line}: {len(cells)} cells but the header has {len(columns)} columns")
    row = {column: restore(cell).strip() for column, cell in zip(columns, cells, strict=False)}
    return GlossaryEntry(
        vi=row.get("vi", ""),
        en=row.get("en", ""),
        acronym=row.get("acronym", ""),
        vi_variants=_split(row.get("vi_variants", "")),
        en_variants=_split(row.get("en_variants", "")),
        en_forbidden=_split(row.get("en_forbidden", "")),
        note=row.get("note", ""),
        vi_acronym=row.get("vi_acronym", ""),
        line=line,
    )
