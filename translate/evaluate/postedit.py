"""Post-editing effort from reviewed PO catalogs: HTER and the share of segments accepted unchanged.

For each confirmed entry (not fuzzy, not obsolete, not empty) the machine translation is the
``#. machine translation: ...`` comment when there is one, else the msgstr itself (then the entry
counts as accepted unchanged: nothing records an edit). HTER is the corpus TER of the machine
translations against the reviewer's confirmed msgstr (case-sensitive; see :func:`quality.hter`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from songngu.errors import InputError
from songngu.translate.evaluate.inputs import article_name, is_confirmed, load_po, machine_translation
from songngu.translate.evaluate.quality import MetricScore, hter


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


def reviewed_pairs(path: str | os.PathLike[str]) -> tuple[list[tuple[str, str]], int]:
    """(machine translation, confirmed translation) for each confirmed entry, and the count pending."""
    pairs, pending = [], 0
    for entry in load_po(path):
        if entry.obsolete:
            continue
        if is_confirmed(entry):
            pairs.append((machine_translation(entry), entry.msgstr))
        else:
            pending += 1
    if not pairs:
        raise InputError(f"{path}: no confirmed entries (every entry is fuzzy, untranslated or obsolete)")
    return pairs, pending


def _effort(name: str, pairs: Sequence[tuple[str, str]], pending: int) -> PostEdit:
    machine = [m for m, _ in pairs]
    final = [f for _, f in pairs]
    unchanged = sum(m == f for m, f in pairs)
    return PostEdit(name, len(pairs), unchanged, pending, hter(machine, final))


def post_edit_effort(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[PostEdit], PostEdit]:
    """HTER and accepted-unchanged share per reviewed catalog, and over all of them together."""
    per_article, everything, pending = [], [], 0
    for path in paths:
        pairs, waiting = reviewed_pairs(path)
        per_article.append(_effort(article_name(path), pairs, waiting))
        everything.extend(pairs)
        pending += waiting
    return per_article, _effort("all", everything, pending)
