"""PO review catalogs: header, entries and notes, merging through the sentence pairing, strict parsing."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgfmt import msgfmt_check

from songngu import __version__
from songngu.errors import InputError
from songngu.translate.formats import write_outputs
from songngu.translate.formats.notes import read_notes
from songngu.translate.formats.po import PoFormat, catalog_text, merge_text
from songngu.translate.formats.po_read import parse_catalog
from songngu.translate.records import ArticleTranslation, Method, RunInfo, SegmentResult, TermOutcome
from songngu.translate.reviewed import BaselineSource, one_line

NOW = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
LATER = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)


RUN = RunInfo(
    tool_version=__version__,
    model="Helsinki-NLP/opus-mt-vi-en",
    model_revision="abc123",
    glossary="seeds/glossary.csv",
    glossary_checksum="sha256:00ff",
    beam=4,
    max_length=256,
    batch_size=16,
    device="cpu",
)
MOFA = TermOutcome(0, 13, "Bộ Ngoại giao", "Ministry of Foreign Affairs", True)


def record(seg_id: str, source: str, target: str, **kwargs: object) -> SegmentResult:
    paragraph = int(seg_id.split(":")[1])
    kwargs.setdefault("method", Method.CONSTRAINED)
    return SegmentResult(id=seg_id, source=source, target=target, paragraph=paragraph, **kwargs)  # type: ignore[arg-type]


def article(*results: SegmentResult) -> ArticleTranslation:
    return ArticleTranslation(name="bai", path="seeds/articles/bai.txt", run=RUN, results=list(results))


def first_version() -> ArticleTranslation:
    return article(
        record(
            "bai:1:1",
            "Bộ Ngoại giao họp báo.",
            "The Ministry of Foreign Affairs held a briefing.",
            terms=[MOFA],
            line=1,
        ),
        record("bai:1:2", "Trời mưa.", "It rains.", line=1),
        record("bai:1:3", "Câu thứ ba.", "The third sentence.", line=2),
        record("bai:2:1", "Xin chào.", "Hello.", method=Method.MEMORY, line=4),
        record("bai:2:2", "Câu nháp.", "Draft sentence.", line=4),
    )


def entries(text: str) -> dict[str | None, polib.POEntry]:
    return {e.msgctxt: e for e in parse_catalog(text, "bai.po") if not e.obsolete}


# ----------------------------------------------------------------------------- a new catalog


def test_header_has_every_field_review_tools_expect(write_po: Callable[..., Path]) -> None:
    text = merge_text(first_version(), None, "bai.po", now=NOW)
    write_po(text)
    meta = parse_catalog(text, "bai.po").metadata
    assert meta["Project-Id-Version"] == "bai"
    assert meta["Language"] == "en"
    assert meta["MIME-Version"] == "1.0"
    assert meta["Content-Type"] == "text/plain; charset=UTF-8"
    assert meta["Content-Transfer-Encoding"] == "8bit"
    assert meta["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert meta["X-Generator"] == f"songngu {__version__}"
    assert meta["X-Songngu-Model"] == "Helsinki-NLP/opus-mt-vi-en abc123"
    assert meta["X-Songngu-Glossary"] == "glossary.csv sha256:00ff"
    assert meta["POT-Creation-Date"] == meta["PO-Revision-Date"] == "2024-05-01 12:30+0000"
    assert meta["Last-Translator"] and meta["Language-Team"]


def test_entries_carry_id_source_translation_flags_and_references(write_po: Callable[..., Path]) -> None:
    text = merge_text(first_version(), None, "bai.po", now=NOW)
    write_po(text)
    got = entries(text)
    assert list(got) == ["bai:1:1", "bai:1:2", "bai:1:3", "bai:2:1", "bai:2:2"]
    first = got["bai:1:1"]
    assert (first.msgid, first.msgstr) == (
        "Bộ Ngoại giao họp báo.",
        "The Ministry of Foreign Affairs held a briefing.",
    )
    assert first.fuzzy
    # References name the source line (1-based), not the paragraph: editors open the file there.
    assert first.occurrences == [("bai.txt", "1")]
    assert got["bai:1:3"].occurrences == [("bai.txt", "2")]
    assert got["bai:2:1"].occurrences == [("bai.txt", "4")]
    assert not got["bai:2:1"].fuzzy  # a human translation from the memory
    assert all(got[i].fuzzy for i in ("bai:1:2", "bai:1:3", "bai:2:2"))


def test_extracted_comments_tell_the_reviewer_everything(write_po: Callable[..., Path]) -> None:
    unmet = TermOutcome(0, 3, "Câu", "Clause", False)
    text = merge_text(
        article(
            record(
                "bai:1:1",
                "Bộ Ngoại giao họp.",
                "The Ministry of Foreign Affairs met.",
                terms=[MOFA],
                unconstrained="The Foreign Ministry met.",
            ),
            record(
                "bai:1:2",
                "Câu ba.",
                "Sentence three.",
                terms=[unmet],
                method=Method.UNCONSTRAINED,
                violated=True,
                suggestion="Third sentence.",
                suggestion_similarity=0.871,
            ),
            record("bai:1:3", "Giống.", "Same.", unconstrained="Same."),
            record("bai:1:4", "Xin chào.", "Hello.", method=Method.MEMORY),
        ),
        None,
        "bai.po",
        now=NOW,
    )
    write_po(text)
    got = entries(text)
    assert got["bai:1:1"].comment.split("\n") == [
        "glossary: Bộ Ngoại giao → Ministry of Foreign Affairs [met]",
        "unconstrained: The Foreign Ministry met.",
        "machine translation: The Ministry of Foreign Affairs met.",
    ]
    assert got["bai:1:2"].comment.split("\n") == [
        "glossary: Câu → Clause [NOT MET]",
        "constraints could not be met",
        "memory suggestion (87%): Third sentence.",
        "machine translation: Sentence three.",
    ]
    assert got["bai:1:3"].comment == "machine translation: Same."  # same as unconstrained: not repeated
    assert got["bai:1:4"].comment == "translation memory: Hello."
    notes = read_notes(got["bai:1:2"].comment)
    assert notes.baseline is not None and notes.baseline.text == "Sentence three."
    assert notes.baseline.source is BaselineSource.MACHINE and notes.terms[0].met is False


def test_rendering_is_deterministic_and_rerendering_is_idempotent() -> None:
    first = merge_text(first_version(), None, "bai.po", now=NOW)
    assert merge_text(first_version(), None, "bai.po", now=NOW) == first
    # Re-running over its own output, later: identical bytes (dates kept, nothing changed).
    assert merge_text(first_version(), first, "bai.po", now=LATER) == first
    assert PoFormat().render(first_version(), first) == first


def test_source_date_epoch_sets_the_date_of_a_new_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(LATER.timestamp())))
    meta = parse_catalog(PoFormat().render(first_version(), None), "bai.po").metadata
    assert meta["POT-Creation-Date"] == "2025-01-02 03:04+0000"


def test_text_with_quotes_backslashes_tabs_and_newlines_survives(write_po: Callable[..., Path]) -> None:
    source = 'Ông nói: "Chào\\n bạn"\tvà\nđi.'
    target = 'He said: "Hello\\n friend"\tand\nleft.\u2028x'
    text = merge_text(article(record("bai:1:1", source, target)), None, "bai.po", now=NOW)
    write_po(text)
    entry = entries(text)["bai:1:1"]
    assert entry.msgid == source
    # Under the character policy a line separator is a line feed (raw, it would split polib's line).
    assert entry.msgstr == target.replace("\u2028", "\n")


# ----------------------------------------------------------------------------------- merging


def reviewed_first_version(write_po: Callable[..., Path]) -> str:
    """The first catalog as a reviewer left it (edited with polib, as Poedit would save it)."""
    catalog = parse_catalog(merge_text(first_version(), None, "bai.po", now=NOW), "bai.po")
    by_id = {e.msgctxt: e for e in catalog}
    by_id["bai:1:1"].flags.remove("fuzzy")  # accepted as is
    by_id["bai:1:1"].tcomment = "checked with the ministry"
    by_id["bai:1:2"].msgstr = "It is raining."  # edited and confirmed
    by_id["bai:1:2"].flags.remove("fuzzy")
    by_id["bai:1:3"].msgstr = "The 3rd sentence."  # edited and confirmed, then removed from the article
    by_id["bai:1:3"].flags.remove("fuzzy")
    by_id["bai:1:3"].tcomment = "keep this"
    by_id["bai:2:2"].msgstr = "A draft, half done."  # edited, still fuzzy
    catalog.metadata["Last-Translator"] = "Lan Nguyen <lan@example.org>"
    catalog.metadata["PO-Revision-Date"] = "2024-05-02 09:00+0700"
    catalog.metadata["X-Poedit-Basepath"] = "."
    text = str(catalog)
    write_po(text)
    return text


def second_version() -> ArticleTranslation:
    """The article edited: 1:2 changed, 1:3 removed, a paragraph added; the model's output changed."""
    return article(
        record("bai:1:1", "Bộ Ngoại giao họp báo.", "Ministry of Foreign Affairs briefs.", terms=[MOFA]),
        record("bai:1:2", "Trời mưa to.", "It rains heavily."),
        record("bai:2:1", "Xin chào.", "Hello.", method=Method.MEMORY),
        record("bai:2:2", "Câu nháp.", "Draft sentence, again."),
        record("bai:3:1", "Câu mới.", "A new sentence."),
    )


