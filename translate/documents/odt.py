"""OpenDocument text (``.odt``): opened and saved with odfdo, its text rewritten in English.

What is translated: every paragraph and heading (``text:p``, ``text:h``) of the body, its lists,
tables, sections, text frames and footnotes; the page headers and footers (``styles.xml``); each
frame's title and description (``svg:title``, ``svg:desc``: an image's alternative text); and the
document title (``dc:title`` in ``meta.xml``). ``text:span``, ``text:a`` and ``text:meta`` are
WRAP codes; tabs, line breaks, bookmarks, fields, notes, frames and comments are POINT codes (a
note's and a frame's own paragraphs are blocks of their own); ``text:s`` stands for spaces and
``text:soft-page-break`` (a layout hint) is dropped. Comments (``office:annotation``) and tracked
changes are not translated. ODF paragraphs are mixed content like HTML's, so the walk is the one
in :mod:`translate.documents.xmltext`.

odfdo opens the package (its mimetype and type: a spreadsheet is refused) and writes it back
through its ``Container``, mimetype first and uncompressed, every part as given: its
``Document.save`` is not used because it also rewrites ``office:version`` and table columns.

Refused, besides what :mod:`translate.documents.package` refuses: an encrypted document (its
manifest has ``encryption-data``), and **external references**: an image, object, linked section,
table source or background that points outside the package (a URL, an absolute or ``../`` path),
and DDE links. An office suite loads those by itself when the English document is opened, so the
document a desk publishes would show (and fetch) content nobody translated.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import replace

import odfdo
from lxml import etree

from songngu.errors import InputError
from songngu.translate.documents.model import Block, BlockTranslation, Document
from songngu.translate.documents.package import open_package, parse_xml, serialize_xml
from songngu.translate.documents.xmltext import (
    Handle,
    Role,
    check_depth,
    rebuild_blocks,
    walk,
)

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
XLINK = "http://www.w3.org/1999/xlink"
DC = "http://purl.org/dc/elements/1.1/"
ITS = "http://www.w3.org/2005/11/its"


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


_WRAP = {_q(TEXT, n) for n in ("span", "a", "meta")}
_CONTAINERS_WITH_TEXT = {_q(TEXT, "p"), _q(TEXT, "h"), _q(SVG, "title"), _q(SVG, "desc"), _q(DC, "title")}
_SKIP = {
    _q(TEXT, "tracked-changes"),
    _q(TEXT, "note-citation"),
    _q(OFFICE, "forms"),
    _q(TEXT, "sequence-decls"),
    _q(TEXT, "variable-decls"),
    _q(TEXT, "user-field-decls"),
    _q(TEXT, "dde-connection-decls"),
    _q(OFFICE, "annotation"),
}
_DESCEND = {_q(DRAW, n) for n in ("frame", "a", "g", "custom-shape", "rect", "ellipse", "text-box")} | {
    _q(TEXT, "note")
}
_EXTERNAL_LINKERS = {
    _q(DRAW, "image"),
    _q(DRAW, "object"),
    _q(DRAW, "object-ole"),
    _q(DRAW, "plugin"),
    _q(DRAW, "floating-frame"),
    _q(DRAW, "fill-image"),
    _q(STYLE, "background-image"),
    _q(TEXT, "section-source"),
    _q(TABLE, "table-source"),
    _q(TABLE, "cell-range-source"),
}
_DDE = {_q(TEXT, "dde-connection-decl"), _q(TEXT, "dde-connection"), _q(OFFICE, "dde-source")}
_OUTSIDE = re.compile(r"\A(?:[A-Za-z][A-Za-z0-9+.-]*:|/|\\\\|\.\./)")
_KINDS = {
    _q(TEXT, "h"): "heading",
    _q(SVG, "title"): "@title",
    _q(SVG, "desc"): "@desc",
    _q(DC, "title"): "title",
}
_PLACES = {
    _q(TABLE, "table-cell"): "cell",
    _q(TEXT, "list-item"): "list-item",
    _q(TEXT, "note-body"): "footnote",
    _q(STYLE, "header"): "header",
    _q(STYLE, "header-left"): "header",
    _q(STYLE, "header-first"): "header",
    _q(STYLE, "footer"): "footer",
    _q(STYLE, "footer-left"): "footer",
    _q(STYLE, "footer-first"): "footer",
}


class OdfVocabulary:
    """ODF text elements for :mod:`translate.documents.xmltext`."""

    def role(self, element: etree._Element) -> Role:
        """The element's role in a block."""
        tag = element.tag
        if tag in _WRAP:
            return Role.WRAP
        if tag == _q(TEXT, "s"):
            return Role.SPACE
        if tag == _q(TEXT, "line-break"):
            return Role.BREAK
        if tag == _q(TEXT, "soft-page-break"):
            return Role.DROP
        if tag in _SKIP:
            return Role.SKIP
        if tag in _CONTAINERS_WITH_TEXT:
            return Role.CONTAINER
        namespace = etree.QName(tag).namespace if isinstance(tag, str) else None
        if namespace in (TEXT, DRAW, OFFICE, SVG) and tag not in _BLOCK_LEVEL:
            return Role.POINT
        return Role.CONTAINER

    def translatable(self, element: etree._Element, inherited: bool) -> bool:
        """ITS ``its:translate``, inherited."""
        value = element.get(_q(ITS, "translate"))
        if value is not None:
            return bool(value.strip().lower() != "no")
        return inherited

    def attributes(self, element: etree._Element) -> Sequence[str]:
        """A link's title (``office:title``); ODF keeps other readable texts in elements
        (``svg:title``)."""
        return (_q(OFFICE, "title"),) if element.tag == _q(TEXT, "a") else ()

    def descend(self, element: etree._Element) -> bool:
        """Frames, shapes and notes have paragraphs of their own."""
        return bool(element.tag in _DESCEND)

    def label(self, element: etree._Element) -> str:
        """The element's name, ``span``, ``a``, ``frame``..."""
        return etree.QName(element.tag).localname if isinstance(element.tag, str) else "comment"

    def kind(self, element: etree._Element) -> str:
        """``heading``, ``cell``, ``list-item``, ``header``, ``footnote``..."""
        if element.tag in _KINDS:
            return _KINDS[element.tag]
        for ancestor in element.iterancestors():
            if ancestor.tag in _PLACES:
                return _PLACES[ancestor.tag]
        return "text"

    def spaces(self, element: etree._Element) -> str:
        """``text:s`` stands for ``text:c`` spaces (default 1)."""
        count = element.get(_q(TEXT, "c")) or "1"
        return " " * min(int(count), 1000) if count.isdigit() else " "


