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
- songngu's notes (``<note from="songngu">``, the same lines as the PO catalog's ``#.``: glossary
  terms met or not, the unconstrained alternative, the memory suggestion, the quality findings
  ("qa: error numbers: …"; such a unit needs review whatever its origin), and the starting text
  "machine translation: …"), and the segment's place in ``<context-group purpose="location">``
  (source file, paragraph, sentence).

Merged with the file already there exactly as the PO catalog is (:mod:`songngu.translate.pairing`
pairs the sentences; the same rules decide what each pair keeps):

- a unit is **confirmed** when ``approved="yes"`` or its target's ``state`` is ``final``,
  ``signed-off`` or ``translated``; kept or moved, it keeps its target, state, approval and the
  reviewer's notes (any ``<note>`` not from songngu);
- an unconfirmed target that differs from its "machine translation:" note is a reviewer's draft:
  kept, unconfirmed;
- an edited sentence (changed) keeps its predecessor's reviewed target as the starting point,
  ``state="needs-review-translation"`` and no approval, and records the predecessor in
  ``<alt-trans alttranstype="previous-version">`` (its source and target): the XLIFF form of PO's
  ``#|``;
- a deleted sentence's unit is kept, with its target, in ``<group id="songngu-obsolete"
  translate="no">`` (ids there are ``obsolete-N``; ``resname`` keeps the segment id). It lends its
  target to no other unit, and comes back when its exact source does.

Read with defusedxml; a file that is not XLIFF 1.2, or whose languages are not Vietnamese to
English, is an InputError ``FILE:LINE: …``. Inline codes are dropped from the text read back
(``<ph>``, ``<bpt>``, ``<ept>``, ``<it>`` hold native code; ``<g>`` and ``<mrk>`` hold text).
Segmented units (``<seg-source>`` with ``<mrk mtype="seg">``, as Trados and memoQ write) are read
as one unit per segment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath
from xml.etree.ElementTree import Element

from songngu import __version__
from songngu.errors import InputError
from songngu.textfile import read_text
from songngu.translate.formats.base import MergingFormat
from songngu.translate.formats.characters import portable_text
from songngu.translate.formats.po import QA_NOTE, entry_notes, needs_review, one_line, parse_notes
from songngu.translate.formats.tmx import xml_attribute, xml_text
from songngu.translate.formats.xmlfile import parse_xml
from songngu.translate.pairing import MergeKind, MergeSummary, Pairing, Sentence, pair_sentences
from songngu.translate.records import ArticleTranslation, RunInfo, SegmentResult

NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
SONGNGU = "songngu"  # the ``from`` of our notes and the tool id
MACHINE_STATE = "needs-review-translation"
MEMORY_STATE = "translated"
CONFIRMED_STATES = frozenset({"final", "signed-off", "translated"})
OBSOLETE_GROUP = "songngu-obsolete"
SOURCE_LANGUAGES = frozenset({"vi", "vi-vn"})  # compared case-insensitively, "_" as "-"
TARGET_LANGUAGES = frozenset({"en", "en-gb", "en-us"})

_NS = "{" + NAMESPACE + "}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CODE = frozenset(_NS + tag for tag in ("ph", "bpt", "ept", "it"))  # native code, not text


@dataclass(frozen=True)
class Note:
    """A ``<note>``: who wrote it (``from``) and its text."""

    author: str
    text: str


@dataclass(frozen=True)
class XliffUnit:
    """One ``<trans-unit>`` (or one ``<mrk mtype="seg">`` segment of one), as read or to be written.

    ``segment_id`` is the ``resname`` (else the ``id``). ``previous`` is the ``(source, target)`` of
    an ``alt-trans alttranstype="previous-version"``. ``paragraph`` and ``sentence`` are the
    segment's place (0 when unknown); ``line`` is where the unit starts in the file read.
    """

    id: str
    segment_id: str
    source: str
    target: str
    state: str | None = None
    approved: bool = False
    notes: tuple[Note, ...] = ()
    previous: tuple[str, str] | None = None
    obsolete: bool = False
    original: str = ""
    paragraph: int = 0
    sentence: int = 0
    line: int = 0

    @property
    def confirmed(self) -> bool:
        """Approved, or in a state that means a human translated it (see the module docstring)."""
        return bool(self.target.strip()) and (self.approved or (self.state or "") in CONFIRMED_STATES)

    @property
    def baseline(self) -> str | None:
        """The text songngu put in the target (its "machine translation:", "translation memory:" or
        "aligned translation:" note, read as the PO catalog reads them), if it wrote one."""
        return parse_notes("\n".join(note.text for note in self.notes if note.author == SONGNGU)).baseline

    @property
    def edited(self) -> bool:
        """Whether a human changed the target songngu wrote (True when songngu wrote none)."""
        baseline = self.baseline
        return baseline is None or one_line(self.target) != one_line(baseline)


