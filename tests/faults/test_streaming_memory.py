"""Fault: memory that grows with the input. A 60 MB TBX took 1.27 GB resident and a 100,000-entry PO
import 518 MB. Both now stream: the TBX reader keeps one entry's elements at a time, the import reads
each catalog in batches (checking every file whole first, then storing within one transaction). The
readers of reviewed units stream too: TMX (one ``<tu>`` at a time), JSONL, TSV and Moses files.

Measured with tracemalloc (Python's allocations) at two sizes, four times apart: the memory used
beyond what the result itself holds must not grow with the input. A ratio in one run, no absolute
figures, so a loaded machine cannot make it fail.
"""

from __future__ import annotations

import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from songngu.errors import InputError
from songngu.glossary.formats import load_glossary, tbx
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.textfile import read_lines, read_text
from songngu.translate.formats import read_units, write_outputs
from songngu.translate.memory import TranslationMemory
from songngu.translate.records import ArticleTranslation, RunInfo, SegmentResult
from songngu.translate.review import import_reviewed

SMALL, LARGE = 1500, 6000  # entries; LARGE / SMALL = 4


def working_memory(task: Callable[[], object]) -> int:
    """Peak bytes Python allocated while ``task`` ran, less what its result still holds after."""
    tracemalloc.start()
    try:
        result = task()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak - current


def tbx_file(path: Path, entries: int) -> Path:
    glossary = Glossary(
        [
            GlossaryEntry(
                f"thuật ngữ số {i}", f"term number {i}", f"T{i}", (f"biến thể {i}",), note=f"ghi chú {i}"
            )
            for i in range(entries)
        ]
    )
    path.write_text(tbx.dumps(glossary), encoding="utf-8")
    return path


def test_reading_a_tbx_does_not_grow_with_its_size(tmp_path: Path) -> None:
    small = tbx_file(tmp_path / "small.tbx", SMALL)
    large = tbx_file(tmp_path / "large.tbx", LARGE)
    assert len(load_glossary(large)) == LARGE
    ratio = working_memory(lambda: load_glossary(large)) / working_memory(lambda: load_glossary(small))
    # Reading the whole tree grew 4x with the file; streaming stays flat.
    assert ratio < 2, ratio


def po_file(path: Path, entries: int) -> Path:
    header = (
        'msgid ""\nmsgstr ""\n"Project-Id-Version: bai\\n"\n"PO-Revision-Date: 2024-05-01 10:00+0000\\n"\n'
        '"Language: en\\n"\n"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n'
    )
    body = "".join(
        f"\n#. machine translation: Sentence number {i} of the report.\n#: bai.txt:{i}\n"
        f'msgctxt "bai:{i}:1"\nmsgid "Câu số {i} của báo cáo."\nmsgstr "Sentence {i} of the report."\n'
        for i in range(entries)
    )
    path.write_text(header + body, encoding="utf-8")
    return path


def test_importing_a_catalog_does_not_grow_with_its_size(tmp_path: Path) -> None:
    small = po_file(tmp_path / "small.po", SMALL)
    large = po_file(tmp_path / "large.po", LARGE)

    def run(path: Path) -> Callable[[], object]:
        def task() -> object:
            with TranslationMemory(tmp_path / f"{path.stem}.sqlite") as memory:
                report = import_reviewed([path], memory)
            assert report.stored == report.total.confirmed == report.total.edited
            return None

        return task

    ratio = working_memory(run(large)) / working_memory(run(small))
    assert ratio < 2, ratio


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "ờ", "\n", "\r", "\r\n", "\x0b", "\u2028", "\ufeff"])),
    st.integers(1, 7),
)
def test_streamed_lines_are_the_lines_of_the_whole_text(parts: list[str], chunk_size: int) -> None:
    text = "".join(parts)
    # Chunks as small as a byte split characters and "\r\n" pairs: lines and offsets must not change.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.po"
        path.write_bytes(text.encode("utf-8"))
        assert list(read_lines(path, chunk_size)) == read_text(path).splitlines()


def test_a_bad_byte_in_a_streamed_file_is_reported_by_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "bad.po"
    path.write_bytes("ờ".encode() * 10 + b"\xff" + b"tail")
    with pytest.raises(InputError, match=r"bad\.po: byte 30: not valid UTF-8"):
        list(read_lines(path, chunk_size=4))


def article_of(entries: int) -> ArticleTranslation:
    run = RunInfo("0.2.0", "m", "sha256:0", None, None, 4, 64, 8, "cpu", run_id="r")
    return ArticleTranslation(
        "bai",
        "bai.txt",
        run,
        [
            SegmentResult(f"bai:{i}:1", f"Câu số {i} của báo cáo.", f"Sentence {i} of the report.", i)
            for i in range(1, entries + 1)
        ],
    )


@pytest.mark.parametrize("suffix", [".tmx", ".jsonl", ".tsv", ".vi"])
def test_reading_units_does_not_grow_with_the_file(tmp_path: Path, suffix: str) -> None:
    # The readers stream: a TMX memory (another CAT tool's may hold 100,000 units), records and
    # bitexts are read a unit at a time, as PO catalogs are.
    paths = {}
    for entries in (SMALL, LARGE):
        folder = tmp_path / str(entries)
        write_outputs(article_of(entries), folder)
        paths[entries] = folder / f"bai{suffix}"

    def run(path: Path) -> Callable[[], object]:
        def task() -> object:
            count = sum(1 for _ in read_units(path))
            assert count in (SMALL, LARGE)
            return None

        return task

    ratio = working_memory(run(paths[LARGE])) / working_memory(run(paths[SMALL]))
    assert ratio < 2, ratio
