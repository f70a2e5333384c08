"""Markdown articles (``.md``): parsed with markdown-it-py, written back line for line in English.

What is translated: paragraphs, headings (ATX and setext), list items, block quotes, table cells
(GitHub tables); a link's text stays inside its sentence, and each image's alternative text and
each link's or image's title is a block of its own (a title is written back in double quotes).
Emphasis (``*``, ``**``, ``_``, ``__``), strikethrough (``~~``), links (inline, reference,
collapsed and shortcut) and raw inline HTML tags are inline codes; inline code spans and
autolinks (``<https://…>``) are protected (kept as written); images and unpaired HTML tags are
points.

Not translated: fenced and indented code blocks, HTML blocks, link reference definitions, and every
URL. Writing back, each translated block replaces exactly the source lines it came from, keeping
their prefixes (``#``, ``>``, list markers, indentation) and everything else byte for byte, so a
link's destination is written as it was (a shortcut reference ``[label]`` becomes
``[English][label]``, which still points to the definition). Markdown-it gives no column offsets
for inline markup, so the raw text of each element is found by walking its tokens over the block's
source; a block where that walk does not come out exactly (a construct this module does not know)
is left untranslated rather than damaged.

Refused (one line, exit 2): a file that is not UTF-8, more than 32 MB, or with a line of more than
100,000 characters (no article has one; markdown-it's inline rules are slow on such input, and a
10 MB line is a way to stall the run).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.token import Token

from songngu.errors import InputError
from songngu.textfile import decode_utf8
from songngu.translate.documents.builder import BlockBuilder
from songngu.translate.documents.model import Block, BlockTranslation, CodeKind, Document, Node, content_tree

MAX_LINE = 100_000
MAX_BYTES = 32 * 1024 * 1024

_ENTITY = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>\Z", re.DOTALL)
_ESCAPED = re.compile(r"([\\`*_\[\]<~|])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_UNICODE_SPACE = re.compile(r"[^\S \t\n]")
# The emphasis and strikethrough delimiters markdown-it reads as em, strong and s.
_DELIMITERS = frozenset({"*", "_", "**", "__", "~~", "~"})
# What would make a block's first line a heading, quote, list item or setext underline.
_LINE_START = re.compile(r"\A(?:[#>+=-]|(\d+)([.)]))")
_VOID_TAGS = frozenset({"br", "img", "hr", "input", "wbr", "meta", "link", "source"})


class _ScanError(Exception):
    """The tokens did not match the block's source: the block is left as it is."""


@dataclass
class _Raw:
    """How a code is written: what comes before its content and after it."""

    before: str  # an image: its alternative text as written (kept where it is not translated)
    after: str = ""
    title: tuple[int, int] | None = None  # a link's or image's title: where it is in ``after``


@dataclass
class _Lines:
    """A paragraph or heading: its source lines ``start:stop``, their prefixes and the codes' raw
    text."""

    start: int
    stop: int
    prefix: str
    continuation: str
    suffix: str
    raws: dict[int, _Raw] = field(default_factory=dict)


@dataclass
class _Cell:
    """A table cell: its row's line and its index in the row."""

    line: int
    index: int
    raws: dict[int, _Raw] = field(default_factory=dict)


@dataclass
class _Alt:
    """An image's alternative text, or a link's or image's title, written inside its owner block's
    code (``field``: "alt" or "title")."""

    owner: int
    code: int
    field: str = "alt"


_Handle = _Lines | _Cell | _Alt


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough")


