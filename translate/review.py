"""Bringing reviewed work back: PO catalogs, XLIFF files and TMX memories into the translation memory.

Every file is read through the registry's reader of reviewed units
(:func:`songngu.translate.formats.reader_for`), so the rules are those of
:mod:`songngu.translate.reviewed`: a **confirmed** unit is stored; it is **edited** when its text
differs from the baseline songngu wrote beside it (the "machine translation:", "translation
memory:" or "aligned translation:" note), **accepted unchanged** when it does not (whitespace
aside); a unit without a baseline (a catalog songngu did not write, another tool's memory) is a
human translation (edited). Units still new, machine or fuzzy are left for later; obsolete ones
are not counted. A unit songngu's own ``export-tm`` marked aligned stays aligned, with its score.

Each stored unit records the file name (origin), the segment id (a PO catalog without ``msgctxt``:
its first ``#:`` reference; a TMX unit without ``tuid``: ``#N``), whether it was edited, and as
time when the reviewer's tool saved it (PO-Revision-Date, the XLIFF ``<file date>``, the TMX
unit's date), else the import time. The memory keeps one unit per pair (source and target), each
with every origin it came from (:mod:`songngu.translate.memory`).

A reviewer who replaced a glossary term the baseline met (a ``glossary: vi → en [met]`` term that
the reviewed text no longer has in any accepted rendering, by the rule the engine used to call it
met, :func:`songngu.translate.phrase.contains_phrase`: a change of case counts) may have found a
better rendering: such changes are reported as candidate glossary rows, CSV in the glossary table
format, for a curator to review. The proposed ``en`` is what the reviewer wrote in the term's place
(aligned word by word against the baseline), empty when that cannot be told.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from songngu.errors import InputError
from songngu.filenames import printable_path
from songngu.glossary.formats.table import COLUMNS
from songngu.spreadsheet import neutralise
from songngu.translate.formats import reader_for
from songngu.translate.memory import MemoryUnit, StoreCounts, TranslationMemory, UnitKind, utc_now
from songngu.translate.reviewed import ReviewedUnit, UnitState, UnitTerm, one_line

_WORD = re.compile(r"\w+|[^\w\s]")


@dataclass
class FileCounts:
    """What one reviewed file holds."""

    path: str
    confirmed: int = 0
    edited: int = 0
    accepted: int = 0  # confirmed without change
    unreviewed: int = 0  # still new, machine or fuzzy: left for later
    aligned: int = 0  # units songngu's export-tm marked aligned: stored as aligned, not as confirmed

    def add(self, other: FileCounts) -> None:
        """Add another file's counts to these."""
        self.confirmed += other.confirmed
        self.edited += other.edited
        self.accepted += other.accepted
        self.unreviewed += other.unreviewed
        self.aligned += other.aligned

    def count(self, unit: ReviewedUnit) -> bool:
        """Count one unit; whether it is to be stored (confirmed, or aligned by songngu)."""
        if unit.state is UnitState.OBSOLETE or not unit.source.strip():
            return False
        if unit.state is not UnitState.CONFIRMED:
            self.unreviewed += 1
            return False
        if unit.kind is UnitKind.ALIGNED:
            self.aligned += 1
            return True
        self.confirmed += 1
        self.edited += unit.edited
        self.accepted += not unit.edited
        return True


@dataclass(frozen=True)
class TermChange:
    """A glossary term the baseline had and the reviewer's translation no longer has."""

    vi: str
    en: str  # the glossary's rendering
    proposed: str  # what the reviewer wrote in its place ("" when unknown)
    origin: str
    segment_id: str
    reviewed: str  # the reviewer's whole sentence


@dataclass
class ReviewedFile:
    """One file read and checked whole, ready to store: nothing touches the memory until then.

    Its units are not kept (a catalog may hold 100,000 of them): :meth:`units` reads them again, as
    a stream, when they are stored.
    """

    path: str
    counts: FileCounts
    term_changes: list[TermChange]
    created: str  # the time of units whose file does not date them

    def units(self) -> Iterator[MemoryUnit]:
        """The units to store, read again from the file.

        Raises InputError if the file no longer reads as it did (changed since it was checked).
        """
        counts = FileCounts(self.path)
        origin = printable_path(PurePath(self.path).name)
        for unit in reader_for(self.path).units(self.path):
            if counts.count(unit):
                yield memory_unit(unit, origin, self.created)
        if (counts.confirmed, counts.aligned) != (self.counts.confirmed, self.counts.aligned):
            raise InputError(f"{self.path}: changed while being imported; nothing stored, import it again")


