"""Documents: HTML, Word (DOCX), Markdown and OpenDocument text in, the same document back in English.

A document is read into blocks of plain text with inline codes (:mod:`.model`); its sentences get
segment ids like a text article's (:mod:`.segments`); once translated, each block's inline
elements are placed in its English by word alignment (:mod:`.inline`, :mod:`.wordalign`) and the
format writes the document back with everything but the translatable text unchanged
(:mod:`.rebuild`). One module per format: :mod:`.html`, :mod:`.docx`, :mod:`.markdown`,
:mod:`.odt`; :mod:`.xmltext` is the mixed-content walk HTML and ODF share, :mod:`.package` the zip
and XML safety DOCX and ODT share.

This module is the registry: which suffixes are documents, and :func:`read_document`. The format
modules (and lxml) are imported only when a document is read.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path, PurePath

from songngu.errors import InputError
from songngu.textfile import open_regular
from songngu.translate.documents.model import Document

# suffix → (module, class); a suffix here is read as a document, anything else as plain text.
_FORMATS: dict[str, tuple[str, str]] = {
    ".html": ("html", "HtmlDocument"),
    ".htm": ("html", "HtmlDocument"),
    ".docx": ("docx", "DocxDocument"),
    ".md": ("markdown", "MarkdownDocument"),
    ".markdown": ("markdown", "MarkdownDocument"),
    ".odt": ("odt", "OdtDocument"),
}
DOCUMENT_SUFFIXES: tuple[str, ...] = tuple(_FORMATS)
# Largest document file read (a zip package is also checked entry by entry).
MAX_FILE_SIZE = 256 * 1024 * 1024


def is_document(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is read as a document (by its suffix, in any case)."""
    return PurePath(path).suffix.lower() in _FORMATS


def english_name(path: str | os.PathLike[str], name: str) -> str:
    """The file name of the English document for ``path``: ``<name>.en<suffix>``."""
    return f"{name}.en{PurePath(path).suffix}"


def parse_document(data: bytes, name: str, suffix: str) -> Document:
    """The document in ``data``, of the format ``suffix`` names (``name`` for messages)."""
    module_name, class_name = _FORMATS[suffix.lower()]
    module = importlib.import_module(f"songngu.translate.documents.{module_name}")
    document: Document = getattr(module, class_name).read(data, name)
    return document


def read_document(path: str | os.PathLike[str]) -> Document:
    """Read and parse the document in ``path``; every problem is one :class:`InputError` line."""
    file = Path(path)
    # A device or a pipe named tin.html never ends or blocks: regular files only, as for text.
    with open_regular(path) as handle:
        try:
            data = handle.read(MAX_FILE_SIZE + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_SIZE:
        raise InputError(f"{path}: larger than a document songngu reads (256 MB)")
    return parse_document(data, os.fspath(path), file.suffix)
