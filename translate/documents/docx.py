"""Word documents (``.docx``): the OOXML parts read with lxml and written back in English.

What is translated: every paragraph (``w:p``) of the body, its tables and text boxes, the headers,
footers, footnotes and endnotes; each image's alternative text and title (``wp:docPr`` ``descr``
and ``title``); and the document title (``dc:title`` in ``docProps/core.xml``).

Inside a paragraph, what the reader sees as formatting becomes inline codes:

- Word splits text into runs (``w:r``) for many reasons (spell checking, revision ids), so runs are
  grouped by their formatting (``w:rPr``): the plainest formatting of a container (fewest
  properties; among equals, the one with most text) is its base, and each stretch of runs
  formatted otherwise (bold, italic, a character style) is one WRAP code. Writing back, the text
  of a stretch gets runs with that stretch's first run's attributes and formatting, the base text
  the base run's.
- Hyperlinks (``w:hyperlink``), insertions (``w:ins``), smart tags and custom XML are WRAP codes
  with their own base; bookmarks and comment ranges are WRAP codes made of their start and end.
- Tabs, line and page breaks, drawings, footnote references, symbols, fields (``PAGE``, a table of
  contents: from ``w:fldChar`` begin to end, kept whole; Word updates them) and everything this
  module does not know are POINT codes, moved whole.
- Dropped as meaningless in English: spell-check marks (``w:proofErr``), soft hyphens, Word's
  last-rendered page breaks and its hidden ``_GoBack`` bookmark.

Why lxml on the parts and not python-docx: python-docx does not reach footnotes, endnotes or text
boxes, and saving through it rewrites every part it loaded; here only the parts with text are
rewritten and every other entry of the zip is copied byte for byte. The tests build their documents
with python-docx and open the English ones with it. Refused: see :mod:`translate.documents.package`.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass, field

from lxml import etree

from songngu.errors import InputError
from songngu.translate.documents.builder import BlockBuilder
from songngu.translate.documents.model import Block, BlockTranslation, Document, Node, content_tree
from songngu.translate.documents.package import Package, open_package, serialize_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_DC = "http://purl.org/dc/elements/1.1/"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_RELATIONSHIP_TYPES = {"header": "header", "footer": "footer", "footnotes": "footnote", "endnotes": "endnote"}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


_CONTAINERS = {_w(n) for n in ("hyperlink", "ins", "moveTo", "smartTag", "customXml", "dir", "bdo")}
_PAIRS = {
    _w("bookmarkStart"): (_w("bookmarkEnd"), "bookmark"),
    _w("commentRangeStart"): (_w("commentRangeEnd"), "comment"),
    _w("permStart"): (_w("permEnd"), "permission"),
}
_PAIR_ENDS = {end: (start, label) for start, (end, label) in _PAIRS.items()}
_DROPPED = {_w("proofErr"), _w("lastRenderedPageBreak"), _w("softHyphen")}
_BREAKS = {_w("br"), _w("cr")}
_HEADING_STYLES = ("Heading", "Title", "Subtitle")


@dataclass
class _Piece:
    """One thing in a container, in order: text of a run, a point, a container, a pair's end."""

    kind: str  # "text", "point", "container", "start", "end"
    element: etree._Element | None = None  # the run (text), the container, a pair's start or end
    text: str = ""
    key: bytes = b""  # text: the run's formatting
    properties: int = 0  # text: how many formatting properties the run sets
    moved: list[etree._Element] = field(default_factory=list)  # point: elements moved whole
    label: str = ""
    partner: int = -1  # start: the index of its end


@dataclass
class _Code:
    """What one code of a paragraph is made of, to write it back."""

    kind: str  # "container", "format", "pair", "point"
    elements: list[etree._Element]  # container: [it]; format: [run]; pair: [start, end]; point: moved
    # container: the run whose formatting its base text gets; point: the run its elements were in
    base: etree._Element | None = None


@dataclass
class _Paragraph:
    element: etree._Element
    codes: dict[int, _Code]
    base: etree._Element | None


@dataclass
class _Attribute:
    element: etree._Element
    name: str


@dataclass
class _Title:
    element: etree._Element


_Handle = _Paragraph | _Attribute | _Title


class _Fields:
    """Complex fields (``w:fldChar`` begin … end) may span paragraphs: their depth, per part."""

    def __init__(self) -> None:
        self.depth = 0

    def update(self, element: etree._Element) -> None:
        for char in element.iter(_w("fldChar")):
            kind = char.get(_w("fldCharType"))
            if kind == "begin":
                self.depth += 1
            elif kind == "end":
                self.depth = max(self.depth - 1, 0)


