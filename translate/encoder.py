"""The MarianMT encoder, run on the source's real tokens only.

A batch is padded to its longest sentence: in opus-mt-sized batches of FLORES sentences about 30%
of the positions are padding (16 sentences of 44 tokens on average, the longest 64). transformers'
encoder runs every linear layer on every position, padding included, and the result there is never
used: cross-attention masks it out. :func:`encode` computes the same function of the same weights
with the linear layers, norms and activations on the real tokens only, packed into ``[tokens, d]``;
only the attention itself sees the padded layout (``[sentences, heads, length, head_dim]``, the
padding masked), which it needs to batch the sentences. CTranslate2 removes padding the same way.

Each real position gets the arithmetic transformers' encoder gives it: the rows a linear layer
computes do not depend on the other rows (int8: exact integer products and a per-row scale; float:
up to the matrix library's rounding), and attention reads the same keys and values. Positions are
the column index, as in transformers. Marian is post-norm with no final layer norm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from songngu.translate.projections import Projection, fuse

if TYPE_CHECKING:
    from transformers import MarianMTModel


@dataclass(frozen=True)
class _Layer:
    """One encoder layer's weights, the query, key and value projections fused."""

    query_key_value: Projection  # d → 3d
    output: Projection
    expand: Projection  # fc1
    contract: Projection  # fc2
    activation: Projection
    self_norm: Projection
    final_norm: Projection


def encode(model: MarianMTModel, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The encoder's last hidden states ``[sentences, length, d]`` for ``input_ids`` and its padding
    mask: transformers' ``model.get_encoder()(...).last_hidden_state`` at every real position, zero at
    the padding (where transformers' values are never read)."""
    config = model.config
    if config.model_type != "marian":
        raise TypeError(f"encode is written for MarianMT models, not {config.model_type}")
    encoder = model.get_encoder()
    sentences, length = input_ids.shape
    width, heads = config.d_model, config.encoder_attention_heads
    head_dim = width // heads
    real = attention_mask.bool()
    index = real.view(-1).nonzero().view(-1)  # real positions in the flattened batch
    columns = torch.arange(length, device=input_ids.device).expand(sentences, length).reshape(-1)[index]

    embedded = torch.nn.functional.embedding(input_ids.view(-1)[index], encoder.embed_tokens.weight)
    hidden = embedded * float(encoder.embed_scale) + encoder.embed_positions.weight[columns]
    # The attention's mask: [sentences, 1, 1, length], True where a key may be attended to.
    key_mask = real[:, None, None, :]
    for layer in _layers(model):
        projected = layer.query_key_value(hidden)
        padded = projected.new_zeros(sentences * length, 3 * width).index_copy_(0, index, projected)
        padded = padded.view(sentences, length, 3, heads, head_dim)
        query, keys, values = (padded[:, :, part].transpose(1, 2) for part in range(3))
        attended = torch.nn.functional.scaled_dot_product_attention(
            query, keys, values, attn_mask=key_mask, scale=head_dim**-0.5
        )
        attended = attended.transpose(1, 2).reshape(sentences * length, width).index_select(0, index)
        hidden = layer.self_norm(hidden + layer.output(attended))
        hidden = layer.final_norm(hidden + layer.contract(layer.activation(layer.expand(hidden))))
        if hidden.dtype == torch.float16 and not bool(torch.isfinite(hidden).all()):
            # As transformers' Marian encoder layer: an fp16 overflow is clamped back into range.
            clamp = torch.finfo(hidden.dtype).max - 1000
            hidden = hidden.clamp(min=-clamp, max=clamp)
    out: torch.Tensor = hidden.new_zeros(sentences * length, width).index_copy_(0, index, hidden)
    return out.view(sentences, length, width)


def _layers(model: MarianMTModel) -> list[_Layer]:
    return [
        _Layer(
            query_key_value=fuse([layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj]),
            output=layer.self_attn.out_proj,
            expand=layer.fc1,
            contract=layer.fc2,
            activation=layer.activation_fn,
            self_norm=layer.self_attn_layer_norm,
            final_norm=layer.final_layer_norm,
        )
        for layer in model.get_encoder().layers
    ]
