"""Glossary exchange formats: TBX-Basic import/export, the suffix dispatchers and `glossary convert`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from songngu.errors import InputError
from songngu.glossary.formats import load_glossary, save_glossary, table, tbx
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.translate.cli import main

AICHR = GlossaryEntry(
    vi="Ủy ban liên Chính phủ ASEAN về Nhân quyền",
    en="ASEAN Intergovernmental Commission on Human Rights",
    acronym="AICHR",
    vi_variants=("Uỷ ban liên Chính phủ ASEAN về Nhân quyền",),
    en_variants=("Intergovernmental Commission on Human Rights",),
    en_forbidden=("ASEAN Human Rights Commission",),
    note='official name; see <asean.org> & "TOR"',
)
UN = GlossaryEntry(vi="Liên hợp quốc", en="United Nations", acronym="UN", vi_acronym="LHQ")


# Text a CSV cell can hold once read back: no surrounding whitespace (cells are stripped); XML-special
# characters, CSV-special characters, line breaks inside, Vietnamese letters in NFC and NFD.
_PIECES = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")),
    st.sampled_from([*"<>&\"',;|\n\r\t ", "]]>", "Ủy", "Uỷ", "quốc", "ho\u0300a", "Đ"]),
)
_cell = st.lists(_PIECES, max_size=12).map(lambda pieces: "".join(pieces).strip())
_item = _cell.map(lambda text: text.replace("|", "/").strip()).filter(bool)
_items = st.lists(_item, max_size=3).map(tuple)
_entries = st.builds(
    GlossaryEntry,
    vi=_cell,
    en=_cell,
    acronym=_cell,
    vi_variants=_items,
    en_variants=_items,
    en_forbidden=_items,
    note=_cell,
    vi_acronym=_cell,
).filter(
    lambda e: (
        any((e.vi, e.en, e.acronym, e.vi_variants, e.en_variants, e.en_forbidden, e.note, e.vi_acronym))
        and (not e.vi_acronym or e.vi_acronym != e.acronym)
    )
)
# (an all-empty row is a blank line, which a table skips; a Vietnamese acronym equal to the English
# one says nothing more, and TBX writes the abbreviation once)


def _tbx_round_trip(glossary: Glossary) -> Glossary:
    return tbx.loads(tbx.dumps(glossary).encode("utf-8"), "g.tbx")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_entries, max_size=5))
def test_csv_to_tbx_to_csv_loses_nothing(entries: list[GlossaryEntry]) -> None:
    csv_text = table.dumps(Glossary(entries))
    from_csv = table.loads(csv_text, "g.csv")
    assert from_csv.entries == entries  # the strategy only makes what CSV can hold
    from_tbx = _tbx_round_trip(from_csv)
    assert from_tbx.entries == from_csv.entries
    assert table.dumps(from_tbx) == csv_text
    assert from_tbx.checksum() == from_csv.checksum()


def test_tbx_entries_carry_the_line_of_their_term_entry() -> None:
    text = tbx.dumps(Glossary([AICHR, UN]))
    glossary = tbx.loads(text.encode(), "g.tbx")
    lines = text.split("\n")
    for entry in glossary:
        assert lines[entry.line - 1].lstrip().startswith("<termEntry")
    assert glossary.entries[0].line < glossary.entries[1].line


def test_tbx_is_tbx_basic_with_statuses_and_acronym() -> None:
    text = tbx.dumps(Glossary([AICHR]))
    assert '<martif type="TBX-Basic"' in text
    assert "<!ENTITY" not in text and "<!DOCTYPE" not in text
    assert '<langSet xml:lang="vi">' in text and '<langSet xml:lang="en">' in text
    assert (
        "<term>ASEAN Human Rights Commission</term>"
        '<termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote>' in text
    )
    assert '<term>AICHR</term><termNote type="termType">acronym</termNote>' in text
    assert '<note>official name; see &lt;asean.org&gt; &amp; "TOR"</note>' in text


def test_abbreviations_keep_their_language_through_tbx() -> None:
    text = tbx.dumps(Glossary([UN]))
    vi_set, en_set = text.split('<langSet xml:lang="en">')
    assert "<term>LHQ</term>" in vi_set and "<term>LHQ</term>" not in en_set
    assert '<term>UN</term><termNote type="termType">acronym</termNote>' in en_set
    assert _tbx_round_trip(Glossary([UN])).entries == [UN]


def test_tbx_with_an_abbreviation_in_each_language_keeps_them_apart() -> None:
    # The TBX of another tool: "LHQ" in Vietnamese, "UN" in English (it used to become acronym=LHQ
    # with UN as a mere variant, so a translation had to contain "LHQ").
    text = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en"><text><body><termEntry id="un">
  <langSet xml:lang="vi"><tig><term>Liên hợp quốc</term></tig>
    <tig><term>LHQ</term><termNote type="termType">abbreviation</termNote></tig></langSet>
  <langSet xml:lang="en"><tig><term>United Nations</term></tig>
    <tig><term>UN</term><termNote type="termType">acronym</termNote></tig></langSet>
</termEntry></body></text></martif>"""
    (entry,) = tbx.loads(text.encode(), "un.tbx").entries
    assert (entry.vi, entry.en, entry.acronym, entry.vi_acronym) == (
        "Liên hợp quốc",
        "United Nations",
        "UN",
        "LHQ",
    )
    assert entry.vi_variants == () and entry.en_variants == ()


