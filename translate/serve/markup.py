"""Translating text inside markup: LibreTranslate's ``format=html``, DeepL's ``tag_handling``.

:func:`translate_markup` is the one way marked-up text is translated. It parses the fragment, hands
the plain text of each *block* to the pipeline (so segmentation, terms, memory and the acronym
policy are the command line's), and puts every element back into the English. Parsing and the
refusals are the server's own (below); the *placement* of inline elements is the documents' one
algorithm (:func:`songngu.translate.documents.inline.place_codes`, on the word alignment of
:mod:`songngu.translate.documents.wordalign`), which ``songngu translate`` uses for documents and
``benchmarks/bench_inline.py`` measures: :func:`rebuild` turns a block's elements into
:class:`~songngu.translate.documents.model.InlineCode` s and writes their places back into the tree.

**Blocks.** In HTML the block elements (``p``, ``li``, ``h1``–``h6``, ``td``, ``div``...) each hold
their text; in XML (DeepL's ``tag_handling=xml``) the fragment is one block unless
``splitting_tags`` name others. Inline elements (``b``, ``a``, ``span``, Weblate's ``<x id="3"/>``)
belong to the block around them. Whitespace runs count as one space, as a browser shows them.

**Kept whole, not translated** (zero width in the text, left exactly as sent): ``script``, ``style``,
``code``, ``pre``, ``kbd``, ``samp``, ``var``, ``textarea``, ``svg``, ``math``, ``template`` and
``noscript`` in HTML; any element with ``translate="no"`` or class ``notranslate``; the tags of
DeepL's ``ignore_tags``; comments and processing instructions. Attributes are kept unchanged (not
translated).

**Placement** (the documents' rule): an element goes around the English words its words are
linked to (glossary terms with any of their renderings, then identical tokens: numbers, names with
diacritics folded, acronyms), interpolated where they have no link; an element stays in its
sentence; an empty one (``<br>``, ``<x/>``) and a kept one go between the words their neighbours
are linked to. The result has the source's nesting and each element exactly once; siblings may
change order where the English's word order does (each element goes with its words). The report
says per element ``term`` (exactly around a glossary term's English), ``aligned`` (exactly around
the words it is linked to), ``interpolated`` (the best span: the reviewer should look), ``block``
or ``kept``; in the order sent.

**Refused** (one line, 400): markup that does not parse (XML: with its line and column), an HTML
document rather than a fragment (``<html>``, ``<head>``, ``<body>``: translate documents with
``songngu translate``), HTML that the parser would change (a stray end tag, a ``<div>`` inside a
``<p>``), and nesting deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from lxml import etree
from lxml import html as lxml_html

from songngu.translate.documents.inline import SentenceTranslation, place_codes
from songngu.translate.documents.model import Block, CodeKind, InlineCode
from songngu.translate.documents.wordalign import TermSpan
from songngu.translate.formats.moses import line_breaks_to_spaces
from songngu.translate.phrase import phrase_spans
from songngu.translate.records import Segment, SegmentResult
from songngu.translate.serve.failures import ApiError, bad_request

#: Elements nested deeper than this are refused (libxml2 itself stops at 256).
MAX_DEPTH = 100

# Written as words for reading; SIM905 would make them one string per line.
BLOCK_TAGS = frozenset(
    "address article aside blockquote caption dd details dialog div dl dt fieldset figcaption figure "  # noqa: SIM905
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main nav ol option p section summary "
    "table tbody td tfoot th thead title tr ul".split()
)
KEPT_HTML_TAGS = frozenset(
    "script style code pre kbd samp var textarea svg math template noscript".split()  # noqa: SIM905
)
_DOCUMENT_TAG = re.compile(r"<\s*(html|head|body)\b", re.IGNORECASE)
_START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9:_-]*)")
_END_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9:_-]*)\s*>")
_NOT_MARKUP = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<!\[CDATA\[.*?\]\]>", re.DOTALL | re.I)


def _tags_only(fragment: str) -> str:
    """``fragment`` without comments, CDATA, and the contents of scripts and styles (text that may
    hold "<b" without being markup); the script and style elements themselves stay."""
    return _NOT_MARKUP.sub(lambda m: f"<{m.group(1)}></{m.group(1)}>" if m.group(1) else "", fragment)


_XML_ROOT = "songngu-fragment"


class MarkupKind(StrEnum):
    """How the text is marked up."""

    HTML = "html"
    XML = "xml"


class Records(Protocol):
    """A block's translation as the pipeline gives it: its segments and their records, in order."""

    @property
    def segments(self) -> tuple[Segment, ...]: ...
    @property
    def results(self) -> list[SegmentResult]: ...
    @property
    def renderings(self) -> tuple[tuple[tuple[str, ...], ...], ...]: ...


