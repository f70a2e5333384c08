"""The data passed along the pipeline: segments in, translation records out.

Plain dataclasses; every file format is written from these and nothing else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from songngu.translate.qa.findings import Finding


@dataclass(frozen=True)
class Segment:
    """One sentence of an article.

    ``id`` is ``"<name>:<paragraph>:<sentence>"`` (1-based), stable across re-runs of the same
    article. ``start``/``end`` are offsets into the article text as read; ``source`` is that slice
    with soft line wraps turned into spaces. ``line`` is the line the sentence starts on (1-based, in
    the text as read: what an editor shows, and what PO ``#:`` references point to).
    """

    id: str
    source: str
    paragraph: int
    sentence: int
    start: int
    end: int
    line: int


class Method(StrEnum):
    """Where a target sentence came from."""

    CONSTRAINED = "constrained"  # the model, held to every glossary term of the sentence
    UNCONSTRAINED = "unconstrained"  # the model alone (no terms, or the terms could not be met)
    MEMORY = "memory"  # a human translation reused from the translation memory
    ALIGNED = "aligned"  # a human translation found by aligning the article with its English version


@dataclass(frozen=True)
class TermOutcome:
    """A glossary term required in a sentence and whether the translation has it.

    ``start``/``end`` are offsets into the source sentence; ``vi`` is the matched source text,
    ``en`` the required English rendering (preferred form); ``alternatives`` the other renderings
    that count as the term (:attr:`songngu.glossary.model.TermMatch.accepted` after the first).
    """

    start: int
    end: int
    vi: str
    en: str
    met: bool
    alternatives: tuple[str, ...] = ()


@dataclass
class SegmentResult:
    """The translation record of one segment."""

    id: str
    source: str
    target: str
    paragraph: int
    terms: list[TermOutcome] = field(default_factory=list)
    method: Method = Method.UNCONSTRAINED
    score: float | None = None  # model: length-normalised log-probability; aligned: confidence in [0, 1]
    violated: bool = False  # some term could not be met: target is the best unconstrained translation
    unconstrained: str | None = None  # the model's translation without constraints, when it differs
    suggestion: str | None = None  # a near match from the translation memory
    suggestion_similarity: float | None = None
    memory_kind: str | None = None  # method MEMORY: the reused unit's kind, "reviewed" or "aligned"
    memory_source: str | None = None  # method MEMORY: where the unit came from (file, segment id, score)
    alignment: str | None = None  # the bead's kind ("1-1", "2-1", ...) when method is ALIGNED
    uncertain: bool = False  # an aligned bead scoring below the confidence threshold: left fuzzy
    line: int = 0  # the source line the segment starts on (1-based); 0 when unknown
    pieces: int = 1  # translated in this many pieces, the sentence being too long for the model
    truncated: bool = False  # part of the sentence was too long even for a piece: cut, not translated
    qa: tuple[Finding, ...] = ()  # what the quality checks found in this target (translate/qa/)
    # Inline elements of a document (bold, a link...) whose place in this translation could not be
    # found: put around the best span, for the reviewer to check (their labels: "b", "a", "bold").
    unplaced: tuple[str, ...] = ()
    # A sentence of a document with inline codes: source and target with their tags, as the review
    # catalogs carry them (formats/markup.py); "" for a sentence without codes.
    source_markup: str = ""
    target_markup: str = ""

    @property
    def catalog_source(self) -> str:
        """The source as a review catalog holds it: with its codes' tags, if it has any."""
        return self.source_markup or self.source

    @property
    def catalog_target(self) -> str:
        """The target as a review catalog holds it: with its codes' tags, if it has any."""
        return self.target_markup or self.target


@dataclass
class RunInfo:
    """What produced a set of records: written as the first line of the JSONL file."""

    tool_version: str
    model: str
    model_revision: str  # hub commit hash, or "sha256:<hex>" of a local directory's files
    glossary: str | None
    glossary_checksum: str | None
    beam: int
    max_length: int
    batch_size: int
    device: str
    # One id per ``songngu translate`` run, in every file it writes (JSONL, PO header, TMX header,
    # XLIFF <file>), so a reviewer can tell the files of one run from stale ones.
    run_id: str = ""
    # fp32, int8, fp16 or bf16: what the model ran at (files written before the field existed: fp32)
    precision: str = "fp32"
    # Added for resuming (None in files written before): what the article's text was, and whether
    # each constrained sentence was also translated without its terms.
    source_checksum: str | None = None
    with_unconstrained: bool | None = None


def new_run_id(now: datetime | None = None) -> str:
    """A run id: the UTC start time and 8 random hex digits (``20261130T194500Z-3f2a9c1b``), sortable
    and unique in practice."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


@dataclass
class ArticleTranslation:
    """One translated article: its name (file name without its last suffix), path, and records.

    ``run`` is None for an article read back from a file that does not record its run (every format
    but JSONL).
    """

    name: str
    path: str
    run: RunInfo | None
    results: list[SegmentResult]
