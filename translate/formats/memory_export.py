"""The translation memory as files for CAT tools (``songngu export-tm``): TMX 1.4b and TSV.

The memory (:mod:`songngu.translate.memory`) only stores and hands out units; how they look in a
file is decided here, so storage never depends on file formats.

A unit is a pair with its origins. TMX gives each origin as a pair of properties in the order
stored, ``x-origin`` then ``x-segment-id`` (TMX allows a property type more than once), then what
the origins say together (``x-edited``, ``x-kind``, ``x-alignment-score``); a reader that keeps one
property per type sees the first origin's. TSV, one row per unit for spreadsheets, gives the first
origin in ``origin`` and ``segment_id`` and the others in ``also_from``, each as ``file segment-id``
separated by ``; ``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from songngu.spreadsheet import neutralise
from songngu.translate.formats.characters import portable_text
from songngu.translate.formats.tmx import (
    EDITED_PROP,
    KIND_PROP,
    ORIGIN_PROP,
    SCORE_PROP,
    SEGMENT_PROP,
    TmxUnit,
    dumps_tmx,
)
from songngu.translate.formats.tsv import dumps_rows
from songngu.translate.memory import MemoryUnit

TSV_HEADER = ("source", "target", "origin", "segment_id", "edited", "created", "kind", "score", "also_from")


def export_tmx(units: Iterable[MemoryUnit]) -> str:
    """The units as TMX 1.4b: one ``<tu>`` each (``tuid`` = its number in the memory, from 1), dated
    by its time, with ``x-origin`` and ``x-segment-id`` properties for each origin, then
    ``x-edited`` and ``x-kind`` (reviewed or aligned), and ``x-alignment-score`` for an aligned
    unit."""
    return dumps_tmx(
        TmxUnit(
            tuid=str(number),
            source=unit.source,
            target=unit.target,
            changed=datetime.fromisoformat(unit.created),
            props=(
                *(
                    prop
                    for origin in unit.history()
                    for prop in ((ORIGIN_PROP, origin.origin), (SEGMENT_PROP, origin.segment_id))
                ),
                (EDITED_PROP, _yes_no(unit.edited)),
                (KIND_PROP, unit.kind.value),
                *(() if unit.score is None else ((SCORE_PROP, format_score(unit.score)),)),
            ),
        )
        for number, unit in enumerate(units, start=1)
    )


def export_tsv(units: Iterable[MemoryUnit]) -> str:
    """The units as TSV: source, target, origin, segment_id (the first origin's), edited (yes/no),
    created, kind (reviewed or aligned), score (an aligned unit's alignment score, else empty),
    also_from (the other origins, ``file segment-id; …``); escaped as in
    ``<name>.tsv`` (see :mod:`songngu.translate.formats.tsv`). It is meant for spreadsheets, so a cell
    one would run as a formula gets a leading apostrophe (:func:`songngu.spreadsheet.neutralise`;
    :func:`songngu.spreadsheet.restore` undoes it); TMX carries the memory unchanged."""
    return dumps_rows(
        TSV_HEADER,
        (
            tuple(
                # The character policy first (a CR becomes a line feed), so the apostrophe is judged
                # on the text as written: the TSV writer would otherwise change what follows it.
                neutralise(portable_text(cell))
                for cell in (
                    unit.source,
                    unit.target,
                    unit.origin,
                    unit.segment_id,
                    _yes_no(unit.edited),
                    unit.created,
                    unit.kind.value,
                    "" if unit.score is None else format_score(unit.score),
                    "; ".join(f"{o.origin} {o.segment_id}".strip() for o in unit.history()[1:]),
                )
            )
            for unit in units
        ),
    )


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def format_score(score: float) -> str:
    """An alignment score as written in exports: four decimals, enough to tell units apart."""
    return f"{score:.4f}"
