"""The English document from a reviewed catalog, with no model: ``songngu build``, and ``translate``
on a re-run.

A desk translates a document (``songngu translate tin.docx``), reviews ``tin.po`` in Poedit or
``tin.xlf`` in a CAT tool, and publishes the English document built from that catalog. Each
sentence of the document is looked up in the catalog by its segment id and its source with its
tags (a unit whose id now names another sentence is found by its source alone, as the merge pairs
moved sentences); its translation is the unit's target with the reviewer's tags
(:mod:`translate.documents.tagged`). ``songngu build`` takes every translated unit (confirmed or
not: the catalog is the best translation there is) and refuses, in one line, a catalog that lacks a
sentence of the document; ``translate`` on a re-run takes the confirmed units only, the model's
output standing for the rest.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from songngu.errors import InputError
from songngu.translate.documents.model import Document
from songngu.translate.documents.rebuild import (
    EnglishDocument,
    ReviewedLookup,
    english_document,
    recorded_terms,
)
from songngu.translate.documents.segments import document_segments
from songngu.translate.formats.characters import portable_text
from songngu.translate.records import SegmentResult
from songngu.translate.reviewed import ReviewedUnit, UnitState, one_line


@dataclass(frozen=True)
class CatalogTranslations:
    """A catalog's translations by segment id and by source, each with its tags."""

    by_id: dict[str, tuple[str, str]]  # segment id → (source markup, target markup)
    by_source: dict[str, str]  # source markup → target markup (the first unit's)
    confirmed: frozenset[str]  # source markups of confirmed units

    def lookup(self, segment_id: str, source: str) -> str | None:
        """The translation of the sentence ``source`` (with its tags) under ``segment_id``."""
        found = self.by_id.get(segment_id)
        if found is not None and found[0] == _key(source):
            return found[1]
        return self.by_source.get(_key(source))


def catalog_translations(units: Sequence[ReviewedUnit], *, confirmed_only: bool) -> CatalogTranslations:
    """The translated units of a catalog (only the confirmed ones with ``confirmed_only``)."""
    by_id: dict[str, tuple[str, str]] = {}
    by_source: dict[str, str] = {}
    confirmed: set[str] = set()
    for unit in units:
        if not unit.target.strip() or unit.state is UnitState.OBSOLETE:
            continue
        if confirmed_only and not unit.confirmed:
            continue
        source = _key(unit.markup_source)
        if unit.id:
            by_id.setdefault(unit.id, (source, unit.markup_target))
        by_source.setdefault(source, unit.markup_target)
        if unit.confirmed:
            confirmed.add(source)
    return CatalogTranslations(by_id, by_source, frozenset(confirmed))


def reviewed_lookup(catalogs: Sequence[Path]) -> ReviewedLookup | None:
    """The confirmed translations of those of ``catalogs`` that exist (the first one's win), for
    ``translate`` on a re-run; None when there is none."""
    from songngu.translate.formats import read_units

    units: list[ReviewedUnit] = []
    for catalog in catalogs:
        if catalog.is_file():
            units.extend(read_units(catalog))
    translations = catalog_translations(units, confirmed_only=True)
    return translations.lookup if translations.by_source else None


@dataclass(frozen=True)
class Built:
    """What ``songngu build`` wrote: the English document and its sentences' counts."""

    english: EnglishDocument
    sentences: int
    unconfirmed: int


def build_from_catalog(document: Document, name: str, catalog: str | os.PathLike[str]) -> Built:
    """The English ``document`` from the reviewed ``catalog`` (PO or XLIFF), with no model; an
    InputError names the first sentence the catalog does not translate."""
    from songngu.translate.formats import read_units, reader_for

    if not reader_for(catalog).records_review:
        raise InputError(f"{catalog}: not a review catalog; songngu build reads a .po or .xlf")
    translations = catalog_translations(list(read_units(catalog)), confirmed_only=False)
    segments = document_segments(document, name)
    # The source markup of each sentence, as the catalog was written with it.
    identity = english_document(document, name, [], recorded_terms)
    missing = [
        segment
        for segment in segments
        if translations.lookup(segment.id, _source(identity, segment.id, segment.source)) is None
    ]
    if missing:
        first = missing[0]
        raise InputError(
            f"{catalog}: no translation of {len(missing)} of the {len(segments)} sentences of the "
            f"document, the first {first.id} ({first.source[:60]!r}); run songngu translate on it first"
        )
    results = [SegmentResult(s.id, s.source, s.source, s.paragraph) for s in segments]
    english = english_document(document, name, results, recorded_terms, translations.lookup)
    unconfirmed = sum(
        1
        for segment in segments
        if _key(_source(identity, segment.id, segment.source)) not in translations.confirmed
    )
    return Built(english, len(segments), unconfirmed)


def _key(text: str) -> str:
    # As the catalogs hold a sentence: under the character policy, its whitespace runs one space.
    return one_line(portable_text(text))


def _source(english: EnglishDocument, segment_id: str, plain: str) -> str:
    markup = english.markup.get(segment_id)
    return markup.source if markup is not None else plain
