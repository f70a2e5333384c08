"""XLIFF 1.2 for CAT tools (memoQ, Trados, Phrase, OmegaT): ``<name>.xlf``, written, merged and read.

Written (valid against the OASIS ``xliff-core-1.2-strict.xsd``):

- ``<xliff version="1.2">`` holding one ``<file original="<article file>" source-language="vi"
  target-language="en" datatype="plaintext">``; its ``build-num`` is the run id (the same id as
  in the JSONL metadata, the PO header and the TMX header: XLIFF 1.2 has no attribute of its own
  for it, and the strict schema admits foreign attributes only with a schema of their own).
- one ``<trans-unit id="<segment id>" resname="<segment id>">`` per segment, in article order, with
  ``<source xml:lang="vi">`` and ``<target xml:lang="en" state="...">``: a machine translation is
  ``needs-review-translation``, a reviewer's translation reused from the memory ``translated`` (one
  the memory holds from aligning an archive needs review, as in the PO catalog);
- a document's sentence carries its inline codes: ``<g id="N" ctype="x-LABEL">`` around text and
  ``<x id="N" ctype="x-LABEL"/>`` for an element without text, ``N`` the code's number in its block
  (:mod:`songngu.translate.formats.markup`); merged and read back with them;
- songngu's notes (``<note from="songngu">``, the same lines as the PO catalog's ``#.``: glossary
  terms met or not, the unconstrained alternative, the memory suggestion, the quality findings
  ("qa: error numbers: …"; such a unit needs review whatever its origin), and the starting text
  "machine translation: …"), and the segment's place in ``<context-group purpose="location">``
  (source file, paragraph, sentence).

Merged with the file already there exactly as the PO catalog is (:mod:`songngu.translate.pairing`
pairs the sentences; the same rules decide what each pair keeps):

- a unit is **confirmed** when ``approved="yes"`` or its target's ``state`` is ``final``,
  ``signed-off`` or ``translated``; kept or moved, it keeps its target, state, approval and the
  reviewer's notes (any ``<note>`` not from songngu), and songngu's notes too when they record a
  baseline (what the reviewer confirmed against), as the PO merge does;
- an unconfirmed target that differs from its baseline note is a reviewer's draft: kept,
  unconfirmed, with its notes;
- an edited sentence (changed) keeps its predecessor's reviewed target as the starting point,
  ``state="needs-review-translation"`` and no approval, and records the predecessor in
  ``<alt-trans alttranstype="previous-version">`` (its source and target): the XLIFF form of PO's
  ``#|``;
- a deleted sentence's unit is kept, with its target, in ``<group id="songngu-obsolete"
  translate="no">`` (ids there are ``obsolete-N``; ``resname`` keeps the segment id). It lends its
  target to no other unit, and comes back when its exact source does.

Read (the file being merged into, and ``review import``) by :mod:`songngu.translate.formats.xliff_read`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import PurePath
from typing import ClassVar

from songngu import __version__
from songngu.translate.formats.base import MergingFormat, UnitReader
from songngu.translate.formats.characters import portable_text
from songngu.translate.formats.markup import plain_text, xliff_inline
from songngu.translate.formats.notes import notes_for, read_notes, without_qa
from songngu.translate.formats.po import needs_review
from songngu.translate.formats.tmx import xml_attribute, xml_text
from songngu.translate.formats.xliff_read import (
    NAMESPACE,
    OBSOLETE_GROUP,
    SONGNGU,
    Note,
    XliffUnit,
    document_units,
    loads_xliff,
)
from songngu.translate.pairing import MergeKind, MergeSummary, Pairing, Sentence, pair_sentences
from songngu.translate.records import ArticleTranslation, RunInfo, SegmentResult
from songngu.translate.reviewed import ReviewedUnit, one_line

MACHINE_STATE = "needs-review-translation"
MEMORY_STATE = "translated"


# ------------------------------------------------------------------------------------ writing


def article_units(article: ArticleTranslation) -> list[XliffUnit]:
    """The units of a fresh translation of ``article``, before any merge."""
    original = PurePath(article.path or article.name).name
    return [_fresh_unit(result, original) for result in article.results]


def _fresh_unit(result: SegmentResult, original: str) -> XliffUnit:
    return XliffUnit(
        id=result.id,
        segment_id=result.id,
        source=portable_text(result.catalog_source),
        target=portable_text(result.catalog_target),
        state=MACHINE_STATE if needs_review(result) else MEMORY_STATE,
        notes=tuple(Note(SONGNGU, line) for line in notes_for(result)),
        original=original,
        paragraph=result.paragraph,
        sentence=_sentence_number(result.id),
    )


def _sentence_number(segment_id: str) -> int:
    last = segment_id.rsplit(":", 1)[-1]
    return int(last) if last.isdigit() else 0


def merge_units(
    fresh: Sequence[XliffUnit], old: Sequence[XliffUnit]
) -> tuple[list[XliffUnit], list[XliffUnit], Pairing]:
    """Pair ``fresh`` units with ``old`` ones and keep the reviewer's work (module docstring);
    return the active units, the obsolete ones, and the pairing."""
    pairing = pair_sentences(
        [Sentence(unit.segment_id, unit.source) for unit in fresh],
        [Sentence(unit.segment_id, unit.source, unit.obsolete) for unit in old],
    )
    active = [
        _merge_unit(unit, None if pair.old is None else old[pair.old], pair.kind)
        for unit, pair in zip(fresh, pairing.pairs, strict=True)
    ]
    used = {pair.old for pair in pairing.pairs}
    obsolete = [unit for j, unit in enumerate(old) if unit.obsolete and j not in used]
    obsolete.extend(replace(old[j], obsolete=True, previous=None) for j in pairing.deleted)
    return active, obsolete, pairing


def _merge_unit(new: XliffUnit, old: XliffUnit | None, kind: MergeKind) -> XliffUnit:
    merged = _merge_kept(new, old, kind)
    own = [note.text for note in merged.notes if note.author == SONGNGU]
    baseline = read_notes("\n".join(own)).baseline
    songngu_text = baseline.text if baseline is not None else new.target
    if one_line(merged.target) != one_line(songngu_text):
        # The reviewer's target stays: the quality findings were about songngu's text, not shown.
        kept = set(without_qa(own))
        notes = tuple(n for n in merged.notes if n.author != SONGNGU or n.text in kept)
        return replace(merged, notes=notes)
    return merged


def _merge_kept(new: XliffUnit, old: XliffUnit | None, kind: MergeKind) -> XliffUnit:
    if old is None:
        return new
    reviewed = old.reviewed(revived=True)
    review = reviewed.carries_review
    own = new.notes
    if review and kind is not MergeKind.CHANGED and reviewed.baseline is not None:
        # The reviewer's target is kept, and with it songngu's notes of what they started from (the
        # baseline and its terms), as the PO merge does: edited and HTER stay true through re-runs.
        own = tuple(note for note in old.notes if note.author == SONGNGU)
    notes = own + tuple(note for note in old.notes if note.author != SONGNGU)
    if kind is MergeKind.CHANGED:
        pending = not reviewed.confirmed and old.previous is not None and review
        previous = old.previous if pending else (old.source, old.target)
        target = old.target if review else new.target
        return replace(new, target=target, state=MACHINE_STATE, notes=notes, previous=previous)
    if reviewed.confirmed:
        return replace(new, target=old.target, state=old.state, approved=old.approved, notes=notes)
    if review:  # an edited draft, not confirmed yet
        return replace(new, target=old.target, state=old.state, notes=notes, previous=old.previous)
    if old.previous is not None and kind is not MergeKind.REVIVED:
        # The source changed in an earlier run and nobody has looked yet: keep showing the change.
        return replace(new, notes=notes, previous=old.previous)
    return replace(new, notes=notes)


def dumps_xliff(
    article: ArticleTranslation, units: Sequence[XliffUnit], obsolete: Sequence[XliffUnit] = ()
) -> str:
    """The whole ``.xlf`` document of ``article`` with these units (and obsolete ones)."""
    original = PurePath(article.path or article.name).name
    run = (
        article.run
        if article.run is not None
        else RunInfo(__version__, "unknown", "", None, None, 0, 0, 0, "")
    )
    file_attributes = {
        "original": original,
        "source-language": "vi",
        "target-language": "en",
        "datatype": "plaintext",
        "tool-id": SONGNGU,
        "product-name": SONGNGU,
        "product-version": __version__,
        "build-num": run.run_id,
        "xml:space": "preserve",
    }
    glossary = f"{PurePath(run.glossary).name} {run.glossary_checksum}" if run.glossary else "none"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<xliff version="1.2" xmlns="{NAMESPACE}">\n',
        f"  <file {_attributes(file_attributes)}>\n",
        "    <header>\n",
        f'      <tool tool-id="{SONGNGU}" tool-name="{SONGNGU}" '
        f'tool-version="{xml_attribute(__version__)}"/>\n',
        f'      <note from="{SONGNGU}">run {xml_text(run.run_id)}; model: '
        f"{xml_text(f'{run.model} {run.model_revision}'.strip())}; glossary: {xml_text(glossary)}</note>\n",
        "    </header>\n",
        "    <body>\n",
    ]
    parts.extend(_unit_xml(unit, unit.id, "      ") for unit in units)
    if obsolete:
        parts.append(f'      <group id="{OBSOLETE_GROUP}" translate="no">\n')
        parts.append(
            f'        <note from="{SONGNGU}">sentences no longer in the article, kept with their '
            "translations</note>\n"
        )
        parts.extend(_unit_xml(unit, f"obsolete-{n}", "        ") for n, unit in enumerate(obsolete, start=1))
        parts.append("      </group>\n")
    parts.append("    </body>\n  </file>\n</xliff>\n")
    return "".join(parts)


def _attributes(values: Mapping[str, str | None]) -> str:
    return " ".join(f'{key}="{xml_attribute(value)}"' for key, value in values.items() if value is not None)


def _unit_xml(unit: XliffUnit, unit_id: str, indent: str) -> str:
    attributes = {"id": unit_id, "resname": unit.segment_id, "approved": "yes" if unit.approved else None}
    inner = indent + "  "
    lines = [
        f"{indent}<trans-unit {_attributes(attributes)}>",
        f'{inner}<source xml:lang="vi">{xliff_inline(unit.source)}</source>',
        f"{inner}<target {_attributes({'xml:lang': 'en', 'state': unit.state})}>"
        f"{xliff_inline(unit.target)}</target>",
    ]
    if unit.previous is not None:
        source, target = unit.previous
        lines += [
            f'{inner}<alt-trans alttranstype="previous-version">',
            f'{inner}  <source xml:lang="vi">{xliff_inline(source)}</source>',
            f'{inner}  <target xml:lang="en">{xliff_inline(target)}</target>',
            f"{inner}</alt-trans>",
        ]
    if unit.original and not unit.obsolete:
        lines.append(f'{inner}<context-group purpose="location">')
        lines.append(f'{inner}  <context context-type="sourcefile">{xml_text(unit.original)}</context>')
        if unit.paragraph:
            lines.append(f'{inner}  <context context-type="x-paragraph">{unit.paragraph}</context>')
        if unit.sentence:
            lines.append(f'{inner}  <context context-type="x-sentence">{unit.sentence}</context>')
        lines.append(f"{inner}</context-group>")
    lines.extend(
        f"{inner}<note {_attributes({'from': note.author or None})}>{xml_text(note.text)}</note>"
        for note in unit.notes
    )
    lines.append(f"{indent}</trans-unit>")
    return "\n".join(lines) + "\n"


def merge_xliff(article: ArticleTranslation, existing: str | None, name: str) -> tuple[str, MergeSummary]:
    """The ``.xlf`` text of ``article`` merged with the existing file's text, and what the merge did."""
    old = loads_xliff(existing, name).units if existing is not None and existing.strip() else ()
    active, obsolete, pairing = merge_units(article_units(article), old)
    return dumps_xliff(article, active, obsolete), pairing.summary()


