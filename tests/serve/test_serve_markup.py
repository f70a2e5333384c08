"""The server's ``translate_markup``: its parsing and refusals, and its placement, which is the
documents' (word alignment and ``place_codes``). No model: the records are made here from the real
segmentation, with English chosen by the test. Its invariants: every element exactly once, nested as
sent (siblings may swap, as the English's word order says); kept elements byte for byte; terms
wrapped exactly."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from songngu.translate.records import Segment, SegmentResult, TermOutcome
from songngu.translate.segment import segment_article
from songngu.translate.serve.failures import ApiError
from songngu.translate.serve.markup import MarkupKind, parse_markup, rebuild, translate_markup


@dataclass
class Block:
    segments: tuple[Segment, ...]
    results: list[SegmentResult]
    renderings: tuple[tuple[tuple[str, ...], ...], ...] = field(default=())


def english(texts: list[str], terms: dict[str, str] | None = None, reverse: bool = False) -> list[Block]:
    """Records for each block: each sentence's words upper-cased (reversed with ``reverse``: the
    English reorders), each ``terms`` key found in it rendered by its value and reported met."""
    blocks = []
    for text in texts:
        segments = tuple(segment_article(text, "b"))
        results, renderings = [], []
        for segment in segments:
            outcomes, rendered, words = [], [], segment.source.upper().split()
            for vi, en in (terms or {}).items():
                at = segment.source.find(vi)
                if at >= 0:
                    outcomes.append(TermOutcome(at, at + len(vi), vi, en, True))
                    rendered.append((en,))
                    words.append(en)
            target = " ".join(reversed(words) if reverse else words)
            results.append(SegmentResult(segment.id, segment.source, target, 1, terms=outcomes))
            renderings.append(tuple(rendered))
        blocks.append(Block(segments, results, tuple(renderings)))
    return blocks


def run(fragment: str, kind: MarkupKind, **options: object):
    async def translate(texts: list[str]) -> list[Block]:
        return english(texts, options.get("terms"), bool(options.get("reverse")))  # type: ignore[arg-type]

    return asyncio.run(translate_markup(fragment, kind, translate))


def shape(fragment: str, kind: MarkupKind) -> list[tuple[str, tuple[tuple[str, str], ...], int]]:
    """Every element in document order: tag, attributes, depth."""
    if kind is MarkupKind.HTML:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    else:
        root = etree.fromstring(f"<r>{fragment}</r>")

    def depth(node) -> int:
        return sum(1 for _ in node.iterancestors())

    return [
        (
            node.tag if isinstance(node.tag, str) else "#comment",
            tuple(sorted(node.attrib.items())),
            depth(node),
        )
        for node in root.iter()
        if node is not root
    ]


def tree(fragment: str, kind: MarkupKind) -> tuple[object, ...]:
    """The fragment's elements as an unordered tree: each element's tag, attributes and children,
    the children sorted (the placement may swap siblings)."""
    if kind is MarkupKind.HTML:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    else:
        root = etree.fromstring(f"<r>{fragment}</r>")

    def node(element) -> tuple[object, ...]:
        tag = element.tag if isinstance(element.tag, str) else "#comment"
        return (tag, tuple(sorted(element.attrib.items())), tuple(sorted(node(c) for c in element)))

    return node(root)[2]


def test_an_element_around_a_term_wraps_its_english_exactly() -> None:
    result = run(
        "<p>Hôm nay <b>Liên hợp quốc</b> họp ở <i>Hà Nội</i>.</p>",
        MarkupKind.HTML,
        terms={"Liên hợp quốc": "United Nations"},
    )
    assert "<b>United Nations</b>" in result.text
    # "Hà Nội" is linked to "HÀ NỘI" by the aligner (capitalised words, diacritics folded).
    assert "<i>HÀ NỘI</i>" in result.text
    assert [(p.tag, p.how) for p in result.placements] == [
        ("p", "block"),
        ("b", "term"),
        ("i", "aligned"),
    ]


def test_an_element_without_links_is_interpolated() -> None:
    result = run("<p>Hôm nay <b>họp</b> ở đây.</p>", MarkupKind.HTML)
    assert result.text.count("<b>") == 1
    assert [(p.tag, p.how) for p in result.placements] == [("p", "block"), ("b", "interpolated")]


def test_terms_in_reordered_english_take_their_elements_along() -> None:
    fragment = "<b>Liên hợp quốc</b> và <i>ASEAN</i> họp."

    async def translate(texts: list[str]) -> list[Block]:
        (text,) = texts
        (segment,) = segment_article(text, "b")
        terms = [
            TermOutcome(0, 13, "Liên hợp quốc", "United Nations", True),
            TermOutcome(17, 22, "ASEAN", "ASEAN", True),
        ]
        target = "ASEAN and the United Nations met."  # the English names the terms the other way round
        result = SegmentResult(segment.id, segment.source, target, 1, terms=terms)
        return [Block((segment,), [result], ((("United Nations",), ("ASEAN",)),))]

    result = asyncio.run(translate_markup(fragment, MarkupKind.XML, translate))
    # Each element wraps its term's English, so the two swap places, as the terms did; the report
    # keeps the order sent.
    assert result.text == "<i>ASEAN</i> and the <b>United Nations</b> met."
    assert tree(result.text, MarkupKind.XML) == tree(fragment, MarkupKind.XML)
    assert [(p.tag, p.how) for p in result.placements] == [("b", "term"), ("i", "term")]


def test_elements_stay_in_their_sentence_and_block() -> None:
    fragment = "<p>Câu một. Câu <em>hai</em> đây.</p><p>Khối <a href='x'>khác</a>.</p>"
    result = run(fragment, MarkupKind.HTML)
    first, second = result.text.split("</p>", 1)
    assert "<em>" in first and first.index("<em>") > first.index("MỘT.")
    assert '<a href="x">' in second


def test_kept_elements_are_left_byte_for_byte() -> None:
    fragment = (
        '<p>Chạy <code>ls -l &amp;&amp; cd</code> rồi <span translate="no">Tên riêng</span> '
        '<span class="notranslate">X</span><!-- ghi chú --><script>var a = "<b>";</script> xong.</p>'
    )
    # The words around them are translated (here: upper-cased); they are not, and keep their spaces.
    assert run(fragment, MarkupKind.HTML).text == (
        '<p>CHẠY <code>ls -l &amp;&amp; cd</code> RỒI <span translate="no">Tên riêng</span> '
        '<span class="notranslate">X</span><!-- ghi chú --><script>var a = "<b>";</script> XONG.</p>'
    )


def test_placeholders_stay_between_words() -> None:
    assert run('Có <x id="0"></x> tin nhắn từ <x id="1"></x>.', MarkupKind.XML).text == (
        'CÓ <x id="0"></x> TIN NHẮN TỪ <x id="1"></x>.'
    )


def test_whitespace_around_blocks_is_kept() -> None:
    fragment = "\n<ul>\n  <li>Một.</li>\n  <li> Hai. </li>\n</ul>\n"
    result = run(fragment, MarkupKind.HTML)
    assert result.text == "\n<ul>\n  <li>MỘT.</li>\n  <li> HAI. </li>\n</ul>\n"


def test_xml_placeholders_keep_their_written_form() -> None:
    result = run('A <x id="1"></x> b <x id="2"/>.', MarkupKind.XML)
    assert result.text.count('<x id="1"></x>') == 1 and result.text.count('<x id="2"></x>') == 1


def test_ignore_and_splitting_tags() -> None:
    parsed = parse_markup(
        "<s>Một.</s><s>Hai <k>giữ</k>.</s>", MarkupKind.XML, ignore_tags=["k"], splitting_tags=["s"]
    )
    assert parsed.texts == ["Một.", "Hai ."]
    assert rebuild(parsed, english(parsed.texts)).text == "<s>MỘT.</s><s>HAI <k>giữ</k>.</s>"


@pytest.mark.parametrize(
    ("fragment", "kind", "message"),
    [
        ("<b>a</i>", MarkupKind.XML, "line 1, column"),
        ("a &nbsp; b", MarkupKind.XML, "not well-formed"),
        ("a</b> b", MarkupKind.HTML, "cannot be kept as sent"),
        ("<p>a<div>b</div></p>", MarkupKind.HTML, "cannot be kept as sent"),
        ("<html><body>a</body></html>", MarkupKind.HTML, "fragment"),
        ("<i>" * 150 + "a" + "</i>" * 150, MarkupKind.XML, "nested more than 100"),
    ],
)
def test_markup_that_cannot_be_kept_is_refused(fragment: str, kind: MarkupKind, message: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse_markup(fragment, kind)
    assert refused.value.status == 400 and message in refused.value.message


WORDS = st.sampled_from(["Hà", "Nội", "họp", "đại", "biểu", "hôm", "nay", "Liên", "quốc", "và", "."])


@st.composite
def inline(draw, depth: int = 0, in_link: bool = False) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(["words", "words", "element", "empty", "kept"] if depth < 4 else ["words"])
        )
        if kind == "words":
            parts.append(" ".join(draw(st.lists(WORDS, min_size=1, max_size=4))))
        elif kind == "element":
            # HTML has no link inside a link: its parser would take them apart.
            tag = draw(st.sampled_from(["b", "i", "span"] if in_link else ["b", "i", "a", "span"]))
            attribute = ' href="u?a=1&amp;b=2"' if tag == "a" else ""
            parts.append(f"<{tag}{attribute}>{draw(inline(depth + 1, in_link or tag == 'a'))}</{tag}>")
        elif kind == "empty":
            parts.append(draw(st.sampled_from(["<br/>", '<x id="7"></x>'])))
        else:
            parts.append('<code translate="no">k&lt;1</code>')
    return draw(st.sampled_from([" ", ""])).join(parts)


@settings(max_examples=200, deadline=None)
@given(st.lists(inline(), min_size=1, max_size=3), st.booleans(), st.booleans())
def test_every_element_once_and_nested_as_sent(paragraphs: list[str], reverse: bool, as_xml: bool) -> None:
    kind = MarkupKind.XML if as_xml else MarkupKind.HTML
    fragment = "".join(f"<p>{p}</p>" for p in paragraphs)
    if kind is MarkupKind.HTML:
        fragment = fragment.replace("<br/>", "<br>").replace('<x id="7"></x>', '<img alt="x">')
    result = run(fragment, kind, terms={"Liên": "League"}, reverse=reverse)
    # The English here moves each term's rendering to the sentence's end (and, with ``reverse``,
    # reverses the words): elements may swap, never get lost, duplicated or moved to another parent.
    assert tree(result.text, kind) == tree(fragment, kind)
    assert result.text.count('<code translate="no">k&lt;1</code>') == fragment.count(
        '<code translate="no">k&lt;1</code>'
    )
    assert len(result.placements) == len(shape(fragment, kind))
