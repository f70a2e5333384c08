"""Glossaries as TBX-Basic (TBX v2, ``<martif type="TBX-Basic">``): the exchange format of CAT tools.

TBX v2 is what Translate Toolkit, memoQ, Trados MultiTerm and Okapi all read; TBX v3 (``<tbx>`` with
``conceptEntry``/``langSec``/``termSec``) is read too. One ``termEntry`` per glossary entry:

- ``langSet xml:lang="vi"``: the term (``administrativeStatus`` preferredTerm-admn-sts), its variants
  (admittedTerm-admn-sts), the Vietnamese acronym (``termType`` acronym; LHQ) and the English one
  too (UN), which Vietnamese text also uses;
- ``langSet xml:lang="en"``: the preferred English term, the other acceptable ones (admittedTerm) and
  the forbidden ones (deprecatedTerm-admn-sts); the English acronym (``termType`` acronym).

songngu writes the Vietnamese abbreviation with ``termType`` abbreviation, the English one with
acronym. Read back, abbreviations stay on their side: the first English acronym (``termType``
acronym, abbreviation or initialism, not forbidden) is ``acronym``; the first Vietnamese one that
differs from it is ``vi_acronym``. Other tools often list an international acronym under the source
language only ("UNICEF", typed acronym or initialism, no English one): that is taken as the English
``acronym`` unless it spells the Vietnamese term's initials (LHQ); typed abbreviation, it stays
Vietnamese.
- the curator's note as a ``<note>`` of the entry.

Parsing goes through defusedxml only: entity declarations (billion laughs) and external references
are refused, never expanded or fetched.
"""

from __future__ import annotations

import io
import os
import unicodedata
import xml.sax
import xml.sax.handler
import xml.sax.xmlreader
from dataclasses import dataclass, field
from typing import BinaryIO

from defusedxml.common import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.expatreader import DefusedExpatParser

from songngu.errors import InputError
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.glossary.normalize import spells_initials
from songngu.textfile import Utf8Decoder, write_atomic

SOURCE_LANGUAGE = "vi"
TARGET_LANGUAGE = "en"

PREFERRED = "preferredTerm-admn-sts"
ADMITTED = "admittedTerm-admn-sts"
DEPRECATED = "deprecatedTerm-admn-sts"
ACRONYM = "acronym"
MAX_DEPTH = 100  # element nesting refused beyond this (a TBX entry needs about eight levels)
ABBREVIATION = "abbreviation"  # the termType songngu gives a Vietnamese abbreviation (LHQ)

# Status values seen in TBX-Basic v2 and v3 files written by other tools, by what they mean to us.
_PREFERRED_STATUSES = {"preferredterm-admn-sts", "preferred", "preferredterm"}
_FORBIDDEN_STATUSES = {
    "deprecatedterm-admn-sts",
    "deprecated",
    "deprecatedterm",
    "supersededterm-admn-sts",
    "superseded",
    "supersededterm",
    "notrecommended",
    "forbidden",
}
_ACRONYM_TYPES = {"acronym", "abbreviation", "initialism"}
# Containers of one term and its notes: TBX v2 ``tig``/``ntig``, TBX v3 ``termSec``.
_TERM_CONTAINERS = {"tig", "ntig", "termSec"}
_ENTRY_TAGS = {"termEntry", "conceptEntry"}
_LANGUAGE_TAGS = {"langSet", "langSec"}


# ---------------------------------------------------------------------------------------------
# Writing


