"""`glossary check`: one test per finding, a clean glossary, and the command's exit codes."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from songngu.glossary.check import Finding, check_file, check_glossary
from songngu.glossary.formats import table
from songngu.translate.cli import main

HEADER = "vi,en,acronym,vi_variants,en_variants,en_forbidden,note\n"
CLEAN = (
    HEADER + "Ủy ban liên Chính phủ ASEAN về Nhân quyền,ASEAN Intergovernmental Commission on Human Rights,"
    "AICHR,Uỷ ban liên Chính phủ ASEAN về Nhân quyền,,ASEAN Human Rights Committee,\n"
    "Liên hợp quốc,United Nations,,Liên hiệp quốc|LHQ,UN,,\n"
    "Hòa bình,peace,,,,,\n"
)


def _findings(body: str) -> list[Finding]:
    return check_glossary(table.loads(HEADER + body, "g.csv"))


def _write(tmp_path: Path, text: str, name: str = "g.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_clean_glossary_has_no_findings() -> None:
    assert check_glossary(table.loads(CLEAN, "g.csv")) == []


def test_seed_glossary_is_clean() -> None:
    assert check_file(Path(__file__).parent.parent / "seeds" / "glossary.csv") == []


def test_duplicate_entry() -> None:
    findings = _findings("Liên hợp quốc,United Nations,,,,,\nLiên hợp quốc,United Nations,,,,,\n")
    assert findings == [Finding(3, "duplicate entry: 'Liên hợp quốc' is the same as on line 2")]


def test_duplicate_term_with_other_columns_differing() -> None:
    findings = _findings("Liên hợp quốc,United Nations,,,,,\nliên hợp quốc,United Nations,UN,,,,\n")
    assert len(findings) == 1
    assert findings[0].line == 3
    assert findings[0].message.startswith(
        "duplicate entry: 'liên hợp quốc' → 'United Nations' is already on line 2"
    )


def test_conflicting_translations() -> None:
    findings = _findings("Thủ tướng,Prime Minister,,,,,\nThủ tướng,Premier,,,,,\n")
    assert findings == [
        Finding(3, "conflicting translations of 'Thủ tướng': 'Premier' here, 'Prime Minister' on line 2")
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Hòa bình", "Hoà bình"),  # tone-mark placement
        ("Hòa bình", "HÒA BÌNH"),  # case
        ("Hòa bình", unicodedata.normalize("NFD", "Hòa bình")),  # Unicode form
        ("Ủy ban", "Uỷ  ban"),  # placement and whitespace
    ],
)
def test_conflicting_translations_of_forms_that_fold_alike(first: str, second: str) -> None:
    (finding,) = _findings(f"{first},peace,,,,,\n{second},harmony,,,,,\n")
    assert finding.line == 3
    assert finding.message.startswith(
        f"conflicting translations of {second!r}: 'harmony' here, 'peace' on line 2"
    )
    assert "differ only in case, Unicode form or tone marks" in finding.message


def test_term_both_required_and_forbidden() -> None:
    findings = _findings("Thủ tướng,Prime Minister,,,Premier,prime minister|Premier,\n")
    assert findings == [
        Finding(2, "'Prime Minister' is both required (en) and forbidden (en_forbidden 'prime minister')"),
        Finding(2, "'Premier' is both required (en_variants) and forbidden (en_forbidden 'Premier')"),
    ]


def test_variant_colliding_with_another_entrys_term() -> None:
    findings = _findings("Liên hợp quốc,United Nations,,,,,\nLiên minh,Union,,Liên Hợp Quốc,,,\n")
    assert findings == [
        Finding(
            3,
            "variant 'Liên Hợp Quốc' collides with the term 'Liên hợp quốc' of the entry on line 2 "
            "('Liên hợp quốc')",
        )
    ]


def test_acronym_colliding_with_another_entrys_acronym() -> None:
    findings = _findings("Liên hợp quốc,United Nations,UN,,,,\nLiên minh châu Phi,African Union,un,,,,\n")
    assert [f.line for f in findings] == [3]
    assert findings[0].message.startswith(
        "acronym 'un' collides with the acronym 'UN' of the entry on line 2"
    )


def test_term_colliding_with_an_earlier_variant_is_reported_on_the_later_line() -> None:
    findings = _findings("Liên hợp quốc,United Nations,,LHQ,,,\nLHQ,UN,,,,,\n")
    assert [f.line for f in findings] == [3]
    assert findings[0].message.startswith("term 'LHQ' collides with the variant 'LHQ'")


def test_empty_cells() -> None:
    findings = _findings(",United Nations,,,,,\nLiên hợp quốc,,,,,,\n")
    assert findings == [
        Finding(2, "empty 'vi' cell: the entry has no Vietnamese term"),
        Finding(3, "empty 'en' cell: no English term for 'Liên hợp quốc'"),
    ]


def test_empty_item_in_a_list(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "Liên hợp quốc,United Nations,,Liên hiệp quốc||LHQ,UN|,,\n")
    assert check_file(path) == [
        Finding(2, "empty item in the 'vi_variants' list 'Liên hiệp quốc||LHQ'"),
        Finding(2, "empty item in the 'en_variants' list 'UN|'"),
    ]


def test_check_reads_tbx(tmp_path: Path) -> None:
    source = _write(tmp_path, HEADER + "Thủ tướng,Prime Minister,,,,,\nThủ tướng,Premier,,,,,\n")
    tbx_path = tmp_path / "g.tbx"
    assert main(["glossary", "convert", str(source), str(tbx_path)]) == 0
    (finding,) = check_file(tbx_path)
    assert finding.message.startswith("conflicting translations of 'Thủ tướng'")
    assert (
        tbx_path.read_text(encoding="utf-8").split("\n")[finding.line - 1].lstrip().startswith("<termEntry")
    )


# --- the command ------------------------------------------------------------------------------


def test_cli_clean_glossary_exits_0_silently(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, CLEAN)
    assert main(["glossary", "check", str(path)]) == 0
    assert capsys.readouterr() == ("", "")


def test_cli_findings_exit_1_as_file_line_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, CLEAN + "Liên hợp quốc,UN Organisation,,,,,\n,x,,,,,\n")
    assert main(["glossary", "check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{path}:5: conflicting translations of 'Liên hợp quốc': 'UN Organisation' here, "
        "'United Nations' on line 3",
        f"{path}:6: empty 'vi' cell: the entry has no Vietnamese term",
    ]
    assert err == f"songngu: {path}: 2 problems\n"


def test_cli_missing_en_column_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "vi,english\nLiên hợp quốc,United Nations\n")
    assert main(["glossary", "check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"songngu: {path}:1: glossary header lacks required column(s) en (found: 'vi', 'english')\n"
    )


def test_cli_non_utf8_exits_2_naming_the_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "g.csv"
    path.write_bytes("vi,en\nHòa bình,peace\n".encode("latin-1"))  # a legacy 8-bit export
    assert main(["glossary", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"songngu: {path}: byte 7: not valid UTF-8")
    assert err.count("\n") == 1


def test_cli_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["glossary", "check", str(tmp_path / "nope.csv")]) == 2
    assert capsys.readouterr().err.startswith(f"songngu: {tmp_path / 'nope.csv'}: cannot read:")


def test_cli_empty_file_is_clean(tmp_path: Path) -> None:
    assert main(["glossary", "check", str(_write(tmp_path, ""))]) == 0


# --- abbreviations per language -----------------------------------------------------------------

VI_HEADER = "vi,en,acronym,vi_acronym\n"


def _acronym_findings(body: str) -> list[Finding]:
    return check_glossary(table.loads(VI_HEADER + body, "g.csv"))


def test_acronyms_on_their_own_side_are_clean() -> None:
    assert _acronym_findings("Liên hợp quốc,United Nations,UN,LHQ\n") == []
    assert _acronym_findings("Bộ Ngoại giao,Ministry of Foreign Affairs,MOFA,BNG\n") == []
    # Initials cannot tell (ASEAN spells neither name), and one spelling on both sides is fine.
    assert (
        _acronym_findings(
            "Hiệp hội các quốc gia Đông Nam Á,Association of Southeast Asian Nations,ASEAN,ASEAN\n"
        )
        == []
    )


def test_a_vietnamese_abbreviation_in_the_english_acronym_column_is_flagged() -> None:
    [finding] = _acronym_findings("Liên hợp quốc,United Nations,LHQ,\n")
    assert finding.line == 2
    assert finding.message.startswith("acronym 'LHQ' spells the Vietnamese term 'Liên hợp quốc'")
    assert "'vi_acronym'" in finding.message


def test_an_english_abbreviation_in_the_vietnamese_column_is_flagged() -> None:
    [finding] = _acronym_findings("Đại hội đồng,General Assembly,,GA\n")
    assert finding.message.startswith("Vietnamese acronym 'GA' spells the English term 'General Assembly'")


def test_a_vietnamese_acronym_that_is_another_entrys_english_acronym_collides() -> None:
    findings = _acronym_findings(
        "Liên hợp quốc,United Nations,UN,LHQ\nLiên minh Hải quan,Customs Union,LHQ,\n"
    )
    assert [f.line for f in findings] == [3, 3]  # LHQ is also Vietnamese initials of line 3's name
    messages = " | ".join(f.message for f in findings)
    assert "acronym 'LHQ' collides with the Vietnamese acronym 'LHQ' of the entry on line 2" in messages


def test_seed_glossary_has_no_acronym_on_the_wrong_side() -> None:
    seeds = Path(__file__).resolve().parent.parent / "seeds" / "glossary.csv"
    assert check_file(seeds) == []
