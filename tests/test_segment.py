"""Paragraph and sentence segmentation of Vietnamese articles, and ``songngu segment``."""

from __future__ import annotations

from pathlib import Path

import pytest
from boundary_score import group_articles, read_internal_boundaries, score_boundaries
from hypothesis import given, settings
from hypothesis import strategies as st

from songngu.textfile import read_text
from songngu.translate.cli import main
from songngu.translate.segment import article_name, segment_article, split_paragraphs, split_sentences

ROOT = Path(__file__).resolve().parent.parent
FLORES = ROOT / "data" / "flores200"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def sources(text: str, name: str = "a") -> list[str]:
    return [segment.source for segment in segment_article(text, name)]


# --- sentence rules -------------------------------------------------------------------------------


def test_splits_at_sentence_final_punctuation():
    text = "Hội nghị khai mạc. Các nước tham dự! Ai chủ trì? Việt Nam chủ trì… Cuộc họp kết thúc."
    assert sentences(text) == [
        "Hội nghị khai mạc.",
        "Các nước tham dự!",
        "Ai chủ trì?",
        "Việt Nam chủ trì…",
        "Cuộc họp kết thúc.",
    ]


def test_splits_before_digits_and_opening_quotes_and_brackets():
    text = 'Năm nay có hội nghị. 60 đại biểu dự. “Đây là dịp quan trọng”, ông nói. (Ảnh: TTXVN.) "Tốt."'
    assert sentences(text) == [
        "Năm nay có hội nghị.",
        "60 đại biểu dự.",
        "“Đây là dịp quan trọng”, ông nói.",
        "(Ảnh: TTXVN.)",
        '"Tốt."',
    ]


def test_combined_punctuation_is_one_boundary():
    assert sentences("Thật sao?! Đúng vậy... Thế à?.. Vâng.") == [
        "Thật sao?!",
        "Đúng vậy...",
        "Thế à?..",
        "Vâng.",
    ]


@pytest.mark.parametrize(
    "title", ["TS.", "GS.", "PGS.", "ThS.", "TP.", "Tp.", "St.", "Mr.", "Mrs.", "Dr.", "Ms.", "Prof.", "BS."]
)
def test_no_split_after_titles_and_abbreviations(title):
    text = f"Phát biểu của {title} Nguyễn Văn An được đánh giá cao. Hội thảo kết thúc."
    assert sentences(text) == [
        f"Phát biểu của {title} Nguyễn Văn An được đánh giá cao.",
        "Hội thảo kết thúc.",
    ]


def test_no_split_after_compound_titles():
    assert sentences("PGS.TS. Trần Văn Bình và Th.S. Lê Hoa dự họp. Họ phát biểu.") == [
        "PGS.TS. Trần Văn Bình và Th.S. Lê Hoa dự họp.",
        "Họ phát biểu.",
    ]


def test_no_split_after_initials():
    assert sentences("Nhà văn J. K. Rowling và George W. Bush gặp nhau. Họ trò chuyện.") == [
        "Nhà văn J. K. Rowling và George W. Bush gặp nhau.",
        "Họ trò chuyện.",
    ]
    assert sentences("Ông J.R.R. Tolkien viết sách. Sách bán chạy.") == [
        "Ông J.R.R. Tolkien viết sách.",
        "Sách bán chạy.",
    ]


def test_capital_letter_after_lowercase_word_ends_the_sentence():
    assert sentences("Trái cây giàu vitamin C. Các chuyên gia khuyên ăn nhiều.") == [
        "Trái cây giàu vitamin C.",
        "Các chuyên gia khuyên ăn nhiều.",
    ]


def test_numbers_dates_and_ranges_do_not_split():
    text = (
        "Tăng trưởng 3.5 phần trăm vào ngày 9-10/6 và tháng 1/2024 với 1.000.000 đồng, "
        "giai đoạn 2021-2025. Số liệu 6.387 km được công bố vào 07:19."
    )
    assert sentences(text) == [
        "Tăng trưởng 3.5 phần trăm vào ngày 9-10/6 và tháng 1/2024 với 1.000.000 đồng, giai đoạn 2021-2025.",
        "Số liệu 6.387 km được công bố vào 07:19.",
    ]


def test_sentence_ending_in_a_number_or_date_splits():
    assert sentences("Cuộc họp diễn ra ngày 9-10/6. Hội nghị lần thứ 53. 2021 là năm bản lề.") == [
        "Cuộc họp diễn ra ngày 9-10/6.",
        "Hội nghị lần thứ 53.",
        "2021 là năm bản lề.",
    ]