@dataclass(frozen=True)
class XliffDocument:
    """What a file holds: every unit of every ``<file>``, and the run id of the first one."""

    units: tuple[XliffUnit, ...]
    run_id: str = ""
    created: str | None = None  # the first <file>'s ``date``, when it has one


# ------------------------------------------------------------------------------------ writing


def article_units(article: ArticleTranslation) -> list[XliffUnit]:
    """The units of a fresh translation of ``article``, before any merge."""
    original = PurePath(article.path or article.name).name
    return [_fresh_unit(result, original) for result in article.results]


def _fresh_unit(result: SegmentResult, original: str) -> XliffUnit:
    return XliffUnit(
        id=result.id,
        segment_id=result.id,
        source=portable_text(result.source),
        target=portable_text(result.target),
        state=MACHINE_STATE if needs_review(result) else MEMORY_STATE,
        notes=tuple(Note(SONGNGU, line) for line in entry_notes(result)),
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


def _carries_review(unit: XliffUnit) -> bool:
    return bool(unit.target.strip()) and (unit.confirmed or unit.edited)


def _merge_unit(new: XliffUnit, old: XliffUnit | None, kind: MergeKind) -> XliffUnit:
    merged = _merge_kept(new, old, kind)
    if merged.target != new.target and one_line(merged.target) != one_line(new.target):
        # The reviewer's target stays: the quality findings were about the new machine text.
        kept = tuple(n for n in merged.notes if not (n.author == SONGNGU and n.text.startswith(QA_NOTE)))
        return replace(merged, notes=kept)
    return merged


def _merge_kept(new: XliffUnit, old: XliffUnit | None, kind: MergeKind) -> XliffUnit:
    if old is None:
        return new
    notes = new.notes + tuple(note for note in old.notes if note.author != SONGNGU)
    review = _carries_review(old)
    if kind is MergeKind.CHANGED:
        pending = not old.confirmed and old.previous is not None and review
        previous = old.previous if pending else (old.source, old.target)
        target = old.target if review else new.target
        return replace(new, target=target, state=MACHINE_STATE, notes=notes, previous=previous)
    if old.confirmed:
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
        f'{inner}<source xml:lang="vi">{xml_text(unit.source)}</source>',
        f"{inner}<target {_attributes({'xml:lang': 'en', 'state': unit.state})}>"
        f"{xml_text(unit.target)}</target>",
    ]
    if unit.previous is not None:
        source, target = unit.previous
        lines += [
            f'{inner}<alt-trans alttranstype="previous-version">',
            f'{inner}  <source xml:lang="vi">{xml_text(source)}</source>',
            f'{inner}  <target xml:lang="en">{xml_text(target)}</target>',
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


class XliffFormat(MergingFormat):
    """``<name>.xlf``: XLIFF 1.2 for CAT tools, merged with the one already there."""

    suffix = ".xlf"

    def check_existing(self, existing: str, *, name: str) -> None:
        loads_xliff(existing, name)

    def parse(self, text: str, name: str = "<xliff>") -> ArticleTranslation:
        """One unit per active ``<trans-unit>``: its segment id, source and target, its paragraph.
        Whether a reviewer confirmed it is :mod:`songngu.translate.review`'s business."""
        results = [
            SegmentResult(id=u.segment_id, source=u.source, target=u.target, paragraph=u.paragraph)
            for u in loads_xliff(text, name).units
            if not u.obsolete
        ]
        return ArticleTranslation(self.article_name(name), name, None, results)

    def render(self, article: ArticleTranslation, existing: str | None, *, name: str = "") -> str:
        return merge_xliff(article, existing, name or article.name + self.suffix)[0]

    def summarise(self, article: ArticleTranslation, existing: str, *, name: str = "") -> MergeSummary:
        return merge_xliff(article, existing, name or article.name + self.suffix)[1]


# ------------------------------------------------------------------------------------ reading


def read_xliff(path: str | os.PathLike[str]) -> XliffDocument:
    """Read an XLIFF 1.2 file (UTF-8); see :func:`loads_xliff`."""
    return loads_xliff(read_text(path), path)


def loads_xliff(text: str, name: str | os.PathLike[str] = "<xliff>") -> XliffDocument:
    """Parse an XLIFF 1.2 document: every unit of every ``<file>`` (InputError ``FILE:LINE: …`` on
    malformed XML, another format or version, or languages other than Vietnamese → English)."""
    root, lines = parse_xml(text, name, "XLIFF")

    def fail(element: Element, message: str) -> InputError:
        return InputError(f"{name}:{lines.get(id(element), 1)}: {message}")

    if root.tag != _NS + "xliff":
        raise fail(
            root, f"not an XLIFF 1.2 document (root element <{_local(root.tag)}>, namespace {NAMESPACE})"
        )
    if root.get("version") != "1.2":
        raise fail(root, f'XLIFF version {root.get("version")!r}; songngu reads version="1.2"')
    files = root.findall(_NS + "file")
    if not files:
        raise fail(root, "XLIFF document without a <file>")
    units: list[XliffUnit] = []
    for file in files:
        for attribute, accepted in (
            ("source-language", SOURCE_LANGUAGES),
            ("target-language", TARGET_LANGUAGES),
        ):
            value = file.get(attribute, "")
            if value.strip().lower().replace("_", "-") not in accepted:
                raise fail(
                    file,
                    f'{attribute}="{value}"; songngu reads Vietnamese (vi, vi-VN) '
                    "to English (en, en-GB, en-US)",
                )
        body = file.find(_NS + "body")
        if body is None:
            raise fail(file, "<file> without a <body>")
        units.extend(_read_units(body, file.get("original", ""), False, False, name, lines))
    first = files[0]
    return XliffDocument(tuple(units), run_id=first.get("build-num", ""), created=first.get("date"))


def _read_units(
    parent: Element,
    original: str,
    obsolete: bool,
    untranslatable: bool,
    name: str | os.PathLike[str],
    lines: dict[int, int],
) -> list[XliffUnit]:
    units: list[XliffUnit] = []
    for child in parent:
        if child.tag == _NS + "group":
            units.extend(
                _read_units(
                    child,
                    original,
                    obsolete or child.get("id") == OBSOLETE_GROUP,
                    untranslatable or child.get("translate") == "no",
                    name,
                    lines,
                )
            )
        elif child.tag == _NS + "trans-unit":
            if child.get("translate") == "no" or (untranslatable and not obsolete):
                continue
            units.extend(_read_unit(child, original, obsolete, name, lines))
    return units


def _read_unit(
    element: Element, original: str, obsolete: bool, name: str | os.PathLike[str], lines: dict[int, int]
) -> list[XliffUnit]:
    line = lines.get(id(element), 1)
    unit_id = element.get("id")
    source = element.find(_NS + "source")
    if unit_id is None or source is None:
        what = "an id" if unit_id is None else "a <source>"
        raise InputError(f"{name}:{line}: <trans-unit> without {what}")
    target = element.find(_NS + "target")
    notes = tuple(Note(note.get("from", ""), plain_text(note)) for note in element.findall(_NS + "note"))
    previous = None
    for alt in element.findall(_NS + "alt-trans"):
        alt_source, alt_target = alt.find(_NS + "source"), alt.find(_NS + "target")
        if alt.get("alttranstype") == "previous-version" and alt_source is not None:
            previous = (plain_text(alt_source), plain_text(alt_target) if alt_target is not None else "")
    paragraph = sentence = 0
    for context in element.iter(_NS + "context"):
        value = (context.text or "").strip()
        if context.get("context-type") == "x-paragraph" and value.isdigit():
            paragraph = int(value)
        elif context.get("context-type") == "x-sentence" and value.isdigit():
            sentence = int(value)
    base = XliffUnit(
        id=unit_id,
        segment_id=element.get("resname") or unit_id,
        source=plain_text(source),
        target=plain_text(target) if target is not None else "",
        state=target.get("state") if target is not None else None,
        approved=element.get("approved") == "yes",
        notes=notes,
        previous=previous,
        obsolete=obsolete,
        original=original,
        paragraph=paragraph,
        sentence=sentence,
        line=line,
    )
    segmented = element.find(_NS + "seg-source")
    if segmented is None or target is None:
        return [base]
    # Trados and memoQ: the unit is a paragraph; each <mrk mtype="seg" mid="…"> is one segment.
    sources = {m.get("mid"): plain_text(m) for m in segmented.iter(_NS + "mrk") if m.get("mtype") == "seg"}
    targets = {m.get("mid"): plain_text(m) for m in target.iter(_NS + "mrk") if m.get("mtype") == "seg"}
    return [
        replace(
            base,
            id=f"{unit_id}:{mid}",
            segment_id=f"{base.segment_id}:{mid}",
            source=text,
            target=targets[mid],
        )
        for mid, text in sources.items()
        if mid in targets
    ]


def plain_text(element: Element) -> str:
    """The translatable text of a ``<source>``, ``<target>`` or ``<mrk>``: inline codes dropped,
    the text inside ``<g>`` and ``<mrk>`` kept."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in _CODE:
            parts.append(plain_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