def test_vi_acronym_column_round_trips_through_csv() -> None:
    text = table.dumps(Glossary([UN]))
    assert text.splitlines()[0].split(",")[-1] == "vi_acronym"
    assert table.loads(text, "g.csv").entries == [UN]


FOREIGN_V2 = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif PUBLIC "ISO 12200:1999A//DTD MARTIF core (DXFcdV04)//EN" "TBXcdv04.dtd">
<martif type="TBX" xml:lang="en">
<text><body>
<termEntry id="1">
  <langSet xml:lang="vi-VN"><tig><term>Bộ Ngoại giao</term></tig></langSet>
  <langSet xml:lang="en-US"><tig><term>Ministry of Foreign Affairs</term></tig></langSet>
</termEntry>
<termEntry id="2">
  <descrip type="definition">the head of government</descrip>
  <langSet xml:lang="vi"><ntig><termGrp><term>Thủ tướng</term></termGrp></ntig></langSet>
  <langSet xml:lang="en">
    <ntig><termGrp><term>Premier</term>
      <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termGrp></ntig>
    <ntig><termGrp><term>Prime Minister</term></termGrp></ntig>
  </langSet>
  <langSet xml:lang="fr"><tig><term>Premier ministre</term></tig></langSet>
</termEntry>
</body></text>
</martif>
"""

FOREIGN_V3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="vi" xmlns="urn:iso:std:iso:30042:ed-2">
<tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader>
<text><body>
<conceptEntry id="c1">
  <langSec xml:lang="vi">
    <termSec><term>Quỹ Nhi đồng Liên hợp quốc</term>
      <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
    <termSec><term>UNICEF</term><termNote type="termType">acronym</termNote></termSec>
  </langSec>
  <langSec xml:lang="en"><termSec><term>United Nations Children's Fund</term></termSec></langSec>
</conceptEntry>
</body></text>
</tbx>
"""


def test_reads_tbx_from_other_tools_as_plain_pairs() -> None:
    glossary = tbx.loads(FOREIGN_V2.encode(), "other.tbx")
    assert [(e.vi, e.en) for e in glossary] == [
        ("Bộ Ngoại giao", "Ministry of Foreign Affairs"),
        ("Thủ tướng", "Prime Minister"),
    ]
    assert glossary.entries[1].en_forbidden == ("Premier",)
    assert glossary.entries[1].note == "the head of government"
    assert glossary.entries[0].line == 5


def test_reads_tbx_v3() -> None:
    (entry,) = tbx.loads(FOREIGN_V3.encode(), "v3.tbx").entries
    assert (entry.vi, entry.en, entry.acronym) == (
        "Quỹ Nhi đồng Liên hợp quốc",
        "United Nations Children's Fund",
        "UNICEF",
    )


def test_reads_utf16_tbx() -> None:
    data = FOREIGN_V2.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert [e.vi for e in tbx.loads(data, "u16.tbx")] == ["Bộ Ngoại giao", "Thủ tướng"]


