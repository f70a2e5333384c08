"""Any HTML or Markdown, written back untranslated, reads as the same blocks (hypothesis): the walk
that finds each element's markup and the writer that puts it back agree on every input, and no
input ends in anything but a parsed document or one InputError line."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from songngu.errors import InputError
from songngu.translate.documents.html import HtmlDocument
from songngu.translate.documents.markdown import MarkdownDocument
from songngu.translate.documents.model import Document, identity

WORDS = ["Bộ", "Ngoại", "giao", "họp", "ASEAN", "31", "ngày", "9/6", "và", "Hà", "Nội", "x_y", "a*b"]
MARKDOWN_PIECES = [
    *WORDS,
    " ",
    " ",
    "**",
    "*",
    "_",
    "__",
    "~~",
    "`mã`",
    "``a ` b``",
    "[liên kết](http://a.vn/x?a=1&b=2)",
    '[trang](/p "Tiêu đề")',
    "[ref]",
    "[r][ref]",
    "![ảnh](a.png)",
    '![ảnh](a.png "t")',
    "<b>",
    "</b>",
    "<br>",
    "<http://auto.link>",
    "\\*",
    "\\[",
    "&amp;",
    "&nbsp;",
    "\n",
    "\n\n",
    "\n# ",
    "\n## ",
    "\n- ",
    "\n1. ",
    "\n> ",
    "  \n",
    "\\\n",
    "\n| a | b |\n|---|---|\n| ",
    " | ",
    "\n```\nmã\n```\n",
    "\n[ref]: http://x.y\n",
    "\n===\n",
]
HTML_PIECES = [
    *WORDS,
    " ",
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    '<a href="/x?a=1&amp;b=2" title="Xem">',
    "</a>",
    "<span>",
    "</span>",
    "<br>",
    '<img src="a.png" alt="Ảnh">',
    "<code>mã</code>",
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<li>",
    "<td>",
    "<pre>mã</pre>",
    '<span translate="no">giữ</span>',
    "<!-- chú thích -->",
    "<script>var a = '<p>x</p>';</script>",
    "&amp;",
    "&lt;",
    "\n",
]


def blocks_of(document: Document) -> list[tuple[str, str, list[tuple[str, int, int, int, bool]]]]:
    return [
        (b.text, b.kind, [(c.label, c.start, c.end, c.parent, c.protected) for c in b.codes])
        for b in document.blocks
    ]


def round_trip(document: Document, read: type[Document]) -> None:
    rendered = document.render([identity(block) for block in document.blocks])
    again = read.read(rendered, document.name)  # type: ignore[attr-defined]
    assert blocks_of(again) == blocks_of(document)


@given(st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=40))
@example(["**", "&nbsp;", "*"])  # an emphasis whose only text, a no-break space, is trimmed away
@example(["x", " ", "*", "&nbsp;", "*"])  # a no-break space beside the delimiters
@example(["_", "__", "Bộ", "_", "~~", "_", "~~"])  # nested ems whose delimiters touch
@example(["**", "![ảnh](a.png)", "**", "&nbsp;", "Bộ"])  # the space that let "**" close is trimmed
@example(["&nbsp;", "\n1. "])  # a block starting "1." once its first line is trimmed away
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_markdown_written_back_untranslated_reads_as_the_same_blocks(pieces: list[str]) -> None:
    try:
        document = MarkdownDocument.read("".join(pieces).encode(), "bai.md")
    except InputError:
        return
    round_trip(document, MarkdownDocument)


@given(st.lists(st.sampled_from(HTML_PIECES), max_size=40))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_html_written_back_untranslated_reads_as_the_same_blocks(pieces: list[str]) -> None:
    page = "<!DOCTYPE html><html><body>" + "".join(pieces) + "</body></html>"
    try:
        document = HtmlDocument.read(page.encode(), "bai.html")
    except InputError:
        return
    round_trip(document, HtmlDocument)


@pytest.mark.parametrize(
    ("markdown", "written"),
    [
        ("**&nbsp;*", "\\*<em></em>"),  # Markdown has no empty emphasis: the element as inline HTML
        ("x *&nbsp;* y", "x *&#xa0;* y"),  # raw, the no-break space would stop "*" opening emphasis
        ("a ~~&#x2003;~~", "a<s></s>"),
        ("___Bộ_~~_~~", "\\__<em>Bộ</em>\\~\\~_\\~\\~"),  # "_" "_Bộ_" would join one run
        ("**![ảnh](a.png)**&nbsp;Bộ", "<strong>![ảnh](a.png)</strong>Bộ"),  # "**" before "Bộ" opens
        ("&nbsp;\n1. ", "1\\."),  # "\\1." would read as a backslash and "1."
        ("_a_ *b*", "_a_ *b*"),  # delimiters that touch nothing are written as they were
    ],
)
def test_an_emphasis_markdown_cannot_delimit_is_written_so_it_reads_back(markdown: str, written: str) -> None:
    document = MarkdownDocument.read(markdown.encode(), "bai.md")
    rendered = document.render([identity(block) for block in document.blocks])
    assert rendered.decode() == written
    round_trip(document, MarkdownDocument)
