"""Inline codes in the review files: the markup text of a sentence of a document.

A sentence of an HTML page, a Word or an OpenDocument file or a Markdown file has inline elements
(bold, a link, an image, a DOCX run of formatting). The review files carry them as tags in the
text, so a reviewer sees where each element is and can move it with the words:

- a wrap (an element around text) is ``<LABEL id="N">…</LABEL>``, a point (an element with no text:
  an image, a line break) ``<LABEL id="N"/>``; ``LABEL`` says what the element is (``b``, ``a``,
  ``img``, ``bold``, ``hyperlink``) and ``N`` is its number in its block, which is what ties a tag
  back to its element: the label is for the reader. The attributes (a link's ``href``, a run's
  formatting) are not in the catalog: they are never translated and go back as they were, so a
  reviewer cannot break a link;
- PO catalogs hold that text in ``msgid`` and ``msgstr`` (the markup text, as Translate Toolkit's
  ``html2po`` does, with one scheme for every document format); XLIFF writes each tag as its own
  inline element: ``<g id="N" ctype="x-LABEL">`` and ``<x id="N" ctype="x-LABEL"/>``
  (:func:`xliff_inline`), which CAT tools show as protected tags, and reads them back into the same
  text (:func:`markup_of_xliff`).

Only tags with an ``id`` are codes; any other ``<`` in the text is text (an article about HTML may
quote ``<b>``), and a closing tag is one only where it closes the innermost open code of its label.
A sentence without codes is its plain text: a text article's catalog is unchanged.

:func:`parse_markup` reads a markup text back: the plain text, each code's span in it, and what is
wrong with it (a code opened and never closed, one closed out of order, one given twice).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal
from xml.etree.ElementTree import Element

from songngu.translate.formats.tmx import xml_attribute, xml_text
from songngu.translate.reviewed import Baseline, ReviewedUnit

TAG = re.compile(r'<(?P<close>/)?(?P<label>[A-Za-z][A-Za-z0-9_.-]*)(?P<id> id="[0-9]+")?(?P<empty>/)?>')
_LABEL = re.compile(r"[^A-Za-z0-9_.-]")
_XLIFF = "{urn:oasis:names:tc:xliff:document:1.2}"
_NATIVE = frozenset(_XLIFF + tag for tag in ("ph", "bpt", "ept", "it"))  # native code, not text


def markup_label(label: str) -> str:
    """``label`` as a tag name: letters, digits, ``_ . -``, starting with a letter (``code`` if none)."""
    cleaned = _LABEL.sub("", label)
    return cleaned if cleaned[:1].isalpha() else f"code{cleaned}"


def open_tag(code_id: int, label: str) -> str:
    """The opening tag of a wrap code."""
    return f'<{markup_label(label)} id="{code_id}">'


def close_tag(label: str) -> str:
    """The closing tag of a wrap code."""
    return f"</{markup_label(label)}>"


def point_tag(code_id: int, label: str) -> str:
    """The tag of a point code."""
    return f'<{markup_label(label)} id="{code_id}"/>'


@dataclass(frozen=True)
class MarkupSpan:
    """Where a code is in a sentence's plain text; ``parent`` is the code it lies inside (0: none)."""

    id: int
    start: int
    end: int
    point: bool
    parent: int = 0
    label: str = ""


@dataclass(frozen=True)
class ParsedMarkup:
    """A markup text read back: its plain text, its codes' spans (in the order they open) and the
    problems found (empty when it is well formed)."""

    text: str
    spans: tuple[MarkupSpan, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True)
class _Token:
    kind: Literal["text", "open", "close", "point"]
    value: str
    id: int = 0
    label: str = ""


def _tokens(markup: str) -> Iterator[_Token]:
    """The text and tags of ``markup``: a closing tag that closes no open code of its label is text;
    an opening tag never closed comes as an ``open`` with no ``close`` (the caller reports it)."""
    raw: list[_Token] = []
    position = 0
    for match in TAG.finditer(markup):
        if match.start() > position:
            raw.append(_Token("text", markup[position : match.start()]))
        position = match.end()
        label, tag = match.group("label"), match.group(0)
        if match.group("close"):
            kind: Literal["text", "open", "close", "point"] = (
                "close" if not match.group("id") and not match.group("empty") else "text"
            )
            raw.append(_Token(kind, tag, 0, label))
        elif match.group("id") is None:
            raw.append(_Token("text", tag))
        else:
            code_id = int(match.group("id")[5:-1])
            raw.append(_Token("point" if match.group("empty") else "open", tag, code_id, label))
    if position < len(markup):
        raw.append(_Token("text", markup[position:]))
    # A closing tag counts where it closes the innermost open code of its label.
    stack: list[int] = []
    for index, token in enumerate(raw):
        if token.kind == "open":
            stack.append(index)
        elif token.kind == "close":
            if stack and raw[stack[-1]].label == token.label:
                stack.pop()
            else:
                raw[index] = _Token("text", token.value)
    yield from raw