def test_list_marker_opening_a_sentence_does_not_split():
    assert sentences("1. Mở đầu hội nghị. II. Kết quả đạt được.") == [
        "1. Mở đầu hội nghị.",
        "II. Kết quả đạt được.",
    ]


def test_ellipsis_inside_a_sentence_does_not_split():
    text = (
        "Quyền phụ nữ và trẻ em…; đồng thời khẳng định cam kết. "
        "Các tổ chức như UNICEF, IOM… và nhiều nước Lào, Malaysia… nhằm tăng cường hợp tác. "
        "Các món ăn ... được dâng lên."
    )
    assert sentences(text) == [
        "Quyền phụ nữ và trẻ em…; đồng thời khẳng định cam kết.",
        "Các tổ chức như UNICEF, IOM… và nhiều nước Lào, Malaysia… nhằm tăng cường hợp tác.",
        "Các món ăn ... được dâng lên.",
    ]


def test_lowercase_continuation_does_not_split():
    assert sentences("Ông nói: “Xin chào!” và mỉm cười. Họ đáp lại.") == [
        "Ông nói: “Xin chào!” và mỉm cười.",
        "Họ đáp lại.",
    ]


@pytest.mark.parametrize("closer", ["”", '"', "»", ")", "]", "’"])
def test_closing_quote_or_bracket_stays_with_its_sentence(closer):
    text = f"Ông nói rằng cần hợp tác hơn nữa.{closer} Hội nghị kết thúc."
    assert sentences(text) == [f"Ông nói rằng cần hợp tác hơn nữa.{closer}", "Hội nghị kết thúc."]


def test_period_after_a_closing_quote_ends_the_sentence():
    text = "Thứ trưởng nhấn mạnh: “Để vượt qua… cần hợp tác, không phân biệt đối xử”. Thứ trưởng khẳng định."
    assert sentences(text) == [
        "Thứ trưởng nhấn mạnh: “Để vượt qua… cần hợp tác, không phân biệt đối xử”.",
        "Thứ trưởng khẳng định.",
    ]


def test_closing_quote_set_off_by_a_space_stays_with_its_sentence():
    assert sentences('"Chúng tôi sẽ cố gắng, Hu nói. " Ông ấy không đưa ra con số.') == [
        '"Chúng tôi sẽ cố gắng, Hu nói. "',
        "Ông ấy không đưa ra con số.",
    ]


def test_caption_after_a_sentence_is_its_own_segment():
    assert sentences("Hội thảo có sự tham dự của hơn 60 đại biểu. Ảnh: VT") == [
        "Hội thảo có sự tham dự của hơn 60 đại biểu.",
        "Ảnh: VT",
    ]


def test_no_terminal_punctuation_is_one_sentence():
    assert sentences("BBT") == ["BBT"]
    assert sentences("   ") == []
    assert sentences("") == []


# --- paragraphs, wraps, line ends ---------------------------------------------------------------


def test_blank_lines_separate_paragraphs_and_single_newlines_are_soft_wraps():
    text = "Tiêu đề bài\n\nDòng một của đoạn\nvẫn là đoạn đó. Câu hai.\n\nĐoạn ba."
    segments = segment_article(text, "bai")
    assert [(s.paragraph, s.sentence, s.source) for s in segments] == [
        (1, 1, "Tiêu đề bài"),
        (2, 1, "Dòng một của đoạn vẫn là đoạn đó."),
        (2, 2, "Câu hai."),
        (3, 1, "Đoạn ba."),
    ]


def test_soft_wrap_between_sentences_still_splits():
    assert sources("Câu một kết thúc.\nCâu hai bắt đầu ở dòng mới.") == [
        "Câu một kết thúc.",
        "Câu hai bắt đầu ở dòng mới.",
    ]


def test_multiple_and_whitespace_only_blank_lines_are_one_break():
    text = "\n\n  Đoạn một.\n\n\n \t \n\u00a0\nĐoạn hai.\n   \n"
    segments = segment_article(text, "x")
    assert [(s.id, s.source) for s in segments] == [("x:1:1", "Đoạn một."), ("x:2:1", "Đoạn hai.")]


def test_crlf_and_cr_line_ends():
    text = "Đoạn một\r\nnối dòng. Câu hai.\r\n\r\nĐoạn hai.\r\rĐoạn ba.\r\n"
    segments = segment_article(text, "x")
    assert [(s.id, s.source) for s in segments] == [
        ("x:1:1", "Đoạn một nối dòng."),
        ("x:1:2", "Câu hai."),
        ("x:2:1", "Đoạn hai."),
        ("x:3:1", "Đoạn ba."),
    ]
    for segment in segments:
        assert "\r" not in segment.source
        assert text[segment.start : segment.end].replace("\r\n", " ") == segment.source


