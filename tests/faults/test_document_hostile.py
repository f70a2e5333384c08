"""Hostile documents: each is refused in one line naming the file, exit 2, and nothing is written.

A ``.docx`` that is no zip, a zip bomb, an encrypted Word or OpenDocument file, HTML nested 100,000
deep, an ODT (or DOCX) that points outside itself (external entities, linked images and sections,
DDE), a Markdown file with a 10 MB line.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from documents_factory import docx_document, odt_document
from songngu_process import run_songngu

from songngu.errors import InputError
from songngu.translate.documents import read_document


def rewrite_zip(path: Path, change: Callable[[str, bytes], bytes]) -> None:
    """Rewrite every entry of the zip at ``path`` through ``change(name, data)``."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, change(info.filename, data))
    path.write_bytes(out.getvalue())


def not_a_zip(tmp_path: Path) -> Path:
    path = tmp_path / "thu.docx"
    path.write_bytes(b"Bo Ngoai giao hop bao.\n")
    return path


def zip_bomb(tmp_path: Path) -> Path:
    path = docx_document(tmp_path / "bom.docx")
    zeros = b"\0" * (50 * 1024 * 1024)
    rewrite_zip(path, lambda name, data: zeros if name == "word/document.xml" else data)
    return path


def encrypted_docx(tmp_path: Path) -> Path:
    # What Word writes for a password-protected file: an OLE compound file holding the encrypted
    # package beside an "EncryptionInfo" stream (its directory names are UTF-16).
    path = tmp_path / "mat-khau.docx"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    path.write_bytes(header + "EncryptionInfo".encode("utf-16-le") + b"\0" * 2048)
    return path


def encrypted_zip_entry(tmp_path: Path) -> Path:
    path = docx_document(tmp_path / "ma-hoa.docx")
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag of every entry, in its local and its central directory header.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start >= 0:
            data[start + offset] |= 0x01
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    return path


def encrypted_odt(tmp_path: Path) -> Path:
    path = odt_document(tmp_path / "khoa.odt")
    encryption = (
        b'<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
        b'<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="y"/>'
        b"</manifest:encryption-data>"
    )

    def change(name: str, data: bytes) -> bytes:
        if name != "META-INF/manifest.xml":
            return data
        entry = rb'(<manifest:file-entry manifest:full-path="content\.xml"[^>]*)/>'
        return re.sub(entry, lambda m: m.group(1) + b">" + encryption + b"</manifest:file-entry>", data)

    rewrite_zip(path, change)
    assert b"encryption-data" in zipfile.ZipFile(path).read("META-INF/manifest.xml")
    return path


def odt_with_external_entity(tmp_path: Path) -> Path:
    path = odt_document(tmp_path / "thuc-the.odt")

    def change(name: str, data: bytes) -> bytes:
        if name != "content.xml":
            return data
        declaration, rest = data.split(b"?>", 1)
        entity = b'<!DOCTYPE office:document-content [<!ENTITY mat SYSTEM "file:///etc/passwd">]>'
        return (
            declaration + b"?>" + entity + rest.replace("Liên minh".encode(), "&mat; Liên minh".encode(), 1)
        )

    rewrite_zip(path, change)
    return path


def odt_with_linked_image(tmp_path: Path) -> Path:
    path = odt_document(tmp_path / "anh-ngoai.odt")
    frame = (
        b'<draw:frame draw:name="Anh" text:anchor-type="as-char" svg:width="1cm" svg:height="1cm">'
        b'<draw:image xlink:href="http://theo-doi.example/anh.png" xlink:type="simple"/></draw:frame>'
    )
    rewrite_zip(
        path,
        lambda name, data: (
            data.replace("chủ trì.".encode(), "chủ trì.".encode() + frame, 1)
            if name == "content.xml"
            else data
        ),
    )
    return path


