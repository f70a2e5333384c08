"""Importing reviewed PO catalogs into the translation memory, and the candidate glossary rows."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest

from songngu import __version__
from songngu.errors import InputError
from songngu.glossary.formats.table import COLUMNS
from songngu.glossary.formats.table import loads as load_glossary_table
from songngu.translate.cli import main
from songngu.translate.formats.po import merge_text
from songngu.translate.formats.po_read import parse_catalog
from songngu.translate.memory import MemoryUnit, TranslationMemory
from songngu.translate.records import ArticleTranslation, Method, RunInfo, SegmentResult, TermOutcome
from songngu.translate.review import import_reviewed, read_reviewed

NOW = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
RUN = RunInfo(__version__, "tiny", "sha256:11", "g.csv", "sha256:22", 4, 64, 8, "cpu")
MOFA = TermOutcome(0, 13, "Bộ Ngoại giao", "Ministry of Foreign Affairs", True)


def record(seg_id: str, source: str, target: str, **kwargs: object) -> SegmentResult:
    kwargs.setdefault("method", Method.CONSTRAINED)
    return SegmentResult(id=seg_id, source=source, target=target, paragraph=1, **kwargs)  # type: ignore[arg-type]


def machine_catalog(name: str = "bai") -> str:
    art = ArticleTranslation(
        name=name,
        path=f"{name}.txt",
        run=RUN,
        results=[
            record(
                f"{name}:1:1",
                "Bộ Ngoại giao họp báo.",
                "The Ministry of Foreign Affairs held a briefing.",
                terms=[MOFA],
            ),
            record(f"{name}:1:2", "Trời mưa.", "It rains."),
            record(
                f"{name}:1:3",
                "Bộ Ngoại giao ra thông cáo.",
                "The Ministry of Foreign Affairs issued a statement.",
                terms=[MOFA],
            ),
            record(f"{name}:1:4", "Câu chưa xem.", "Not reviewed."),
            record(f"{name}:1:5", "Xin chào.", "Hello.", method=Method.MEMORY),
        ],
    )
    return merge_text(art, None, f"{name}.po", now=NOW)


def reviewed_catalog(name: str = "bai") -> str:
    """Accept 1:1, edit 1:2, edit 1:3 replacing the glossary term, leave 1:4 fuzzy, keep 1:5."""
    catalog = parse_catalog(machine_catalog(name), f"{name}.po")
    by_id = {e.msgctxt.rsplit(":", 2)[-2] + ":" + e.msgctxt.rsplit(":", 1)[-1]: e for e in catalog}
    by_id["1:1"].flags.remove("fuzzy")
    by_id["1:2"].msgstr = "It is raining."
    by_id["1:2"].flags.remove("fuzzy")
    by_id["1:3"].msgstr = "The Foreign Ministry issued a statement."
    by_id["1:3"].flags.remove("fuzzy")
    catalog.metadata["PO-Revision-Date"] = "2024-05-02 09:00+0700"
    return str(catalog)


def rows(db: Path) -> list[tuple[object, ...]]:
    """Every origin of every unit: (source, target, origin, segment id, edited, time)."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT u.source, u.target, o.origin, o.segment_id, o.edited, o.created"
            " FROM unit u JOIN origin o ON o.unit_id = u.id ORDER BY u.id, o.rowid"
        ).fetchall()


# ------------------------------------------------------------------------------------ import


