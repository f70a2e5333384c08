"""Reading XLIFF 1.2 files (what songngu writes, and what CAT tools give back) as reviewed units.

Read with defusedxml (:mod:`songngu.translate.formats.xmlfile`); a file that is not XLIFF 1.2, or
whose languages are not Vietnamese to English, is an InputError ``FILE:LINE: …``. Inline codes are
dropped from the text read back (``<ph>``, ``<bpt>``, ``<ept>``, ``<it>`` hold native code; ``<g>``
and ``<mrk>`` hold text), but for the ``<g id>`` and ``<x id/>`` of a document's inline codes, which
:class:`XliffUnit` keeps as tags in its text (:mod:`songngu.translate.formats.markup`) and
:meth:`XliffUnit.reviewed` gives as the unit's markup beside its plain text. Segmented units
(``<seg-source>`` with ``<mrk mtype="seg">``, as Trados and memoQ write) are read as one unit per
segment. Groups and inline elements nested to any depth
are walked with explicit stacks, never by recursion.

:class:`XliffUnit` is the file's own unit (what the writer in :mod:`songngu.translate.formats.xliff`
writes and merges); :meth:`XliffUnit.reviewed` is the one reading of it as a
:class:`~songngu.translate.reviewed.ReviewedUnit`: **confirmed** when ``approved="yes"`` or its
target's ``state`` is ``final``, ``signed-off`` or ``translated`` (what memoQ, Trados, Phrase and
OmegaT set on a confirmed segment; ``translated`` is also what songngu gives a memory reuse);
baseline and terms from the ``<note from="songngu">`` notes; units in a ``translate="no"`` group
are left out, but for songngu's obsolete group, whose units are obsolete.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from songngu.errors import InputError
from songngu.textfile import read_text
from songngu.translate.formats.markup import markup_of_xliff, with_plain_text
from songngu.translate.formats.notes import read_notes
from songngu.translate.formats.xmlfile import inline_text, parse_xml
from songngu.translate.reviewed import Origin, ReviewedUnit, unit_state

NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
SONGNGU = "songngu"  # the ``from`` of our notes and the tool id
CONFIRMED_STATES = frozenset({"final", "signed-off", "translated"})
OBSOLETE_GROUP = "songngu-obsolete"
SOURCE_LANGUAGES = frozenset({"vi", "vi-vn"})  # compared case-insensitively, "_" as "-"
TARGET_LANGUAGES = frozenset({"en", "en-gb", "en-us"})

_NS = "{" + NAMESPACE + "}"
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
        """Whether a reviewer confirmed it (:meth:`reviewed`'s state)."""
        return self.reviewed().confirmed

    def reviewed(self, file: str = "", created: str | None = None, *, revived: bool = False) -> ReviewedUnit:
        """The one reading of this unit as a reviewed unit: confirmed when ``approved="yes"`` or its
        target's state is in :data:`CONFIRMED_STATES` (and it is translated); baseline and terms
        from songngu's notes; the other notes as notes. ``revived`` reads an obsolete unit as the
        active one it becomes when its sentence comes back (for the merge)."""
        own = read_notes("\n".join(note.text for note in self.notes if note.author == SONGNGU))
        unit = ReviewedUnit(
            id=self.segment_id,
            source=self.source,
            target=self.target,
            state=unit_state(
                self.target,
                own.baseline,
                confirmed=self.approved or (self.state or "") in CONFIRMED_STATES,
                obsolete=self.obsolete and not revived,
            ),
            baseline=own.baseline,
            terms=own.terms,
            notes=tuple(note.text for note in self.notes if note.author != SONGNGU),
            origin=Origin(file, self.line),
            created=created,
        )
        return with_plain_text(unit)


@dataclass(frozen=True)
class XliffDocument:
    """What a file holds: every unit of every ``<file>``, and the run id of the first one."""

    units: tuple[XliffUnit, ...]
    run_id: str = ""
    created: str | None = None  # the first <file>'s ``date``, when it has one


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
        units.extend(_read_units(body, file.get("original", ""), name, lines))
    first = files[0]
    return XliffDocument(tuple(units), run_id=first.get("build-num", ""), created=first.get("date"))


def _read_units(
    body: Element, original: str, name: str | os.PathLike[str], lines: dict[int, int]
) -> list[XliffUnit]:
    """The units of a ``<body>`` in document order, through ``<group>``s nested to any depth (walked
    with a stack of our own: Python's would end in a RecursionError a few thousand groups down)."""
    units: list[XliffUnit] = []
    # (children still to read, inside songngu's obsolete group, inside a translate="no" group)
    stack: list[tuple[Iterator[Element], bool, bool]] = [(iter(body), False, False)]
    while stack:
        children, obsolete, untranslatable = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
        elif child.tag == _NS + "group":
            stack.append(
                (
                    iter(child),
                    obsolete or child.get("id") == OBSOLETE_GROUP,
                    untranslatable or child.get("translate") == "no",
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
            previous = (
                markup_of_xliff(alt_source),
                markup_of_xliff(alt_target) if alt_target is not None else "",
            )
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
        source=markup_of_xliff(source),
        target=markup_of_xliff(target) if target is not None else "",
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
    sources = {m.get("mid"): markup_of_xliff(m) for m in segmented.iter(_NS + "mrk") if _segment(m)}
    targets = {m.get("mid"): markup_of_xliff(m) for m in target.iter(_NS + "mrk") if _segment(m)}
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


def _segment(mark: Element) -> bool:
    return mark.get("mtype") == "seg"


def plain_text(element: Element) -> str:
    """The translatable text of a ``<source>``, ``<target>`` or ``<mrk>``: inline codes dropped,
    the text inside ``<g>`` and ``<mrk>`` kept, however deep they nest."""
    return inline_text(element, _CODE)


def document_units(path: str | os.PathLike[str]) -> Iterator[ReviewedUnit]:
    """The units of an XLIFF file as reviewed units (the document is parsed whole first: one
    article's file), dated by the first ``<file date>``."""
    document = read_xliff(path)
    created = iso_time(document.created)
    for unit in document.units:
        yield unit.reviewed(os.fspath(path), created)


def iso_time(value: str | None) -> str | None:
    """An XLIFF ``date`` (ISO 8601; naive means UTC) as ``YYYY-MM-DDThh:mm:ssZ``, or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