def dumps(glossary: Glossary) -> str:
    """The glossary as a TBX-Basic document (UTF-8 text). Raises InputError for text XML cannot hold."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<martif type="TBX-Basic" xml:lang="{SOURCE_LANGUAGE}">',
        "  <martifHeader>",
        "    <fileDesc><sourceDesc><p>songngu glossary</p></sourceDesc></fileDesc>",
        '    <encodingDesc><p type="XCSURI">TBXBasicXCSV02.xcs</p></encodingDesc>',
        "  </martifHeader>",
        "  <text>",
        "    <body>",
    ]
    for number, entry in enumerate(glossary, start=1):
        lines.extend(_entry_lines(entry, number, glossary.source))
    lines.extend(["    </body>", "  </text>", "</martif>", ""])
    return "\n".join(lines)


def save(glossary: Glossary, path: str | os.PathLike[str]) -> None:
    """Write the glossary as TBX-Basic, atomically."""
    write_atomic(path, dumps(glossary))


def _entry_lines(entry: GlossaryEntry, number: int, source: str) -> list[str]:
    def esc(text: str) -> str:
        return _escape(text, source, entry.line)

    def tig(term: str, status: str = "", term_type: str = "") -> str:
        notes = ""
        if term_type:
            notes += f'<termNote type="termType">{term_type}</termNote>'
        if status:
            notes += f'<termNote type="administrativeStatus">{status}</termNote>'
        return f"          <tig><term>{esc(term)}</term>{notes}</tig>"

    lines = [f'      <termEntry id="e{number}">']
    if entry.note:
        lines.append(f"        <note>{esc(entry.note)}</note>")
    lines.append(f'        <langSet xml:lang="{SOURCE_LANGUAGE}">')
    lines.append(tig(entry.vi, PREFERRED))
    lines.extend(tig(variant, ADMITTED) for variant in entry.vi_variants)
    if entry.vi_acronym and entry.vi_acronym != entry.acronym:
        lines.append(tig(entry.vi_acronym, term_type=ABBREVIATION))
    if entry.acronym:
        lines.append(tig(entry.acronym, term_type=ACRONYM))
    lines.append("        </langSet>")
    lines.append(f'        <langSet xml:lang="{TARGET_LANGUAGE}">')
    lines.append(tig(entry.en, PREFERRED))
    lines.extend(tig(variant, ADMITTED) for variant in entry.en_variants)
    lines.extend(tig(forbidden, DEPRECATED) for forbidden in entry.en_forbidden)
    if entry.acronym:
        lines.append(tig(entry.acronym, term_type=ACRONYM))
    lines.append("        </langSet>")
    lines.append("      </termEntry>")
    return lines


def _escape(text: str, source: str, line: int) -> str:
    for char in text:
        if not _xml_char(char):
            where = f"{source or '<glossary>'}:{line}" if line else source or "<glossary>"
            raise InputError(f"{where}: character U+{ord(char):04X} cannot be stored in TBX (XML 1.0)")
    # A carriage return would be read back as a line feed unless written as a reference.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _xml_char(char: str) -> bool:
    code = ord(char)
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All the character data inside, as written (markup inside a term is dropped, text kept)."""
        return "".join(self.parts) + "".join(child.text for child in self.children)

    def descendants(self, tags: set[str]) -> list[_Node]:
        found = []
        for child in self.children:
            if child.tag in tags:
                found.append(child)
            found.extend(child.descendants(tags))
        return found


class _UndefinedEntity(DefusedXmlException):  # type: ignore[misc]  # defusedxml has no types
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class _EntryReader(xml.sax.handler.ContentHandler):
    """Reads a TBX document as a stream: one entry's elements are kept at a time.

    Only the elements inside the ``termEntry``/``conceptEntry`` being read are built (as ``_Node``,
    with the line each starts on); when it ends it becomes a :class:`GlossaryEntry` and is dropped,
    so memory stays that of the glossary itself whatever the file's size. Nesting deeper than
    :data:`MAX_DEPTH` is refused as it is met (TBX needs about eight levels; a hostile file nested
    thousands deep would otherwise exhaust the stack of any tree walk).
    """

    def __init__(self, name: str | os.PathLike[str]) -> None:
        super().__init__()
        self.name = name
        self.depth = 0
        self.open: list[_Node] = []  # the open elements of the entry being read, outermost first
        self.entries: list[GlossaryEntry] = []
        self.languages: set[str] = set()
        self.locator: xml.sax.xmlreader.Locator | None = None

    def line(self) -> int:
        return (self.locator.getLineNumber() or 0) if self.locator else 0

    def setDocumentLocator(self, locator: xml.sax.xmlreader.Locator) -> None:
        self.locator = locator

    def startElement(self, name: str, attrs: xml.sax.xmlreader.AttributesImpl) -> None:
        self.depth += 1
        tag = _local(name)
        if self.depth > MAX_DEPTH:
            raise InputError(
                f"{self.name}:{self.line()}: elements nested more than {MAX_DEPTH} deep; not a TBX glossary"
            )
        if self.depth == 1 and tag not in ("martif", "tbx"):
            raise InputError(f"{self.name}:{self.line()}: not a TBX file (root element <{tag}>)")
        if self.open or tag in _ENTRY_TAGS:
            node = _Node(tag, {key: attrs[key] for key in attrs.getNames()}, self.line())
            if self.open:
                self.open[-1].children.append(node)
            self.open.append(node)

    def endElement(self, name: str) -> None:
        self.depth -= 1
        if self.open:
            node = self.open.pop()
            if not self.open:  # an entry is complete
                entry, seen = _read_entry(node)
                self.languages |= seen
                self.entries.append(entry)

    def skippedEntity(self, name: str) -> None:
        # An entity the (skipped) external DTD would define: refuse rather than silently drop text.
        raise _UndefinedEntity(name)

    def characters(self, content: str) -> None:
        if self.open:
            self.open[-1].parts.append(content)


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def loads(data: bytes, name: str | os.PathLike[str]) -> Glossary:
    """Parse a TBX document. Errors name the file and line (or byte, for bad UTF-8)."""
    return _read(io.BytesIO(data), name)