def test_import_counts_and_stores_confirmed_entries(tmp_path: Path, write_po: Callable[..., Path]) -> None:
    path = write_po(reviewed_catalog())
    db = tmp_path / "tm.sqlite"
    with TranslationMemory(db) as memory:
        report = import_reviewed([path], memory)
        assert len(memory) == 4
        assert memory.lookup("Trời mưa.") == "It is raining."
        assert memory.lookup("Câu chưa xem.") is None  # still fuzzy: not imported
    (counts,) = report.files
    assert (counts.confirmed, counts.edited, counts.accepted, counts.unreviewed) == (4, 2, 2, 1)
    assert (report.stored, report.already_present) == (4, 0)
    assert rows(db) == [
        (
            "Bộ Ngoại giao họp báo.",
            "The Ministry of Foreign Affairs held a briefing.",
            "bai.po",
            "bai:1:1",
            0,
            "2024-05-02T02:00:00Z",
        ),
        ("Trời mưa.", "It is raining.", "bai.po", "bai:1:2", 1, "2024-05-02T02:00:00Z"),
        (
            "Bộ Ngoại giao ra thông cáo.",
            "The Foreign Ministry issued a statement.",
            "bai.po",
            "bai:1:3",
            1,
            "2024-05-02T02:00:00Z",
        ),
        ("Xin chào.", "Hello.", "bai.po", "bai:1:5", 0, "2024-05-02T02:00:00Z"),
    ]


def test_notes_wrapped_by_a_tool_are_read_whole(tmp_path: Path, write_po: Callable[..., Path]) -> None:
    # polib's default (and msgcat's) wraps lines at 78 columns, comments included.
    wrapped = polib.pofile(reviewed_catalog())
    wrapped.wrapwidth = 40
    text = str(wrapped)
    assert "#. machine translation: The Ministry of\n#. Foreign Affairs held a briefing." in text
    reviewed = read_reviewed(write_po(text))
    assert (reviewed.counts.edited, reviewed.counts.accepted) == (2, 2)
    assert [c.proposed for c in reviewed.term_changes] == ["Foreign Ministry"]


def test_reimporting_the_same_file_adds_nothing(tmp_path: Path, write_po: Callable[..., Path]) -> None:
    path = write_po(reviewed_catalog())
    db = tmp_path / "tm.sqlite"
    with TranslationMemory(db) as memory:
        import_reviewed([path], memory)
        again = import_reviewed([path], memory)
        assert len(memory) == 4
    assert (again.stored, again.already_present) == (0, 4)
    assert len(rows(db)) == 4


def test_a_term_the_reviewer_replaced_becomes_a_candidate_glossary_row(write_po: Callable[..., Path]) -> None:
    reviewed = read_reviewed(write_po(reviewed_catalog()))
    (change,) = reviewed.term_changes
    assert (change.vi, change.en, change.proposed, change.segment_id) == (
        "Bộ Ngoại giao",
        "Ministry of Foreign Affairs",
        "Foreign Ministry",
        "bai:1:3",
    )
    from songngu.translate.review import candidates_csv

    text = candidates_csv(reviewed.term_changes)
    table = list(csv.DictReader(io.StringIO(text)))
    assert tuple(table[0]) == COLUMNS
    assert [(r["vi"], r["en"]) for r in table] == [("Bộ Ngoại giao", "Foreign Ministry")]
    assert "bai:1:3" in table[0]["note"] and "The Foreign Ministry issued a statement." in table[0]["note"]
    # A curator can load it as a glossary as it stands.
    assert [e.en for e in load_glossary_table(text, "candidates.csv")] == ["Foreign Ministry"]


def test_a_catalog_songngu_did_not_write_is_imported_as_human_translation(
    tmp_path: Path, write_po: Callable[..., Path]
) -> None:
    foreign = (
        'msgid ""\nmsgstr ""\n"Language: en_US\\n"\n"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
        '"PO-Revision-Date: 2024-01-01 00:00+0000\\n"\n"Last-Translator: A <a@example.org>\\n"\n'
        '"Language-Team: English\\n"\n"Project-Id-Version: other\\n"\n\n'
        '#: tin.txt:3\nmsgid "Hà Nội"\nmsgstr "Hanoi"\n\n#, fuzzy\nmsgid "Huế"\nmsgstr "Hue"\n'
    )
    path = write_po(foreign, "other.po")
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed([path], memory, now="2025-01-01T00:00:00Z")
    assert (report.total.confirmed, report.total.edited, report.total.unreviewed) == (1, 1, 1)
    assert rows(tmp_path / "tm.sqlite") == [
        ("Hà Nội", "Hanoi", "other.po", "tin.txt:3", 1, "2024-01-01T00:00:00Z")
    ]


