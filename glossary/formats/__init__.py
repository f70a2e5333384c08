"""Glossary exchange formats, one module per format, chosen by file suffix."""

from __future__ import annotations

import os

from songngu.errors import InputError
from songngu.glossary.formats import table
from songngu.glossary.model import Glossary
from songngu.textfile import write_atomic

TABLE_DELIMITERS = {"csv": ",", "tsv": "\t", "tab": "\t"}


def _suffix(path: str | os.PathLike[str]) -> str:
    name = os.path.basename(os.fspath(path)).lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def load_glossary(path: str | os.PathLike[str]) -> Glossary:
    """Read a glossary from CSV, TSV (or any delimited table) or TBX, by suffix."""
    if _suffix(path) == "tbx":
        from songngu.glossary.formats import tbx

        return tbx.load(path)
    return table.load(path)


def save_glossary(glossary: Glossary, path: str | os.PathLike[str]) -> None:
    """Write a glossary as CSV, TSV or TBX, chosen by the suffix of ``path``; written atomically."""
    suffix = _suffix(path)
    if suffix == "tbx":
        from songngu.glossary.formats import tbx

        tbx.save(glossary, path)
    elif suffix in TABLE_DELIMITERS:
        write_atomic(path, table.dumps(glossary, delimiter=TABLE_DELIMITERS[suffix]))
    else:
        raise InputError(f"{path}: unknown glossary format {suffix!r}; use .csv, .tsv or .tbx")
