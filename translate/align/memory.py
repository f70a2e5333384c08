"""Aligned beads into the translation memory: the confident ones, as ``aligned`` units with their score.

Only beads with text on both sides and a score at or above the article's threshold are stored
(1-1 and n-m alike). Each bead becomes a reviewed unit of kind :attr:`UnitKind.ALIGNED` (its English
its own baseline: nobody edited it), stored as every reviewed unit is
(:func:`songngu.translate.review.memory_unit`): origin the Vietnamese file's name, segment id the
bead's id, ``edited`` false, ``score`` the bead's score, so reuse can prefer reviewer-confirmed
units and say which kind it reused.
"""

from __future__ import annotations

from pathlib import PurePath

from songngu.translate.align.article import AlignedArticle
from songngu.translate.memory import MemoryUnit, UnitKind, utc_now
from songngu.translate.review import memory_unit
from songngu.translate.reviewed import Baseline, BaselineSource, Origin, ReviewedUnit, UnitState


def aligned_units(article: AlignedArticle, *, now: str | None = None) -> list[MemoryUnit]:
    """The memory units of an article's confident beads (``now``: their time, default the current)."""
    created = now or utc_now()
    origin = PurePath(article.vi_path).name
    return [
        memory_unit(
            ReviewedUnit(
                id=bead.id,
                source=bead.vi,
                target=bead.en,
                state=UnitState.CONFIRMED,
                baseline=Baseline(bead.en, BaselineSource.ALIGNED),
                origin=Origin(article.vi_path),
                kind=UnitKind.ALIGNED,
                score=bead.score,
            ),
            origin,
            created,
        )
        for bead in article.confident()
    ]
