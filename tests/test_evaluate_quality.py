"""Corpus scores are exactly those of the ``sacrebleu`` command line on the same files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from songngu.translate.cli import main
from songngu.translate.evaluate.inputs import read_lines
from songngu.translate.evaluate.quality import corpus_scores

ROOT = Path(__file__).resolve().parents[1]
SEED_REFS = sorted((ROOT / "seeds" / "reference").glob("*.en"))
FLORES_EN = ROOT / "data" / "flores200" / "eng_Latn.devtest"
SACREBLEU = Path(sys.executable).parent / "sacrebleu"


def degrade(lines: list[str], every: int) -> list[str]:
    """A deterministic imperfect 'translation': drop every n-th word, swap the first two words."""
    out = []
    for line in lines:
        words = [w for i, w in enumerate(line.split(), 1) if i % every]
        if len(words) > 1:
            words[0], words[1] = words[1], words[0]
        out.append(" ".join(words))
    return out


def cli_scores(ref: Path, hyp: Path, *extra: str) -> dict[str, tuple[float, str]]:
    """name → (score, signature) from the sacrebleu command line, 6 decimals."""
    command = [str(SACREBLEU), str(ref), "-i", str(hyp), "-w", "6", "-f", "json", *extra]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    items = json.loads(out)
    items = items if isinstance(items, list) else [items]  # one metric: a bare object
    return {item["name"]: (item["score"], item["signature"]) for item in items}


def our_vs_cli(ref: Path, hyp: Path) -> None:
    ours = corpus_scores(read_lines(hyp), read_lines(ref))
    cli = cli_scores(ref, hyp, "-m", "bleu", "chrf", "ter")
    cli_pp = cli_scores(ref, hyp, "-m", "chrf", "--chrf-word-order", "2")
    assert round(ours["bleu"].score, 6) == cli["BLEU"][0]
    assert round(ours["chrf"].score, 6) == cli["chrF2"][0]
    assert round(ours["ter"].score, 6) == cli["TER"][0]
    assert round(ours["chrf++"].score, 6) == cli_pp["chrF2++"][0]
    assert ours["bleu"].signature == cli["BLEU"][1]
    assert ours["chrf"].signature == cli["chrF2"][1]
    assert ours["ter"].signature == cli["TER"][1]
    assert ours["chrf++"].signature == cli_pp["chrF2++"][1]


@pytest.mark.skipif(not SACREBLEU.exists(), reason="sacrebleu command line not installed beside python")
@pytest.mark.parametrize("ref", SEED_REFS, ids=lambda p: p.stem)
def test_scores_equal_sacrebleu_cli_on_seed_references(ref: Path, tmp_path: Path) -> None:
    hyp = tmp_path / "hyp.en"
    hyp.write_text("\n".join(degrade(read_lines(ref), 4)) + "\n", encoding="utf-8")
    our_vs_cli(ref, hyp)


@pytest.mark.skipif(not SACREBLEU.exists(), reason="sacrebleu command line not installed beside python")
def test_scores_equal_sacrebleu_cli_on_flores_lines(tmp_path: Path) -> None:
    lines = read_lines(FLORES_EN)[:150]
    ref, hyp = tmp_path / "ref.en", tmp_path / "hyp.en"
    # Trailing spaces and a CRLF line: read the way the command line reads them.
    ref.write_text("\n".join(lines) + "\n", encoding="utf-8")
    degraded = degrade(lines, 3)
    degraded[5] += "  \r"
    hyp.write_bytes(("\n".join(degraded) + "\n").encode("utf-8"))
    our_vs_cli(ref, hyp)


def test_seed_references_exist() -> None:
    assert len(SEED_REFS) == 3


def test_identical_text_scores_perfectly() -> None:
    lines = read_lines(FLORES_EN)[:20]
    scores = corpus_scores(lines, lines)
    assert scores["bleu"].score == pytest.approx(100.0)
    assert scores["chrf"].score == pytest.approx(100.0)
    assert scores["ter"].score == 0.0


def test_command_json_has_the_four_metrics_with_signatures(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    ref = SEED_REFS[0]
    hyp = tmp_path / "hyp.en"
    hyp.write_text("\n".join(degrade(read_lines(ref), 5)) + "\n", encoding="utf-8")
    assert main(["evaluate", "--hyp", str(hyp), "--ref", str(ref), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    expected = corpus_scores(read_lines(hyp), read_lines(ref))
    for key in ("bleu", "chrf", "chrf++", "ter"):
        assert result[key] == {"score": expected[key].score, "signature": expected[key].signature}
    assert "term_success_rate" not in result
    assert result["segments"] == len(read_lines(ref))


def test_several_articles_give_rows_and_corpus_totals(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    hyps = []
    for ref in SEED_REFS:
        hyp = tmp_path / ref.name
        hyp.write_text("\n".join(degrade(read_lines(ref), 4)) + "\n", encoding="utf-8")
        hyps.append(str(hyp))
    # References given in another order: paired by article name.
    refs = [str(p) for p in reversed(SEED_REFS)]
    assert main(["evaluate", "--hyp", *hyps, "--ref", *refs, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [a["name"] for a in result["articles"]] == [p.stem for p in SEED_REFS]
    for article, ref in zip(result["articles"], SEED_REFS, strict=True):
        assert article["reference"] == str(ref)
    all_hyps = [h for p in hyps for h in read_lines(p)]
    all_refs = [r for p in SEED_REFS for r in read_lines(p)]
    assert result["bleu"]["score"] == corpus_scores(all_hyps, all_refs, ["bleu"])["bleu"].score
    assert result["segments"] == len(all_refs)
