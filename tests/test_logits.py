"""The search's vocabulary-wide operations agree with the plain torch ones they replace."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from songngu.translate.logits import BLOCK, VocabularyBuffers, log_normaliser, project, row_top
from songngu.translate.precision import Int8Linear
from songngu.translate.workspace import Workspace


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 5),
    vocab=st.sampled_from([7, BLOCK * 3, BLOCK * 20, BLOCK * 20 + 1, BLOCK * 37 + 100]),
    width=st.integers(1, 8),
    banned=st.floats(0.0, 0.9),
    seed=st.integers(0, 2**16),
)
def test_row_top_is_topk(rows: int, vocab: int, width: int, banned: float, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(rows, vocab, generator=generator) * 4
    logits[torch.rand(rows, vocab, generator=generator) < banned] = float("-inf")  # bans, as the search sets
    width = min(width, vocab)
    values, tokens = row_top(logits, width)
    expected = torch.topk(logits, width, dim=1).values
    assert torch.equal(values, expected)
    assert torch.equal(logits.gather(1, tokens), values)  # the tokens are where those values are
    assert all(len(set(row)) == width for row in tokens.tolist())


def test_row_top_finds_the_best_tokens_all_in_one_block_or_in_the_tail() -> None:
    logits = torch.zeros(2, BLOCK * 10 + 5)
    logits[0, 3 * BLOCK : 3 * BLOCK + 4] = torch.tensor([5.0, 6.0, 7.0, 8.0])  # one block holds all
    logits[1, -3:] = torch.tensor([9.0, 1.0, 3.0])  # the partial last block
    values, tokens = row_top(logits, 4)
    assert tokens[0].tolist() == [3 * BLOCK + 3, 3 * BLOCK + 2, 3 * BLOCK + 1, 3 * BLOCK]
    assert values[1, :3].tolist() == [9.0, 3.0, 1.0]


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 4), vocab=st.integers(1, 600), seed=st.integers(0, 2**16))
def test_log_normaliser_is_logsumexp(rows: int, vocab: int, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(rows, vocab, generator=generator) * 10
    logits[:, ::3] = float("-inf")
    scratch = torch.empty(rows + 2, vocab + 5)  # larger than needed, as buffers from a workspace are
    assert torch.allclose(log_normaliser(logits, scratch), torch.logsumexp(logits, dim=1), atol=1e-5)


def test_projection_into_buffers_equals_the_layer() -> None:
    generator = torch.Generator().manual_seed(1)
    linear = torch.nn.Linear(16, 300)
    hidden = torch.randn(6, 16, generator=generator)
    workspace = Workspace()
    with torch.inference_mode():
        # Float: nn.Linear adds its bias inside the product (addmm), project after it: up to rounding.
        found = project(linear, hidden, VocabularyBuffers(8, 300, "cpu", workspace))
        assert torch.allclose(found, linear(hidden), atol=1e-5)
        # int8: the same integer products and the same rescale in the same order, so the same bits;
        # a shortlist's layer (forward) and the whole output layer (project) must not differ.
        int8 = Int8Linear.from_linear(linear)
        found = project(int8, hidden, VocabularyBuffers(8, 300, "cpu", Workspace()))
        assert torch.equal(found, int8(hidden))