@dataclass(frozen=True)
class Placement:
    """Where one element went: ``how`` is ``term`` (exactly around a glossary term's English),
    ``aligned`` (exactly around the words its words are linked to), ``interpolated`` (the best
    span: check it), ``block`` (a block element, holding its own text) or ``kept`` (left as sent:
    not translated)."""

    tag: str
    how: str


@dataclass(frozen=True)
class MarkupTranslation:
    """The translated fragment, and where each of its elements went, in the order sent."""

    text: str
    placements: list[Placement]


@dataclass
class _Element:
    node: etree._Element
    start: int = 0  # positions in the block's plain text
    end: int = 0
    kept: bool = False  # left as sent: zero width in the text
    children: list[_Element] = field(default_factory=list)
    # A zero-width element followed by whitespace as sent ("Có <x/> tin"): so it is in the English.
    space_after: bool = False
    space_before: bool = False  # and preceded by whitespace ("Có <x/>"): the English keeps it before


@dataclass
class _Block:
    """A run of inline content: its plain text, where its leading text is written (``node.text`` or
    ``node.tail``), its top-level inline elements, and the whitespace around it as sent."""

    text: str
    node: etree._Element
    slot: str  # "text" or "tail"
    items: list[_Element]
    lead: str
    trail: str


@dataclass(frozen=True)
class MarkupFragment:
    """A parsed fragment: its tree and its blocks; :attr:`texts` is what the pipeline translates."""

    kind: MarkupKind
    root: etree._Element
    blocks: tuple[_Block, ...]
    # Every element below the root, in document order. Held so that lxml keeps handing out the same
    # Python objects for them: their ids key the placements.
    nodes: tuple[etree._Element, ...]

    @property
    def texts(self) -> list[str]:
        """The plain text of each block to translate, in document order."""
        return [block.text for block in self.blocks]


async def translate_markup(
    fragment: str,
    kind: MarkupKind,
    translate: Callable[[list[str]], Awaitable[Sequence[Records]]],
    *,
    ignore_tags: Sequence[str] = (),
    splitting_tags: Sequence[str] = (),
) -> MarkupTranslation:
    """Translate the text of ``fragment`` with ``translate`` (the blocks' plain texts in, their
    records out, in order) and put its markup back (see the module's rule)."""
    parsed = parse_markup(fragment, kind, ignore_tags=ignore_tags, splitting_tags=splitting_tags)
    records = await translate(parsed.texts) if parsed.blocks else []
    return rebuild(parsed, records)


class _RunBuilder:
    """Collects a block's plain text (whitespace runs as one space) and its elements' positions."""

    def __init__(self, node: etree._Element, slot: str) -> None:
        self.node, self.slot = node, slot
        self.chars: list[str] = []
        self.pending_space = False
        self.items: list[_Element] = []
        self.lead = ""
        self.trail = ""
        self._started = False  # anything (text or element) seen yet
        self.last_zero: _Element | None = None  # a zero-width element the next text follows
        self.space_before = False  # whether the last boundary had whitespace before it

    def add_text(self, text: str | None) -> None:
        if not text:
            return
        if self.last_zero is not None:
            self.last_zero.space_after = text[0].isspace()
            self.last_zero = None
        if not self._started:
            self.lead = text[: len(text) - len(text.lstrip())]
        self._started = True
        stripped = text.rstrip()
        self.trail = text[len(stripped) :] if stripped else self.trail + text
        for char in text:
            if char.isspace():
                self.pending_space = True
                continue
            if self.pending_space and self.chars:
                self.chars.append(" ")
            self.pending_space = False
            self.chars.append(char)

    def open(self) -> int:
        """The position where an element's text starts (after a pending space)."""
        self._started = True
        self.last_zero = None
        self.trail = ""
        if self.pending_space and self.chars:
            self.chars.append(" ")
            self.pending_space = False
        return len(self.chars)

    def boundary(self) -> int:
        """A kept element's position; it separates words, as a placeholder stands for one."""
        self._started = True
        self.trail = ""
        position = len(self.chars)
        self.space_before = self.pending_space and bool(self.chars)
        self.pending_space = True
        return position

    def block(self) -> _Block:
        return _Block("".join(self.chars), self.node, self.slot, self.items, self.lead, self.trail)