class DocxDocument(Document):
    """A Word document (see the module docstring)."""

    suffixes = (".docx",)

    def __init__(self, data: bytes, name: str) -> None:
        self.package = open_package(data, name, "DOCX")
        self.text_parts = _text_parts(self.package)
        _, found = self._walk()
        super().__init__(data, name, [block for block, _ in found])

    @classmethod
    def read(cls, data: bytes, name: str) -> DocxDocument:
        """The Word document in ``data`` (``name`` for messages)."""
        return cls(data, name)

    def _walk(self) -> tuple[dict[str, etree._Element], list[tuple[Block, _Handle]]]:
        roots = {path: self.package.xml(path) for path, _ in self.text_parts}
        found: list[tuple[Block, _Handle]] = []
        for path, kind in self.text_parts:
            root = roots[path]
            if kind == "title":
                for title in root.iter(f"{{{_DC}}}title"):
                    builder = BlockBuilder(collapse=False)
                    builder.text(title.text)
                    block = builder.build("title")
                    if block.translatable():
                        found.append((block, _Title(title)))
                continue
            fields = _Fields()
            for element in list(root.iter(_w("p"), f"{{{_WP}}}docPr")):
                if element.tag == _w("p"):
                    found.extend(_paragraph(element, _block_kind(element, kind), fields))
                else:
                    for attribute in ("descr", "title"):
                        builder = BlockBuilder(collapse=True)
                        builder.text(element.get(attribute))
                        block = builder.build(f"@{attribute}")
                        if block.translatable():
                            found.append((block, _Attribute(element, attribute)))
        return roots, found

    def render(self, translations: Sequence[BlockTranslation]) -> bytes:
        """The document with every block in English; every part without text copied as it was."""
        self.check_translations(translations)
        roots, found = self._walk()
        for (block, handle), translation in reversed(list(zip(found, translations, strict=True))):
            if isinstance(handle, _Attribute):
                handle.element.set(handle.name, translation.text)
            elif isinstance(handle, _Title):
                handle.element.text = translation.text
            else:
                _rebuild(handle, block, translation)
        return self.package.with_parts({path: serialize_xml(root) for path, root in roots.items()})


def _text_parts(package: Package) -> list[tuple[str, str]]:
    """The parts with text, ``(path, kind)``: the title, the main document, then its headers,
    footers, footnotes and endnotes in the order its relationships list them."""
    rels = package.xml("_rels/.rels") if package.part("_rels/.rels") is not None else None
    main = "word/document.xml"
    parts: list[tuple[str, str]] = []
    for rel in rels.iter(f"{{{_RELS}}}Relationship") if rels is not None else ():
        target = (rel.get("Target") or "").lstrip("/")
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        if kind == "officeDocument":
            main = target
        elif kind == "core-properties" and package.part(target) is not None:
            parts.append((target, "title"))
    if package.part(main) is None:
        raise InputError(f"{package.name}: not a Word document ({main} is missing)")
    parts.append((main, "text"))
    folder, file_name = posixpath.split(main)
    document_rels = posixpath.join(folder, "_rels", file_name + ".rels")
    if package.part(document_rels) is not None:
        for rel in package.xml(document_rels).iter(f"{{{_RELS}}}Relationship"):
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            if kind in _RELATIONSHIP_TYPES and rel.get("TargetMode") != "External":
                target = posixpath.normpath(posixpath.join(folder, rel.get("Target") or ""))
                if package.part(target) is not None and all(target != path for path, _ in parts):
                    parts.append((target, _RELATIONSHIP_TYPES[kind]))
    return parts


def _block_kind(paragraph: etree._Element, part_kind: str) -> str:
    if part_kind != "text":
        return part_kind
    style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
    if style is not None and (style.get(_w("val")) or "").startswith(_HEADING_STYLES):
        return "heading"
    if any(ancestor.tag == _w("tc") for ancestor in paragraph.iterancestors()):
        return "cell"
    if paragraph.find(f"{_w('pPr')}/{_w('numPr')}") is not None or (
        style is not None and (style.get(_w("val")) or "").startswith("List")
    ):
        return "list-item"
    return "text"


def _paragraph(paragraph: etree._Element, kind: str, fields: _Fields) -> list[tuple[Block, _Handle]]:
    builder = BlockBuilder(collapse=False)
    codes: dict[int, _Code] = {}
    base = _read_container(paragraph, builder, codes, fields)
    block = builder.build(kind)
    return [(block, _Paragraph(paragraph, codes, base))] if block.translatable() else []


