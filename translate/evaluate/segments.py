"""The per-segment view of an evaluation: each segment's sentence score and term verdicts, worst first.

Corpus scores say how good a system is; a reader fixing it needs the segments that pull it down.
Each segment gets:

- its **sentence chrF** (sacrebleu's ``CHRF().sentence_score``, the corpus chrF's own settings): chrF
  is the metric of the four that stays meaningful for one sentence (sentence BLEU is zero for most
  short sentences without smoothing, and TER is unbounded);
- its **terms**: each required glossary term, met or missed, with where the accepted rendering was
  found in the hypothesis (for highlighting) and where the term is in the source.

Worst first means the lowest sentence chrF first, then more missed terms first, then document order
(articles as given, segments as read), so the order is the same in every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sacrebleu.metrics import CHRF

from songngu.translate.evaluate.inputs import Pair
from songngu.translate.evaluate.terminology import SentenceTerms
from songngu.translate.phrase import phrase_spans

#: What the view's order and score column are, in words (the report says it).
SENTENCE_SCORE = "sentence chrF"


@dataclass(frozen=True)
class TermMark:
    """One required term of a segment: ``term`` names the concept (the glossary's English term),
    ``vi`` the source text it was found as; ``source_span`` is where that text is in the source (None
    when not found verbatim), ``target_span`` where the accepted rendering is in the hypothesis (None
    when missed)."""

    term: str
    vi: str
    met: bool
    source_span: tuple[int, int] | None
    target_span: tuple[int, int] | None


@dataclass(frozen=True)
class SegmentView:
    """One evaluated segment: where it is, its three texts, its sentence score and its terms."""

    article: str
    id: str | None
    position: int  # 1-based, within its article
    source: str | None
    hypothesis: str
    reference: str
    score: float  # sentence chrF, 0–100
    terms: tuple[TermMark, ...] = ()

    @property
    def missed(self) -> int:
        return sum(not mark.met for mark in self.terms)


def article_segments(
    article: str, pairs: Sequence[Pair], checks: Sequence[SentenceTerms] | None
) -> list[SegmentView]:
    """The views of one article's segments, in document order (``checks`` None: no terms known)."""
    chrf = CHRF()
    views = []
    for position, pair in enumerate(pairs, start=1):
        marks = () if checks is None else _marks(pair, checks[position - 1])
        score = float(chrf.sentence_score(pair.hypothesis, [pair.reference]).score)
        texts = (pair.source, pair.hypothesis, pair.reference)
        views.append(SegmentView(article, pair.id, position, *texts, score, marks))
    return views


def worst_first(segments: Sequence[SegmentView]) -> list[SegmentView]:
    """Lowest sentence chrF first, then more missed terms, then document order (a stable sort)."""
    return sorted(segments, key=lambda view: (view.score, -view.missed))


def _marks(pair: Pair, verdict: SentenceTerms) -> tuple[TermMark, ...]:
    marks = []
    for check in verdict.checks:
        source_span = None
        if pair.source:
            at = pair.source.find(check.term.vi)
            source_span = (at, at + len(check.term.vi)) if at >= 0 else None
        target_span = None
        if check.rendering is not None:
            spans = phrase_spans(pair.hypothesis, check.rendering, inflected=True)
            target_span = spans[0] if spans else None
        marks.append(TermMark(check.term.key, check.term.vi, check.met, source_span, target_span))
    return tuple(marks)
