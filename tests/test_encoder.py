"""songngu's encoder computes transformers' MarianEncoder at every real position, and no padding."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch
from model_factory import build_marian
from transformers import MarianMTModel

from songngu.translate.constraints import ConstraintAutomaton
from songngu.translate.decoding import beam_search
from songngu.translate.encoder import encode
from songngu.translate.precision import Precision, apply_precision


@pytest.fixture(scope="module")
def two_layer_model(tmp_path_factory: pytest.TempPathFactory) -> MarianMTModel:
    directory = build_marian(
        tmp_path_factory.mktemp("two-layers"), d_model=32, layers=2, heads=4, ffn=48, seed=5
    )
    return MarianMTModel.from_pretrained(directory, use_safetensors=True).eval()


def padded_batch(
    lengths: list[int], width: int, vocab: int, *, left: bool = False
) -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(len(lengths) * 100 + width)
    input_ids = torch.randint(2, vocab - 1, (len(lengths), width), generator=generator)
    mask = torch.zeros(len(lengths), width, dtype=torch.long)
    for row, length in enumerate(lengths):
        if left:
            mask[row, width - length :] = 1
        else:
            mask[row, :length] = 1
    return input_ids.masked_fill(mask == 0, vocab - 1), mask


BATCHES = [
    ([7, 4, 1], False),  # right padding, as Marian's tokenizer pads
    ([5, 5], False),  # no padding at all
    ([2, 6, 3, 6], True),  # left padding: positions are still the column index
]


# int8: exact integer products and per-row scales, so the same bits as transformers' encoder; fp32 and
# bf16 up to the matrix library's rounding (it may block a product of fewer rows otherwise).
@pytest.mark.parametrize(("precision", "tolerance"), [("int8", 0.0), ("fp32", 1e-5), ("bf16", 0.05)])
@pytest.mark.parametrize(("lengths", "left"), BATCHES)
@torch.inference_mode()
def test_real_positions_are_transformers_encoder(
    two_layer_model: MarianMTModel, precision: str, tolerance: float, lengths: list[int], left: bool
) -> None:
    model = apply_precision(copy.deepcopy(two_layer_model), Precision(precision))
    input_ids, mask = padded_batch(lengths, max(lengths), model.config.vocab_size, left=left)
    expected = model.get_encoder()(input_ids=input_ids, attention_mask=mask).last_hidden_state
    found = encode(model, input_ids, mask)
    real = mask.bool()
    assert found.shape == expected.shape and found.dtype == expected.dtype
    if tolerance == 0.0:
        assert torch.equal(found[real], expected[real])
    else:
        assert torch.allclose(found[real].float(), expected[real].float(), atol=tolerance, rtol=tolerance)
    assert bool((found[~real] == 0).all())


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_the_search_encodes_no_padding(two_layer_model: MarianMTModel, precision: str) -> None:
    # Every encoder layer's feed-forward layer sees one row per real token, none for the padding.
    model = apply_precision(copy.deepcopy(two_layer_model), Precision(precision))
    lengths = [7, 3, 5]
    input_ids, mask = padded_batch(lengths, 7, model.config.vocab_size)
    rows: list[int] = []
    hooks = [
        layer.fc1.register_forward_hook(lambda module, args, output: rows.append(args[0].numel() // 32))
        for layer in model.get_encoder().layers
    ]
    try:
        beam_search(model, input_ids, mask, [ConstraintAutomaton([])] * 3, beam=2, max_length=4)
    finally:
        for hook in hooks:
            hook.remove()
    assert rows == [sum(lengths)] * 2


def test_only_marian_models_are_encoded(tiny_model_dir: Path) -> None:
    model = MarianMTModel.from_pretrained(tiny_model_dir, use_safetensors=True).eval()
    model.config.model_type = "bart"
    with pytest.raises(TypeError, match="MarianMT"):
        encode(model, torch.ones(1, 2, dtype=torch.long), torch.ones(1, 2, dtype=torch.long))
