"""HTML pages (``.html``, ``.htm``) and HTML fragments, read with lxml and written back in English.

What is translated: the text of every block (paragraphs, headings, list items, table cells,
captions, a ``<div>``'s own text), the document's ``<title>``, and the attributes people read:
``alt``, ``title``, ``placeholder``, ``aria-label``, a button's ``value`` and the ``content`` of
the description and social-card ``<meta>`` elements. Inline elements (``<b>``, ``<i>``, ``<a>``,
``<span>``...) are inline codes.

What is not: ``<script>``, ``<style>``, ``<template>``, ``<pre>`` and ``<textarea>``; inline
``<code>``, ``<kbd>``, ``<samp>`` and ``<var>`` (kept as they are, where their text went); every
URL (``href``, ``src``...: no URL attribute is translatable); and any element marked
``translate="no"`` (HTML5), ``its-translate="no"`` (ITS 2.0 in HTML), ``data-translate-ignore`` or
the ``notranslate`` class, with everything inside it (``translate="yes"`` inside turns it back on).

The page is decoded as its ``<meta charset>`` says (UTF-8 when it says nothing) and written back in
the same encoding (characters it cannot hold as character references). Its doctype is kept, and
none is added where it had none. The language attribute of ``<html>`` and ``<body>`` becomes ``en``
where it said Vietnamese; every other attribute is written back unchanged.

Refused (one line, exit 2): bytes that are not in the page's encoding, an unknown encoding, and
elements nested more than 200 deep (libxml2 itself stops at 256, silently dropping the rest of the
page, so 100,000 nested ``<div>`` are refused rather than cut).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

import lxml.html
from lxml import etree

from songngu.errors import InputError
from songngu.textfile import decode_utf8
from songngu.translate.documents.model import Block, BlockTranslation, Document
from songngu.translate.documents.xmltext import (
    Handle,
    Role,
    check_depth,
    rebuild_blocks,
    walk,
)

_WRAP = frozenset(
    {
        "a",
        "abbr",
        "acronym",
        "b",
        "bdi",
        "bdo",
        "big",
        "blink",
        "button",
        "cite",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "label",
        "mark",
        "nobr",
        "output",
        "q",
        "rb",
        "rp",
        "rt",
        "ruby",
        "s",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
    }
)
_PROTECTED = frozenset(["code", "kbd", "samp", "var"])
_POINT = frozenset(
    {
        "area",
        "audio",
        "canvas",
        "embed",
        "iframe",
        "img",
        "input",
        "map",
        "math",
        "meter",
        "noscript",
        "object",
        "picture",
        "progress",
        "script",
        "select",
        "slot",
        "source",
        "style",
        "svg",
        "template",
        "textarea",
        "track",
        "video",
        "wbr",
    }
)
_SKIP = frozenset({"pre"})
_DESCEND = frozenset(["audio", "datalist", "map", "object", "optgroup", "picture", "select", "video"])
_KINDS = {
    **{f"h{level}": "heading" for level in range(1, 7)},
    "li": "list-item",
    "dt": "list-item",
    "dd": "list-item",
    "td": "cell",
    "th": "cell",
    "caption": "caption",
    "figcaption": "caption",
    "title": "title",
}
_META_CONTENT = frozenset(
    {"description", "og:title", "og:description", "twitter:title", "twitter:description"}
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_DOCTYPE = re.compile(r"\A\ufeff?\s*(?:<!--.*?-->\s*)*<!doctype", re.IGNORECASE | re.DOTALL)
_VIETNAMESE = re.compile(r"\Avi(?:-|\Z)", re.IGNORECASE)


class HtmlVocabulary:
    """HTML's elements for :mod:`translate.documents.xmltext`."""

    def role(self, element: etree._Element) -> Role:
        """The element's role in a block."""
        tag = _tag(element)
        if tag == "br":
            return Role.BREAK
        if tag in _WRAP:
            return Role.WRAP
        if tag in _PROTECTED:
            return Role.PROTECTED
        if tag in _SKIP:
            return Role.SKIP
        if tag in _POINT:
            return Role.POINT
        return Role.CONTAINER

    def translatable(self, element: etree._Element, inherited: bool) -> bool:
        """HTML5 ``translate`` (inherited), ITS ``its-translate``, ``data-translate-ignore`` and the
        ``notranslate`` class."""
        if (
            element.get("data-translate-ignore") is not None
            or "notranslate" in (element.get("class") or "").split()
        ):
            return False
        for name in ("translate", "its-translate"):
            value = element.get(name)
            if value is not None:
                value = value.strip().lower()
                if value == "no":
                    return False
                if value in ("yes", ""):
                    return True
        return inherited

    def attributes(self, element: etree._Element) -> Sequence[str]:
        """The element's attributes that readers read."""
        tag = _tag(element)
        names = []
        if tag in ("img", "area") or (tag == "input" and (element.get("type") or "").lower() == "image"):
            names.append("alt")
        names.append("title")
        if tag in ("input", "textarea"):
            names.append("placeholder")
        names.append("aria-label")
        if tag == "input" and (element.get("type") or "").lower() in ("button", "submit", "reset"):
            names.append("value")
        if tag == "meta" and (element.get("name") or element.get("property") or "").lower() in _META_CONTENT:
            names.append("content")
        return names

    def descend(self, element: etree._Element) -> bool:
        """Option texts, fallback content and a ``<picture>``'s image are looked into."""
        return _tag(element) in _DESCEND

    def label(self, element: etree._Element) -> str:
        """The tag name."""
        return _tag(element) or "comment"

    def kind(self, element: etree._Element) -> str:
        """The kind of the element's blocks."""
        return _KINDS.get(_tag(element), "text")

    def spaces(self, element: etree._Element) -> str:
        """HTML has no space elements."""
        return ""


