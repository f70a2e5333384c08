"""The document model: a document is a sequence of blocks; a block is plain text with inline codes.

A **block** is what a reader sees as one paragraph: a paragraph, heading, list item or table cell,
a document title, or a translatable attribute (an image's ``alt``, an element's ``title``). Its
``text`` is plain text, with nothing of the markup in it, so the segmenter splits it into sentences
and the glossary matcher finds a term wherever the bold run or the link around part of it begins.

The markup inside a block is a tuple of **inline codes**, offsets into that text:

- a ``WRAP`` code is an element around part of the text (bold, italic, a link, a ``<span>``, a run
  of DOCX formatting, a bookmark's start and end), ``start < end``;
- a ``POINT`` code is an element with no text of its own (an image, a line break, a field, a
  footnote reference), ``start == end``;
- a ``protected`` WRAP is an element whose text is not translated (inline ``<code>``, an element
  marked ``translate="no"``): its text stays in the block so the sentence reads whole, and the
  English document gets the element back as it was.

Codes nest: ``parent`` is the id of the code a code lies inside (0: the block itself), and a
parent's span contains its children's. Ids are 1-based in the order the codes start.

>>> # <p>Bộ <b>Ngoại <i>giao</i></b> họp.</p>
>>> block = Block("Bộ Ngoại giao họp.", (
...     InlineCode(1, CodeKind.WRAP, 3, 13, label="b"),
...     InlineCode(2, CodeKind.WRAP, 10, 13, parent=1, label="i"),
... ))
>>> content_tree(block.text, block.codes, {1: (3, 13), 2: (10, 13)}).children[0]
'Bộ '

A translated block is a :class:`BlockTranslation`: the English text and each code's place in it
(:mod:`translate.documents.inline` finds those places). Every format rebuilds its document from the
translations of its blocks (:meth:`Document.render`) and keeps everything else as it was.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar


class CodeKind(StrEnum):
    """Whether an inline code wraps text or stands at one place."""

    WRAP = "wrap"
    POINT = "point"


@dataclass(frozen=True)
class InlineCode:
    """One inline element of a block (see the module docstring). ``label`` says what it is, for
    reviewers and messages: ``b``, ``a``, ``img``, ``bold``, ``link``, ``bookmark``..."""

    id: int
    kind: CodeKind
    start: int
    end: int
    parent: int = 0
    label: str = ""
    protected: bool = False


@dataclass(frozen=True)
class Block:
    """One translatable unit of a document: plain text, its inline codes, what kind of block it is
    (``text``, ``heading``, ``cell``, ``title``, ``attribute``...) and the source line it starts
    on (1-based; 0 where the format has no lines)."""

    text: str
    codes: tuple[InlineCode, ...] = ()
    kind: str = "text"
    line: int = 0

    def translatable(self) -> bool:
        """Whether any of its text is outside protected codes (a block of inline code alone is not)."""
        covered = [False] * len(self.text)
        for code in self.codes:
            if code.protected:
                covered[code.start : code.end] = [True] * (code.end - code.start)
        return any(not taken and not char.isspace() for char, taken in zip(self.text, covered, strict=True))


@dataclass(frozen=True)
class PlacedCode:
    """Where an inline code went in a translation: ``start``/``end`` are offsets into the English
    text; ``exact`` is False when its place could not be found and it was put around the best span
    (the reviewer is told)."""

    id: int
    start: int
    end: int
    exact: bool = True


@dataclass(frozen=True)
class BlockTranslation:
    """A block in English: its text and the place of each of the block's codes (one per code)."""

    text: str
    codes: tuple[PlacedCode, ...] = ()

    def spans(self) -> dict[int, tuple[int, int]]:
        """Each code's ``(start, end)`` in :attr:`text`, by id."""
        return {code.id: (code.start, code.end) for code in self.codes}


def identity(block: Block) -> BlockTranslation:
    """The block "translated" into itself: each code where it was (rendering these gives the
    document back: the round trip the tests check)."""
    return BlockTranslation(block.text, tuple(PlacedCode(c.id, c.start, c.end) for c in block.codes))


@dataclass
class Node:
    """A block's content as a tree: text and the codes inside ``code`` (None: the block itself)."""

    code: InlineCode | None
    children: list[str | Node] = field(default_factory=list)


def content_tree(text: str, codes: Sequence[InlineCode], spans: Mapping[int, tuple[int, int]]) -> Node:
    """The tree of ``text`` with each code at its span, nested as the codes' ``parent`` says.

    The spans must be laminar in the codes' own nesting (a child inside its parent, siblings apart),
    which :func:`translate.documents.inline.place_codes` guarantees. Among siblings starting at the
    same place, an empty one (a point) comes first; then by end, then by id.
    """
    by_parent: dict[int, list[InlineCode]] = {}
    for code in codes:
        by_parent.setdefault(code.parent, []).append(code)

    def build(code: InlineCode | None, start: int, end: int) -> Node:
        node = Node(code)
        position = start
        children = sorted(by_parent.get(code.id if code else 0, []), key=lambda c: (*spans[c.id], c.id))
        for child in children:
            child_start, child_end = spans[child.id]
            if child_start > position:
                node.children.append(text[position:child_start])
            node.children.append(build(child, child_start, child_end))
            position = max(position, child_end)
        if end > position:
            node.children.append(text[position:end])
        return node

    return build(None, 0, len(text))


class Document(ABC):
    """A document read for translation: its blocks, and how to write it back in English.

    A document keeps the bytes it was read from; :meth:`render` parses them again and rewrites the
    fresh tree, so a document can be rendered any number of times.
    """

    suffixes: ClassVar[tuple[str, ...]]  # the file suffixes of the format, lower case, with the dot

    def __init__(self, data: bytes, name: str, blocks: Sequence[Block]) -> None:
        self.data = data
        self.name = name
        self.blocks: tuple[Block, ...] = tuple(blocks)

    @abstractmethod
    def render(self, translations: Sequence[BlockTranslation]) -> bytes:
        """The document with each block's text and codes replaced by its translation (one per block,
        in order); everything else (attributes, links, styles, images) as it was."""

    def check_translations(self, translations: Sequence[BlockTranslation]) -> None:
        """Raise ValueError unless there is one translation per block with a place for each code."""
        if len(translations) != len(self.blocks):
            raise ValueError(f"{len(translations)} translations for {len(self.blocks)} blocks")
        for block, translation in zip(self.blocks, translations, strict=True):
            if sorted(c.id for c in translation.codes) != sorted(c.id for c in block.codes):
                raise ValueError("a translation must place every code of its block exactly once")
