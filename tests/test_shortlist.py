"""The vocabulary shortlist: exact with the whole vocabulary, terms still guaranteed with a short one."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
import torch
from test_engine import assert_guaranteed, seed_requests

from songngu.translate.decoding import beam_search
from songngu.translate.engine import TranslationRequest, Translator
from songngu.translate.precision import Int8Linear
from songngu.translate.shortlist import frequent_tokens, restricted_projection


@pytest.fixture(scope="module", params=["fp32", "int8"])
def precision(request: pytest.FixtureRequest) -> str:
    return request.param


def test_frequent_tokens_are_the_target_model_s_most_probable_pieces(tiny_model_dir: Path) -> None:
    translator = Translator.load(str(tiny_model_dir), device="cpu", precision="fp32")
    tokenizer = translator.tokenizer
    ids = frequent_tokens(tokenizer, 50).tolist()
    assert len(ids) == len(set(ids)) == 50
    processor, pieces = tokenizer.spm_target, tokenizer.convert_ids_to_tokens(ids)
    scores = [processor.GetScore(processor.PieceToId(piece)) for piece in pieces]
    assert scores == sorted(scores, reverse=True)
    assert tokenizer.unk_token_id not in ids and tokenizer.pad_token_id not in ids


@pytest.mark.parametrize("layer", ["float", "int8"])
def test_restricted_projection_equals_the_full_layer_on_its_tokens(layer: str) -> None:
    torch.manual_seed(0)
    linear = torch.nn.Linear(16, 40)
    full = linear if layer == "float" else Int8Linear.from_linear(linear)
    ids = torch.tensor([0, 3, 7, 39])
    hidden = torch.randn(5, 16)
    logits = restricted_projection(full, ids, 40)(hidden)
    expected = full(hidden)
    if layer == "int8":
        # Integer products are exact whatever the shape, and the rescale is per element: the same bits.
        assert torch.equal(logits[:, ids], expected[:, ids])
    else:
        # A float product over a 4-row weight and one over 40 rows may take different kernels (AVX-512,
        # AVX2, default), whose sums differ in the last bit: equal up to rounding, not bit for bit.
        torch.testing.assert_close(logits[:, ids], expected[:, ids], rtol=1e-5, atol=1e-6)
    outside = torch.ones(40, dtype=torch.bool)
    outside[ids] = False
    assert bool(torch.isneginf(logits[:, outside]).all())


def test_whole_vocabulary_shortlist_changes_nothing(tiny_model_dir: Path, precision: str) -> None:
    # The mechanism is exact: with every token listed, the search finds what it finds without a list.
    # Bit for bit, because it is the same arithmetic: the listed rows are the whole weight in its own
    # order, multiplied by the same product on the same shapes (fp32: one matrix product either way;
    # int8: the same integer product and rescale, test_logits.py) and then copied into place.
    translator = Translator.load(str(tiny_model_dir), device="cpu", precision=precision)
    requests = [*seed_requests(4), TranslationRequest("Hội thảo có sự tham dự của hơn 60 đại biểu.")]
    batch = translator.tokenizer([r.source for r in requests], return_tensors="pt", padding=True)
    automata = [translator.encode_request(r).automaton() for r in requests]
    everything = torch.arange(translator.model.config.vocab_size)
    model, ids, mask = translator.model, batch.input_ids, batch.attention_mask
    search = partial(beam_search, model, ids, mask, automata, max_length=40)
    assert search(shortlist=everything) == search()


def test_short_list_still_meets_every_term(tiny_model_dir: Path, precision: str) -> None:
    translator = Translator.load(str(tiny_model_dir), device="cpu", precision=precision, shortlist=100)
    requests = seed_requests(6)
    results = translator.translate(requests, max_length=64, batch_size=8)
    for request, result in zip(requests, results, strict=True):
        assert_guaranteed(request, result)


def test_search_emits_only_listed_and_constraint_tokens(tiny_model_dir: Path, precision: str) -> None:
    translator = Translator.load(str(tiny_model_dir), device="cpu", precision=precision)
    tokenizer, requests = translator.tokenizer, seed_requests(4)
    batch = tokenizer([r.source for r in requests], return_tensors="pt", padding=True)
    automata = [translator.encode_request(r).automaton() for r in requests]
    listed = frequent_tokens(tokenizer, 100)
    found = beam_search(
        translator.model, batch.input_ids, batch.attention_mask, automata, max_length=48, shortlist=listed
    )
    allowed = set(listed.tolist()) | {token for automaton in automata for token in automaton.alphabet}
    for hypotheses in found:
        assert hypotheses
        for hypothesis in hypotheses:
            assert set(hypothesis.tokens) <= allowed
