"""`songngu translate` end to end with the tiny test model: outputs, ids, terms, bad input."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import polib
import pytest
from msgfmt import msgfmt_check

from songngu.glossary.formats import load_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.textfile import read_text
from songngu.translate.cli import main
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.formats.po import PoFormat
from songngu.translate.formats.xliff_read import read_xliff
from songngu.translate.segment import segment_article

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
GLOSSARY = ROOT / "seeds" / "glossary.csv"
SUFFIXES = (".jsonl", ".en.txt", ".tsv", ".vi", ".en", ".tmx", ".po", ".xlf")
# Long enough for the longest seed sentence with all its terms forced in (three long body names).
MAX_LENGTH = "200"


def translate(tiny_model_dir: Path, out: Path, *files: Path, extra: tuple[str, ...] = ()) -> int:
    args = ["translate", *map(str, files), "--out", str(out), "--model", str(tiny_model_dir)]
    return main([*args, "--glossary", str(GLOSSARY), "--max-length", MAX_LENGTH, *extra])


@pytest.fixture(scope="module")
def seeds_out(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seeds-out")
    assert translate(tiny_model_dir, out, *SEEDS) == 0
    return out


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_every_output_file_is_written(seeds_out: Path, seed: Path) -> None:
    for suffix in SUFFIXES:
        assert (seeds_out / f"{seed.stem}{suffix}").is_file(), suffix
    msgfmt_check(seeds_out / f"{seed.stem}.po")


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_records_follow_segmentation_and_meet_every_term(seeds_out: Path, seed: Path) -> None:
    article = JsonlFormat().read(seeds_out / f"{seed.stem}.jsonl")
    run, records = article.run, article.results
    segments = segment_article(read_text(seed), seed.stem)
    assert [r.id for r in records] == [s.id for s in segments]
    assert [r.source for r in records] == [s.source for s in segments]
    assert [r.line for r in records] == [s.line for s in segments]
    # The catalog's #: references carry the source line each sentence starts on.
    catalog = PoFormat().read(seeds_out / f"{seed.stem}.po")
    assert [(u.id, u.line) for u in catalog.results] == [(s.id, s.line) for s in segments]
    assert run is not None and run.glossary_checksum == load_glossary(GLOSSARY).checksum()
    assert run.model_revision.startswith("sha256:")

    matcher = GlossaryMatcher(load_glossary(GLOSSARY))
    for record in records:
        matches = matcher.find(record.source)
        assert [(t.start, t.end) for t in record.terms] == [(m.start, m.end) for m in matches]
        for term, match in zip(record.terms, matches, strict=True):
            assert term.met and any(target in record.target for target in match.targets), record.id
        assert not record.violated
        assert record.method.value == ("constrained" if matches else "unconstrained")


def test_english_article_keeps_paragraphs(seeds_out: Path) -> None:
    seed = SEEDS[0]
    paragraphs = {s.paragraph for s in segment_article(read_text(seed), seed.stem)}
    text = (seeds_out / f"{seed.stem}.en.txt").read_text(encoding="utf-8")
    assert len(text.rstrip("\n").split("\n\n")) == len(paragraphs)


def test_unseen_text_in_any_form_meets_every_term(tiny_model_dir: Path, tmp_path: Path) -> None:
    # NFD, old tone-mark placement, odd case and a hard wrap inside a term: none seen in training.
    article = tmp_path / "tin-moi.txt"
    article.write_text(
        "Thứ trưởng Ngoại giao gặp đại diện UNICEF và IOM tại Hà Nội.\n\n"
        "Đoàn của BỘ NGOẠI GIAO dự phiên họp của Hội đồng Nhân quyền\nLiên hợp quốc về UPR.\n",
        encoding="utf-8",
    )
    text = article.read_text(encoding="utf-8")
    article.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    out = tmp_path / "out"
    assert translate(tiny_model_dir, out, article) == 0
    records = JsonlFormat().read(out / "tin-moi.jsonl").results
    assert [r.id for r in records] == ["tin-moi:1:1", "tin-moi:2:1"]
    matcher = GlossaryMatcher(load_glossary(GLOSSARY))
    required = [(r, m) for r in records for m in matcher.find(r.source)]
    assert len(required) >= 5
    assert all(t.met for r in records for t in r.terms)
    assert all(any(target in r.target for target in m.targets) for r, m in required)


def test_a_vietnamese_abbreviation_requires_the_english_one(tiny_model_dir: Path, tmp_path: Path) -> None:
    glossary = tmp_path / "g.csv"
    glossary.write_text("vi,en,acronym,vi_acronym\nLiên hợp quốc,United Nations,UN,LHQ\n", encoding="utf-8")
    article = tmp_path / "lhq.txt"
    article.write_text("Đại diện LHQ thăm Hà Nội.\n\nLiên hợp quốc (LHQ) ra thông báo.\n", encoding="utf-8")
    args = ["translate", str(article), "--out", str(tmp_path / "out"), "--model", str(tiny_model_dir)]
    assert main([*args, "--glossary", str(glossary), "--max-length", MAX_LENGTH]) == 0
    records = JsonlFormat().read(tmp_path / "out" / "lhq.jsonl").results
    assert [[(t.vi, t.en, t.met) for t in r.terms] for r in records] == [
        [("LHQ", "UN", True)],
        [("Liên hợp quốc (LHQ)", "United Nations (UN)", True)],
    ]
    assert "UN" in records[0].target and "United Nations (UN)" in records[1].target


def run_ids(out: Path, stem: str) -> dict[str, str]:
    """The run id each file of one article carries."""
    run = JsonlFormat().read(out / f"{stem}.jsonl").run
    tmx = re.search(
        r'<prop type="x-songngu-run">([^<]*)</prop>', (out / f"{stem}.tmx").read_text(encoding="utf-8")
    )
    assert run is not None and tmx is not None
    return {
        "jsonl": run.run_id,
        "po": polib.pofile(str(out / f"{stem}.po")).metadata["X-Songngu-Run"],
        "tmx": tmx.group(1),
        "xlf": read_xliff(out / f"{stem}.xlf").run_id,
    }


def test_one_run_gives_every_file_one_run_id(seeds_out: Path) -> None:
    ids = {kind: run_id for seed in SEEDS for kind, run_id in run_ids(seeds_out, seed.stem).items()}
    assert len(ids) == 4 and len(set(ids.values())) == 1, ids
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", next(iter(ids.values())))


def test_same_input_same_output(tiny_model_dir: Path, tmp_path: Path, seeds_out: Path) -> None:
    seed = SEEDS[2]
    assert translate(tiny_model_dir, tmp_path, seed) == 0
    old_id, new_id = run_ids(seeds_out, seed.stem)["jsonl"], run_ids(tmp_path, seed.stem)["jsonl"]
    assert old_id != new_id  # another run; everything else is the same
    for suffix in (".jsonl", ".tsv", ".tmx", ".en.txt", ".xlf"):
        assert (tmp_path / f"{seed.stem}{suffix}").read_text(encoding="utf-8").replace(new_id, old_id) == (
            seeds_out / f"{seed.stem}{suffix}"
        ).read_text(encoding="utf-8")


def test_empty_article_gives_empty_outputs(tiny_model_dir: Path, tmp_path: Path) -> None:
    article = tmp_path / "trong.txt"
    article.write_text("\ufeff\n  \n", encoding="utf-8")
    assert translate(tiny_model_dir, tmp_path / "out", article) == 0
    lines = (tmp_path / "out" / "trong.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and "run" in json.loads(lines[0])
    assert (tmp_path / "out" / "trong.vi").read_text(encoding="utf-8") == ""


def test_non_utf8_article_is_refused_with_no_outputs(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "hong.txt"
    bad.write_bytes("Bộ Ngoại giao".encode() + b"\xff tin.\n")
    good = tmp_path / "tot.txt"
    good.write_text("Bộ Ngoại giao họp báo.\n", encoding="utf-8")
    assert translate(tiny_model_dir, tmp_path / "out", bad, good) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == f"songngu: {bad}: byte 17: not valid UTF-8 (invalid start byte); save the file as UTF-8"
    assert not list((tmp_path / "out").glob("hong.*"))
    assert (tmp_path / "out" / "tot.jsonl").is_file()


def test_missing_model_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["translate", str(SEEDS[0]), "--out", str(tmp_path), "--model", str(tmp_path / "no-model")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{tmp_path / 'no-model'}: no such directory; --model takes" in err and "hf download" not in err
    assert not list(tmp_path.iterdir())


def test_a_memory_not_created_yet_is_said_and_translation_goes_on(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A desk's script passes --tm from day one, before any review was imported.
    tm = tmp_path / "tm.sqlite"
    code = translate(tiny_model_dir, tmp_path / "out", SEEDS[0], extra=("--tm", str(tm)))
    assert code == 0
    notice = [line for line in capsys.readouterr().err.splitlines() if str(tm) in line]
    assert notice == [f"songngu: {tm}: no translation memory there yet; translating as with an empty one"]
    assert not tm.exists()  # translating only reads a memory; review import creates it
    records = JsonlFormat().read(tmp_path / "out" / f"{SEEDS[0].stem}.jsonl").results
    assert records and all(r.method.value != "memory" for r in records)


def test_broken_catalog_stops_before_any_file_changes(
    tiny_model_dir: Path, tmp_path: Path, seeds_out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A reviewed catalog that cannot be parsed must stop the run before any file of that article changes.
    seed = SEEDS[2]
    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    (out / f"{seed.stem}.po").write_text('msgid "x"\nmsgstr\n', encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert translate(tiny_model_dir, out, seed) == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"songngu: {out / seed.stem}.po:2: ") and "\n" not in error


def test_two_inputs_with_one_name_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "tin.txt").write_text("Bộ Ngoại giao họp báo.\n", encoding="utf-8")
    code = main(
        ["translate", str(tmp_path / "a" / "tin.txt"), str(tmp_path / "b" / "tin.txt"), "-o", str(tmp_path)]
    )
    assert code == 2
    assert "tin.*" in capsys.readouterr().err
