"""Reading the XML exchange formats (TMX, XLIFF) safely, with line numbers for error messages.

Every XML document songngu reads goes through :func:`parse_xml`: defusedxml (no entity expansion,
no external entities or DTDs fetched), and the line each element starts on remembered, so that a
refusal can say ``FILE:LINE: ...`` as every other input error does. Inline markup is read by
:func:`inline_text` with a stack of its own, never by recursion, so elements nested thousands deep
(which expat and ElementTree build without trouble) cannot end in a RecursionError.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Protocol
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from songngu.errors import InputError


class _LineTrackingBuilder(TreeBuilder):
    """A tree builder that remembers the line each element starts on, for error messages."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: DefusedXMLParser | None = None
        self.lines: dict[int, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


def parse_xml(text: str, name: str | os.PathLike[str], kind: str) -> tuple[Element, dict[int, int]]:
    """The root of ``text`` and the line of each element (by ``id``). ``kind`` ("TMX", "XLIFF")
    names the format in messages. Malformed XML or an entity declaration is an InputError."""
    builder = _LineTrackingBuilder()
    parser = DefusedXMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except ParseError as exc:
        line = exc.position[0] if exc.position else 1
        message = str(exc).split(":")[0]
        raise InputError(f"{name}:{line}: not well-formed XML ({message})") from None
    except DefusedXmlException as exc:
        line = text.count("\n", 0, max(text.find("<!ENTITY"), 0)) + 1
        raise InputError(f"{name}:{line}: refused: {exc}; {kind} files need no entity declarations") from None
    return root, builder.lines


class StreamTarget(Protocol):
    """What :func:`feed_xml` hands the parser's events to (an ElementTree parser target)."""

    parser: DefusedXMLParser | None

    def start(self, tag: str, attrs: dict[str, str]) -> None: ...
    def end(self, tag: str) -> None: ...
    def data(self, text: str) -> None: ...
    def close(self) -> None: ...


def feed_xml(
    chunks: Iterable[str], name: str | os.PathLike[str], kind: str, target: StreamTarget
) -> Iterator[None]:
    """Parse a document given in pieces, as :func:`parse_xml` does (the same refusals, with the same
    lines), handing its events to ``target``; yields after each piece, so that the caller can take
    what the target has built so far (a reader that streams keeps one unit at a time)."""
    parser = DefusedXMLParser(target=target)
    target.parser = parser
    try:
        for chunk in chunks:
            parser.feed(chunk)
            yield
        parser.close()
    except ParseError as exc:
        line = exc.position[0] if exc.position else 1
        message = str(exc).split(":")[0]
        raise InputError(f"{name}:{line}: not well-formed XML ({message})") from None
    except DefusedXmlException as exc:
        line = parser.parser.CurrentLineNumber
        raise InputError(f"{name}:{line}: refused: {exc}; {kind} files need no entity declarations") from None
    yield


def inline_text(element: Element, code: frozenset[str]) -> str:
    """The text of ``element`` with its inline markup: the text inside child elements kept, however
    deep they nest, except inside those whose tag is in ``code`` (native codes, not text), of which
    only what follows them (their tail) counts."""
    parts = [element.text or ""]
    stack: list[tuple[Element, Iterator[Element]]] = [(element, iter(element))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack:  # the tail follows the element, inside its parent
                parts.append(node.tail or "")
        elif child.tag in code:
            parts.append(child.tail or "")
        else:
            parts.append(child.text or "")
            stack.append((child, iter(child)))
    return "".join(parts)
