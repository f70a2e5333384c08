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
reviewed catalog alone says whether the reviewer edited the translation or accepted it. Where a
merge keeps a reviewer's msgstr, the findings (about the new machine text, not shown) are dropped.

Merging with the catalog already on disk (``existing``): every fresh entry is paired with its
predecessor by :mod:`songngu.translate.pairing` (by the sentence's text, never by ``msgctxt`` or
position alone), then, by the kind of pair:

- kept (same ``msgctxt`` and ``msgid``) or moved (same ``msgid`` under another ``msgctxt``: a
  sentence was added or removed before it), confirmed (not fuzzy, msgstr non-empty): msgstr,
  translator comments (``#``) and flags kept; ``#.`` comments and ``#:`` references refreshed.
- kept or moved, still fuzzy: the new translation, unless the reviewer already edited the msgstr
  (it differs from its "machine translation:" note): then the draft is kept, fuzzy.
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

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePath

import polib

from songngu import __version__
from songngu.errors import InputError
from songngu.textfile import read_lines, read_text
from songngu.translate.formats.base import MergingFormat, paragraph_of
from songngu.translate.formats.characters import portable_text
from songngu.translate.pairing import MergeKind, MergeSummary, Pairing, Sentence, pair_sentences
from songngu.translate.qa.findings import Finding
from songngu.translate.records import ArticleTranslation, Method, SegmentResult

FUZZY = "fuzzy"
CATALOG_BATCH = 1000  # entries per catalog read_catalog_batches yields

# Labels of the extracted comments; review.py reads them back.
GLOSSARY_NOTE = "glossary:"
MACHINE_NOTE = "machine translation:"
MEMORY_NOTE = "translation memory:"
ALIGNED_NOTE = "aligned translation:"
REUSED_NOTE = "reused:"
ALIGNMENT_NOTE = "alignment:"
SUGGESTION_NOTE = "memory suggestion"
UNCONSTRAINED_NOTE = "unconstrained:"
VIOLATED_NOTE = "constraints could not be met"
PIECES_NOTE = "too long for the model: translated in"
TRUNCATED_NOTE = "TRUNCATED:"
QA_NOTE = "qa:"
# The flag of an entry the quality checks found something in (an error or a warning): PO editors
# filter on flags, and a ``#, songngu-qa`` line is kept by msgfmt, msgmerge and Translate Toolkit.
QA_FLAG = "songngu-qa"
TERM_ARROW = " → "
MET, NOT_MET = "[met]", "[NOT MET]"

# Header fields songngu sets on every render; any other field (a reviewer tool's) is kept.
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
DATE_FORMAT = "%Y-%m-%d %H:%M+0000"
DEFAULT_TRANSLATOR = "songngu (machine translation)"
DEFAULT_TEAM = "English"
ENGLISH = re.compile(r"en(?:[_-][A-Za-z0-9]+)?(?:@\w+)?", re.IGNORECASE)


def english_language(value: str) -> bool:
    """Whether a Language header names English ("en", "en_US", "en-GB", "en@quot")."""
    return ENGLISH.fullmatch(value.strip()) is not None


# --------------------------------------------------------------------------------------- notes


@dataclass(frozen=True)
class TermNote:
    """A ``#. glossary: vi → en [met]`` line read back."""

    vi: str
    en: str
    met: bool


@dataclass
class EntryNotes:
    """What songngu's extracted comments say about an entry."""

    machine: str | None = None  # the model's output ("machine translation: …")
    memory: str | None = None  # the reused human translation ("translation memory: …")
    aligned: str | None = None  # the English sentence alignment paired it with ("aligned translation: …")
    terms: list[TermNote] = field(default_factory=list)

    @property
    def baseline(self) -> str | None:
        """The text the reviewer started from, if songngu wrote one."""
        for text in (self.machine, self.memory, self.aligned):
            if text is not None:
                return text
        return None


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (line breaks included) made one space, stripped.

    Notes are single lines; reviewed text is compared with them in this form, so whitespace-only
    differences do not count as edits.
    """
    return " ".join(text.split())


def read_notes(entry: polib.POEntry) -> EntryNotes:
    """Parse songngu's ``#.`` comments of ``entry`` (unknown lines are ignored)."""
    return parse_notes(entry.comment or "")


def parse_notes(comment: str) -> EntryNotes:
    """Parse songngu's notes, one per line (the ``#.`` comment of an entry, or the ``<note>``s of an
    XLIFF unit joined by line breaks); unknown lines are ignored."""
    notes = EntryNotes()
    # Values are read stripped: polib drops the trailing blanks of comment lines.
    for line in _note_lines(comment):
        if line.startswith(MACHINE_NOTE):
            notes.machine = line[len(MACHINE_NOTE) :].strip()
        elif line.startswith(MEMORY_NOTE):
            notes.memory = line[len(MEMORY_NOTE) :].strip()
        elif line.startswith(ALIGNED_NOTE):
            notes.aligned = line[len(ALIGNED_NOTE) :].strip()
        elif line.startswith(GLOSSARY_NOTE):
            term = _parse_term_note(line[len(GLOSSARY_NOTE) :].strip())
            if term is not None:
                notes.terms.append(term)
    return notes


_LABELS = (
    GLOSSARY_NOTE,
    MACHINE_NOTE,
    MEMORY_NOTE,
    ALIGNED_NOTE,
    ALIGNMENT_NOTE,
    REUSED_NOTE,
    SUGGESTION_NOTE,
    UNCONSTRAINED_NOTE,
    VIOLATED_NOTE,
    PIECES_NOTE,
    TRUNCATED_NOTE,
    QA_NOTE,
)


def _note_lines(comment: str) -> list[str]:
    """The notes of an extracted comment, each on one line again.

    Tools that wrap long lines (polib and msgcat at 78 or 79 columns, unless told not to) split a
    note over several ``#.`` lines; a line that starts with no known label continues the one before.
    """
    lines: list[str] = []
    for line in comment.split("\n"):
        if lines and not line.startswith(_LABELS):
            lines[-1] = f"{lines[-1]} {line.strip()}".rstrip()
        else:
            lines.append(line)
    return lines


def _parse_term_note(text: str) -> TermNote | None:
    for mark, met in ((MET, True), (NOT_MET, False)):
        if text.endswith(" " + mark):
            vi, arrow, en = text[: -len(mark) - 1].partition(TERM_ARROW)
            if arrow and vi and en:
                return TermNote(vi=vi, en=en, met=met)
    return None


def entry_notes(result: SegmentResult) -> list[str]:
    """The ``#.`` lines for one record, in a fixed order."""
    lines = [
        f"{GLOSSARY_NOTE} {_note(t.vi)}{TERM_ARROW}{_note(t.en)} {MET if t.met else NOT_MET}"
        for t in result.terms
    ]
    if result.violated:
        lines.append(VIOLATED_NOTE)
    if result.pieces > 1:
        lines.append(f"{PIECES_NOTE} {result.pieces} pieces, split at clause boundaries; check the joins")
    if result.truncated:
        lines.append(
            f"{TRUNCATED_NOTE} part of the sentence is longer than the model reads and was cut; "
            "translate it by hand"
        )
    if result.unconstrained is not None and _note(result.unconstrained) != _note(result.target):
        lines.append(f"{UNCONSTRAINED_NOTE} {_note(result.unconstrained)}")
    if result.suggestion is not None:
        similarity = result.suggestion_similarity
        percent = f" ({round(similarity * 100)}%)" if similarity is not None else ""
        lines.append(f"{SUGGESTION_NOTE}{percent}: {_note(result.suggestion)}")
    if result.method is Method.MEMORY and result.memory_kind:
        doubt = "; not confirmed by a reviewer: check it" if result.memory_kind == "aligned" else ""
        origin = f" from {result.memory_source}" if result.memory_source else ""
        lines.append(f"{REUSED_NOTE} {result.memory_kind} translation{origin}{doubt}")
    if result.method is Method.ALIGNED:
        score = f", score {result.score:.2f}" if result.score is not None else ""
        doubt = ", low confidence: check the pairing" if result.uncertain else ""
        lines.append(f"{ALIGNMENT_NOTE} {result.alignment or '1-1'}{score}{doubt}")
    lines.extend(qa_note(finding) for finding in result.qa)
    label = {Method.MEMORY: MEMORY_NOTE, Method.ALIGNED: ALIGNED_NOTE}.get(result.method, MACHINE_NOTE)
    lines.append(f"{label} {_note(result.target)}".rstrip())
    return lines


def qa_note(finding: Finding) -> str:
    """``qa: error numbers: '1.500' (1,500) is not in the translation``: one finding as a note."""
    return f"{QA_NOTE} {finding.severity} {finding.check}: {_note(finding.message)}"


def has_qa_flag(result: SegmentResult) -> bool:
    """Whether the entry of ``result`` carries :data:`QA_FLAG`: a finding that needs review."""
    return any(finding.needs_review for finding in result.qa)


def _note(text: str) -> str:
    return one_line(catalog_text(text))


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


class PoFormat(MergingFormat):
    """``<name>.po``: the review catalog, merged with the one already there."""

    suffix = ".po"

    def check_existing(self, existing: str, *, name: str) -> None:
        parse_catalog(existing, name)

    def render(self, article: ArticleTranslation, existing: str | None = None, *, name: str = "") -> str:
        return merge_text(article, existing, name or article.name + self.suffix)

    def summarise(self, article: ArticleTranslation, existing: str, *, name: str = "") -> MergeSummary:
        old = parse_catalog(existing, name or article.name + self.suffix)
        return merge_catalog(article, old)[1]

    def parse(self, text: str, name: str = "<po>") -> ArticleTranslation:
        """One unit per active entry: ``msgctxt`` as id, ``msgid`` and ``msgstr``, the line of its
        ``#:`` reference; a sentence the memory supplied has method ``memory``. Whether a reviewer
        confirmed it is :mod:`songngu.translate.review`'s business. Parsed strictly
        (:func:`parse_catalog`)."""
        results = [
            SegmentResult(
                id=entry.msgctxt or "",
                source=entry.msgid,
                target=entry.msgstr,
                paragraph=paragraph_of(entry.msgctxt or ""),
                method=Method.MEMORY if read_notes(entry).memory is not None else Method.UNCONSTRAINED,
                line=_reference_line(entry),
            )
            for entry in parse_catalog(text, name)
            if not entry.obsolete
        ]
        return ArticleTranslation(self.article_name(name), name, None, results)


def _reference_line(entry: polib.POEntry) -> int:
    lines = [line for _, line in entry.occurrences if line.isdigit()]
    return int(lines[0]) if lines else 0


def _fresh_entry(article: ArticleTranslation, result: SegmentResult) -> polib.POEntry:
    return polib.POEntry(
        msgctxt=result.id,
        msgid=catalog_text(result.source),
        msgstr=catalog_text(result.target),
        comment="\n".join(entry_notes(result)),
        # The line in the source file, so that Poedit and Lokalize open the file where the sentence is.
        occurrences=[
            (_reference_file(article.path or article.name), str(result.line) if result.line else "")
        ],
        flags=([FUZZY] if needs_review(result) else []) + ([QA_FLAG] if has_qa_flag(result) else []),
    )


def needs_review(result: SegmentResult) -> bool:
    """Whether the entry starts fuzzy: the model's output does; a reviewer's translation reused from
    the memory does not, one the memory holds from aligning an archive does; an aligned sentence does
    only when the aligner was unsure of the pairing (a Vietnamese sentence with no English is simply
    untranslated). A sentence the quality checks found something in stays fuzzy, whatever its origin."""
    if has_qa_flag(result):
        return True
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


def _carries_review(entry: polib.POEntry) -> bool:
    """Whether ``entry``'s msgstr is a reviewer's: confirmed, or a draft that differs from the text
    songngu put there (an entry without that note, e.g. an obsolete one, counts as a draft)."""
    if not entry.msgstr:
        return False
    if FUZZY not in entry.flags:
        return True
    baseline = read_notes(entry).baseline
    return baseline is None or one_line(entry.msgstr) != one_line(baseline)


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
    if old is not None and one_line(merged.msgstr) != one_line(_songngu_text(merged)):
        # The reviewer's text stays: the findings were about the new machine text, which is not shown.
        # (A confirmed entry whose text the checks do find something in stays confirmed, with the
        # note and the flag: the reviewer decided; the flag points them back at it.)
        merged.comment = "\n".join(
            line for line in merged.comment.split("\n") if not line.startswith(QA_NOTE)
        )
        merged.flags = [f for f in merged.flags if f != QA_FLAG]
    return merged


def _songngu_text(entry: polib.POEntry) -> str:
    """The msgstr songngu put in ``entry``: its "machine translation:", "translation memory:" or
    "aligned translation:" note (the entry's msgstr when it has none)."""
    baseline = read_notes(entry).baseline
    return entry.msgstr if baseline is None else baseline


def _merge_kept(new: polib.POEntry, old: polib.POEntry | None, kind: MergeKind) -> polib.POEntry:
    if old is None:
        return new
    new.tcomment = old.tcomment
    own = (FUZZY, QA_FLAG)  # songngu's flags, decided afresh; the others are the reviewer's
    new.flags = [f for f in old.flags if f not in own] + [f for f in new.flags if f in own]
    review = _carries_review(old)
    confirmed = review and FUZZY not in old.flags
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


# ------------------------------------------------------------------------------------- parsing


def load_catalog(path: str | os.PathLike[str]) -> polib.POFile:
    """Read and strictly parse a PO file (UTF-8, English); errors say file and line or byte."""
    return parse_catalog(read_text(path), path)


def parse_catalog(text: str, name: str | os.PathLike[str] = "<po>") -> polib.POFile:
    """Strictly parse a PO catalog's text.

    polib alone accepts much that ``msgfmt`` refuses (an unterminated string, a msgid without
    msgstr, duplicate entries), so the text is checked line by line first. The header must declare
    an English Language and, if it declares a charset, UTF-8. Every error is an InputError
    ``"NAME:LINE: …"``.
    """
    for _ in _entry_ends(_lines(text), name):
        pass
    try:
        # polib reads its argument as a path when it names an existing file; text with a line
        # break never does.
        catalog = polib.pofile(text if "\n" in text else text + "\n", encoding="utf-8", wrapwidth=0)
    except (OSError, ValueError) as exc:
        match = re.search(r"\(line (\d+)\)(?::\s*(.*))?", str(exc))
        line = match.group(1) if match else "1"
        detail = match.group(2) if match and match.group(2) else "syntax error"
        raise InputError(f"{name}:{line}: malformed PO: {detail}") from None
    _check_header(catalog, text, name)
    return catalog


_Fail = Callable[[int, str], InputError]  # makes the error for a line number and a message
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr\[(\d+)\]|msgstr)(?=\s|\")\s*(.*)\Z")
_VALID_ESCAPES = set('\\"ntrvbf')


