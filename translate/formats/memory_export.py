"""The translation memory as files for CAT tools (``songngu export-tm``): TMX 1.4b and TSV.

The memory (:mod:`songngu.translate.memory`) only stores and hands out units; how they look in a
file is decided here, so storage never depends on file formats.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from songngu.spreadsheet import neutralise
from songngu.translate.formats.characters import portable_text
from songngu.translate.formats.tmx import TmxUnit, dumps_tmx
from songngu.translate.formats.tsv import dumps_rows
from songngu.translate.memory import MemoryUnit, UnitKind

TSV_HEADER = ("source", "target", "origin", "segment_id", "edited", "created", "kind", "score")

# TMX properties of songngu's own (TMX reserves types not starting with "x-" for itself). songngu's
# TMX import reads KIND_PROP and SCORE_PROP back, so an aligned unit stays aligned through an export.
KIND_PROP = "x-kind"
SCORE_PROP = "x-alignment-score"


def export_tmx(units: Iterable[MemoryUnit]) -> str:
    """The units as TMX 1.4b: one ``<tu>`` each (``tuid`` = its number in the memory, from 1), dated
    by its creation time, with ``x-origin``, ``x-segment-id``, ``x-edited`` and ``x-kind``
    (reviewed or aligned) properties, and ``x-alignment-score`` for an aligned unit."""
    return dumps_tmx(
        TmxUnit(
            tuid=str(number),
            source=unit.source,
            target=unit.target,
            changed=datetime.fromisoformat(unit.created),
            props=(
                ("x-origin", unit.origin),
                ("x-segment-id", unit.segment_id),
                ("x-edited", _yes_no(unit.edited)),
                (KIND_PROP, unit.kind.value),
                *(() if unit.score is None else ((SCORE_PROP, format_score(unit.score)),)),
            ),
        )
        for number, unit in enumerate(units, start=1)
    )


def export_tsv(units: Iterable[MemoryUnit]) -> str:
    """The units as TSV: source, target, origin, segment_id, edited (yes/no), created, kind (reviewed
    or aligned), score (an aligned unit's alignment score, else empty); escaped as in
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
