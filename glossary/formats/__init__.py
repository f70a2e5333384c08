"""Glossary exchange formats, one module per format, chosen by file suffix."""

from __future__ import annotations

import os

from glossary.formats import table
from glossary.model import Glossary


def load_glossary(path: str | os.PathLike[str]) -> Glossary:
    """Read a glossary from CSV, TSV (or any delimited table) or TBX, by suffix."""
    if os.fspath(path).lower().endswith(".tbx"):
        from glossary.formats import tbx

        return tbx.load(path)
    return table.load(path)
