"""A document's review catalogs carry its inline codes, and the English document is built from them.

No model here: the translations are the hand translations of documents_factory, placed by the
aligner. Checked: the markup text of a sentence (the same codes in source and target), PO with the
tags in msgid and msgstr (msgfmt --check), XLIFF with <g>/<x/> (Translate Toolkit reads it, and
songngu reads the tags back), an element the aligner could not place noted and fuzzy, and
``songngu build``: a reviewer's moved tag respected, a dropped one put back and reported, a catalog
that lacks a sentence refused in one line with nothing written.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import polib
import pytest
from documents_factory import html_page, markdown_article, translate_by_hand
from hypothesis import given, settings
from hypothesis import strategies as st
from msgfmt import msgfmt_check
from songngu_process import run_songngu
from test_xliff import toolkit_read
from translate.storage import po as toolkit_po

from songngu.translate.documents import parse_document
from songngu.translate.documents.rebuild import english_document
from songngu.translate.documents.segments import document_segments
from songngu.translate.formats import read_units
from songngu.translate.formats.markup import (
    close_tag,
    has_codes,
    markup_of_xliff,
    open_tag,
    parse_markup,
    plain_text,
    point_tag,
    xliff_inline,
)
from songngu.translate.formats.po import PoFormat
from songngu.translate.formats.xliff import XliffFormat
from songngu.translate.formats.xmlfile import parse_xml
from songngu.translate.records import ArticleTranslation, Method, SegmentResult

PAGE = "trang"
TAG_ID = re.compile(r' id="([0-9]+)"')


def page_article(tmp_path: Path) -> tuple[Path, ArticleTranslation]:
    """The test page, written to ``tmp_path``, and its records as ``translate`` gives them: the hand
    translations, each with its markup and unplaced elements."""
    source = tmp_path / f"{PAGE}.html"
    source.write_bytes(html_page())
    document = parse_document(source.read_bytes(), str(source), ".html")
    results = translate_by_hand(document_segments(document, PAGE))
    english = english_document(document, PAGE, results)
    for result in results:
        result.unplaced = english.unplaced.get(result.id, ())
        markup = english.markup.get(result.id)
        if markup is not None:
            result.source_markup, result.target_markup = markup.source, markup.target
    return source, ArticleTranslation(PAGE, str(source), None, results)


def write_catalogs(tmp_path: Path, article: ArticleTranslation) -> tuple[Path, Path]:
    po, xlf = tmp_path / f"{PAGE}.po", tmp_path / f"{PAGE}.xlf"
    po.write_text(PoFormat().render(article), encoding="utf-8")
    xlf.write_text(XliffFormat().render(article, None), encoding="utf-8")
    return po, xlf


# ------------------------------------------------------------------------------- the markup text


def test_markup_reads_back_into_plain_text_and_spans() -> None:
    bold, italic = open_tag(1, "b"), open_tag(2, "i")
    markup = f"Bộ {bold}Ngoại {italic}giao{close_tag('i')}{close_tag('b')} họp.{point_tag(3, 'img')}"
    parsed = parse_markup(markup)
    assert parsed.text == "Bộ Ngoại giao họp." == plain_text(markup)
    assert [(s.id, s.start, s.end, s.point, s.parent) for s in parsed.spans] == [
        (1, 3, 13, False, 0),
        (2, 9, 13, False, 1),
        (3, 18, 18, True, 0),
    ]
    assert parsed.problems == ()


def test_a_less_than_sign_or_a_tag_without_an_id_is_text() -> None:
    for text in ("a < b và <b>đậm</b>", '</i> trước <i id="x">', "x</b>"):
        assert plain_text(text) == text and not has_codes(text) and parse_markup(text).problems == ()


@pytest.mark.parametrize(
    ("markup", "problem"),
    [
        ('<b id="1">không đóng', '<b id="1"> is never closed'),
        ('<b id="1">a</b> <b id="1">b</b>', '<b id="1"> appears twice'),
    ],
)
def test_broken_markup_is_reported(markup: str, problem: str) -> None:
    assert parse_markup(markup).problems == (problem,)


LABELS = st.sampled_from(["b", "i", "a", "span", "hyperlink", "bold"])
WORDS = st.text(st.sampled_from("aăbcđ <>&\"'xyz"), max_size=6)


@st.composite
def markups(draw: st.DrawFn, depth: int = 0, counter: list[int] | None = None) -> str:
    counter = counter if counter is not None else [0]
    parts = [draw(WORDS)]
    for _ in range(draw(st.integers(0, 3 if depth < 2 else 0))):
        counter[0] += 1
        code_id, label = counter[0], draw(LABELS)
        if draw(st.booleans()):
            parts.append(point_tag(code_id, label))
        else:
            inner = draw(markups(depth + 1, counter))
            parts.append(open_tag(code_id, label) + inner + close_tag(label))
        parts.append(draw(WORDS))
    return "".join(parts)


@settings(max_examples=80, deadline=None)
@given(markup=markups())
def test_any_markup_goes_through_xliff_and_back_unchanged(markup: str) -> None:
    # The text may itself hold "<" and "</b>": it stays text, escaped in XML.
    xml = f'<source xmlns="urn:oasis:names:tc:xliff:document:1.2">{xliff_inline(markup)}</source>'
    element, _ = parse_xml(xml, "t.xlf", "XLIFF")
    assert markup_of_xliff(element) == markup
    parsed = parse_markup(markup)
    assert parsed.problems == () and len(parsed.spans) == len(TAG_ID.findall(markup))


# ------------------------------------------------------------------------ catalogs of a document


def test_a_sentence_carries_the_same_codes_in_source_and_target(tmp_path: Path) -> None:
    _, article = page_article(tmp_path)
    with_codes = [r for r in article.results if r.source_markup]
    assert len(with_codes) >= 5  # bold, italic, link with a title, span, strong, br, img, em, code
    for result in with_codes:
        assert sorted(TAG_ID.findall(result.source_markup)) == sorted(TAG_ID.findall(result.target_markup))
        assert plain_text(result.source_markup) == result.source
        assert plain_text(result.target_markup) == result.target
        assert parse_markup(result.target_markup).problems == ()
    link = next(r for r in with_codes if "Ban Thư ký ASEAN" in r.source)
    assert re.search(r'<a id="[0-9]+">Ban Thư ký ASEAN</a>', link.source_markup)
    assert "href" not in link.source_markup  # attributes stay in the document, never in the catalog


def test_the_po_catalog_holds_the_markup_and_passes_msgfmt(tmp_path: Path) -> None:
    _, article = page_article(tmp_path)
    po, _ = write_catalogs(tmp_path, article)
    msgfmt_check(po)
    entries = {e.msgctxt: e for e in polib.pofile(str(po))}
    for result in article.results:
        entry = entries[result.id]
        assert entry.msgid == result.catalog_source and entry.msgstr == result.catalog_target
        assert f"machine translation: {result.catalog_target}" in entry.comment
    store = toolkit_po.pofile(po.read_bytes())
    assert [(u.getcontext(), u.source, u.target) for u in store.units if not u.isheader()] == [
        (r.id, r.catalog_source, r.catalog_target) for r in article.results
    ]
    units = {u.id: u for u in read_units(po)}
    marked = next(r for r in article.results if r.source_markup)
    assert units[marked.id].source == marked.source  # what the memory and the checks read
    assert units[marked.id].source_markup == marked.source_markup


def test_the_xliff_carries_g_and_x_and_translate_toolkit_reads_it(tmp_path: Path) -> None:
    _, article = page_article(tmp_path)
    _, xlf = write_catalogs(tmp_path, article)
    text = xlf.read_text(encoding="utf-8")
    assert '<g id="' in text and '<x id="' in text and "&lt;" not in text.split("<body>")[1].split("<note")[0]
    read = toolkit_read(xlf, tmp_path)
    assert [unit[0] for unit in read["units"]] == [r.id for r in article.results]  # type: ignore[index, union-attr]
    units = {u.id: u for u in read_units(xlf)}
    for result in article.results:
        assert units[result.id].source == result.source
        assert units[result.id].markup_source == result.catalog_source
        assert units[result.id].markup_target == result.catalog_target


def test_an_element_not_placed_is_noted_and_keeps_the_unit_fuzzy(tmp_path: Path) -> None:
    _, article = page_article(tmp_path)
    result = next(r for r in article.results if r.source_markup)
    result.unplaced = ("b",)
    result.method = Method.MEMORY  # a reviewer's translation from the memory is not fuzzy, but for this
    result.memory_kind = "reviewed"
    po, xlf = write_catalogs(tmp_path, article)
    entry = next(e for e in polib.pofile(str(po)) if e.msgctxt == result.id)
    assert "fuzzy" in entry.flags
    note = "inline elements not placed: b (put around the best span; check where they belong)"
    assert note in entry.comment
    unit = next(u for u in read_units(xlf) if u.id == result.id)
    assert not unit.confirmed
    assert '<note from="songngu">inline elements not placed: b' in xlf.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------- songngu build


def confirm(po: Path, edits: dict[str, str]) -> None:
    """A reviewer's work in Poedit: every entry confirmed, some translations rewritten."""
    catalog = polib.pofile(str(po), wrapwidth=0)
    for entry in catalog:
        if entry.msgctxt in edits:
            entry.msgstr = edits[entry.msgctxt]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save(str(po))


