"""Bilingual glossary proposals from aligned text (``glossary extract --parallel``) and ``glossary usage``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from songngu.glossary.formats import load_glossary
from songngu.glossary.parallel import english_definitions, expansion_in, propose
from songngu.translate.cli import main
from songngu.translate.formats.tsv import TsvFormat
from songngu.translate.memory import TranslationMemory, UnitKind

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT / "seeds"
BODIES = ("MOFA", "AICHR", "UNDP", "AHRD", "UNICEF", "IOM", "UNODC", "UPR")


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def official() -> dict[str, str]:
    """Acronym → official English name, from the seed glossary."""
    return {entry.acronym: entry.en for entry in load_glossary(SEEDS / "glossary.csv") if entry.acronym}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "the 31st Meeting of the ASEAN Intergovernmental Commission on Human Rights (AICHR).",
            ("ASEAN Intergovernmental Commission on Human Rights", "AICHR"),
        ),
        (
            "Kao Kim Hourn of the United Nations Development Programme (UNDP)",
            ("United Nations Development Programme", "UNDP"),
        ),
        ("Viet Nam's Ministry of Foreign Affairs (MOFA)", ("Ministry of Foreign Affairs", "MOFA")),
        (
            "the Association of Southeast Asian Nations (ASEAN)",
            ("Association of Southeast Asian Nations", "ASEAN"),
        ),
        ("the United Nations Children's Fund (UNICEF)", ("United Nations Children's Fund", "UNICEF")),
        (
            "the ASEAN Committee on the Implementation of the ASEAN Declaration on the Protection and "
            "Promotion of the Rights of Migrant Workers (ACMW)",
            (
                "ASEAN Committee on the Implementation of the ASEAN Declaration on the Protection and "
                "Promotion of the Rights of Migrant Workers",
                "ACMW",
            ),
        ),
    ],
)
def test_english_definitions_find_the_full_name(text, expected):
    assert english_definitions(text) == [expected]


def test_no_definition_without_a_name_that_spells_the_acronym():
    assert english_definitions("He said it (OK) twice (in 2019).") == []
    assert expansion_in("The World Health Organization said so.", "WHO") == "World Health Organization"
    assert expansion_in("AICHR and the EU under the Regional Instrument", "EU") is None


def test_seed_references_propose_every_body_with_its_official_english_name():
    """The three seed articles and their hand-written English references: every body the
    Vietnamese names as "Full name (ACR)" and the English as "Full Name (ACR)" is proposed, its English
    exactly the seed glossary's."""
    pairs = [
        (r.id, r.source, r.target)
        for path in sorted((SEEDS / "reference").glob("*.tsv"))
        for r in TsvFormat().read(path).results
    ]
    proposals = {entry.acronym: entry for entry in propose(pairs) if entry.acronym}
    names = official()
    defined = {"AICHR", "UPR", "UNDP", "ACWC", "ACMW", "READI", "IOM", "COMMIT", "UNODC", "UNICEF"}
    for acronym in defined:
        assert acronym in proposals, acronym
        assert proposals[acronym].en == names[acronym], acronym
        assert "defined on both sides" in proposals[acronym].note


def test_cooccurrence_pairs_recurring_terms_with_a_documented_threshold():
    pairs = [
        ("a:1:1", "Bộ Y tế họp sáng nay.", "The Ministry of Health met this morning."),
        ("a:2:1", "Bộ Y tế ra thông báo mới.", "The Ministry of Health issued a new notice."),
        ("a:3:1", "Ông Nam đến thăm Bộ Y tế.", "Mr. Nam visited the Ministry of Health."),
        ("a:4:1", "Người dân tin Bộ Y tế.", "People trust the Ministry of Health."),
    ]
    pairs.append(("a:9:1", "Trời mưa.", "It rained."))
    entries = {entry.vi: entry for entry in propose(pairs)}
    assert entries["Bộ Y tế"].en == "Ministry of Health"
    assert "Dice 1.00" in entries["Bộ Y tế"].note and "4 aligned pairs" in entries["Bộ Y tế"].note
    assert "Bộ Y tế" not in {entry.vi for entry in propose(pairs[:2])}  # seen twice: below min_count 3


def aligned_bodies(tmp_path: Path) -> Path:
    out = tmp_path / "aligned"
    assert main(["align", str(DATA / "bodies.vi.txt"), str(DATA / "bodies.en.txt"), "--out", str(out)]) == 0
    return out


def test_extract_parallel_after_align_proposes_every_body_and_check_accepts_it(tmp_path, capsys):
    out = aligned_bodies(tmp_path)
    capsys.readouterr()
    assert main(["glossary", "extract", "--parallel", str(out / "bodies.vi.tsv")]) == 0
    text = capsys.readouterr().out
    proposed = {row["acronym"]: row for row in rows(text) if row["acronym"]}
    names = official()
    for acronym in BODIES:
        assert proposed[acronym]["en"] == names[acronym], acronym
        assert "e.g. bodies.vi:" in proposed[acronym]["note"]
    candidates = tmp_path / "candidates.csv"
    candidates.write_text(text, encoding="utf-8")
    assert main(["glossary", "check", str(candidates)]) == 0

    # the same from the JSONL and the TMX; and every one is left out when the glossary knows it
    for suffix in (".jsonl", ".tmx"):
        assert main(["glossary", "extract", "--parallel", str(out / f"bodies.vi{suffix}")]) == 0
        assert capsys.readouterr().out == text
    glossary = str(SEEDS / "glossary.csv")
    assert main(["glossary", "extract", "--parallel", str(out / "bodies.vi.tsv"), "-g", glossary]) == 0
    known = {row["acronym"] for row in rows(capsys.readouterr().out)}
    assert not known & set(BODIES)


