"""One policy for control characters in every output format (translate/formats/characters.py).

Each format is written with its writer and read back with its reader: what comes back is the
policy's image of the text (JSONL: the text itself), and line-aligned files stay aligned for a reader
that splits at ``\\n`` and for one that uses ``str.splitlines``. Real tools check the files too:
``msgfmt --check`` on PO, an XML parser and Translate Toolkit's reader on TMX.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from msgfmt import msgfmt_check
from translate.storage import tmx as toolkit_tmx

from songngu import __version__
from songngu.translate.formats.characters import POLICY_CHARACTERS, REPLACEMENT, portable_text
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.formats.moses import MosesSourceFormat, MosesTargetFormat
from songngu.translate.formats.po import PoFormat, catalog_text
from songngu.translate.formats.tmx import TmxFormat
from songngu.translate.formats.tsv import TsvFormat
from songngu.translate.records import ArticleTranslation, RunInfo, SegmentResult

RUN = RunInfo(__version__, "tiny", "sha256:0", None, None, 4, 64, 8, "cpu")

LINE_BREAKS = ["\r\n", "\r", "\v", "\f", "\x85", "\u2028", "\u2029"]
CONTROLS = ["\x00", "\x01", "\x08", "\x0e", "\x1b", "\x1c", "\x1d", "\x1e", "\x1f", "\x7f", "\x80", "\x9f"]
BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069", "\u061c"]
NONCHARACTERS = ["\ufffe", "\uffff"]

# Any UTF-8 text, with every character the policy names, tab, line feed, backslashes, XML and PO
# specials and Vietnamese made frequent.
_PIECES = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(LINE_BREAKS + CONTROLS + BIDI + NONCHARACTERS + ["\t", "\n"]),
    st.sampled_from(["\\", "\\n", '"', "<", "&", "]]>", "Bộ Ngoại giao", "ho\u0300a", " ", "#~", "msgid"]),
)
texts = st.lists(_PIECES, max_size=12).map("".join)
pairs = st.lists(st.tuples(texts, texts), min_size=1, max_size=5)


def article(units: list[tuple[str, str]]) -> ArticleTranslation:
    results = [
        SegmentResult(id=f"bai:1:{i}", source=vi, target=en, paragraph=1)
        for i, (vi, en) in enumerate(units, start=1)
    ]
    return ArticleTranslation("bai", "bai.txt", RUN, results)


# --- the policy itself -------------------------------------------------------------------------------


@pytest.mark.parametrize("char", LINE_BREAKS)
def test_every_line_break_becomes_a_line_feed(char: str) -> None:
    assert portable_text(f"a{char}b") == "a\nb"


@pytest.mark.parametrize("char", CONTROLS + NONCHARACTERS)
def test_other_controls_become_the_replacement_character(char: str) -> None:
    assert portable_text(f"a{char}b") == f"a{REPLACEMENT}b"


@pytest.mark.parametrize("char", BIDI)
def test_bidi_controls_are_removed(char: str) -> None:
    assert portable_text(f"a{char}b") == "ab"


def test_tab_line_feed_and_text_are_kept() -> None:
    text = "Bộ Ngoại giao\tra\nthông báo « ok » — \u00a0€ 😀 \u200b"
    assert portable_text(text) == text


@given(texts)
def test_the_policy_leaves_only_line_feeds_to_split_at_and_is_idempotent(text: str) -> None:
    clean = portable_text(text)
    assert POLICY_CHARACTERS.search(clean) is None
    assert portable_text(clean) == clean
    assert len((clean + "x").splitlines()) == clean.count("\n") + 1  # splitlines breaks at \n alone


# --- each format: write, read back, the policy's image ----------------------------------------------


@given(pairs)
def test_tsv_round_trip_is_the_policy_image_and_stays_line_aligned(units: list[tuple[str, str]]) -> None:
    rendered = TsvFormat().render(article(units))
    assert len(rendered.splitlines()) == rendered.count("\n") == len(units) + 1
    back = TsvFormat().parse(rendered, "bai.tsv").results
    assert [(r.source, r.target) for r in back] == [
        (portable_text(vi), portable_text(en)) for vi, en in units
    ]


@given(pairs)
def test_moses_round_trip_is_the_policy_image_on_one_line(units: list[tuple[str, str]]) -> None:
    for fmt, side in ((MosesSourceFormat(), 0), (MosesTargetFormat(), 1)):
        rendered = fmt.render(article(units))
        assert len(rendered.splitlines()) == rendered.count("\n") == len(units)
        back = fmt.parse(rendered, "bai" + fmt.suffix).results
        texts_back = [r.source if side == 0 else r.target for r in back]
        assert texts_back == [portable_text(unit[side]).replace("\n", " ") for unit in units]


@given(pairs)
def test_tmx_round_trip_is_the_policy_image_and_well_formed(units: list[tuple[str, str]]) -> None:
    rendered = TmxFormat().render(article(units))
    SafeET.fromstring(rendered.encode("utf-8"))  # well-formed XML 1.0
    back = TmxFormat().parse(rendered, "bai.tmx").results
    expected = [(portable_text(vi), portable_text(en)) for vi, en in units]
    assert [(r.source, r.target) for r in back] == expected
    # An independent reader: Translate Toolkit's TMX store.
    store = toolkit_tmx.tmxfile.parsestring(rendered.encode("utf-8"))
    assert [(u.source, u.target) for u in store.units] == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(pairs)
def test_po_round_trip_is_the_policy_image_and_passes_msgfmt(units: list[tuple[str, str]]) -> None:
    # A PO msgid may not be empty (that is the header); the pipeline never makes an empty sentence.
    assume(all(catalog_text(vi) for vi, _ in units))
    rendered = PoFormat().render(article(units))
    back = PoFormat().parse(rendered, "bai.po").results
    assert [(r.source, r.target) for r in back] == [(catalog_text(vi), catalog_text(en)) for vi, en in units]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bai.po"
        path.write_text(rendered, encoding="utf-8")
        msgfmt_check(path)


@given(pairs)
def test_jsonl_keeps_the_exact_text_with_every_record_on_one_line(units: list[tuple[str, str]]) -> None:
    rendered = JsonlFormat().render(article(units))
    assert len(rendered.splitlines()) == rendered.count("\n") == len(units) + 1
    assert POLICY_CHARACTERS.search(rendered) is None  # escaped as \uXXXX, never raw
    back = JsonlFormat().parse(rendered, "bai.jsonl").results
    assert [(r.source, r.target) for r in back] == units
