"""The beam-search key/value cache holds what a plain growing cache holds, with fewer copies."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from songngu.translate.beam_cache import BeamCache
from songngu.translate.workspace import Workspace


class _Growing:
    """The obvious cache: per layer, keys and values concatenated step by step, reordered by index."""

    def __init__(self, layers: int) -> None:
        self.keys: list[torch.Tensor | None] = [None] * layers
        self.values: list[torch.Tensor | None] = [None] * layers

    def append(
        self, layer: int, keys: torch.Tensor, values: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        old_keys, old_values = self.keys[layer], self.values[layer]
        self.keys[layer] = (
            keys[:, :, None] if old_keys is None else torch.cat((old_keys, keys[:, :, None]), 2)
        )
        self.values[layer] = (
            values[:, :, None] if old_values is None else torch.cat((old_values, values[:, :, None]), 2)
        )
        return self.keys[layer], self.values[layer]  # type: ignore[return-value]

    def reorder(self, order: torch.Tensor) -> None:
        self.keys = [None if k is None else k[order] for k in self.keys]
        self.values = [None if v is None else v[order] for v in self.values]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(1, 3), st.integers(1, 12), st.integers(0, 2**16), st.integers(1, 4))
def test_beam_cache_matches_a_growing_cache(
    rows: int, layers: int, steps: int, seed: int, capacity: int
) -> None:
    # A small capacity makes the buffer grow several times; rows leave the batch now and then; one
    # workspace serves two searches in turn, as it does from batch to batch.
    generator = torch.Generator().manual_seed(seed)
    workspace = Workspace()
    for _search in range(2):
        ours = BeamCache(layers, rows, 2, 3, capacity=capacity, workspace=workspace)
        reference = _Growing(layers)
        live = rows
        for step in range(steps):
            for layer in range(layers):
                keys = torch.randn(live, 2, 3, generator=generator)
                values = torch.randn(live, 2, 3, generator=generator)
                got, expected = ours.append(layer, keys, values), reference.append(layer, keys, values)
                assert all(torch.equal(a, b) for a, b in zip(got, expected, strict=True))
            ours.advance()
            assert ours.length == step + 1
            keep = live - 1 if live > 1 and step % 3 == 2 else live
            order = torch.randint(0, live, (keep,), generator=generator)
            ours.reorder(order)
            reference.reorder(order)
            live = keep


def test_an_empty_cache_takes_fewer_rows_and_a_reorder_widens_them() -> None:
    # The search's first step feeds one hypothesis per sentence; the reorder after it makes a beam.
    cache = BeamCache(1, 4, 2, 3)
    first = torch.arange(12.0).view(2, 2, 3)
    keys, _ = cache.append(0, first, -first)
    assert keys.shape == (2, 2, 1, 3)
    cache.advance()
    cache.reorder(torch.tensor([0, 0, 1, 1]))
    keys, values = cache.append(0, torch.zeros(4, 2, 3), torch.zeros(4, 2, 3))
    assert torch.equal(keys[:, :, 0], first[[0, 0, 1, 1]])
    assert torch.equal(values[:, :, 0], -first[[0, 0, 1, 1]])


def test_appending_with_the_wrong_number_of_rows_is_refused() -> None:
    cache = BeamCache(1, 4, 2, 3)
    with pytest.raises(ValueError, match="reorder"):  # more rows than it was made for
        cache.append(0, torch.zeros(5, 2, 3), torch.zeros(5, 2, 3))
    cache.append(0, torch.zeros(4, 2, 3), torch.zeros(4, 2, 3))
    cache.advance()
    with pytest.raises(ValueError, match="reorder"):  # holding 4 rows, it is fed 3
        cache.append(0, torch.zeros(3, 2, 3), torch.zeros(3, 2, 3))
