"""Fault: XML nested thousands deep in reviewed files (issue #23, item 4).

An XLIFF with 5,000 nested ``<group>``s, or 5,000 nested ``<g>``s, ended in ``RecursionError`` in
``review import``: the reader walked groups and inline tags by recursion. Both are walked with
stacks of their own now (as TMX inline markup is), so such a file is read like any other; the fuzz
pass (``test_fuzz_parsers.py``) covers depth 10,000 with random edits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from songngu.translate.cli import main
from songngu.translate.memory import TranslationMemory

DEPTH = 5_000
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
    '<file original="bai.txt" source-language="vi" target-language="en" datatype="plaintext"><body>\n'
)
TAIL = "</body></file></xliff>\n"
UNIT = (
    '<trans-unit id="bai:1:1"><source>{source}</source><target state="final">{target}</target></trans-unit>'
)

DOCUMENTS = {
    "groups": HEAD
    + "<group>" * DEPTH
    + UNIT.format(source="Xin chào.", target="Hello.")
    + "</group>" * DEPTH
    + TAIL,
    "inline": HEAD
    + UNIT.format(
        source='<g id="1">' * DEPTH + "Xin chào." + "</g>" * DEPTH,
        target='<g id="1">' * DEPTH + "Hello." + "</g>" * DEPTH,
    )
    + TAIL,
}
TMX = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="vi" datatype="plaintext"/>'
    '<body><tu tuid="1"><tuv xml:lang="vi"><seg>Xin chào.</seg></tuv><tuv xml:lang="en"><seg>'
    + "<hi>" * DEPTH
    + "Hello."
    + "</hi>" * DEPTH
    + "</seg></tuv></tu></body></tmx>\n"
)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_review_import_reads_an_xliff_nested_5000_deep(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bai.xlf"
    path.write_text(DOCUMENTS[name], encoding="utf-8")
    tm = tmp_path / "tm.sqlite"
    assert main(["review", "import", str(path), "--tm", str(tm)]) == 0
    assert (
        f"{path}: 1 confirmed (1 edited, 0 accepted unchanged), 0 still to review" in capsys.readouterr().out
    )
    with TranslationMemory(tm) as memory:
        assert memory.lookup("Xin chào.") == "Hello."


def test_review_import_reads_a_tmx_whose_markup_nests_5000_deep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "memory.tmx"
    path.write_text(TMX, encoding="utf-8")
    tm = tmp_path / "tm.sqlite"
    assert main(["review", "import", str(path), "--tm", str(tm)]) == 0
    with TranslationMemory(tm) as memory:
        assert memory.lookup("Xin chào.") == "Hello."  # <hi> holds text: it is the translation


def test_translate_merges_into_an_xliff_nested_5000_deep(tmp_path: Path) -> None:
    # The run checks the reviewed .xlf it will merge into before any work: that read recursed too.
    from songngu.translate.formats import prepare_outputs

    out = tmp_path / "out"
    out.mkdir()
    (out / "bai.xlf").write_text(DOCUMENTS["groups"], encoding="utf-8")
    prepare_outputs(["bai"], out)
