"""gettext PO catalogs for human review, merged so that a reviewer's work is never lost or misplaced.

One catalog per article. Each segment is one entry: ``msgctxt`` = segment id, ``msgid`` = the
Vietnamese sentence, ``msgstr`` = the translation, flagged ``fuzzy`` (needs review) unless it is a
human translation reused from the translation memory, or an English sentence ``songngu align``
paired with confidence (see :func:`needs_review`). Extracted comments (``#.``) tell the reviewer
which glossary terms were required and met, the memory suggestion, the unconstrained translation,
the alignment bead and score, what the quality checks found (``#. qa: error numbers: …``, one line
per finding, and the flag ``songngu-qa`` on the entry for an error or a warning, so that a PO
editor can filter on it; such an entry is fuzzy whatever its origin), and always the starting text
itself ("machine translation: …", "translation memory: …" or "aligned translation: …"), so that a
reviewed catalog alone says whether the reviewer edited the translation or accepted it. The notes
are worded by :mod:`songngu.translate.formats.notes`; an existing catalog is read by
:mod:`songngu.translate.formats.po_read` (:func:`~songngu.translate.formats.po_read.entry_unit`
decides, for the merge as for ``review import``, whether an entry is confirmed, a draft, or
songngu's untouched text). Where a merge keeps a reviewer's msgstr, the findings (about a text no
longer shown) are dropped, and the flag follows the findings the entry keeps.

Merging with the catalog already on disk (``existing``): every fresh entry is paired with its
predecessor by :mod:`songngu.translate.pairing` (by the sentence's text, never by ``msgctxt`` or
position alone), then, by the kind of pair:

- kept (same ``msgctxt`` and ``msgid``) or moved (same ``msgid`` under another ``msgctxt``: a
  sentence was added or removed before it), confirmed (not fuzzy, msgstr not blank): msgstr,
  translator comments (``#``) and flags kept, and the ``#.`` notes too when they record a baseline
  (what the reviewer confirmed against: a re-run whose memory now supplies the reviewer's text must
  not make it the baseline); ``#:`` references refreshed.
- kept or moved, still fuzzy: the new translation, unless the reviewer already edited the msgstr
  (it differs from its baseline note): then the draft is kept, fuzzy, with its notes.
- changed (the predecessor is a similar, edited sentence): fuzzy, with the predecessor's
  msgctxt/msgid kept (``#|``) so review tools show what changed. If the predecessor held reviewer
  work (confirmed, or an edited draft) its msgstr is kept as the starting point; the new machine
  translation is in the "machine translation:" note beside it. Otherwise it gets the new
  translation. A pending ``#|`` keeps an entry fuzzy until the reviewer clears the flag.
- new (no similar predecessor): the fresh entry, a fuzzy machine translation (or a human one from
  the memory).
- an entry no segment continues (a deleted sentence) becomes obsolete (``#~``) and lends its
  translation to no other entry; obsolete entries already there are kept, and one whose msgid
  comes back exactly is revived (with its translation if it was confirmed).
- translator comments are never dropped; header fields a reviewer's tool owns (Last-Translator,
  Language-Team, PO-Revision-Date, X-Poedit-…, the header comment) are kept.

Output is deterministic: POT-Creation-Date changes only when the catalog's content changes
(re-rendering identical input gives identical bytes); a new catalog takes the current time, or
``SOURCE_DATE_EPOCH`` when set (reproducible builds). Lines are not wrapped, so each note stays on
one ``#.`` line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import PurePath
from typing import ClassVar

import polib

from songngu import __version__
from songngu.translate.formats.base import MergingFormat, UnitReader, paragraph_of
from songngu.translate.formats.characters import portable_text
from songngu.translate.formats.notes import (
    QA_FLAG,
    note_lines,
    notes_for,
    qa_flagged,
    read_notes,
    without_qa,
)
from songngu.translate.formats.po_read import FUZZY, catalog_units, entry_unit, parse_catalog
from songngu.translate.pairing import MergeKind, MergeSummary, Pairing, Sentence, pair_sentences
from songngu.translate.records import ArticleTranslation, Method, SegmentResult
from songngu.translate.reviewed import BaselineSource, ReviewedUnit, one_line

# Header fields songngu sets on every render; any other field (a reviewer tool's) is kept.
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
DATE_FORMAT = "%Y-%m-%d %H:%M+0000"
DEFAULT_TRANSLATOR = "songngu (machine translation)"
DEFAULT_TEAM = "English"

# ------------------------------------------------------------------------------------ building


def build_catalog(
    article: ArticleTranslation,
    existing: polib.POFile | None = None,
    *,
    now: datetime | None = None,
) -> polib.POFile:
    """The catalog of ``article``, merged into ``existing`` (see the module docstring).

    ``now`` is the creation time of a new or changed catalog (default: ``SOURCE_DATE_EPOCH`` if set,
    else the current time).
    """
    return merge_catalog(article, existing, now=now)[0]


def merge_catalog(
    article: ArticleTranslation,
    existing: polib.POFile | None = None,
    *,
    now: datetime | None = None,
) -> tuple[polib.POFile, MergeSummary]:
    """:func:`build_catalog`, and what the merge did (all new when there is no ``existing``)."""
    catalog = polib.POFile(wrapwidth=0, encoding="utf-8")
    old = existing if existing is not None else polib.POFile(wrapwidth=0, encoding="utf-8")
    fresh = [_fresh_entry(article, result) for result in article.results]
    active, obsolete, pairing = _merge(fresh, list(old))
    catalog.extend(active)
    catalog.extend(obsolete)

    stamp = _timestamp(now)
    catalog.header = old.header if existing is not None and old.header else _header_comment(article)
    catalog.metadata = dict(old.metadata)
    catalog.metadata.update(_own_metadata(article))
    catalog.metadata.setdefault("PO-Revision-Date", stamp)
    catalog.metadata.setdefault("Last-Translator", DEFAULT_TRANSLATOR)
    catalog.metadata.setdefault("Language-Team", DEFAULT_TEAM)
    old_created = old.metadata.get("POT-Creation-Date")
    unchanged = existing is not None and old_created and _signature(catalog) == _signature(old)
    catalog.metadata["POT-Creation-Date"] = old_created if unchanged else stamp
    return catalog, pairing.summary()


def render_catalog(catalog: polib.POFile) -> str:
    """The text of a catalog, ending with one newline."""
    return str(catalog).rstrip("\n") + "\n"


def merge_text(
    article: ArticleTranslation, existing: str | None, name: str, *, now: datetime | None = None
) -> str:
    """Render ``article``'s catalog merged into the existing file text (InputError if that is not a
    valid catalog; ``name`` is the file name used in the message)."""
    old = parse_catalog(existing, name) if existing is not None and existing.strip() else None
    return render_catalog(build_catalog(article, old, now=now))


class PoFormat(MergingFormat, UnitReader):
    """``<name>.po``: the review catalog, merged with the one already there; read as reviewed units."""

    suffix = ".po"
    suffixes: ClassVar[tuple[str, ...]] = (".po", ".pot")
    records_review = True
    reviewed_work = True

    def units(self, path: str | os.PathLike[str]) -> Iterator[ReviewedUnit]:
        """The entries as reviewed units, batch by batch (:func:`po_read.catalog_units`)."""
        return catalog_units(path)

    def check_existing(self, existing: str, *, name: str) -> None:
        parse_catalog(existing, name)

    def render(self, article: ArticleTranslation, existing: str | None = None, *, name: str = "") -> str:
        return merge_text(article, existing, name or article.name + self.suffix)

    def summarise(self, article: ArticleTranslation, existing: str, *, name: str = "") -> MergeSummary:
        old = parse_catalog(existing, name or article.name + self.suffix)
        return merge_catalog(article, old)[1]

    def parse(self, text: str, name: str = "<po>") -> ArticleTranslation:
        """One record per active entry: ``msgctxt`` as id, ``msgid`` and ``msgstr``, the line of its
        ``#:`` reference; a sentence the memory supplied has method ``memory``. What a reviewer did
        is read by :meth:`units`. Parsed strictly (:func:`parse_catalog`)."""
        results = []
        for entry in parse_catalog(text, name):
            unit = entry_unit(entry)
            if entry.obsolete or unit is None:
                continue
            from_memory = unit.baseline is not None and unit.baseline.source is BaselineSource.MEMORY
            results.append(
                SegmentResult(
                    id=unit.id,
                    source=unit.source,
                    target=unit.target,
                    paragraph=paragraph_of(unit.id),
                    method=Method.MEMORY if from_memory else Method.UNCONSTRAINED,
                    line=_reference_line(entry),
                )
            )
        return ArticleTranslation(self.article_name(name), name, None, results)


def _reference_line(entry: polib.POEntry) -> int:
    lines = [line for _, line in entry.occurrences if line.isdigit()]
    return int(lines[0]) if lines else 0


def _fresh_entry(article: ArticleTranslation, result: SegmentResult) -> polib.POEntry:
    return polib.POEntry(
        msgctxt=result.id,
        # A document's sentence with inline codes: the markup text (formats/markup.py).
        msgid=catalog_text(result.catalog_source),
        msgstr=catalog_text(result.catalog_target),
        comment="\n".join(notes_for(result)),
        # The line in the source file, so that Poedit and Lokalize open the file where the sentence is.
        occurrences=[
            (_reference_file(article.path or article.name), str(result.line) if result.line else "")
        ],
        flags=([FUZZY] if needs_review(result) else []) + ([QA_FLAG] if qa_flagged(result) else []),
    )


def needs_review(result: SegmentResult) -> bool:
    """Whether the entry starts fuzzy: the model's output does; a reviewer's translation reused from
    the memory does not, one the memory holds from aligning an archive does; an aligned sentence does
    only when the aligner was unsure of the pairing (a Vietnamese sentence with no English is simply
    untranslated). A sentence the quality checks found something in stays fuzzy, whatever its origin,
    and so does a document's sentence with an inline element whose place was not found."""
    if qa_flagged(result):
        return True
    if result.unplaced:
        return True  # an inline element was put around the best span: the reviewer checks it
    if result.method is Method.MEMORY:
        return result.memory_kind == "aligned"  # a sentence pairing, not a reviewer's confirmation
    if result.method is Method.ALIGNED:
        return result.uncertain and bool(result.target)
    return True


