"""Office documents as packages: a zip of XML parts (DOCX, ODT), opened with limits and parsed safely.

A ``.docx`` or ``.odt`` is a zip archive, so it is checked before anything is decompressed:

- **not a zip**: an OLE compound file (``D0 CF 11 E0``) is either a password-protected document
  (Office keeps the encrypted package in one, beside an ``EncryptionInfo`` stream) or an old binary
  ``.doc``; anything else is not the format at all;
- **encrypted**: a zip entry with the encryption flag, or an ODF manifest with ``encryption-data``;
- **a zip bomb**: more than 10,000 entries, an entry larger than 256 MB or all of them larger than
  1 GB once decompressed, or an entry over 1 MB that compresses more than 100 to 1 (office XML
  compresses about 10 to 1); sizes are the archive's own, and reading never goes past them (a
  lying size ends in a CRC error, not a bomb);
- **XML with a document type declaration**: office parts never have one, and it is what
  external entities (``<!ENTITY x SYSTEM "file:///etc/passwd">``) and entity expansion bombs need.
  Every part is parsed with entities, DTDs and the network off.

Each problem is one :class:`InputError` line naming the file (and the part).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from songngu.errors import InputError

MAX_ENTRIES = 10_000
MAX_ENTRY_SIZE = 256 * 1024 * 1024
MAX_TOTAL_SIZE = 1024 * 1024 * 1024
MAX_RATIO = 100
_RATIO_FLOOR = 1024 * 1024  # small entries may compress as they like

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


@dataclass(frozen=True)
class Package:
    """A zip package read whole: each entry's info (in archive order) and bytes."""

    name: str
    entries: tuple[zipfile.ZipInfo, ...]
    parts: Mapping[str, bytes]

    def part(self, path: str) -> bytes | None:
        """The bytes of entry ``path``, or None."""
        return self.parts.get(path)

    def xml(self, path: str) -> etree._Element:
        """Entry ``path`` parsed as XML (see :func:`parse_xml`)."""
        data = self.parts.get(path)
        if data is None:
            raise InputError(f"{self.name}: {path} is missing from the package")
        return parse_xml(data, f"{self.name}: {path}")

    def with_parts(self, replaced: Mapping[str, bytes]) -> bytes:
        """The package as a zip again, with ``replaced`` entries' bytes changed: every entry in its
        order, with its name, date, compression and attributes; the others byte for byte."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for info in self.entries:
                data = replaced.get(info.filename, self.parts[info.filename])
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                copy.comment = info.comment
                archive.writestr(copy, data)
        return out.getvalue()


def open_package(data: bytes, name: str, kind: str) -> Package:
    """The zip package in ``data`` (``kind`` names the format for messages: "DOCX", "ODT")."""
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTION_INFO in data:
            raise InputError(
                f"{name}: the document is encrypted (password-protected); save a copy without the password "
                "and translate that"
            )
        raise InputError(f"{name}: an old binary Office document, not {kind}: save it as {kind} first")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputError(f"{name}: not a {kind} document (not a zip archive)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = tuple(archive.infolist())
        _check_sizes(entries, name)
        parts: dict[str, bytes] = {}
        for info in entries:
            if info.flag_bits & 0x1:
                raise InputError(f"{name}: {info.filename} is encrypted; save a copy without the password")
            with archive.open(info) as entry:
                parts[info.filename] = entry.read(MAX_ENTRY_SIZE + 1)
            if len(parts[info.filename]) > MAX_ENTRY_SIZE:
                raise InputError(f"{name}: {info.filename} is larger than {MAX_ENTRY_SIZE // 2**20} MB")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, OSError) as exc:
        raise InputError(f"{name}: damaged zip archive ({exc})") from None
    return Package(name, entries, parts)


def _check_sizes(entries: Iterable[zipfile.ZipInfo], name: str) -> None:
    total = 0
    for count, info in enumerate(entries, start=1):
        if count > MAX_ENTRIES:
            raise InputError(f"{name}: more than {MAX_ENTRIES:,} entries in the archive (a zip bomb?)")
        total += info.file_size
        if info.file_size > MAX_ENTRY_SIZE or total > MAX_TOTAL_SIZE:
            raise InputError(
                f"{name}: {info.filename} decompresses to {info.file_size:,} bytes, "
                f"more than an office document holds (a zip bomb?)"
            )
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                f"{name}: {info.filename} compresses {info.file_size // max(info.compress_size, 1):,} to 1 "
                f"(at most {MAX_RATIO} to 1 is accepted: a zip bomb?)"
            )


def parse_xml(data: bytes, where: str) -> etree._Element:
    """An XML part, parsed with entities, DTDs and the network off; a document type declaration, or
    XML that is not well-formed, is an InputError naming ``where`` and the line."""
    head = data[:4096]
    if b"<!DOCTYPE" in data or b"<!ENTITY" in head:
        line = data[: data.find(b"<!")].count(b"\n") + 1
        raise InputError(
            f"{where}:{line}: a document type declaration (external or entity references); "
            "office documents have none, so this one is refused"
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise InputError(f"{where}:{line}: not well-formed XML ({exc.msg})") from None


def serialize_xml(root: etree._Element) -> bytes:
    """A part's XML, with the declaration office applications write."""
    standalone = root.getroottree().docinfo.standalone
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=standalone)
    return data
