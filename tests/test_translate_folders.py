"""`songngu translate FOLDER`: relative output paths, batching across articles, resuming.

Translating many articles together must give each one exactly the files it gets alone, and a re-run
must redo only what changed: counted through the model's own entry points, never timed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from msgfmt import msgfmt_check

from songngu.glossary.formats import load_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.translate import pipeline, records
from songngu.translate.cli import main
from songngu.translate.engine import Translator
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.pipeline import ArticleSource, DecodingSettings, LocalEngine, translate_articles
from songngu.translate.qa.checker import QualityChecker, build_checks
from songngu.translate.segment import segment_article

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "seeds" / "glossary.csv"
SUFFIXES = (".jsonl", ".en.txt", ".tsv", ".vi", ".en", ".tmx", ".po", ".xlf")
# Batches of one: a sentence is then searched alone whichever articles share its window, so a run of
# the folder and a run of one article do the same arithmetic for it and must write the same bytes.
# In batches of several, its batch mates would change the padding and the rows of every product,
# which a CPU's kernels may sum in another order (scores then differ in the last digits, and a word
# where two candidates tie within rounding: README, "What the tests claim").
OPTIONS = ("--max-length", "40", "--beam", "2", "--batch-size", "1")
ARTICLES = {
    "a.txt": "Bộ Ngoại giao họp báo.\n\nHơn bốn triệu người đã đến Rome dự đám tang.\n",
    "tin/b.txt": "Liggins theo chân cha và bước vào nghề y.\nTôn giáo chính ở Moldova là Chính thống giáo.\n",
    "tin/sub/c.txt": "Thứ trưởng Ngoại giao gặp đại diện UNICEF.\n\nNước tràn qua đê.\n\nCác đô vật khác.\n",
    "tin/ghi-chu.csv": "Không phải bài viết.\n",
}


class ModelCalls:
    """How often the model was loaded and how many sentences it was asked to translate."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.loads = 0
        self.sentences = 0
        load, translate = Translator.load.__func__, Translator.translate  # type: ignore[attr-defined]

        def counting_load(cls: type[Translator], *args: object, **kwargs: object) -> Translator:
            self.loads += 1
            return load(cls, *args, **kwargs)

        def counting_translate(translator: Translator, requests: list[object], **kwargs: object) -> object:
            self.sentences += len(requests)
            return translate(translator, requests, **kwargs)

        monkeypatch.setattr(Translator, "load", classmethod(counting_load))
        monkeypatch.setattr(Translator, "translate", counting_translate)