# ----------------------------------------------------------------------------- command line


def test_review_import_command_prints_a_summary_and_candidates(
    tmp_path: Path, write_po: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_po(reviewed_catalog("bai"), "bai.po")
    second = write_po(reviewed_catalog("tin"), "tin.po")
    db = tmp_path / "tm.sqlite"
    assert main(["review", "import", str(first), str(second), "--tm", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{first}: 4 confirmed (2 edited, 2 accepted unchanged), 1 still to review"
    assert out[1] == f"{second}: 4 confirmed (2 edited, 2 accepted unchanged), 1 still to review"
    # tin.po holds the same four pairs as bai.po: four more origins of the same units.
    assert (
        out[2] == "total: 8 confirmed (4 edited, 4 accepted unchanged), 2 still to review; "
        "4 newly stored, 4 already in the memory (4 of them from another file or segment)"
    )
    assert out[3].startswith("glossary: 2 term change(s)")
    assert out[4] == ",".join(COLUMNS)
    assert len(out) == 6  # both changes propose the same rendering: one row
    assert "tin.po tin:1:3" in out[5]

    candidates = tmp_path / "candidates.csv"
    assert main(["review", "import", str(first), "--tm", str(db), "--candidates", str(candidates)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2].endswith("0 newly stored, 4 already in the memory")
    assert out[-1] == f"glossary: 1 term change(s) by reviewers; candidate rows written to {candidates}"
    assert candidates.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)


NOT_UTF8 = 'msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "Hà"\nmsgstr "x"\n'.encode("cp1258")


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b'msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "a"\nmsgstr "b\n',
            ":6: malformed PO: unterminated string",
        ),
        (
            b'msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "a"\n\nmsgid "c"\nmsgstr "d"\n',
            ":5: malformed PO: msgid",
        ),
        (
            b'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\nmsgid "a"\nmsgstr "b"\n',
            ":3: header says Language: fr",
        ),
        (
            NOT_UTF8,
            f": byte {NOT_UTF8.index(b'H') + 1}: not valid UTF-8",
        ),
    ],
    ids=["unterminated", "no-msgstr", "french", "not-utf8"],
)
def test_a_refused_import_leaves_the_memory_unchanged(
    tmp_path: Path,
    write_po: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    expected: str,
) -> None:
    good = write_po(reviewed_catalog())
    db = tmp_path / "tm.sqlite"
    assert main(["review", "import", str(good), "--tm", str(db)]) == 0
    capsys.readouterr()
    before = rows(db)
    edited = parse_catalog(reviewed_catalog(), "bai.po")
    for entry in edited:  # all confirmed, another origin: would add units if anything were stored
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    changed = write_po(str(edited), "more.po")
    bad = tmp_path / "bad.po"
    bad.write_bytes(content)
    line = refused(["review", "import", str(changed), str(bad), "--tm", str(db)], capsys)
    assert line == f"songngu: {bad}{expected}" or line.startswith(f"songngu: {bad}{expected}"), line
    assert rows(db) == before
    # A refused import does not even create a memory that did not exist.
    fresh = tmp_path / "fresh.sqlite"
    refused(["review", "import", str(bad), "--tm", str(fresh)], capsys)
    assert not fresh.exists()