@dataclass
class _Entry:
    """The entry being read by :func:`_entry_ends`."""

    first_line: int = 0
    obsolete: bool | None = None
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_line: int = 0
    last_line: int = 0  # the entry's last keyword or string line
    parts: list[str] = field(default_factory=list)  # keywords seen, in order


def _entry_ends(lines: Iterable[str], name: str | os.PathLike[str]) -> Iterator[int]:
    """Check a catalog's lines as msgfmt would, yielding the last line of each entry as it ends
    (comments before an entry belong to it); raises InputError ``NAME:LINE: …`` at the first fault.

    Memory stays small however long the catalog: entries are not kept, and duplicates are found by a
    128-bit digest of each (msgctxt, msgid).
    """
    keys: dict[bytes, int] = {}
    entry = _Entry()
    last: str | None = None  # the field a continuation string adds to

    def fail(line: int, message: str) -> InputError:
        return InputError(f"{name}:{line}: malformed PO: {message}")

    def finish(line: int) -> int:
        """Close the entry being read; its last line, or 0 when there was none."""
        nonlocal entry, last
        end = 0
        if entry.parts:
            if entry.parts[-1] in ("msgctxt",):
                raise fail(entry.first_line, "msgctxt without msgid")
            if entry.parts[-1] in ("msgid", "msgid_plural"):
                raise fail(entry.msgid_line, "msgid without msgstr")
            key = _digest(entry.msgctxt, entry.msgid or "")
            if key in keys:
                raise fail(entry.msgid_line, f"duplicate entry (first defined at line {keys[key]})")
            keys[key] = entry.msgid_line
            end = entry.last_line
        entry, last = _Entry(first_line=line), None
        return end

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        obsolete = False
        if line.startswith("#~") and not line.startswith("#~|"):
            rest = line[2:].strip()
            if not rest:
                continue
            if not (rest.startswith('"') or _KEYWORD.match(rest)):
                continue  # an obsolete comment line
            obsolete, line = True, rest
        elif line.startswith("#|"):
            _check_previous(line[2:].strip(), number, fail)
            if entry.parts and entry.parts[-1].startswith("msgstr"):
                yield finish(number)
            continue
        elif line.startswith("#"):
            if entry.parts and entry.parts[-1].startswith("msgstr"):
                yield finish(number)
            elif entry.parts:
                raise fail(number, f"comment inside an entry (after {entry.parts[-1]})")
            continue

        if line.startswith('"'):
            if last is None:
                raise fail(number, "string continuation outside msgctxt, msgid or msgstr")
            if obsolete != bool(entry.obsolete):
                raise fail(number, "obsolete (#~) and active lines mixed in one entry")
            value = _string(line, number, fail)
            entry.last_line = number
            if last == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + value
            elif last == "msgid":
                entry.msgid = (entry.msgid or "") + value
            continue

        match = _KEYWORD.match(line)
        if match is None:
            word = line.split(None, 1)[0]
            raise fail(
                number, f"unexpected {word[:40]!r} (expected msgctxt, msgid, msgstr, a quoted string or #)"
            )
        keyword, plural_index, rest = match.group(1), match.group(2), match.group(3)
        value = _string(rest, number, fail)
        kind = "msgstr[]" if plural_index is not None else keyword
        previous = entry.parts[-1] if entry.parts else None
        if kind in ("msgctxt", "msgid") and previous is not None and previous.startswith("msgstr"):
            yield finish(number)
            previous = None
        allowed = {
            "msgctxt": (None,),
            "msgid": (None, "msgctxt"),
            "msgid_plural": ("msgid",),
            "msgstr": ("msgid",),
            "msgstr[]": ("msgid_plural", "msgstr[]"),
        }[kind]
        if previous not in allowed:
            if kind in ("msgctxt", "msgid") and previous in ("msgid", "msgid_plural"):
                raise fail(entry.msgid_line, "msgid without msgstr")
            if kind.startswith("msgstr") and (previous is None or previous.startswith("msgstr")):
                raise fail(number, "msgstr without msgid")
            if kind == "msgstr" and previous in ("msgid_plural", "msgstr[]"):
                raise fail(number, "plural entry needs msgstr[0], msgstr[1], …")
            if kind == "msgstr[]" and previous == "msgid":
                raise fail(number, "msgstr[N] without msgid_plural")
            expected = {"msgctxt": "msgid", "msgid": "msgstr", "msgid_plural": "msgstr"}.get(
                previous or "", ""
            )
            raise fail(number, f"{keyword} where {expected or 'a new entry'} was expected")
        if not entry.parts:
            entry.first_line = entry.first_line or number
            entry.obsolete = obsolete
        elif obsolete != entry.obsolete:
            raise fail(number, "obsolete (#~) and active lines mixed in one entry")
        if kind == "msgctxt":
            entry.msgctxt = value
        elif kind == "msgid":
            entry.msgid, entry.msgid_line = value, number
        entry.parts.append(kind)
        entry.last_line = number
        last = kind
    end = finish(0)
    if end:
        yield end


