"""Test documents built in code: one short news item as an HTML page, a Word document (python-docx),
a Markdown article and an OpenDocument text (odfdo), each with inline markup, links, a table, an
image or a header, glossary terms (one spanning a bold run), and parts that must not be translated.

``ENGLISH`` gives a hand translation of every sentence, so the format tests can translate without a
model (:func:`translate_by_hand`); the command-line tests use the tiny random model instead.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path

import docx
import odfdo
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from songngu.translate.records import Segment, SegmentResult, TermOutcome

LINK = "https://asean.org/aichr?lang=vi&page=2#muc-1"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# A 1×1 PNG, for the documents that hold an image.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

ENGLISH = {
    "Cuộc họp AICHR lần thứ 31": "The 31st AICHR meeting",
    "Khai mạc cuộc họp của Uỷ ban liên Chính phủ ASEAN về Nhân quyền": (
        "Opening of the meeting of the ASEAN Intergovernmental Commission on Human Rights"
    ),
    "Cuộc họp lần thứ 31 diễn ra từ ngày 9-10/6 theo hình thức trực tuyến.": (
        "The 31st meeting takes place on 9-10 June in an online format."
    ),
    "Đại diện Ban Thư ký ASEAN và Nguyễn Thái Yên Hương tham dự.": (
        "Representatives of the ASEAN Secretariat and Nguyen Thai Yen Huong attend."
    ),
    "Bộ Ngoại giao chủ trì.": "The Ministry of Foreign Affairs chairs.",
    "Hà Nội, năm 2020.": "Hanoi, 2020.",
    "Chương trình Phát triển Liên hợp quốc hỗ trợ.": "The United Nations Development Programme supports.",
    "Liên minh châu Âu": "European Union",
    "Tổ chức Di cư Quốc tế": "International Organization for Migration",
    "Toàn cảnh cuộc họp": "The meeting room",
    "Trang của AICHR": "The AICHR website",
    "Đầu trang": "Page header",
    "Chạy lệnh make test để kiểm tra.": "Run the make test command to check.",
    "Theo Bộ Ngoại giao.": "According to the Ministry of Foreign Affairs.",
}
NOT_TRANSLATED = "Không dịch đoạn này."  # marked translate="no" (HTML) or kept in code


def html_page() -> bytes:
    """A news item as a web page."""
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <title>Cuộc họp AICHR lần thứ 31</title>
  <link rel="stylesheet" href="/static/site.css?v=3">
  <style>p {{ color: #333; }} /* Không dịch */</style>
  <script>var nhan = "Không dịch";</script>
</head>
<body class="bai-viet" data-id="8d105ddd">
  <h1 id="tieu-de">Khai mạc cuộc họp của <b>Uỷ ban liên Chính phủ ASEAN</b> về Nhân quyền</h1>
  <p class="dau">Cuộc họp lần thứ 31 diễn ra từ ngày 9-10/6 theo hình thức <i>trực tuyến</i>.
     Đại diện <a href="{LINK.replace("&", "&amp;")}" title="Trang của AICHR"
     target="_blank">Ban Thư ký ASEAN</a>
     và <span class="ten" lang="vi">Nguyễn Thái Yên Hương</span> tham dự.</p>
  <p>Bộ <strong>Ngoại giao</strong> chủ trì.<br>Hà Nội, năm 2020.
     <img src="/anh/hop.jpg?w=640&amp;h=480" alt="Toàn cảnh cuộc họp" width="640"></p>
  <ul><li>Chương trình <em>Phát triển</em> Liên hợp quốc hỗ trợ.</li></ul>
  <table><tr><td>Liên minh châu Âu</td><td data-col="2">Tổ chức Di cư Quốc tế</td></tr></table>
  <p>Chạy lệnh <code>make test</code> để kiểm tra.</p>
  <p translate="no">{NOT_TRANSLATED}</p>
  <div data-translate-ignore>{NOT_TRANSLATED}</div>
  <pre>mã nguồn: không dịch</pre>
</body>
</html>
""".encode()


def markdown_article() -> bytes:
    """The news item in Markdown."""
    return f"""# Khai mạc cuộc họp của **Uỷ ban liên Chính phủ ASEAN** về Nhân quyền

Cuộc họp lần thứ 31 diễn ra từ ngày 9-10/6 theo hình thức *trực tuyến*.
Đại diện [Ban Thư ký ASEAN]({LINK} "Trang của AICHR") và Nguyễn Thái Yên Hương tham dự.

Bộ **Ngoại giao** chủ trì.\\
Hà Nội, năm 2020. ![Toàn cảnh cuộc họp](/anh/hop.jpg?w=640&h=480)

- Chương trình _Phát triển_ Liên hợp quốc hỗ trợ.

| Liên minh châu Âu | Tổ chức Di cư Quốc tế |
|---|---|
| Liên minh châu Âu | Tổ chức Di cư Quốc tế |

Chạy lệnh `make test` để kiểm tra.

```
{NOT_TRANSLATED}
```
""".encode()


