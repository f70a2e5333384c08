"""A document's sentences, with the same ids as an article's: ``<name>:<block>:<sentence>``.

Block structure decides paragraphs: block ``b`` (1-based, in document order) is paragraph ``b`` of
the segment ids, and its sentences are split by the same segmenter as a text article's paragraphs.
So the ids are stable across re-runs as long as the blocks are (editing the text of one paragraph
changes no other paragraph's ids). A segment's ``start``/``end`` index into
:func:`document_text`, the blocks' texts separated by blank lines; its ``line`` is the block's
source line (0 where the format has none: DOCX, ODT).
"""

from __future__ import annotations

from songngu.translate.documents.model import Document
from songngu.translate.records import Segment
from songngu.translate.segment import split_sentences

BLOCK_SEPARATOR = "\n\n"


def document_text(document: Document) -> str:
    """The plain text of the document's blocks, one paragraph each (blank lines between)."""
    return BLOCK_SEPARATOR.join(block.text for block in document.blocks)


def document_segments(document: Document, name: str) -> list[Segment]:
    """The sentences of every block, with their ids."""
    segments: list[Segment] = []
    offset = 0
    for number, block in enumerate(document.blocks, start=1):
        for sentence, (start, end) in enumerate(split_sentences(block.text), start=1):
            segments.append(
                Segment(
                    id=f"{name}:{number}:{sentence}",
                    source=block.text[start:end],
                    paragraph=number,
                    sentence=sentence,
                    start=offset + start,
                    end=offset + end,
                    line=block.line,
                )
            )
        offset += len(block.text) + len(BLOCK_SEPARATOR)
    return segments


def block_sentences(document: Document, segments: list[Segment]) -> list[list[Segment]]:
    """``segments`` (as :func:`document_segments` gives them) grouped by block, one list per block."""
    grouped: list[list[Segment]] = [[] for _ in document.blocks]
    for segment in segments:
        grouped[segment.paragraph - 1].append(segment)
    return grouped
