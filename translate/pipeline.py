"""From an article to translation records: segment, find terms, reuse memory, translate the rest.

This is the only module that knows the whole data flow; each step lives in its own module.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from songngu import __version__
from songngu.filenames import printable, printable_path
from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import Glossary, TermMatch
from songngu.textfile import ARTICLE_LIMIT, read_text
from songngu.translate.constraints import TermConstraint
from songngu.translate.documents import is_document, read_document
from songngu.translate.documents.model import Document
from songngu.translate.documents.segments import document_segments, document_text
from songngu.translate.engine import Translation, TranslationRequest, Translator
from songngu.translate.memory import MemoryUnit, TranslationMemory
from songngu.translate.phrase import contains_phrase
from songngu.translate.pieces import split_sentence
from songngu.translate.qa.checker import QualityChecker
from songngu.translate.qa.segment import QaSegment, qa_terms
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


@dataclass(frozen=True)
class ArticleSource:
    """An article to translate: the file it came from (as records name it:
    :func:`songngu.filenames.printable_path`), its name (segment ids, output file names) and text,
    as read; for a document (HTML, DOCX, Markdown, ODT) also the document, whose blocks are its
    paragraphs and whose text is theirs, one paragraph each."""

    path: str
    name: str
    text: str
    document: Document | None = None

    @classmethod
    def read(cls, path: str | os.PathLike[str], text: str | None = None) -> ArticleSource:
        """The article in ``path`` (``text``: the content of a text article, if already read)."""
        if text is None and is_document(path):
            document = read_document(path)
            return cls(printable_path(path), article_name(path), document_text(document), document)
        if text is None:
            text = read_text(path, ARTICLE_LIMIT)
        return cls(printable_path(path), article_name(path), text)

    def segments(self) -> list[Segment]:
        """Its sentences, ids ``<name>:<paragraph or block>:<sentence>``."""
        if self.document is not None:
            return document_segments(self.document, self.name)
        return segment_article(self.text, self.name)

    @property
    def checksum(self) -> str:
        """What resuming compares: the checksum of the text, or of a document's bytes (a changed link
        or style changes the English document even where the text is the same)."""
        if self.document is not None:
            return "sha256:" + hashlib.sha256(self.document.data).hexdigest()
        return source_checksum(self.text)


class ModelIdentity(Protocol):
    """What the run metadata says about the model: its name, revision and the device it ran on."""

    @property
    def model_id(self) -> str: ...
    @property
    def revision(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def precision(self) -> str: ...


@dataclass(frozen=True)
class ModelRef:
    """A model named and located but not loaded: what a run about to start will record."""

    model_id: str
    revision: str
    device: str = ""
    precision: str = ""


class Engine(ModelIdentity, Protocol):
    """What translates the requests of a run: a local :class:`Translator` through
    :class:`LocalEngine`, or a pool of them on a Ray cluster (:mod:`translate.ray_engine`).

    Requests come in windows (the pending sentences of a few articles); the translations of each
    window are yielded in the window's order, windows in order. ``on_progress(share)`` reports the
    share of the current window's work done so far (0 to 1).
    """

    def translate_windows(
        self,
        windows: Iterable[Sequence[TranslationRequest]],
        settings: DecodingSettings,
        on_progress: Callable[[float], None] | None = None,
    ) -> Iterator[list[Translation]]: ...

    def close(self) -> None:
        """Let go of what the engine holds (a cluster connection); the model goes with the object."""

    def fits_source(self, text: str) -> bool:
        """Whether the model reads ``text`` whole (longer sentences are split into pieces)."""


class LocalEngine:
    """A :class:`Translator` in this process: each window is one call, sorted by length inside it."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator
        self.model_id = translator.model_id
        self.revision = translator.revision
        self.device = translator.device
        self.precision = translator.precision.value

    def close(self) -> None:
        """Nothing to let go of: the model is freed with the object."""

    def fits_source(self, text: str) -> bool:
        """Whether the model reads ``text`` whole."""
        return self.translator.fits_source(text)

    def translate_windows(
        self,
        windows: Iterable[Sequence[TranslationRequest]],
        settings: DecodingSettings,
        on_progress: Callable[[float], None] | None = None,
    ) -> Iterator[list[Translation]]:
        """Translate each window with one :meth:`Translator.translate` call."""
        for window in windows:

            def searched(done: int, planned: int) -> None:
                if on_progress is not None:
                    on_progress(done / planned)

            yield self.translator.translate(
                window,
                beam=settings.beam,
                max_length=settings.max_length,
                batch_size=settings.batch_size,
                with_unconstrained=settings.with_unconstrained,
                on_progress=searched,
            )