def _pieces(container: etree._Element, fields: _Fields) -> list[_Piece]:
    """The container's content in order (see :class:`_Piece`), pairs matched where they nest."""
    pieces: list[_Piece] = []
    dropped_ids: set[tuple[str, str]] = set()
    group: list[etree._Element] = []  # the elements of a field under way
    for child in container:
        tag = child.tag
        if not isinstance(tag, str) or tag in (_w("pPr"), _w("rPr")) or tag.endswith("}smartTagPr"):
            if not isinstance(tag, str) and fields.depth == 0:
                pieces.append(_Piece("point", moved=[child], label="comment"))
            continue
        if fields.depth > 0 or (tag == _w("r") and child.find(_w("fldChar")) is not None):
            group.append(child)
            fields.update(child)
            if fields.depth == 0:
                pieces.append(_Piece("point", moved=group, label="field"))
                group = []
            continue
        if tag == _w("r"):
            pieces.extend(_run_pieces(child))
        elif tag in _CONTAINERS:
            pieces.append(_Piece("container", element=child, label=etree.QName(tag).localname))
        elif tag in _PAIRS or tag in _PAIR_ENDS:
            if tag == _w("bookmarkStart") and child.get(_w("name")) == "_GoBack":
                dropped_ids.add((tag, child.get(_w("id")) or ""))
                continue
            if tag == _w("bookmarkEnd") and (_w("bookmarkStart"), child.get(_w("id")) or "") in dropped_ids:
                continue
            label = _PAIRS[tag][1] if tag in _PAIRS else _PAIR_ENDS[tag][1]
            pieces.append(_Piece("start" if tag in _PAIRS else "end", element=child, label=label))
        elif tag in _DROPPED:
            continue
        else:
            pieces.append(_Piece("point", moved=[child], label=etree.QName(tag).localname))
    if group:  # a field that goes on in the next paragraph
        pieces.append(_Piece("point", moved=group, label="field"))
    _match_pairs(pieces)
    return pieces


def _match_pairs(pieces: list[_Piece]) -> None:
    """Pair each start with its end where they nest; a start or end left alone becomes a point."""
    open_starts: list[int] = []
    for index, piece in enumerate(pieces):
        if piece.kind == "start":
            open_starts.append(index)
        elif piece.kind == "end":
            assert piece.element is not None
            start_tag, _ = _PAIR_ENDS[piece.element.tag]
            ident = piece.element.get(_w("id"))
            if open_starts:
                candidate = pieces[open_starts[-1]]
                assert candidate.element is not None
                if candidate.element.tag == start_tag and candidate.element.get(_w("id")) == ident:
                    candidate.partner = index
                    open_starts.pop()
                    continue
            pieces[index] = _Piece("point", moved=[piece.element], label=piece.label)
    for index in open_starts:
        element = pieces[index].element
        assert element is not None
        pieces[index] = _Piece("point", moved=[element], label=pieces[index].label)
    # A start whose end became a point (it closed across another pair) is a point too.
    for index, piece in enumerate(pieces):
        if piece.kind == "start" and piece.partner < 0 and piece.element is not None:
            pieces[index] = _Piece("point", moved=[piece.element], label=piece.label)


def _run_pieces(run: etree._Element) -> list[_Piece]:
    properties = run.find(_w("rPr"))
    key = etree.tostring(properties) if properties is not None else b""
    count = len(properties) if properties is not None else 0
    pieces: list[_Piece] = []
    for child in run:
        tag = child.tag
        if tag == _w("rPr") or tag in _DROPPED:
            continue
        if tag == _w("t"):
            pieces.append(_Piece("text", element=run, text=child.text or "", key=key, properties=count))
        elif tag == _w("noBreakHyphen"):
            pieces.append(_Piece("text", element=run, text="\u2011", key=key, properties=count))
        else:
            name = etree.QName(tag).localname if isinstance(tag, str) else "comment"
            pieces.append(
                _Piece("point", element=run, moved=[child], label="break" if tag in _BREAKS else name)
            )
    return pieces


