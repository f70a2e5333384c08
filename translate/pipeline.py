"""From an article to translation records: segment, find terms, reuse memory, translate the rest.

This is the only module that knows the whole data flow; each step lives in its own module.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from songngu import __version__
from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import Glossary, TermMatch
from songngu.textfile import read_text
from songngu.translate.constraints import TermConstraint
from songngu.translate.engine import Translation, TranslationRequest, Translator
from songngu.translate.memory import MemoryUnit, TranslationMemory
from songngu.translate.phrase import contains_phrase
from songngu.translate.pieces import split_sentence
from songngu.translate.records import (
    ArticleTranslation,
    Method,
    RunInfo,
    Segment,
    SegmentResult,
    TermOutcome,
    new_run_id,
)
from songngu.translate.segment import article_name, segment_article


@dataclass(frozen=True)
class DecodingSettings:
    """How the model searches. ``with_unconstrained`` also decodes each constrained sentence without
    its terms, so reviewers see what the glossary changed (about twice the work for those sentences)."""

    beam: int = 4
    max_length: int = 256
    batch_size: int = 16
    with_unconstrained: bool = False


@dataclass(frozen=True)
class SentenceTerms:
    """A sentence's glossary matches turned into what the decoder needs.

    ``constraint_of[i]`` is the index in ``constraints`` that match ``i`` depends on: two mentions
    of the same term with the same renderings share one constraint, since containing the term once
    satisfies both.
    """

    matches: tuple[TermMatch, ...]
    constraints: tuple[TermConstraint, ...]
    constraint_of: tuple[int, ...]
    forbidden: tuple[str, ...]


def sentence_terms(matches: Sequence[TermMatch]) -> SentenceTerms:
    """Positive (disjunctive) and negative constraints for one sentence's matches."""
    constraints: list[TermConstraint] = []
    index_of: dict[tuple[str, ...], int] = {}
    constraint_of: list[int] = []
    forbidden: list[str] = []
    for match in matches:
        targets = match.targets
        if targets not in index_of:
            index_of[targets] = len(constraints)
            constraints.append(TermConstraint(alternatives=targets))
        constraint_of.append(index_of[targets])
        forbidden.extend(f for f in match.entry.en_forbidden if f not in forbidden)
    return SentenceTerms(tuple(matches), tuple(constraints), tuple(constraint_of), tuple(forbidden))


def translate_segments(
    segments: Sequence[Segment],
    *,
    translator: Translator,
    matcher: GlossaryMatcher | None,
    memory: TranslationMemory | None = None,
    settings: DecodingSettings = DecodingSettings(),
    progress: bool = False,
) -> list[SegmentResult]:
    """Translate segments in order. Exact memory matches are reused; only the rest reach the model.

    A sentence longer than the model reads is split into pieces at clause boundaries, never inside a
    glossary term (:mod:`translate.pieces`); each piece is translated with the terms inside it (and
    the sentence's forbidden renderings), and the translations are joined with a space.
    """
    terms = [sentence_terms(matcher.find(s.source) if matcher else ()) for s in segments]
    results: list[SegmentResult | None] = [None] * len(segments)
    jobs: list[_PieceJob] = []
    for i, segment in enumerate(segments):
        human = memory.find(segment.source) if memory else None
        if human is not None:
            results[i] = _memory_result(segment, terms[i], human)
        else:
            jobs.extend(_piece_jobs(i, segment, terms[i], translator))

    translations = translator.translate(
        [job.request for job in jobs],
        beam=settings.beam,
        max_length=settings.max_length,
        batch_size=settings.batch_size,
        with_unconstrained=settings.with_unconstrained,
        progress=progress,
    )
    by_segment: dict[int, list[tuple[_PieceJob, Translation]]] = {}
    for job, translation in zip(jobs, translations, strict=True):
        by_segment.setdefault(job.segment, []).append((job, translation))
    for i, done in by_segment.items():
        segment, sentence = segments[i], terms[i]
        met = {id(match): translation.met[c] for job, translation in done for match, c in job.matches}
        outcomes = [_outcome(match, met[id(match)]) for match in sentence.matches]
        suggestion = memory.suggest(segment.source) if memory else None
        text = _join(translation.text for _, translation in done)
        violated = any(translation.violated for _, translation in done)
        unconstrained = None
        if any(translation.unconstrained is not None for _, translation in done):
            unconstrained = _join(t.unconstrained if t.unconstrained is not None else t.text for _, t in done)
        results[i] = SegmentResult(
            id=segment.id,
            source=segment.source,
            target=text,
            paragraph=segment.paragraph,
            line=segment.line,
            terms=outcomes,
            method=Method.CONSTRAINED if sentence.constraints and not violated else Method.UNCONSTRAINED,
            score=_mean(translation.score for _, translation in done),
            violated=violated,
            unconstrained=unconstrained if unconstrained != text else None,
            suggestion=suggestion.target if suggestion else None,
            suggestion_similarity=round(suggestion.similarity, 4) if suggestion else None,
            pieces=len(done),
            truncated=any(job.truncated for job, _ in done),
        )
    return [r for r in results if r is not None]


