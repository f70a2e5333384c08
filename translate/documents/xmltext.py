"""Blocks of mixed content (text between elements, as in HTML and ODF), read and written back.

HTML's ``<p>Bộ <b>Ngoại giao</b> họp</p>`` and ODF's ``<text:p>Bộ <text:span>Ngoại giao</text:span>
họp</text:p>`` are the same model: an element's ``text``, then its children each followed by its
``tail``. Both formats walk their trees here, each with its own :class:`Vocabulary` saying what
each element is:

- a ``CONTAINER`` holds blocks (``<div>``, ``<td>``, ``text:list-item``); the inline content
  between its block children is a **flow**, and each flow with text is one block (so
  ``<div>Lead <p>Para</p> tail</div>`` gives "Lead", "Para" and "tail");
- a ``WRAP`` is an inline element around text (``<b>``, ``<a>``, ``text:span``), a WRAP code;
- a ``PROTECTED`` element is inline and kept as it is, text included (``<code>``,
  ``translate="no"``), a protected WRAP code;
- a ``POINT`` is inline and has no text of its own to translate (``<img>``, a comment, a footnote);
  a ``BREAK`` is a point that separates words (``<br>``); ``SPACE`` elements stand for spaces
  (ODF's ``text:s``) and ``DROP`` elements are layout hints that mean nothing in another language
  (ODF's ``text:soft-page-break``): both are gone from the English document;
- a ``SKIP`` element is a container whose content is not translated (``<pre>``, ``<script>``).

An inline element that holds a container (``<a><div>…</div></a>``) is walked as a container.
Translatable attributes (``alt``, ``title``) are blocks of their own, after the element's flow;
blocks inside a point the vocabulary descends into (an ODF frame's caption, a footnote's body) come
after the flow that holds the point.

Writing a flow back (:func:`rebuild_flow`) puts the English text and the *same* element objects
back (the inline elements are moved, never copied, so every attribute stays exactly as it was);
the whitespace before and after the flow (the source's indentation) is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from lxml import etree

from songngu.translate.documents.builder import BlockBuilder
from songngu.translate.documents.model import Block, BlockTranslation, CodeKind, Node, content_tree

# Deeper trees are refused before they are walked (the walk recurses once per level).
MAX_DEPTH = 200

_LEADING_SPACE = re.compile(r"\A[ \t\n\r\f]*")
_TRAILING_SPACE = re.compile(r"[ \t\n\r\f]*\Z")


class Role(Enum):
    """What an element is to the walk (see the module docstring)."""

    CONTAINER = "container"
    WRAP = "wrap"
    PROTECTED = "protected"
    POINT = "point"
    BREAK = "break"
    SPACE = "space"
    DROP = "drop"
    SKIP = "skip"


class Vocabulary(Protocol):
    """A format's elements, as the walk needs them."""

    def role(self, element: etree._Element) -> Role:
        """The element's role; comments and processing instructions are asked too."""

    def translatable(self, element: etree._Element, inherited: bool) -> bool:
        """Whether the element's text is translated, given its parent's answer."""

    def attributes(self, element: etree._Element) -> Sequence[str]:
        """Its attributes to translate (as lxml names them), when the element is translated."""

    def descend(self, element: etree._Element) -> bool:
        """Whether blocks are looked for inside a POINT or PROTECTED element."""

    def label(self, element: etree._Element) -> str:
        """The code's label: what a reviewer is told the element is."""

    def kind(self, element: etree._Element) -> str:
        """The kind of the blocks of a container's flows (``text``, ``heading``, ``cell``...)."""

    def spaces(self, element: etree._Element) -> str:
        """The text a SPACE element stands for."""


@dataclass
class FlowHandle:
    """Where a flow block is: the container and its children ``start:stop``, and the element of each
    code (by id)."""

    container: etree._Element
    start: int
    stop: int
    elements: dict[int, etree._Element] = field(default_factory=dict)


@dataclass(frozen=True)
class AttributeHandle:
    """Where an attribute block is: the element and the attribute's name."""

    element: etree._Element
    attribute: str


Handle = FlowHandle | AttributeHandle


def check_depth(root: etree._Element, fail: Callable[[int, str], Exception]) -> None:
    """Raise ``fail(line, message)`` if elements nest deeper than :data:`MAX_DEPTH` below ``root``."""
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > MAX_DEPTH:
            raise fail(element.sourceline or 0, f"elements nested more than {MAX_DEPTH} deep")


def walk(
    root: etree._Element, vocabulary: Vocabulary, *, translatable: bool = True
) -> list[tuple[Block, Handle]]:
    """Every block under ``root`` (itself walked as a container), in document order."""
    return _Walk(vocabulary).container(root, translatable)