def memory_unit(unit: ReviewedUnit, origin: str, now: str) -> MemoryUnit:
    """What the memory stores of a confirmed (or songngu-aligned) unit read from file ``origin``."""
    aligned = unit.kind is UnitKind.ALIGNED
    return MemoryUnit(
        source=unit.source,
        target=unit.target,
        origin=origin,
        segment_id=unit.id or unit.reference,
        edited=not aligned and unit.edited,
        created=unit.created or now,
        kind=unit.kind,
        score=unit.score if aligned else None,
    )


@dataclass
class ImportReport:
    """The outcome of one import."""

    files: list[FileCounts]
    stored: int  # units (pairs) newly added to the memory
    already_present: int  # units offered whose pair the memory already held
    new_origins: int = 0  # of those, how many came from a file (or segment) not yet recorded
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
        origins = f" ({self.new_origins} of them from another file or segment)" if self.new_origins else ""
        lines.append(
            f"total: {_counts_text(self.total)}; {self.stored} newly stored, "
            f"{self.already_present} already in the memory{origins}"
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


def read_reviewed(path: str | os.PathLike[str], *, now: str | None = None) -> ReviewedFile:
    """Read one reviewed file (PO, XLIFF or TMX, by the registry) strictly, as a stream: InputError
    "FILE:LINE: …" or "FILE: byte N: …"; counting its units and collecting term changes. ``now``
    (ISO 8601) stands in for a time the file does not record."""
    reader = reader_for(path)
    name = os.fspath(path)
    if not reader.reviewed_work:
        raise InputError(
            f"{name}: a {reader.suffixes[0]} file holds no reviewed work; review import takes "
            "reviewed PO and XLIFF files and TMX memories"
        )
    origin = printable_path(PurePath(name).name)
    counts = FileCounts(path=name)
    changes: list[TermChange] = []
    for unit in reader.units(path):
        if counts.count(unit) and unit.kind is UnitKind.REVIEWED:
            changes.extend(_term_changes(unit, origin))
    return ReviewedFile(name, counts, changes, now or utc_now())


def read_all(paths: Iterable[str | os.PathLike[str]], *, now: str | None = None) -> list[ReviewedFile]:
    """Read every file first: one bad file refuses the whole import before anything is stored."""
    moment = now or utc_now()
    return [read_reviewed(path, now=moment) for path in paths]


def store_reviewed(catalogs: Sequence[ReviewedFile], memory: TranslationMemory) -> ImportReport:
    """Store the units of already-read files in one transaction, streaming them from the files
    (memory holds one batch of entries, whatever the files' size)."""
    stored: StoreCounts = memory.store(unit for catalog in catalogs for unit in catalog.units())
    offered = sum(catalog.counts.confirmed + catalog.counts.aligned for catalog in catalogs)
    return ImportReport(
        files=[catalog.counts for catalog in catalogs],
        stored=stored.added,
        already_present=offered - stored.added,
        new_origins=stored.origins,
        term_changes=[change for catalog in catalogs for change in catalog.term_changes],
    )


def import_reviewed(
    paths: Iterable[str | os.PathLike[str]], memory: TranslationMemory, *, now: str | None = None
) -> ImportReport:
    """Read all files (any error → InputError, memory untouched), then store every confirmed unit
    in one transaction. Re-importing the same files adds nothing."""
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


def _term_changes(unit: ReviewedUnit, origin: str) -> list[TermChange]:
    """The terms a reviewer replaced: met by the baseline, in no accepted rendering in the target."""
    return [
        TermChange(
            vi=term.vi,
            en=term.en,
            proposed=_replacement(term, unit.starting_text, unit.target),
            origin=origin,
            segment_id=unit.id or unit.reference,
            reviewed=one_line(unit.target),
        )
        for term in unit.term_changes()
    ]


def _replacement(term: UnitTerm, machine: str, reviewed: str) -> str:
    """The reviewer's words aligned with the term's words in the machine translation (whichever
    accepted rendering the machine used)."""
    rv = list(_WORD.finditer(reviewed))
    mt_words = [word.lower() for word in _WORD.findall(machine)]
    span = None
    for form in term.accepted or (term.en,):
        term_words = [w.lower() for w in _WORD.findall(form)]
        span = _find(mt_words, term_words) if term_words else None
        if span is not None:
            break
    if span is None:
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