class XliffFormat(MergingFormat, UnitReader):
    """``<name>.xlf``: XLIFF 1.2 for CAT tools, merged with the one already there; read as reviewed
    units (:meth:`XliffUnit.reviewed`)."""

    suffix = ".xlf"
    suffixes: ClassVar[tuple[str, ...]] = (".xlf", ".xliff")
    records_review = True
    reviewed_work = True

    def units(self, path: str | os.PathLike[str]) -> Iterator[ReviewedUnit]:
        """The units of an XLIFF file (:func:`xliff_read.document_units`)."""
        return document_units(path)

    def check_existing(self, existing: str, *, name: str) -> None:
        loads_xliff(existing, name)

    def parse(self, text: str, name: str = "<xliff>") -> ArticleTranslation:
        """One record per active ``<trans-unit>``: its segment id, source and target, its paragraph.
        What a reviewer did is read by :meth:`units`."""
        results = [
            SegmentResult(
                id=u.segment_id,
                source=plain_text(u.source),
                target=plain_text(u.target),
                paragraph=u.paragraph,
            )
            for u in loads_xliff(text, name).units
            if not u.obsolete
        ]
        return ArticleTranslation(self.article_name(name), name, None, results)

    def render(self, article: ArticleTranslation, existing: str | None, *, name: str = "") -> str:
        return merge_xliff(article, existing, name or article.name + self.suffix)[0]

    def summarise(self, article: ArticleTranslation, existing: str, *, name: str = "") -> MergeSummary:
        return merge_xliff(article, existing, name or article.name + self.suffix)[1]
