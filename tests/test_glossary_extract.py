"""`glossary extract`: candidate entries from "Full name (ACRONYM)" in the seed articles and beyond."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from songngu.glossary.extract import extract, extract_files, find_definitions
from songngu.glossary.formats import table
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.translate.cli import main

SEEDS = Path(__file__).parent.parent / "seeds"
ARTICLES = sorted(SEEDS.glob("*.txt"))

# The full names a curator would accept for the seeds' acronyms, as the articles spell them.
EXPECTED = {
    "AICHR": "Uỷ ban liên Chính phủ ASEAN về Nhân quyền",
    "ACWC": "Ủy ban ASEAN về bảo đảm và thúc đẩy các quyền phụ nữ và trẻ em",
    "ACMW": "Ủy ban ASEAN về lao động di cư",
    "UPR": "Cơ chế Rà soát định kỳ phổ quát",
    "UNDP": "Chương trình Phát triển Liên hiệp quốc",
    "LHQ": "Liên hiệp quốc",
    "UNICEF": "Quỹ Nhi đồng Liên hợp quốc",
    "UNODC": "Cơ quan Liên hợp quốc về phòng chống tội phạm và ma tuý",
    "IOM": "Tổ chức di cư quốc tế",
    "COMMIT": "Sáng kiến cấp Bộ trưởng các nước tiểu vùng sông Mê kông về phòng, chống nạn buôn bán người",
    "READI": "Chương trình Đối thoại khu vực ASEAN-EU",
}


def test_seed_articles_give_every_acronym_with_its_full_name() -> None:
    candidates = extract_files(ARTICLES)
    assert {c.acronym: c.entry().vi for c in candidates} == EXPECTED


def test_counts_accumulate_over_files_and_spellings_merge() -> None:
    (aichr,) = [c for c in extract_files(ARTICLES) if c.acronym == "AICHR"]
    # twice in the first article ("Uỷ ... Nhân quyền"), once in the third ("Ủy ... nhân quyền"):
    # the spellings fold alike, so they are one name
    assert aichr.count == 3
    assert aichr.entry().vi_variants == ()
    assert aichr.first.source.endswith("000_8d105ddd42d75641.txt") and aichr.first.line == 3
    assert aichr.first.sentence.startswith("Cuộc họp lần thứ 31 của Uỷ ban liên Chính phủ ASEAN")
    assert aichr.first.sentence.endswith("theo hình thức họp trực tuyến.")
    twice = extract_files([*ARTICLES, ARTICLES[0]])
    assert next(c for c in twice if c.acronym == "AICHR").count == 5


def test_candidates_are_ordered_by_count() -> None:
    counts = [c.count for c in extract_files(ARTICLES)]
    assert counts == sorted(counts, reverse=True) and counts[0] == 3


def test_other_names_for_the_same_acronym_become_variants() -> None:
    text = (
        "Tổ chức Y tế Thế giới (WHO) họp.\n\nTổ chức Y tế thế giới (WHO) nói.\n\n"
        "Cơ quan Y tế Thế giới (WHO) và Tổ chức Y tế Thế giới (WHO) đã họp."
    )
    (who,) = extract([("a.txt", text)])
    entry = who.entry()
    assert (entry.vi, entry.vi_variants, entry.acronym, who.count) == (
        "Tổ chức Y tế Thế giới",
        ("Cơ quan Y tế Thế giới",),
        "WHO",
        4,
    )
    assert entry.note == "seen 4 times; first at a.txt:1: Tổ chức Y tế Thế giới (WHO) họp."


def test_nfd_text_and_hard_wrapped_names() -> None:
    text = unicodedata.normalize("NFD", "Đại diện của Quỹ Nhi đồng\nLiên hợp quốc (UNICEF) phát biểu.")
    (definition,) = find_definitions(text)
    assert definition.name == text[definition.start : definition.end]
    assert unicodedata.normalize("NFC", " ".join(definition.name.split())) == "Quỹ Nhi đồng Liên hợp quốc"


@pytest.mark.parametrize(
    "text",
    [
        "Dịch bệnh (Covid-19) lan rộng.",  # not an acronym: mostly lowercase
        "Năm Chủ tịch (2020) kết thúc.",  # a year
        "chương trình hợp tác (UNDP) mới.",  # no capitalised word to start a name
        "Theo (UNDP), tăng trưởng cao.",  # nothing before it in the clause but a linking word
    ],
)
def test_no_candidate_without_a_plausible_definition(text: str) -> None:
    assert find_definitions(text) == []


def test_a_name_never_reaches_past_a_clause_or_a_linking_word() -> None:
    text = "Hôm qua, đại diện của Tổ chức Lao động Quốc tế (ILO) và Ngân hàng Thế giới (WB) đến Hà Nội."
    assert [(d.name, d.acronym) for d in find_definitions(text)] == [
        ("Tổ chức Lao động Quốc tế", "ILO"),
        ("Ngân hàng Thế giới", "WB"),
    ]


def test_known_terms_are_left_out() -> None:
    known = Glossary(
        [
            GlossaryEntry(vi="Ủy ban liên Chính phủ ASEAN về Nhân quyền", en="x"),  # by folded term
            GlossaryEntry(vi="Tổ chức Di cư Quốc tế", en="x", acronym="IOM"),  # by acronym
            GlossaryEntry(vi="Liên hợp quốc", en="x", vi_variants=("Liên hiệp quốc",)),  # by variant
        ]
    )
    acronyms = {c.acronym for c in extract_files(ARTICLES, known)}
    assert acronyms == set(EXPECTED) - {"AICHR", "IOM", "LHQ"}


def test_seed_glossary_already_knows_every_seed_acronym() -> None:
    known = table.load(SEEDS / "glossary.csv")
    assert extract_files(ARTICLES, known) == []


# --- the command ------------------------------------------------------------------------------


def test_cli_prints_editable_glossary_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["glossary", "extract", *map(str, ARTICLES)]) == 0
    out = capsys.readouterr().out
    glossary = table.loads(out, "stdout.csv")
    assert {e.acronym: e.vi for e in glossary} == EXPECTED
    assert all(e.en == "" and e.note.startswith("seen ") for e in glossary)
    assert out.split("\n", 1)[0] == ",".join(table.COLUMNS)


def test_cli_glossary_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    known = tmp_path / "known.csv"
    known.write_text("vi,en,acronym\nQuỹ Nhi đồng Liên hợp quốc,UNICEF,UNICEF\n", encoding="utf-8")
    assert main(["glossary", "extract", *map(str, ARTICLES), "--glossary", str(known)]) == 0
    glossary = table.loads(capsys.readouterr().out, "stdout.csv")
    assert {e.acronym for e in glossary} == set(EXPECTED) - {"UNICEF"}


def test_cli_non_utf8_article_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Quỹ Nhi đồng (UNICEF)".encode()[:5] + b"\xff rest")
    assert main(["glossary", "extract", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"songngu: {path}: byte 5: not valid UTF-8") and err.count("\n") == 1


def test_cli_empty_file_gives_only_the_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("", encoding="utf-8")
    assert main(["glossary", "extract", str(path)]) == 0
    assert capsys.readouterr().out == ",".join(table.COLUMNS) + "\n"
