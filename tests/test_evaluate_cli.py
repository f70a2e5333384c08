"""``songngu evaluate`` end to end: reports, test sets, and bad input refused in one line."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

from songngu.translate.cli import main
from songngu.translate.evaluate.inputs import read_lines

ROOT = Path(__file__).resolve().parents[1]
FLORES = ROOT / "data" / "flores200"
SEED_REFS = sorted((ROOT / "seeds" / "reference").glob("*.en"))


class Outline(HTMLParser):
    """Collects the tags of a page and whether anything loads from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.external: list[str] = []
        self.script_sources: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.script_sources += [value or "" for name, value in attrs if name == "src"]
        for name, value in attrs:
            if name in ("src", "href") and value and "://" in value:
                self.external.append(value)


def degraded_seed_hyps(tmp_path: Path) -> list[str]:
    hyps = []
    for ref in SEED_REFS:
        lines = [" ".join(line.split()[::-1][:12]) for line in read_lines(ref)]
        (tmp_path / ref.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        hyps.append(str(tmp_path / ref.name))
    return hyps


@pytest.fixture
def glossary(tmp_path: Path) -> Path:
    path = tmp_path / "g.csv"
    path.write_text(
        "vi,en,acronym,en_variants,en_forbidden\n"
        "Bộ Ngoại giao,Ministry of Foreign Affairs,,,Foreign Office\n"
        "Ủy ban liên Chính phủ ASEAN về Nhân quyền,"
        "ASEAN Intergovernmental Commission on Human Rights,AICHR,,\n",
        encoding="utf-8",
    )
    return path


def test_html_report_is_self_contained_with_chart(
    tmp_path: Path, glossary: Path, capsys: pytest.CaptureFixture
) -> None:
    hyps = degraded_seed_hyps(tmp_path)
    sources = []
    for ref in SEED_REFS:  # the seeds' sources, line-aligned, from the references' TSV
        rows = read_lines(ref.with_suffix(".tsv"))[1:]
        sources.append(tmp_path / f"{ref.stem}.vi")
        sources[-1].write_text("".join(row.split("\t")[1] + "\n" for row in rows), encoding="utf-8")
    report = tmp_path / "out" / "report.html"
    argv = ["evaluate", "--hyp", *hyps, "--ref", *map(str, SEED_REFS), "--report", str(report)]
    argv += ["--src", *map(str, sources), "--glossary", str(glossary)]
    assert main(argv) == 0
    capsys.readouterr()
    page = report.read_text(encoding="utf-8")
    outline = Outline()
    outline.feed(page)
    outline.close()
    assert "svg" in outline.tags and outline.tags.count("rect") >= 4 * 4  # 3 articles + all, 4 metrics
    assert "table" in outline.tags
    # One inline script (the segment filters), nothing loaded from elsewhere.
    assert outline.tags.count("script") == 1 and not outline.script_sources
    assert "link" not in outline.tags and not outline.external
    for ref in SEED_REFS:
        assert ref.stem in page
    assert "Terms that fail most" in page and "ASEAN Intergovernmental Commission on Human Rights" in page

    markdown = tmp_path / "report.md"
    assert main(["evaluate", "--hyp", *hyps, "--ref", *map(str, SEED_REFS), "--report", str(markdown)]) == 0
    text = markdown.read_text(encoding="utf-8")
    assert "| article | segments | BLEU | chrF | chrF++ | TER |" in text
    scores, worst = text.split("## Worst segments")
    assert scores.count("\n| 00") == 3 and "| all |" in scores
    assert "| article | segment | sentence chrF | hypothesis | reference | terms missed |" in worst
    assert worst.count("\n| 00") == 30  # the 30 worst of the seed articles' segments


def test_post_edit_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    catalog = polib.POFile()
    catalog.metadata = {"Language": "en"}
    catalog.append(
        polib.POEntry(msgctxt="a:1:1", msgid="Một.", msgstr="One.", comment="machine translation: 1.")
    )
    (tmp_path / "a.po").write_text(str(catalog), encoding="utf-8")
    report = tmp_path / "pe.html"
    assert main(["evaluate", "--post-edit", str(tmp_path / "a.po"), "--report", str(report)]) == 0
    assert "HTER 100.00, 0/1 accepted unchanged" in capsys.readouterr().out
    page = report.read_text(encoding="utf-8")
    assert "<svg" in page and "Post-editing effort" in page


def test_flores200_with_the_tiny_model(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    saved = tmp_path / "hyp.en"
    argv = ["evaluate", "--testset", "flores200", "--model", str(tiny_model_dir), "--limit", "3"]
    argv += ["--beam", "1", "--max-length", "8", "--device", "cpu", "--json", "--save-hyp", str(saved)]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["segments"] == 3 and result["articles"][0]["name"] == "flores200"
    assert set(result) >= {"bleu", "chrf", "chrf++", "ter"}
    assert len(read_lines(saved)) == 3
    # the saved translations score the same through the file route
    refs = tmp_path / "ref.en"
    refs.write_text("\n".join(read_lines(FLORES / "eng_Latn.devtest")[:3]) + "\n", encoding="utf-8")
    assert main(["evaluate", "--hyp", str(saved), "--ref", str(refs), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["bleu"] == result["bleu"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--testset", "wmt99", "--model", "m"], "unknown test set 'wmt99'"),
        (["--testset", "flores200", "--model", "m", "--data", "nowhere"], "test set file not found"),
        (["--hyp", "{hyp}"], "needs --hyp FILE and --ref FILE"),
        (["--hyp", "{hyp}", "--ref", "{short}"], "3 segments, but the reference"),
        (["--hyp", "{hyp}", "--ref", "{fuzzy}"], "no confirmed entries"),
        (["--hyp", "{hyp}", "--ref", "{broken}"], "broken.po:4: malformed PO"),
        (["--hyp", "{hyp}", "--ref", "{latin1}"], "latin1.en: byte 2: not valid UTF-8"),
        (["--hyp", "{hyp}", "--ref", "{hyp}", "--glossary", "{glossary}"], "no source sentences"),
        (["--hyp", "{hyp}", "--ref", "{hyp}", "--report", "{out}/r.pdf"], "unknown report format"),
        (["--hyp", "{hyp}", "{hyp}", "--ref", "{hyp}"], "2 hypothesis files but 1 reference files"),
        (["--post-edit", "{fuzzy}"], "no confirmed entries"),
        (["--hyp", "{missing}", "--ref", "{hyp}"], "missing.en: cannot read"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    argv: list[str], message: str, tmp_path: Path, glossary: Path, capsys: pytest.CaptureFixture
) -> None:
    files = {
        "hyp": tmp_path / "hyp.en",
        "short": tmp_path / "short.en",
        "fuzzy": tmp_path / "fuzzy.po",
        "broken": tmp_path / "broken.po",
        "latin1": tmp_path / "latin1.en",
        "missing": tmp_path / "missing.en",
    }
    files["hyp"].write_text("a\nb\nc\n", encoding="utf-8")
    files["short"].write_text("a\n", encoding="utf-8")
    catalog = polib.POFile()
    catalog.metadata = {"Language": "en"}  # PO files are read strictly, as review import reads them
    catalog.append(polib.POEntry(msgctxt="a:1:1", msgid="Một.", msgstr="One.", flags=["fuzzy"]))
    catalog.append(polib.POEntry(msgctxt="a:2:1", msgid="Hai.", msgstr=""))
    files["fuzzy"].write_text(str(catalog), encoding="utf-8")
    files["broken"].write_text('msgctxt "a"\nmsgid "x"\nmsgstr "y"\nthis is not po\n', encoding="utf-8")
    files["latin1"].write_bytes("ab\xe9\n".encode("latin-1"))
    values = {**{k: str(v) for k, v in files.items()}, "glossary": str(glossary), "out": str(tmp_path)}
    assert main(["evaluate", *(a.format(**values) for a in argv)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert not (tmp_path / "r.pdf").exists()
