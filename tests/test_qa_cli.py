"""``songngu qa``: every reviewed format read, the report formats, exit codes, --checks, --ignore,
--tm, and the HTML report as a reader sees it in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from model_factory import SEEDS

from songngu.translate.cli import main
from songngu.translate.formats import write_outputs
from songngu.translate.memory import MemoryUnit, TranslationMemory
from songngu.translate.qa.length import FLORES_MODEL, MIN_PAIRS, desk_model, memory_model
from songngu.translate.records import ArticleTranslation, Method, RunInfo, SegmentResult, TermOutcome

GLOSSARY = str(SEEDS / "glossary.csv")
RUN = RunInfo("0.test", "tiny", "sha256:0", None, None, 4, 256, 16, "cpu", run_id="20240501T000000Z-0000abcd")


def article() -> ArticleTranslation:
    """Three sentences: a changed number, a term not met, and a clean one."""
    results = [
        SegmentResult(
            "bai:1:1", "Có 1.500 người tham gia hội nghị.", "There were 1,600 people at the conference.", 1
        ),
        SegmentResult(
            "bai:1:2",
            "Liên hợp quốc họp tại New York.",
            "The League met in New York.",
            1,
            terms=[TermOutcome(0, 13, "Liên hợp quốc", "United Nations", False)],
        ),
        SegmentResult("bai:2:1", "Hội nghị kết thúc ngày 5 tháng 3.", "The conference ended on 5 March.", 2),
    ]
    for line, result in enumerate(results, start=1):
        result.line = line
        result.method = Method.UNCONSTRAINED
    return ArticleTranslation("bai", "bai.txt", RUN, results)


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    write_outputs(article(), tmp_path)
    return tmp_path


@pytest.mark.parametrize("suffix", [".jsonl", ".po", ".xlf", ".tmx", ".tsv"])
def test_every_reviewed_format_is_read_and_errors_exit_1(
    outputs: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["qa", str(outputs / f"bai{suffix}"), "--glossary", GLOSSARY]) == 1
    out = capsys.readouterr().out
    assert (
        f"bai{suffix}:" in out and "bai:1:1: error: numbers: '1.500' (1,500) is not in the translation" in out
    )
    assert "bai:1:2: error: terms: term 'Liên hợp quốc' should be rendered 'United Nations'" in out
    assert "bai:2:1" not in out
    assert out.rstrip().endswith("qa: 3 segments checked, 2 with findings: 3 errors (numbers 2, terms 1)")


def test_terms_without_a_glossary_come_from_the_files_notes(
    outputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for suffix in (".po", ".xlf", ".jsonl"):
        assert main(["qa", str(outputs / f"bai{suffix}"), "--checks", "terms"]) == 1
        assert "term 'Liên hợp quốc' should be rendered 'United Nations'" in capsys.readouterr().out


def test_clean_files_exit_0_and_checks_select(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qa", str(outputs / "bai.po"), "--checks", "dates,form"]) == 0
    assert capsys.readouterr().out == "qa: 3 segments checked, 0 with findings\n"


def test_ignore_file(outputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ignore = tmp_path / "accepted.txt"
    ignore.write_text("# reviewed 2024-05-01\nnumbers bai:1:1\nterms * Liên hợp quốc\n", encoding="utf-8")
    assert main(["qa", str(outputs / "bai.po"), "-g", GLOSSARY, "--ignore", str(ignore)]) == 0
    assert capsys.readouterr().out.endswith("0 with findings\n")


def test_json_and_csv_reports(outputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "qa.json"
    assert (
        main(["qa", str(outputs / "bai.jsonl"), "-g", GLOSSARY, "--format", "json", "-o", str(report)]) == 1
    )
    assert capsys.readouterr().err.startswith("qa: 3 segments checked")
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["summary"]["by_check"] == {"numbers": 2, "terms": 1}
    first = document["segments"][0]
    assert first["id"] == "bai:1:1" and first["file"].endswith("bai.jsonl") and first["line"] == 2
    spans = [(f["source"], f["target"]) for f in first["findings"]]
    assert spans == [([[3, 8]], []), ([], [[11, 16]])]
    assert first["source"][3:8] == "1.500" and first["target"][11:16] == "1,600"

    assert main(["qa", str(outputs / "bai.po"), "-g", GLOSSARY, "--format", "csv"]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["segment"], r["check"], r["in source"], r["in target"]) for r in rows] == [
        ("bai:1:1", "numbers", "1.500", ""),
        ("bai:1:1", "numbers", "", "1,600"),
        ("bai:1:2", "terms", "Liên hợp quốc", ""),
    ]


def test_html_report_worst_first_with_spans_highlighted(
    outputs: Path, tmp_path: Path, browser: object, capsys: pytest.CaptureFixture[str]
) -> None:
    # A second file whose only finding is a warning: it must come after the errors.
    warned = ArticleTranslation(
        "tin",
        "tin.txt",
        RUN,
        [SegmentResult("tin:1:1", "Ông Dylan đến Hà Nội.", "He came to Hanoi.", 1, line=1)],
    )
    write_outputs(warned, tmp_path / "other")
    report = tmp_path / "qa.html"
    argv = [
        "qa",
        str(tmp_path / "other" / "tin.po"),
        str(outputs / "bai.po"),
        "-g",
        GLOSSARY,
        "--format",
        "html",
    ]
    assert main([*argv, "-o", str(report)]) == 1
    capsys.readouterr()
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(report.as_uri())
        assert page.title() == "Quality assurance"
        order = page.eval_on_selector_all("section.segment", "els => els.map(e => e.dataset.segment)")
        assert order == ["bai:1:1", "bai:1:2", "tin:1:1"]  # two errors, one error, one warning
        marks = page.eval_on_selector_all(
            "section.segment mark", "els => els.map(e => [e.className, e.textContent, e.title])"
        )
        assert ["error", "1.500", "numbers: '1.500' (1,500) is not in the translation"] in marks
        assert ["error", "1,600", "numbers: '1,600' (1,600) is not in the source"] in marks
        assert ["warning", "Dylan", "names: name 'Dylan' is not in the translation"] in marks
        # What a reader sees: the highlighted number has a background of its own.
        background = page.eval_on_selector(
            "section.segment mark.error", "e => getComputedStyle(e).backgroundColor"
        )
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")
        assert "qa: 4 segments checked, 3 with findings" in page.inner_text("p.summary")
    finally:
        page.close()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["qa", "{out}/bai.txt"], "bai.txt: not a file songngu qa reads"),
        (["qa", "{out}/bai.po", "--checks", "numbrs"], "--checks: unknown check 'numbrs'"),
        (["qa", "{out}/bad.po"], "bad.po:1: malformed PO"),
        (["qa", "{out}/bai.po", "--ignore", "{out}/ignore.txt"], "ignore.txt:2: unknown check 'nmbers'"),
        (["qa", "{out}/missing.xlf"], "missing.xlf"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_report(
    outputs: Path, argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (outputs / "bai.txt").write_text("Xin chào.\n", encoding="utf-8")
    (outputs / "bad.po").write_text('msgid "a\n', encoding="utf-8")
    (outputs / "ignore.txt").write_text("numbers *\nnmbers bai:1:1\n", encoding="utf-8")
    report = outputs / "report.html"
    args = [a.replace("{out}", str(outputs)) for a in argv]
    assert main([*args, "--format", "html", "-o", str(report)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and expected in lines[0] and lines[0].startswith("songngu: ")
    assert not report.exists()


def test_length_model_from_the_desks_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = [
        (f"Câu số {k} khá ngắn.", f"Sentence number {k} is rather short, as the desk writes it.")
        for k in range(300)
    ]
    assert desk_model(pairs[: MIN_PAIRS - 1], "tm") is FLORES_MODEL
    learned = desk_model(pairs, "tm")
    assert learned.pairs == 300 and learned.ratio > 2  # this desk writes long
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        memory.store(
            MemoryUnit(vi, en, "a.po", f"a:{k}", True, "2024-05-01T00:00:00Z")
            for k, (vi, en) in enumerate(pairs)
        )
        assert memory_model(memory).ratio == learned.ratio
    # A translation as long as FLORES-200 would have it is too short for this desk.
    source = " ".join(vi for vi, _ in pairs[:3])
    target = "x" * round(FLORES_MODEL.ratio * len(source))
    write_outputs(
        ArticleTranslation("a", "a.txt", RUN, [SegmentResult("a:1:1", source, target, 1)]), tmp_path
    )
    po = str(tmp_path / "a.po")
    assert main(["qa", po, "--checks", "length"]) == 0
    assert capsys.readouterr().out.endswith("0 with findings\n")
    assert main(["qa", po, "--checks", "length", "--tm", str(tmp_path / "tm.sqlite")]) == 1
    assert "error: length:" in capsys.readouterr().out