def test_merge_keeps_confirmed_entries_and_translator_comments(write_po: Callable[..., Path]) -> None:
    merged = merge_text(second_version(), reviewed_first_version(write_po), "bai.po", now=LATER)
    write_po(merged)
    first = entries(merged)["bai:1:1"]
    assert first.msgstr == "The Ministry of Foreign Affairs held a briefing."  # not the new MT
    assert not first.fuzzy
    assert first.tcomment == "checked with the ministry"
    # The notes stay those of the translation the reviewer confirmed: its baseline is what they
    # started from, not the new run's machine translation (which would make an accepted entry look
    # edited, and the other way round).
    assert "machine translation: The Ministry of Foreign Affairs held a briefing." in first.comment
    assert "Ministry of Foreign Affairs briefs." not in first.comment
    assert first.previous_msgid is None


def test_merge_refuzzies_a_changed_source_and_keeps_the_previous_msgid(write_po: Callable[..., Path]) -> None:
    merged = merge_text(second_version(), reviewed_first_version(write_po), "bai.po", now=LATER)
    write_po(merged)
    changed = entries(merged)["bai:1:2"]
    assert changed.msgid == "Trời mưa to."
    assert changed.fuzzy
    assert changed.previous_msgid == "Trời mưa."
    assert changed.previous_msgctxt == "bai:1:2"
    assert changed.msgstr == "It is raining."  # the reviewer's work as the starting point
    assert "machine translation: It rains heavily." in changed.comment
    assert '#| msgid "Trời mưa."' in merged