class MarkdownDocument(Document):
    """A Markdown article (see the module docstring)."""

    suffixes = (".md", ".markdown")

    def __init__(self, data: bytes, name: str) -> None:
        if len(data) > MAX_BYTES:
            raise InputError(f"{name}: {len(data):,} bytes, more than a Markdown article holds (32 MB)")
        text = decode_utf8(data, name)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.lines = re.sub(r"\r\n?", "\n", text).split("\n")
        for number, line in enumerate(self.lines, start=1):
            if len(line) > MAX_LINE:
                raise InputError(
                    f"{name}:{number}: a line of {len(line):,} characters "
                    f"(at most {MAX_LINE:,} in a Markdown article)"
                )
        found = _walk(_parser().parse("\n".join(self.lines)), self.lines)
        self._handles = [handle for _, handle in found]
        super().__init__(data, name, [block for block, _ in found])

    @classmethod
    def read(cls, data: bytes, name: str) -> MarkdownDocument:
        """The Markdown article in ``data`` (``name`` for messages)."""
        return cls(data, name)

    def render(self, translations: Sequence[BlockTranslation]) -> bytes:
        """The article with every block in English; every other line as it was."""
        self.check_translations(translations)
        alts: dict[tuple[int, int, str], str] = {}
        for handle, translation in zip(self._handles, translations, strict=True):
            if isinstance(handle, _Alt):
                alts[(handle.owner, handle.code, handle.field)] = translation.text
        lines: list[str | None] = list(self.lines)
        rows: dict[int, dict[int, str]] = {}
        for index, (handle, block, translation) in enumerate(
            zip(self._handles, self.blocks, translations, strict=True)
        ):
            if isinstance(handle, _Alt):
                continue
            in_cell = isinstance(handle, _Cell)
            tree = content_tree(translation.text, block.codes, translation.spans())
            rendered = _render(tree, handle.raws, index, alts, in_cell)
            if isinstance(handle, _Cell):
                rows.setdefault(handle.line, {})[handle.index] = rendered
                continue
            rendered = _LINE_START.sub(_escaped_marker, rendered, count=1)
            if rendered.rstrip(" ").endswith("\\\n"):
                # A hard break ends a paragraph only before something: a no-break space, as the
                # source must have had.
                rendered = rendered.rstrip(" ") + "&nbsp;"
            rendered = rendered.replace("\n", "\n" + handle.continuation)
            lines[handle.start] = handle.prefix + rendered + handle.suffix
            for line in range(handle.start + 1, handle.stop):
                lines[line] = None
        for line, cells in rows.items():
            lines[line] = _replace_cells(self.lines[line], cells)
        return self.newline.join(line for line in lines if line is not None).encode("utf-8")


def _walk(tokens: Sequence[Token], lines: Sequence[str]) -> list[tuple[Block, _Handle]]:
    found: list[tuple[Block, _Handle]] = []
    stack: list[str] = []
    cell_index = 0
    row_line = 0
    for token in tokens:
        if token.nesting == 1:
            stack.append(token.type)
            if token.type == "tr_open" and token.map:
                row_line, cell_index = token.map[0], 0
        elif token.nesting == -1:
            opened = stack.pop() if stack else ""
            if opened in ("th_open", "td_open"):
                cell_index += 1
        if token.type != "inline" or not token.map or not stack:
            continue
        kind = _kind(stack)
        try:
            block, raws, alts = _scan(token)
        except _ScanError:
            continue
        alts = [(code, field, alt) for code, field, alt in alts if alt.translatable()]
        if not block.translatable() and not alts:
            continue
        if stack[-1] in ("th_open", "td_open"):
            handle: _Handle = _Cell(row_line, cell_index, raws)
        else:
            try:
                handle = _lines(token, lines)
            except _ScanError:
                continue
            handle.raws = raws
        # A block whose only text is its images' alternative texts is kept too: they are written
        # into its lines.
        owner = len(found)
        found.append((Block(block.text, block.codes, kind, token.map[0] + 1), handle))
        found.extend(
            (Block(alt.text, (), f"@{field}", token.map[0] + 1), _Alt(owner, code, field))
            for code, field, alt in alts
        )
    return found


def _kind(stack: Sequence[str]) -> str:
    innermost = stack[-1]
    if innermost == "heading_open":
        return "heading"
    if innermost in ("th_open", "td_open"):
        return "cell"
    if "list_item_open" in stack:
        return "list-item"
    if "blockquote_open" in stack:
        return "quote"
    return "text"


def _lines(token: Token, lines: Sequence[str]) -> _Lines:
    """Where a paragraph's or heading's content sits in its source lines."""
    assert token.map is not None
    start, stop = token.map
    content = token.content.split("\n")
    first = lines[start]
    at = first.rfind(content[0]) if content[0] else -1
    if at < 0 or stop - start != len(content):
        raise _ScanError
    suffix = first[at + len(content[0]) :].rstrip(" \t") if stop - start == 1 else ""
    continuation = ""
    if stop - start > 1:
        second = lines[start + 1]
        found = second.rfind(content[1]) if content[1] else -1
        continuation = second[:found] if found >= 0 else ""
    return _Lines(start, stop, first[:at], continuation, suffix)


