"""TMX 1.4b translation memories: ``<name>.tmx`` for each article, and the memory's export.

The writer follows what Translate Toolkit, OmegaT, Trados and memoQ write and read: an XML
declaration, the ``tmx14.dtd`` doctype, ``<tmx version="1.4">``, a ``<header>`` with every required
attribute, and in ``<body>`` one ``<tu>`` per unit holding a ``<tuv xml:lang="vi">`` and a
``<tuv xml:lang="en">``, each with one ``<seg>`` of plain text. No creation date in the header, so
translating the same article twice writes the same file.

Every text is put under the character policy (:mod:`songngu.translate.formats.characters`), which
also removes every character XML 1.0 cannot carry, even as a reference (C0 controls but tab and line
feed, U+FFFE, U+FFFF); a lone surrogate, which no UTF-8 text holds, would become U+FFFD as well.

The reader parses with defusedxml (no entity expansion, no external references) and reports
malformed XML as ``FILE:LINE: ...``. Read as reviewed units (:meth:`TmxFormat.units`, what
``review import`` stores), every translated unit of a memory is a confirmed human translation,
except what songngu's own ``export-tm`` marked otherwise in its properties: ``x-kind`` aligned (with
``x-alignment-score``) stays an aligned unit, and ``x-edited`` no records that the reviewer accepted
the baseline unchanged.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml.ElementTree import DefusedXMLParser

from songngu import __version__
from songngu.errors import InputError
from songngu.textfile import read_chunks
from songngu.translate.formats.base import OutputFormat, UnitReader, paragraph_of
from songngu.translate.formats.characters import portable_text
from songngu.translate.formats.xmlfile import feed_xml, inline_text
from songngu.translate.memory import UnitKind
from songngu.translate.records import ArticleTranslation, SegmentResult
from songngu.translate.reviewed import Baseline, BaselineSource, Origin, ReviewedUnit, UnitState

SOURCE_LANG = "vi"
TARGET_LANG = "en"
TMX_DATE_FORMAT = "%Y%m%dT%H%M%SZ"  # TMX's date form: ISO 8601 basic, UTC
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Properties of songngu's memory export (TMX reserves types not starting with "x-" for itself),
# written by formats/memory_export.py and read back here.
ORIGIN_PROP = "x-origin"
SEGMENT_PROP = "x-segment-id"
EDITED_PROP = "x-edited"
KIND_PROP = "x-kind"
SCORE_PROP = "x-alignment-score"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}
)


@dataclass(frozen=True)
class TmxUnit:
    """One translation unit: its id, the two texts, and optional date and properties.

    ``props`` are ``(type, value)`` pairs written as ``<prop type="...">``; TMX reserves types not
    starting with ``x-`` for the standard, so ours are ``x-...``.
    """

    tuid: str
    source: str
    target: str
    changed: datetime | None = None
    props: tuple[tuple[str, str], ...] = ()
    line: int = 0  # where the <tu> starts in the file read (0 for a unit to be written)


def xml_text(text: str) -> str:
    """``text`` under the character policy, escaped for element content."""
    return _NOT_XML.sub("\ufffd", portable_text(text)).translate(_TEXT_ESCAPES)


def xml_attribute(text: str) -> str:
    """``text`` under the character policy, escaped for a double-quoted attribute value (tab and line
    feed kept as references, which attribute normalisation would otherwise turn into spaces)."""
    return _NOT_XML.sub("\ufffd", portable_text(text)).translate(_ATTRIBUTE_ESCAPES)


def tmx_date(moment: datetime) -> str:
    """A datetime in TMX's form, ``YYYYMMDDThhmmssZ`` (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(TMX_DATE_FORMAT)


def dumps_tmx(
    units: Iterable[TmxUnit],
    source_lang: str = SOURCE_LANG,
    target_lang: str = TARGET_LANG,
    *,
    header_props: tuple[tuple[str, str], ...] = (),
) -> str:
    """A whole TMX 1.4b document with one ``<tu>`` per unit (``header_props``: ``<prop>``s of the
    header, such as the run id)."""
    header = {
        "creationtool": "songngu",
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": "songngu",
        "adminlang": "en",
        "srclang": source_lang,
        "datatype": "plaintext",
    }
    header_attributes = " ".join(f'{name}="{xml_attribute(value)}"' for name, value in header.items())
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n',
        '<tmx version="1.4">\n',
        f"  <header {header_attributes}/>\n" if not header_props else f"  <header {header_attributes}>\n",
        *(
            f'    <prop type="{xml_attribute(kind)}">{xml_text(value)}</prop>\n'
            for kind, value in header_props
        ),
        "  </header>\n" if header_props else "",
        "  <body>\n",
    ]
    for unit in units:
        attributes = f'tuid="{xml_attribute(unit.tuid)}"'
        if unit.changed is not None:
            date = tmx_date(unit.changed)
            attributes += f' creationdate="{date}" changedate="{date}"'
        parts.append(f"    <tu {attributes}>\n")
        parts.extend(
            f'      <prop type="{xml_attribute(kind)}">{xml_text(value)}</prop>\n'
            for kind, value in unit.props
        )
        parts.append(
            f'      <tuv xml:lang="{xml_attribute(source_lang)}"><seg>{xml_text(unit.source)}</seg></tuv>\n'
        )
        parts.append(
            f'      <tuv xml:lang="{xml_attribute(target_lang)}"><seg>{xml_text(unit.target)}</seg></tuv>\n'
        )
        parts.append("    </tu>\n")
    parts.append("  </body>\n</tmx>\n")
    return "".join(parts)