def test_merge_makes_a_removed_sentence_obsolete_and_adds_new_ones(write_po: Callable[..., Path]) -> None:
    merged = merge_text(second_version(), reviewed_first_version(write_po), "bai.po", now=LATER)
    write_po(merged)
    catalog = parse_catalog(merged, "bai.po")
    obsolete = [e for e in catalog if e.obsolete]
    # 1:3 "Câu thứ ba." was removed: its entry is obsolete, with the reviewer's translation and comment.
    assert [(e.msgctxt, e.msgid, e.msgstr, e.tcomment) for e in obsolete] == [
        ("bai:1:3", "Câu thứ ba.", "The 3rd sentence.", "keep this")
    ]
    assert '#~ msgid "Câu thứ ba."' in merged
    assert "bai:1:3" not in entries(merged)
    new = entries(merged)["bai:3:1"]
    assert (new.msgid, new.msgstr, new.fuzzy) == ("Câu mới.", "A new sentence.", True)
    assert list(entries(merged)) == ["bai:1:1", "bai:1:2", "bai:2:1", "bai:2:2", "bai:3:1"]


def test_merge_updates_unreviewed_entries_and_keeps_drafts(write_po: Callable[..., Path]) -> None:
    untouched = merge_text(first_version(), None, "bai.po", now=NOW)
    got = entries(merge_text(second_version(), untouched, "bai.po", now=LATER))
    assert got["bai:1:1"].msgstr == "Ministry of Foreign Affairs briefs."  # unreviewed: new MT
    assert got["bai:1:1"].fuzzy
    merged = merge_text(second_version(), reviewed_first_version(write_po), "bai.po", now=LATER)
    draft = entries(merged)["bai:2:2"]
    assert (draft.msgstr, draft.fuzzy) == ("A draft, half done.", True)  # reviewer's draft kept


