"""Translating text inside markup: LibreTranslate's ``format=html``, DeepL's ``tag_handling``.

:func:`translate_markup` is the one way marked-up text is translated. It parses the fragment, hands
the plain text of each *block* to the pipeline (so segmentation, terms, memory and the acronym
policy are the command line's), and puts every element back into the English. This is the first,
simple version; the placement (:func:`parse_markup` and :func:`rebuild`) is what a word-aligning
placement replaces, behind the same ``translate_markup`` signature.

**Blocks.** In HTML the block elements (``p``, ``li``, ``h1``–``h6``, ``td``, ``div``...) each hold
their text; in XML (DeepL's ``tag_handling=xml``) the fragment is one block unless
``splitting_tags`` name others. Inline elements (``b``, ``a``, ``span``, Weblate's ``<x id="3"/>``)
belong to the block around them. Whitespace runs count as one space, as a browser shows them.

**Kept whole, not translated** (zero width in the text, left exactly as sent): ``script``, ``style``,
``code``, ``pre``, ``kbd``, ``samp``, ``var``, ``textarea``, ``svg``, ``math``, ``template`` and
``noscript`` in HTML; any element with ``translate="no"`` or class ``notranslate``; the tags of
DeepL's ``ignore_tags``; comments and processing instructions. Attributes are kept unchanged (not
translated).

**Placement rule.** Each element gets the English span between the images of its start and end,
under a monotone map from positions in the block's Vietnamese text to positions in its English:

1. *anchors* are the block's ends, each sentence's ends (a sentence's English is where it is), and
   each glossary term met (the rendering that met it, found in its sentence as the engine finds it); the
   anchors that keep source and target order are used (a longest non-decreasing subsequence), so
   the map is monotone even when the English reorders terms;
2. between two anchors a position is interpolated linearly and moved to the nearest start of a
   word inside that stretch.

So an element around a glossary term wraps exactly the term's English (reported ``"term"``), an
element in the second sentence stays in the second sentence, and nesting and order survive,
because a monotone map keeps ``a <= b``. Other elements land around the words at the same relative
place (reported ``"interpolated"``: the reviewer should look). No element is ever dropped, added or
duplicated; empty ones (``<br>``, ``<x/>``) stay at their relative place.

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
    """Where one element went: ``how`` is ``term`` (around a glossary term's English),
    ``interpolated`` (by relative position: check it), ``block`` (a block element, holding its own
    text) or ``kept`` (left as sent: not translated, or holding no text of its own)."""

    tag: str
    how: str


@dataclass(frozen=True)
class MarkupTranslation:
    """The translated fragment, and where each of its elements went, in document order."""

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
            zero = _Element(node, position, position, kept=kept(node))
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
    block, in order) and its elements placed by the module's rule."""
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
    target, anchors, terms = _anchors(block.text, records)
    position = _Map(anchors, target)
    # Whether an element is exactly a term is decided on source spans, before they are replaced.
    on_terms = {id(e.node) for e in _walk(block.items) if not e.kept and (e.start, e.end) in terms}

    def place(element: _Element, low: int, high: int) -> None:
        start = min(max(position(element.start), low), high)
        end = (
            start
            if element.start == element.end
            else min(max(position(element.end, closing=True), start), high)
        )
        if not element.children and end > start and target[end - 1] == " ":
            end -= 1  # a trailing space goes outside a leaf element
        element.start, element.end = start, end
        how = "kept" if element.kept else "term" if id(element.node) in on_terms else "interpolated"
        placements[id(element.node)] = Placement(_tag(element.node), how)
        floor = start
        for child in element.children:
            place(child, floor, end)
            floor = child.end

    floor = 0
    for item in block.items:
        place(item, floor, len(target))
        floor = item.end
    _write(block, target)


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


def _anchors(
    source: str, records: Records
) -> tuple[str, list[tuple[int, int]], dict[tuple[int, int], tuple[int, int]]]:
    """The block's English (sentences joined by a space, as ``.en.txt`` joins them), the anchors of
    the map (source position, target position), and each met term's source span → target span."""
    pieces: list[str] = []
    anchors = [(0, 0)]
    terms: dict[tuple[int, int], tuple[int, int]] = {}
    length = 0
    for index, (segment, result) in enumerate(zip(records.segments, records.results, strict=True)):
        sentence = line_breaks_to_spaces(result.target).strip()
        if not sentence:
            anchors.append((segment.start, length))
            anchors.append((segment.end, length))
            continue
        if pieces:
            length += 1
        begin = length
        anchors.append((segment.start, begin))
        renderings = records.renderings[index] if index < len(records.renderings) else ()
        searched = 0
        for number in sorted(range(len(result.terms)), key=lambda n: result.terms[n].start):
            term = result.terms[number]
            if not term.met:
                continue
            found = find_rendering(
                sentence, renderings[number] if number < len(renderings) else (term.en,), searched
            )
            if found is None:
                continue
            searched = found[1]
            span = (segment.start + term.start, segment.start + term.end)
            terms[span] = (begin + found[0], begin + found[1])
            anchors += [(span[0], begin + found[0]), (span[1], begin + found[1])]
        pieces.append(sentence)
        length += len(sentence)
        anchors.append((segment.end, length))
    anchors.append((len(source), length))
    chain = _monotone(anchors)
    kept = set(chain)
    # A term whose anchors did not survive (the English reordered it) is no longer placed exactly.
    exact = {span: to for span, to in terms.items() if (span[0], to[0]) in kept and (span[1], to[1]) in kept}
    return " ".join(pieces), chain, exact


def find_rendering(text: str, renderings: Sequence[str], start: int = 0) -> tuple[int, int] | None:
    """The span of the first occurrence from ``start`` on of any of ``renderings``, as the engine
    counts a term met (:func:`songngu.translate.phrase.phrase_spans`), or None."""
    spans = [span for rendering in renderings for span in phrase_spans(text, rendering) if span[0] >= start]
    return min(spans) if spans else None


def _monotone(anchors: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of the anchors, sorted by source, whose targets never decrease."""
    ordered = sorted(set(anchors))
    best = [1] * len(ordered)
    previous = [-1] * len(ordered)
    for i, (_, target) in enumerate(ordered):
        for j in range(i):
            if ordered[j][1] <= target and best[j] + 1 > best[i]:
                best[i], previous[i] = best[j] + 1, j
    i = max(range(len(ordered)), key=lambda k: (best[k], -k))
    chain = []
    while i >= 0:
        chain.append(ordered[i])
        i = previous[i]
    return chain[::-1]


class _Map:
    """The monotone map from source positions to target positions (see the module's rule)."""

    def __init__(self, anchors: list[tuple[int, int]], target: str) -> None:
        self.anchors = anchors
        self.starts = [0] + [i + 1 for i, char in enumerate(target) if char == " "] + [len(target)]

    def __call__(self, position: int, closing: bool = False) -> int:
        anchors = self.anchors
        exact = [target for source, target in anchors if source == position]
        if exact:
            # A sentence's start and a term's start can fall on one source position: an element
            # opening there opens at the later target (the term), one closing there closes at the
            # earlier (a term ending where its sentence ends, before the sentence's last mark).
            return min(exact) if closing else max(exact)
        before = max((a for a in anchors if a[0] < position), default=anchors[0])
        after = min((a for a in anchors if a[0] > position), default=anchors[-1])
        if after[0] == before[0]:
            return before[1]
        x = before[1] + (position - before[0]) * (after[1] - before[1]) / (after[0] - before[0])
        candidates = [q for q in self.starts if before[1] <= q <= after[1]] + [before[1], after[1]]
        return min(candidates, key=lambda q: (abs(q - x), q))