class _Walk:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary

    def role(self, element: etree._Element) -> Role:
        role = self.vocabulary.role(element)
        if role in (Role.WRAP, Role.PROTECTED) and any(
            self.vocabulary.role(inner) is Role.CONTAINER for inner in element.iterdescendants()
        ):
            return Role.CONTAINER
        return role

    def container(self, element: etree._Element, inherited: bool) -> list[tuple[Block, Handle]]:
        translatable = self.vocabulary.translatable(element, inherited)
        found = self.attributes(element, translatable)
        children = list(element)
        start = 0
        for index, child in enumerate(children):
            role = self.role(child) if isinstance(child.tag, str) else Role.POINT
            if role in (Role.CONTAINER, Role.SKIP):
                found.extend(self.flow(element, children, start, index, translatable))
                if role is Role.CONTAINER:
                    found.extend(self.container(child, translatable))
                start = index + 1
        found.extend(self.flow(element, children, start, len(children), translatable))
        return found

    def attributes(self, element: etree._Element, translatable: bool) -> list[tuple[Block, Handle]]:
        if not translatable:
            return []
        found: list[tuple[Block, Handle]] = []
        for name in self.vocabulary.attributes(element):
            value = element.get(name)
            if value is None:
                continue
            builder = BlockBuilder(collapse=True)
            builder.text(value)
            block = builder.build(f"@{etree.QName(name).localname}", element.sourceline or 0)
            if block.translatable():
                found.append((block, AttributeHandle(element, name)))
        return found

    def flow(
        self,
        container: etree._Element,
        children: Sequence[etree._Element],
        start: int,
        stop: int,
        translatable: bool,
    ) -> list[tuple[Block, Handle]]:
        builder = BlockBuilder(collapse=True)
        handle = FlowHandle(container, start, stop)
        later: list[tuple[Block, Handle]] = []
        builder.text(container.text if start == 0 else children[start - 1].tail)
        for child in children[start:stop]:
            self.inline(child, translatable, builder, handle, later)
            builder.text(child.tail)
        block = builder.build(self.vocabulary.kind(container), container.sourceline or 0)
        found: list[tuple[Block, Handle]] = [(block, handle)] if translatable and block.translatable() else []
        return found + later

    def inline(
        self,
        element: etree._Element,
        inherited: bool,
        builder: BlockBuilder,
        handle: FlowHandle,
        later: list[tuple[Block, Handle]],
    ) -> None:
        if not isinstance(element.tag, str):  # a comment or processing instruction: kept where it is
            handle.elements[builder.point("comment")] = element
            return
        translatable = self.vocabulary.translatable(element, inherited)
        role = self.role(element)
        if role is Role.WRAP and not translatable:
            role = Role.PROTECTED
        label = self.vocabulary.label(element)
        if role is Role.WRAP:
            code = builder.open(label)
            handle.elements[code] = element
            builder.text(element.text)
            for child in element:
                self.inline(child, translatable, builder, handle, later)
                builder.text(child.tail)
            builder.close(code)
            later.extend(self.attributes(element, translatable))
        elif role is Role.PROTECTED:
            code = builder.open(label, protected=True)
            handle.elements[code] = element
            builder.text("".join(element.itertext()))
            builder.close(code)
        elif role is Role.SPACE:
            builder.text(self.vocabulary.spaces(element))
        elif role is Role.DROP:
            pass
        else:  # POINT, BREAK, and SKIP or CONTAINER met inside inline content
            if role is Role.BREAK:  # words on either side of a line break are apart
                builder.space()
            handle.elements[builder.point(label)] = element
            later.extend(self.attributes(element, translatable))
            if self.vocabulary.descend(element):
                later.extend(self.container(element, translatable))


def rebuild_flow(handle: FlowHandle, block: Block, translation: BlockTranslation) -> None:
    """Write ``translation`` into the flow ``handle`` points to (in the tree it was read from)."""
    container = handle.container
    children = list(container)
    before = container.text if handle.start == 0 else children[handle.start - 1].tail
    last = before if handle.stop == handle.start else children[handle.stop - 1].tail
    lead = _LEADING_SPACE.match(before or "")
    trail = _TRAILING_SPACE.search(last or "")
    lead_text = lead.group() if lead else ""
    trail_text = trail.group() if trail else ""
    for child in children[handle.start : handle.stop]:
        container.remove(child)
    tree = content_tree(translation.text, block.codes, translation.spans())
    items = _items(tree, handle)
    text, elements = _split(items)
    if not elements:
        _set_slot(container, children, handle.start, lead_text + text + trail_text)
        return
    _set_slot(container, children, handle.start, lead_text + text)
    for offset, (element, tail) in enumerate(elements):
        container.insert(handle.start + offset, element)
        element.tail = tail + (trail_text if offset == len(elements) - 1 else "")


def rebuild_attribute(handle: AttributeHandle, translation: BlockTranslation) -> None:
    """Set the translated attribute."""
    handle.element.set(handle.attribute, translation.text)


def rebuild_blocks(found: Sequence[tuple[Block, Handle]], translations: Sequence[BlockTranslation]) -> None:
    """Write each block of ``found`` (as :func:`walk` gave them) in its translation, in reverse
    document order: rewriting a flow changes its children, and a later block's handle holds their
    indices."""
    for (block, handle), translation in reversed(list(zip(found, translations, strict=True))):
        if isinstance(handle, AttributeHandle):
            rebuild_attribute(handle, translation)
        else:
            rebuild_flow(handle, block, translation)


def _set_slot(container: etree._Element, children: Sequence[etree._Element], start: int, text: str) -> None:
    if start == 0:
        container.text = text or None
    else:
        children[start - 1].tail = text or None


def _items(node: Node, handle: FlowHandle) -> list[str | etree._Element]:
    items: list[str | etree._Element] = []
    for child in node.children:
        if isinstance(child, str):
            items.append(child)
            continue
        assert child.code is not None
        element = handle.elements[child.code.id]
        if child.code.kind is CodeKind.WRAP and not child.code.protected:
            for inner in list(element):
                element.remove(inner)
            text, elements = _split(_items(child, handle))
            element.text = text or None
            for inner, tail in elements:
                element.append(inner)
                inner.tail = tail or None
        items.append(element)
    return items


def _split(items: Sequence[str | etree._Element]) -> tuple[str, list[tuple[etree._Element, str]]]:
    """The text before the first element, and each element with the text after it."""
    text = ""
    elements: list[tuple[etree._Element, str]] = []
    for item in items:
        if isinstance(item, str):
            if elements:
                elements[-1] = (elements[-1][0], elements[-1][1] + item)
            else:
                text += item
        else:
            elements.append((item, ""))
    return text, elements
