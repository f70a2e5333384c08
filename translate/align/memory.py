"""Aligned beads into the translation memory: the confident ones, as ``aligned`` units with their score.

Only beads with text on both sides and a score at or above the article's threshold are stored
(1-1 and n-m alike). Each unit's origin is the Vietnamese file's name, its segment id the bead's id,
``edited`` false (nobody edited it), ``kind`` :attr:`UnitKind.ALIGNED` and ``score`` the bead's
score, so reuse can prefer reviewer-confirmed units and say which kind it reused.
"""

from __future__ import annotations

from pathlib import PurePath

from songngu.translate.align.article import AlignedArticle
from songngu.translate.memory import MemoryUnit, UnitKind, utc_now


def aligned_units(article: AlignedArticle, *, now: str | None = None) -> list[MemoryUnit]:
    """The memory units of an article's confident beads (``now``: their time, default the current)."""
    created = now or utc_now()
    origin = PurePath(article.vi_path).name
    return [
        MemoryUnit(
            source=bead.vi,
            target=bead.en,
            origin=origin,
            segment_id=bead.id,
            edited=False,
            created=created,
            kind=UnitKind.ALIGNED,
            score=bead.score,
        )
        for bead in article.confident()
    ]