def _reference_file(path: str) -> str:
    # A ``#:`` line separates references by whitespace, so a space in a file name would split it.
    return re.sub(r"\s", "_", PurePath(path).name)


def catalog_text(text: str) -> str:
    """``text`` as a catalog holds it: under the character policy
    (:mod:`songngu.translate.formats.characters`, which also leaves no character polib's reader would
    split a line at), with line breaks at either end dropped (msgfmt --check requires msgid and msgstr
    to agree on them)."""
    return portable_text(text).strip("\n")


def _header_comment(article: ArticleTranslation) -> str:
    return (
        f"Vietnamese → English translation of {_reference_file(article.path or article.name)}, "
        "for review.\n"
        "Entries marked fuzzy need review: correct the translation, then clear the fuzzy flag."
    )


def _own_metadata(article: ArticleTranslation) -> dict[str, str]:
    run = article.run
    glossary = "none"
    if run is not None and run.glossary_checksum:
        glossary = (
            f"{PurePath(run.glossary).name} {run.glossary_checksum}"
            if run.glossary
            else run.glossary_checksum
        )
    return {
        "Project-Id-Version": article.name,
        "Language": "en",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS,
        "X-Generator": f"songngu {__version__}",
        "X-Songngu-Model": f"{run.model} {run.model_revision}".strip() if run is not None else "unknown",
        "X-Songngu-Glossary": catalog_text(glossary),
        "X-Songngu-Precision": run.precision if run is not None else "unknown",
        "X-Source-Language": "vi",  # Poedit shows the source language from this
        "X-Songngu-Run": run.run_id if run is not None else "",
    }


