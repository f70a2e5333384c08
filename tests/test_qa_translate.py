"""Translate-time findings: ``songngu translate`` checks every sentence and writes what it finds into
the PO (``#. qa:`` notes and the ``songngu-qa`` flag), the XLIFF (``<note>``) and the JSONL; a
sentence with findings stays fuzzy even from the memory; a merge that keeps a reviewer's text drops
findings about the machine's; msgfmt and Translate Toolkit read it all."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
from model_factory import SEEDS
from msgfmt import msgfmt_check
from songngu_process import TranslateRun
from translate.storage import po as toolkit_po
from translate.storage import xliff as toolkit_xliff

from songngu.errors import InputError
from songngu.glossary.formats import load_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.translate.engine import Translator
from songngu.translate.formats import write_outputs
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.formats.notes import QA_FLAG, note_lines, qa_note, read_notes
from songngu.translate.formats.po import merge_text
from songngu.translate.formats.xliff import MACHINE_STATE, MEMORY_STATE, SONGNGU, loads_xliff, merge_xliff
from songngu.translate.memory import MemoryUnit, TranslationMemory
from songngu.translate.pipeline import DecodingSettings, translate_segments
from songngu.translate.qa.checker import QualityChecker, build_checks
from songngu.translate.qa.findings import Finding, Severity, Span
from songngu.translate.records import ArticleTranslation, Method, RunInfo, SegmentResult
from songngu.translate.segment import segment_article

RUN = RunInfo("0.test", "tiny", "sha256:0", None, None, 4, 256, 16, "cpu", run_id="20240501T000000Z-0000abcd")
NUMBER = Finding("numbers", Severity.ERROR, "'1.500' (1,500) is not in the translation", (Span(3, 8),))
SPACING = Finding("spacing", Severity.INFO, "double space", (), (Span(5, 7),))


def article(
    *, memory: bool = False, qa: tuple[Finding, ...] = (NUMBER,), target: str = ""
) -> ArticleTranslation:
    first = SegmentResult(
        "bai:1:1",
        "Có 1.500 người tham gia.",
        target or "There were 1,600 participants.",
        1,
        line=1,
        method=Method.MEMORY if memory else Method.UNCONSTRAINED,
        memory_kind="reviewed" if memory else None,
        qa=qa,
    )
    second = SegmentResult("bai:1:2", "Hội nghị kết thúc.", "The conference ended.", 1, line=1)
    return ArticleTranslation("bai", "bai.txt", RUN, [first, second])


def entries(text: str) -> dict[str, polib.POEntry]:
    return {e.msgctxt: e for e in polib.pofile(text) if not e.obsolete}


def test_po_notes_flag_fuzziness_and_the_tools_that_read_them(tmp_path: Path) -> None:
    text = merge_text(article(), None, "bai.po")
    entry = entries(text)["bai:1:1"]
    assert "qa: error numbers: '1.500' (1,500) is not in the translation" in entry.comment.split("\n")
    assert entry.comment.split("\n")[-1].startswith("machine translation:")  # the baseline stays last
    assert entry.flags == ["fuzzy", QA_FLAG]
    assert QA_FLAG not in entries(text)["bai:1:2"].flags
    path = tmp_path / "bai.po"
    path.write_text(text, encoding="utf-8")
    msgfmt_check(path)
    unit = next(u for u in toolkit_po.pofile(path.read_bytes()).units if u.getcontext() == "bai:1:1")
    assert unit.hastypecomment(QA_FLAG) and unit.isfuzzy()
    assert "qa: error numbers:" in unit.getnotes("developer")


def test_a_memory_reuse_with_findings_stays_fuzzy_and_information_alone_does_not() -> None:
    assert entries(merge_text(article(memory=True), None, "bai.po"))["bai:1:1"].flags == ["fuzzy", QA_FLAG]
    clean = entries(merge_text(article(memory=True, qa=()), None, "bai.po"))["bai:1:1"]
    assert clean.flags == []
    # Typography alone (information) is noted, and neither flags nor keeps the sentence for review.
    noted = entries(merge_text(article(memory=True, qa=(SPACING,)), None, "bai.po"))["bai:1:1"]
    assert noted.flags == [] and "qa: info spacing: double space" in noted.comment


def test_po_merge_drops_findings_about_a_text_the_reviewer_replaced() -> None:
    first = merge_text(article(), None, "bai.po")
    catalog = polib.pofile(first)
    reviewed = next(e for e in catalog if e.msgctxt == "bai:1:1")
    reviewed.msgstr = "There were 1,500 participants."
    reviewed.flags = [QA_FLAG, "c-format"]  # the reviewer cleared fuzzy only
    again = entries(merge_text(article(), str(catalog), "bai.po"))["bai:1:1"]
    assert again.msgstr == "There were 1,500 participants."
    assert again.flags == ["c-format"] and "qa:" not in again.comment
    # Fresh findings on the machine's own text replace old ones; none leave no flag behind.
    machine = entries(merge_text(article(qa=()), first, "bai.po"))["bai:1:1"]
    assert machine.flags == ["fuzzy"] and "qa:" not in machine.comment


def test_the_qa_note_reads_back_through_notes_py_even_wrapped() -> None:
    entry = entries(merge_text(article(qa=(NUMBER, SPACING)), None, "bai.po"))["bai:1:1"]
    notes = read_notes(entry.comment)
    # Read back without spans (a note holds none), beside the baseline and the terms.
    assert notes.qa == (
        Finding(NUMBER.check, NUMBER.severity, NUMBER.message),
        Finding(SPACING.check, SPACING.severity, SPACING.message),
    )
    assert notes.flagged and notes.baseline is not None
    assert not read_notes(qa_note(SPACING)).flagged  # information alone flags nothing
    # msgcat and polib wrap long comment lines: the wrapped note reads back whole.
    wrapped = qa_note(NUMBER).replace(" is not", "\nis not")
    assert note_lines(wrapped) == [qa_note(NUMBER)]
    assert read_notes(wrapped + "\nmachine translation: x").qa == notes.qa[:1]


def test_po_merge_keeps_a_confirmed_entrys_findings_with_its_notes_and_the_flag_follows_them() -> None:
    # The reviewer confirmed songngu's text as it was: the notes (baseline, terms, findings) stay,
    # and so does the flag, whatever the re-run found in its own (unshown) text.
    catalog = polib.pofile(merge_text(article(), None, "bai.po"))
    confirmed = next(e for e in catalog if e.msgctxt == "bai:1:1")
    confirmed.flags = [QA_FLAG]
    again = entries(merge_text(article(qa=()), str(catalog), "bai.po"))["bai:1:1"]
    assert again.msgstr == "There were 1,600 participants."
    assert again.flags == [QA_FLAG] and qa_note(NUMBER) in again.comment.split("\n")
    # The reviewer cleared the flag too: it comes back while the finding is there.
    confirmed.flags = []
    assert entries(merge_text(article(qa=()), str(catalog), "bai.po"))["bai:1:1"].flags == [QA_FLAG]
    # Findings on a confirmed text only at information level: noted, no flag.
    info = polib.pofile(merge_text(article(qa=(SPACING,)), None, "bai.po"))
    next(e for e in info if e.msgctxt == "bai:1:1").flags = []
    assert entries(merge_text(article(), str(info), "bai.po"))["bai:1:1"].flags == []


def test_po_merge_drops_a_finding_a_tool_wrapped_whole() -> None:
    catalog = polib.pofile(merge_text(article(), None, "bai.po"))
    reviewed = next(e for e in catalog if e.msgctxt == "bai:1:1")
    reviewed.comment = reviewed.comment.replace(
        qa_note(NUMBER), qa_note(NUMBER).replace(" is not", "\nis not")
    )
    reviewed.msgstr, reviewed.flags = "There were 1,500 participants.", []
    again = entries(merge_text(article(), str(catalog), "bai.po"))["bai:1:1"]
    assert "qa:" not in again.comment and "is not in the translation" not in again.comment
    assert read_notes(again.comment).baseline == read_notes(reviewed.comment).baseline


def test_xliff_merge_keeps_the_findings_of_an_approved_unit_as_songngu_wrote_it() -> None:
    text, _ = merge_xliff(article(), None, "bai.xlf")
    approved = text.replace(
        '<trans-unit id="bai:1:1" resname="bai:1:1">',
        '<trans-unit id="bai:1:1" resname="bai:1:1" approved="yes">',
    )
    # The model now says something else; the approved text, and the findings about it, stay.
    merged, _ = merge_xliff(article(target="There were 1,700 participants.", qa=()), approved, "bai.xlf")
    kept = next(u for u in loads_xliff(merged, "bai.xlf").units if u.id == "bai:1:1")
    assert kept.target == "There were 1,600 participants." and kept.approved
    assert [n.text for n in kept.notes if n.text.startswith("qa:")] == [qa_note(NUMBER)]


def test_xliff_notes_state_and_merge() -> None:
    text, _ = merge_xliff(article(memory=True), None, "bai.xlf")
    unit = next(u for u in loads_xliff(text, "bai.xlf").units if u.id == "bai:1:1")
    assert unit.state == MACHINE_STATE  # a reused translation with findings needs review
    assert any(n.author == SONGNGU and n.text.startswith("qa: error numbers:") for n in unit.notes)
    store = toolkit_xliff.xlifffile(text.encode("utf-8"))
    assert (
        "qa: error numbers:" in next(u for u in store.units if u.xmlelement.get("id") == "bai:1:1").getnotes()
    )
    clean, _ = merge_xliff(article(memory=True, qa=()), None, "bai.xlf")
    assert next(u for u in loads_xliff(clean, "bai.xlf").units if u.id == "bai:1:1").state == MEMORY_STATE
    # A reviewer's approved target stays, without findings about the machine's text.
    approved = text.replace(
        '<trans-unit id="bai:1:1" resname="bai:1:1">',
        '<trans-unit id="bai:1:1" resname="bai:1:1" approved="yes">',
    )
    approved = approved.replace(
        ">There were 1,600 participants.</target>", ">There were 1,500 participants.</target>"
    )
    merged, _ = merge_xliff(article(memory=True), approved, "bai.xlf")
    kept = next(u for u in loads_xliff(merged, "bai.xlf").units if u.id == "bai:1:1")
    assert kept.target == "There were 1,500 participants." and kept.approved
    assert not any(n.text.startswith("qa:") for n in kept.notes)


def test_jsonl_carries_the_findings_and_reads_them_back(tmp_path: Path) -> None:
    write_outputs(article(qa=(NUMBER, SPACING)), tmp_path)
    line = (tmp_path / "bai.jsonl").read_text(encoding="utf-8").splitlines()[1]
    assert json.loads(line)["qa"][0] == {
        "check": "numbers",
        "severity": "error",
        "message": "'1.500' (1,500) is not in the translation",
        "source": [[3, 8]],
        "target": [],
    }
    assert JsonlFormat().read(tmp_path / "bai.jsonl").results[0].qa == (NUMBER, SPACING)
    assert "qa" not in json.loads((tmp_path / "bai.jsonl").read_text(encoding="utf-8").splitlines()[2])
    bad = line.replace('"severity": "error"', '"severity": "fatal"')
    with pytest.raises(InputError, match=r"^x.jsonl:1: not a songngu JSONL record"):
        JsonlFormat().parse(bad, "x.jsonl")


def test_the_pipeline_checks_every_sentence_and_memory_reuse_counts_as_reviewed(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    glossary = load_glossary(SEEDS / "glossary.csv")
    text = "Liên hợp quốc họp ngày 5 tháng 3 năm 2024 với 1.500 đại biểu.\n\nHội nghị kết thúc."
    segments = segment_article(text, "bai")
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        memory.store(
            [
                MemoryUnit(
                    "Hội nghị kết thúc.",
                    "The conference ended.",
                    "a.po",
                    "a:1:1",
                    True,
                    "2024-05-01T00:00:00Z",
                )
            ]
        )
        results = translate_segments(
            segments,
            translator=Translator.load(str(tiny_model_dir), device="cpu"),
            matcher=GlossaryMatcher(glossary),
            memory=memory,
            settings=DecodingSettings(beam=2, max_length=30),
            checker=QualityChecker(build_checks()),
        )
    machine, reused = results
    # The tiny model's gibberish has neither the number nor the date of its source.
    assert {"numbers", "dates"} <= {f.check for f in machine.qa}
    assert reused.method is Method.MEMORY and reused.qa == ()


def test_translate_writes_findings_into_every_reviewed_format(translate_run: TranslateRun) -> None:
    records = JsonlFormat().read(translate_run.out / "bai.jsonl").results
    flagged = {r.id for r in records if any(f.needs_review for f in r.qa)}
    assert flagged  # the tiny model's output is gibberish
    catalog = entries((translate_run.out / "bai.po").read_text(encoding="utf-8"))
    assert {ident for ident, e in catalog.items() if QA_FLAG in e.flags} == flagged
    for ident in flagged:
        notes = [line for line in catalog[ident].comment.split("\n") if line.startswith("qa: ")]
        assert len(notes) == len(next(r for r in records if r.id == ident).qa)
    msgfmt_check(translate_run.out / "bai.po")
    xliff = loads_xliff((translate_run.out / "bai.xlf").read_text(encoding="utf-8"), "bai.xlf")
    assert {u.id for u in xliff.units if any(n.text.startswith("qa: ") for n in u.notes)} >= flagged
    counts = {}
    for record in records:
        for finding in record.qa:
            if finding.needs_review:
                counts[finding.check] = counts.get(finding.check, 0) + 1
    summary = translate_run.process.stderr
    assert f"{sum(counts.values())} QA findings (" in summary
    assert all(f"{check} {n}" in summary for check, n in counts.items())