def run(model: Path, out: Path, *inputs: Path, glossary: Path = GLOSSARY, extra: tuple[str, ...] = ()) -> int:
    args = ["translate", *map(str, inputs), "--out", str(out), "--model", str(model), "-g", str(glossary)]
    return main([*args, *OPTIONS, *extra])


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    for name, text in ARTICLES.items():
        (root / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "in" / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(autouse=True, scope="module")
def fixed_clock() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # PO dates: the same in every run
        # and one run id for every run, so that separate runs can be compared byte for byte
        patch.setattr(records, "new_run_id", lambda: "20260101T000000Z-00000000")
        patch.setattr(pipeline, "new_run_id", lambda: "20260101T000000Z-00000000")
        yield


@pytest.fixture(scope="module")
def folder_out(corpus: Path, tiny_model_dir: Path) -> Path:
    out = corpus / "out"
    assert run(tiny_model_dir, out, corpus / "in") == 0
    return out


def test_folder_outputs_mirror_the_input_tree(folder_out: Path) -> None:
    written = sorted(p.relative_to(folder_out).as_posix() for p in folder_out.rglob("*") if p.is_file())
    stems = ("a", "tin/b", "tin/sub/c")
    assert written == sorted(f"{stem}{suffix}" for stem in stems for suffix in SUFFIXES)
    for stem in stems:
        msgfmt_check(folder_out / f"{stem}.po")


def test_batching_across_articles_gives_each_article_its_own_files(
    corpus: Path, folder_out: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    for name in ("a.txt", "tin/b.txt", "tin/sub/c.txt"):
        alone = tmp_path / name
        assert run(tiny_model_dir, alone, corpus / "in" / name) == 0
        stem = Path(name).with_suffix("")
        for suffix in SUFFIXES:
            assert (alone / f"{stem.name}{suffix}").read_bytes() == (
                folder_out / f"{stem}{suffix}"
            ).read_bytes(), f"{stem}{suffix}"


def test_windows_of_any_size_give_the_same_records(
    corpus: Path, folder_out: Path, tiny_model_dir: Path
) -> None:
    # Window 2 splits the corpus into several model calls, each sorted across its articles.
    sources = [ArticleSource.read(corpus / "in" / n) for n in ("a.txt", "tin/b.txt", "tin/sub/c.txt")]
    glossary = load_glossary(GLOSSARY)
    settings = DecodingSettings(beam=2, max_length=40, batch_size=1, with_unconstrained=True)
    articles = translate_articles(
        sources,
        engine=LocalEngine(Translator.load(str(tiny_model_dir), device="cpu")),
        glossary=glossary,
        matcher=GlossaryMatcher(glossary),
        settings=settings,
        window=2,
        checker=QualityChecker(build_checks()),  # as songngu translate runs it
    )
    for stem, article in zip(("a", "tin/b", "tin/sub/c"), articles, strict=True):
        assert JsonlFormat().render(article) == (folder_out / f"{stem}.jsonl").read_text(encoding="utf-8")


def test_rerun_over_an_unchanged_folder_skips_everything_without_the_model(
    corpus: Path,
    folder_out: Path,
    tiny_model_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = snapshot(folder_out)
    calls = ModelCalls(monkeypatch)
    assert run(tiny_model_dir, folder_out, corpus / "in") == 0
    assert (calls.loads, calls.sentences) == (0, 0)
    assert snapshot(folder_out) == before
    assert "3 of 3 articles up to date" in capsys.readouterr().err


def test_edited_article_is_redone_alone_and_keeps_its_review(
    corpus: Path, folder_out: Path, tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(corpus / "in", source)
    shutil.copytree(folder_out, out)
    catalog = polib.pofile(str(out / "a.po"))
    reviewed = catalog.find("a:2:1", by="msgctxt")
    assert reviewed is not None and reviewed.fuzzy
    reviewed.msgstr = "More than four million people went to Rome for the funeral."
    reviewed.flags.remove("fuzzy")
    catalog.save()
    (source / "a.txt").write_text(
        ARTICLES["a.txt"] + "\nCác đô vật khác cũng thể hiện sự tri ân với Luna.\n", encoding="utf-8"
    )
    before = snapshot(out)

    calls = ModelCalls(monkeypatch)
    assert run(tiny_model_dir, out, source) == 0
    assert calls.loads == 1
    assert calls.sentences == len(segment_article((source / "a.txt").read_text(encoding="utf-8"), "a"))
    after = snapshot(out)
    assert {name for name in after if after[name] != before[name]} == {f"a{suffix}" for suffix in SUFFIXES}
    entry = polib.pofile(str(out / "a.po")).find("a:2:1", by="msgctxt")
    assert entry is not None and not entry.fuzzy
    assert entry.msgstr == "More than four million people went to Rome for the funeral."
    msgfmt_check(out / "a.po")


def test_the_same_model_named_another_way_is_not_redone_another_model_is(
    corpus: Path,
    folder_out: Path,
    tiny_model_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    shutil.copytree(folder_out, out)
    calls = ModelCalls(monkeypatch)
    # The folder run named the model by its absolute path; a relative path to it (and a copy of the
    # directory) is the same model by its checksum: nothing to redo.
    monkeypatch.chdir(tiny_model_dir.parent)
    assert run(Path(tiny_model_dir.name), out, corpus / "in") == 0
    copy = tmp_path / "copy"
    shutil.copytree(tiny_model_dir, copy)
    assert run(copy, out, corpus / "in") == 0
    assert (calls.loads, calls.sentences) == (0, 0)
    # One of its files changed: another model, everything is redone.
    settings = copy / "tokenizer_config.json"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run(copy, out, corpus / "in") == 0
    total = sum(len(segment_article(t, "x")) for n, t in ARTICLES.items() if n.endswith(".txt"))
    assert (calls.loads, calls.sentences) == (1, total)


@pytest.mark.parametrize("change", ["glossary", "force"])
def test_changed_glossary_or_force_redoes_every_article(
    change: str,
    corpus: Path,
    folder_out: Path,
    tiny_model_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    shutil.copytree(folder_out, out)
    glossary, extra = GLOSSARY, ()
    if change == "glossary":
        glossary = tmp_path / "glossary.csv"
        glossary.write_text(GLOSSARY.read_text(encoding="utf-8") + "Nước,Water,,,,,\n", encoding="utf-8")
    else:
        extra = ("--force",)
    calls = ModelCalls(monkeypatch)
    assert run(tiny_model_dir, out, corpus / "in", glossary=glossary, extra=extra) == 0
    total = sum(len(segment_article(t, "x")) for n, t in ARTICLES.items() if n.endswith(".txt"))
    assert (calls.loads, calls.sentences) == (1, total)
    run_info = JsonlFormat().read(out / "tin/sub/c.jsonl").run
    assert run_info is not None
    assert run_info.glossary_checksum == load_glossary(glossary).checksum()


def test_glob_takes_other_files(corpus: Path, tiny_model_dir: Path, tmp_path: Path) -> None:
    assert run(tiny_model_dir, tmp_path, corpus / "in", extra=("--glob", "*.csv")) == 0
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.jsonl")) == [
        "tin/ghi-chu.jsonl"
    ]
