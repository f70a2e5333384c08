"""What the checks look at: one segment's source and target, its glossary terms, who wrote it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from songngu.glossary.model import TermMatch


@dataclass(frozen=True)
class QaTerm:
    """A glossary term found in the source, and how the translation must render it.

    ``start``/``end`` index the source; ``vi`` is the matched text. ``accepted`` are the renderings
    that satisfy it, preferred first (the entry's English term and variants, "term (ACR)" or the
    acronym, as the decoder's constraint has them); ``forbidden`` are renderings the desk refuses;
    ``acronym`` is the entry's English acronym, which must not be doubled.
    """

    start: int
    end: int
    vi: str
    accepted: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    acronym: str = ""


@dataclass(frozen=True)
class QaSegment:
    """One segment to check.

    ``reviewed`` says that a person wrote or confirmed the target (a confirmed PO entry, an
    approved XLIFF unit, a TMX unit), not the machine; ``origin`` and ``line`` say where it was read
    (file, and the line there, 0 when unknown), for messages and reports.
    """

    id: str
    source: str
    target: str
    terms: tuple[QaTerm, ...] = ()
    reviewed: bool = False
    origin: str = ""
    line: int = 0


def qa_terms(matches: Sequence[TermMatch]) -> tuple[QaTerm, ...]:
    """The terms the checks look for, from the glossary matches of a source sentence: each match's
    renderings as the decoder's constraint has them, the entry's forbidden renderings and acronym."""
    return tuple(
        QaTerm(
            start=match.start,
            end=match.end,
            vi=match.text,
            accepted=match.targets,
            forbidden=match.entry.en_forbidden,
            acronym=match.entry.acronym,
        )
        for match in matches
    )