@dataclass(frozen=True)
class PreparedArticle:
    """An article segmented, its terms found, its memory matches looked up and its sentences cut into
    the pieces the model reads: all but the model. :meth:`requests` is what the model translates;
    :func:`finish_article` turns their translations into the article's records."""

    source: ArticleSource
    segments: tuple[Segment, ...]
    terms: tuple[SentenceTerms, ...]
    human: tuple[MemoryUnit | None, ...]  # an exact human translation from the memory, per segment
    jobs: tuple[_PieceJob, ...]  # what the model translates, in segment order

    def requests(self) -> list[TranslationRequest]:
        """What the model translates for this article, in segment order."""
        return [job.request for job in self.jobs]


def prepare_article(
    source: ArticleSource,
    matcher: GlossaryMatcher | None,
    memory: TranslationMemory | None,
    fits: Callable[[str], bool],
    segments: Sequence[Segment] | None = None,
) -> PreparedArticle:
    """Everything but the model for one article: segment it (unless ``segments`` are given), find its
    terms, look up exact human translations in ``memory``, and cut sentences that ``fits`` says the
    model cannot read whole into pieces. ``songngu translate`` and ``songngu serve`` both start here."""
    if segments is None:
        segments = source.segments()
    terms = tuple(sentence_terms(matcher.find(s.source) if matcher else ()) for s in segments)
    human = tuple(memory.find(s.source) if memory else None for s in segments)
    jobs = tuple(
        job
        for i, segment in enumerate(segments)
        if human[i] is None
        for job in _piece_jobs(i, segment, terms[i], fits)
    )
    return PreparedArticle(source, tuple(segments), terms, human, jobs)


def finish_article(
    prepared: PreparedArticle,
    translations: Sequence[Translation],
    memory: TranslationMemory | None,
    checker: QualityChecker | None = None,
    *,
    suggest: bool = True,
) -> list[SegmentResult]:
    """The records of a prepared article (one per segment, in order), given the translations of its
    :meth:`~PreparedArticle.requests`. With a ``checker``, each record carries what the quality
    checks found in its target. ``suggest`` looks up a near match in the memory for each
    machine-translated sentence, for reviewers (the server, whose answers carry no suggestions,
    skips it: it never changes a translation)."""
    segments, terms = prepared.segments, prepared.terms
    results: list[SegmentResult | None] = [
        None if unit is None else _memory_result(segment, sentence, unit)
        for segment, sentence, unit in zip(segments, terms, prepared.human, strict=True)
    ]
    by_segment: dict[int, list[tuple[_PieceJob, Translation]]] = {}
    for job, translation in zip(prepared.jobs, translations, strict=True):
        by_segment.setdefault(job.segment, []).append((job, translation))
    for i, done in by_segment.items():
        segment, sentence = segments[i], terms[i]
        met = {id(match): translation.met[c] for job, translation in done for match, c in job.matches}
        outcomes = [_outcome(match, met[id(match)]) for match in sentence.matches]
        suggestion = memory.suggest(segment.source) if memory and suggest else None
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
    records = [(r, sentence) for r, sentence in zip(results, terms, strict=True) if r is not None]
    if checker is None:
        return [result for result, _ in records]
    return [_checked(result, sentence, checker) for result, sentence in records]


def _checked(result: SegmentResult, sentence: SentenceTerms, checker: QualityChecker) -> SegmentResult:
    """``result`` with the findings of the quality checks in its target (a reused human translation
    counts as a reviewer's)."""
    segment = QaSegment(
        result.id,
        result.source,
        result.target,
        qa_terms(sentence.matches),
        reviewed=result.method is Method.MEMORY,
        line=result.line,
    )
    return replace(result, qa=checker.check(segment))


