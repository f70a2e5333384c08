"""The beam-search key/value cache behaves as transformers' DynamicLayer, with fewer copies."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers.cache_utils import DynamicLayer

from songngu.translate.beam_cache import BeamLayer


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 12), st.integers(0, 2**16), st.integers(1, 4))
def test_beam_layer_matches_dynamic_layer(rows: int, steps: int, seed: int, capacity: int) -> None:
    # A small capacity makes the buffers grow several times; rows leave the batch now and then.
    generator = torch.Generator().manual_seed(seed)
    ours, reference = BeamLayer(capacity), DynamicLayer()
    for step in range(steps):
        keys = torch.randn(rows, 2, 1, 3, generator=generator)
        values = torch.randn(rows, 2, 1, 3, generator=generator)
        got, expected = ours.update(keys, values), reference.update(keys, values)
        assert all(torch.equal(a, b) for a, b in zip(got, expected, strict=True))
        assert ours.get_seq_length() == reference.get_seq_length() == step + 1
        keep = rows - 1 if rows > 1 and step % 3 == 2 else rows
        order = torch.randint(0, rows, (keep,), generator=generator)
        ours.reorder_cache(order)
        reference.reorder_cache(order)
        rows = keep
        assert torch.equal(ours.keys, reference.keys) and torch.equal(ours.values, reference.values)
