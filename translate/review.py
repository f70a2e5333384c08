"""Bringing reviewed PO catalogs back: strict reading, and import into the translation memory.

A **confirmed** entry is one a reviewer approved: not fuzzy, not obsolete, msgstr not empty (plural
entries are skipped: they are not sentences). Its msgstr is compared with the "machine translation:"
(or "translation memory:") note songngu wrote beside it: different means the reviewer **edited** it,
equal (ignoring whitespace-only differences) means **accepted unchanged**. An entry without such a
note, as in a catalog songngu did not write, counts as a human translation (edited). Catalogs without
``msgctxt`` are importable as well; their segment id is then the first ``#:`` reference, if any.

Each stored unit records the file name (origin), the segment id, whether it was edited, and as time
the catalog's PO-Revision-Date (when the reviewer's tool last saved it), or the import time when the
header has no usable date.

A reviewer who replaced a glossary term the machine translation met (its ``#. glossary: vi → en
[met]`` term is no longer in the msgstr, by the rule the engine used to call it met,
:func:`songngu.translate.phrase.contains_phrase`: a change of case counts) may have found a better
rendering: such changes are reported as candidate glossary rows, CSV in the glossary table format,
for a curator to review. The proposed ``en`` is what the reviewer wrote in the term's place
(aligned word by word against the machine translation), empty when that cannot be told.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePath

import polib

from songngu.errors import InputError
from songngu.filenames import printable_path
from songngu.glossary.formats.table import COLUMNS
from songngu.spreadsheet import neutralise
from songngu.translate.formats.memory_export import kind_and_score
from songngu.translate.formats.po import (
    FUZZY,
    EntryNotes,
    TermNote,
    one_line,
    parse_notes,
    read_catalog_batches,
    read_notes,
)
from songngu.translate.formats.tmx import read_tmx
from songngu.translate.formats.xliff import SONGNGU, read_xliff
from songngu.translate.memory import MemoryUnit, TranslationMemory, UnitKind, utc_now
from songngu.translate.phrase import contains_phrase

_WORD = re.compile(r"\w+|[^\w\s]")
XLIFF_SUFFIXES = (".xlf", ".xliff")


@dataclass
class FileCounts:
    """What one reviewed catalog holds."""

    path: str
    confirmed: int = 0
    edited: int = 0
    accepted: int = 0  # confirmed without change
    unreviewed: int = 0  # still fuzzy or empty: left for later
    aligned: int = 0  # units songngu's export-tm marked aligned: stored as aligned, not as confirmed

    def add(self, other: FileCounts) -> None:
        """Add another file's counts to these."""
        self.confirmed += other.confirmed
        self.edited += other.edited
        self.accepted += other.accepted
        self.unreviewed += other.unreviewed
        self.aligned += other.aligned


@dataclass(frozen=True)
class TermChange:
    """A glossary term the machine translation had and the reviewer's translation no longer has."""

    vi: str
    en: str  # the glossary's rendering
    proposed: str  # what the reviewer wrote in its place ("" when unknown)
    origin: str
    segment_id: str
    reviewed: str  # the reviewer's whole sentence


@dataclass
class ReviewedCatalog:
    """One catalog read and checked whole, ready to store: nothing touches the memory until then.

    Its confirmed entries are not kept (a catalog may hold 100,000 of them): :meth:`units` reads
    them again, as a stream, when they are stored.
    """

    path: str
    counts: FileCounts
    term_changes: list[TermChange]
    created: str  # the time its units carry
    preread: tuple[MemoryUnit, ...] | None = None  # XLIFF and TMX units, read whole (not re-read)

    def units(self) -> Iterator[MemoryUnit]:
        """The confirmed entries as memory units, read again from the file batch by batch.

        Raises InputError if the file no longer reads as it did (changed since it was checked).
        """
        if self.preread is not None:
            yield from self.preread
            return
        origin = printable_path(PurePath(self.path).name)
        confirmed = 0
        for catalog in read_catalog_batches(self.path):
            for entry, _notes, edited in _confirmed(catalog, FileCounts(self.path)):
                confirmed += 1
                segment_id = entry.msgctxt or _first_reference(entry)
                yield MemoryUnit(entry.msgid, entry.msgstr, origin, segment_id, edited, self.created)
        if confirmed != self.counts.confirmed:
            raise InputError(f"{self.path}: changed while being imported; nothing stored, import it again")


@dataclass
class ImportReport:
    """The outcome of one import."""

    files: list[FileCounts]
    stored: int  # units newly added to the memory
    already_present: int  # units (confirmed or aligned) the memory already held
    term_changes: list[TermChange] = field(default_factory=list)

    @property
    def total(self) -> FileCounts:
        """The counts of all files together."""
        total = FileCounts(path="total")
        for counts in self.files:
            total.add(counts)
        return total

    def summary_lines(self) -> list[str]:
        """One readable line per file, then the total."""
        lines = [f"{c.path}: {_counts_text(c)}" for c in self.files]
        lines.append(
            f"total: {_counts_text(self.total)}; {self.stored} newly stored, "
            f"{self.already_present} already in the memory"
        )
        return lines

    def candidates_csv(self) -> str:
        """Candidate glossary rows (header + one row per distinct term and proposed rendering)."""
        return candidates_csv(self.term_changes)