def test_read_reviewed_names_the_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.po"
    path.write_text('msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "a"\nmsgtext "b"\n', encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{path}:6: malformed PO: unexpected 'msgtext'"):
        read_reviewed(path)


def test_polib_reads_what_the_import_reads(write_po: Callable[..., Path]) -> None:
    # The catalogs under test are ordinary polib catalogs: a reviewer's tool sees the same entries.
    path = write_po(reviewed_catalog())
    assert [e.msgctxt for e in polib.pofile(str(path)).translated_entries()] == [
        "bai:1:1",
        "bai:1:2",
        "bai:1:3",
        "bai:1:5",
    ]


# ------------------------------------------------------------------- accepted renderings


VARIANT_GLOSSARY = "vi,en,en_variants\nBộ Ngoại giao,Ministry of Foreign Affairs,Foreign Ministry\n"


def test_a_variant_accepted_unchanged_is_no_term_change(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The memory's translation uses an en_variants form; the reviewer accepts the reuse as it is.
    # review import --candidates listed it as a reviewer's term change (only `en` was compared),
    # while glossary usage called the same rendering "accepted".
    glossary = tmp_path / "g.csv"
    glossary.write_text(VARIANT_GLOSSARY, encoding="utf-8")
    tm = tmp_path / "tm.sqlite"
    with TranslationMemory(tm) as memory:
        memory.store(
            [
                MemoryUnit(
                    "Bộ Ngoại giao họp báo.",
                    "The Foreign Ministry held a briefing.",
                    "old.po",
                    "old:1:1",
                    True,
                    "2024-05-01T00:00:00Z",
                )
            ]
        )
    article = tmp_path / "bai.txt"
    article.write_text("Bộ Ngoại giao họp báo.\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = ["translate", str(article), "--out", str(out), "--model", str(tiny_model_dir), "-g", str(glossary)]
    assert main([*argv, "--tm", str(tm), "--max-length", "16"]) == 0
    po = out / "bai.po"
    (entry,) = [e for e in polib.pofile(str(po)) if e.msgid]
    assert "glossary: Bộ Ngoại giao → Ministry of Foreign Affairs [met]; also accepted: Foreign Ministry" in (
        entry.comment
    )
    assert "fuzzy" not in entry.flags  # a reviewer's translation from the memory
    candidates = tmp_path / "candidates.csv"
    capsys.readouterr()
    assert (
        main(
            [
                "review",
                "import",
                str(po),
                "--tm",
                str(tmp_path / "new.sqlite"),
                "--candidates",
                str(candidates),
            ]
        )
        == 0
    )
    assert "glossary: 0 term change(s)" in capsys.readouterr().out
    assert candidates.read_text(encoding="utf-8").splitlines() == [",".join(COLUMNS)]
    assert main(["glossary", "usage", "--tm", str(tm), "-g", str(glossary)]) == 0
    usage = capsys.readouterr().out
    assert "| Foreign Ministry | accepted |" in usage


def test_a_reviewer_who_leaves_every_accepted_form_is_a_term_change(write_po: Callable[..., Path]) -> None:
    term = TermOutcome(0, 13, "Bộ Ngoại giao", "Ministry of Foreign Affairs", True, ("Foreign Ministry",))
    art = ArticleTranslation(
        "bai",
        "bai.txt",
        RUN,
        [record("bai:1:1", "Bộ Ngoại giao họp.", "The Foreign Ministry met.", terms=[term])],
    )
    catalog = parse_catalog(merge_text(art, None, "bai.po", now=NOW), "bai.po")
    (entry,) = [e for e in catalog if e.msgid]
    entry.flags.remove("fuzzy")
    entry.msgstr = "The Foreign Office met."
    (change,) = read_reviewed(write_po(str(catalog))).term_changes
    assert (change.en, change.proposed) == ("Ministry of Foreign Affairs", "Foreign Office")


def test_term_notes_without_accepted_forms_still_read() -> None:
    from songngu.translate.formats.notes import read_notes

    notes = read_notes("glossary: Bộ Ngoại giao → Ministry of Foreign Affairs [met]\nmachine translation: x")
    (term,) = notes.terms
    assert (term.en, term.accepted, term.met) == (
        "Ministry of Foreign Affairs",
        ("Ministry of Foreign Affairs",),
        True,
    )
    wrapped = read_notes(
        "glossary: Bộ Ngoại giao → Ministry of Foreign\nAffairs [NOT MET]; also accepted:"
        " Foreign\nMinistry | MOFA"
    )
    (term,) = wrapped.terms
    assert term.accepted == ("Ministry of Foreign Affairs", "Foreign Ministry", "MOFA") and not term.met
