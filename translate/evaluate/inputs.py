"""Reading what is evaluated: hypotheses, references and sources, from text or reviewed files.

Two kinds of file:

- files with segment ids that the format registry reads as reviewed units
  (:func:`songngu.translate.formats.find_reader`: songngu JSONL records, PO catalogs, XLIFF, TMX,
  bitext TSV): the unit's id is the segment id (a PO entry without ``msgctxt``: its source), its
  source comes along, and so do its terms. As a *hypothesis* a unit gives the translation the
  reviewer started from (its baseline: the machine translation, the memory's or the aligned one;
  else its target); as a *reference* only a confirmed target counts where the file records review
  (PO, XLIFF: not fuzzy, not obsolete, not empty or blank), every translated one elsewhere. Obsolete
  units are left out. These are the rules of :mod:`songngu.translate.reviewed`, the same everywhere.
- line-aligned text (anything else, Moses ``.vi``/``.en`` files included): one segment per line,
  read exactly as the ``sacrebleu`` command line reads it (lines split on ``\\n`` only, trailing
  whitespace dropped), so scores agree with it (one deliberate difference: a leading BOM is
  dropped, as everywhere in songngu).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from songngu.errors import InputError
from songngu.filenames import printable_path
from songngu.textfile import read_text
from songngu.translate.formats import find_reader
from songngu.translate.reviewed import UnitState, UnitTerm


class Role(Enum):
    """What a file is read as; it decides which text of a PO entry counts."""

    HYPOTHESIS = "hypothesis"
    REFERENCE = "reference"


@dataclass(frozen=True)
class Item:
    """One segment of a file. ``text`` is None for a reference entry nobody confirmed."""

    id: str | None
    text: str | None
    source: str | None = None
    terms: tuple[UnitTerm, ...] | None = None  # the terms the file records as required


@dataclass
class Document:
    """One file's segments, in file order."""

    path: str
    name: str  # article name: the file name without its last suffix
    items: list[Item]
    has_ids: bool


@dataclass(frozen=True)
class Pair:
    """A hypothesis aligned with its reference (and source, when known)."""

    id: str | None
    hypothesis: str
    reference: str
    source: str | None = None
    terms: tuple[UnitTerm, ...] | None = None


@dataclass
class Article:
    """The aligned segments of one article: what every metric is computed over."""

    name: str
    hypothesis_path: str
    reference_path: str
    pairs: list[Pair] = field(default_factory=list)
    skipped: int = 0  # reference entries without a confirmed translation

    @property
    def hypotheses(self) -> list[str]:
        return [p.hypothesis for p in self.pairs]

    @property
    def references(self) -> list[str]:
        return [p.reference for p in self.pairs]


def article_name(path: str | os.PathLike[str]) -> str:
    """The file name without its last suffix (``000_x.en`` → ``000_x``), bytes that are not UTF-8
    as their escapes (:func:`songngu.filenames.printable`)."""
    name = printable_path(Path(path).name)
    return name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name


def read_lines(path: str | os.PathLike[str]) -> list[str]:
    """Lines of a text file as ``sacrebleu`` reads them: split on ``\\n``, trailing whitespace dropped."""
    text = read_text(path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip() for line in lines]


def read_document(path: str | os.PathLike[str], role: Role) -> Document:
    """Read a hypothesis or reference file of any supported kind (see the module docstring)."""
    reader = find_reader(path)
    if reader is None or not reader.carries_ids:
        lines = [Item(id=None, text=line) for line in read_lines(path)]
        return Document(printable_path(path), article_name(path), lines, has_ids=False)
    items: list[Item] = []
    seen: set[str] = set()
    for unit in reader.units(path):
        if unit.state is UnitState.OBSOLETE:
            continue
        ident = unit.id or unit.source  # catalogs without msgctxt still match by source
        if ident in seen:
            where = f"{path}:{unit.origin.line}" if unit.origin.line else f"{path}"
            raise InputError(f"{where}: segment {ident!r} appears twice")
        seen.add(ident)
        if role is Role.HYPOTHESIS:
            text: str | None = unit.starting_text
        elif unit.confirmed or (not reader.records_review and unit.state is not UnitState.NEW):
            text = unit.target
        else:
            text = None
        items.append(Item(id=ident, text=text, source=unit.source, terms=unit.terms or None))
    return Document(printable_path(path), article_name(path), items, has_ids=True)


def read_sources(path: str | os.PathLike[str]) -> list[str]:
    """Source sentences: line-aligned text, or the sources of a file with segment ids (JSONL, PO…)."""
    reader = find_reader(path)
    if reader is not None and reader.carries_ids:
        return [item.source or "" for item in read_document(path, Role.HYPOTHESIS).items]
    return read_lines(path)


def align(hypothesis: Document, reference: Document, sources: Sequence[str] | None = None) -> Article:
    """Pair each confirmed reference segment with its hypothesis.

    Both files with ids (JSONL, PO): matched by id, in the reference's order; hypothesis segments
    without a reference are left out. Otherwise matched by position, and the two must have the same
    number of segments. ``sources`` (from ``--src``) are line-aligned with the hypothesis.
    """
    if reference.has_ids and reference.items and all(item.text is None for item in reference.items):
        raise InputError(
            f"{reference.path}: no confirmed entries (every entry is fuzzy, untranslated or obsolete)"
        )
    hyp_items = hypothesis.items
    if sources is not None and len(sources) != len(hyp_items):
        raise InputError(
            f"{hypothesis.path}: {len(hyp_items)} segments, but the source file has {len(sources)} lines"
        )
    indexed: list[tuple[int, Item]]  # (hypothesis index, reference item)
    if hypothesis.has_ids and reference.has_ids:
        position = {item.id: i for i, item in enumerate(hyp_items)}
        indexed = []
        for ref in reference.items:
            if ref.text is None:
                continue
            if ref.id not in position:
                raise InputError(f"{hypothesis.path}: no segment {ref.id!r}, which {reference.path} has")
            indexed.append((position[ref.id], ref))
    else:
        if len(hyp_items) != len(reference.items):
            raise InputError(
                f"{hypothesis.path}: {len(hyp_items)} segments, but the reference "
                f"{reference.path} has {len(reference.items)}; they must be aligned line by line"
            )
        indexed = list(enumerate(reference.items))
    article = Article(hypothesis.name, hypothesis.path, reference.path)
    for index, ref in indexed:
        if ref.text is None:
            continue
        hyp = hyp_items[index]
        source = sources[index] if sources is not None else (hyp.source or ref.source)
        article.pairs.append(Pair(hyp.id or ref.id, hyp.text or "", ref.text, source, hyp.terms))
    article.skipped = sum(1 for ref in reference.items if ref.text is None)
    if not article.pairs:
        raise InputError(f"{reference.path}: no segments to evaluate")
    return article


def pair_files(hypotheses: Sequence[str], references: Sequence[str]) -> list[tuple[str, str]]:
    """Pair hypothesis and reference files: by article name when both sides name the same set of
    articles, otherwise by position (the counts must then be equal)."""
    if len(hypotheses) != len(references):
        raise InputError(
            f"{len(hypotheses)} hypothesis files but {len(references)} reference files; "
            "give one reference per hypothesis"
        )
    hyp_names = [article_name(h) for h in hypotheses]
    ref_names = [article_name(r) for r in references]
    if len(set(hyp_names)) == len(hyp_names) and set(hyp_names) == set(ref_names):
        by_name = dict(zip(ref_names, references, strict=True))
        return [(h, by_name[n]) for h, n in zip(hypotheses, hyp_names, strict=True)]
    return list(zip(hypotheses, references, strict=True))
