"""Reviewed work from CAT tools: an edited XLIFF file and an OmegaT-style TMX memory are imported
into the translation memory with the PO import's guarantees, and the next translation reuses both."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from songngu.errors import InputError
from songngu.translate.cli import main
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.memory import TranslationMemory
from songngu.translate.review import import_reviewed, read_reviewed

ARTICLE = "Bộ Ngoại giao tổ chức hội thảo về UPR.\n\nCác đại biểu thảo luận sôi nổi. Hội thảo kết thúc.\n"
# What OmegaT writes to omegat/project_save.tmx: no tuid, dates on the <tuv>s, upper-case languages.
OMEGAT_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx11.dtd">
<tmx version="1.4">
  <header creationtool="OmegaT" o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext"
    creationtoolversion="6.0.1_0_1a2b3c4d" segtype="sentence" srclang="{srclang}"/>
  <body>
    <tu>
      <tuv xml:lang="{srclang}">
        <seg>Việt Nam ủng hộ <bpt i="1" x="1">&lt;b&gt;</bpt>ASEAN<ept i="1">&lt;/b&gt;</ept>.</seg>
      </tuv>
      <tuv xml:lang="{tgtlang}" changeid="lan" changedate="20240502T090000Z" creationid="lan"
        creationdate="20240502T090000Z">
        <seg>Viet Nam supports ASEAN.</seg>
      </tuv>
    </tu>
  </body>
</tmx>
"""


def omegat_tmx(path: Path, srclang: str = "VI-VN", tgtlang: str = "EN-GB") -> Path:
    path.write_text(OMEGAT_TMX.format(srclang=srclang, tgtlang=tgtlang), encoding="utf-8")
    return path


def test_an_edited_xliff_and_an_omegat_memory_are_reused(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article, out, tm = tmp_path / "hoi-thao.txt", tmp_path / "out", tmp_path / "tm.sqlite"
    article.write_text(ARTICLE, encoding="utf-8")
    options = ["--model", str(tiny_model_dir), "--max-length", "32"]
    assert main(["translate", str(article), "--out", str(out), *options]) == 0
    xlf = out / "hoi-thao.xlf"

    # In the CAT tool: the first sentence rewritten and confirmed (state final), the second approved
    # as it is, the third left for later.
    text = xlf.read_text(encoding="utf-8")
    units = text.split("<trans-unit ")
    first, second = units[1], units[2]
    start = first.index('state="needs-review-translation">') + len('state="needs-review-translation">')
    machine_first = first[start : first.index("</target>")]
    edited_first = first.replace(
        f'state="needs-review-translation">{machine_first}</target>',
        'state="final">The Ministry of Foreign Affairs held a UPR workshop.</target>',
    )
    approved_second = second.replace('resname="hoi-thao:2:1"', 'resname="hoi-thao:2:1" approved="yes"')
    xlf.write_text(text.replace(first, edited_first).replace(second, approved_second), encoding="utf-8")
    tmx = omegat_tmx(tmp_path / "project_save.tmx")

    capsys.readouterr()
    assert main(["review", "import", str(xlf), str(tmx), "--tm", str(tm)]) == 0
    report = capsys.readouterr().out
    assert f"{xlf}: 2 confirmed (1 edited, 1 accepted unchanged), 1 still to review" in report
    assert f"{tmx}: 1 confirmed (1 edited, 0 accepted unchanged), 0 still to review" in report
    assert "3 newly stored, 0 already in the memory" in report
    assert main(["review", "import", str(xlf), str(tmx), "--tm", str(tm)]) == 0
    assert "0 newly stored, 3 already in the memory" in capsys.readouterr().out
    with sqlite3.connect(tm) as db:
        rows = db.execute(
            "SELECT o.origin, o.segment_id, u.target, o.created FROM unit u JOIN origin o ON o.unit_id = u.id"
            " ORDER BY u.id, o.rowid"
        ).fetchall()
    assert rows[0][:3] == (
        "hoi-thao.xlf",
        "hoi-thao:1:1",
        "The Ministry of Foreign Affairs held a UPR workshop.",
    )
    assert rows[2] == ("project_save.tmx", "#1", "Viet Nam supports ASEAN.", "2024-05-02T09:00:00Z")

    # The next article shares the reviewed sentences: they come from the memory, not the model.
    following = tmp_path / "bai-sau.txt"
    following.write_text(
        "Bộ Ngoại giao tổ chức hội thảo về UPR.\n\nViệt Nam ủng hộ ASEAN. Một câu mới.\n", encoding="utf-8"
    )
    assert main(["translate", str(following), "--out", str(out), *options, "--tm", str(tm)]) == 0
    records = JsonlFormat().read(out / "bai-sau.jsonl").results
    assert [r.method.value for r in records][:2] == ["memory", "memory"]
    assert records[2].method.value != "memory"
    assert [r.target for r in records[:2]] == [
        "The Ministry of Foreign Affairs held a UPR workshop.",
        "Viet Nam supports ASEAN.",
    ]


@pytest.mark.parametrize(
    ("srclang", "tgtlang"), [("vi", "en"), ("vi-VN", "en-US"), ("VI-vn", "en-gb"), ("vi", "EN-US")]
)
def test_tmx_language_codes_are_accepted_in_any_case(tmp_path: Path, srclang: str, tgtlang: str) -> None:
    catalog = read_reviewed(omegat_tmx(tmp_path / "m.tmx", srclang, tgtlang))
    assert [(u.source, u.target) for u in catalog.units()] == [
        ("Việt Nam ủng hộ ASEAN.", "Viet Nam supports ASEAN.")
    ]


BAD = [
    (
        "broken.tmx",
        OMEGAT_TMX.format(srclang="vi", tgtlang="en").replace("</body>", ""),
        "not well-formed XML",
    ),
    ("french.tmx", OMEGAT_TMX.format(srclang="fr-FR", tgtlang="en"), 'srclang="fr-FR"'),
    ("no-english.tmx", OMEGAT_TMX.format(srclang="vi", tgtlang="de"), '<tu> has no <tuv xml:lang="en">'),
    (
        "german.xlf",
        '<?xml version="1.0"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
        '<file original="a" source-language="vi" target-language="de" datatype="plaintext"><body/></file>'
        "</xliff>\n",
        'target-language="de"',
    ),
    ("broken.xlf", '<xliff version="1.2">\n<file>\n', "not well-formed XML"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_malformed_file_refuses_the_whole_import_and_leaves_the_memory_untouched(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    good = omegat_tmx(tmp_path / "good.tmx")
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        import_reviewed([good], memory)
        before = list(memory.units())
        with pytest.raises(InputError) as caught:
            import_reviewed([omegat_tmx(tmp_path / "other.tmx", "vi", "en-US"), bad], memory)
        assert list(memory.units()) == before
    error = str(caught.value)
    assert error.startswith(f"{bad}:") and message in error and "\n" not in error


def test_the_command_refuses_a_bad_file_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "french.tmx"
    bad.write_text(OMEGAT_TMX.format(srclang="fr", tgtlang="en"), encoding="utf-8")
    tm = tmp_path / "tm.sqlite"
    assert main(["review", "import", str(omegat_tmx(tmp_path / "good.tmx")), str(bad), "--tm", str(tm)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(f"songngu: {bad}:4: srclang=")
    assert not tm.exists()
