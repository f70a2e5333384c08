"""Fault: hostile TBX structure. A TBX nested 1,000 deep raised RecursionError (a traceback, exit 1);
it is now refused with one line naming the file and line, exit 2, by every command that reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from songngu.errors import InputError
from songngu.glossary.formats import load_glossary, tbx
from songngu.translate.cli import main

ENTRY = (
    '<termEntry id="e1"><langSet xml:lang="vi"><tig><term>{vi}</term></tig></langSet>'
    '<langSet xml:lang="en"><tig><term>Ministry of Health</term></tig></langSet></termEntry>'
)


def document(body: str) -> str:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX-Basic">\n<text><body>\n'
    return f"{head}{body}\n</body></text></martif>\n"


def nested(depth: int, tag: str = "hi") -> str:
    return "\n".join(f"<{tag}>" for _ in range(depth)) + "Bộ Y tế" + f"</{tag}>" * depth


@pytest.mark.parametrize(
    "body",
    [
        nested(1000, "body"),  # deep outside any entry
        ENTRY.format(vi=nested(1000)),  # deep inside a term
        nested(100_000, "x"),  # far deeper than the stack
    ],
    ids=["outside", "inside-term", "100k"],
)
def test_deep_nesting_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str
) -> None:
    path = tmp_path / "deep.tbx"
    path.write_text(document(body), encoding="utf-8")
    with pytest.raises(InputError, match=rf"deep\.tbx:\d+: elements nested more than {tbx.MAX_DEPTH} deep"):
        load_glossary(path)
    for command in (
        ["glossary", "check", str(path)],
        ["glossary", "convert", str(path), str(tmp_path / "g.csv")],
    ):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "nested more than" in err
    assert not (tmp_path / "g.csv").exists()


def test_nesting_within_the_limit_still_reads(tmp_path: Path) -> None:
    # martif/text/body/termEntry/langSet/tig/term is 7 levels; markup inside a term keeps its text.
    path = tmp_path / "ok.tbx"
    path.write_text(document(ENTRY.format(vi=nested(tbx.MAX_DEPTH - 7))), encoding="utf-8")
    (entry,) = load_glossary(path)
    assert (entry.vi, entry.en) == ("Bộ Y tế", "Ministry of Health")


def test_a_bad_byte_after_the_first_read_chunk_is_reported_by_offset(tmp_path: Path) -> None:
    # The file is read as a stream: the UTF-8 check must count bytes across chunks.
    head = document("\n".join(ENTRY.format(vi=f"Bộ {i}") for i in range(2000))).encode("utf-8")
    cut = head.index(b"</body>")
    data = head[:cut] + "Bộ".encode()[:-1] + b"\xff" + head[cut:]  # a broken sequence past 64 KiB
    assert cut > 1 << 16
    path = tmp_path / "bad.tbx"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        load_glossary(path)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        expected = exc.start
    assert str(caught.value).startswith(f"{path}: byte {expected}: not valid UTF-8")