def _timestamp(now: datetime | None) -> str:
    if now is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        now = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC).strftime(DATE_FORMAT)


def _signature(catalog: polib.POFile) -> tuple[object, ...]:
    """The content that matters for POT-Creation-Date: everything but the two dates."""
    # The run id changes on every run; it is not content.
    skip = ("POT-Creation-Date", "PO-Revision-Date", "X-Songngu-Run")
    metadata = {k: v for k, v in catalog.metadata.items() if k not in skip}
    entries = tuple(
        (
            e.obsolete,
            e.msgctxt,
            e.msgid,
            e.msgstr,
            tuple(e.flags),
            e.comment if not e.obsolete else "",
            e.tcomment,
            tuple(e.occurrences) if not e.obsolete else (),
            e.previous_msgctxt if not e.obsolete else None,
            e.previous_msgid if not e.obsolete else None,
        )
        for e in catalog
    )
    return (sorted(metadata.items()), entries)


# ------------------------------------------------------------------------------------- merging


def _old_unit(entry: polib.POEntry) -> ReviewedUnit:
    """An old entry read as a reviewed unit (an obsolete one as the entry it becomes if revived:
    without notes, its msgstr is a reviewer's)."""
    unit = entry_unit(entry, revived=True)
    assert unit is not None  # the merge pairs sentences: no header, no plural entries
    return unit