def test_merge_keeps_the_reviewers_header_fields(write_po: Callable[..., Path]) -> None:
    merged = merge_text(second_version(), reviewed_first_version(write_po), "bai.po", now=LATER)
    meta = parse_catalog(merged, "bai.po").metadata
    assert meta["Last-Translator"] == "Lan Nguyen <lan@example.org>"
    assert meta["PO-Revision-Date"] == "2024-05-02 09:00+0700"
    assert meta["X-Poedit-Basepath"] == "."
    assert meta["POT-Creation-Date"] == "2025-01-02 03:04+0000"  # the content changed


def test_merge_is_idempotent(write_po: Callable[..., Path]) -> None:
    merged = merge_text(second_version(), reviewed_first_version(write_po), "bai.po", now=LATER)
    again = merge_text(second_version(), merged, "bai.po", now=datetime(2026, 1, 1, tzinfo=UTC))
    assert again == merged


def test_a_moved_sentence_keeps_its_translation_and_a_returning_one_is_revived(
    write_po: Callable[..., Path],
) -> None:
    reviewed = reviewed_first_version(write_po)
    # A sentence inserted at the top shifts every id of paragraph 1.
    shifted = article(
        record("bai:1:1", "Câu chèn.", "Inserted."),
        record("bai:1:2", "Bộ Ngoại giao họp báo.", "MT again.", terms=[MOFA]),
        record("bai:1:3", "Trời mưa.", "It rains."),
        record("bai:1:4", "Câu thứ ba.", "The third sentence."),
    )
    merged = merge_text(shifted, reviewed, "bai.po", now=LATER)
    write_po(merged)
    got = entries(merged)
    assert (got["bai:1:2"].msgstr, got["bai:1:2"].fuzzy) == (
        "The Ministry of Foreign Affairs held a briefing.",
        False,
    )
    assert got["bai:1:2"].tcomment == "checked with the ministry"
    assert (got["bai:1:3"].msgstr, got["bai:1:4"].msgstr) == ("It is raining.", "The 3rd sentence.")
    assert {(e.msgctxt, e.msgid) for e in parse_catalog(merged, "bai.po") if e.obsolete} == {
        ("bai:2:1", "Xin chào."),
        ("bai:2:2", "Câu nháp."),
    }
    # Paragraph 2 comes back: the obsolete entries are revived, the draft with its text.
    back = merge_text(first_version(), merged, "bai.po", now=LATER)
    write_po(back)
    revived = entries(back)
    assert (revived["bai:2:2"].msgstr, revived["bai:2:2"].fuzzy) == ("A draft, half done.", True)
    assert not [e for e in parse_catalog(back, "bai.po") if e.obsolete and e.msgctxt == "bai:2:2"]


def test_a_confirmed_entry_whose_source_changed_twice_keeps_the_first_previous_msgid(
    write_po: Callable[..., Path],
) -> None:
    reviewed = reviewed_first_version(write_po)
    once = merge_text(second_version(), reviewed, "bai.po", now=LATER)
    twice_version = second_version()
    twice_version.results[1] = record("bai:1:2", "Trời mưa rất to.", "It rains very heavily.")
    twice = entries(merge_text(twice_version, once, "bai.po", now=LATER))["bai:1:2"]
    # The reviewer's translation was made for "Trời mưa.": that is the change to show.
    assert (twice.previous_msgid, twice.msgstr, twice.fuzzy) == ("Trời mưa.", "It is raining.", True)


def test_an_invalid_existing_catalog_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "bai.po"
    broken = 'msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "Xin chào."\nmsgstr "Hello.\n'
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{re.escape(str(path))}:6: .*unterminated string"):
        write_outputs(first_version(), tmp_path, [PoFormat()])
    assert path.read_text(encoding="utf-8") == broken
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bai.po"]