# Elements of the text namespace that hold paragraphs rather than sit inside one.
_BLOCK_LEVEL = (
    {
        _q(TEXT, n)
        for n in (
            "list",
            "list-item",
            "list-header",
            "section",
            "note-body",
            "index-body",
            "index-title",
            "table-of-content",
            "illustration-index",
            "alphabetical-index",
            "bibliography",
            "user-index",
            "object-index",
            "table-index",
            "numbered-paragraph",
        )
    }
    | {_q(OFFICE, n) for n in ("text", "body", "master-styles")}
    | {_q(DRAW, "text-box")}
)

VOCABULARY = OdfVocabulary()
_PARTS = ("meta.xml", "content.xml", "styles.xml")


class OdtDocument(Document):
    """An OpenDocument text (see the module docstring)."""

    suffixes = (".odt",)

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        package = open_package(data, name, "ODT")
        manifest = package.part("META-INF/manifest.xml") or b""
        if b"encryption-data" in manifest:
            raise InputError(
                f"{name}: the document is encrypted (password-protected); save a copy without the password "
                "and translate that"
            )
        self._document = _odfdo(data, name)
        for path in _PARTS:
            raw = package.part(path)
            if raw is not None:
                _check_references(parse_xml(raw, f"{name}: {path}"), f"{name}: {path}")
        self._raw = {path: package.part(path) for path in _PARTS}
        _, found = self._walk()
        super().__init__(data, name, [block for block, _ in found])

    @classmethod
    def read(cls, data: bytes, name: str) -> OdtDocument:
        """The OpenDocument text in ``data`` (``name`` for messages)."""
        return cls(data, name)

    def _walk(self) -> tuple[dict[str, etree._Element], list[tuple[Block, Handle]]]:
        roots: dict[str, etree._Element] = {}
        found: list[tuple[Block, Handle]] = []
        for path in _PARTS:
            raw = self._raw[path]
            if raw is None:
                continue
            where = f"{self.name}: {path}"
            root = roots[path] = parse_xml(raw, where)

            def fail(line: int, message: str, where: str = where) -> InputError:
                return InputError(f"{where}:{line}: {message}")

            check_depth(root, fail)
            starts = {
                "meta.xml": root.iter(_q(DC, "title")),
                "content.xml": root.iter(_q(OFFICE, "text")),
                "styles.xml": root.iter(_q(OFFICE, "master-styles")),
            }[path]
            for start in list(starts):
                found.extend((replace(block, line=0), handle) for block, handle in walk(start, VOCABULARY))
        return roots, found

    def render(self, translations: Sequence[BlockTranslation]) -> bytes:
        """The document with every block in English, through odfdo's container."""
        self.check_translations(translations)
        roots, found = self._walk()
        rebuild_blocks(found, translations)
        document = _odfdo(self.data, self.name)
        container = document.container
        assert container is not None
        for path, root in roots.items():
            container.set_part(path, serialize_xml(root))
        out = io.BytesIO()
        # odfdo prints "Warning: Missing 'settings.xml'" for optional parts a document lacks.
        with contextlib.redirect_stderr(io.StringIO()):
            container.save(out)
        return out.getvalue()


def _odfdo(data: bytes, name: str) -> odfdo.Document:

    try:
        document = odfdo.Document(io.BytesIO(data))
        kind = document.get_type()
    except (ValueError, TypeError, KeyError, zipfile.BadZipFile, odfdo.SecurityError) as exc:
        raise InputError(f"{name}: not an OpenDocument text ({exc})") from None
    if kind not in ("text", "text-template"):
        raise InputError(f"{name}: an OpenDocument {kind}, not a text document (.odt)")
    return document


def _check_references(root: etree._Element, where: str) -> None:
    """Refuse links that an office suite follows by itself (see the module docstring)."""
    for element in root.iter(*_EXTERNAL_LINKERS, *_DDE):
        line = element.sourceline or 0
        tag = etree.QName(element.tag)
        shown = f"<{_PREFIXES.get(tag.namespace or '', '')}:{tag.localname}>"
        if element.tag in _DDE:
            raise InputError(f"{where}:{line}: {shown} is a DDE link to another application; remove it")
        href = (element.get(_q(XLINK, "href")) or "").strip()
        if _OUTSIDE.match(href):
            raise InputError(
                f"{where}:{line}: {shown} refers to {href!r}, outside the document; an office suite would "
                "load it by itself, so embed it or remove the link "
                "(LibreOffice: Edit > Links to External Files)"
            )


_PREFIXES = {TEXT: "text", DRAW: "draw", TABLE: "table", STYLE: "style", OFFICE: "office"}
