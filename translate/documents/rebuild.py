"""The English document: the source document with each block's text replaced by its translation.

From a document, its name and the records of its sentences (by segment id, as the pipeline or a
reviewed catalog gives them), each block's translation is the translations of its sentences joined
by a space, and its inline codes are placed by :func:`translate.documents.inline.place_codes`,
which is given each sentence's glossary terms as anchors. The format then writes the document with
everything but the translatable text as it was.

The codes whose place could not be found are reported per segment (``unplaced``), so the review
files can tell the reviewer which elements to check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from songngu.translate.documents.inline import SentenceTranslation, place_codes
from songngu.translate.documents.model import BlockTranslation, Document
from songngu.translate.documents.segments import BLOCK_SEPARATOR, block_sentences, document_segments
from songngu.translate.documents.tagged import SentenceMarkup, block_markup, reviewed_translation
from songngu.translate.documents.wordalign import TermSpan
from songngu.translate.records import SegmentResult

TermsOf = Callable[[SegmentResult], Sequence[TermSpan]]


# (segment id, source markup text) → a reviewer's target markup text, or None: what the review
# catalog gives a sentence (formats/markup.py; the markup is the plain text where it has no codes).
ReviewedLookup = Callable[[str, str], str | None]


@dataclass(frozen=True)
class EnglishDocument:
    """The rendered English document; per segment id, the labels of the inline elements put around
    the best span because their place could not be found (``unplaced``), the sentence's source and
    machine target with their tags for the review catalogs (``markup``, sentences with codes only),
    and what was wrong with a reviewer's tags (``problems``); the ids of the sentences whose
    translation came from the review catalog (``reviewed``)."""

    data: bytes
    translations: tuple[BlockTranslation, ...]
    unplaced: Mapping[str, tuple[str, ...]]
    markup: Mapping[str, SentenceMarkup] = field(default_factory=dict)
    problems: Mapping[str, str] = field(default_factory=dict)
    reviewed: tuple[str, ...] = ()


def recorded_terms(result: SegmentResult) -> list[TermSpan]:
    """A record's glossary terms as alignment anchors, with the rendering the record names."""
    return [TermSpan(term.start, term.end, (term.en,)) for term in result.terms]


def english_document(
    document: Document,
    name: str,
    results: Sequence[SegmentResult],
    terms: TermsOf = recorded_terms,
    reviewed: ReviewedLookup | None = None,
) -> EnglishDocument:
    """The English version of ``document`` from its sentences' records (``results``, matched by
    segment id; a sentence without a record keeps its Vietnamese text). ``terms`` gives a record's
    glossary terms with every rendering the translation may use (default: the one it records).
    ``reviewed`` gives the reviewers' translations with their tags, which replace the records' and
    keep the tags where the reviewer put them (:mod:`translate.documents.tagged`)."""
    by_id = {result.id: result for result in results}
    segments = document_segments(document, name)
    translations: list[BlockTranslation] = []
    unplaced: dict[str, tuple[str, ...]] = {}
    markups: dict[str, SentenceMarkup] = {}
    problems: dict[str, str] = {}
    taken: list[str] = []
    block_start = 0
    for block, sentences in zip(document.blocks, block_sentences(document, segments), strict=True):
        parts = []
        for segment in sentences:
            result = by_id.get(segment.id)
            parts.append(
                SentenceTranslation(
                    segment.start - block_start,
                    segment.end - block_start,
                    result.target if result is not None else segment.source,
                    tuple(terms(result)) if result is not None else (),
                )
            )
        translation = place_codes(block, parts)
        sentence_markups = block_markup(block, parts, translation)
        for segment, markup in zip(sentences, sentence_markups, strict=True):
            if markup.source:
                markups[segment.id] = markup
        if reviewed is not None:
            wanted = [
                reviewed(segment.id, markup.source or segment.source)
                for segment, markup in zip(sentences, sentence_markups, strict=True)
            ]
            taken.extend(s.id for s, want in zip(sentences, wanted, strict=True) if want is not None)
            if any(want is not None for want in wanted):
                translation, found = reviewed_translation(block, parts, wanted)
                problems.update({sentences[k].id: problem for k, problem in found.items()})
        translations.append(translation)
        codes = {code.id: code for code in block.codes}
        for placed in translation.codes:
            if placed.exact:
                continue
            code = codes[placed.id]
            owner = next((s for s in sentences if s.end - block_start > code.start), sentences[-1])
            unplaced[owner.id] = (*unplaced.get(owner.id, ()), code.label)
        block_start += len(block.text) + len(BLOCK_SEPARATOR)
    return EnglishDocument(
        document.render(translations), tuple(translations), unplaced, markups, problems, tuple(taken)
    )