def test_tbx_without_vietnamese_is_refused() -> None:
    text = FOREIGN_V2.replace('"vi-VN"', '"de"').replace('xml:lang="vi"', 'xml:lang="de"')
    with pytest.raises(InputError, match=r"^en\.tbx: no xml:lang=\"vi\" terms .*languages: de, en, fr"):
        tbx.loads(text.encode(), "en.tbx")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE martif [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<martif><text><body><termEntry><langSet xml:lang="vi"><tig><term>&lol2;</term></tig></langSet>
</termEntry></body></text></martif>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE martif [ <!ENTITY secret SYSTEM "file://{path}"> ]>
<martif><text><body><termEntry><langSet xml:lang="vi"><tig><term>&secret;</term></tig></langSet>
</termEntry></body></text></martif>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE martif SYSTEM "file://{path}">
<martif><text><body><termEntry><langSet xml:lang="vi"><tig><term>&secret;</term></tig></langSet>
</termEntry></body></text></martif>
"""


def _one_line_refusal(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "evil.tbx"
    path.write_text(text, encoding="utf-8")
    assert main(["glossary", "convert", str(path), str(tmp_path / "out.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "SECRET" not in err
    assert not (tmp_path / "out.csv").exists()
    return err


def test_billion_laughs_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _one_line_refusal(tmp_path, BILLION_LAUGHS, capsys)
    assert err.startswith(f"songngu: {tmp_path / 'evil.tbx'}:3: refused: the file declares the XML entity")


def test_external_entity_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    err = _one_line_refusal(tmp_path, EXTERNAL_ENTITY.format(path=secret), capsys)
    assert ":2: refused:" in err


def test_external_dtd_is_never_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dtd = tmp_path / "secret.dtd"
    dtd.write_text('<!ENTITY secret "SECRET">', encoding="utf-8")
    err = _one_line_refusal(tmp_path, EXTERNAL_DTD.format(path=dtd), capsys)
    assert ":3: refused: the file uses the entity '&secret;'" in err


def test_malformed_tbx_names_file_and_line(tmp_path: Path) -> None:
    bad = FOREIGN_V2.replace("<term>Thủ tướng</term>", "<term>Thủ tướng</trem>")
    with pytest.raises(InputError, match=r"^bad\.tbx:11: malformed XML \(mismatched tag\)$"):
        tbx.loads(bad.encode(), "bad.tbx")


def test_tbx_with_another_root_is_refused() -> None:
    with pytest.raises(InputError, match=r"^x\.tbx:1: not a TBX file \(root element <html>\)"):
        tbx.loads(b"<html><body/></html>", "x.tbx")


def test_non_utf8_tbx_names_the_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tbx.dumps(Glossary([UN])).encode("utf-8")
    offset = data.index("Liên".encode())
    path = tmp_path / "latin.tbx"
    path.write_bytes(data[:offset] + "Liên".encode("latin-1") + data[offset + len("Liên".encode()) :])
    assert main(["glossary", "convert", str(path), str(tmp_path / "out.csv")]) == 2
    assert capsys.readouterr().err == (
        f"songngu: {path}: byte {offset + 2}: not valid UTF-8 (invalid continuation byte); "
        "save the file as UTF-8\n"
    )


def test_text_xml_cannot_hold_is_refused_and_nothing_written(tmp_path: Path) -> None:
    glossary = Glossary([GlossaryEntry(vi="a\x01b", en="x", line=4)], source="g.csv")
    with pytest.raises(InputError, match=r"^g\.csv:4: character U\+0001 cannot be stored in TBX"):
        save_glossary(glossary, tmp_path / "g.tbx")
    assert list(tmp_path.iterdir()) == []


def test_save_glossary_picks_format_by_suffix(tmp_path: Path) -> None:
    glossary = Glossary([AICHR, UN])
    for name in ("g.csv", "g.tsv", "g.TBX"):
        save_glossary(glossary, tmp_path / name)
        assert load_glossary(tmp_path / name).entries == glossary.entries
    assert "\t" in (tmp_path / "g.tsv").read_text(encoding="utf-8").split("\n")[0]
    with pytest.raises(InputError, match=r"g\.xlsx: unknown glossary format 'xlsx'"):
        save_glossary(glossary, tmp_path / "g.xlsx")


def test_convert_both_ways_through_the_cli(tmp_path: Path) -> None:
    original = tmp_path / "g.csv"
    original.write_text(table.dumps(Glossary([AICHR, UN])), encoding="utf-8")
    steps = ["g.tbx", "g.tsv", "again.tbx", "again.csv"]
    previous = original
    for name in steps:
        assert main(["glossary", "convert", str(previous), str(tmp_path / name)]) == 0
        previous = tmp_path / name
    assert (tmp_path / "again.csv").read_text(encoding="utf-8") == original.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_convert_reports_malformed_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "g.csv"
    path.write_text("vi,en\nLiên hợp quốc,United Nations\na,b,c\n", encoding="utf-8")
    assert main(["glossary", "convert", str(path), str(tmp_path / "g.tbx")]) == 2
    assert capsys.readouterr().err == f"songngu: {path}:3: 3 cells but the header has 2 columns\n"
    assert not (tmp_path / "g.tbx").exists()


def test_convert_unknown_output_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "g.csv"
    path.write_text("vi,en\nLiên hợp quốc,United Nations\n", encoding="utf-8")
    assert main(["glossary", "convert", str(path), str(tmp_path / "g.docx")]) == 2
    assert "unknown glossary format 'docx'" in capsys.readouterr().err