def parse_markup(markup: str) -> ParsedMarkup:
    """Read ``markup`` (see the module docstring); never raises."""
    parts: list[str] = []
    length = 0
    spans: list[MarkupSpan] = []
    problems: list[str] = []
    stack: list[tuple[int, str, int, int]] = []  # id, label, start, index in spans
    seen: set[int] = set()
    for token in _tokens(markup):
        if token.kind == "text":
            parts.append(token.value)
            length += len(token.value)
            continue
        if token.kind == "close":
            code_id, label, start, index = stack.pop()
            spans[index] = MarkupSpan(code_id, start, length, False, spans[index].parent, label)
            continue
        if token.id in seen:
            problems.append(f"{token.value} appears twice")
        seen.add(token.id)
        parent = stack[-1][0] if stack else 0
        spans.append(MarkupSpan(token.id, length, length, token.kind == "point", parent, token.label))
        if token.kind == "open":
            stack.append((token.id, token.label, length, len(spans) - 1))
    for code_id, label, _, _ in stack:
        problems.append(f'<{label} id="{code_id}"> is never closed')
    return ParsedMarkup("".join(parts), tuple(spans), tuple(problems))


def plain_text(markup: str) -> str:
    """``markup`` without its tags (a sentence of a text article comes back as it was)."""
    if "<" not in markup:
        return markup
    return "".join(token.value for token in _tokens(markup) if token.kind == "text")


def has_codes(markup: str) -> bool:
    """Whether ``markup`` holds any code's tag."""
    return "<" in markup and any(token.kind != "text" for token in _tokens(markup))


def xliff_inline(markup: str) -> str:
    """``markup`` as the XML content of an XLIFF ``<source>`` or ``<target>``: text escaped, each
    wrap a ``<g>``, each point an ``<x/>`` (an opening tag never closed is written as text)."""
    tokens = list(_tokens(markup))
    closed = _closed_opens(tokens)
    parts: list[str] = []
    for index, token in enumerate(tokens):
        ctype = xml_attribute("x-" + markup_label(token.label))
        if token.kind == "open" and index in closed:
            parts.append(f'<g id="{token.id}" ctype="{ctype}">')
        elif token.kind == "close":
            parts.append("</g>")
        elif token.kind == "point":
            parts.append(f'<x id="{token.id}" ctype="{ctype}"/>')
        else:
            parts.append(xml_text(token.value))
    return "".join(parts)


def _closed_opens(tokens: list[_Token]) -> set[int]:
    stack: list[int] = []
    closed: set[int] = set()
    for index, token in enumerate(tokens):
        if token.kind == "open":
            stack.append(index)
        elif token.kind == "close":
            closed.add(stack.pop())
    return closed


def markup_of_xliff(element: Element) -> str:
    """The markup text of an XLIFF ``<source>`` or ``<target>``: text, ``<g>`` and ``<x/>`` with an
    ``id`` as tags (their label from a ``ctype`` ``x-LABEL``), the text inside ``<mrk>`` and other
    elements kept, native code (``<ph>``, ``<bpt>``, ``<ept>``, ``<it>``) left out. Walked with a
    stack, never by recursion."""
    parts = [element.text or ""]
    stack: list[tuple[Element, Iterator[Element], str]] = [(element, iter(element), "")]
    while stack:
        node, children, closing = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack:
                parts.append(closing + (node.tail or ""))
            continue
        code_id = child.get("id", "")
        label = _xliff_label(child.get("ctype", ""), child.tag)
        if child.tag in _NATIVE:
            parts.append(child.tail or "")
        elif child.tag == _XLIFF + "x" and code_id.isdigit():
            parts.append(point_tag(int(code_id), label) + (child.tail or ""))
        elif child.tag == _XLIFF + "g" and code_id.isdigit():
            parts.append(open_tag(int(code_id), label) + (child.text or ""))
            stack.append((child, iter(child), close_tag(label)))
        else:
            parts.append(child.text or "")
            stack.append((child, iter(child), ""))
    return "".join(parts)


def _xliff_label(ctype: str, tag: str) -> str:
    if ctype.startswith("x-") and len(ctype) > 2:
        return markup_label(ctype[2:])
    return markup_label(ctype) if ctype else ("x" if tag.endswith("}x") else "g")


def with_plain_text(unit: ReviewedUnit) -> ReviewedUnit:
    """``unit`` (as read from a catalog, its texts with their tags) with plain source, target and
    baseline, and its source and target with their tags in ``source_markup``/``target_markup``.

    Everything that compares or stores text reads the plain text: the memory (a sentence of a page
    and the same sentence in a text article are one unit), glossary checks, evaluation. What a
    reviewer did to the tags is read from the markup (:mod:`songngu.translate.documents.reviewed`);
    the unit's state was decided on the texts with their tags, so a draft whose only change is a
    moved tag is still a draft.
    """
    if not (has_codes(unit.source) or has_codes(unit.target)):
        return unit
    baseline = unit.baseline
    if baseline is not None:
        baseline = Baseline(plain_text(baseline.text), baseline.source)
    return replace(
        unit,
        source=plain_text(unit.source),
        target=plain_text(unit.target),
        baseline=baseline,
        source_markup=unit.source,
        target_markup=unit.target,
    )
