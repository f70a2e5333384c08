"""The HTML report's per-segment view as a reader sees it, in headless Chromium: the segments worst
first, the filters by article and by term, and the glossary terms marked met or missed.

``SONGNGU_SCREENSHOTS=1 .venv/bin/pytest tests/test_evaluate_report.py`` also writes the README's
screenshot, ``docs/report-segments.png``; a normal run leaves the committed file alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from songngu.translate.cli import main
from songngu.translate.evaluate.inputs import Pair
from songngu.translate.evaluate.segments import article_segments, worst_first
from songngu.translate.evaluate.terminology import RequiredTerm, check_sentence

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "report-segments.png"

GLOSSARY = (
    "vi,en,acronym\n"
    "Bộ Ngoại giao,Ministry of Foreign Affairs,MOFA\n"
    "Liên hợp quốc,United Nations,UN\n"
    "quyền con người,human rights,\n"
)
# article -> (source, hypothesis, reference) per segment
ARTICLES = {
    "hop-bao": [
        (
            "Bộ Ngoại giao họp báo thường kỳ.",
            "The Ministry of Foreign Affairs held its regular press conference.",
            "The Ministry of Foreign Affairs held its regular press conference.",
        ),
        (
            "Liên hợp quốc gửi thư chúc mừng.",
            "The organisation sent a letter.",
            "The United Nations sent a letter of congratulations.",
        ),
        ("Trời mưa to suốt buổi sáng.", "Rain.", "It rained heavily all morning."),
    ],
    "ky-ket": [
        (
            "Bộ Ngoại giao và Liên hợp quốc ký kết thỏa thuận về quyền con người.",
            "Ministry of Foreign Affairs and United Nations signed an agreement on human right.",
            "The Ministry of Foreign Affairs and the United Nations signed an agreement on human rights.",
        ),
        (
            "Lễ ký kết diễn ra tại Hà Nội.",
            "The signing took place in Hanoi.",
            "The signing ceremony took place in Hanoi.",
        ),
    ],
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    glossary = root / "glossary.csv"
    glossary.write_text(GLOSSARY, encoding="utf-8")
    files: dict[str, list[str]] = {"src": [], "hyp": [], "ref": []}
    for name, segments in ARTICLES.items():
        for kind, column in (("src", 0), ("hyp", 1), ("ref", 2)):
            path = root / kind / f"{name}.txt"
            path.parent.mkdir(exist_ok=True)
            path.write_text("".join(segment[column] + "\n" for segment in segments), encoding="utf-8")
            files[kind].append(str(path))
    out = root / "report.html"
    argv = ["evaluate", "--hyp", *files["hyp"], "--ref", *files["ref"], "--src", *files["src"]]
    assert main([*argv, "--glossary", str(glossary), "--report", str(out)]) == 0
    return out


def test_worst_first_is_by_sentence_chrf_then_missed_terms_then_document_order() -> None:
    human = RequiredTerm("human rights", "quyền con người", ("human rights",))
    pairs = [Pair(None, "Rain.", "It rained."), Pair(None, "Rain.", "It rained.", "quyền con người")]
    checks = [check_sentence("Rain.", []), check_sentence("Rain.", [human])]
    views = article_segments("a", pairs, checks)
    assert views[0].score == views[1].score  # the same sentence chrF: the missed term decides
    assert [v.position for v in worst_first(views)] == [2, 1]
    assert [v.position for v in worst_first([views[0], views[0]])] == [1, 1]


def test_the_segment_view_in_a_browser(report: Path, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    try:
        page.goto(report.as_uri())
        rows = page.locator("#segments tbody tr")
        assert rows.count() == 5
        visible = page.locator("#segments tbody tr:visible")
        assert page.locator("#segment-count").inner_text() == "5 of 5 segments shown"

        # Worst first: sentence chrF rising down the table; the perfect segment last.
        scores = [float(text) for text in page.locator("#segments tbody td.score").all_inner_texts()]
        assert scores == sorted(scores) and scores[-1] == 100.0 and scores[0] < 20
        assert rows.nth(0).locator("td.hypothesis").inner_text() == "Rain."
        assert rows.nth(4).locator("td.hypothesis").inner_text().startswith("The Ministry")

        # Terms marked: met in the hypothesis where the rendering is, missed in the source.
        best = rows.nth(4)
        assert best.locator("td.hypothesis mark.met").inner_text() == "Ministry of Foreign Affairs"
        green = best.locator("td.hypothesis mark.met").evaluate("m => getComputedStyle(m).backgroundColor")
        assert green == "rgb(200, 230, 201)"
        letter = page.locator("#segments tbody tr", has_text="The organisation sent a letter.")
        assert letter.locator("td.source mark.missed").inner_text() == "Liên hợp quốc"
        assert letter.locator("td.terms .term.missed").inner_text() == "✗ United Nations"
        assert letter.locator("td.hypothesis mark").count() == 0
        # "human right" is no rendering of "human rights", met or inflected.
        signing = page.locator("#segments tbody tr", has_text="signed an agreement")
        assert signing.locator("td.source mark.missed").inner_text() == "quyền con người"
        assert sorted(signing.locator("td.hypothesis mark.met").all_inner_texts()) == [
            "Ministry of Foreign Affairs",
            "United Nations",
        ]

        # Filters hide rows: by article, by term, and only where a term was missed.
        page.select_option("#filter-article", "ky-ket")
        assert visible.count() == 2
        assert set(visible.locator("td:nth-child(2)").all_inner_texts()) == {"ky-ket"}
        assert page.locator("#segment-count").inner_text() == "2 of 5 segments shown"
        page.select_option("#filter-article", "")
        page.select_option("#filter-term", "United Nations")
        assert visible.count() == 2
        page.check("#filter-missed")
        assert visible.count() == 1
        assert visible.locator("td.hypothesis").inner_text() == "The organisation sent a letter."
        page.select_option("#filter-term", "")
        assert visible.count() == 2  # every segment with any term missed
        page.uncheck("#filter-missed")
        assert visible.count() == 5

        if os.environ.get("SONGNGU_SCREENSHOTS"):
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.locator("#segment-view").screenshot(path=str(SCREENSHOT))
    finally:
        page.close()


def test_charts_have_one_scale_each_and_only_failed_terms_are_listed(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    charts = [part.split("</svg>")[0] for part in page.split("<svg")[1:]]
    assert len(charts) == 2
    scores, ter = charts
    # BLEU, chrF, chrF++ and the term rate share 0–100; TER (here above 100 for "Rain.") has its own.
    assert "Scores (higher is better)" in scores and ">TER<" not in scores and ">100</text>" in scores
    assert "TER (lower is better)" in ter and ">chrF<" not in ter
    terms = page.split("<h2>Terms that fail most</h2>")[1].split("</table>")[0]
    assert "United Nations" in terms and "human rights" in terms
    assert "Ministry of Foreign Affairs" not in terms  # met every time: no failure to list
