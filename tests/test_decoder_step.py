"""songngu's one-token decoder step computes what transformers' MarianDecoder computes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch
from model_factory import build_marian
from transformers import MarianMTModel
from transformers.cache_utils import DynamicCache, EncoderDecoderCache

from songngu.translate.decoder_step import DecoderStep
from songngu.translate.precision import Precision, apply_precision
from songngu.translate.workspace import Workspace


@pytest.fixture(scope="module")
def two_layer_model(tmp_path_factory: pytest.TempPathFactory) -> MarianMTModel:
    directory = build_marian(
        tmp_path_factory.mktemp("two-layers"), d_model=32, layers=2, heads=4, ffn=48, seed=3
    )
    return MarianMTModel.from_pretrained(directory, use_safetensors=True).eval()


@pytest.mark.parametrize(("precision", "tolerance"), [("fp32", 1e-5), ("int8", 1e-4), ("bf16", 0.1)])
@torch.inference_mode()
def test_steps_reorders_and_dropped_sentences_match_transformers(
    two_layer_model: MarianMTModel, precision: str, tolerance: float
) -> None:
    # The same (converted) model both ways: the step fuses its int8 projections exactly.
    model = apply_precision(copy.deepcopy(two_layer_model), Precision(precision))
    generator = torch.Generator().manual_seed(0)
    sentences, beam, source = 3, 2, 7
    vocab = model.config.vocab_size
    input_ids = torch.randint(2, vocab - 1, (sentences, source), generator=generator)
    mask = torch.ones(sentences, source, dtype=torch.long)
    mask[1, 4:] = 0  # padding: must be masked out of cross-attention
    encoder = model.get_encoder()(input_ids=input_ids, attention_mask=mask).last_hidden_state

    ours = DecoderStep(model).start(encoder, mask, beam, capacity=2, workspace=Workspace())  # grows
    cache = EncoderDecoderCache(DynamicCache(), DynamicCache())
    states, states_mask = encoder.repeat_interleave(beam, 0), mask.repeat_interleave(beam, 0)
    tokens = torch.full((sentences * beam,), model.config.decoder_start_token_id)
    live = sentences
    for step in range(6):
        expected = model.get_decoder()(
            input_ids=tokens[:, None],
            encoder_hidden_states=states,
            encoder_attention_mask=states_mask,
            past_key_values=cache,
            use_cache=True,
        ).last_hidden_state[:, -1]
        found = ours(tokens)
        assert found.shape == expected.shape
        assert torch.allclose(found.float(), expected.float(), atol=tolerance, rtol=tolerance), step
        rows = live * beam
        # Each hypothesis continues a random one of its own sentence's beams.
        within = torch.randint(0, beam, (rows,), generator=generator)
        order = torch.arange(rows) // beam * beam + within
        if step == 3:  # the middle sentence leaves the batch
            keep = torch.tensor([0, 2])
            keep_rows = (keep[:, None] * beam + torch.arange(beam)).view(-1)
            ours.keep(keep, order[keep_rows])
            cache.self_attention_cache.reorder_cache(order[keep_rows])
            cache.cross_attention_cache.reorder_cache(keep_rows)
            states, states_mask = states[keep_rows], states_mask[keep_rows]
            live = 2
        else:
            ours.reorder(order)
            cache.self_attention_cache.reorder_cache(order)
        tokens = torch.randint(2, vocab - 1, (live * beam,), generator=generator)


@pytest.mark.parametrize("precision", ["fp32", "int8"])
@torch.inference_mode()
def test_a_first_step_of_one_hypothesis_per_sentence_widens_into_the_beam(
    two_layer_model: MarianMTModel, precision: str
) -> None:
    # The search feeds the first step one row per sentence, and its first reorder makes the beam:
    # the same states as feeding every beam the start token.
    model = apply_precision(copy.deepcopy(two_layer_model), Precision(precision))
    generator = torch.Generator().manual_seed(5)
    sentences, beam, source = 3, 4, 6
    input_ids = torch.randint(2, model.config.vocab_size - 1, (sentences, source), generator=generator)
    mask = torch.ones(sentences, source, dtype=torch.long)
    mask[2, 3:] = 0
    encoder = model.get_encoder()(input_ids=input_ids, attention_mask=mask).last_hidden_state
    narrow = DecoderStep(model).start(encoder, mask, beam, capacity=4, workspace=Workspace())
    wide = DecoderStep(model).start(encoder, mask, beam, capacity=4, workspace=Workspace())
    start = model.config.decoder_start_token_id
    first = narrow(torch.full((sentences,), start)).repeat_interleave(beam, 0)
    everyone = wide(torch.full((sentences * beam,), start))
    if precision == "int8":  # rows quantised one by one, integer products: the same bits
        assert torch.equal(first, everyone)
    else:  # a float product of 3 rows may round differently from one of 12 (another CPU kernel)
        assert torch.allclose(first, everyone, atol=1e-6, rtol=1e-6)
    narrow.reorder(torch.arange(sentences).repeat_interleave(beam))
    wide.reorder(torch.arange(sentences * beam))
    for _ in range(3):
        tokens = torch.randint(2, model.config.vocab_size - 1, (sentences * beam,), generator=generator)
        assert torch.allclose(narrow(tokens), wide(tokens), atol=1e-6, rtol=1e-6)
        order = torch.arange(sentences * beam) // beam * beam + torch.randint(0, beam, (sentences * beam,))
        narrow.reorder(order)
        wide.reorder(order)


def test_only_marian_models_are_stepped(tiny_model_dir: Path) -> None:
    model = MarianMTModel.from_pretrained(tiny_model_dir, use_safetensors=True)
    model.config.model_type = "bart"
    with pytest.raises(TypeError, match="MarianMT"):
        DecoderStep(model)