def _digest(msgctxt: str | None, msgid: str) -> bytes:
    key = "\x04".join(("" if msgctxt is None else "\x01" + msgctxt, msgid))  # \x01: None is not ""
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def read_catalog_batches(
    path: str | os.PathLike[str], batch_size: int = CATALOG_BATCH
) -> Iterator[polib.POFile]:
    """Read a PO file as :func:`load_catalog` does, as a stream: catalogs of at most ``batch_size``
    entries each, in file order, every one carrying the file's header metadata.

    The same checks apply (an error is raised when the reader reaches it, so a caller that must
    refuse before acting reads to the end first); memory holds one batch, not the file.
    """
    buffer: list[str] = []  # lines read and not yet parsed; buffer[0] is line ``first``
    first = 1
    header: polib.POFile | None = None

    def reading() -> Iterator[str]:
        for line in read_lines(path):
            buffer.append(line)
            yield line

    def parse(count: int) -> polib.POFile:
        nonlocal first, header
        catalog = _parse_lines(buffer[:count], first, path)
        if header is None:
            _check_header(catalog, "\n".join(buffer[:count]), path)
            header = catalog
        else:
            catalog.metadata = header.metadata
        del buffer[:count]
        first += count
        return catalog

    entries = 0
    for end in _entry_ends(reading(), path):
        entries += 1
        if entries == batch_size:
            yield parse(end - first + 1)
            entries = 0
    if entries or header is None:
        yield parse(len(buffer))