def _tag(node: etree._Element) -> str:
    return node.tag if isinstance(node.tag, str) else "#comment"


def parse_markup(
    fragment: str,
    kind: MarkupKind,
    *,
    ignore_tags: Sequence[str] = (),
    splitting_tags: Sequence[str] = (),
) -> MarkupFragment:
    """Parse ``fragment`` and find its blocks; ApiError 400 for what the module says is refused."""
    root = _parse_html(fragment) if kind is MarkupKind.HTML else _parse_xml(fragment)
    ignored = frozenset(ignore_tags)
    splitting = frozenset(splitting_tags)

    def kept(node: etree._Element) -> bool:
        if not isinstance(node.tag, str):  # comments, processing instructions
            return True
        classes = (node.get("class") or "").split()
        if node.get("translate", "").lower() == "no" or "notranslate" in classes or node.tag in ignored:
            return True
        return kind is MarkupKind.HTML and node.tag.lower() in KEPT_HTML_TAGS

    def is_block(node: etree._Element) -> bool:
        if not isinstance(node.tag, str) or kept(node):
            return False
        return node.tag.lower() in BLOCK_TAGS if kind is MarkupKind.HTML else node.tag in splitting

    blocks: list[_Block] = []

    def inline(node: etree._Element, run: _RunBuilder, depth: int) -> _Element:
        if depth > MAX_DEPTH:
            raise bad_request(f"Invalid request: markup nested more than {MAX_DEPTH} elements deep")
        if kept(node) or (not (node.text or "").strip() and len(node) == 0):
            position = run.boundary()
            zero = _Element(node, position, position, kept=kept(node), space_before=run.space_before)
            run.last_zero = zero
            return zero
        element = _Element(node, run.open())
        run.add_text(node.text)
        for child in node:
            element.children.append(inline(child, run, depth + 1))
            run.add_text(child.tail)
        element.end = len(run.chars)
        return element

    def finish(run: _RunBuilder) -> None:
        built = run.block()
        if built.text:  # whitespace and kept elements only: left exactly as sent
            blocks.append(built)

    def walk(node: etree._Element, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise bad_request(f"Invalid request: markup nested more than {MAX_DEPTH} elements deep")
        run = _RunBuilder(node, "text")
        run.add_text(node.text)
        for child in node:
            if is_block(child):
                finish(run)
                walk(child, depth + 1)
                run = _RunBuilder(child, "tail")
            else:
                run.items.append(inline(child, run, depth + 1))
            run.add_text(child.tail)
        finish(run)

    walk(root, 0)
    if kind is MarkupKind.HTML and not root.text and fragment[:1].isspace():
        root.text = fragment[: len(fragment) - len(fragment.lstrip())]  # the HTML parser drops it
    return MarkupFragment(kind, root, tuple(blocks), tuple(node for node in root.iter() if node is not root))


def _parse_html(fragment: str) -> etree._Element:
    if _DOCUMENT_TAG.search(_tags_only(fragment)):
        raise bad_request(
            "Invalid request: format html takes a fragment, not a document with <html>, <head> or "
            "<body>; translate whole documents with songngu translate"
        )
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError) as error:
        raise bad_request(f"Invalid request: the HTML does not parse: {error}") from None
    # libxml2 repairs HTML silently (drops a stray end tag, closes a <p> before a <div>): refuse
    # what it would change rather than hand back other markup than was sent.
    visible = _tags_only(fragment)
    sent = Counter(name.lower() for name in _START_TAG.findall(visible))
    elements = [node for node in root.iter() if isinstance(node.tag, str) and node is not root]
    parsed = Counter(_tag(node).lower() for node in elements)
    for name in sorted(set(sent) | set(parsed)):
        if sent[name] != parsed[name]:
            raise _changed_html(f"<{name}> appears {sent[name]} time(s), the parser reads {parsed[name]}")
    # End tags written must close elements in the order the parser closes them (end tags left out,
    # as HTML allows for <li> or <p>, are fine): "<p>a<div>b</div></p>" is read as a <p> closed
    # before the <div>, and a stray "</b>" closes nothing.
    closing = [_tag(node).lower() for node in _post_order(root) if node is not root]
    cursor = 0
    for name in (name.lower() for name in _END_TAG.findall(visible)):
        while cursor < len(closing) and closing[cursor] != name:
            cursor += 1
        if cursor == len(closing):
            raise _changed_html(f"</{name}> does not close the element the parser closes there")
        cursor += 1
    return root