def docx_document(path: Path) -> Path:
    """The news item as a Word document: bold and italic runs, a hyperlink, a table, a header,
    an image with alternative text, and a title."""
    document = docx.Document()
    document.core_properties.title = "Cuộc họp AICHR lần thứ 31"
    heading = document.add_heading("Khai mạc cuộc họp của ", level=1)
    heading.add_run("Uỷ ban liên Chính phủ ASEAN").bold = True
    heading.add_run(" về Nhân quyền")
    paragraph = document.add_paragraph("Cuộc họp lần thứ 31 diễn ra từ ngày 9-10/6 theo hình thức ")
    paragraph.add_run("trực tuyến").italic = True
    paragraph.add_run(". Đại diện ")
    add_hyperlink(paragraph, LINK, "Ban Thư ký ASEAN")
    paragraph.add_run(" và Nguyễn Thái Yên Hương tham dự.")
    paragraph = document.add_paragraph("Bộ ")
    paragraph.add_run("Ngoại giao").bold = True
    paragraph.add_run(" chủ trì.")
    run = paragraph.add_run()
    run.add_break()
    paragraph.add_run("Hà Nội, năm 2020. ")
    paragraph.add_run().add_picture(io.BytesIO(PNG))
    for shape in document.inline_shapes:
        shape._inline.docPr.set("descr", "Toàn cảnh cuộc họp")
    document.add_paragraph("Chương trình Phát triển Liên hợp quốc hỗ trợ.", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Liên minh châu Âu"
    table.cell(0, 1).text = "Tổ chức Di cư Quốc tế"
    document.sections[0].header.paragraphs[0].text = "Đầu trang"
    add_footnote(document, document.paragraphs[2], "Theo Bộ Ngoại giao.")
    document.save(path)
    return path


FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{W}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>
</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>
</w:p></w:footnote><w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr><w:r><w:rPr>
<w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r><w:r>
<w:t xml:space="preserve"> {{text}}</w:t></w:r></w:p></w:footnote></w:footnotes>"""


def add_footnote(
    document: docx.document.Document, paragraph: docx.text.paragraph.Paragraph, text: str
) -> None:
    """Footnote 1 with ``text``, referred to at the end of ``paragraph`` (python-docx writes none)."""
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        FOOTNOTES.replace("{text}", text).encode(),
        document.part.package,
    )
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    run = paragraph.add_run()
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), "1")
    run._r.append(reference)


def add_hyperlink(paragraph: docx.text.paragraph.Paragraph, url: str, text: str) -> None:
    """A ``w:hyperlink`` to ``url`` (python-docx reads hyperlinks but does not write them)."""
    relationship = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    run.append(properties)
    element = OxmlElement("w:t")
    element.text = text
    run.append(element)
    link.append(run)
    paragraph._p.append(link)


def odt_document(path: Path) -> Path:
    """The news item as an OpenDocument text: a heading, spans, a link, a list, a table, a title."""
    document = odfdo.Document("text")
    document.body.clear()
    document.meta.title = "Cuộc họp AICHR lần thứ 31"
    heading = odfdo.Header(1, "Khai mạc cuộc họp của ")
    heading.append(odfdo.Span("Uỷ ban liên Chính phủ ASEAN", style="Strong_20_Emphasis"))
    heading.append(" về Nhân quyền")
    document.body.append(heading)
    paragraph = odfdo.Paragraph("Cuộc họp lần thứ 31 diễn ra từ ngày 9-10/6 theo hình thức ")
    paragraph.append(odfdo.Span("trực tuyến", style="Emphasis"))
    paragraph.append(". Đại diện ")
    paragraph.append(odfdo.Link(LINK, text="Ban Thư ký ASEAN", title="Trang của AICHR"))
    paragraph.append(" và Nguyễn Thái Yên Hương tham dự.")
    document.body.append(paragraph)
    paragraph = odfdo.Paragraph("Bộ ")
    paragraph.append(odfdo.Span("Ngoại giao", style="Strong_20_Emphasis"))
    paragraph.append(" chủ trì.")
    paragraph.append(odfdo.LineBreak())
    paragraph.append("Hà Nội, năm 2020.")
    document.body.append(paragraph)
    document.body.append(odfdo.List(["Chương trình Phát triển Liên hợp quốc hỗ trợ."]))
    table = odfdo.Table("Bang", width=2, height=1)
    table.set_value((0, 0), "Liên minh châu Âu")
    table.set_value((1, 0), "Tổ chức Di cư Quốc tế")
    document.body.append(table)
    paragraph = odfdo.Paragraph("Liên minh châu Âu")
    paragraph.append(odfdo.Note(note_id="ftn1", citation="1", body="Theo Bộ Ngoại giao."))
    document.body.append(paragraph)
    document.get_part("styles.xml").get_master_page(0).set_page_header("Đầu trang")
    document.save(path)
    return path


def translate_by_hand(
    segments: Sequence[Segment], terms: dict[str, list[TermOutcome]] | None = None
) -> list[SegmentResult]:
    """Records for ``segments`` with :data:`ENGLISH` as the translations (a sentence it lacks is kept
    as it is, as untranslated text would be)."""
    return [
        SegmentResult(
            id=segment.id,
            source=segment.source,
            target=ENGLISH.get(segment.source, segment.source),
            paragraph=segment.paragraph,
            terms=list((terms or {}).get(segment.source, [])),
        )
        for segment in segments
    ]
