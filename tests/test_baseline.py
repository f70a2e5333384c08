"""The baseline survives everything: the translation a reviewer started from is kept through re-runs
with the memory, the PO and XLIFF merges, CAT-tool round trips (Translate Toolkit's po2xliff and
xliff2po, GNU msgmerge, polib's wrapping) and re-imports, so edited and HTER stay true; and the
same pair seen again is one memory unit with one more origin.

Issue #18: after ``review import`` and ``translate --tm --force`` into the same folder the
"machine translation:" note was replaced by the memory note, and ``evaluate --post-edit`` said
HTER 0.00 and 2 of 2 accepted; a Translate Toolkit round trip stored 33 units for 23 pairs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from msgfmt import msgfmt_check

from songngu.translate.cli import main
from songngu.translate.formats import read_units, write_outputs
from songngu.translate.formats.po import merge_text
from songngu.translate.formats.po_read import parse_catalog
from songngu.translate.formats.xliff import merge_xliff
from songngu.translate.formats.xliff_read import loads_xliff
from songngu.translate.memory import TranslationMemory
from songngu.translate.records import ArticleTranslation, Method, RunInfo, SegmentResult, TermOutcome
from songngu.translate.review import import_reviewed, read_reviewed
from songngu.translate.reviewed import BaselineSource, UnitState

ARTICLE = "Bộ Ngoại giao tổ chức hội thảo.\n\nCác đại biểu thảo luận sôi nổi. Hội thảo kết thúc.\n"
EDITED = "The delegates held a lively discussion."
TOOLKIT = Path(sys.executable).parent
MSGMERGE = shutil.which("msgmerge")


def post_edit(*paths: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["evaluate", "--post-edit", *map(str, paths), "--json"]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return {key: result[key] for key in ("segments", "accepted_unchanged", "edited", "pending", "hter")}


def review(po: Path) -> None:
    """Accept the first entry as it is, rewrite the second, leave the third for later."""
    catalog = polib.pofile(str(po), wrapwidth=0)
    entries = [entry for entry in catalog if not entry.obsolete]
    entries[0].flags.remove("fuzzy")
    entries[1].flags.remove("fuzzy")
    entries[1].msgstr = EDITED
    catalog.save()


def test_a_rerun_with_the_memory_keeps_the_baseline(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article, out, tm = tmp_path / "hoi-thao.txt", tmp_path / "out", tmp_path / "tm.sqlite"
    article.write_text(ARTICLE, encoding="utf-8")
    options = ["--model", str(tiny_model_dir), "--max-length", "24", "--beam", "2"]
    assert main(["translate", str(article), "--out", str(out), *options]) == 0
    po, xlf = out / "hoi-thao.po", out / "hoi-thao.xlf"
    review(po)
    before = post_edit(po, capsys=capsys)
    assert (before["segments"], before["accepted_unchanged"], before["pending"]) == (2, 1, 1)

    assert main(["review", "import", str(po), "--tm", str(tm)]) == 0
    assert main(["translate", str(article), "--out", str(out), *options, "--tm", str(tm), "--force"]) == 0
    msgfmt_check(po)
    # Both reviewed sentences now come from the memory, and the catalog still says what the
    # reviewer started from: the same HTER, the same one of two accepted unchanged.
    records = list(read_units(out / "hoi-thao.jsonl"))
    sources = [unit.baseline.source if unit.baseline else None for unit in records]
    assert sources == [BaselineSource.MEMORY, BaselineSource.MEMORY, BaselineSource.MACHINE]
    assert post_edit(po, capsys=capsys) == before
    fresh = tmp_path / "fresh.sqlite"
    capsys.readouterr()
    assert main(["review", "import", str(po), "--tm", str(fresh)]) == 0
    assert f"{po}: 2 confirmed (1 edited, 1 accepted unchanged), 1 still to review" in capsys.readouterr().out

    # The XLIFF of the same run carries the two reused translations, confirmed (state translated):
    # the same pairs, so two more origins of the same units, and the edit is not undone.
    assert main(["review", "import", str(xlf), "--tm", str(tm)]) == 0
    report = capsys.readouterr().out
    assert "0 newly stored, 2 already in the memory (2 of them from another file or segment)" in report
    with TranslationMemory(tm) as memory:
        units = {unit.target: unit for unit in memory.units()}
    assert len(units) == 2
    assert units[EDITED].edited and [o.origin for o in units[EDITED].origins] == [
        "hoi-thao.po",
        "hoi-thao.xlf",
    ]
    assert sum(unit.edited for unit in units.values()) == 1


def reviewed_catalog(tmp_path: Path) -> Path:
    """A songngu catalog of three sentences, one accepted, one edited, one still fuzzy."""
    run = RunInfo("0.2.0", "tiny", "sha256:11", None, None, 4, 64, 8, "cpu", run_id="r1")
    results = [
        SegmentResult(
            "bai:1:1",
            "Bộ Ngoại giao tổ chức hội thảo về tình hình khu vực.",
            "The Ministry of Foreign Affairs held a workshop on the situation in the region.",
            1,
            [TermOutcome(0, 13, "Bộ Ngoại giao", "Ministry of Foreign Affairs", True)],
            Method.CONSTRAINED,
            line=1,
        ),
        SegmentResult(
            "bai:2:1",
            "Các đại biểu thảo luận sôi nổi về những thách thức của khu vực trong năm tới.",
            "The delegates discuss lively about the challenges of the region in the year coming.",
            2,
            line=3,
        ),
        SegmentResult("bai:2:2", "Hội thảo kết thúc.", "The workshop ends.", 2, line=3),
    ]
    path = tmp_path / "bai.po"
    path.write_text(merge_text(ArticleTranslation("bai", "bai.txt", run, results), None, "bai.po"), "utf-8")
    review(path)
    catalog = polib.pofile(str(path), wrapwidth=0)
    catalog[1].msgstr = "The delegates had a lively discussion of the region's challenges in the coming year."
    catalog.save()
    msgfmt_check(path)
    return path


def test_a_translate_toolkit_round_trip_keeps_the_baseline_and_adds_only_origins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    po = reviewed_catalog(tmp_path)
    before = post_edit(po, capsys=capsys)
    xlf, back = tmp_path / "bai-cat.xlf", tmp_path / "round" / "bai.po"
    back.parent.mkdir()
    subprocess.run([TOOLKIT / "po2xliff", str(po), str(xlf)], check=True, capture_output=True)
    subprocess.run([TOOLKIT / "xliff2po", str(xlf), str(back)], check=True, capture_output=True)
    assert "msgctxt" not in back.read_text(encoding="utf-8")  # xliff2po drops it: ids are references now
    assert post_edit(back, capsys=capsys) == before

    tm = tmp_path / "tm.sqlite"
    with TranslationMemory(tm) as memory:
        first = import_reviewed([po], memory)
        again = import_reviewed([back], memory)
        units = list(memory.units())
    assert (first.stored, again.stored, again.already_present, again.new_origins) == (2, 0, 2, 2)
    assert len(units) == 2
    assert [len(unit.origins) for unit in units] == [2, 2]
    assert [unit.edited for unit in units] == [False, True]
    assert {origin.segment_id for unit in units for origin in unit.origins} == {
        "bai:1:1",
        "bai:2:1",
        "bai.txt:1",
        "bai.txt:3",
    }


@pytest.mark.skipif(MSGMERGE is None, reason="GNU gettext's msgmerge is not installed")
def test_msgmerge_and_polib_wrapping_keep_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    po = reviewed_catalog(tmp_path)
    before = post_edit(po, capsys=capsys)
    merged = tmp_path / "merged" / "bai.po"
    merged.parent.mkdir()
    subprocess.run([str(MSGMERGE), "-q", str(po), str(po), "-o", str(merged)], check=True)
    assert post_edit(merged, capsys=capsys) == before
    # polib (and Poedit, msgcat without --no-wrap) wrap long comment lines: a note on several lines.
    wrapped = tmp_path / "wrapped" / "bai.po"
    wrapped.parent.mkdir()
    catalog = polib.pofile(str(po))
    catalog.wrapwidth = 40
    catalog.save(str(wrapped))
    assert "#. machine translation: The delegates\n#. discuss" in wrapped.read_text(encoding="utf-8")
    assert post_edit(wrapped, capsys=capsys) == before
    # ...and as the hypothesis of an evaluation it is the whole machine translation.
    capsys.readouterr()
    assert main(["evaluate", "--hyp", str(wrapped), "--ref", str(po), "--json"]) == 0
    wrapped_ter = json.loads(capsys.readouterr().out)["ter"]["score"]
    assert main(["evaluate", "--hyp", str(po), "--ref", str(po), "--json"]) == 0
    assert wrapped_ter == json.loads(capsys.readouterr().out)["ter"]["score"]
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        import_reviewed([po], memory)
        again = import_reviewed([merged, wrapped], memory)
    assert again.stored == 0 and again.total.edited == 2 and again.total.accepted == 2


def _article(target: str, method: Method = Method.CONSTRAINED) -> ArticleTranslation:
    run = RunInfo("0.2.0", "tiny", "sha256:11", None, None, 4, 64, 8, "cpu", run_id="r1")
    result = SegmentResult(
        "bai:1:1",
        "Hội thảo kết thúc.",
        target,
        1,
        method=method,
        memory_kind="reviewed" if method is Method.MEMORY else None,
        memory_source="bai.po bai:1:1" if method is Method.MEMORY else None,
    )
    return ArticleTranslation("bai", "bai.txt", run, [result])


@pytest.mark.parametrize("edited", [True, False])
def test_the_merges_keep_the_baseline_of_a_confirmed_translation(edited: bool) -> None:
    reviewed = "The workshop came to an end." if edited else "The workshop ends."
    # PO: confirmed (edited or not), then re-run with the memory supplying the reviewer's text.
    po = merge_text(_article("The workshop ends."), None, "bai.po")
    catalog = parse_catalog(po, "bai.po")
    entry = next(e for e in catalog if e.msgid)
    entry.flags.remove("fuzzy")
    entry.msgstr = reviewed
    again = merge_text(_article(reviewed, Method.MEMORY), str(catalog), "bai.po")
    (unit,) = [u for u in _po_units(again)]
    assert unit.state is UnitState.CONFIRMED and unit.edited is edited
    assert unit.baseline is not None and unit.baseline.text == "The workshop ends."

    # XLIFF: confirmed in a CAT tool (state final), then the same re-run.
    text, _ = merge_xliff(_article("The workshop ends."), None, "bai.xlf")
    text = text.replace(
        'state="needs-review-translation">The workshop ends.</target>', f'state="final">{reviewed}</target>'
    )
    merged, _ = merge_xliff(_article(reviewed, Method.MEMORY), text, "bai.xlf")
    (xliff_unit,) = loads_xliff(merged, "bai.xlf").units
    unit = xliff_unit.reviewed()
    assert unit.state is UnitState.CONFIRMED and unit.edited is edited
    assert unit.baseline is not None and unit.baseline.source is BaselineSource.MACHINE


def _po_units(text: str) -> list[object]:
    from songngu.translate.formats.po_read import entry_unit

    return [unit for entry in parse_catalog(text, "bai.po") if (unit := entry_unit(entry)) is not None]


def test_a_blank_translation_is_unreviewed_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A whitespace-only msgstr was "confirmed" to evaluate (a reference of spaces, an HTER pair)
    # and kept by the merge as a reviewer's translation, while review import left it for later.
    po = merge_text(_article("The workshop ends."), None, "bai.po")
    catalog = parse_catalog(po, "bai.po")
    entry = next(e for e in catalog if e.msgid)
    entry.flags.remove("fuzzy")
    entry.msgstr = "   "
    path = tmp_path / "bai.po"
    path.write_text(str(catalog), encoding="utf-8")
    assert read_reviewed(path).counts.unreviewed == 1
    assert main(["evaluate", "--post-edit", str(path)]) == 2
    assert "no confirmed entries" in capsys.readouterr().err
    merged = merge_text(_article("The workshop ends."), path.read_text(encoding="utf-8"), "bai.po")
    (unit,) = _po_units(merged)
    assert unit.target == "The workshop ends." and unit.state is UnitState.MACHINE


def test_the_aligned_translation_note_is_a_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = _article("The workshop is over.", Method.ALIGNED)
    path = tmp_path / "bai.po"
    path.write_text(merge_text(article, None, "bai.po"), encoding="utf-8")
    catalog = polib.pofile(str(path), wrapwidth=0)
    entry = next(e for e in catalog if e.msgid)
    entry.msgstr = "The workshop ended."
    entry.flags = []
    catalog.save()
    (unit,) = read_units(path)
    assert unit.baseline is not None and unit.baseline.source is BaselineSource.ALIGNED
    result = post_edit(path, capsys=capsys)
    assert (result["segments"], result["accepted_unchanged"]) == (1, 0)
    assert main(["evaluate", "--hyp", str(path), "--ref", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ter"]["score"] > 0  # the hypothesis is the aligned text


def test_write_outputs_reads_back_as_units(tmp_path: Path) -> None:
    # Every reviewed-unit format songngu writes reads back with the same ids, sources and targets.
    article = _article("The workshop ends.")
    write_outputs(article, tmp_path)
    for suffix in (".po", ".xlf", ".tmx", ".jsonl", ".tsv", ".vi", ".en"):
        (unit,) = read_units(tmp_path / f"bai{suffix}")
        assert (unit.source, unit.target) == ("Hội thảo kết thúc.", "The workshop ends."), suffix
        assert unit.id == ("1" if suffix in (".vi", ".en") else "bai:1:1"), suffix
