"""The segments ``songngu qa`` checks, read from a translation record or a reviewed file.

``read_segments(path)`` is the one place that knows the file formats, so that moving to the
reviewed-unit readers (:mod:`songngu.translate.review`'s registry, once it exists) changes this
function only. By suffix:

- ``.jsonl`` (songngu's records): the target, and the terms the translator required (``en`` only);
  a sentence reused from the memory counts as a reviewer's;
- ``.po``/``.pot``: active entries, ``msgctxt`` as id (else the first ``#:`` reference); reviewed when
  confirmed (not fuzzy, msgstr not blank); terms from songngu's ``glossary:`` notes; read in
  batches, as ``review import`` does;
- ``.xlf``/``.xliff``: every unit outside songngu's obsolete group; reviewed when confirmed
  (approved, or a final, signed-off or translated state); terms from songngu's notes;
- ``.tmx``: every unit, reviewed (CAT tools export confirmed translations); ``tuid`` as id;
- ``.tsv`` (``id  vi  en``, as ``translate`` writes it).

With a glossary (``matcher``), each source is matched again and its terms come with all their accepted
and forbidden renderings; without one, the terms the file records are checked, in their preferred form.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import PurePath

from songngu.errors import InputError
from songngu.glossary.matcher import GlossaryMatcher
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.formats.notes import read_notes
from songngu.translate.formats.po_read import FUZZY, read_catalog_batches
from songngu.translate.formats.tmx import read_tmx
from songngu.translate.formats.tsv import TsvFormat
from songngu.translate.formats.xliff_read import SONGNGU, read_xliff
from songngu.translate.qa.segment import QaSegment, QaTerm, qa_terms
from songngu.translate.records import Method

SUFFIXES = (".jsonl", ".po", ".pot", ".xlf", ".xliff", ".tmx", ".tsv")


def read_segments(
    path: str | os.PathLike[str], matcher: GlossaryMatcher | None = None
) -> Iterator[QaSegment]:
    """The segments of one file, in file order (InputError ``FILE:LINE: …`` for a file that does not
    read, or an unknown suffix)."""
    suffix = PurePath(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{path}: not a file songngu qa reads (known suffixes: {', '.join(SUFFIXES)})")
    origin = os.fspath(path)
    for segment in _read(path, suffix, origin):
        if matcher is not None:
            terms = qa_terms(matcher.find(segment.source))
            segment = QaSegment(
                segment.id,
                segment.source,
                segment.target,
                terms,
                segment.reviewed,
                segment.origin,
                segment.line,
            )
        yield segment


def _read(path: str | os.PathLike[str], suffix: str, origin: str) -> Iterator[QaSegment]:
    if suffix == ".jsonl":
        article = JsonlFormat().read(path)
        first = 2 if article.run is not None else 1
        for number, result in enumerate(article.results, start=first):
            terms = tuple(QaTerm(t.start, t.end, t.vi, (t.en,)) for t in result.terms)
            reviewed = result.method is Method.MEMORY
            yield QaSegment(result.id, result.source, result.target, terms, reviewed, origin, number)
    elif suffix in (".po", ".pot"):
        for catalog in read_catalog_batches(path):
            for entry in catalog:
                if entry.obsolete or entry.msgid_plural or not entry.msgid:
                    continue
                reviewed = FUZZY not in entry.flags and bool(entry.msgstr.strip())
                terms = _noted_terms(
                    entry.msgid, [(t.vi, t.en) for t in read_notes(entry.comment or "").terms]
                )
                ident = entry.msgctxt or _reference(entry.occurrences) or entry.msgid
                yield QaSegment(ident, entry.msgid, entry.msgstr, terms, reviewed, origin, entry.linenum)
    elif suffix in (".xlf", ".xliff"):
        for unit in read_xliff(path).units:
            if unit.obsolete:
                continue
            notes = read_notes("\n".join(note.text for note in unit.notes if note.author == SONGNGU))
            terms = _noted_terms(unit.source, [(t.vi, t.en) for t in notes.terms])
            yield QaSegment(
                unit.segment_id, unit.source, unit.target, terms, unit.confirmed, origin, unit.line
            )
    elif suffix == ".tmx":
        for number, tmx_unit in enumerate(read_tmx(path), start=1):
            yield QaSegment(tmx_unit.tuid or f"#{number}", tmx_unit.source, tmx_unit.target, (), True, origin)
    else:
        for result in TsvFormat().read(path).results:
            yield QaSegment(result.id, result.source, result.target, (), False, origin)


def _noted_terms(source: str, noted: list[tuple[str, str]]) -> tuple[QaTerm, ...]:
    """Terms recorded in notes (``vi → en``), placed where they occur in the source."""
    terms = []
    for vi, en in noted:
        start = source.find(vi)
        span = (start, start + len(vi)) if start >= 0 else (0, 0)
        terms.append(QaTerm(span[0], span[1], vi, (en,)))
    return tuple(terms)


def _reference(occurrences: list[tuple[str, str]]) -> str:
    if not occurrences:
        return ""
    file_name, line = occurrences[0]
    return f"{file_name}:{line}" if line else file_name