def test_the_registry_writes_and_merges_the_catalog(tmp_path: Path) -> None:
    (path,) = write_outputs(first_version(), tmp_path, [PoFormat()])
    assert path == tmp_path / "bai.po"
    msgfmt_check(path)
    write_outputs(second_version(), tmp_path, [PoFormat()])
    msgfmt_check(path)
    assert entries(path.read_text(encoding="utf-8"))["bai:1:2"].previous_msgid == "Trời mưa."


# ----------------------------------------------------------------------------- strict parsing

HEADER = 'msgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('msgid "a"\nmsgstr "b\n', 7, "unterminated string"),
        ('msgid "a"\n\nmsgid "c"\nmsgstr "d"\n', 6, "msgid without msgstr"),
        ('msgid "a"\n', 6, "msgid without msgstr"),
        ('msgstr "b"\n', 6, "msgstr without msgid"),
        ('msgid "a"\nmsgstr "b" x\n', 7, "text after the closing quote"),
        ('msgid "a"\nmsgstr "say "hi""\n', 7, "text after the closing quote"),
        ('msgid "a"\nmsgstr "\\q"\n', 7, "unsupported escape"),
        ('msgid "a"\nmsgtext "b"\n', 7, "unexpected 'msgtext'"),
        ('# note\n"orphan"\n', 7, "string continuation outside"),
        ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 9, "duplicate entry (first defined at line 6)"),
        (
            'msgctxt "x"\nmsgid "a"\nmsgstr "b"\n\n#~ msgctxt "x"\n#~ msgid "a"\n#~ msgstr "c"\n',
            11,
            "duplicate",
        ),
        ('msgid "a"\n#~ msgstr "b"\n', 7, "mixed"),
        ('msgctxt "x"\nmsgstr "b"\n', 7, "msgstr where msgid was expected"),
        ('msgid "a"\nmsgstr[0] "b"\n', 7, "without msgid_plural"),
        ('#| bogus "a"\nmsgid "a"\nmsgstr "b"\n', 6, "#| line"),
    ],
)
def test_malformed_catalogs_are_refused_with_file_and_line(body: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_catalog(HEADER + body, "x.po")
    text = str(caught.value)
    assert text.startswith(f"x.po:{line}: "), text
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize("language", ["en", "en_US", "en-GB", "EN_us"])
def test_english_catalogs_are_accepted(language: str) -> None:
    catalog = parse_catalog(
        HEADER.replace("Language: en", f"Language: {language}") + 'msgid "a"\nmsgstr "b"\n'
    )
    assert [e.msgstr for e in catalog] == ["b"]


@pytest.mark.parametrize("language", ["fr", "vi", "eng", "de_EN", ""])
def test_other_languages_are_refused_at_the_language_line(language: str) -> None:
    with pytest.raises(InputError, match=r"^x\.po:3: header says Language: "):
        parse_catalog(HEADER.replace("Language: en", f"Language: {language}"), "x.po")


def test_a_catalog_without_language_or_with_another_charset_is_refused() -> None:
    with pytest.raises(InputError, match=r"^x\.po:1: the header has no Language field"):
        parse_catalog('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n', "x.po")
    with pytest.raises(InputError, match=r"^x\.po:4: header declares charset=ISO-8859-1"):
        parse_catalog(HEADER.replace("UTF-8", "ISO-8859-1"), "x.po")


# ------------------------------------------------------------------------------ round trips

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs", "Cc")),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None)
@given(pairs=st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=5, unique_by=lambda p: p[0]))
def test_any_text_round_trips_and_rerenders_identically(pairs: list[tuple[str, str]]) -> None:
    art = article(*(record(f"bai:1:{i}", vi, en) for i, (vi, en) in enumerate(pairs, start=1)))
    text = merge_text(art, None, "bai.po", now=NOW)
    got = entries(text)
    for i, (vi, en) in enumerate(pairs, start=1):
        entry = got[f"bai:1:{i}"]
        assert (entry.msgid, entry.msgstr) == (catalog_text(vi), catalog_text(en))
        baseline = read_notes(entry.comment).baseline
        assert baseline is not None and baseline.text == one_line(catalog_text(en))
    assert merge_text(art, text, "bai.po", now=LATER) == text
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "bai.po")
        path.write_text(text, encoding="utf-8")
        msgfmt_check(path)