class _Scanner:
    """Walks a block's inline tokens over its source, building the block and each code's raw text."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0
        self.builder = BlockBuilder(collapse=False)
        self.raws: dict[int, _Raw] = {}
        self.alts: list[tuple[int, str, Block]] = []  # (code, "alt" or "title", the text's block)
        self.title: tuple[int, int] | None = None

    def expect(self, text: str) -> None:
        if not self.source.startswith(text, self.position):
            raise _ScanError
        self.position += len(text)

    def text(self, text: str) -> None:
        """Consume the source of ``text``: backslash escapes and entities stand for characters."""
        source, position, index = self.source, self.position, 0
        while index < len(text):
            if position >= len(source):
                raise _ScanError
            char = source[position]
            escaped = position + 1 < len(source) and source[position + 1] in _ASCII_PUNCTUATION
            if char == "\\" and escaped and source[position + 1] == text[index]:
                position, index = position + 2, index + 1
                continue
            if char == "&":
                match = _ENTITY.match(source, position)
                if match is not None:
                    decoded = html.unescape(match.group())
                    if decoded != match.group() and text.startswith(decoded, index):
                        position, index = match.end(), index + len(decoded)
                        continue
            if char != text[index]:
                raise _ScanError
            position, index = position + 1, index + 1
        self.position = position
        self.builder.text(text)

    def line_break(self, hard: bool) -> None:
        match = re.compile(r"(?: {2,}|\\)?\n[ \t]*" if hard else r"[ \t]*\n[ \t]*").match(
            self.source, self.position
        )
        if match is None:
            raise _ScanError
        self.position = match.end()
        if hard:
            self.builder.space()
            code = self.builder.point("br")
            self.raws[code] = _Raw("\\\n")
        else:
            self.builder.text(" ")

    def delimited(self, markup: str, label: str) -> int:
        self.expect(markup)
        code = self.builder.open(label)
        self.raws[code] = _Raw(markup, markup)
        return code

    def code_span(self, token: Token) -> None:
        start = self.position
        ticks = token.markup
        self.expect(ticks)
        close = re.compile(rf"(?<!`){re.escape(ticks)}(?!`)").search(self.source, self.position)
        if close is None:
            raise _ScanError
        self.position = close.end()
        code = self.builder.open("code", protected=True)
        self.builder.text(token.content)
        self.builder.close(code)
        self.raws[code] = _Raw(self.source[start : self.position])

    def link_tail(self, label: str, code: int) -> str:
        """The raw text after a link's or image's ``]``, consumed; a title in it becomes a block of
        its own (where it is: ``self.title``, offsets into the tail)."""
        source, start = self.source, self.position
        self.title = None
        if source.startswith("(", start):
            position = _skip_space(source, start + 1)
            if not source.startswith(")", position):
                destination = parseLinkDestination(source, position, len(source))
                if not destination.ok:
                    raise _ScanError
                position = _skip_space(source, destination.pos)
                if not source.startswith(")", position):
                    title = parseLinkTitle(source, position, len(source))
                    if not title.ok:
                        raise _ScanError
                    self.title = (position - start, title.pos - start)
                    text = BlockBuilder(collapse=True)
                    text.text(title.str)
                    self.alts.append((code, "title", text.build("@title")))
                    position = _skip_space(source, title.pos)
            if not source.startswith(")", position):
                raise _ScanError
            self.position = position + 1
            return source[start : self.position]
        if source.startswith("[", start):
            end = _closing_bracket(source, start)
            self.position = end + 1
            tail = source[start : self.position]
            return tail if tail != "[]" else f"[{label}]"
        return f"[{label}]"  # a shortcut reference: its label was the link text


def _scan(inline: Token) -> tuple[Block, dict[int, _Raw], list[tuple[int, str, Block]]]:
    scanner = _Scanner(inline.content)
    children = inline.children or []
    # (token type, or "html" with the tag's name; the code; where a link's label starts)
    open_codes: list[tuple[str, int, int, str]] = []
    index = 0
    while index < len(children):
        token = children[index]
        kind = token.type
        if kind == "text":
            scanner.text(token.content)
        elif kind in ("softbreak", "hardbreak"):
            scanner.line_break(kind == "hardbreak")
        elif kind in ("em_open", "strong_open", "s_open"):
            open_codes.append((kind, scanner.delimited(token.markup, kind.removesuffix("_open")), 0, ""))
        elif kind in ("em_close", "strong_close", "s_close"):
            _, code, _, _ = open_codes.pop()
            scanner.expect(token.markup)
            scanner.builder.close(code)
        elif kind == "code_inline":
            scanner.code_span(token)
        elif kind == "link_open" and token.markup == "autolink":
            start = scanner.position
            end = scanner.source.find(">", start)
            if not scanner.source.startswith("<", start) or end < 0:
                raise _ScanError
            scanner.position = end + 1
            code = scanner.builder.open("url", protected=True)
            scanner.builder.text(scanner.source[start + 1 : end])
            scanner.builder.close(code)
            scanner.raws[code] = _Raw(scanner.source[start : end + 1])
            while index < len(children) and children[index].type != "link_close":
                index += 1
        elif kind == "link_open":
            scanner.expect("[")
            code = scanner.builder.open("a")
            open_codes.append((kind, code, scanner.position, ""))
        elif kind == "link_close":
            _, code, label_start, _ = open_codes.pop()
            label = scanner.source[label_start : scanner.position]
            scanner.expect("]")
            scanner.builder.close(code)
            scanner.raws[code] = _Raw("[", "]" + scanner.link_tail(label, code))
            scanner.raws[code].title = _shifted(scanner.title)
        elif kind == "image":
            scanner.expect("![")
            end = _closing_bracket(scanner.source, scanner.position - 1)
            label = scanner.source[scanner.position : end]
            scanner.position = end + 1
            code = scanner.builder.point("img")
            alt = BlockBuilder(collapse=True)
            alt.text(token.content)
            scanner.alts.append((code, "alt", alt.build("@alt")))
            scanner.raws[code] = _Raw(label, "]" + scanner.link_tail(label, code))
            scanner.raws[code].title = _shifted(scanner.title)
        elif kind == "html_inline":
            scanner.expect(token.content)
            _html_tag(scanner, token.content, open_codes)
        else:
            raise _ScanError
        index += 1
    if scanner.position != len(scanner.source) or any(kind != "html" for kind, _, _, _ in open_codes):
        raise _ScanError
    for _, code, _, _ in reversed(open_codes):  # unclosed HTML tags: close them at the end
        scanner.builder.close(code)
    return scanner.builder.build(), scanner.raws, scanner.alts


def _html_tag(scanner: _Scanner, tag: str, open_codes: list[tuple[str, int, int, str]]) -> None:
    """Raw inline HTML: an opening and its closing tag are one WRAP code, anything else a point."""
    match = _HTML_TAG.match(tag)
    if match is None or match.group(3) or match.group(2).lower() in _VOID_TAGS:
        scanner.raws[scanner.builder.point("html")] = _Raw(tag)
        return
    closing, name = bool(match.group(1)), match.group(2).lower()
    if not closing:
        code = scanner.builder.open(name)
        scanner.raws[code] = _Raw(tag)
        open_codes.append(("html", code, 0, name))
        return
    if open_codes and open_codes[-1][0] == "html" and open_codes[-1][3] == name:
        _, code, _, _ = open_codes.pop()
        scanner.builder.close(code)
        scanner.raws[code].after = tag
        return
    scanner.raws[scanner.builder.point("html")] = _Raw(tag)


def _shifted(span: tuple[int, int] | None) -> tuple[int, int] | None:
    """A title's place in the tail, as a place in ``"]" + tail``."""
    return None if span is None else (span[0] + 1, span[1] + 1)