def test_build_writes_the_reviewed_document_with_a_moved_tag_where_the_reviewer_put_it(
    tmp_path: Path,
) -> None:
    source, article = page_article(tmp_path)
    po, _ = write_catalogs(tmp_path, article)
    strong = next(r for r in article.results if r.source.startswith("Bộ Ngoại giao"))
    code = TAG_ID.findall(strong.source_markup)[0]
    # The aligner put <strong> (Ngoại giao) elsewhere; the reviewer moves it to "Foreign Affairs".
    assert f'<strong id="{code}">Foreign Affairs</strong>' not in strong.target_markup
    confirm(po, {strong.id: f'The Ministry of <strong id="{code}">Foreign Affairs</strong> chairs.'})
    done = run_songngu(["build", str(source), str(po)], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"wrote {tmp_path / 'trang.en.html'}" in done.stderr and "not confirmed" not in done.stderr
    page = lxml.html.fromstring((tmp_path / "trang.en.html").read_bytes())
    assert [s.text for s in page.iter("strong")] == ["Foreign Affairs"]
    assert "The Ministry of Foreign Affairs chairs." in page.text_content()
    original = lxml.html.fromstring(html_page())
    assert [a.get("href") for a in page.iter("a")] == [a.get("href") for a in original.iter("a")]


def test_build_puts_a_dropped_tag_back_and_says_so(tmp_path: Path) -> None:
    source, article = page_article(tmp_path)
    _, xlf = write_catalogs(tmp_path, article)
    link = next(r for r in article.results if "Ban Thư ký ASEAN" in r.source)
    text = xlf.read_text(encoding="utf-8")
    # The reviewer rewrote the target in a CAT tool and lost the link's tag.
    start = text.index(f'resname="{link.id}"')
    target_start = text.index("<target", start)
    target_end = text.index("</target>", target_start)
    reviewed = '<target xml:lang="en" state="final">Representatives of the ASEAN Secretariat attended.'
    xlf.write_text(text[:target_start] + reviewed + text[target_end:], encoding="utf-8")
    out = tmp_path / "ban-dich.html"
    done = run_songngu(["build", str(source), str(xlf), "--out", str(out)], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    problem = [line for line in done.stderr.splitlines() if link.id in line]
    assert len(problem) == 1 and "drops <a id=" in problem[0] and "put back" in problem[0]
    page = lxml.html.fromstring(out.read_bytes())
    assert len(list(page.iter("a"))) == 1  # never dropped
    assert "Representatives of the ASEAN Secretariat attended." in page.text_content()
    assert "not confirmed by a reviewer" in done.stderr  # only that one unit was confirmed


def test_build_refuses_a_catalog_that_lacks_a_sentence_and_writes_nothing(tmp_path: Path) -> None:
    source, article = page_article(tmp_path)
    article.results.pop(2)
    po, _ = write_catalogs(tmp_path, article)
    done = run_songngu(["build", str(source), str(po)], cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no translation of 1 of the" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "trang.en.html").exists()


def test_build_needs_a_document_and_a_review_catalog(tmp_path: Path) -> None:
    source, article = page_article(tmp_path)
    po, _ = write_catalogs(tmp_path, article)
    text = tmp_path / "bai.txt"
    text.write_text("Xin chào.\n", encoding="utf-8")
    tsv = tmp_path / "trang.tsv"
    tsv.write_text("id\tvi\ten\n", encoding="utf-8")
    for args in ([str(text), str(po)], [str(source), str(tsv)]):
        done = run_songngu(["build", *args], cwd=tmp_path)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ translate, review, translate


def test_a_rerun_publishes_the_reviewed_translations_with_the_reviewers_tags(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / f"{PAGE}.html").write_bytes(html_page())
    args = ["translate", "in", "--out", "out", "--model", str(tiny_model_dir), "--beam", "1"]
    args += ["--max-length", "24"]
    first = run_songngu(args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    po = tmp_path / "out" / f"{PAGE}.po"
    msgfmt_check(po)
    entry = next(e for e in polib.pofile(str(po)) if e.msgid.startswith("Bộ <strong id="))
    code = TAG_ID.findall(entry.msgid)[0]
    reviewed = f'The Ministry of <strong id="{code}">Foreign Affairs</strong> chairs.'
    catalog = polib.pofile(str(po), wrapwidth=0)
    for each in catalog:
        if each.msgctxt == entry.msgctxt:
            each.msgstr = reviewed
            each.flags.remove("fuzzy")
    catalog.save(str(po))

    english = tmp_path / "out" / f"{PAGE}.en.html"
    again = run_songngu(args, cwd=tmp_path)  # up to date: no model, the document rebuilt
    assert again.returncode == 0, again.stderr
    assert "1 of 1 articles up to date" in again.stderr
    written = f"{english.relative_to(tmp_path)}: written again from the review: 1 of "
    assert written in again.stderr and "sentences as a reviewer confirmed them" in again.stderr
    page = lxml.html.fromstring(english.read_bytes())
    assert [s.text for s in page.iter("strong")] == ["Foreign Affairs"]
    assert "The Ministry of Foreign Affairs chairs." in page.text_content()

    forced = run_songngu([*args, "--force"], cwd=tmp_path)  # translated again: the review still wins
    assert forced.returncode == 0, forced.stderr
    assert lxml.html.fromstring(english.read_bytes()).text_content() == page.text_content()
    kept = next(e for e in polib.pofile(str(po)) if e.msgctxt == entry.msgctxt)
    assert kept.msgstr == reviewed and "fuzzy" not in kept.flags
    msgfmt_check(po)


def test_review_import_stores_the_plain_sentences_of_a_document(tmp_path: Path) -> None:
    # The memory keys on plain text: the engine looks sentences up by their plain text, and a
    # sentence of a page is the same sentence in a text article; the tags are the document's.
    from songngu.translate.memory import TranslationMemory
    from songngu.translate.review import import_reviewed

    _, article = page_article(tmp_path)
    po, _ = write_catalogs(tmp_path, article)
    strong = next(r for r in article.results if r.source.startswith("Bộ Ngoại giao"))
    code = TAG_ID.findall(strong.source_markup)[0]
    confirm(po, {strong.id: f'The Ministry of <strong id="{code}">Foreign Affairs</strong> chairs.'})
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    try:
        import_reviewed([po], memory)
        stored = {unit.source: unit.target for unit in memory.units()}
        assert stored["Bộ Ngoại giao chủ trì."] == "The Ministry of Foreign Affairs chairs."
        assert not any(has_codes(text) for pair in stored.items() for text in pair)
        assert memory.lookup("Bộ Ngoại giao chủ trì.") == "The Ministry of Foreign Affairs chairs."
    finally:
        memory.close()


DOCUMENTS = {
    "html": lambda: parse_document(html_page(), "trang.html", ".html"),
    "md": lambda: parse_document(markdown_article(), "bai.md", ".md"),
}
ENGLISH_WORDS = st.lists(
    st.sampled_from(["the", "Ministry", "ASEAN", "31", "of", "(", ")", ".", "Hanoi"]), min_size=1, max_size=9
)


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(sorted(DOCUMENTS)), words=st.lists(ENGLISH_WORDS, min_size=30, max_size=30))
def test_a_catalog_taken_as_it_was_written_gives_the_same_places(kind: str, words: list[list[str]]) -> None:
    # Whatever the translation, the tags songngu writes read back into the placement they came
    # from: a reviewer who changes nothing publishes the machine's document. (Not where the aligner
    # had to fit a code into another sentence's words for want of room: a sentence's tags hold its
    # own codes, so the catalog shows it at its sentence's edge, flagged, and that is what is built.)
    from songngu.translate.documents.inline import SentenceTranslation
    from songngu.translate.documents.tagged import code_sentences, target_offsets

    document = DOCUMENTS[kind]()
    results = [
        SegmentResult(s.id, s.source, " ".join(words[k % len(words)]), s.paragraph)
        for k, s in enumerate(document_segments(document, "x"))
    ]
    machine = english_document(document, "x", results)
    written = {segment_id: markup.target for segment_id, markup in machine.markup.items()}
    plain = {r.id: r.target for r in results}
    again = english_document(document, "x", results, reviewed=lambda i, _: written.get(i, plain[i]))
    assert again.problems == {}
    segments = document_segments(document, "x")
    start = 0
    for block, before, after in zip(document.blocks, machine.translations, again.translations, strict=True):
        mine = [s for s in segments if s.start >= start and s.end <= start + len(block.text)]
        sentences = [SentenceTranslation(s.start - start, s.end - start, plain[s.id]) for s in mine]
        owners = code_sentences(block, [(s.start, s.end) for s in sentences])
        regions = target_offsets(sentences)
        for code in block.codes:
            low, high = regions[owners[code.id][0]][0], regions[owners[code.id][-1]][1]
            placed = before.spans()[code.id]
            if low <= placed[0] <= placed[1] <= high:
                assert after.spans()[code.id] == placed
        start += len(block.text) + 2
    if all(c.exact for t in machine.translations for c in t.codes):
        assert again.data == machine.data
