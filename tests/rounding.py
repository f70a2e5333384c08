"""What a test may compare exactly when two computations are not the same arithmetic.

A float result computed on other shapes (a sentence alone or in a padded batch), by other code (our
decoder step or transformers'), or with another thread count may differ in the last bits from one
CPU's kernels to the next. A search turns those bits into discrete choices, and a random test model
has many near ties (candidates 1e-6 apart), so a test may compare two such searches token for token
only where every choice was clear of a tie by far more than the rounding: :func:`selection_margins`
measures how clear they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

#: A score at or below this is a masked placeholder (the searches' -1e9), not a candidate.
PLACEHOLDER = -1.0e8


@contextmanager
def selection_margins(rows: int) -> Iterator[torch.Tensor]:
    """Per row (sentence), the smallest gap between consecutive values among the ``k + 1`` best of
    every ``torch.topk(x, k)`` with ``rows`` rows made inside the block: how close that sentence's
    closest selection came to a tie. ``inf`` for a row that made none.

    transformers' beam search chooses every continuation, every running beam and every finished
    hypothesis with such a top-k over the sentence's candidates, so this covers its choices (not the
    stopping test, a comparison of two scores).
    """
    gaps = torch.full((rows,), float("inf"))
    real_topk = torch.topk

    def recording_topk(values: torch.Tensor, k: int, *args: Any, **kwargs: Any) -> Any:
        if values.dim() == 2 and values.shape[0] == rows and values.shape[1] > 1:
            best = real_topk(values.float(), min(k + 1, values.shape[1]), dim=1).values
            gap = (best[:, :-1] - best[:, 1:]).masked_fill(best[:, 1:] <= PLACEHOLDER, float("inf"))
            torch.minimum(gaps, gap.min(dim=1).values, out=gaps)
        return real_topk(values, k, *args, **kwargs)

    torch.topk = recording_topk  # type: ignore[assignment]
    try:
        yield gaps
    finally:
        torch.topk = real_topk  # type: ignore[assignment]