def _skip_space(source: str, position: int) -> int:
    while position < len(source) and source[position] in " \t\n":
        position += 1
    return position


def _closing_bracket(source: str, start: int) -> int:
    """The index of the ``]`` closing the ``[`` at ``start`` (brackets nest; escapes count)."""
    depth = 0
    position = start
    while position < len(source):
        char = source[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return position
        position += 1
    raise _ScanError


def _escape(text: str, in_cell: bool) -> str:
    escaped = _ESCAPED.sub(lambda m: "\\" + m.group(1) if m.group(1) != "|" or in_cell else m.group(1), text)
    escaped = _ENTITY_LIKE.sub("&amp;", escaped)
    # Unicode spaces as character references: written raw, a no-break space beside a ``*`` makes it
    # no longer open or close emphasis (CommonMark's flanking rule), and the element would be lost.
    return _UNICODE_SPACE.sub(lambda m: f"&#x{ord(m.group()):x};", escaped)


def _render(
    node: Node,
    raws: dict[int, _Raw],
    owner: int,
    alts: dict[tuple[int, int, str], str],
    in_cell: bool,
    edge: str = "",
) -> str:
    """A block's tree as Markdown: text escaped, each code's markup as it was written. ``edge`` is
    the delimiter character of the emphasis ``node`` is inside, if any."""

    def written(raw: str) -> str:  # a table cell's pipes were unescaped by the table rule
        return raw.replace("|", "\\|") if in_cell else raw

    out: list[str] = []
    # (index in out, the element's label, its inner Markdown, its delimiter character)
    emphases: list[tuple[int, str, str, str]] = []
    for child in node.children:
        if isinstance(child, str):
            out.append(_escape(child, in_cell))
            continue
        assert child.code is not None
        raw = raws[child.code.id]
        after = raw.after
        title = alts.get((owner, child.code.id, "title"))
        if raw.title is not None and title is not None:
            quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
            after = after[: raw.title[0]] + quoted + after[raw.title[1] :]
        if child.code.kind is CodeKind.POINT and child.code.label == "img":
            alt = alts.get((owner, child.code.id, "alt"))
            shown = _escape(alt, in_cell) if alt is not None else written(raw.before)
            out.append("![" + shown + written(after))
        elif child.code.protected or child.code.kind is CodeKind.POINT:
            out.append(written(raw.before))
        elif raw.before in _DELIMITERS and after == raw.before:
            inner = _render(child, raws, owner, alts, in_cell, raw.before[0])
            emphases.append((len(out), child.code.label, inner, raw.before[0]))
            out.append(raw.before + inner + after)
        else:
            out.append(written(raw.before) + _render(child, raws, owner, alts, in_cell) + written(after))
    for index, label, inner, mark in emphases:
        before = "".join(out[:index]) or edge
        following = "".join(out[index + 1 :]) or edge
        touches = (before.endswith(mark) and not before.endswith("\\" + mark)) or following.startswith(mark)
        if not inner or touches or not _delimits(before[-1:], inner, following[:1], mark):
            # Markdown has no empty emphasis ("**" is text); delimiters that touch others of their
            # character join one run that parses otherwise ("_" "__x_" is not two ems); and a
            # translation can put a delimiter where CommonMark's flanking rules do not let it open
            # or close ("**![a](b)**Bộ"). The same element as inline HTML reads back as it is.
            out[index] = f"<{label}>{inner}</{label}>"
    return "".join(out)


def _escaped_marker(match: re.Match[str]) -> str:
    """A block's start that Markdown would read as block markup, escaped: a backslash before the
    punctuation (``\\#``, ``1\\.``; "\\1." would keep the backslash as text)."""
    if match.group(1) is not None:
        return match.group(1) + "\\" + match.group(2)
    return "\\" + match.group()


def _delimits(before: str, inner: str, following: str, mark: str) -> bool:
    """Whether ``mark`` (``*``, ``_`` or ``~``) around ``inner`` opens and closes an emphasis by
    CommonMark's flanking rules, between the characters ``before`` and ``following`` ("" at a
    line's edge)."""

    def space(char: str) -> bool:
        return not char or char.isspace()

    def punctuation(char: str) -> bool:
        return bool(char) and unicodedata.category(char)[0] in "PS"

    def left_flanking(prev: str, nxt: str) -> bool:
        return not space(nxt) and (not punctuation(nxt) or space(prev) or punctuation(prev))

    def right_flanking(prev: str, nxt: str) -> bool:
        return not space(prev) and (not punctuation(prev) or space(nxt) or punctuation(nxt))

    first, last = inner[0], inner[-1]
    opens = left_flanking(before, first) and (
        mark != "_" or not right_flanking(before, first) or punctuation(before)
    )
    closes = right_flanking(last, following) and (
        mark != "_" or not left_flanking(last, following) or punctuation(following)
    )
    return opens and closes


def _replace_cells(row: str, cells: dict[int, str]) -> str:
    """The table row ``row`` with cell ``i`` holding ``cells[i]`` (the other cells as they were)."""
    bounds = [match.start() for match in re.finditer(r"(?<!\\)\|", row)]
    stripped = row.strip()
    edges = [-1, *bounds, len(row)]
    pieces = [(edges[i] + 1, edges[i + 1]) for i in range(len(edges) - 1)]
    if stripped.startswith("|"):
        pieces = pieces[1:]
    if stripped.endswith("|") and len(stripped) > 1:
        pieces = pieces[:-1]
    out = row
    for index in sorted(cells, reverse=True):
        if index < len(pieces):
            start, end = pieces[index]
            out = out[:start] + " " + cells[index] + " " + out[end:]
    return out