def _read_container(
    container: etree._Element, builder: BlockBuilder, codes: dict[int, _Code], fields: _Fields
) -> etree._Element | None:
    """Feed the container's content to ``builder``; returns the run its base text is formatted as."""
    pieces = _pieces(container, fields)
    # The base is the plainest formatting (fewest properties), then the one with most text: what
    # stays the base when the English changes how much text each formatting holds.
    weights: Counter[bytes] = Counter()
    plainness: dict[bytes, int] = {}
    for piece in pieces:
        if piece.kind == "text":
            weights[piece.key] += len(piece.text)
            plainness[piece.key] = piece.properties
    base_key = min(weights, key=lambda k: (plainness[k], -weights[k], _first(pieces, k))) if weights else None
    base = next((p.element for p in pieces if p.kind == "text" and p.key == base_key), None)
    if base is None:
        base = next((p.element for p in pieces if p.element is not None and p.element.tag == _w("r")), None)
    format_code: tuple[int, bytes] | None = None
    pair_codes: dict[int, int] = {}  # the index of a pair's end → its code

    def close_format() -> None:
        nonlocal format_code
        if format_code is not None:
            builder.close(format_code[0])
            format_code = None

    for index, piece in enumerate(pieces):
        if piece.kind == "text":
            if piece.key != base_key and (format_code is None or format_code[1] != piece.key):
                close_format()
                assert piece.element is not None
                code = builder.open(_describe(piece.element))
                codes[code] = _Code("format", [piece.element])
                format_code = (code, piece.key)
            elif piece.key == base_key:
                close_format()
            builder.text(piece.text)
            continue
        close_format()
        if piece.kind == "point":
            if piece.label == "break":
                builder.space()
            code = builder.point(piece.label)
            # A run's tab, break or drawing goes back into a run like its own; other points as they are.
            codes[code] = _Code("point", piece.moved, piece.element)
        elif piece.kind == "container":
            assert piece.element is not None
            code = builder.open(piece.label)
            inner = _read_container(piece.element, builder, codes, fields)
            codes[code] = _Code("container", [piece.element], inner if inner is not None else base)
            builder.close(code)
        elif piece.kind == "start":
            assert piece.element is not None
            code = builder.open(piece.label)
            end = pieces[piece.partner].element
            assert end is not None
            codes[code] = _Code("pair", [piece.element, end])
            pair_codes[piece.partner] = code
        elif piece.kind == "end":
            builder.close(pair_codes[index])
    close_format()
    return base


def _first(pieces: Sequence[_Piece], key: bytes) -> int:
    return next(i for i, p in enumerate(pieces) if p.kind == "text" and p.key == key)


def _describe(run: etree._Element) -> str:
    """What a run's formatting is, for reviewers: ``bold``, ``italic``, a character style..."""
    properties = run.find(_w("rPr"))
    if properties is None:
        return "format"
    names = []
    for child in properties:
        name = etree.QName(child.tag).localname if isinstance(child.tag, str) else ""
        if name in ("b", "i", "u", "strike", "vertAlign", "highlight", "color"):
            names.append(
                {"b": "bold", "i": "italic", "u": "underline", "vertAlign": child.get(_w("val")) or name}.get(
                    name, name
                )
            )
        elif name == "rStyle":
            names.append(child.get(_w("val")) or "style")
    return "+".join(names) or "format"


def _shell(run: etree._Element | None) -> etree._Element:
    """A new run with ``run``'s attributes and formatting and no content."""
    if run is None:
        return etree.Element(_w("r"))
    shell = etree.Element(run.tag, dict(run.attrib), nsmap=run.nsmap)
    properties = run.find(_w("rPr"))
    if properties is not None:
        shell.append(deepcopy(properties))
    return shell


def _text_run(run: etree._Element | None, text: str) -> etree._Element:
    shell = _shell(run)
    element = etree.SubElement(shell, _w("t"))
    element.text = text
    if text != text.strip() or "  " in text:
        element.set(_XML_SPACE, "preserve")
    return shell


def _rebuild(handle: _Paragraph, block: Block, translation: BlockTranslation) -> None:
    paragraph = handle.element
    for child in list(paragraph):
        if child.tag != _w("pPr"):
            paragraph.remove(child)
    tree = content_tree(translation.text, block.codes, translation.spans())
    for element in _emit(tree, handle, handle.base):
        paragraph.append(element)


def _emit(node: Node, handle: _Paragraph, base: etree._Element | None) -> list[etree._Element]:
    out: list[etree._Element] = []
    for child in node.children:
        if isinstance(child, str):
            if child:
                out.append(_text_run(base, child))
            continue
        assert child.code is not None
        code = handle.codes[child.code.id]
        if code.kind == "format":
            out.extend(_emit(child, handle, code.elements[0]))
        elif code.kind == "container":
            container = code.elements[0]
            for inner in list(container):
                if not (isinstance(inner.tag, str) and inner.tag.endswith("}smartTagPr")):
                    container.remove(inner)
            container.extend(_emit(child, handle, code.base))
            out.append(container)
        elif code.kind == "pair":
            out.append(code.elements[0])
            out.extend(_emit(child, handle, base))
            out.append(code.elements[1])
        elif code.base is not None:  # children of a run: back into a run formatted as it was
            shell = _shell(code.base)
            shell.extend(code.elements)
            out.append(shell)
        else:
            out.extend(code.elements)
    return out