def load(path: str | os.PathLike[str]) -> Glossary:
    """Read a TBX file, as a stream (see :class:`_EntryReader`)."""
    try:
        with open(path, "rb") as handle:
            return _read(handle, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _read(stream: BinaryIO, name: str | os.PathLike[str]) -> Glossary:
    reader = _EntryReader(name)
    _parse(_Utf8Checked(stream, name), reader, name)
    if reader.entries and SOURCE_LANGUAGE not in reader.languages:
        found = ", ".join(sorted(reader.languages)) or "none"
        raise InputError(f'{name}: no xml:lang="{SOURCE_LANGUAGE}" terms in this TBX (languages: {found})')
    return Glossary(reader.entries, source=os.fspath(name))


class _Utf8Checked:
    """A byte stream that reports its first invalid UTF-8 byte by offset, as every text file's does.

    expat would report it too, but by line and column; UTF-16 files (with a BOM) are left to expat.
    """

    def __init__(self, stream: BinaryIO, name: str | os.PathLike[str]) -> None:
        self.stream = stream
        self.decoder: Utf8Decoder | None = Utf8Decoder(name)
        self.started = False

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        if not self.started and chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.decoder = None
        self.started = True
        if self.decoder is not None:
            self.decoder.decode(chunk, final=not chunk)
        return chunk

    def close(self) -> None:
        """The SAX reader closes its stream when done; whoever opened the file closes it."""


class _Parser(DefusedExpatParser):  # type: ignore[misc]  # defusedxml has no types
    """defusedxml's SAX parser, which also tolerates a DOCTYPE naming an external DTD.

    Many tools write ``<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">``. That DTD is skipped
    (never opened or fetched); entity declarations and every other external reference stay refused.
    """

    def __init__(self) -> None:
        super().__init__(forbid_dtd=False, forbid_entities=True, forbid_external=True)

    def defused_external_entity_ref_handler(
        self, context: str | None, base: str | None, sysid: str | None, pubid: str | None
    ) -> int:
        if context is None:  # the external DTD subset: skip it
            return 1
        raise ExternalReferenceForbidden(context, base, sysid, pubid)


def _parse(stream: _Utf8Checked, reader: _EntryReader, name: str | os.PathLike[str]) -> None:
    parser = _Parser()
    parser.setContentHandler(reader)
    source = xml.sax.xmlreader.InputSource()
    source.setByteStream(stream)
    try:
        parser.parse(source)
    except xml.sax.SAXParseException as exc:
        raise InputError(f"{name}:{exc.getLineNumber()}: malformed XML ({exc.getMessage()})") from None
    except LookupError as exc:  # the XML declaration names an encoding Python does not know
        raise InputError(f"{name}:1: {exc}; save the file as UTF-8") from None
    except DefusedXmlException as exc:
        raise InputError(
            f"{name}:{reader.line()}: refused: {_refusal(exc)}; songngu never expands entities"
        ) from None


def _refusal(exc: DefusedXmlException) -> str:
    if isinstance(exc, EntitiesForbidden):
        return f"the file declares the XML entity {exc.name!r}"
    if isinstance(exc, ExternalReferenceForbidden):
        return f"the file refers to the external resource {exc.sysid!r}"
    if isinstance(exc, _UndefinedEntity):
        return f"the file uses the entity '&{exc.name};', defined outside it"
    return "the file uses XML features songngu does not accept"


def _language(node: _Node) -> str:
    lang = node.attrs.get("xml:lang") or node.attrs.get("lang") or ""
    return lang.replace("_", "-").split("-", 1)[0].strip().lower()


def _key(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip().lower()


@dataclass
class _Term:
    text: str
    status: str  # "preferred", "admitted" or "forbidden"
    is_acronym: bool  # termType acronym, abbreviation or initialism
    is_abbreviation: bool = False  # termType abbreviation


def _terms(lang_set: _Node) -> list[_Term]:
    """The terms of one language, with what their notes say about them."""
    containers = lang_set.descendants(_TERM_CONTAINERS)
    if not containers:  # a bare <term> directly in the langSet
        containers = [lang_set]
    terms = []
    for container in containers:
        term_nodes = [node for node in container.descendants({"term"})]
        if not term_nodes:
            continue
        status, term_type = "admitted", ""
        for note in container.descendants({"termNote"}):
            kind = note.attrs.get("type", "")
            value = _key(note.text)
            if kind in ("administrativeStatus", "normativeAuthorization"):
                if value in _PREFERRED_STATUSES:
                    status = "preferred"
                elif value in _FORBIDDEN_STATUSES:
                    status = "forbidden"
            elif kind == "termType":
                term_type = value
        text = term_nodes[0].text.strip()
        terms.append(_Term(text, status, term_type in _ACRONYM_TYPES, term_type == ABBREVIATION))
    return terms


def _read_entry(node: _Node) -> tuple[GlossaryEntry, set[str]]:
    vi: list[_Term] = []
    en: list[_Term] = []
    languages = set()
    for lang_set in node.descendants(_LANGUAGE_TAGS):
        language = _language(lang_set)
        languages.add(language)
        if language == SOURCE_LANGUAGE:
            vi.extend(_terms(lang_set))
        elif language == TARGET_LANGUAGE:
            en.extend(_terms(lang_set))

    # Each language's abbreviation stays its own: "LHQ" (vi) and "UN" (en) are two fields, and the
    # English acronym repeated in the Vietnamese set (as songngu writes it) is no Vietnamese one.
    acronym = next((term.text for term in en if term.is_acronym and term.status != "forbidden"), "")
    vi_acronym = next((term.text for term in vi if term.is_acronym and term.text != acronym), "")
    vi_full = [term for term in vi if not (term.is_acronym and term.text in (acronym, vi_acronym))]
    vi_term, vi_variants = _split_preferred(vi_full)
    # Many tools list an acronym under the source language only ("UNICEF"): unless it is typed an
    # abbreviation or spells the Vietnamese name (LHQ), it is the international one, kept as itself.
    vi_typed = next((term for term in vi if term.is_acronym and term.text == vi_acronym), None)
    international = vi_typed is not None and not vi_typed.is_abbreviation and not acronym
    if international and not any(spells_initials(vi_acronym, term.text) for term in vi_full):
        acronym, vi_acronym = vi_acronym, ""
    en_rest = [term for term in en if not (term.is_acronym and term.text == acronym)]
    en_allowed = [term for term in en_rest if term.status != "forbidden"]
    en_term, en_variants = _split_preferred(en_allowed)
    notes = [child.text.strip() for child in node.descendants({"note"})]
    notes += [
        child.text.strip()
        for child in node.descendants({"descrip"})
        if child.attrs.get("type", "") in ("definition", "context", "note")
    ]
    entry = GlossaryEntry(
        vi=vi_term,
        en=en_term,
        acronym=acronym,
        vi_acronym=vi_acronym,
        vi_variants=tuple(vi_variants),
        en_variants=tuple(en_variants),
        en_forbidden=tuple(term.text for term in en_rest if term.status == "forbidden"),
        note="\n".join(note for note in notes if note),
        line=node.line,
    )
    return entry, languages


def _split_preferred(terms: list[_Term]) -> tuple[str, list[str]]:
    """The preferred term (the first marked so, else the first) and the others in order."""
    if not terms:
        return "", []
    index = next((i for i, term in enumerate(terms) if term.status == "preferred"), 0)
    return terms[index].text, [term.text for i, term in enumerate(terms) if i != index]
