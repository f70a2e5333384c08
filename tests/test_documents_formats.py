"""The four document formats without a model: what is read as blocks, the round trip through the
source's own text, and a hand translation written back (opened again in the same library; every
inline element once; every attribute but the translatable ones as it was; the glossary's terms)."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import docx
import lxml.html
import odfdo
import pytest
from documents_factory import (
    ENGLISH,
    LINK,
    NOT_TRANSLATED,
    docx_document,
    html_page,
    markdown_article,
    odt_document,
    translate_by_hand,
)
from docx.oxml.ns import qn
from markdown_it import MarkdownIt

from songngu.glossary.formats import load_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.translate.documents import parse_document
from songngu.translate.documents.fragment import HtmlFragment, translate_html_fragment
from songngu.translate.documents.model import Document, identity
from songngu.translate.documents.rebuild import EnglishDocument, english_document
from songngu.translate.documents.segments import document_segments
from songngu.translate.documents.wordalign import TermSpan
from songngu.translate.phrase import contains_phrase
from songngu.translate.records import SegmentResult

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
MATCHER = GlossaryMatcher(load_glossary(SEEDS / "glossary.csv"))
TERMS = [
    "ASEAN Intergovernmental Commission on Human Rights",
    "ASEAN Secretariat",
    "Ministry of Foreign Affairs",
    "United Nations Development Programme",
    "European Union",
    "International Organization for Migration",
]


def glossary_terms(result: SegmentResult) -> list[TermSpan]:
    return [TermSpan(m.start, m.end, m.targets) for m in MATCHER.find(result.source)]


def build(kind: str, tmp_path: Path) -> tuple[bytes, str]:
    if kind == "html":
        return html_page(), "bai.html"
    if kind == "md":
        return markdown_article(), "bai.md"
    if kind == "docx":
        return docx_document(tmp_path / "bai.docx").read_bytes(), "bai.docx"
    return odt_document(tmp_path / "bai.odt").read_bytes(), "bai.odt"


def read(data: bytes, name: str) -> Document:
    return parse_document(data, name, Path(name).suffix)


def in_english(data: bytes, name: str) -> tuple[Document, EnglishDocument]:
    document = read(data, name)
    results = translate_by_hand(document_segments(document, "bai"))
    return document, english_document(document, "bai", results, glossary_terms)


FORMATS = ["html", "md", "docx", "odt"]


@pytest.mark.parametrize("kind", FORMATS)
def test_every_sentence_is_read_and_the_glossary_finds_terms_across_markup(kind: str, tmp_path: Path) -> None:
    document = read(*build(kind, tmp_path))
    sources = [segment.source for segment in document_segments(document, "bai")]
    assert set(sources) <= set(ENGLISH), set(sources) - set(ENGLISH)
    assert NOT_TRANSLATED not in " ".join(sources)
    # The heading's term runs into and out of a bold run; matched on the block's plain text.
    heading = next(block for block in document.blocks if block.kind == "heading")
    (match,) = MATCHER.find(heading.text)
    (bold,) = heading.codes
    assert match.start <= bold.start < bold.end < match.end


@pytest.mark.parametrize("kind", FORMATS)
def test_a_document_written_back_untranslated_reads_as_the_same_blocks(kind: str, tmp_path: Path) -> None:
    data, name = build(kind, tmp_path)
    document = read(data, name)
    again = read(document.render([identity(block) for block in document.blocks]), name)
    assert [
        (b.text, b.kind, [(c.label, c.start, c.end, c.parent) for c in b.codes]) for b in again.blocks
    ] == [(b.text, b.kind, [(c.label, c.start, c.end, c.parent) for c in b.codes]) for b in document.blocks]


@pytest.mark.parametrize("kind", FORMATS)
def test_the_english_document_keeps_every_inline_element_once_and_every_term(
    kind: str, tmp_path: Path
) -> None:
    data, name = build(kind, tmp_path)
    document, english = in_english(data, name)
    again = read(english.data, name)
    assert len(again.blocks) == len(document.blocks)
    for before, after in zip(document.blocks, again.blocks, strict=True):
        assert Counter(c.label for c in after.codes) == Counter(c.label for c in before.codes), after.text
    text = " ".join(block.text for block in again.blocks)
    for term in TERMS:
        assert contains_phrase(text, term), term
    assert "Cuộc họp" not in text  # every sentence is in English


def test_html_keeps_every_attribute_but_the_translatable_ones_and_what_is_not_translated(
    tmp_path: Path,
) -> None:
    data = html_page()
    _, english = in_english(data, "bai.html")
    source, target = lxml.html.document_fromstring(data), lxml.html.document_fromstring(english.data)

    def attributes(root: lxml.html.HtmlElement) -> Counter[tuple[str, tuple[tuple[str, str], ...]]]:
        kept = {"alt", "title", "lang"}  # translated, or the language (now en)
        return Counter(
            (str(e.tag), tuple(sorted((k, v) for k, v in e.attrib.items() if k not in kept)))
            for e in root.iter()
            if isinstance(e.tag, str)
        )

    assert attributes(target) == attributes(source)
    assert [a.get("href") for a in target.iter("a")] == [LINK]
    assert target.get("lang") == "en" and target.find(".//span").get("lang") == "vi"
    assert target.find(".//img").get("alt") == "The meeting room"
    assert target.find(".//a").get("title") == "The AICHR website"
    assert target.findtext(".//title") == "The 31st AICHR meeting"
    for path in (".//script", ".//style", ".//pre", ".//p[@translate]", ".//div[@data-translate-ignore]"):
        assert target.find(path).text_content() == source.find(path).text_content(), path
    assert target.find(".//code").text == "make test"
    assert "make test" in target.find(".//code").getparent().text_content()
    assert english.data.startswith(b"<!DOCTYPE html>\n<html")


def test_docx_opens_in_python_docx_with_its_runs_link_table_header_and_title(tmp_path: Path) -> None:
    _, english = in_english(docx_document(tmp_path / "bai.docx").read_bytes(), "bai.docx")
    (tmp_path / "en.docx").write_bytes(english.data)
    document = docx.Document(tmp_path / "en.docx")
    body = document.paragraphs
    assert body[0].text.startswith("Opening of the meeting of the ASEAN Intergovernmental")
    assert body[0].style.name == "Heading 1"
    assert [link.address for link in body[1].hyperlinks] == [LINK]
    assert [link.text for link in body[1].hyperlinks] == ["ASEAN Secretariat"]
    assert [run.text for run in body[1].runs if run.italic] == ["online"] or any(
        r.italic for r in body[1].runs
    )
    assert sum(1 for run in body[2].runs if run.bold) == 1
    assert "Ministry of Foreign Affairs" in body[2].text
    assert len(document.inline_shapes) == 1
    assert document.inline_shapes[0]._inline.docPr.get("descr") == "The meeting room"
    assert [cell.text for cell in document.tables[0].rows[0].cells] == [
        "European Union",
        "International Organization for Migration",
    ]
    assert document.sections[0].header.paragraphs[0].text == "Page header"
    assert document.core_properties.title == "The 31st AICHR meeting"
    with zipfile.ZipFile(tmp_path / "en.docx") as archive:
        footnotes = archive.read("word/footnotes.xml").decode()
    assert "According to the Ministry of Foreign Affairs." in footnotes and "<w:footnoteRef/>" in footnotes
    assert len(body[2]._p.findall(".//" + qn("w:footnoteReference"))) == 1


def test_odt_opens_in_odfdo_with_its_spans_link_and_title(tmp_path: Path) -> None:
    data = odt_document(tmp_path / "bai.odt").read_bytes()
    _, english = in_english(data, "bai.odt")
    source = odfdo.Document(tmp_path / "bai.odt")
    (tmp_path / "en.odt").write_bytes(english.data)
    target = odfdo.Document(tmp_path / "en.odt")
    assert target.meta.title == "The 31st AICHR meeting"
    assert [link.get_attribute("xlink:href") for link in target.body.get_links()] == [LINK]
    assert [link.get_attribute("office:title") for link in target.body.get_links()] == ["The AICHR website"]
    styles = Counter(span.style for span in target.body.get_spans())
    assert styles == Counter(span.style for span in source.body.get_spans())
    (note,) = target.body.get_notes()
    assert str(note.note_body).strip() == "According to the Ministry of Foreign Affairs."
    header = target.get_part("styles.xml").get_master_page(0).get_page_header()
    assert header.text_recursive.strip() == "Page header"
    headings = [str(h).strip() for h in target.body.get_headers()]
    assert headings == [ENGLISH["Khai mạc cuộc họp của Uỷ ban liên Chính phủ ASEAN về Nhân quyền"]]
    assert target.get_part("content.xml").root.get_attribute("office:version") == (
        source.get_part("content.xml").root.get_attribute("office:version")
    )


def test_markdown_keeps_its_lines_links_and_code_as_written(tmp_path: Path) -> None:
    data = markdown_article()
    _, english = in_english(data, "bai.md")
    text = english.data.decode()
    assert f'[ASEAN Secretariat]({LINK} "The AICHR website")' in text
    assert "![The meeting room](/anh/hop.jpg?w=640&h=480)" in text
    assert "`make test`" in text and NOT_TRANSLATED in text
    assert text.startswith(
        "# Opening of the meeting of the **ASEAN Intergovernmental Commission on Human Rights**"
    )
    assert "| European Union | International Organization for Migration |" in text
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    links = [c.attrs["href"] for t in tokens for c in t.children or [] if c.type == "link_open"]
    assert links == [LINK]
    assert (
        len(text.splitlines()) == len(data.decode().splitlines()) - 1
    )  # the two lines of paragraph 1 are one


def test_an_html_fragment_is_translated_with_its_markup_for_an_api(tmp_path: Path) -> None:
    fragment = 'Bộ <b>Ngoại giao</b> chủ trì. <a href="/x?a=1&amp;b=2">Hà Nội</a>, năm 2020.'
    calls: list[list[str]] = []

    def translate(segments: list) -> list[SegmentResult]:  # type: ignore[type-arg]
        calls.append([s.source for s in segments])
        english = {
            "Bộ Ngoại giao chủ trì.": "The Ministry of Foreign Affairs chairs.",
            "Hà Nội, năm 2020.": "Hanoi, 2020.",
        }
        return [SegmentResult(s.id, s.source, english[s.source], s.paragraph) for s in segments]

    html = translate_html_fragment(fragment, translate, terms=glossary_terms)
    assert calls == [["Bộ Ngoại giao chủ trì.", "Hà Nội, năm 2020."]]
    assert html == 'The <b>Ministry of Foreign Affairs</b> chairs. <a href="/x?a=1&amp;b=2">Hanoi</a>, 2020.'
    pending = HtmlFragment("<p>Liên minh châu Âu</p>")
    assert [s.source for s in pending.segments] == ["Liên minh châu Âu"]
    results = [SegmentResult(s.id, s.source, "European Union", s.paragraph) for s in pending.segments]
    assert pending.render(results) == "<p>European Union</p>"