def _parse_lines(lines: list[str], first: int, name: str | os.PathLike[str]) -> polib.POFile:
    """polib's reading of lines already checked by :func:`_entry_ends`; ``first`` is the first's number."""
    # polib's parser, as polib.pofile() runs it; its transition table holds bound methods of the
    # parser itself, a reference cycle that would keep every batch's lines and entries alive until
    # the next full garbage collection (memory growing with the file). Clearing it frees them now.
    parser = polib._POFileParser("\n".join(lines) + "\n", encoding="utf-8", check_for_duplicates=False)
    try:
        catalog = parser.parse()
    except (OSError, ValueError) as exc:  # pragma: no cover - the line check refuses first
        match = re.search(r"\(line (\d+)\)", str(exc))
        line = int(match.group(1)) + first - 1 if match else first
        raise InputError(f"{name}:{line}: malformed PO: {one_line(str(exc))}") from None
    finally:
        parser.transitions.clear()
    catalog.wrapwidth = 0
    return catalog


def _lines(text: str) -> Iterator[str]:
    # polib splits with str.splitlines, so line numbers must count the same way.
    return iter(text.splitlines())


def _string(token: str, number: int, fail: _Fail) -> str:
    """The value of one quoted PO string (the whole token must be the string)."""
    if not token.startswith('"'):
        raise fail(number, "expected a quoted string")
    chars: list[str] = []
    i = 1
    while i < len(token):
        char = token[i]
        if char == "\\":
            escape = token[i + 1 : i + 2]
            if escape not in _VALID_ESCAPES or not escape:
                raise fail(number, f"unsupported escape sequence \\{escape} in string")
            chars.append(polib.unescape("\\" + escape))
            i += 2
            continue
        if char == '"':
            if token[i + 1 :].strip():
                raise fail(number, 'text after the closing quote (an unescaped " inside the string?)')
            return "".join(chars)
        chars.append(char)
        i += 1
    raise fail(number, 'unterminated string (missing closing ")')