class TmxFormat(OutputFormat, UnitReader):
    """``<name>.tmx``: TMX 1.4b, one translation unit per segment (``tuid`` = segment id); any TMX
    memory read as reviewed units."""

    suffix = ".tmx"
    reviewed_work = True

    def units(self, path: str | os.PathLike[str]) -> Iterator[ReviewedUnit]:
        """Every ``<tu>`` as a reviewed unit: id the ``tuid`` (else ``#N``, its place in the file),
        confirmed when both sides have text (else new), dated by the unit's date; kind, score and
        an unchanged baseline from songngu's export properties (module docstring)."""
        for number, unit in enumerate(iter_tmx(read_chunks(path), path), start=1):
            kind, score = kind_and_score(unit.props)
            props = dict(unit.props)
            baseline = None
            if kind is UnitKind.ALIGNED:
                baseline = Baseline(unit.target, BaselineSource.ALIGNED)
            elif props.get(EDITED_PROP) == "no":
                baseline = Baseline(unit.target, BaselineSource.MACHINE)
            translated = bool(unit.source.strip() and unit.target.strip())
            yield ReviewedUnit(
                id=unit.tuid or f"#{number}",
                source=unit.source,
                target=unit.target,
                state=UnitState.CONFIRMED if translated else UnitState.NEW,
                baseline=baseline,
                origin=Origin(os.fspath(path), unit.line),
                created=unit.changed.strftime("%Y-%m-%dT%H:%M:%SZ") if unit.changed else None,
                kind=kind,
                score=score,
            )

    def render(self, article: ArticleTranslation, existing: str | None = None, *, name: str = "") -> str:
        # The header's x-songngu-run property is the run id, shared by every file of the run.
        run_id = article.run.run_id if article.run is not None else ""
        return dumps_tmx(
            (TmxUnit(tuid=r.id, source=r.source, target=r.target) for r in article.results),
            header_props=(("x-songngu-run", run_id),) if run_id else (),
        )

    def parse(self, text: str, name: str = "<tmx>") -> ArticleTranslation:
        """One unit per ``<tu>``: its ``tuid`` as id, the Vietnamese and English segments (see
        :func:`loads_tmx`)."""
        results = [
            SegmentResult(id=u.tuid, source=u.source, target=u.target, paragraph=paragraph_of(u.tuid))
            for u in loads_tmx(text, name)
        ]
        return ArticleTranslation(self.article_name(name), name, None, results)


# TMX inline elements holding native codes, not translatable text (<hi> holds text).
_CODE = frozenset({"bpt", "ept", "ph", "it", "ut"})


def _segment_text(seg: Element) -> str:
    # Plain text of a <seg>: the codes of bpt, ept, ph, it and ut dropped (their tails kept), the
    # text of <hi> kept, nested to any depth.
    return inline_text(seg, _CODE)


def _language(tuv: Element) -> str:
    lang = tuv.get(_XML_LANG) or tuv.get("lang") or ""  # "lang" is TMX 1.1's attribute
    return lang.split("-")[0].split("_")[0].lower()


def loads_tmx(
    text: str,
    name: str | os.PathLike[str] = "<tmx>",
    source_lang: str = SOURCE_LANG,
    target_lang: str = TARGET_LANG,
) -> list[TmxUnit]:
    """Parse a TMX document into units (see :func:`iter_tmx`)."""
    return list(iter_tmx([text], name, source_lang, target_lang))


def iter_tmx(
    chunks: Iterable[str],
    name: str | os.PathLike[str] = "<tmx>",
    source_lang: str = SOURCE_LANG,
    target_lang: str = TARGET_LANG,
) -> Iterator[TmxUnit]:
    """The units of a TMX document given in pieces, one at a time, as they are parsed (a memory of
    100,000 units is never held whole); languages matched case-insensitively on their primary
    subtag (``vi-VN`` is ``vi``, ``EN-GB`` is ``en``).

    Raises InputError ``FILE:LINE: ...`` on malformed XML, a root that is not ``<tmx>``, no
    ``<body>``, a header ``srclang`` that is neither language (nor ``*all*``; a missing one is let
    pass), or a ``<tu>`` without one of the two languages; where the reader reaches it, so a caller
    that must refuse before acting reads to the end first. A unit's date is its ``changedate`` (else
    ``creationdate``), else its target ``<tuv>``'s.
    """
    collector = _UnitCollector()
    for _ in feed_xml(chunks, name, "TMX", collector):
        if collector.root is not None and collector.root[0] != "tmx":
            tag, line = collector.root
            raise InputError(f"{name}:{line}: not a TMX document (root element <{tag}>)")
        if collector.header is not None:
            srclang, line = collector.header
            primary = srclang.split("-")[0].split("_")[0].lower()
            if srclang and srclang != "*all*" and primary not in (source_lang, target_lang):
                raise InputError(
                    f'{name}:{line}: srclang="{srclang}"; songngu reads {source_lang}–{target_lang} '
                    f"memories (srclang {source_lang}, {target_lang} or *all*, any region)"
                )
        while collector.done:
            tu, line = collector.done.popleft()
            yield _unit(tu, line, name, source_lang, target_lang)
    if not collector.body_seen:
        line = collector.root[1] if collector.root is not None else 1
        raise InputError(f"{name}:{line}: not a TMX document (no <body>)")


