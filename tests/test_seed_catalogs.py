"""The seeds' reviewed reference catalogs agree with the reference TSV and pass msgfmt --check."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polib
import pytest
from msgfmt import msgfmt_check

from songngu.textfile import read_text
from songngu.translate.formats.po_read import FUZZY
from songngu.translate.segment import segment_article

REFERENCE = Path(__file__).resolve().parent.parent / "seeds" / "reference"
NAMES = sorted(path.stem for path in REFERENCE.glob("*.tsv"))


def test_every_seed_has_a_reference_catalog() -> None:
    assert len(NAMES) == 3
    assert sorted(path.stem for path in REFERENCE.glob("*.po")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_catalog_holds_exactly_the_confirmed_references(name: str) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO((REFERENCE / f"{name}.tsv").read_text(encoding="utf-8")),
            delimiter="\t",
            quoting=csv.QUOTE_NONE,
        )
    )
    catalog = polib.pofile(str(REFERENCE / f"{name}.po"))
    assert catalog.metadata["Language"] == "en"
    entries = [entry for entry in catalog if not entry.obsolete]
    assert [(e.msgctxt, e.msgid, e.msgstr) for e in entries] == [(r["id"], r["vi"], r["en"]) for r in rows]
    assert all(FUZZY not in entry.flags for entry in entries)


@pytest.mark.parametrize("name", NAMES)
def test_catalog_passes_msgfmt_check(name: str) -> None:
    msgfmt_check(REFERENCE / f"{name}.po")


@pytest.mark.parametrize("name", NAMES)
def test_catalog_references_name_the_source_line(name: str) -> None:
    segments = segment_article(read_text(REFERENCE.parent / f"{name}.txt"), name)
    catalog = polib.pofile(str(REFERENCE / f"{name}.po"))
    references = [(e.msgctxt, e.occurrences) for e in catalog if not e.obsolete]
    assert references == [(s.id, [(f"{name}.txt", str(s.line))]) for s in segments]