def _counts_text(c: FileCounts) -> str:
    aligned = f", {c.aligned} aligned by machine (kept as aligned)" if c.aligned else ""
    return (
        f"{c.confirmed} confirmed ({c.edited} edited, {c.accepted} accepted unchanged){aligned}, "
        f"{c.unreviewed} still to review"
    )


def read_reviewed(path: str | os.PathLike[str], *, now: str | None = None) -> ReviewedCatalog:
    """Read one reviewed catalog strictly (InputError "FILE:LINE: …" or "FILE: byte N: …"), as a
    stream, counting its entries and collecting term changes. ``now`` (ISO 8601) stands in for a
    missing PO-Revision-Date. An XLIFF file (``.xlf``, ``.xliff``) or a TMX memory (``.tmx``) is
    read by :func:`read_reviewed_xliff` or :func:`read_reviewed_tmx`, by suffix."""
    suffix = PurePath(path).suffix.lower()
    if suffix in XLIFF_SUFFIXES:
        return read_reviewed_xliff(path, now=now)
    if suffix == ".tmx":
        return read_reviewed_tmx(path, now=now)
    origin = printable_path(PurePath(path).name)
    counts = FileCounts(path=os.fspath(path))
    changes: list[TermChange] = []
    created = ""
    for catalog in read_catalog_batches(path):
        created = created or _revision_time(catalog) or now or utc_now()
        for entry, notes, _edited in _confirmed(catalog, counts):
            segment_id = entry.msgctxt or _first_reference(entry)
            changes.extend(_term_changes(entry, notes, origin, segment_id))
    return ReviewedCatalog(os.fspath(path), counts, changes, created)


def _confirmed(catalog: polib.POFile, counts: FileCounts) -> Iterator[tuple[polib.POEntry, EntryNotes, bool]]:
    """Each confirmed entry with its notes and whether the reviewer edited it; ``counts`` is kept."""
    for entry in catalog:
        if entry.obsolete or entry.msgid_plural or not entry.msgid:
            continue
        if FUZZY in entry.flags or not entry.msgstr.strip():
            counts.unreviewed += 1
            continue
        notes = read_notes(entry)
        baseline = notes.baseline
        edited = baseline is None or one_line(entry.msgstr) != one_line(baseline)
        counts.confirmed += 1
        counts.edited += edited
        counts.accepted += not edited
        yield entry, notes, edited


def read_reviewed_xliff(path: str | os.PathLike[str], *, now: str | None = None) -> ReviewedCatalog:
    """The confirmed units of a reviewed XLIFF 1.2 file: ``approved="yes"``, or a target ``state`` of
    ``final``, ``signed-off`` or ``translated`` (:attr:`XliffUnit.confirmed`), not empty, outside
    songngu's obsolete group and not ``translate="no"``. Edited or accepted is told from songngu's
    "machine translation:" note as in a PO catalog. Time: the ``<file date>``, else ``now``."""
    document = read_xliff(path)
    origin = printable_path(PurePath(path).name)
    created = _iso_time(document.created) or now or utc_now()
    counts = FileCounts(path=os.fspath(path))
    units: list[MemoryUnit] = []
    changes: list[TermChange] = []
    for unit in document.units:
        if unit.obsolete or not unit.source.strip():
            continue
        if not unit.confirmed:
            counts.unreviewed += 1
            continue
        counts.confirmed += 1
        counts.edited += unit.edited
        counts.accepted += not unit.edited
        units.append(
            MemoryUnit(
                unit.source, unit.target, origin, unit.segment_id, unit.edited, created, UnitKind.REVIEWED
            )
        )
        notes = parse_notes("\n".join(note.text for note in unit.notes if note.author == SONGNGU))
        entry = polib.POEntry(msgid=unit.source, msgstr=unit.target)  # what _term_changes reads
        changes.extend(_term_changes(entry, notes, origin, unit.segment_id))
    return ReviewedCatalog(os.fspath(path), counts, changes, created, tuple(units))


def read_reviewed_tmx(path: str | os.PathLike[str], *, now: str | None = None) -> ReviewedCatalog:
    """Every unit of a TMX memory (OmegaT, Trados, memoQ export confirmed translations only), as
    human translations (edited). Segment id: the ``tuid``, else ``#N`` (its place in the file).
    Time: the unit's date, else ``now``. A unit that songngu's own ``export-tm`` marked aligned
    (``x-kind``) stays an aligned unit with its score: passing through a TMX file does not make a
    machine's alignment a reviewer's translation."""
    tmx_units = read_tmx(path)
    origin = printable_path(PurePath(path).name)
    moment = now or utc_now()
    counts = FileCounts(path=os.fspath(path))
    units: list[MemoryUnit] = []
    for number, unit in enumerate(tmx_units, start=1):
        if not unit.source.strip() or not unit.target.strip():
            counts.unreviewed += 1
            continue
        created = unit.changed.strftime("%Y-%m-%dT%H:%M:%SZ") if unit.changed else moment
        segment_id = unit.tuid or f"#{number}"
        kind, score = kind_and_score(unit.props)
        reviewed = kind is UnitKind.REVIEWED
        units.append(MemoryUnit(unit.source, unit.target, origin, segment_id, reviewed, created, kind, score))
        if reviewed:
            counts.confirmed += 1
            counts.edited += 1
        else:
            counts.aligned += 1
    return ReviewedCatalog(os.fspath(path), counts, [], moment, tuple(units))