def _check_previous(rest: str, number: int, fail: _Fail) -> None:
    if rest.startswith('"'):
        _string(rest, number, fail)
        return
    match = _KEYWORD.match(rest)
    if match is None or match.group(1) not in ("msgctxt", "msgid", "msgid_plural"):
        raise fail(number, "#| line must hold msgctxt, msgid, msgid_plural or a quoted string")
    _string(match.group(3), number, fail)


def _check_header(catalog: polib.POFile, text: str, name: str | os.PathLike[str]) -> None:
    language = catalog.metadata.get("Language")
    line = _header_line(text, "Language")
    if language is None:
        raise InputError(
            f"{name}:{_header_line(text, None)}: the header has no Language field; "
            "songngu imports English catalogs (Language: en)"
        )
    if not english_language(language):
        raise InputError(
            f"{name}:{line}: header says Language: {one_line(language) or '(empty)'}; "
            "songngu catalogs are English (en, en_US, en-GB, …)"
        )
    content_type = catalog.metadata.get("Content-Type", "")
    charset = re.search(r"charset=([^\s;]+)", content_type)
    if charset and charset.group(1).upper().replace("-", "") not in ("UTF8", "CHARSET"):
        raise InputError(
            f"{name}:{_header_line(text, 'Content-Type')}: header declares charset={charset.group(1)}; "
            "songngu reads PO files as UTF-8 (convert with: msgconv --to-code=UTF-8)"
        )


def _header_line(text: str, field_name: str | None) -> int:
    """Line number of a header field (or of the header's msgstr), 1 if not found."""
    pattern = (
        re.compile(r'\s*"' + re.escape(field_name) + r"\s*:") if field_name else re.compile(r'\s*msgid\s+""')
    )
    for number, line in enumerate(_lines(text), start=1):
        if pattern.match(line):
            return number
    return 1
