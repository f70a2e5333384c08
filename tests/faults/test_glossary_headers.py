"""Fault: glossary table headers. A column named twice (``vi,en,vi,en``) silently lost a column pair;
a header row repeated in the body (two glossaries joined) became the entry "vi → en", which matches
the Vietnamese word "vi". Both are refused with the file and line, by every command that reads the
glossary, ``glossary check`` included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from songngu.errors import InputError
from songngu.glossary.formats import load_glossary
from songngu.translate.cli import main

ROW = "Bộ Ngoại giao,Ministry of Foreign Affairs"


def run_check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["glossary", "check", str(path)])
    captured = capsys.readouterr()
    return code, captured.err


@pytest.mark.parametrize(
    ("header", "column", "where"),
    [
        ("vi,en,vi,en", "vi", "(columns 1 and 3)"),
        ("vi,en,note,EN", "en", "(columns 2 and 4)"),
        ("vi,en,acronym, acronym ", "acronym", "(columns 3 and 4)"),
    ],
)
def test_a_column_named_twice_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, column: str, where: str
) -> None:
    path = tmp_path / "g.csv"
    path.write_text(f"{header}\n{ROW},Bộ Y tế,Ministry of Health\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=re.escape(f"{path}:1: the header names column '{column}' twice {where}")
    ):
        load_glossary(path)
    code, err = run_check(path, capsys)
    assert code == 2
    assert err.count("\n") == 1 and f"{path}:1:" in err


def test_blank_header_cells_are_not_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text(f"vi,en,,\n{ROW},,\n", encoding="utf-8")
    assert [e.en for e in load_glossary(path)] == ["Ministry of Foreign Affairs"]


@pytest.mark.parametrize(
    "again",
    [
        "vi,en,note",  # the same header
        "VI , En",  # in another case, with spaces
        "en,vi",  # another file's column order
        "vi,en",  # a second file's header with fewer columns
    ],
)
def test_a_header_row_in_the_body_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], again: str
) -> None:
    path = tmp_path / "g.csv"
    path.write_text(f"vi,en,note\n{ROW},\n{again}\nBộ Y tế,Ministry of Health,\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"{path}:3: a header row again in the body")):
        load_glossary(path)
    code, err = run_check(path, capsys)
    assert code == 2
    assert err.count("\n") == 1 and f"{path}:3:" in err


def test_a_header_row_again_in_a_tsv(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text("vi\ten\nBộ Y tế\tMinistry of Health\nvi\ten\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"{path}:3: a header row again")):
        load_glossary(path)


def test_the_word_vi_is_still_a_term_when_it_is_an_entry(tmp_path: Path) -> None:
    # "vi" as an entry with a real translation is ordinary data, not a header.
    path = tmp_path / "g.csv"
    path.write_text("vi,en\nvi,violation\nhành vi,behaviour\n", encoding="utf-8")
    assert [(e.vi, e.en) for e in load_glossary(path)] == [("vi", "violation"), ("hành vi", "behaviour")]


def test_translate_refuses_such_a_glossary_before_loading_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    glossary = tmp_path / "g.csv"
    glossary.write_text(f"vi,en\n{ROW}\nvi,en\n", encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Hành vi vi phạm.\n", encoding="utf-8")
    code = main(
        [
            "translate",
            str(article),
            "-g",
            str(glossary),
            "--model",
            str(tmp_path / "none"),
            "-o",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert f"{glossary}:3: a header row again" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