def odt_with_linked_section(tmp_path: Path) -> Path:
    path = odt_document(tmp_path / "muc-lien-ket.odt")
    section = (
        b'<text:section text:name="Muc"><text:section-source xlink:href="../../bi-mat.odt" '
        b'xlink:type="simple"/><text:p>Li\xc3\xaan minh</text:p></text:section>'
    )
    rewrite_zip(
        path,
        lambda name, data: (
            data.replace(b"</office:text>", section + b"</office:text>") if name == "content.xml" else data
        ),
    )
    return path


def docx_with_entity(tmp_path: Path) -> Path:
    path = docx_document(tmp_path / "thuc-the-word.docx")

    def change(name: str, data: bytes) -> bytes:
        if name != "word/document.xml":
            return data
        declaration, rest = data.split(b"?>", 1)
        return declaration + b'?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">]>' + rest

    rewrite_zip(path, change)
    return path


def deep_html(tmp_path: Path) -> Path:
    path = tmp_path / "sau.html"
    path.write_text(
        "<html><body>" + "<div>" * 100_000 + "Bộ Ngoại giao" + "</div>" * 100_000 + "</body></html>"
    )
    return path


def long_markdown_line(tmp_path: Path) -> Path:
    path = tmp_path / "dong-dai.md"
    path.write_text("# Tiêu đề\n\n" + "a" * 10_000_000 + "\n", encoding="utf-8")
    return path


HOSTILE: list[tuple[Callable[[Path], Path], str]] = [
    (not_a_zip, r"thu\.docx: not a DOCX document \(not a zip archive\)"),
    (
        zip_bomb,
        r"bom\.docx: word/document\.xml compresses [\d,]+ to 1 \(at most 100 to 1 is accepted: a zip bomb",
    ),
    (encrypted_docx, r"mat-khau\.docx: the document is encrypted \(password-protected\)"),
    (encrypted_zip_entry, r"ma-hoa\.docx: \[Content_Types\]\.xml is encrypted"),
    (encrypted_odt, r"khoa\.odt: the document is encrypted \(password-protected\)"),
    (
        odt_with_external_entity,
        r"thuc-the\.odt: content\.xml:1: a document type declaration \(external or entity",
    ),
    (
        odt_with_linked_image,
        r"anh-ngoai\.odt: content\.xml:\d+: <draw:image> refers to 'http://theo-doi\.example/anh\.png'",
    ),
    (
        odt_with_linked_section,
        r"muc-lien-ket\.odt: content\.xml:\d+: <text:section-source> refers to '\.\./\.\./bi-mat\.odt'",
    ),
    (docx_with_entity, r"thuc-the-word\.docx: word/document\.xml:\d: a document type declaration"),
    (deep_html, r"sau\.html:1: elements nested more than 200 deep"),
    (
        long_markdown_line,
        r"dong-dai\.md:3: a line of 10,000,000 characters \(at most 100,000 in a Markdown article\)",
    ),
]


@pytest.mark.parametrize(("make", "message"), HOSTILE, ids=[make.__name__ for make, _ in HOSTILE])
def test_a_hostile_document_is_one_line_naming_the_file(
    make: Callable[[Path], Path], message: str, tmp_path: Path
) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError, match=message) as error:
        read_document(path)
    assert "\n" not in str(error.value) and str(error.value).startswith(str(path))


def test_translate_refuses_them_all_with_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    paths = [make(inputs) for make, _ in HOSTILE]
    # No model is needed (nor looked for) to refuse them: reading comes first.
    done = run_songngu(
        [
            "translate",
            *(p.name for p in paths),
            "--model",
            str(tmp_path / "no-model"),
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=inputs,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == len(HOSTILE), done.stderr
    assert all(line.startswith("songngu: ") for line in lines)
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["zero.html", "zero.docx", "zero.md", "zero.odt"])
def test_a_device_named_as_a_document_is_refused(name: str, tmp_path: Path) -> None:
    # read_document slurped the file whole: a link to /dev/zero ended in MemoryError.
    (tmp_path / name).symlink_to("/dev/zero")
    with pytest.raises(InputError, match="is a character device, not a regular file"):
        read_document(tmp_path / name)