def test_line_is_where_the_sentence_starts_counting_every_kind_of_line_end():
    text = "Đoạn một\r\nnối dòng. Câu hai.\r\n\r\nĐoạn hai.\r\rĐoạn ba.\n\n  Câu\nnăm. Câu sáu."
    assert [(s.id, s.line) for s in segment_article(text, "x")] == [
        ("x:1:1", 1),
        ("x:1:2", 2),  # after the soft wrap: the line the sentence starts on, not the paragraph's
        ("x:2:1", 4),
        ("x:3:1", 6),
        ("x:4:1", 8),
        ("x:4:2", 9),
    ]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
@pytest.mark.parametrize("variant", ["as is", "BOM and CRLF"])
def test_seed_lines_point_at_the_sentence_in_the_file(seed: Path, variant: str, tmp_path: Path) -> None:
    raw = seed.read_text(encoding="utf-8")
    path = seed
    if variant != "as is":
        path = tmp_path / seed.name
        path.write_bytes(b"\xef\xbb\xbf" + raw.replace("\n", "\r\n").encode("utf-8"))
    segments = segment_article(read_text(path), seed.stem)
    # The oracle: the file's own lines, as an editor numbers them (the BOM is no line).
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n" if variant != "as is" else "\n")
    assert segments and all(s.line >= 1 for s in segments)
    for segment in segments:
        first_line_of_sentence = read_text(path)[segment.start : segment.end].splitlines()[0]
        assert first_line_of_sentence in lines[segment.line - 1], segment.id
    # Both variants number alike.
    assert [s.line for s in segments] == [s.line for s in segment_article(raw, seed.stem)]


def test_split_paragraphs_spans_are_trimmed():
    text = "  Một.  \n\n\tHai\n ba.\n"
    assert [text[a:b] for a, b in split_paragraphs(text)] == ["Một.", "Hai\n ba."]


def test_empty_and_blank_text_give_no_segments():
    assert segment_article("", "x") == []
    assert segment_article(" \n\n\t\r\n", "x") == []


def test_ids_offsets_and_numbering():
    text = "Tiêu đề\n\n\n\nCâu một. Câu hai.\n\nCâu ba."
    segments = segment_article(text, "001_bai")
    assert [s.id for s in segments] == ["001_bai:1:1", "001_bai:2:1", "001_bai:2:2", "001_bai:3:1"]
    assert [(s.paragraph, s.sentence) for s in segments] == [(1, 1), (2, 1), (2, 2), (3, 1)]
    for segment in segments:
        assert text[segment.start : segment.end] == segment.source


def test_internal_spacing_is_kept_in_source():
    # Only soft wraps are normalised: offsets into the source must stay meaningful for term matching.
    assert sources("Văn kiện về nhân quyền  như về giáo dục.") == ["Văn kiện về nhân quyền  như về giáo dục."]


def test_article_name_drops_the_last_suffix_only():
    assert article_name("seeds/001_22198d4c667fcb7a.txt") == "001_22198d4c667fcb7a"
    assert article_name(Path("/x/bai.viet.txt")) == "bai.viet"
    assert article_name("README") == "README"


def test_seed_articles_segment_as_expected():
    by_name = {
        article_name(path): segment_article(path.read_text("utf-8"), article_name(path)) for path in SEEDS
    }
    seed_001 = {s.id: s.source for s in by_name["001_22198d4c667fcb7a"]}
    assert seed_001["001_22198d4c667fcb7a:3:1"] == "Hội thảo có sự tham dự của hơn 60 đại biểu."
    assert seed_001["001_22198d4c667fcb7a:3:2"] == "Ảnh: VT"
    assert seed_001["001_22198d4c667fcb7a:5:1"].endswith("không phân biệt đối xử”.")
    assert "trẻ em…; đồng thời" in seed_001["001_22198d4c667fcb7a:9:1"]
    seed_000 = [s.source for s in by_name["000_8d105ddd42d75641"]]
    assert seed_000[1].startswith("Cuộc họp lần thứ 31") and "9-10/6" in seed_000[1]
    assert len(seed_000) == 11
    seed_002 = by_name["002_fb5efaec8b85bbed"]
    assert seed_002[-1].source == "BBT"
    assert any("(IOM)… và" in s.source for s in seed_002)


