"""Paired bootstrap resampling: sacrebleu's --paired-bs numbers, deterministic with its seed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from songngu.translate.cli import main
from songngu.translate.evaluate.bootstrap import paired_bootstrap, resample_indices
from songngu.translate.evaluate.inputs import read_lines

ROOT = Path(__file__).resolve().parents[1]
FLORES_EN = ROOT / "data" / "flores200" / "eng_Latn.devtest"
SACREBLEU = Path(sys.executable).parent / "sacrebleu"
N = 120


def drop_every(lines: list[str], every: int) -> list[str]:
    return [" ".join(w for i, w in enumerate(line.split(), 1) if i % every) for line in lines]


@pytest.fixture(scope="module")
def systems() -> tuple[list[str], list[str], list[str]]:
    refs = read_lines(FLORES_EN)[:N]
    return refs, drop_every(refs, 4), drop_every(refs, 6)


def test_same_seed_same_result_other_seed_other_result(
    systems: tuple[list[str], list[str], list[str]],
) -> None:
    refs, a, b = systems
    terms = ([i % 2 for i in range(N)], [i % 3 != 0 for i in range(N)], [1] * N)
    first = paired_bootstrap(a, b, refs, terms=terms, n_samples=200, seed=7)
    again = paired_bootstrap(a, b, refs, terms=terms, n_samples=200, seed=7)
    other = paired_bootstrap(a, b, refs, terms=terms, n_samples=200, seed=8)
    assert first == again
    assert [c.metric for c in first] == ["bleu", "chrf", "term_success_rate"]
    assert first[0].system.mean != other[0].system.mean
    rate = first[2]
    assert rate.baseline.score == pytest.approx(0.5) and rate.system.score == pytest.approx(80 / 120)
    assert 0 < rate.p_value <= 1


def test_indices_are_sacrebleus_draw() -> None:
    import numpy as np

    expected = np.random.default_rng(12345).choice(10, size=(5, 10), replace=True)
    assert (resample_indices(10, 5) == expected).all()


@pytest.mark.skipif(not SACREBLEU.exists(), reason="sacrebleu command line not installed beside python")
def test_equals_sacrebleu_paired_bs_command_line(
    systems: tuple[list[str], list[str], list[str]], tmp_path: Path
) -> None:
    refs, a, b = systems
    files = {}
    for name, lines in (("ref", refs), ("a", a), ("b", b)):
        files[name] = tmp_path / f"{name}.en"
        files[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [str(SACREBLEU), str(files["ref"]), "-i", str(files["a"]), str(files["b"])]
    command += ["-m", "bleu", "chrf", "--paired-bs", "-w", "6", "--no-color", "-f", "latex"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    # Rows: "score (mean ± ci)" per metric, the system's with "(p = 0.xxxx)".
    cells = re.findall(r"([\d.]+) \(([\d.]+) ± ([\d.]+)\)(?: \(p = ([\d.]+)\))?", out)
    assert len(cells) == 4  # baseline BLEU, chrF; system BLEU, chrF
    ours = paired_bootstrap(a, b, refs)
    for i, comparison in enumerate(ours):
        bl, sy = cells[i], cells[2 + i]
        assert f"{comparison.baseline.score:.6f}" == bl[0]
        assert f"{comparison.baseline.mean:.6f}" == bl[1]
        assert f"{comparison.baseline.ci:.6f}" == bl[2]
        assert f"{comparison.system.score:.6f}" == sy[0]
        assert f"{comparison.system.mean:.6f}" == sy[1]
        assert f"{comparison.system.ci:.6f}" == sy[2]
        assert f"{comparison.p_value:.4f}" == sy[3]
    signatures = re.findall(r"nrefs:1\|bs:1000\|seed:12345\S*", out)
    assert [c.signature for c in ours] == signatures


def test_command_compare_prints_json_comparison(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    refs = read_lines(FLORES_EN)[:30]
    ref, hyp, base = tmp_path / "ref.en", tmp_path / "hyp.en", tmp_path / "base.en"
    ref.write_text("\n".join(refs) + "\n", encoding="utf-8")
    hyp.write_text("\n".join(drop_every(refs, 7)) + "\n", encoding="utf-8")
    base.write_text("\n".join(drop_every(refs, 3)) + "\n", encoding="utf-8")
    argv = ["evaluate", "--hyp", str(hyp), "--ref", str(ref), "--compare", str(base), "--resamples", "100"]
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["comparison"]
    assert result["baseline"] == [str(base)]
    assert result["bleu"]["system"]["score"] > result["bleu"]["baseline"]["score"]
    assert set(result) >= {"bleu", "chrf"}
    assert main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["comparison"] == result  # deterministic
    short = tmp_path / "short.en"
    short.write_text("one line\n", encoding="utf-8")
    assert main(["evaluate", "--hyp", str(hyp), "--ref", str(ref), "--compare", str(short)]) == 2
    assert "short.en" in capsys.readouterr().err


def test_identical_systems_are_no_difference_not_p_0_001(
    systems: tuple[list[str], list[str], list[str]], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    refs, a, b = systems
    # sacrebleu's formula gives (0 + 1) / (n + 1) for two identical systems: "significant" beside equal
    # scores. Equal on every resample is no difference at all.
    same = paired_bootstrap(a, list(a), refs, terms=([1] * N, [1] * N, [1] * N), n_samples=200)
    assert [c.metric for c in same] == ["bleu", "chrf", "term_success_rate"]
    assert all(c.no_difference and c.p_value is None for c in same)
    assert all(c.baseline == c.system for c in same)
    # Other outputs with the same terms met: BLEU and chrF differ, term success does not.
    mixed = paired_bootstrap(a, b, refs, terms=([1] * N, [1] * N, [1] * N), n_samples=200)
    assert [c.no_difference for c in mixed] == [False, False, True]
    assert mixed[0].p_value is not None and mixed[2].p_text() == "no difference"

    ref, hyp = tmp_path / "ref.en", tmp_path / "hyp.en"
    ref.write_text("\n".join(refs) + "\n", encoding="utf-8")
    hyp.write_text("\n".join(a) + "\n", encoding="utf-8")
    argv = ["evaluate", "--hyp", str(hyp), "--ref", str(ref), "--compare", str(hyp), "--resamples", "100"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "no difference: the two systems score the same on every resample of every metric" in out
    assert "p = " not in out and out.count("no difference") == 3  # the line, BLEU and chrF
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["comparison"]
    assert result["bleu"]["p_value"] is None and result["bleu"]["no_difference"] is True
    report = tmp_path / "r.md"
    assert main([*argv, "--report", str(report)]) == 0
    assert "| no difference |" in report.read_text(encoding="utf-8")