def _iso_time(value: str | None) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_all(paths: Iterable[str | os.PathLike[str]], *, now: str | None = None) -> list[ReviewedCatalog]:
    """Read every catalog first: one bad file refuses the whole import before anything is stored."""
    moment = now or utc_now()
    return [read_reviewed(path, now=moment) for path in paths]


def store_reviewed(catalogs: Sequence[ReviewedCatalog], memory: TranslationMemory) -> ImportReport:
    """Store the confirmed entries of already-read catalogs in one transaction, streaming them from
    the files (memory holds one batch of entries, whatever the catalogs' size)."""
    stored = memory.store(unit for catalog in catalogs for unit in catalog.units())
    offered = sum(catalog.counts.confirmed + catalog.counts.aligned for catalog in catalogs)
    return ImportReport(
        files=[catalog.counts for catalog in catalogs],
        stored=stored,
        already_present=offered - stored,
        term_changes=[change for catalog in catalogs for change in catalog.term_changes],
    )


def import_reviewed(
    paths: Iterable[str | os.PathLike[str]], memory: TranslationMemory, *, now: str | None = None
) -> ImportReport:
    """Read all catalogs (any error → InputError, memory untouched), then store every confirmed
    entry in one transaction. Re-importing the same files adds nothing."""
    return store_reviewed(read_all(paths, now=now), memory)


def candidates_csv(changes: Iterable[TermChange]) -> str:
    """Glossary table rows (columns as :data:`glossary.formats.table.COLUMNS`) proposing each
    distinct reviewer rendering once; the note says where it was seen. Cells a spreadsheet would run
    as formulas are neutralised (:func:`songngu.spreadsheet.neutralise`), as the glossary reader
    expects."""
    grouped: dict[tuple[str, str], list[TermChange]] = {}
    for change in changes:
        grouped.setdefault((change.vi, change.proposed), []).append(change)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for (vi, proposed), seen in grouped.items():
        first = seen[0]
        where = f"{first.origin} {first.segment_id}"
        note = f'glossary has "{first.en}"; reviewer wrote "{first.reviewed}" ({where})'
        if len(seen) > 1:
            note += "; also " + ", ".join(f"{c.origin} {c.segment_id}" for c in seen[1:])
        row = {"vi": vi, "en": proposed, "note": note}
        writer.writerow([neutralise(row.get(column, "")) for column in COLUMNS])
    return buffer.getvalue()


def _revision_time(catalog: polib.POFile) -> str | None:
    value = catalog.metadata.get("PO-Revision-Date", "").strip()
    try:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M%z")
    except ValueError:
        return None  # absent, or the template's "YEAR-MO-DA HO:MI+ZONE"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _first_reference(entry: polib.POEntry) -> str:
    if not entry.occurrences:
        return ""
    file_name, line = entry.occurrences[0]
    return f"{file_name}:{line}" if line else file_name


def _term_changes(entry: polib.POEntry, notes: EntryNotes, origin: str, segment_id: str) -> list[TermChange]:
    return [
        TermChange(
            vi=term.vi,
            en=term.en,
            proposed=_replacement(term, notes.baseline or "", entry.msgstr),
            origin=origin,
            segment_id=segment_id,
            reviewed=one_line(entry.msgstr),
        )
        for term in notes.terms
        if term.met and not contains_phrase(entry.msgstr, term.en)
    ]


def _replacement(term: TermNote, machine: str, reviewed: str) -> str:
    """The reviewer's words aligned with the term's words in the machine translation."""
    mt = list(_WORD.finditer(machine))
    rv = list(_WORD.finditer(reviewed))
    mt_words = [m.group().lower() for m in mt]
    term_words = [w.lower() for w in _WORD.findall(term.en)]
    span = _find(mt_words, term_words)
    if span is None or not term_words:
        return ""
    start, end = span
    lo, hi = len(rv), -1
    matcher = difflib.SequenceMatcher(a=mt_words, b=[m.group().lower() for m in rv], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "insert":
            if not start <= i1 <= end:  # words added at or inside the term's edges belong to it
                continue
        elif i2 <= start or i1 >= end:
            continue
        if tag == "equal":
            a, b = max(i1, start), min(i2, end)
            j1, j2 = j1 + (a - i1), j1 + (b - i1)
        if j2 > j1:
            lo, hi = min(lo, j1), max(hi, j2)
    if hi <= lo:
        return ""
    return reviewed[rv[lo].start() : rv[hi - 1].end()]


def _find(words: Sequence[str], needle: Sequence[str]) -> tuple[int, int] | None:
    for i in range(len(words) - len(needle) + 1):
        if list(words[i : i + len(needle)]) == list(needle):
            return i, i + len(needle)
    return None