def translate_articles(
    sources: Iterable[ArticleSource],
    *,
    engine: Engine,
    glossary: Glossary | None,
    matcher: GlossaryMatcher | None,
    memory: TranslationMemory | None = None,
    settings: DecodingSettings = DecodingSettings(),
    window: int = 1024,
    on_progress: Callable[[int, float], None] | None = None,
    run_id: str | None = None,
    checker: QualityChecker | None = None,
) -> Iterator[ArticleTranslation]:
    """Translate many articles, yielding each one's records in input order as soon as it is done.

    The pending sentences of consecutive articles are gathered into windows of at least ``window``
    sentences (whole articles), and the engine sorts each window by length across its articles: many
    short articles fill batches as one long article does. The result of each article is what
    :func:`translate_article` gives it alone (translation does not depend on the batch: tested).
    ``on_progress(articles, sentences)`` reports the articles finished and their sentences, plus an
    estimate of the sentences done in the window under way. ``run_id`` names the run in every
    article's files (default: a new one). With a ``checker``, every record carries the findings of
    the quality checks in its target (:mod:`songngu.translate.qa`).
    """
    run = run_id or new_run_id()
    pending_windows: deque[list[PreparedArticle]] = deque()
    finished_articles = 0
    finished_sentences = 0

    def windows() -> Iterator[list[TranslationRequest]]:
        group: list[PreparedArticle] = []
        size = 0
        for source in sources:
            prepared = prepare_article(source, matcher, memory, engine.fits_source)
            group.append(prepared)
            size += len(prepared.jobs)
            if size >= window:
                pending_windows.append(group)
                yield [request for p in group for request in p.requests()]
                group, size = [], 0
        if group:
            pending_windows.append(group)
            yield [request for p in group for request in p.requests()]

    def window_progress(share: float) -> None:
        if on_progress is not None and pending_windows:
            under_way = sum(len(p.segments) for p in pending_windows[0])
            on_progress(finished_articles, finished_sentences + share * under_way)

    for translations in engine.translate_windows(windows(), settings, window_progress):
        group = pending_windows.popleft()
        offset = 0
        for prepared in group:
            count = len(prepared.jobs)
            results = finish_article(prepared, translations[offset : offset + count], memory, checker)
            offset += count
            finished_articles += 1
            finished_sentences += len(prepared.segments)
            if on_progress is not None:
                on_progress(finished_articles, finished_sentences)
            yield ArticleTranslation(
                name=prepared.source.name,
                path=prepared.source.path,
                run=run_info(engine, glossary, settings, prepared.source.checksum, run),
                results=results,
            )


def translate_segments(
    segments: Sequence[Segment],
    *,
    translator: Translator,
    matcher: GlossaryMatcher | None,
    memory: TranslationMemory | None = None,
    settings: DecodingSettings = DecodingSettings(),
    progress: bool = False,
    checker: QualityChecker | None = None,
) -> list[SegmentResult]:
    """Translate segments in order. Exact memory matches are reused; only the rest reach the model.

    A sentence longer than the model reads is split into pieces at clause boundaries, never inside a
    glossary term (:mod:`translate.pieces`); each piece is translated with the terms inside it (and
    the sentence's forbidden renderings), and the translations are joined with a space.
    """
    prepared = prepare_article(ArticleSource("", "", ""), matcher, memory, translator.fits_source, segments)
    translations = translator.translate(
        prepared.requests(),
        beam=settings.beam,
        max_length=settings.max_length,
        batch_size=settings.batch_size,
        with_unconstrained=settings.with_unconstrained,
        progress=progress,
    )
    return finish_article(prepared, translations, memory, checker)


@dataclass(frozen=True)
class _PieceJob:
    """One piece of a sentence to translate; ``matches`` pairs each of the sentence's term matches
    inside it with the index of its constraint in ``request``."""

    segment: int
    request: TranslationRequest
    matches: tuple[tuple[TermMatch, int], ...]
    truncated: bool


def _piece_jobs(
    index: int, segment: Segment, sentence: SentenceTerms, fits: Callable[[str], bool]
) -> list[_PieceJob]:
    """The sentence as one request, or one per piece when it is too long for the model."""
    spans = [(match.start, match.end) for match in sentence.matches]
    jobs = []
    for piece in split_sentence(segment.source, fits, spans):
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
    run_id: str | None = None,
    checker: QualityChecker | None = None,
) -> ArticleTranslation:
    """Segment and translate one article file (``text``: its content, if already read). ``run_id``
    names the run in every output file (default: a new one; pass one id for all articles of a run);
    ``checker`` runs the quality checks on every sentence."""
    (article,) = translate_articles(
        [ArticleSource.read(path, text)],
        engine=LocalEngine(translator),
        glossary=glossary,
        matcher=matcher,
        memory=memory,
        settings=settings,
        run_id=run_id,
        checker=checker,
    )
    return article


def source_checksum(text: str) -> str:
    """``sha256:<hex>`` of an article's text as read (UTF-8, BOM dropped): recorded to resume runs."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_info(
    engine: ModelIdentity,
    glossary: Glossary | None,
    settings: DecodingSettings,
    source_checksum: str | None = None,
    run_id: str = "",
) -> RunInfo:
    """The metadata line of an article's records."""
    return RunInfo(
        tool_version=__version__,
        model=printable(engine.model_id),
        model_revision=engine.revision,
        glossary=printable(glossary.source) if glossary else None,
        glossary_checksum=glossary.checksum() if glossary else None,
        beam=settings.beam,
        max_length=settings.max_length,
        batch_size=settings.batch_size,
        device=engine.device,
        run_id=run_id,
        precision=engine.precision,
        source_checksum=source_checksum,
        with_unconstrained=settings.with_unconstrained,
    )


def _outcome(match: TermMatch, met: bool) -> TermOutcome:
    return TermOutcome(
        start=match.start,
        end=match.end,
        vi=match.text,
        en=match.target,
        met=met,
        alternatives=match.accepted[1:],
    )


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
