"""Fault: file names that are not valid UTF-8 (issue #23, item 2).

Archives copied from old Windows machines hold names such as ``b\\xe0i.txt`` (the byte 0xE0, "à" in
cp1252). Python hands such a name over with a lone surrogate for the byte, and writing it into a
record ended in ``UnicodeEncodeError: surrogates not allowed``. The article is now translated all
the same, and its name is written with the byte's escape, ``b\\xe0i`` (ten printable characters):
in segment ids, JSONL, PO (header, ``#:`` references: msgfmt accepts them), TMX, XLIFF
``original``, TSV, the memory, messages, and in the output file names themselves.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import polib
import pytest
from hypothesis import given
from hypothesis import strategies as st
from msgfmt import msgfmt_check

from songngu.filenames import printable, printable_path
from songngu.translate.cli import main
from songngu.translate.formats import OUTPUT_FORMATS, read_article
from songngu.translate.memory import TranslationMemory

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "seeds" / "glossary.csv"
ARTICLE = "Bộ Ngoại giao họp sáng nay.\n\nCác đại biểu thảo luận về nhân quyền.\n"


def raw(folder: Path, name: bytes) -> Path:
    """``folder/name`` for a name given as bytes (not UTF-8), as os.listdir would return it."""
    return folder / os.fsdecode(name)


def translate(model: Path, *args: str) -> int:
    return main(["translate", *args, "--model", str(model), "--max-length", "16", "--beam", "1"])


def test_an_article_whose_name_is_not_utf8_is_translated_and_named_with_escapes(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = raw(tmp_path / "archive", b"th\xe1ng")
    month.mkdir(parents=True)
    raw(month, b"b\xe0i.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    assert translate(tiny_model_dir, str(tmp_path / "archive"), "--out", str(out), "-g", str(GLOSSARY)) == 0
    err = capsys.readouterr().err
    assert f"{tmp_path}/archive/th\\xe1ng/b\\xe0i.txt: 2 segments" in err
    assert f"→ {out}/th\\xe1ng/b\\xe0i.*" in err

    # The output folder and files are named with the escapes: UTF-8 names, as every other file.
    written = out / "th\\xe1ng"
    assert sorted(p.name for p in written.iterdir()) == sorted(f"b\\xe0i{f.suffix}" for f in OUTPUT_FORMATS)
    for path in written.iterdir():
        path.read_bytes().decode("utf-8")  # valid UTF-8 throughout
        article = read_article(path)  # and each format reads back
        assert article.name == "b\\xe0i"
        if path.suffix in (".jsonl", ".tsv", ".tmx", ".po", ".xlf"):  # the formats that carry ids
            assert [r.id for r in article.results] == ["b\\xe0i:1:1", "b\\xe0i:2:1"], path.name

    records = (written / "b\\xe0i.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(records[1])["id"] == "b\\xe0i:1:1"
    po = written / "b\\xe0i.po"
    msgfmt_check(po)
    catalog = polib.pofile(str(po))
    assert catalog.metadata["Project-Id-Version"] == "b\\xe0i"
    assert catalog[0].occurrences == [("b\\xe0i.txt", "1")]
    assert "translation of b\\xe0i.txt" in catalog.header
    xliff = (written / "b\\xe0i.xlf").read_text(encoding="utf-8")
    assert 'original="b\\xe0i.txt"' in xliff
    tmx = (written / "b\\xe0i.tmx").read_text(encoding="utf-8")
    assert 'tuid="b\\xe0i:1:1"' in tmx

    # Translate Toolkit, the reviewers' own tooling, reads them with the same ids.
    from translate.storage import factory

    for suffix in (".po", ".xlf"):
        store = factory.getobject(str(written / f"b\\xe0i{suffix}"))
        # A PO unit's id is msgctxt EOT msgid; an XLIFF unit's is the file's original EOT the id.
        ids = [u.getid().split("\x04") for u in store.units if u.source]
        assert [i for parts in ids for i in parts if i.startswith("b\\xe0i:")] == [
            "b\\xe0i:1:1",
            "b\\xe0i:2:1",
        ]

    # A second run finds them up to date.
    assert translate(tiny_model_dir, str(tmp_path / "archive"), "--out", str(out), "-g", str(GLOSSARY)) == 0
    assert "1 of 1 articles up to date" in capsys.readouterr().err


def test_a_glossary_whose_name_is_not_utf8_is_recorded_with_escapes(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    glossary = raw(tmp_path, b"thu\xe2t-ng\xef.csv")
    glossary.write_bytes(GLOSSARY.read_bytes())
    (tmp_path / "bai.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    assert translate(tiny_model_dir, str(tmp_path / "bai.txt"), "--out", str(out), "-g", str(glossary)) == 0
    run = json.loads((out / "bai.jsonl").read_text(encoding="utf-8").splitlines()[0])["run"]
    assert run["glossary"] == f"{tmp_path}/thu\\xe2t-ng\\xef.csv"
    header = polib.pofile(str(out / "bai.po")).metadata["X-Songngu-Glossary"]
    assert header.startswith("thu\\xe2t-ng\\xef.csv sha256:")
    msgfmt_check(out / "bai.po")


def test_a_model_folder_whose_name_is_not_utf8_is_refused_in_one_line(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SentencePiece opens only UTF-8 paths: it failed with a TypeError while loading the tokenizer.
    model = raw(tmp_path, b"m\xf4-h\xecnh")
    model.symlink_to(tiny_model_dir)
    (tmp_path / "bai.txt").write_text(ARTICLE, encoding="utf-8")
    assert translate(model, str(tmp_path / "bai.txt"), "--out", str(tmp_path / "out")) == 2
    assert capsys.readouterr().err == (
        f"songngu: {tmp_path}/m\\xf4-h\\xecnh: the model's path is not valid UTF-8, and its tokenizer "
        "(SentencePiece) cannot open it; rename the folder, or link to it from a UTF-8 path\n"
    )
    assert not (tmp_path / "out" / "bai.jsonl").exists()


def test_a_reviewed_catalog_whose_name_is_not_utf8_is_imported(tmp_path: Path) -> None:
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    catalog.append(polib.POEntry(msgctxt="bai:1:1", msgid="Xin chào.", msgstr="Hello."))
    path = raw(tmp_path, b"r\xe0.po")
    catalog.save(str(path))
    tm = tmp_path / "tm.sqlite"
    assert main(["review", "import", str(path), "--tm", str(tm)]) == 0
    with TranslationMemory(tm, create=False) as memory:
        assert [unit.origin for unit in memory.units()] == ["r\\xe0.po"]
    assert main(["export-tm", "--format", "tmx", "--tm", str(tm), "-o", str(tmp_path / "m.tmx")]) == 0
    assert "r\\xe0.po" in (tmp_path / "m.tmx").read_text(encoding="utf-8")


def test_align_names_its_outputs_and_records_with_escapes(tmp_path: Path) -> None:
    vi, en = raw(tmp_path, b"v\xe0.txt"), raw(tmp_path, b"v\xe0.en.txt")
    vi.write_text(ARTICLE, encoding="utf-8")
    en.write_text(
        "The Ministry of Foreign Affairs met this morning.\n\nDelegates discussed human rights.\n",
        encoding="utf-8",
    )
    assert main(["align", str(vi), str(en), "--out", str(tmp_path / "aligned")]) == 0
    names = sorted(p.name for p in (tmp_path / "aligned").iterdir())
    assert names == ["v\\xe0.jsonl", "v\\xe0.po", "v\\xe0.tmx", "v\\xe0.tsv"]
    for name in names:
        (tmp_path / "aligned" / name).read_bytes().decode("utf-8")
    msgfmt_check(tmp_path / "aligned" / "v\\xe0.po")


def test_messages_name_the_file_with_escapes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = raw(tmp_path, b"h\xf4ng.txt")
    bad.write_bytes(b"\xff not UTF-8 inside either\n")
    assert main(["segment", str(bad)]) == 2
    assert capsys.readouterr().err == (
        f"songngu: {tmp_path}/h\\xf4ng.txt: byte 0: not valid UTF-8 (invalid start byte); "
        "save the file as UTF-8\n"
    )


@given(st.binary(min_size=1, max_size=40))
def test_any_name_becomes_printable_utf8_and_a_utf8_name_stays_as_it_is(name: bytes) -> None:
    written = printable_path(name)
    written.encode("utf-8")  # never a surrogate left
    try:
        assert written == name.decode("utf-8")
    except UnicodeDecodeError:
        assert "\\x" in written
    assert printable(os.fsdecode(b"b\xe0i.txt")) == "b\\xe0i.txt"