# --- properties ------------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "Hội nghị",
        "TS.",
        "J.",
        "K.",
        "ASEAN",
        "3.5",
        "9-10/6",
        "1.000.000",
        "…",
        "...",
        ".",
        "!",
        "?",
        "”",
        "“",
        '"',
        "(",
        ")",
        "và",
        "Việt",
        "2021",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\n\n",
        " \n \n",
        "\t",
        "\u00a0",
        ";",
        ",",
    ]
)
_TEXTS = st.one_of(st.lists(_PIECES, max_size=40).map("".join), st.text(max_size=80))


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_segments_are_ordered_disjoint_and_cover_all_non_space_text(text):
    segments = segment_article(text, "p")
    covered = [False] * len(text)
    previous_end = 0
    for segment in segments:
        assert previous_end <= segment.start < segment.end <= len(text)
        assert not text[segment.start].isspace() and not text[segment.end - 1].isspace()
        assert segment.source and segment.source == segment.source.strip()
        for index in range(segment.start, segment.end):
            covered[index] = True
        previous_end = segment.end
    assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace())


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_ids_unique_numbering_dense_and_deterministic(text):
    segments = segment_article(text, "p")
    assert len({s.id for s in segments}) == len(segments)
    assert segments == segment_article(text, "p")
    for segment in segments:
        assert segment.id == f"p:{segment.paragraph}:{segment.sentence}"
    paragraphs = [s.paragraph for s in segments]
    assert paragraphs == sorted(paragraphs)
    assert sorted(set(paragraphs)) == list(range(1, len(set(paragraphs)) + 1))
    for number in set(paragraphs):
        in_paragraph = [s.sentence for s in segments if s.paragraph == number]
        assert in_paragraph == list(range(1, len(in_paragraph) + 1))


# --- measured on real text ---------------------------------------------------------------------------


def test_flores_devtest_boundaries(capsys):
    """Join each FLORES article's sentences into one paragraph and find the sentences again.

    Gold boundaries: every line boundary, plus the hand-checked sentence boundaries inside the ~10%
    of lines that hold two or more sentences (a translator's choice the line format hides).
    """
    lines = (FLORES / "vie_Latn.devtest").read_text("utf-8").splitlines()
    urls = [
        row.split("\t")[0] for row in (FLORES / "metadata_devtest.tsv").read_text("utf-8").splitlines()[1:]
    ]
    assert len(lines) == len(urls) == 1012
    internal = read_internal_boundaries(FLORES / "vie_Latn.devtest.internal_boundaries.tsv")
    score = score_boundaries(group_articles(lines, urls), internal, split_sentences)
    with capsys.disabled():
        print(
            f"\nFLORES-200 devtest vie: boundary precision {score.precision:.4f} recall {score.recall:.4f} "
            f"F1 {score.f1:.4f} ({score.gold} gold boundaries); line boundaries found {score.line_recall:.4f}"
        )
    assert score.f1 >= 0.98
    assert score.line_recall >= 0.98


# --- command line -----------------------------------------------------------------------------------


def test_cli_prints_sentences_with_blank_lines_between_paragraphs(tmp_path, capsys):
    article = tmp_path / "bai.txt"
    article.write_text("\ufeffTiêu đề\n\nCâu một của\nđoạn. Câu hai.\n\n\n\nĐoạn ba.\n", encoding="utf-8")
    assert main(["segment", str(article)]) == 0
    out = capsys.readouterr().out
    assert out == "Tiêu đề\n\nCâu một của đoạn.\nCâu hai.\n\nĐoạn ba.\n"


def test_cli_empty_file_prints_nothing(tmp_path, capsys):
    article = tmp_path / "empty.txt"
    article.write_bytes(b"")
    assert main(["segment", str(article)]) == 0
    assert capsys.readouterr().out == ""


def test_cli_non_utf8_is_one_line_and_exit_2(tmp_path, capsys):
    article = tmp_path / "latin1.txt"
    good = "Hội nghị.\n".encode()
    article.write_bytes(good + b"\xff\xfe bad\n")
    assert main(["segment", str(article)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert f"{article}: byte {len(good)}:" in captured.err


def test_cli_missing_file_is_exit_2(tmp_path, capsys):
    assert main(["segment", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err


def test_cli_on_a_seed_matches_the_library(capsys):
    path = SEEDS[0]
    assert main(["segment", str(path)]) == 0
    printed = [line for line in capsys.readouterr().out.splitlines() if line]
    assert printed == [s.source for s in segment_article(path.read_text("utf-8"), article_name(path))]
