"""GlossaryMatcher: whole words, leftmost-longest, any spelling; offsets into the text as given;
and the ``songngu glossary match`` command."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from songngu.glossary.matcher import GlossaryMatcher, tokenize
from songngu.glossary.model import Glossary, GlossaryEntry, MatchForm, TermMatch
from songngu.glossary.normalize import fold
from songngu.textfile import read_text
from songngu.translate.cli import main

AICHR = GlossaryEntry(
    "Ủy ban liên Chính phủ ASEAN về Nhân quyền", "ASEAN Intergovernmental Commission on Human Rights", "AICHR"
)
HRC = GlossaryEntry("Hội đồng Nhân quyền", "Human Rights Council")
UNHRC = GlossaryEntry(
    "Hội đồng Nhân quyền Liên hợp quốc",
    "United Nations Human Rights Council",
    vi_variants=("Hội đồng Nhân quyền LHQ",),
)
UN = GlossaryEntry("Liên hợp quốc", "United Nations", "UN", vi_variants=("Liên hiệp quốc", "LHQ"))
UNDP = GlossaryEntry(
    "Chương trình Phát triển Liên hợp quốc",
    "United Nations Development Programme",
    "UNDP",
    vi_variants=("Chương trình Phát triển Liên hiệp quốc",),
)
ACWC = GlossaryEntry("Ủy ban ASEAN về phụ nữ và trẻ em", "ASEAN Commission on Women and Children", "ACWC")
HOA = GlossaryEntry("Hòa Bình", "Hoa Binh")
READI = GlossaryEntry(
    "Chương trình Đối thoại khu vực ASEAN-EU", "Regional EU-ASEAN Dialogue Instrument", "READI"
)
ENTRIES = [AICHR, HRC, UNHRC, UN, UNDP, ACWC, HOA, READI]


@pytest.fixture(scope="module")
def matcher() -> GlossaryMatcher:
    return GlossaryMatcher(Glossary(ENTRIES))


def summary(matches: list[TermMatch]) -> list[tuple[str, str, MatchForm]]:
    return [(m.text, m.entry.en, m.form) for m in matches]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_leftmost_longest_wins(matcher: GlossaryMatcher) -> None:
    text = "thành viên Hội đồng Nhân quyền LHQ và Hội đồng Nhân quyền nhiệm kỳ 2023-2025"
    assert summary(matcher.find(text)) == [
        ("Hội đồng Nhân quyền LHQ", UNHRC.en, MatchForm.FULL),
        ("Hội đồng Nhân quyền", HRC.en, MatchForm.FULL),
    ]


def test_longest_falls_back_when_the_longer_term_does_not_complete(matcher: GlossaryMatcher) -> None:
    # "Chương trình Phát triển Liên" is a prefix of UNDP that fails; nothing else starts there.
    assert summary(matcher.find("Chương trình Phát triển Liên hợp tác")) == []
    assert summary(matcher.find("Hội đồng Nhân quyền Liên minh")) == [
        ("Hội đồng Nhân quyền", HRC.en, MatchForm.FULL)
    ]


@pytest.mark.parametrize(
    "text", ["ASEANAICHR", "AICHRs", "AICHR2020", "xAICHR", "Hội đồng Nhân quyềnx", "LHQs", "ÀAICHR"]
)
def test_whole_words_only(matcher: GlossaryMatcher, text: str) -> None:
    assert matcher.find(text) == []


def test_punctuation_and_underscore_are_word_boundaries(matcher: GlossaryMatcher) -> None:
    assert [m.text for m in matcher.find("(AICHR), AICHR. AICHR-2020 _AICHR_")] == ["AICHR"] * 4


def test_variants_match_their_entry(matcher: GlossaryMatcher) -> None:
    found = matcher.find("các tổ chức của Liên hiệp quốc, LHQ và Liên hợp quốc")
    assert [(m.text, m.entry, m.form) for m in found] == [
        ("Liên hiệp quốc", UN, MatchForm.FULL),
        ("LHQ", UN, MatchForm.FULL),
        ("Liên hợp quốc", UN, MatchForm.FULL),
    ]
    assert found[0].target == "United Nations"


def test_acronym_alone_matches_with_its_exact_letters_only(matcher: GlossaryMatcher) -> None:
    found = matcher.find("hoạt động của AICHR, aichr và Aichr; UN và un")
    assert summary(found) == [("AICHR", AICHR.en, MatchForm.ACRONYM), ("UN", UN.en, MatchForm.ACRONYM)]
    assert found[0].target == "AICHR"


UN_BY_LANGUAGE = GlossaryEntry("Liên hợp quốc", "United Nations", "UN", vi_acronym="LHQ")
CUSTOMS = GlossaryEntry("Tổng cục Hải quan", "General Department of Customs", vi_acronym="TCHQ")


def test_a_vietnamese_abbreviation_is_matched_in_the_source_and_rendered_by_the_english_one() -> None:
    matcher = GlossaryMatcher(Glossary([UN_BY_LANGUAGE, CUSTOMS]))
    found = matcher.find("LHQ, lhq, UN; Liên hợp quốc (LHQ) và TCHQ")
    assert [(m.text, m.form, m.targets) for m in found] == [
        ("LHQ", MatchForm.ACRONYM, ("UN",)),  # never "LHQ" in the English output
        ("UN", MatchForm.ACRONYM, ("UN",)),  # the English acronym, which Vietnamese text uses too
        ("Liên hợp quốc (LHQ)", MatchForm.FULL_WITH_ACRONYM, ("United Nations (UN)",)),
        ("TCHQ", MatchForm.ACRONYM, ("General Department of Customs",)),  # no English acronym
    ]


def test_full_form_with_its_acronym_in_parentheses_is_one_match(matcher: GlossaryMatcher) -> None:
    text = "của Uỷ ban liên Chính phủ ASEAN về Nhân quyền (AICHR) diễn ra"
    (match,) = matcher.find(text)
    assert match.text == "Uỷ ban liên Chính phủ ASEAN về Nhân quyền (AICHR)"
    assert match.form is MatchForm.FULL_WITH_ACRONYM
    assert match.target == "ASEAN Intergovernmental Commission on Human Rights (AICHR)"
    spaced = matcher.find("Uỷ ban liên Chính phủ ASEAN về Nhân quyền\n( AICHR )")
    assert [m.form for m in spaced] == [MatchForm.FULL_WITH_ACRONYM]


def test_parentheses_listing_other_glossary_terms_beside_the_acronym(matcher: GlossaryMatcher) -> None:
    text = "phối hợp với Chương trình Phát triển Liên hiệp quốc (LHQ, UNDP) tại Việt Nam"
    (match,) = matcher.find(text)
    assert match.text == "Chương trình Phát triển Liên hiệp quốc (LHQ, UNDP)"
    assert match.form is MatchForm.FULL_WITH_ACRONYM
    assert match.target == "United Nations Development Programme (UNDP)"


def test_other_parentheses_are_not_part_of_the_term(matcher: GlossaryMatcher) -> None:
    found = matcher.find("Uỷ ban liên Chính phủ ASEAN về Nhân quyền (AICHR, thành lập 2009)")
    assert summary(found) == [
        ("Uỷ ban liên Chính phủ ASEAN về Nhân quyền", AICHR.en, MatchForm.FULL),
        ("AICHR", AICHR.en, MatchForm.ACRONYM),
    ]
    other = matcher.find("Uỷ ban liên Chính phủ ASEAN về Nhân quyền (ACWC)")
    assert [m.form for m in other] == [MatchForm.FULL, MatchForm.ACRONYM]
    lower = matcher.find("Uỷ ban liên Chính phủ ASEAN về Nhân quyền (aichr)")
    assert [m.form for m in lower] == [MatchForm.FULL]


def test_a_line_break_inside_a_term(matcher: GlossaryMatcher) -> None:
    text = "cuộc họp của Uỷ ban liên Chính\nphủ ASEAN về\r\n   Nhân quyền (AICHR)."
    (match,) = matcher.find(text)
    assert match.text == "Uỷ ban liên Chính\nphủ ASEAN về\r\n   Nhân quyền (AICHR)"
    assert text[match.start : match.end] == match.text


def test_tone_mark_placement_and_case(matcher: GlossaryMatcher) -> None:
    for text in (
        "tỉnh Hoà Bình",
        "tỉnh HÒA BÌNH",
        "tỉnh hòa bình",
        "ỦY BAN LIÊN CHÍNH PHỦ ASEAN VỀ NHÂN QUYỀN",
    ):
        assert len(matcher.find(text)) == 1, text


def test_separators_inside_a_term_may_be_spaced(matcher: GlossaryMatcher) -> None:
    (match,) = matcher.find("Chương trình Đối thoại khu vực ASEAN - EU (READI)")
    assert match.entry is READI
    assert match.form is MatchForm.FULL_WITH_ACRONYM


def test_nfd_text_gets_nfd_offsets(matcher: GlossaryMatcher) -> None:
    text = nfd(
        "Đoàn Việt Nam tại Uỷ ban liên Chính phủ ASEAN về Nhân quyền (AICHR) và Hội đồng Nhân quyền LHQ"
    )
    found = matcher.find(text)
    assert [m.entry for m in found] == [AICHR, UNHRC]
    for match in found:
        assert text[match.start : match.end] == match.text
        assert unicodedata.is_normalized("NFD", match.text)
    assert found[0].start == len(nfd("Đoàn Việt Nam tại "))


def test_bom_dropped_text_keeps_offsets_of_the_text_as_read(matcher: GlossaryMatcher, tmp_path: Path) -> None:
    body = "Hội đồng Nhân quyền LHQ"
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    text = read_text(path)
    (match,) = matcher.find(text)
    assert (match.start, match.end) == (0, len(body))


def test_empty_text_and_empty_glossary(matcher: GlossaryMatcher) -> None:
    assert matcher.find("") == []
    assert matcher.find(" \n ") == []
    assert GlossaryMatcher(Glossary([])).find("Hội đồng Nhân quyền") == []


def test_find_on_a_sentence_reuses_the_automaton(matcher: GlossaryMatcher) -> None:
    assert [m.entry for m in matcher.find("LHQ")] == [UN]
    assert [m.entry for m in matcher.find("LHQ")] == [UN]


# --- streaming ----------------------------------------------------------------------------------


@given(st.lists(st.integers(1, 200), max_size=40), st.sampled_from(["NFC", "NFD"]))
@settings(max_examples=40, deadline=None)
def test_streaming_gives_the_same_matches_as_find(
    matcher: GlossaryMatcher, cuts: list[int], form: str
) -> None:
    paragraph = (
        "Đoàn tham dự cuộc họp của Uỷ ban liên Chính phủ ASEAN về Nhân quyền (AICHR) và "
        "Chương trình Phát triển Liên hiệp quốc (LHQ, UNDP); Hội đồng Nhân quyền\nLHQ, AICHR. "
    )
    text = unicodedata.normalize(form, paragraph * 12)
    chunks, position = [], 0
    for size in cuts:
        chunks.append(text[position : position + size])
        position += size
    chunks.append(text[position:])
    streamed = list(matcher.iter_matches(chunks, window=120))
    assert streamed == matcher.find(text)


# --- properties ---------------------------------------------------------------------------------

FILLERS = [
    "của",
    "và",
    "cuộc",
    "họp",
    "tại",
    "Việt",
    "Nam",
    "nhân",
    "quyền",
    "ban",
    "2021",
    "hội",
    "đồng",
    "thủy",
]
ACRONYMS = [e.acronym for e in ENTRIES if e.acronym]
SEPARATORS = [" ", " ", " ", "\n", "  ", "\u00a0", ", ", " (", ") ", ". "]


@st.composite
def pieces(draw: st.DrawFn) -> list[tuple[str, bool]]:
    """Words of a text, each flagged True when it is an acronym (whose case must be kept)."""
    choices = st.one_of(
        st.sampled_from(FILLERS).map(lambda w: (w, False)),
        st.sampled_from([f for e in ENTRIES for f in e.vi_forms]).map(lambda w: (w, False)),
        st.sampled_from(ACRONYMS).map(lambda w: (w, True)),
    )
    words = draw(st.lists(choices, max_size=10))
    result: list[tuple[str, bool]] = []
    for word in words:
        result.append(word)
        result.append((draw(st.sampled_from(SEPARATORS)), False))
    return result


def render(words: list[tuple[str, bool]], case: str, form: str) -> str:
    def cased(word: str, keep: bool) -> str:
        return word if keep else {"upper": word.upper(), "lower": word.lower(), "same": word}[case]

    return unicodedata.normalize(form, "".join(cased(word, keep) for word, keep in words))


@given(pieces(), st.sampled_from(["upper", "lower", "same"]), st.sampled_from(["NFC", "NFD"]))
@settings(max_examples=150, deadline=None)
def test_matches_are_invariant_under_unicode_form_and_case(
    matcher: GlossaryMatcher, words: list[tuple[str, bool]], case: str, form: str
) -> None:
    reference = matcher.find(render(words, "same", "NFC"))
    variant_text = render(words, case, form)
    variant = matcher.find(variant_text)
    assert [(m.entry, m.form) for m in variant] == [(m.entry, m.form) for m in reference]
    for match in variant:
        assert variant_text[match.start : match.end] == match.text


@given(pieces(), st.sampled_from(["upper", "same"]), st.sampled_from(["NFC", "NFD"]))
@settings(max_examples=150, deadline=None)
def test_offsets_slice_text_that_folds_to_a_form_of_the_entry(
    matcher: GlossaryMatcher, words: list[tuple[str, bool]], case: str, form: str
) -> None:
    text = render(words, case, form)
    previous_end = 0
    for match in matcher.find(text):
        assert previous_end <= match.start < match.end <= len(text)
        previous_end = match.end
        assert text[match.start : match.end] == match.text
        tokens = tokenize(fold(match.text))
        forms = [tokenize(fold(f)) for f in match.entry.vi_forms]
        if match.form is MatchForm.ACRONYM:
            assert match.text == match.entry.acronym
        elif match.form is MatchForm.FULL:
            assert tokens in forms
        else:
            assert tokens[-1] == ")" and tokenize(fold(match.entry.acronym))[0] in tokens
            assert any(tokens[: len(f)] == f and tokens[len(f)] == "(" for f in forms)


# --- command line -------------------------------------------------------------------------------


@pytest.fixture
def glossary_file(tmp_path: Path) -> Path:
    path = tmp_path / "g.csv"
    path.write_text(
        "vi,en,acronym,vi_variants\n"
        "Ủy ban liên Chính phủ ASEAN về Nhân quyền,"
        "ASEAN Intergovernmental Commission on Human Rights,AICHR,\n"
        "Hội đồng Nhân quyền Liên hợp quốc,United Nations Human Rights Council,,Hội đồng Nhân quyền LHQ\n",
        encoding="utf-8",
    )
    return path


def test_cli_json_lines(glossary_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "a.txt"
    text = (
        "Mở đầu.\nCuộc họp của Uỷ ban liên Chính phủ ASEAN về Nhân quyền (AICHR) và Hội đồng\nNhân quyền LHQ."
    )
    article.write_text(text, encoding="utf-8")
    assert main(["glossary", "match", str(article), "--glossary", str(glossary_file), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["acronym"] for r in records] == ["AICHR", ""]
    first, second = records
    assert text[first["start"] : first["end"]] == first["text"]
    assert first["form"] == "full+acronym"
    assert first["target"] == "ASEAN Intergovernmental Commission on Human Rights (AICHR)"
    assert first["vi"] == "Ủy ban liên Chính phủ ASEAN về Nhân quyền"
    assert (first["line"], first["column"]) == (2, 14)
    assert second["en"] == "United Nations Human Rights Council"
    assert second["text"] == "Hội đồng\nNhân quyền LHQ"


def test_cli_readable_listing(
    glossary_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("AICHR và Hội đồng\nNhân quyền LHQ", encoding="utf-8")
    assert main(["glossary", "match", str(article), "-g", str(glossary_file)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{article}:1:1  AICHR  →  AICHR",
        f"{article}:1:10  Hội đồng Nhân quyền LHQ  →  United Nations Human Rights Council",
    ]


def test_cli_empty_file(glossary_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "empty.txt"
    article.write_bytes(b"")
    assert main(["glossary", "match", str(article), "-g", str(glossary_file), "--json"]) == 0
    assert capsys.readouterr().out == ""


def test_cli_non_utf8_file(glossary_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "latin1.txt"
    article.write_bytes("Hội đồng".encode() + b"\xe9t\xe9")
    assert main(["glossary", "match", str(article), "-g", str(glossary_file)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{article}: byte {len('Hội đồng'.encode())}:" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_cli_missing_glossary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "a.txt"
    article.write_text("AICHR", encoding="utf-8")
    assert main(["glossary", "match", str(article), "-g", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err
