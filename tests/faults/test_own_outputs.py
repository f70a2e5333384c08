"""Fault: a run that translates its own outputs (issue #23, item 6).

With ``--out`` equal to an input folder, the re-run took last run's ``three.en.txt`` for a Vietnamese
article and wrote ``three.en.jsonl``, ``three.en.po``, ... beside it. songngu's outputs are now told
by their run metadata (``<name>.jsonl`` beside them begins with a run line), wherever they lie, and
never taken as articles: in a folder, named directly, under any ``--glob``, and for any
``<name>.en.<ext>`` English rendering.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from songngu.errors import InputError
from songngu.translate.cli import main
from songngu.translate.corpus import discover, is_own_output
from songngu.translate.formats import OUTPUT_FORMATS

ARTICLE = "Cuộc họp khai mạc sáng nay.\n\nCác đại biểu thảo luận về nhân quyền.\n"
SUFFIXES = [fmt.suffix for fmt in OUTPUT_FORMATS]


def translate(model: Path, *args: str) -> int:
    return main(["translate", *args, "--model", str(model), "--max-length", "16", "--beam", "1"])


@pytest.fixture
def translated_in_place(tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A folder holding one article and, beside it, the outputs of its first run (``--out`` = it)."""
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "three.txt").write_text(ARTICLE, encoding="utf-8")
    assert translate(tiny_model_dir, str(folder), "--out", str(folder)) == 0
    capsys.readouterr()
    return folder


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_out_equal_to_the_input_folder_never_translates_last_runs_outputs(
    translated_in_place: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = translated_in_place
    before = names(folder)
    assert before == sorted(["three.txt", *(f"three{suffix}" for suffix in SUFFIXES)])
    assert translate(tiny_model_dir, str(folder), "--out", str(folder), "--force") == 0
    err = capsys.readouterr().err
    assert names(folder) == before  # no three.en.jsonl, three.en.po, ...
    assert (
        f"songngu: left out {folder / 'three.en.txt'}: one of songngu's own outputs (its .jsonl records "
        "the run)"
    ) in err.splitlines()
    assert f"{folder / 'three.txt'}: 2 segments" in err


def test_any_glob_leaves_every_output_out(
    translated_in_place: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = translated_in_place
    before = names(folder)
    assert translate(tiny_model_dir, str(folder), "--glob", "*", "--out", str(folder), "--force") == 0
    err = capsys.readouterr().err
    assert names(folder) == before
    assert f"songngu: left out {len(SUFFIXES)} of songngu's own outputs (their .jsonl records the run)" in err


def test_outputs_named_directly_are_not_articles(
    translated_in_place: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `songngu translate desk/*.txt` names the article and last run's English text alike.
    folder = translated_in_place
    out = folder.parent / "again"
    assert (
        translate(tiny_model_dir, str(folder / "three.en.txt"), str(folder / "three.txt"), "--out", str(out))
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(f"three{suffix}" for suffix in SUFFIXES)
    capsys.readouterr()
    assert translate(tiny_model_dir, str(folder / "three.en.txt"), "--out", str(out)) == 2
    assert capsys.readouterr().err == (
        f"songngu: {folder / 'three.en.txt'}: one of songngu's own outputs, not an article; nothing to "
        "translate\n"
    )


def test_a_folder_of_nothing_but_outputs_says_so(translated_in_place: Path) -> None:
    (translated_in_place / "three.txt").unlink()
    with pytest.raises(InputError, match=r"desk: only songngu's own outputs match \* in this folder"):
        discover([translated_in_place], translated_in_place, "*")


def run_line(folder: Path, name: str) -> None:
    run = {"tool_version": "0.2", "model": "m", "model_revision": "r", "glossary": None}
    run |= {"glossary_checksum": None, "beam": 4, "max_length": 256, "batch_size": 16, "device": "cpu"}
    (folder / f"{name}.jsonl").write_text(json.dumps({"run": run}) + "\n", encoding="utf-8")


@pytest.mark.parametrize("suffix", [*SUFFIXES, ".en.html", ".en.docx", ".en.md", ".en.odt"])
def test_the_rule_covers_every_output_suffix_and_any_english_rendering(tmp_path: Path, suffix: str) -> None:
    run_line(tmp_path, "bao-cao")
    (tmp_path / f"bao-cao{suffix}").touch()
    assert is_own_output(tmp_path / f"bao-cao{suffix}")
    # The article itself, and another article beside it, are not outputs.
    assert not is_own_output(tmp_path / "bao-cao.txt")
    assert not is_own_output(tmp_path / "bao-cao.md")
    assert not is_own_output(tmp_path / f"khac{suffix}")


def test_only_songngu_run_metadata_marks_an_output(tmp_path: Path) -> None:
    (tmp_path / "tin.en.txt").write_text("An English article of the archive.\n", encoding="utf-8")
    assert not is_own_output(tmp_path / "tin.en.txt")  # no records beside it: an article
    (tmp_path / "tin.jsonl").write_text('{"id": "tin:1:1", "vi": "a", "en": "b"}\n', encoding="utf-8")
    assert not is_own_output(tmp_path / "tin.en.txt")  # align's beads: no run line
    (tmp_path / "tin.jsonl").write_text("not json at all\n", encoding="utf-8")
    assert not is_own_output(tmp_path / "tin.en.txt")
    (tmp_path / "tin.jsonl").unlink()
    os.symlink("/dev/zero", tmp_path / "tin.jsonl")
    assert not is_own_output(tmp_path / "tin.en.txt")  # and it is not read for ever
    (tmp_path / "tin.jsonl").unlink()
    run_line(tmp_path, "tin")
    assert is_own_output(tmp_path / "tin.en.txt") and is_own_output(tmp_path / "tin.jsonl")