def _merge(
    fresh: Sequence[polib.POEntry], old_entries: Sequence[polib.POEntry]
) -> tuple[list[polib.POEntry], list[polib.POEntry], Pairing]:
    """Pair fresh entries with old ones by their sentences (:mod:`songngu.translate.pairing`); return
    the active entries in article order, the obsolete ones, and the pairing."""
    pairing = pair_sentences(
        [Sentence(e.msgctxt or "", e.msgid) for e in fresh],
        [Sentence(e.msgctxt or "", e.msgid, bool(e.obsolete)) for e in old_entries],
    )
    active = [
        _merge_entry(new, None if pair.old is None else old_entries[pair.old], pair.kind)
        for new, pair in zip(fresh, pairing.pairs, strict=True)
    ]
    used = {pair.old for pair in pairing.pairs}
    obsolete = [e for j, e in enumerate(old_entries) if e.obsolete and j not in used]
    obsolete.extend(_obsolete(old_entries[j]) for j in pairing.deleted)
    return active, obsolete, pairing


def _merge_entry(new: polib.POEntry, old: polib.POEntry | None, kind: MergeKind) -> polib.POEntry:
    merged = _merge_kept(new, old, kind)
    if old is None:
        return merged
    notes = read_notes(merged.comment or "")
    songngu_text = notes.baseline.text if notes.baseline is not None else merged.msgstr
    if one_line(merged.msgstr) != one_line(songngu_text):
        # The reviewer's text stays: the findings were about songngu's text, which is not shown.
        # (A confirmed entry whose own text the checks found something in stays confirmed, with the
        # note and the flag: the reviewer decided; the flag points them back at it.)
        merged.comment = "\n".join(without_qa(note_lines(merged.comment)))  # wrapped ones whole
        notes = read_notes(merged.comment)
    # The flag follows the findings the entry's notes keep (the old ones, where the merge kept them).
    merged.flags = [f for f in merged.flags if f != QA_FLAG] + ([QA_FLAG] if notes.flagged else [])
    return merged


def _merge_kept(new: polib.POEntry, old: polib.POEntry | None, kind: MergeKind) -> polib.POEntry:
    if old is None:
        return new
    new.tcomment = old.tcomment
    own = (FUZZY, QA_FLAG)  # songngu's flags, decided afresh; the others are the reviewer's
    new.flags = [f for f in old.flags if f not in own] + [f for f in new.flags if f == FUZZY]
    unit = _old_unit(old)
    review, confirmed = unit.carries_review, unit.confirmed
    if review and kind is not MergeKind.CHANGED and unit.baseline is not None:
        # The same sentence keeps the reviewer's translation, and with it the notes of what the
        # reviewer started from: the baseline (so edited and HTER stay true however often it is
        # re-run, with a memory that now holds the reviewer's translation too) and its terms.
        new.comment = old.comment
    if kind is MergeKind.CHANGED:
        if review:
            new.msgstr = old.msgstr
        pending = FUZZY in old.flags and old.previous_msgid is not None and review
        new.previous_msgctxt = old.previous_msgctxt if pending else old.msgctxt
        new.previous_msgid = old.previous_msgid if pending else old.msgid
        _set_fuzzy(new, True)
    elif confirmed:
        new.msgstr = old.msgstr
        _set_fuzzy(new, False)
    elif review:  # an edited draft, still fuzzy
        new.msgstr = old.msgstr
        new.previous_msgctxt, new.previous_msgid = old.previous_msgctxt, old.previous_msgid
        _set_fuzzy(new, True)
    elif old.previous_msgid is not None and FUZZY in old.flags and kind is not MergeKind.REVIVED:
        # The source changed in an earlier run and nobody has looked yet: keep showing the change.
        new.previous_msgctxt, new.previous_msgid = old.previous_msgctxt, old.previous_msgid
        _set_fuzzy(new, True)
    return new


def _set_fuzzy(entry: polib.POEntry, fuzzy: bool) -> None:
    entry.flags = [f for f in entry.flags if f != FUZZY] + ([FUZZY] if fuzzy else [])


def _obsolete(entry: polib.POEntry) -> polib.POEntry:
    # polib writes neither #. nor #: for obsolete entries and does not read #~| back; clearing them
    # keeps a re-render identical.
    entry.obsolete = True
    entry.comment = ""
    entry.occurrences = []
    entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
    return entry
