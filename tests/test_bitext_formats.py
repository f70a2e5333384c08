"""Aligned parallel texts (TSV, Moses, TMX, English text) and the output-format registry."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from hypothesis import given
from hypothesis import strategies as st

from songngu import __version__
from songngu.errors import InputError
from songngu.translate.formats import OUTPUT_FORMATS, format_for, read_article, write_outputs
from songngu.translate.formats.base import OutputFormat
from songngu.translate.formats.characters import portable_text
from songngu.translate.formats.moses import (
    MosesSourceFormat,
    MosesTargetFormat,
    line_breaks_to_spaces,
    loads_lines,
    read_moses,
)
from songngu.translate.formats.text import EnglishTextFormat
from songngu.translate.formats.tmx import TmxFormat, loads_tmx, read_tmx
from songngu.translate.formats.tsv import TsvFormat
from songngu.translate.records import ArticleTranslation, RunInfo, SegmentResult

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RUN = RunInfo(
    tool_version=__version__,
    model="tiny",
    model_revision="sha256:0",
    glossary=None,
    glossary_checksum=None,
    beam=4,
    max_length=64,
    batch_size=8,
    device="cpu",
)

# Any text a UTF-8 file can hold (no lone surrogates), with the characters formats must escape or
# keep apart made frequent: tabs, line breaks of every kind, backslashes (also before t/n/r),
# XML specials, control characters, Vietnamese in NFC and NFD.
_PIECES = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(
        ["\t", "\n", "\r", "\r\n", "\\", "\\t", "\\n", "\\\\", "\v", "\f", "\x85", "\u2028", "\x00", "\x1b"]
    ),
    st.sampled_from(["<", "&", ">", '"', "]]>", "&amp;", "Bộ Ngoại giao", "Đ", "ệ", "ho\u0300a", " "]),
)
texts = st.lists(_PIECES, max_size=15).map("".join)


def article(
    pairs: list[tuple[str, str]], paragraphs: list[int] | None = None, name: str = "bai"
) -> ArticleTranslation:
    """An article whose segment i has source/target pairs[i], in paragraph paragraphs[i] (default 1)."""
    paragraphs = paragraphs or [1] * len(pairs)
    results = [
        SegmentResult(id=f"{name}:{paragraph}:{i}", source=vi, target=en, paragraph=paragraph)
        for i, ((vi, en), paragraph) in enumerate(zip(pairs, paragraphs, strict=True), start=1)
    ]
    return ArticleTranslation(name=name, path=f"{name}.txt", run=RUN, results=results)


SAMPLE = article(
    [
        ("Bộ Ngoại giao ra thông báo.", "The Ministry of Foreign Affairs issued a notice."),
        ('Giá <đô la> & "euro" tăng\t5%.', 'Prices of <dollars> & "euros" rose\t5%.'),
        ("Đoạn hai.", "Paragraph two."),
    ],
    paragraphs=[1, 1, 2],
)


# --- TSV -------------------------------------------------------------------------------------------


@given(st.lists(st.tuples(texts, texts, texts), max_size=6))
def test_tsv_round_trips_any_text(rows: list[tuple[str, str, str]]) -> None:
    results = [SegmentResult(id=i, source=vi, target=en, paragraph=1) for i, vi, en in rows]
    rendered = TsvFormat().render(ArticleTranslation("bai", "bai.txt", RUN, results), None)
    # One line per row plus the header: nothing inside a field breaks a row, for any line splitter.
    assert rendered.count("\n") == len(rendered.splitlines()) == len(rows) + 1
    parsed = TsvFormat().parse(rendered, "bai.tsv").results
    assert [(r.id, r.source, r.target) for r in parsed] == [tuple(map(portable_text, row)) for row in rows]


def test_tsv_file_has_header_and_escapes(tmp_path: Path) -> None:
    [path] = write_outputs(article([("a\tb\\c", "x\ny\rz")]), tmp_path, [TsvFormat()])
    assert path == tmp_path / "bai.tsv"
    # A carriage return is a line break under the character policy: written as \n.
    assert path.read_text(encoding="utf-8") == "id\tvi\ten\nbai:1:1\ta\\tb\\\\c\tx\\ny\\nz\n"
    [unit] = TsvFormat().read(path).results
    assert (unit.id, unit.source, unit.target, unit.paragraph) == ("bai:1:1", "a\tb\\c", "x\ny\nz", 1)


def test_tsv_reader_accepts_crlf_line_ends() -> None:
    [unit] = TsvFormat().parse("id\tvi\ten\r\nx:1:1\tmột\tone\\r\r\n").results
    assert (unit.id, unit.source, unit.target) == ("x:1:1", "một", "one\r")  # \r: older files hold it


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("", "f.tsv:1:", "expected the header"),
        ("id\tsource\ttarget\n", "f.tsv:1:", "expected the header"),
        ("id\tvi\ten\nx\ty\tz\nx\ty\n", "f.tsv:3:", "expected 3 tab-separated fields"),
        ("id\tvi\ten\nx\tbad \\q escape\tz\n", "f.tsv:2:", "unknown escape '\\q'"),
        ("id\tvi\ten\nx\ty\tends in \\\n", "f.tsv:2:", "lone '\\'"),
    ],
)
def test_tsv_reader_errors_name_file_and_line(text: str, where: str, what: str) -> None:
    with pytest.raises(InputError) as caught:
        TsvFormat().parse(text, "f.tsv")
    message = str(caught.value)
    assert message.startswith(where) and what in message and "\n" not in message


# --- Moses -----------------------------------------------------------------------------------------


@given(st.lists(st.tuples(texts, texts), max_size=6))
def test_moses_files_stay_line_aligned(pairs: list[tuple[str, str]]) -> None:
    source = MosesSourceFormat().render(article(pairs), None)
    target = MosesTargetFormat().render(article(pairs), None)
    for rendered in (source, target):
        # Aligned for our reader, and for any reader splitting on Unicode line boundaries.
        assert len(loads_lines(rendered)) == len(pairs)
        assert len(rendered.splitlines()) == len(pairs)
    assert loads_lines(source) == [line_breaks_to_spaces(vi) for vi, _ in pairs]
    assert loads_lines(target) == [line_breaks_to_spaces(en) for _, en in pairs]


def test_moses_round_trip_through_files(tmp_path: Path) -> None:
    pairs = [("Một.", "One."), ("", "empty source"), ("Hai\ndòng.", "Two\r\nlines.")]
    paths = write_outputs(article(pairs), tmp_path, [MosesSourceFormat(), MosesTargetFormat()])
    assert [p.name for p in paths] == ["bai.vi", "bai.en"]
    assert read_moses(*paths) == [("Một.", "One."), ("", "empty source"), ("Hai dòng.", "Two lines.")]


def test_moses_reader_refuses_unequal_line_counts(tmp_path: Path) -> None:
    (tmp_path / "a.vi").write_text("một\nhai\nba\n", encoding="utf-8")
    (tmp_path / "a.en").write_text("one\ntwo\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"a\.en:3: missing line: .* has 3 lines, .* has 2"):
        read_moses(tmp_path / "a.vi", tmp_path / "a.en")


# --- English text ----------------------------------------------------------------------------------


def test_english_text_keeps_paragraphs() -> None:
    rendered = EnglishTextFormat().render(SAMPLE, None)
    assert rendered == (
        'The Ministry of Foreign Affairs issued a notice. Prices of <dollars> & "euros" rose\t5%.\n'
        "\n"
        "Paragraph two.\n"
    )
    assert EnglishTextFormat.suffix == ".en.txt"


def test_english_text_line_break_inside_a_sentence_cannot_split_a_paragraph() -> None:
    rendered = EnglishTextFormat().render(article([("a", "One\n\ntwo."), ("b", "Three.")]), None)
    assert rendered == "One  two. Three.\n"


# --- TMX -------------------------------------------------------------------------------------------


def test_tmx_is_tmx_14_with_one_unit_per_segment() -> None:
    root = SafeET.fromstring(TmxFormat().render(SAMPLE, None).encode("utf-8"))
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert header is not None
    assert dict(header.attrib) == {
        "creationtool": "songngu",
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": "songngu",
        "adminlang": "en",
        "srclang": "vi",
        "datatype": "plaintext",
    }
    units = root.findall("body/tu")
    assert [tu.get("tuid") for tu in units] == [r.id for r in SAMPLE.results]
    for tu, result in zip(units, SAMPLE.results, strict=True):
        tuvs = tu.findall("tuv")
        assert [tuv.get(XML_LANG) for tuv in tuvs] == ["vi", "en"]
        assert [tuv.findtext("seg") for tuv in tuvs] == [result.source, result.target]


def test_tmx_escapes_xml_special_characters() -> None:
    rendered = TmxFormat().render(article([('a < b & "c" ]]> d', "x")]), None)
    assert '<seg>a &lt; b &amp; "c" ]]&gt; d</seg>' in rendered


@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=5))
def test_tmx_is_well_formed_whatever_the_text(pairs: list[tuple[str, str]]) -> None:
    units = loads_tmx(TmxFormat().render(article(pairs), None), "bai.tmx")
    # XML 1.0 cannot carry most control characters at all; the character policy replaces them.
    assert [(u.source, u.target) for u in units] == [
        (portable_text(vi), portable_text(en)) for vi, en in pairs
    ]


def test_tmx_file_reads_back(tmp_path: Path) -> None:
    [path] = write_outputs(SAMPLE, tmp_path, [TmxFormat()])
    assert [(u.tuid, u.source, u.target) for u in read_tmx(path)] == [
        (r.id, r.source, r.target) for r in SAMPLE.results
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<tmx version="1.4">\n<body>\n<tu><tuv>\n</tu>', r"^f\.tmx:4: not well-formed XML"),
        ('<!DOCTYPE tmx [\n<!ENTITY boom "x">\n]>\n<tmx/>', r"^f\.tmx:2: refused"),
        ("<xliff/>", r"^f\.tmx:1: not a TMX document"),
        (
            '<tmx version="1.4"><body>\n<tu tuid="a"><tuv xml:lang="vi"><seg>x</seg></tuv></tu>\n'
            "</body></tmx>",
            r'^f\.tmx:2: <tu> has no <tuv xml:lang="en">',
        ),
    ],
)
def test_tmx_reader_refuses_bad_documents(text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        loads_tmx(text, "f.tmx")


def test_tmx_reader_accepts_region_subtags_and_tmx_11_lang() -> None:
    text = (
        '<tmx version="1.4"><header/><body><tu tuid="t">'
        '<tuv lang="VI-VN"><seg>một</seg></tuv><tuv xml:lang="en-GB"><seg>one</seg></tuv>'
        "</tu></body></tmx>"
    )
    [unit] = loads_tmx(text)
    assert (unit.tuid, unit.source, unit.target) == ("t", "một", "one")


# --- registry and write_outputs --------------------------------------------------------------------


def test_registry_has_every_format() -> None:
    suffixes = [fmt.suffix for fmt in OUTPUT_FORMATS]
    assert suffixes == [".jsonl", ".en.txt", ".tsv", ".vi", ".en", ".tmx", ".po", ".xlf"]


def test_write_outputs_writes_every_format(tmp_path: Path) -> None:
    paths = write_outputs(SAMPLE, tmp_path / "out")
    assert [p.name for p in paths] == ["bai" + fmt.suffix for fmt in OUTPUT_FORMATS]
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)


class _Recording(OutputFormat):
    suffix = ".rec"

    def __init__(self) -> None:
        self.seen: list[str | None] = []

    def render(self, article: ArticleTranslation, existing: str | None, *, name: str = "") -> str:
        self.seen.append(existing)
        return f"{len(self.seen)}\n"

    def parse(self, text: str, name: str = "") -> ArticleTranslation:
        return ArticleTranslation("bai", name, None, [])


class _Failing(OutputFormat):
    suffix = ".fail"

    def render(self, article: ArticleTranslation, existing: str | None, *, name: str = "") -> str:
        raise InputError("bai.fail:1: cannot render")

    def parse(self, text: str, name: str = "") -> ArticleTranslation:
        raise InputError(f"{name}:1: cannot parse")


def test_write_outputs_gives_each_format_its_existing_text(tmp_path: Path) -> None:
    recording = _Recording()
    write_outputs(SAMPLE, tmp_path, [recording])
    write_outputs(SAMPLE, tmp_path, [recording])
    assert recording.seen == [None, "1\n"]


def test_a_failing_format_leaves_every_previous_file_intact(tmp_path: Path) -> None:
    (tmp_path / "bai.tsv").write_text("old tsv\n", encoding="utf-8")
    (tmp_path / "bai.vi").write_text("old vi\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot render"):
        write_outputs(SAMPLE, tmp_path, [TsvFormat(), _Failing(), MosesSourceFormat(), TmxFormat()])
    assert (tmp_path / "bai.tsv").read_text(encoding="utf-8") == "old tsv\n"
    assert (tmp_path / "bai.vi").read_text(encoding="utf-8") == "old vi\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bai.tsv", "bai.vi"]  # no .tmx, no temp files


# --- every format reads back what it writes ---------------------------------------------------------


def test_every_format_reads_back_its_own_file(tmp_path: Path) -> None:
    paths = write_outputs(SAMPLE, tmp_path)
    for path in paths:
        fmt = format_for(path)
        assert path.name == "bai" + fmt.suffix
        back = read_article(path)
        assert back.name == "bai" and back.path == str(path), fmt.suffix
        units = [(r.source, r.target) for r in back.results]
        if fmt.suffix == ".en.txt":  # paragraphs, not sentences
            assert [(r.paragraph, r.target) for r in back.results] == [
                (1, SAMPLE.results[0].target + " " + SAMPLE.results[1].target),
                (2, SAMPLE.results[2].target),
            ]
        elif fmt.suffix == ".vi":
            assert units == [(r.source, "") for r in SAMPLE.results]
        elif fmt.suffix == ".en":
            assert units == [("", r.target) for r in SAMPLE.results]
        else:
            assert [(r.id, r.paragraph) for r in back.results] == [
                (r.id, r.paragraph) for r in SAMPLE.results
            ]
            assert units == [(r.source, r.target) for r in SAMPLE.results], fmt.suffix
    assert read_article(tmp_path / "bai.jsonl").run == RUN
    assert read_article(tmp_path / "bai.tsv").run is None


def test_format_for_takes_the_longest_suffix_and_refuses_others() -> None:
    assert isinstance(format_for("out/bai.en.txt"), EnglishTextFormat)
    assert isinstance(format_for("out/bai.en"), MosesTargetFormat)
    assert isinstance(format_for("bai.tmx"), TmxFormat)
    with pytest.raises(InputError, match=r"^bai\.docx: not a songngu output file"):
        format_for("bai.docx")
