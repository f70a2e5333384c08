"""Which articles a run takes from files and folders, and where their outputs go (no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from songngu.errors import InputError
from songngu.translate.corpus import discover
from songngu.translate.formats import jsonl
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.records import ArticleTranslation, RunInfo


def touch(root: Path, *relative: str) -> None:
    for name in relative:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Bộ Ngoại giao họp báo.\n", encoding="utf-8")


def test_folder_outputs_mirror_relative_paths(tmp_path: Path) -> None:
    touch(tmp_path / "in", "a/b.txt", "a/c/d.txt", "top.txt", "a/notes.csv", ".git/x.txt", "a/.hidden.txt")
    jobs = discover([tmp_path / "in"], tmp_path / "out")
    out = tmp_path / "out"
    assert [(j.source.relative_to(tmp_path / "in").as_posix(), j.out_dir, j.name) for j in jobs] == [
        ("a/b.txt", out / "a", "b"),
        ("a/c/d.txt", out / "a" / "c", "d"),
        ("top.txt", out, "top"),
    ]
    assert jobs[0].records == out / "a" / "b.jsonl"
    assert out / "a" / "b.po" in jobs[0].outputs()


def test_glob_is_matched_on_the_path_inside_the_folder(tmp_path: Path) -> None:
    touch(tmp_path / "in", "2024/x.md", "2025/y.md", "2024/sub/z.md", "w.txt")
    names = [j.name for j in discover([tmp_path / "in"], tmp_path / "out", "2024/*.md")]
    assert names == ["x"]
    assert [j.name for j in discover([tmp_path / "in"], tmp_path / "out", "*.md")] == ["z", "x", "y"]


def test_files_and_folders_mix_and_a_repeated_file_is_taken_once(tmp_path: Path) -> None:
    touch(tmp_path, "in/a.txt", "lone.txt")
    jobs = discover([tmp_path / "lone.txt", tmp_path / "in", tmp_path / "lone.txt"], tmp_path / "out")
    assert [(j.name, j.out_dir) for j in jobs] == [("lone", tmp_path / "out"), ("a", tmp_path / "out")]


def test_output_folder_inside_the_input_is_not_read_back(tmp_path: Path) -> None:
    # Last run's out/b.en.txt matches *.txt: it must not become an article.
    touch(tmp_path / "in", "b.txt", "out/b.en.txt", "out/sub/c.txt")
    assert [j.name for j in discover([tmp_path / "in"], tmp_path / "in" / "out")] == ["b"]


@pytest.mark.parametrize(
    ("inputs", "clash"),
    [
        (["x/a.txt", "y/a.txt"], "{t}/x/a.txt and {t}/y/a.txt would both write {t}/out/a.*"),
        (["in"], "{t}/in/k/b.md and {t}/in/k/b.txt would both write {t}/out/k/b.*"),
        (["x", "y"], "{t}/x/a.txt and {t}/y/a.txt would both write {t}/out/a.*"),
    ],
)
def test_two_articles_writing_the_same_files_are_refused_in_one_line(
    tmp_path: Path, inputs: list[str], clash: str
) -> None:
    touch(tmp_path, "x/a.txt", "y/a.txt", "in/k/b.txt", "in/k/b.md", "in/top.txt", "z/top.txt")
    with pytest.raises(InputError) as error:
        discover([tmp_path / i for i in inputs], tmp_path / "out", "*")
    message = str(error.value)
    assert message.startswith(clash.format(t=tmp_path)) and "\n" not in message


def test_folder_without_articles_is_refused(tmp_path: Path) -> None:
    touch(tmp_path / "in", "a.csv")
    with pytest.raises(InputError, match=r"in: no file matches \*\.txt \*\.html \*\.htm \*\.docx \*\.md"):
        discover([tmp_path / "in"], tmp_path / "out")


def test_a_folder_gives_its_documents_too_and_each_writes_its_english_document(tmp_path: Path) -> None:
    touch(tmp_path / "in", "a.txt", "b.html", "c.htm", "d.docx", "e.md", "f.odt", "g.csv")
    jobs = discover([tmp_path / "in"], tmp_path / "out")
    assert [j.source.name for j in jobs] == ["a.txt", "b.html", "c.htm", "d.docx", "e.md", "f.odt"]
    out = tmp_path / "out"
    assert [j.english_document for j in jobs] == [
        None,
        out / "b.en.html",
        out / "c.en.htm",
        out / "d.en.docx",
        out / "e.en.md",
        out / "f.en.odt",
    ]
    assert out / "d.en.docx" in jobs[3].outputs() and out / "d.po" in jobs[3].outputs()


def test_run_metadata_keeps_what_resuming_compares(tmp_path: Path) -> None:
    run = RunInfo(
        "0.2.0",
        "m",
        "sha256:ab",
        None,
        None,
        4,
        256,
        16,
        "cpu",
        run_id="20261130T000000Z-00000000",
        precision="int8",
        source_checksum="sha256:cd",
        with_unconstrained=True,
    )
    path = tmp_path / "a.jsonl"
    path.write_text(JsonlFormat().render(ArticleTranslation("a", "a.txt", run, [])), encoding="utf-8")
    assert JsonlFormat().read(path).run == run == jsonl.read_run(path)
    # A file written before these fields existed still loads; resuming then redoes its article.
    old = '{"run": {"tool_version": "0.1.0", "model": "m", "model_revision": "r", "glossary": null, '
    old += '"glossary_checksum": null, "beam": 4, "max_length": 256, "batch_size": 16, "device": "cpu"}}\n'
    path.write_text(old, encoding="utf-8")
    loaded = jsonl.read_run(path)
    assert loaded is not None and loaded.source_checksum is None and loaded.with_unconstrained is None
    assert JsonlFormat().read(path).run == loaded
