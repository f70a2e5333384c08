"""The segments ``songngu qa`` checks: the reviewed units of any file, as the checks see them.

Every file is read through the one reader of reviewed units (:func:`songngu.translate.formats.read_units`:
JSONL records or beads, PO, XLIFF, TMX, TSV, Moses ``.vi``/``.en``), so this module knows no format.
A unit becomes a :class:`QaSegment`:

- its target is checked as the file holds it: a confirmed entry a reviewer edited is checked on the
  reviewer's text; obsolete units are left out (their sentence is no longer in the article);
- ``reviewed``: a person wrote or confirmed the target, as far as the file can say: a confirmed unit
  of a file that records review or holds reviewed work (PO, XLIFF, TMX), or a record whose target
  the memory supplied (JSONL); records and bitexts are otherwise the machine's;
- the id is the unit's segment id, else its ``#:`` reference, else its source;
- terms: those the unit records (``glossary:`` notes, JSONL terms), each with every rendering that
  counts as it, placed where it occurs in the source. With a glossary (``matcher``) a unit that records
  none is matched, and the recorded ones take the glossary's forbidden renderings and acronym.

The findings songngu wrote at translate time (``qa:`` notes) are not read back: the checks run afresh
on the text the file holds now, which may be a reviewer's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from songngu.errors import InputError
from songngu.glossary.matcher import GlossaryMatcher
from songngu.translate.formats import FORMATS, find_reader
from songngu.translate.formats.base import UnitReader
from songngu.translate.qa.segment import QaSegment, QaTerm, qa_terms
from songngu.translate.reviewed import BaselineSource, ReviewedUnit, UnitState, UnitTerm


def read_segments(
    path: str | os.PathLike[str], matcher: GlossaryMatcher | None = None
) -> Iterator[QaSegment]:
    """The segments of one file, in file order (InputError ``FILE:LINE: …`` for a file that does not
    read, or one no reader takes)."""
    reader = find_reader(path)
    if reader is None:
        known = ", ".join(s for fmt in FORMATS if isinstance(fmt, UnitReader) for s in fmt.suffixes)
        raise InputError(f"{path}: not a file songngu qa reads (known suffixes: {known})")
    for unit in reader.units(path):
        if unit.state is UnitState.OBSOLETE:
            continue
        yield segment_of(unit, reader, matcher)


def segment_of(unit: ReviewedUnit, reader: UnitReader, matcher: GlossaryMatcher | None = None) -> QaSegment:
    """The segment the checks see for ``unit``, read by ``reader`` (see the module docstring)."""
    if reader.records_review or reader.reviewed_work:
        reviewed = unit.confirmed
    else:
        reviewed = unit.baseline is not None and unit.baseline.source is BaselineSource.MEMORY
    recorded = _placed(unit.source, unit.terms)
    if matcher is not None:
        found = qa_terms(matcher.find(unit.source))
        terms = _with_glossary(recorded, found) if recorded else found
    else:
        terms = recorded
    return QaSegment(
        unit.id or unit.reference or unit.source,
        unit.source,
        unit.target,
        terms,
        reviewed,
        unit.origin.file,
        unit.origin.line,
    )


def _placed(source: str, terms: Sequence[UnitTerm]) -> tuple[QaTerm, ...]:
    """The recorded terms, each at its occurrence in the source (a term recorded twice at its first
    two occurrences; (0, 0) where the source does not hold it)."""
    placed = []
    after: dict[str, int] = {}
    for term in terms:
        start = source.find(term.vi, after.get(term.vi, 0))
        if start < 0:
            start = source.find(term.vi)
        span = (start, start + len(term.vi)) if start >= 0 else (0, 0)
        after[term.vi] = span[1]
        placed.append(QaTerm(span[0], span[1], term.vi, term.accepted or (term.en,)))
    return tuple(placed)


def _with_glossary(recorded: tuple[QaTerm, ...], found: tuple[QaTerm, ...]) -> tuple[QaTerm, ...]:
    """The recorded terms, each with what the glossary's match at the same place adds: further
    accepted renderings, the forbidden ones, the acronym."""
    by_place = {(term.start, term.end): term for term in found}
    terms = []
    for term in recorded:
        match = by_place.get((term.start, term.end))
        if match is None:
            terms.append(term)
            continue
        accepted = tuple(dict.fromkeys((*term.accepted, *match.accepted)))
        terms.append(QaTerm(term.start, term.end, term.vi, accepted, match.forbidden, match.acronym))
    return tuple(terms)
