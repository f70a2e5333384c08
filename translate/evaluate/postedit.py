"""Post-editing effort from reviewed files (PO, XLIFF): HTER and the share accepted unchanged.

Every file is read through the format registry as reviewed units (:mod:`songngu.translate.reviewed`).
For each confirmed unit the translation the reviewer started from is its baseline (the "machine
translation:", "translation memory:" or "aligned translation:" note, however a tool wrapped it),
else the target itself (then the unit counts as accepted unchanged: nothing records an edit); it
is accepted unchanged when it is not edited (whitespace aside). HTER is the corpus TER of the
baselines against the reviewer's confirmed targets (case-sensitive; see :func:`quality.hter`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from songngu.errors import InputError
from songngu.translate.evaluate.inputs import article_name
from songngu.translate.evaluate.quality import MetricScore, hter
from songngu.translate.formats import reader_for
from songngu.translate.reviewed import UnitState


@dataclass(frozen=True)
class PostEdit:
    """Post-editing effort over one catalog (or over all of them: ``name`` "all")."""

    name: str
    segments: int  # confirmed entries
    unchanged: int  # confirmed exactly as the machine wrote them
    pending: int  # entries not confirmed yet (fuzzy or empty), left out
    hter: MetricScore

    @property
    def unchanged_share(self) -> float:
        return self.unchanged / self.segments if self.segments else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "segments": self.segments,
            "accepted_unchanged": self.unchanged,
            "accepted_unchanged_share": self.unchanged_share,
            "edited": self.segments - self.unchanged,
            "pending": self.pending,
            "hter": self.hter.to_json(),
        }


@dataclass(frozen=True)
class _Reviewed:
    """One confirmed unit: the text the reviewer started from, their text, and whether they edited."""

    baseline: str
    final: str
    edited: bool


def reviewed_pairs(path: str | os.PathLike[str]) -> tuple[list[_Reviewed], int]:
    """The confirmed units of a reviewed file, and how many are pending (new, machine or fuzzy)."""
    reader = reader_for(path)
    if not reader.records_review:
        raise InputError(
            f"{path}: a {reader.suffixes[0]} file records no review; give reviewed PO or XLIFF files"
        )
    pairs, pending = [], 0
    for unit in reader.units(path):
        if unit.state is UnitState.OBSOLETE:
            continue
        if unit.confirmed:
            pairs.append(_Reviewed(unit.starting_text, unit.target, unit.edited))
        else:
            pending += 1
    if not pairs:
        raise InputError(f"{path}: no confirmed entries (every entry is fuzzy, untranslated or obsolete)")
    return pairs, pending


def _effort(name: str, pairs: Sequence[_Reviewed], pending: int) -> PostEdit:
    unchanged = sum(not pair.edited for pair in pairs)
    return PostEdit(
        name, len(pairs), unchanged, pending, hter([p.baseline for p in pairs], [p.final for p in pairs])
    )


def post_edit_effort(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[PostEdit], PostEdit]:
    """HTER and accepted-unchanged share per reviewed catalog, and over all of them together."""
    per_article, everything, pending = [], [], 0
    for path in paths:
        pairs, waiting = reviewed_pairs(path)
        per_article.append(_effort(article_name(path), pairs, waiting))
        everything.extend(pairs)
        pending += waiting
    return per_article, _effort("all", everything, pending)
