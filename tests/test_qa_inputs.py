"""``songngu qa`` reads every file through the one reader of reviewed units (issue #21): a reviewer's
edited text is what is checked, the terms a unit records come with every accepted rendering, a
glossary fills in the units that record none, and any format the registry reads is checked."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from model_factory import SEEDS

from songngu.errors import InputError
from songngu.glossary.formats import load_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.translate.cli import main
from songngu.translate.formats import write_outputs
from songngu.translate.qa.checker import QualityChecker, build_checks
from songngu.translate.qa.findings import Finding, Severity
from songngu.translate.qa.inputs import read_segments
from songngu.translate.records import ArticleTranslation, Method, RunInfo, SegmentResult, TermOutcome

GLOSSARY = SEEDS / "glossary.csv"
RUN = RunInfo("0.test", "tiny", "sha256:0", None, None, 4, 256, 16, "cpu", run_id="20240501T000000Z-0000abcd")
UNDP = "Chương trình Phát triển Liên hợp quốc"


def article(*results: SegmentResult) -> ArticleTranslation:
    for line, result in enumerate(results, start=1):
        result.line = line
    return ArticleTranslation("bai", "bai.txt", RUN, list(results))


def machine_article() -> ArticleTranslation:
    number = Finding("numbers", Severity.ERROR, "'1.500' (1,500) is not in the translation")
    return article(
        SegmentResult(
            "bai:1:1", "Có 1.500 người tham gia.", "There were 1,600 participants.", 1, qa=(number,)
        ),
        SegmentResult("bai:1:2", "Hội nghị kết thúc ngày 5 tháng 3.", "The conference ended on 5 March.", 1),
        SegmentResult("bai:2:1", "Trời mưa.", "It rained.", 2),
    )


def findings(path: Path, matcher: GlossaryMatcher | None = None) -> dict[str, list[str]]:
    checker = QualityChecker(build_checks(["*"]))
    return {
        segment.id: [f"{f.severity} {f.check}: {f.message}" for f in checker.check(segment)]
        for segment in read_segments(path, matcher)
    }


def test_a_confirmed_entry_a_reviewer_edited_is_checked_on_the_reviewers_text(tmp_path: Path) -> None:
    write_outputs(machine_article(), tmp_path)
    path = tmp_path / "bai.po"
    catalog = polib.pofile(str(path))
    by_id = {entry.msgctxt: entry for entry in catalog}
    by_id["bai:1:1"].msgstr = "There were 1,500 participants."  # the reviewer fixed the number
    by_id["bai:1:2"].msgstr = "The conference ended on 6 March."  # and moved the date
    for entry in (by_id["bai:1:1"], by_id["bai:1:2"]):
        entry.flags = []
    catalog.save(str(path))
    segments = {segment.id: segment for segment in read_segments(path)}
    assert segments["bai:1:1"].target == "There were 1,500 participants."
    assert segments["bai:1:1"].reviewed and not segments["bai:2:1"].reviewed
    found = findings(path)
    assert not any("numbers" in f for f in found["bai:1:1"])
    assert any(f.startswith("error dates:") for f in found["bai:1:2"])
    # The finding written at translate time (about the machine's 1,600) is not read back.
    assert "qa: error numbers:" in path.read_text(encoding="utf-8")


def test_obsolete_entries_are_left_out(tmp_path: Path) -> None:
    write_outputs(machine_article(), tmp_path)
    write_outputs(article(SegmentResult("bai:1:1", "Trời mưa.", "It rained.", 1)), tmp_path)
    catalog = polib.pofile(str(tmp_path / "bai.po"))
    assert any(entry.obsolete for entry in catalog)
    assert [segment.id for segment in read_segments(tmp_path / "bai.po")] == ["bai:1:1"]


def test_recorded_terms_accept_every_rendering_the_record_lists(tmp_path: Path) -> None:
    # The record says "UN" counts as the term: a target with "UN" meets it (the check once knew
    # only the preferred rendering, and called this an error).
    term = TermOutcome(0, 13, "Liên hợp quốc", "United Nations", True, ("UN",))
    write_outputs(
        article(SegmentResult("bai:1:1", "Liên hợp quốc họp.", "The UN met.", 1, terms=[term])), tmp_path
    )
    for suffix in (".jsonl", ".po", ".xlf"):
        (segment,) = read_segments(tmp_path / f"bai{suffix}")
        assert segment.terms[0].accepted == ("United Nations", "UN")
        assert (segment.terms[0].start, segment.terms[0].end) == (0, 13)
        assert not any("terms" in f for f in findings(tmp_path / f"bai{suffix}")["bai:1:1"])


def test_a_term_recorded_twice_is_placed_at_both_occurrences(tmp_path: Path) -> None:
    source = "Liên hợp quốc và Liên hợp quốc."
    terms = [
        TermOutcome(0, 13, "Liên hợp quốc", "United Nations", True),
        TermOutcome(17, 30, "Liên hợp quốc", "United Nations", True),
    ]
    write_outputs(
        article(
            SegmentResult("bai:1:1", source, "The United Nations and the United Nations.", 1, terms=terms)
        ),
        tmp_path,
    )
    (segment,) = read_segments(tmp_path / "bai.po")
    assert [(t.start, t.end) for t in segment.terms] == [(0, 13), (17, 30)]


def test_a_glossary_matches_units_that_record_no_terms_and_adds_forbidden_renderings(
    tmp_path: Path,
) -> None:
    matcher = GlossaryMatcher(load_glossary(GLOSSARY))
    source = f"{UNDP} họp."
    wrong = "The United Nations Development Program met."
    recorded = TermOutcome(0, len(UNDP), UNDP, "United Nations Development Programme", False)
    write_outputs(
        article(
            SegmentResult("bai:1:1", source, wrong, 1, terms=[recorded]),
            SegmentResult("bai:1:2", "Liên hợp quốc họp.", "The League met.", 1),
        ),
        tmp_path,
    )
    path = tmp_path / "bai.po"
    plain = findings(path)
    assert not any("forbidden" in f for f in plain["bai:1:1"])
    assert plain["bai:1:2"] == []  # no terms recorded, no glossary: nothing to check
    glossary = findings(path, matcher)
    assert any(
        "'United Nations Development Program' is a forbidden rendering" in f for f in glossary["bai:1:1"]
    )
    assert any(f.startswith("error terms: term 'Liên hợp quốc'") for f in glossary["bai:1:2"])


def test_every_format_the_registry_reads_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_outputs(machine_article(), tmp_path)
    # Moses files (line numbers for ids) and alignment beads, beside the five formats.
    (tmp_path / "beads.jsonl").write_text(
        '{"id": "a:1", "vi": "Có 1.500 người.", "en": "There were 1,600 people.", "vi_start": 0, '
        '"vi_end": 1, "en_start": 0, "en_end": 1, "score": 0.9, "kind": "1-1", "paragraph": 1}\n',
        encoding="utf-8",
    )
    assert main(["qa", str(tmp_path / "bai.vi")]) == 1
    assert "bai.vi:1: 1: error: numbers: '1.500' (1,500) is not in the translation" in capsys.readouterr().out
    assert main(["qa", str(tmp_path / "beads.jsonl")]) == 1
    assert "a:1: error: numbers:" in capsys.readouterr().out
    with pytest.raises(InputError, match=r"bai\.en\.txt: not a file songngu qa reads \(known suffixes: "):
        list(read_segments(tmp_path / "bai.en.txt"))


def test_a_memory_reuse_in_the_records_counts_as_reviewed(tmp_path: Path) -> None:
    reused = SegmentResult("bai:1:1", "Trời mưa.", "", 1, method=Method.MEMORY, memory_kind="reviewed")
    machine = SegmentResult("bai:1:2", "Trời nắng.", "", 1)
    write_outputs(article(reused, machine), tmp_path)
    found = findings(tmp_path / "bai.jsonl")
    # An empty reviewer's translation is an error; the machine's not yet translated is information.
    assert found["bai:1:1"] == ["error untranslated: the translation is empty"]
    assert found["bai:1:2"] == ["info untranslated: not translated yet"]