class _UnitCollector:
    """A parser target that builds only the ``<tu>`` being read (anywhere inside the root's
    ``<body>``) and hands each over when it ends; of the rest it keeps the root's tag, the
    header's ``srclang`` and whether a body was seen, with their lines."""

    def __init__(self) -> None:
        self.parser: DefusedXMLParser | None = None
        self.root: tuple[str, int] | None = None
        self.header: tuple[str, int] | None = None
        self.body_seen = False
        self.done: deque[tuple[Element, int]] = deque()
        self._depth = 0
        self._body_depth = 0  # the depth of the root's <body> while inside it, else 0
        self._unit: TreeBuilder | None = None
        self._unit_depth = 0
        self._unit_line = 0

    def _line(self) -> int:
        return self.parser.parser.CurrentLineNumber if self.parser is not None else 1

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self._depth += 1
        if self._unit is not None:
            self._unit.start(tag, attrs)
        elif self._depth == 1:
            self.root = (tag, self._line())
        elif self._depth == 2 and tag == "header" and self.header is None:
            self.header = (attrs.get("srclang", ""), self._line())
        elif self._depth == 2 and tag == "body" and not self.body_seen:
            self.body_seen, self._body_depth = True, self._depth
        elif self._body_depth and tag == "tu":
            self._unit, self._unit_depth, self._unit_line = TreeBuilder(), self._depth, self._line()
            self._unit.start(tag, attrs)

    def end(self, tag: str) -> None:
        if self._unit is not None:
            self._unit.end(tag)
            if self._depth == self._unit_depth:
                self.done.append((self._unit.close(), self._unit_line))
                self._unit = None
        if self._depth == self._body_depth:
            self._body_depth = 0
        self._depth -= 1

    def data(self, text: str) -> None:
        if self._unit is not None:
            self._unit.data(text)

    def close(self) -> None:
        return None


def _unit(
    tu: Element, line: int, name: str | os.PathLike[str], source_lang: str, target_lang: str
) -> TmxUnit:
    texts: dict[str, str] = {}
    for tuv in tu.findall("tuv"):
        seg = tuv.find("seg")
        if seg is not None:
            texts.setdefault(_language(tuv), _segment_text(seg))
    missing = [lang for lang in (source_lang, target_lang) if lang not in texts]
    if missing:
        raise InputError(f'{name}:{line}: <tu> has no <tuv xml:lang="{missing[0]}"> with a <seg>')
    # OmegaT dates each <tuv> rather than the <tu>: the target's date is when it was translated.
    dated = [tu, *(tuv for tuv in tu.findall("tuv") if _language(tuv) == target_lang)]
    changed = next((d for e in dated for d in (e.get("changedate"), e.get("creationdate")) if d), None)
    return TmxUnit(
        tuid=tu.get("tuid", ""),
        source=texts[source_lang],
        target=texts[target_lang],
        changed=_parse_date(changed, name, line) if changed else None,
        props=tuple((prop.get("type", ""), prop.text or "") for prop in tu.findall("prop")),
        line=line,
    )


def read_tmx(path: str | os.PathLike[str]) -> list[TmxUnit]:
    """Read a TMX file (UTF-8) into units; see :func:`iter_tmx`."""
    return list(iter_tmx(read_chunks(path), path))


def _parse_date(value: str, name: str | os.PathLike[str], line: int) -> datetime:
    try:
        return datetime.strptime(value, TMX_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise InputError(f"{name}:{line}: bad TMX date {value!r} (expected YYYYMMDDThhmmssZ)") from None


def kind_and_score(props: Iterable[tuple[str, str]]) -> tuple[UnitKind, float | None]:
    """The unit kind and alignment score that songngu's TMX properties record; a unit without them
    (another tool's TMX) is a reviewed one. An unreadable value counts as absent."""
    values = dict(props)
    kind = UnitKind.ALIGNED if values.get(KIND_PROP) == UnitKind.ALIGNED.value else UnitKind.REVIEWED
    try:
        score = float(values[SCORE_PROP]) if kind is UnitKind.ALIGNED and SCORE_PROP in values else None
    except ValueError:
        score = None
    return kind, score if score is None or 0.0 <= score <= 1.0 else None
