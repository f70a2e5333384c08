"""Placing inline elements into a translation: the word aligner's anchors, and the invariants every
placement keeps whatever the translation (each code exactly once, nesting kept, nothing lost)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from songngu.translate.documents.builder import BlockBuilder
from songngu.translate.documents.inline import SentenceTranslation, place_codes
from songngu.translate.documents.model import (
    Block,
    BlockTranslation,
    CodeKind,
    InlineCode,
    Node,
    content_tree,
)
from songngu.translate.documents.wordalign import TermSpan, align
from songngu.translate.segment import split_sentences

SOURCE = "Đại diện Ban Thư ký ASEAN và Nguyễn Thái Yên Hương tham dự cuộc họp ngày 9/6 tại Hà Nội."
TARGET = (
    "Representatives of the ASEAN Secretariat and Nguyen Thai Yen Huong attend the meeting "
    "on 9 June in Hanoi."
)


def wrap(block_text: str, phrase: str, code_id: int = 1, parent: int = 0, label: str = "b") -> InlineCode:
    start = block_text.index(phrase)
    return InlineCode(code_id, CodeKind.WRAP, start, start + len(phrase), parent, label)


def placed_text(block: Block, translation: BlockTranslation, code_id: int) -> str:
    spans = translation.spans()
    return translation.text[slice(*spans[code_id])]


def one_sentence(block: Block, target: str, terms: tuple[TermSpan, ...] = ()) -> BlockTranslation:
    return place_codes(block, [SentenceTranslation(0, len(block.text), target, terms)])


def test_a_glossary_term_is_linked_to_its_rendering_whatever_the_word_order() -> None:
    start = SOURCE.index("Ban Thư ký ASEAN")
    term = TermSpan(start, start + len("Ban Thư ký ASEAN"), ("ASEAN Secretariat",))
    block = Block(SOURCE, (wrap(SOURCE, "Ban Thư ký ASEAN"),))
    translation = one_sentence(block, TARGET, (term,))
    assert placed_text(block, translation, 1) == "ASEAN Secretariat"
    assert translation.codes[0].exact


def test_names_numbers_and_a_run_together_place_name_are_anchors() -> None:
    block = Block(
        SOURCE,
        (
            wrap(SOURCE, "Nguyễn Thái Yên Hương", 1),
            wrap(SOURCE, "9", 2, label="i"),
            wrap(SOURCE, "Hà Nội", 3, label="a"),
        ),
    )
    translation = one_sentence(block, TARGET)
    assert [placed_text(block, translation, i) for i in (1, 2, 3)] == ["Nguyen Thai Yen Huong", "9", "Hanoi"]
    assert all(code.exact for code in translation.codes)


def test_an_element_without_anchors_is_put_around_the_best_span_and_flagged() -> None:
    block = Block(SOURCE, (wrap(SOURCE, "tham dự"),))
    translation = one_sentence(block, TARGET)
    (code,) = translation.codes
    assert not code.exact and code.end > code.start
    # Interpolated between the name before it and the date after it.
    assert TARGET.index("Huong") < code.start < TARGET.index("9 June")


def test_a_point_between_linked_words_stays_between_them() -> None:
    at = SOURCE.index(" tham dự")
    block = Block(SOURCE, (InlineCode(1, CodeKind.POINT, at, at, label="img"),))
    translation = one_sentence(block, TARGET)
    assert translation.codes[0].exact
    assert translation.text[: translation.codes[0].start].endswith("Huong")


def test_an_element_across_two_sentences_starts_in_the_first_and_ends_in_the_second() -> None:
    text = "Bộ Ngoại giao chủ trì. Hà Nội tổ chức."
    block = Block(text, (wrap(text, "chủ trì. Hà Nội"),))
    translation = place_codes(
        block,
        [
            SentenceTranslation(0, 22, "The Ministry chairs."),
            SentenceTranslation(23, len(text), "Hanoi hosts."),
        ],
    )
    assert translation.text == "The Ministry chairs. Hanoi hosts."
    assert placed_text(block, translation, 1).endswith(". Hanoi")


def test_a_protected_element_found_verbatim_is_exact_and_one_not_found_loses_no_word() -> None:
    text = "Chạy lệnh make test để kiểm tra."
    code = InlineCode(1, CodeKind.WRAP, 10, 19, label="code", protected=True)
    block = Block(text, (code,))
    found = one_sentence(block, "Run the make test command to check.", (TermSpan(10, 19, ("make test",)),))
    assert placed_text(block, found, 1) == "make test" and found.codes[0].exact
    lost = one_sentence(block, "Run the check.")
    assert not lost.codes[0].exact and lost.codes[0].start == lost.codes[0].end


def test_nesting_is_kept_a_child_inside_its_parent() -> None:
    text = "Bộ Ngoại giao Việt Nam chủ trì."
    outer = wrap(text, "Ngoại giao Việt Nam", 1)
    inner = InlineCode(2, CodeKind.WRAP, text.index("Việt"), text.index("Việt") + 7, 1, "i")
    translation = one_sentence(Block(text, (outer, inner)), "Viet Nam's Ministry of Foreign Affairs chairs.")
    spans = translation.spans()
    assert spans[1][0] <= spans[2][0] <= spans[2][1] <= spans[1][1]


def test_the_tree_of_a_block_gives_back_its_text_with_each_code_once() -> None:
    text = "Bộ Ngoại giao họp."
    codes = (wrap(text, "Ngoại giao", 1), InlineCode(2, CodeKind.POINT, 17, 17, label="img"))
    tree = content_tree(text, codes, {1: (3, 13), 2: (17, 17)})
    assert flatten(tree) == text
    assert sorted(code_ids(tree)) == [1, 2]


def flatten(node: Node) -> str:
    return "".join(child if isinstance(child, str) else flatten(child) for child in node.children)


def code_ids(node: Node) -> list[int]:
    ids = [node.code.id] if node.code else []
    for child in node.children:
        if isinstance(child, Node):
            ids.extend(code_ids(child))
    return ids


WORDS = ["Bộ", "Ngoại", "giao", "họp", "ASEAN", "31", "Hà", "Nội", "tại", "ngày", "và", "các", "nước"]
TARGET_WORDS = ["the", "Ministry", "meets", "ASEAN", "31", "Hanoi", "in", "on", "and", "countries", "of"]


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    """A block built as a format would: words, with codes opened, closed and placed between them."""
    builder = BlockBuilder(collapse=False)
    open_codes: list[int] = []
    protected: int | None = None  # a protected element holds text only (code, translate="no")
    for _ in range(draw(st.integers(1, 25))):
        action = draw(st.sampled_from(["word", "word", "word", "open", "close", "point", "period"]))
        if protected is not None and action in ("open", "point"):
            continue
        if action == "word":
            if not builder.empty:
                builder.text(" ")
            builder.text(draw(st.sampled_from(WORDS)))
        elif action == "period":
            builder.text(".")
        elif action == "open":
            keep = draw(st.booleans())
            open_codes.append(builder.open("code" if keep else "b", protected=keep))
            protected = open_codes[-1] if keep else None
        elif action == "close" and open_codes:
            builder.close(open_codes.pop())
            protected = None
        elif action == "point":
            builder.point("img")
    builder.text(" " + draw(st.sampled_from(WORDS)))
    while open_codes:
        builder.close(open_codes.pop())
    return builder.build()


@given(blocks(), st.lists(st.lists(st.sampled_from(TARGET_WORDS), max_size=12), min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_every_placement_keeps_each_code_once_nested_as_in_the_source(
    block: Block, targets: list[list[str]]
) -> None:
    sentences = split_sentences(block.text)
    translations = [
        SentenceTranslation(start, end, " ".join(targets[i % len(targets)]))
        for i, (start, end) in enumerate(sentences)
    ]
    translation = place_codes(block, translations)
    assert_well_formed(block, translation)


@given(blocks())
@settings(max_examples=300, deadline=None)
def test_a_sentence_translated_into_itself_gets_every_code_back_where_it_was(block: Block) -> None:
    sentences = split_sentences(block.text)
    translation = place_codes(
        block, [SentenceTranslation(start, end, block.text[start:end]) for start, end in sentences]
    )
    assert_well_formed(block, translation)
    if len(sentences) == 1 and sentences[0] == (0, len(block.text)):
        assert translation.text == block.text
        spans = translation.spans()
        for code in block.codes:
            # An element around punctuation alone has no word to follow: only approximated.
            if code.kind is CodeKind.WRAP and re.search(r"\w", block.text[code.start : code.end]):
                start, end = spans[code.id]
                assert block.text[start:end] == block.text[code.start : code.end].strip()


def assert_well_formed(block: Block, translation: BlockTranslation) -> None:
    spans = translation.spans()
    assert sorted(spans) == sorted(code.id for code in block.codes)
    by_id = {code.id: code for code in block.codes}
    for code in block.codes:
        start, end = spans[code.id]
        assert 0 <= start <= end <= len(translation.text)
        if code.kind is CodeKind.POINT:
            assert start == end
        parent = (0, len(translation.text)) if code.parent == 0 else spans[code.parent]
        assert parent[0] <= start <= end <= parent[1]
    for a in block.codes:
        for b in block.codes:
            if a.id < b.id and a.parent == b.parent:
                (a0, a1), (b0, b1) = spans[a.id], spans[b.id]
                if by_id[a.id].kind is CodeKind.WRAP and by_id[b.id].kind is CodeKind.WRAP:
                    assert a1 <= b0 or b1 <= a0 or a0 == a1 or b0 == b1
                else:  # a point never falls strictly inside a sibling
                    point, other = (a0, (b0, b1)) if a0 == a1 else (b0, (a0, a1))
                    assert not other[0] < point < other[1]
    tree = content_tree(translation.text, block.codes, spans)
    assert flatten(tree) == translation.text
    assert sorted(code_ids(tree)) == sorted(spans)


def test_align_links_terms_before_same_tokens() -> None:
    alignment = align(
        "Bộ Ngoại giao họp.",
        "The Ministry of Foreign Affairs meets.",
        (TermSpan(0, 13, ("Ministry of Foreign Affairs",)),),
    )
    assert [link.kind for link in alignment.links] == ["term", "same"]  # the term, and the final period