VOCABULARY = HtmlVocabulary()


class HtmlDocument(Document):
    """An HTML page or fragment (see the module docstring)."""

    suffixes = (".html", ".htm")

    def __init__(self, data: bytes, name: str, *, fragment: bool = False) -> None:
        self.fragment = fragment
        self.encoding = "utf-8" if fragment else _encoding(data, name)
        self.text = _decode(data, self.encoding, name)
        self._name = name
        _, found = self._parse()
        super().__init__(data, name, [block for block, _ in found])

    @classmethod
    def read(cls, data: bytes, name: str) -> HtmlDocument:
        """The page in ``data`` (``name`` for messages)."""
        return cls(data, name)

    @classmethod
    def from_fragment(cls, fragment: str, name: str = "<html>") -> HtmlDocument:
        """An HTML fragment (what goes inside a ``<body>``, as a translation API receives it)."""
        return cls(fragment.encode("utf-8"), name, fragment=True)

    def _parse(self) -> tuple[etree._Element, list[tuple[Block, Handle]]]:
        parser = lxml.html.HTMLParser(remove_comments=False, remove_pis=False, remove_blank_text=False)
        text = self.text.removeprefix("\ufeff")
        try:
            if self.fragment:
                root = lxml.html.fragment_fromstring(text, create_parent="div", parser=parser)
            else:
                root = lxml.html.document_fromstring(text, parser=parser) if text.strip() else None
        except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
            raise InputError(f"{self._name}: not an HTML document ({exc})") from None
        if root is None:
            raise InputError(f"{self._name}: empty HTML document")
        for error in parser.error_log:
            if error.level_name == "FATAL" or error.type_name == "ERR_RESOURCE_LIMIT":
                message = error.message
                if "depth" in message.lower():
                    message = "elements nested more than 200 deep"
                raise InputError(f"{self._name}:{error.line}: {message}")

        def fail(line: int, message: str) -> InputError:
            return InputError(f"{self._name}:{line}: {message}")

        check_depth(root, fail)
        return root, walk(root, VOCABULARY)

    def render(self, translations: Sequence[BlockTranslation]) -> bytes:
        """The page with every block in English, in the page's own encoding."""
        self.check_translations(translations)
        root, found = self._parse()
        rebuild_blocks(found, translations)
        if self.fragment:
            return _inner_html(root).encode("utf-8")
        for element in (root, root.find("body")):
            if element is not None and _VIETNAMESE.match(element.get("lang") or ""):
                element.set("lang", "en")
        tree = root.getroottree()
        doctype = tree.docinfo.doctype if _DOCTYPE.match(self.text) else ""
        out: bytes = etree.tostring(tree, method="html", encoding=self.encoding, doctype=doctype)
        if not doctype:
            out = out.removeprefix(b"\n")
        if self.text.endswith("\n") and not out.endswith(b"\n"):
            out += b"\n"
        return codecs.BOM_UTF8 + out if self.data.startswith(codecs.BOM_UTF8) else out


def _inner_html(element: etree._Element) -> str:
    """The content of the bare ``<div>`` a fragment was parsed into, as HTML."""
    serialized: str = etree.tostring(element, method="html", encoding="unicode")
    return serialized.removeprefix("<div>").removesuffix("</div>")


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def _encoding(data: bytes, name: str) -> str:
    """The page's encoding: a BOM, else its ``<meta charset>`` in the first 1,024 bytes, else UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    match = _META_CHARSET.search(data[:1024])
    if match is None:
        return "utf-8"
    declared = match.group(1).decode("ascii")
    try:
        return codecs.lookup(declared).name
    except LookupError:
        raise InputError(f"{name}: unknown character encoding {declared!r} in its <meta charset>") from None


def _decode(data: bytes, encoding: str, name: str) -> str:
    if encoding == "utf-8":
        return decode_utf8(data, name)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: byte {exc.start}: not valid {encoding} (the page's encoding)") from None