def _changed_html(why: str) -> ApiError:
    return bad_request(
        f"Invalid request: the HTML cannot be kept as sent: {why} "
        "(a stray end tag, or a block element inside a <p>?)"
    )


def _post_order(node: etree._Element) -> list[etree._Element]:
    out: list[etree._Element] = []
    for child in node:
        if isinstance(child.tag, str):
            out.extend(_post_order(child))
    out.append(node)
    return out


def _parse_xml(fragment: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    opening = f"<{_XML_ROOT}>"
    try:
        return etree.fromstring(f"{opening}{fragment}</{_XML_ROOT}>", parser)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        if line == 1:
            column -= len(opening)
        message = re.sub(r",? line \d+, column \d+.*$", "", str(error.msg or error))
        raise bad_request(
            f"Invalid request: the XML is not well-formed: line {line}, column {column}: {message}"
        ) from None


def rebuild(fragment: MarkupFragment, translations: Sequence[Records]) -> MarkupTranslation:
    """The fragment with each block's text replaced by its English (``translations``: one per
    block, in order) and its elements placed by the documents' placement (see the module)."""
    placements: dict[int, Placement] = {}
    for block, records in zip(fragment.blocks, translations, strict=True):
        _rebuild_block(block, records, placements)
    blocks = {id(block.node) for block in fragment.blocks if block.slot == "text"}
    ordered = [
        placements.get(id(node)) or Placement(_tag(node), "block" if id(node) in blocks else "kept")
        for node in fragment.nodes
    ]
    return MarkupTranslation(_serialise(fragment), ordered)


def _serialise(fragment: MarkupFragment) -> str:
    root = fragment.root
    if fragment.kind is MarkupKind.XML:
        # Written <x id="3"></x> as sent, not <x id="3"/>: Weblate finds its placeholders again by
        # their exact text. The two are the same element to any XML reader.
        for node in root.iter():
            if isinstance(node.tag, str) and node.text is None and len(node) == 0:
                node.text = ""
    parts = [html.escape(root.text or "", quote=False)]
    for child in root:
        if fragment.kind is MarkupKind.HTML:
            parts.append(lxml_html.tostring(child, encoding="unicode", method="html", with_tail=True))
        else:
            parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def _rebuild_block(block: _Block, records: Records, placements: dict[int, Placement]) -> None:
    """Place the block's elements in its English with the documents' placement
    (:func:`songngu.translate.documents.inline.place_codes`), then write the English into the tree."""
    elements = _walk(block.items)
    number = {id(element): index + 1 for index, element in enumerate(elements)}
    parents = {id(child): number[id(element)] for element in elements for child in element.children}
    codes = tuple(
        InlineCode(
            number[id(element)],
            CodeKind.WRAP if element.end > element.start and not element.kept else CodeKind.POINT,
            element.start,
            element.end,
            parents.get(id(element), 0),
            _tag(element.node),
        )
        for element in elements
    )
    sentences, met = _sentences(records)
    translated = place_codes(Block(block.text, codes), sentences)
    for element, placed in zip(elements, translated.codes, strict=True):
        exact_term = placed.exact and (element.start, element.end) in met
        how = (
            "kept"
            if element.kept
            else "term"
            if exact_term
            else "aligned"
            if placed.exact
            else "interpolated"
        )
        placements[id(element.node)] = Placement(_tag(element.node), how)
        element.start, element.end = placed.start, placed.end
    _space_points(block.items, len(translated.text), translated.text)
    _reorder(block)
    _write(block, translated.text)


def _sentences(records: Records) -> tuple[list[SentenceTranslation], set[tuple[int, int]]]:
    """The block's sentences as the placement takes them (their English on one line, their met terms
    with every rendering the search accepted), and the met terms' spans in the block's text."""
    sentences = []
    met: set[tuple[int, int]] = set()
    for index, (segment, result) in enumerate(zip(records.segments, records.results, strict=True)):
        renderings = records.renderings[index] if index < len(records.renderings) else ()
        terms = []
        for position, term in enumerate(result.terms):
            if term.met:
                forms = renderings[position] if position < len(renderings) else ()
                terms.append(TermSpan(term.start, term.end, tuple(forms) or (term.en,)))
                met.add((segment.start + term.start, segment.start + term.end))
        target = line_breaks_to_spaces(result.target)
        sentences.append(SentenceTranslation(segment.start, segment.end, target, tuple(terms)))
    return sentences, met


def _space_points(elements: list[_Element], high: int, target: str) -> None:
    """A zero-width element that had whitespace before it as sent, placed just before a space, goes
    after that space (``_write`` puts one after it too): "CÓ <x/> TIN", not "CÓ<x/> TIN"."""
    for element in elements:
        if element.start == element.end:
            if element.space_before and element.start < high and target[element.start] == " ":
                element.start = element.end = element.start + 1
        else:
            _space_points(element.children, element.end, target)


def _reorder(block: _Block) -> None:
    """Put sibling elements in the tree in the order of their places in the English (the placement
    may swap siblings, as the English's word order says); a point before a wrap at the same place."""

    def ordered(elements: list[_Element]) -> list[_Element]:
        return sorted(elements, key=lambda e: (e.start, e.end))  # stable: ties keep the order sent

    def move(parent: etree._Element, old: list[_Element], new: list[_Element]) -> None:
        if [id(e) for e in old] == [id(e) for e in new]:
            return
        at = parent.index(old[0].node)  # the run's elements are consecutive children of ``parent``
        for element in old:
            parent.remove(element.node)  # its tail goes with it; _write writes every tail again
        for offset, element in enumerate(new):
            parent.insert(at + offset, element.node)

    def visit(element: _Element) -> None:
        if element.children:
            new = ordered(element.children)
            move(element.node, element.children, new)
            element.children = new
            for child in new:
                visit(child)

    if block.items:
        parent = block.node if block.slot == "text" else block.node.getparent()
        new = ordered(block.items)
        if parent is not None:
            move(parent, block.items, new)
        block.items[:] = new
        for item in new:
            visit(item)


def _walk(elements: list[_Element]) -> list[_Element]:
    out: list[_Element] = []
    for element in elements:
        out.append(element)
        out.extend(_walk(element.children))
    return out


def _write(block: _Block, target: str) -> None:
    """Write ``target`` into the tree: the leading text, each element's text and each tail."""

    def tail_of(element: _Element, text: str, more: bool) -> str:
        """The text after ``element`` (``more``: another element follows it in its parent)."""
        if element.space_after and (text[:1].strip() or (not text and more)):
            return " " + text  # a placeholder stands between words, as it did in the source
        return text

    def slice_(start: int, end: int) -> str:
        return target[start:end]

    def fill(element: _Element) -> None:
        if element.kept:
            return
        cursor = element.start
        if not element.children:
            element.node.text = slice_(element.start, element.end) or None
            return
        element.node.text = slice_(cursor, element.children[0].start) or None
        for index, child in enumerate(element.children):
            fill(child)
            following = (
                element.children[index + 1].start if index + 1 < len(element.children) else element.end
            )
            more = index + 1 < len(element.children)
            child.node.tail = tail_of(child, slice_(child.end, following), more) or None

    first = block.items[0].start if block.items else len(target)
    leading = block.lead + slice_(0, first)
    for index, item in enumerate(block.items):
        fill(item)
        following = block.items[index + 1].start if index + 1 < len(block.items) else len(target)
        tail = tail_of(item, slice_(item.end, following), index + 1 < len(block.items))
        item.node.tail = (tail + block.trail if index + 1 == len(block.items) else tail) or None
    if not block.items:
        leading += block.trail
    setattr(block.node, block.slot, leading or None)


def find_rendering(text: str, renderings: Sequence[str], start: int = 0) -> tuple[int, int] | None:
    """The span of the first occurrence from ``start`` on of any of ``renderings``, as the engine
    counts a term met (:func:`songngu.translate.phrase.phrase_spans`), or None."""
    spans = [span for rendering in renderings for span in phrase_spans(text, rendering) if span[0] >= start]
    return min(spans) if spans else None