@dataclass(frozen=True)
class _PieceJob:
    """One piece of a sentence to translate; ``matches`` pairs each of the sentence's term matches
    inside it with the index of its constraint in ``request``."""

    segment: int
    request: TranslationRequest
    matches: tuple[tuple[TermMatch, int], ...]
    truncated: bool


def _piece_jobs(
    index: int, segment: Segment, sentence: SentenceTerms, translator: Translator
) -> list[_PieceJob]:
    """The sentence as one request, or one per piece when it is too long for the model."""
    spans = [(match.start, match.end) for match in sentence.matches]
    jobs = []
    for piece in split_sentence(segment.source, translator.fits_source, spans):
        inside = [m for m in sentence.matches if piece.start <= m.start and m.end <= piece.end]
        own = sentence_terms(inside)
        request = TranslationRequest(
            segment.source[piece.start : piece.end], own.constraints, sentence.forbidden
        )
        jobs.append(
            _PieceJob(index, request, tuple(zip(inside, own.constraint_of, strict=True)), piece.truncated)
        )
    return jobs


def _join(texts: Iterable[str]) -> str:
    return " ".join(text.strip() for text in texts if text.strip())


def _mean(scores: Iterable[float]) -> float:
    values = list(scores)
    return sum(values) / len(values)


def translate_article(
    path: str | os.PathLike[str],
    *,
    text: str | None = None,
    translator: Translator,
    glossary: Glossary | None,
    matcher: GlossaryMatcher | None,
    memory: TranslationMemory | None = None,
    settings: DecodingSettings = DecodingSettings(),
    progress: bool = False,
    run_id: str | None = None,
) -> ArticleTranslation:
    """Segment and translate one article file (``text``: its content, if already read). ``run_id``
    names the run in every output file (default: a new one; pass one id for all articles of a run)."""
    name = article_name(path)
    segments = segment_article(read_text(path) if text is None else text, name)
    results = translate_segments(
        segments, translator=translator, matcher=matcher, memory=memory, settings=settings, progress=progress
    )
    return ArticleTranslation(
        name=name,
        path=os.fspath(path),
        run=run_info(translator, glossary, settings, run_id or new_run_id()),
        results=results,
    )


def run_info(
    translator: Translator, glossary: Glossary | None, settings: DecodingSettings, run_id: str = ""
) -> RunInfo:
    """The metadata line of a run."""
    return RunInfo(
        tool_version=__version__,
        model=translator.model_id,
        model_revision=translator.revision,
        glossary=glossary.source if glossary else None,
        glossary_checksum=glossary.checksum() if glossary else None,
        beam=settings.beam,
        max_length=settings.max_length,
        batch_size=settings.batch_size,
        device=translator.device,
        run_id=run_id,
        precision=translator.precision.value,
    )


def _outcome(match: TermMatch, met: bool) -> TermOutcome:
    return TermOutcome(start=match.start, end=match.end, vi=match.text, en=match.target, met=met)


def _memory_result(segment: Segment, sentence: SentenceTerms, unit: MemoryUnit) -> SegmentResult:
    """A human translation reused as is; its terms are reported as found (as whole phrases, the rule
    the engine uses: "UN" is not met by "UNDP"), not enforced. The record says which kind of unit
    was reused (a reviewer's, or a sentence aligned from an archive)."""
    human = unit.target
    outcomes = [
        _outcome(match, any(contains_phrase(human, target) for target in match.targets))
        for match in sentence.matches
    ]
    source = f"{unit.origin} {unit.segment_id}".strip()
    if unit.score is not None:
        source += f", alignment score {unit.score:.2f}"
    return SegmentResult(
        id=segment.id,
        source=segment.source,
        target=human,
        paragraph=segment.paragraph,
        line=segment.line,
        terms=outcomes,
        method=Method.MEMORY,
        score=None,
        memory_kind=str(unit.kind),
        memory_source=source,
    )
