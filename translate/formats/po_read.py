"""Reading PO catalogs: strictly, as ``msgfmt`` would, as a stream, and as reviewed units.

**Strict.** polib alone accepts much that ``msgfmt`` refuses (an unterminated string, a msgid without
msgstr, duplicate entries), so the text is checked line by line first (:func:`parse_catalog`). The
header must declare an English Language and, if it declares a charset, UTF-8. Every error is an
InputError ``FILE:LINE: …`` (or ``FILE: byte N: …`` for bad UTF-8).

**Streaming.** :func:`read_catalog_batches` reads a catalog of any size in batches of
:data:`CATALOG_BATCH` entries, holding one batch at a time, with the same checks.

**Reviewed units.** :func:`entry_unit` is the one reading of an entry as a
:class:`~songngu.translate.reviewed.ReviewedUnit`: confirmed when not fuzzy (and translated),
the baseline and terms from songngu's ``#.`` notes (:mod:`songngu.translate.formats.notes`), the
translator comments (``#``) as notes, the first ``#:`` reference as the unit's reference, and the
catalog's PO-Revision-Date (when the reviewer's tool last saved it) as its time. The header entry
and plural entries (not sentences) are not units. :func:`catalog_units` streams a file's units;
the PO merge reads the existing catalog's entries with :func:`entry_unit` too.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import polib

from songngu.errors import InputError
from songngu.textfile import read_lines, read_text
from songngu.translate.formats.markup import with_plain_text
from songngu.translate.formats.notes import read_notes
from songngu.translate.reviewed import Origin, ReviewedUnit, one_line, unit_state

FUZZY = "fuzzy"
CATALOG_BATCH = 1000  # entries per catalog read_catalog_batches yields
ENGLISH = re.compile(r"en(?:[_-][A-Za-z0-9]+)?(?:@\w+)?", re.IGNORECASE)


def english_language(value: str) -> bool:
    """Whether a Language header names English ("en", "en_US", "en-GB", "en@quot")."""
    return ENGLISH.fullmatch(value.strip()) is not None


# ------------------------------------------------------------------------------ reviewed units


def catalog_units(path: str | os.PathLike[str]) -> Iterator[ReviewedUnit]:
    """The units of a PO file, in file order, read batch by batch (see :func:`read_catalog_batches`)."""
    created: str | None = None
    for number, catalog in enumerate(read_catalog_batches(path)):
        if number == 0:
            created = revision_time(catalog)
        for entry in catalog:
            unit = entry_unit(entry, os.fspath(path), created)
            if unit is not None:
                yield unit


def entry_unit(
    entry: polib.POEntry, file: str = "", created: str | None = None, *, revived: bool = False
) -> ReviewedUnit | None:
    """The reviewed unit of one entry (None for the header and plural entries): see the module
    docstring. ``file`` names the catalog; ``created`` is its revision time. ``revived``: read an
    obsolete entry as the active one it becomes when its sentence comes back (for the merge)."""
    if not entry.msgid or entry.msgid_plural:
        return None
    notes = read_notes(entry.comment or "")
    obsolete = bool(entry.obsolete) and not revived
    unit = ReviewedUnit(
        id=entry.msgctxt or "",
        source=entry.msgid,
        target=entry.msgstr,
        state=unit_state(entry.msgstr, notes.baseline, confirmed=FUZZY not in entry.flags, obsolete=obsolete),
        baseline=notes.baseline,
        terms=notes.terms,
        notes=(entry.tcomment,) if entry.tcomment else (),
        origin=Origin(file, entry.linenum or 0),
        reference=_first_reference(entry),
        created=created,
    )
    # A document's sentence holds its inline codes' tags: the unit's text is the plain text.
    return with_plain_text(unit)


def revision_time(catalog: polib.POFile) -> str | None:
    """The PO-Revision-Date as ``YYYY-MM-DDThh:mm:ssZ``, or None (absent, or the template's
    ``YEAR-MO-DA HO:MI+ZONE``)."""
    value = catalog.metadata.get("PO-Revision-Date", "").strip()
    try:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M%z")
    except ValueError:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _first_reference(entry: polib.POEntry) -> str:
    if not entry.occurrences:
        return ""
    file_name, line = entry.occurrences[0]
    return f"{file_name}:{line}" if line else file_name


# ------------------------------------------------------------------------------------- parsing


def load_catalog(path: str | os.PathLike[str]) -> polib.POFile:
    """Read and strictly parse a PO file (UTF-8, English); errors say file and line or byte."""
    return parse_catalog(read_text(path), path)


def parse_catalog(text: str, name: str | os.PathLike[str] = "<po>") -> polib.POFile:
    """Strictly parse a PO catalog's text.

    polib alone accepts much that ``msgfmt`` refuses (an unterminated string, a msgid without
    msgstr, duplicate entries), so the text is checked line by line first. The header must declare
    an English Language and, if it declares a charset, UTF-8. Every error is an InputError
    ``"NAME:LINE: …"``.
    """
    for _ in _entry_ends(_lines(text), name):
        pass
    try:
        # polib reads its argument as a path when it names an existing file; text with a line
        # break never does.
        catalog = polib.pofile(text if "\n" in text else text + "\n", encoding="utf-8", wrapwidth=0)
    except (OSError, ValueError) as exc:
        match = re.search(r"\(line (\d+)\)(?::\s*(.*))?", str(exc))
        line = match.group(1) if match else "1"
        detail = match.group(2) if match and match.group(2) else "syntax error"
        raise InputError(f"{name}:{line}: malformed PO: {detail}") from None
    _check_header(catalog, text, name)
    return catalog


_Fail = Callable[[int, str], InputError]  # makes the error for a line number and a message
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr\[(\d+)\]|msgstr)(?=\s|\")\s*(.*)\Z")
_VALID_ESCAPES = set('\\"ntrvbf')


@dataclass
class _Entry:
    """The entry being read by :func:`_entry_ends`."""

    first_line: int = 0
    obsolete: bool | None = None
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_line: int = 0
    last_line: int = 0  # the entry's last keyword or string line
    parts: list[str] = field(default_factory=list)  # keywords seen, in order


def _entry_ends(lines: Iterable[str], name: str | os.PathLike[str]) -> Iterator[int]:
    """Check a catalog's lines as msgfmt would, yielding the last line of each entry as it ends
    (comments before an entry belong to it); raises InputError ``NAME:LINE: …`` at the first fault.

    Memory stays small however long the catalog: entries are not kept, and duplicates are found by a
    128-bit digest of each (msgctxt, msgid).
    """
    keys: dict[bytes, int] = {}
    entry = _Entry()
    last: str | None = None  # the field a continuation string adds to

    def fail(line: int, message: str) -> InputError:
        return InputError(f"{name}:{line}: malformed PO: {message}")

    def finish(line: int) -> int:
        """Close the entry being read; its last line, or 0 when there was none."""
        nonlocal entry, last
        end = 0
        if entry.parts:
            if entry.parts[-1] in ("msgctxt",):
                raise fail(entry.first_line, "msgctxt without msgid")
            if entry.parts[-1] in ("msgid", "msgid_plural"):
                raise fail(entry.msgid_line, "msgid without msgstr")
            key = _digest(entry.msgctxt, entry.msgid or "")
            if key in keys:
                raise fail(entry.msgid_line, f"duplicate entry (first defined at line {keys[key]})")
            keys[key] = entry.msgid_line
            end = entry.last_line
        entry, last = _Entry(first_line=line), None
        return end

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        obsolete = False
        if line.startswith("#~") and not line.startswith("#~|"):
            rest = line[2:].strip()
            if not rest:
                continue
            if not (rest.startswith('"') or _KEYWORD.match(rest)):
                continue  # an obsolete comment line
            obsolete, line = True, rest
        elif line.startswith("#|"):
            _check_previous(line[2:].strip(), number, fail)
            if entry.parts and entry.parts[-1].startswith("msgstr"):
                yield finish(number)
            continue
        elif line.startswith("#"):
            if entry.parts and entry.parts[-1].startswith("msgstr"):
                yield finish(number)
            elif entry.parts:
                raise fail(number, f"comment inside an entry (after {entry.parts[-1]})")
            continue

        if line.startswith('"'):
            if last is None:
                raise fail(number, "string continuation outside msgctxt, msgid or msgstr")
            if obsolete != bool(entry.obsolete):
                raise fail(number, "obsolete (#~) and active lines mixed in one entry")
            value = _string(line, number, fail)
            entry.last_line = number
            if last == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + value
            elif last == "msgid":
                entry.msgid = (entry.msgid or "") + value
            continue

        match = _KEYWORD.match(line)
        if match is None:
            word = line.split(None, 1)[0]
            raise fail(
                number, f"unexpected {word[:40]!r} (expected msgctxt, msgid, msgstr, a quoted string or #)"
            )
        keyword, plural_index, rest = match.group(1), match.group(2), match.group(3)
        value = _string(rest, number, fail)
        kind = "msgstr[]" if plural_index is not None else keyword
        previous = entry.parts[-1] if entry.parts else None
        if kind in ("msgctxt", "msgid") and previous is not None and previous.startswith("msgstr"):
            yield finish(number)
            previous = None
        allowed = {
            "msgctxt": (None,),
            "msgid": (None, "msgctxt"),
            "msgid_plural": ("msgid",),
            "msgstr": ("msgid",),
            "msgstr[]": ("msgid_plural", "msgstr[]"),
        }[kind]
        if previous not in allowed:
            if kind in ("msgctxt", "msgid") and previous in ("msgid", "msgid_plural"):
                raise fail(entry.msgid_line, "msgid without msgstr")
            if kind.startswith("msgstr") and (previous is None or previous.startswith("msgstr")):
                raise fail(number, "msgstr without msgid")
            if kind == "msgstr" and previous in ("msgid_plural", "msgstr[]"):
                raise fail(number, "plural entry needs msgstr[0], msgstr[1], …")
            if kind == "msgstr[]" and previous == "msgid":
                raise fail(number, "msgstr[N] without msgid_plural")
            expected = {"msgctxt": "msgid", "msgid": "msgstr", "msgid_plural": "msgstr"}.get(
                previous or "", ""
            )
            raise fail(number, f"{keyword} where {expected or 'a new entry'} was expected")
        if not entry.parts:
            entry.first_line = entry.first_line or number
            entry.obsolete = obsolete
        elif obsolete != entry.obsolete:
            raise fail(number, "obsolete (#~) and active lines mixed in one entry")
        if kind == "msgctxt":
            entry.msgctxt = value
        elif kind == "msgid":
            entry.msgid, entry.msgid_line = value, number
        entry.parts.append(kind)
        entry.last_line = number
        last = kind
    end = finish(0)
    if end:
        yield end


def _digest(msgctxt: str | None, msgid: str) -> bytes:
    key = "\x04".join(("" if msgctxt is None else "\x01" + msgctxt, msgid))  # \x01: None is not ""
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def read_catalog_batches(
    path: str | os.PathLike[str], batch_size: int = CATALOG_BATCH
) -> Iterator[polib.POFile]:
    """Read a PO file as :func:`load_catalog` does, as a stream: catalogs of at most ``batch_size``
    entries each, in file order, every one carrying the file's header metadata.

    The same checks apply (an error is raised when the reader reaches it, so a caller that must
    refuse before acting reads to the end first); memory holds one batch, not the file.
    """
    buffer: list[str] = []  # lines read and not yet parsed; buffer[0] is line ``first``
    first = 1
    header: polib.POFile | None = None

    def reading() -> Iterator[str]:
        for line in read_lines(path):
            buffer.append(line)
            yield line

    def parse(count: int) -> polib.POFile:
        nonlocal first, header
        catalog = _parse_lines(buffer[:count], first, path)
        if header is None:
            _check_header(catalog, "\n".join(buffer[:count]), path)
            header = catalog
        else:
            catalog.metadata = header.metadata
        del buffer[:count]
        first += count
        return catalog

    entries = 0
    for end in _entry_ends(reading(), path):
        entries += 1
        if entries == batch_size:
            yield parse(end - first + 1)
            entries = 0
    if entries or header is None:
        yield parse(len(buffer))


def _parse_lines(lines: list[str], first: int, name: str | os.PathLike[str]) -> polib.POFile:
    """polib's reading of lines already checked by :func:`_entry_ends`; ``first`` is the first's number."""
    # polib's parser, as polib.pofile() runs it; its transition table holds bound methods of the
    # parser itself, a reference cycle that would keep every batch's lines and entries alive until
    # the next full garbage collection (memory growing with the file). Clearing it frees them now.
    parser = polib._POFileParser("\n".join(lines) + "\n", encoding="utf-8", check_for_duplicates=False)
    try:
        catalog = parser.parse()
    except (OSError, ValueError) as exc:  # pragma: no cover - the line check refuses first
        match = re.search(r"\(line (\d+)\)", str(exc))
        line = int(match.group(1)) + first - 1 if match else first
        raise InputError(f"{name}:{line}: malformed PO: {one_line(str(exc))}") from None
    finally:
        parser.transitions.clear()
    catalog.wrapwidth = 0
    for entry in catalog:  # lines of the file, not of the batch
        entry.linenum = (entry.linenum or 1) + first - 1
    return catalog


def _lines(text: str) -> Iterator[str]:
    # polib splits with str.splitlines, so line numbers must count the same way.
    return iter(text.splitlines())


def _string(token: str, number: int, fail: _Fail) -> str:
    """The value of one quoted PO string (the whole token must be the string)."""
    if not token.startswith('"'):
        raise fail(number, "expected a quoted string")
    chars: list[str] = []
    i = 1
    while i < len(token):
        char = token[i]
        if char == "\\":
            escape = token[i + 1 : i + 2]
            if escape not in _VALID_ESCAPES or not escape:
                raise fail(number, f"unsupported escape sequence \\{escape} in string")
            chars.append(polib.unescape("\\" + escape))
            i += 2
            continue
        if char == '"':
            if token[i + 1 :].strip():
                raise fail(number, 'text after the closing quote (an unescaped " inside the string?)')
            return "".join(chars)
        chars.append(char)
        i += 1
    raise fail(number, 'unterminated string (missing closing ")')


def _check_previous(rest: str, number: int, fail: _Fail) -> None:
    if rest.startswith('"'):
        _string(rest, number, fail)
        return
    match = _KEYWORD.match(rest)
    if match is None or match.group(1) not in ("msgctxt", "msgid", "msgid_plural"):
        raise fail(number, "#| line must hold msgctxt, msgid, msgid_plural or a quoted string")
    _string(match.group(3), number, fail)


def _check_header(catalog: polib.POFile, text: str, name: str | os.PathLike[str]) -> None:
    language = catalog.metadata.get("Language")
    line = _header_line(text, "Language")
    if language is None:
        raise InputError(
            f"{name}:{_header_line(text, None)}: the header has no Language field; "
            "songngu imports English catalogs (Language: en)"
        )
    if not english_language(language):
        raise InputError(
            f"{name}:{line}: header says Language: {one_line(language) or '(empty)'}; "
            "songngu catalogs are English (en, en_US, en-GB, …)"
        )
    content_type = catalog.metadata.get("Content-Type", "")
    charset = re.search(r"charset=([^\s;]+)", content_type)
    if charset and charset.group(1).upper().replace("-", "") not in ("UTF8", "CHARSET"):
        raise InputError(
            f"{name}:{_header_line(text, 'Content-Type')}: header declares charset={charset.group(1)}; "
            "songngu reads PO files as UTF-8 (convert with: msgconv --to-code=UTF-8)"
        )


def _header_line(text: str, field_name: str | None) -> int:
    """Line number of a header field (or of the header's msgstr), 1 if not found."""
    pattern = (
        re.compile(r'\s*"' + re.escape(field_name) + r"\s*:") if field_name else re.compile(r'\s*msgid\s+""')
    )
    for number, line in enumerate(_lines(text), start=1):
        if pattern.match(line):
            return number
    return 1
