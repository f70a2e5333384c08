"""Reading PO and JSONL files for evaluation; PO-vs-PO evaluation; post-editing effort (HTER)."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest

from songngu.translate.cli import main
from songngu.translate.evaluate.inputs import Role, align, pair_files, read_document, read_lines
from songngu.translate.evaluate.postedit import post_edit_effort
from songngu.translate.evaluate.quality import corpus_scores, hter
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.records import ArticleTranslation, RunInfo, SegmentResult, TermOutcome

# (segment id, source, machine translation, reviewer's msgstr, confirmed)
ENTRIES = [
    (
        "art:1:1",
        "Bộ Ngoại giao họp.",
        "The Foreign Office met.",
        "The Ministry of Foreign Affairs met.",
        True,
    ),
    ("art:2:1", "Hội thảo diễn ra.", "The workshop took place.", "The workshop took place.", True),
    ("art:2:2", "Đại sứ phát biểu.", "Ambassador speaks.", "The Ambassador spoke.", True),
    ("art:3:1", "Câu chưa duyệt.", "A sentence not reviewed.", "A sentence not reviewed.", False),
]


def write_po(
    path: Path, entries: list[tuple[str, str, str, str, bool]] = ENTRIES, obsolete: bool = True
) -> Path:
    catalog = polib.POFile()
    catalog.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8"}
    for ident, source, machine, final, confirmed in entries:
        entry = polib.POEntry(
            msgctxt=ident,
            msgid=source,
            msgstr=final,
            comment=f"glossary: something\nmachine translation: {machine}",
        )
        if not confirmed:
            entry.flags.append("fuzzy")
        catalog.append(entry)
    if obsolete:
        catalog.append(polib.POEntry(msgctxt="art:9:1", msgid="Cũ.", msgstr="Old.", obsolete=True))
    path.write_text(str(catalog), encoding="utf-8")
    return path


def test_po_hypothesis_is_the_machine_translation_reference_the_confirmed_msgstr(tmp_path: Path) -> None:
    po = write_po(tmp_path / "art.po")
    hyp = read_document(po, Role.HYPOTHESIS)
    ref = read_document(po, Role.REFERENCE)
    assert [i.text for i in hyp.items] == [e[2] for e in ENTRIES]  # obsolete entry left out
    assert [i.text for i in ref.items] == [e[3] if e[4] else None for e in ENTRIES]
    article = align(hyp, ref)
    assert article.hypotheses == [e[2] for e in ENTRIES[:3]]
    assert article.references == [e[3] for e in ENTRIES[:3]]
    assert [p.source for p in article.pairs] == [e[1] for e in ENTRIES[:3]]
    assert article.skipped == 1


def test_po_vs_po_evaluation_matches_by_msgctxt(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    reviewed = write_po(tmp_path / "reviewed.po")
    # The hypothesis catalog lists its entries in another order, and one more the reviewer lacks.
    other = [(i, s, f"System: {m}", m, False) for i, s, m, _, _ in reversed(ENTRIES)]
    other.append(("art:4:1", "Thêm.", "Extra.", "Extra.", False))
    hyp = write_po(tmp_path / "system.po", other, obsolete=False)
    assert main(["evaluate", "--hyp", str(hyp), "--ref", str(reviewed), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    expected = corpus_scores([f"System: {e[2]}" for e in ENTRIES[:3]], [e[3] for e in ENTRIES[:3]])
    assert result["bleu"]["score"] == expected["bleu"].score
    assert result["ter"]["score"] == expected["ter"].score
    assert result["segments"] == 3 and result["skipped_unconfirmed"] == 1


def test_text_hypothesis_against_po_reference_by_position(tmp_path: Path) -> None:
    po = write_po(tmp_path / "art.po")
    text = tmp_path / "art.en"
    text.write_text("".join(e[2] + "\n" for e in ENTRIES), encoding="utf-8")
    article = align(read_document(text, Role.HYPOTHESIS), read_document(po, Role.REFERENCE))
    assert article.hypotheses == [e[2] for e in ENTRIES[:3]]
    short = tmp_path / "short.en"
    short.write_text("one\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"short\.en: 1 segments, but the reference .* has 4"):
        align(read_document(short, Role.HYPOTHESIS), read_document(po, Role.REFERENCE))


def test_jsonl_hypothesis_brings_sources_and_terms(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = RunInfo("0.1.0", "m", "sha256:0", None, None, 4, 256, 16, "cpu")
    results = [
        SegmentResult(
            "art:1:1",
            ENTRIES[0][1],
            "The Ministry of Foreign Affairs met.",
            1,
            [TermOutcome(0, 13, "Bộ Ngoại giao", "Ministry of Foreign Affairs", True)],
        ),
        SegmentResult("art:2:1", ENTRIES[1][1], "The workshop happened.", 2),
        SegmentResult("art:2:2", ENTRIES[2][1], "The Ambassador spoke.", 2),
        SegmentResult(
            "art:3:1",
            ENTRIES[3][1],
            "Not reviewed.",
            3,
            [TermOutcome(0, 3, "Câu", "Sentence", False)],
        ),
    ]
    jsonl = tmp_path / "art.jsonl"
    jsonl.write_text(
        JsonlFormat().render(ArticleTranslation("art", "art.txt", run, results)), encoding="utf-8"
    )
    po = write_po(tmp_path / "art.po")
    assert main(["evaluate", "--hyp", str(jsonl), "--ref", str(po), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["segments"] == 3
    # the unconfirmed segment (and its term) is not evaluated
    assert result["terms_required"] == 1 and result["term_success_rate"] == 1.0


def test_post_edit_effort_hter_and_unchanged_share(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    first = write_po(tmp_path / "first.po")
    second = write_po(tmp_path / "second.po", [("b:1:1", "Một.", "One.", "One.", True)])
    per_article, total = post_edit_effort([first, second])
    machine = [e[2] for e in ENTRIES[:3]]
    final = [e[3] for e in ENTRIES[:3]]
    assert per_article[0].hter.score == hter(machine, final).score
    assert per_article[0].segments == 3 and per_article[0].unchanged == 1 and per_article[0].pending == 1
    assert per_article[1].hter.score == 0.0 and per_article[1].unchanged_share == 1.0
    assert total.hter.score == hter([*machine, "One."], [*final, "One."]).score
    assert total.unchanged == 2 and total.segments == 4
    assert "case:mixed" in total.hter.signature  # a reviewer's case fix is an edit

    assert main(["evaluate", "--post-edit", str(first), str(second), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["hter"]["score"] == total.hter.score
    assert result["accepted_unchanged_share"] == 0.5
    assert [a["name"] for a in result["articles"]] == ["first", "second"]
    # The same catalog as hypothesis and reference: TER of the machine translation, as sacrebleu does.
    assert main(["evaluate", "--hyp", str(first), "--ref", str(first), "--json"]) == 0
    assert (
        json.loads(capsys.readouterr().out)["ter"]["score"]
        == corpus_scores(machine, final, ["ter"])["ter"].score
    )


def test_read_lines_reads_like_sacrebleu(tmp_path: Path) -> None:
    path = tmp_path / "x.en"
    path.write_bytes("\ufeffa b  \r\nc\u2028d\n\ne".encode())
    assert read_lines(path) == ["a b", "c\u2028d", "", "e"]


def test_pair_files_by_name_else_by_order() -> None:
    assert pair_files(["out/a.jsonl", "out/b.jsonl"], ["ref/b.en", "ref/a.en"]) == [
        ("out/a.jsonl", "ref/a.en"),
        ("out/b.jsonl", "ref/b.en"),
    ]
    assert pair_files(["x.en", "y.en"], ["r1.en", "r2.en"]) == [("x.en", "r1.en"), ("y.en", "r2.en")]
