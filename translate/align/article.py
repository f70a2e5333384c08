"""Aligning one Vietnamese article with its English version: segment both, align, make records.

This is the one module that knows the alignment flow (segment → anchors → align → records); the
command line and the benchmark call it. Offsets in the records are Python string indices into each
file's text as read (BOM dropped), like every offset in songngu.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from songngu.filenames import printable_path
from songngu.glossary.matcher import GlossaryMatcher
from songngu.translate.align.aligner import DEFAULT_SETTINGS, AlignmentSettings, Bead, SentenceInfo, align
from songngu.translate.align.anchors import GlossaryAnchors, english_anchors, vietnamese_anchors
from songngu.translate.records import Segment
from songngu.translate.segment import article_name, segment_article

# Translates Vietnamese sentences to English (the MT-assisted score); given by the caller so that
# this module never imports the model stack.
TranslateBatch = Callable[[list[str]], list[str]]

# Beads whose score (posterior probability) is below this are "low confidence": fuzzy in the PO, kept
# out of the memory. On the NTREX-derived set 99.4% of the beads at or above it are exactly right.
DEFAULT_MIN_SCORE = 0.9


@dataclass(frozen=True)
class AlignedBead:
    """One bead of an aligned article, as written to ``<name>.jsonl``.

    ``id`` is the segment id of its first Vietnamese sentence (``<name>:<paragraph>:<sentence>``), or
    for an English sentence with no Vietnamese counterpart ``<name>:en:<paragraph>:<sentence>``.
    ``vi``/``en`` are the sentences of each side joined by a space ("" for an empty side), their
    offsets ``None`` then.
    """

    id: str
    vi: str
    en: str
    vi_start: int | None
    vi_end: int | None
    en_start: int | None
    en_end: int | None
    score: float
    kind: str
    paragraph: int  # of the Vietnamese side (of the English side when that is empty)
    line: int = 0  # the line of the Vietnamese file the bead starts on (1-based); 0: no Vietnamese side

    @property
    def bitext(self) -> bool:
        """Whether both sides hold text (a translation unit)."""
        return bool(self.vi) and bool(self.en)


@dataclass(frozen=True)
class AlignedArticle:
    """A Vietnamese file and its English version, aligned."""

    name: str
    vi_path: str
    en_path: str
    beads: tuple[AlignedBead, ...]
    min_score: float = DEFAULT_MIN_SCORE

    def confident(self) -> list[AlignedBead]:
        """The beads with text on both sides scoring at least ``min_score``."""
        return [bead for bead in self.beads if bead.bitext and bead.score >= self.min_score]


def sentence_infos(segments: Sequence[Segment], anchors: Sequence[Counter[str]]) -> list[SentenceInfo]:
    """The aligner's view of segmented sentences with their anchors."""
    infos = []
    for index, (segment, keys) in enumerate(zip(segments, anchors, strict=True)):
        opens = index == 0 or segments[index - 1].paragraph != segment.paragraph
        infos.append(SentenceInfo(len(segment.source), keys, segment.paragraph, opens))
    return infos


def align_segments(
    vi: Sequence[Segment],
    en: Sequence[Segment],
    *,
    matcher: GlossaryMatcher | None = None,
    translate: TranslateBatch | None = None,
    settings: AlignmentSettings = DEFAULT_SETTINGS,
) -> list[Bead]:
    """Align two segmented texts (anchors, glossary terms through ``matcher``, MT through ``translate``)."""
    vi_keys = [vietnamese_anchors(s.source) for s in vi]
    en_keys = [english_anchors(s.source) for s in en]
    if matcher is not None:
        terms = GlossaryAnchors(matcher)
        for keys, found in zip(vi_keys, terms.vietnamese([s.source for s in vi]), strict=True):
            keys.update(found)
        for keys, found in zip(en_keys, terms.english([s.source for s in en]), strict=True):
            keys.update(found)
    mt = None
    if translate is not None and vi and en:
        from songngu.translate.align.mt import MtScorer  # sacrebleu only when a model is used

        mt = MtScorer(translate([s.source for s in vi]), [s.source for s in en])
    return align(sentence_infos(vi, vi_keys), sentence_infos(en, en_keys), settings, mt)


def align_article(
    vi_path: str | os.PathLike[str],
    en_path: str | os.PathLike[str],
    vi_text: str,
    en_text: str,
    *,
    matcher: GlossaryMatcher | None = None,
    translate: TranslateBatch | None = None,
    settings: AlignmentSettings = DEFAULT_SETTINGS,
    min_score: float = DEFAULT_MIN_SCORE,
) -> AlignedArticle:
    """Align the texts of a Vietnamese file and its English version; the article is named after
    the Vietnamese file (its name without the last suffix)."""
    name = article_name(vi_path)
    vi = segment_article(vi_text, name, "vi")
    en = segment_article(en_text, name, "en")
    beads = align_segments(vi, en, matcher=matcher, translate=translate, settings=settings)
    records = tuple(_record(name, bead, vi, en) for bead in beads)
    return AlignedArticle(name, printable_path(vi_path), printable_path(en_path), records, min_score)


def _record(name: str, bead: Bead, vi: Sequence[Segment], en: Sequence[Segment]) -> AlignedBead:
    vi_side, en_side = vi[bead.vi_start : bead.vi_end], en[bead.en_start : bead.en_end]
    if vi_side:
        bead_id, paragraph = vi_side[0].id, vi_side[0].paragraph
    else:
        first = en_side[0]
        bead_id, paragraph = f"{name}:en:{first.paragraph}:{first.sentence}", first.paragraph
    return AlignedBead(
        id=bead_id,
        vi=" ".join(s.source for s in vi_side),
        en=" ".join(s.source for s in en_side),
        vi_start=vi_side[0].start if vi_side else None,
        vi_end=vi_side[-1].end if vi_side else None,
        en_start=en_side[0].start if en_side else None,
        en_end=en_side[-1].end if en_side else None,
        score=bead.score,
        kind=bead.kind,
        paragraph=paragraph,
        line=vi_side[0].line if vi_side else 0,
    )