def test_extract_parallel_bad_input_is_one_line(tmp_path, capsys):
    odd = tmp_path / "x.txt"
    odd.write_text("x\n", encoding="utf-8")
    assert main(["glossary", "extract", "--parallel", str(odd)]) == 2
    err = capsys.readouterr().err
    assert str(odd) in err and err.count("\n") == 1
    assert main(["glossary", "extract"]) == 2
    assert "give Vietnamese FILEs" in capsys.readouterr().err


def test_align_tm_stores_confident_beads_as_aligned_and_usage_reports_both_kinds(tmp_path, capsys):
    db = tmp_path / "desk.sqlite"
    assert (
        main(["review", "import", *map(str, sorted((SEEDS / "reference").glob("*.po"))), "--tm", str(db)])
        == 0
    )
    out = tmp_path / "aligned"
    vi, en = DATA / "bodies.vi.txt", DATA / "bodies.en.txt"
    assert main(["align", str(vi), str(en), "--out", str(out), "--tm", str(db)]) == 0
    assert "stored in the memory" in capsys.readouterr().err
    with TranslationMemory(db, create=False) as memory:
        units = list(memory.units())
    aligned = [unit for unit in units if unit.kind is UnitKind.ALIGNED]
    reviewed = [unit for unit in units if unit.kind is UnitKind.REVIEWED]
    assert aligned and reviewed
    assert all(unit.score is not None and unit.score >= 0.9 for unit in aligned)
    assert all(
        unit.origin == "bodies.vi.txt" and unit.segment_id.startswith("bodies.vi:") for unit in aligned
    )

    report = tmp_path / "usage.md"
    glossary = str(SEEDS / "glossary.csv")
    assert main(["glossary", "usage", "--tm", str(db), "-g", glossary, "--report", str(report)]) == 0
    text = report.read_text("utf-8")
    assert "## Renderings" in text and "## Required rendering missing" in text
    line = next(row for row in text.splitlines() if row.startswith("| Cơ chế Rà soát định kỳ phổ quát |"))
    assert "Universal Periodic Review (UPR)" in line or "Universal Periodic Review" in line
    assert "aligned" in text and "reviewed" in text
    html = tmp_path / "usage.html"
    assert main(["glossary", "usage", "--tm", str(db), "-g", glossary, "--report", str(html)]) == 0
    assert html.read_text("utf-8").startswith("<!DOCTYPE html>")


def test_usage_reports_missing_and_forbidden_renderings(tmp_path, capsys):
    from songngu.translate.memory import MemoryUnit

    db = tmp_path / "tm.sqlite"
    units = [
        MemoryUnit(
            "Bộ Ngoại giao họp.", "The Ministry of Foreign Affairs met.", "a.po", "a:1:1", True, "2024-01-01"
        ),
        MemoryUnit(
            "Bộ Ngoại giao họp lại.",
            "The Ministry of Diplomacy met again.",
            "b.tmx",
            "b:1:1",
            False,
            "2024-01-02",
            UnitKind.ALIGNED,
            0.97,
        ),
        MemoryUnit(
            "bộ ngoại giao họp nữa.", "The foreign ministry met.", "c.po", "c:1:1", True, "2024-01-03"
        ),
    ]
    with TranslationMemory(db) as memory:
        memory.store(units)
    glossary = tmp_path / "g.csv"
    glossary.write_text(
        "vi,en,acronym,en_forbidden\nBộ Ngoại giao,Ministry of Foreign Affairs,MOFA,Ministry of Diplomacy\n",
        encoding="utf-8",
    )
    assert main(["glossary", "usage", "--tm", str(db), "-g", str(glossary)]) == 0
    text = capsys.readouterr().out
    assert (
        "| Bộ Ngoại giao | Ministry of Foreign Affairs | Ministry of Foreign Affairs | accepted | 1 "
        "| reviewed 1 | a:1:1 |" in text
    )
    assert (
        "| Bộ Ngoại giao | Ministry of Foreign Affairs | Ministry of Diplomacy | FORBIDDEN | 1 "
        "| aligned 1 | b:1:1 |" in text
    )
    missing = text.split("## Required rendering missing")[1].split("## Forbidden renderings")[0]
    assert "b:1:1" in missing and "a:1:1" not in missing
    forbidden = text.split("## Forbidden renderings")[1]
    assert "| Bộ Ngoại giao | Ministry of Diplomacy | b:1:1 | aligned |" in forbidden


def test_extract_parallel_and_usage_never_import_torch(tmp_path):
    import subprocess
    import sys

    out = aligned_bodies(tmp_path)
    db = tmp_path / "tm.sqlite"
    code = (
        "import sys; from songngu.translate.cli import main; "
        f"assert main(['align', {str(DATA / 'bodies.vi.txt')!r}, {str(DATA / 'bodies.en.txt')!r}, "
        f"'--out', {str(out)!r}, '--tm', {str(db)!r}]) == 0; "
        f"assert main(['glossary', 'extract', '--parallel', {str(out / 'bodies.vi.tsv')!r}]) == 0; "
        f"assert main(['glossary', 'usage', '--tm', {str(db)!r}]) == 0; "
        "bad = [m for m in ('torch', 'transformers') if m in sys.modules]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path, capture_output=True)
