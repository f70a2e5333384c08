"""The MarianMT decoder, one token at a time, laid out for beam search.

transformers' ``MarianDecoder.forward`` is written for every use (training, prompts, any cache):
per step it builds attention masks, dispatches through a cache object per layer and attends over
the encoder once per hypothesis. :class:`DecoderStep` computes the same function of the same
weights for the one case the search needs, a single new token per hypothesis:

- the query, key and value projections of self-attention are one matrix product (one int8
  activation quantisation instead of three), and so are cross-attention's key and value;
- cross-attention keys and values are computed once per *sentence* from the encoder output and
  shared by its beams (``[sentences, heads, beams, head_dim]`` queries against ``[sentences, heads,
  head_dim, source]`` keys, transposed once): a beam of k reads the encoder states once, not k
  times;
- self-attention keys and values go to a :class:`~translate.beam_cache.BeamCache`.

It follows the model's dtype (fp32, bf16, fp16) and its int8 layers
(:class:`~translate.precision.Int8Linear`). At fp32 it agrees with transformers' decoder to float
rounding (tested), so the search without constraints is still exactly ``generate``'s.
Marian's decoder is post-norm (residual, then layer norm), has sinusoidal positions, scales the
token embeddings by √d_model when configured and has no final layer norm; that is what is built here.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from songngu.translate.beam_cache import INITIAL_CAPACITY, BeamCache
from songngu.translate.precision import Int8Linear
from songngu.translate.workspace import Workspace

if TYPE_CHECKING:
    from transformers import MarianMTModel

Projection = Callable[[torch.Tensor], torch.Tensor]


# Fused int8 layers, per first part: int8 weights never change once quantised (int8 models are not
# fine-tuned), and fbgemm's packing of a fused layer costs about 30 ms, so it is done once per model
# rather than per batch.
_FUSED_INT8: weakref.WeakKeyDictionary[torch.nn.Module, tuple[tuple[int, ...], Int8Linear]]
_FUSED_INT8 = weakref.WeakKeyDictionary()


def _concatenate(parts: list[torch.nn.Module]) -> Projection:
    """One linear layer computing ``parts``' outputs side by side (same input, same precision)."""
    if all(isinstance(part, Int8Linear) for part in parts):
        key = tuple(id(part) for part in parts)
        cached = _FUSED_INT8.get(parts[0])
        if cached is not None and cached[0] == key:
            return cached[1]
        fused = Int8Linear.concatenate([part for part in parts if isinstance(part, Int8Linear)])
        _FUSED_INT8[parts[0]] = (key, fused)
        return fused
    linears = [part for part in parts if isinstance(part, torch.nn.Linear)]
    if len(linears) != len(parts):
        raise TypeError("the decoder mixes int8 and float projections")
    # Float weights are copied per batch (cheap), so they never go stale while a model is fine-tuned.
    weight = torch.cat([part.weight.detach() for part in linears])
    bias = None
    if linears[0].bias is not None:
        bias = torch.cat([part.bias.detach() for part in linears if part.bias is not None])
    return functools.partial(torch.nn.functional.linear, weight=weight, bias=bias)


@dataclass(frozen=True)
class _Layer:
    """One decoder layer's weights, projections fused where they share an input."""

    query_key_value: Projection  # d → 3d (self-attention)
    self_output: Projection
    cross_query: Projection
    cross_key_value: Projection  # d → 2d, on the encoder output
    cross_output: Projection
    expand: Projection  # fc1
    contract: Projection  # fc2
    activation: Projection
    self_norm: Projection
    cross_norm: Projection
    final_norm: Projection


class DecoderStep:
    """A MarianMT model's decoder prepared for stepping (see the module docstring).

    Preparing copies the fused float projections' weights (a few milliseconds), so it is done per
    batch and never goes stale while a model is being fine-tuned; fused int8 projections are made
    once per model; :meth:`start` begins the batch.
    """

    def __init__(self, model: MarianMTModel) -> None:
        config = model.config
        if config.model_type != "marian":
            raise TypeError(f"DecoderStep is written for MarianMT models, not {config.model_type}")
        decoder = model.get_decoder()
        self.embed_tokens = decoder.embed_tokens.weight
        self.embed_scale = float(decoder.embed_scale)
        self.positions = decoder.embed_positions.weight
        self.heads = config.decoder_attention_heads
        self.width = config.d_model
        self.head_dim = self.width // self.heads
        self.scaling = self.head_dim**-0.5
        self.layers = [
            _Layer(
                query_key_value=_concatenate(
                    [layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj]
                ),
                self_output=layer.self_attn.out_proj,
                cross_query=layer.encoder_attn.q_proj,
                cross_key_value=_concatenate([layer.encoder_attn.k_proj, layer.encoder_attn.v_proj]),
                cross_output=layer.encoder_attn.out_proj,
                expand=layer.fc1,
                contract=layer.fc2,
                activation=layer.activation_fn,
                self_norm=layer.self_attn_layer_norm,
                cross_norm=layer.encoder_attn_layer_norm,
                final_norm=layer.final_layer_norm,
            )
            for layer in decoder.layers
        ]

    def start(
        self,
        encoder_states: torch.Tensor,
        encoder_mask: torch.Tensor,
        beam: int,
        capacity: int,
        workspace: Workspace | None = None,
    ) -> DecoderRun:
        """Begin decoding a batch: ``encoder_states`` ``[sentences, source, d]`` with its padding mask,
        ``beam`` hypotheses per sentence, room for ``capacity`` target positions (it grows); the
        cache's memory comes from ``workspace`` when given."""
        sentences, source, _ = encoder_states.shape
        keys, values = [], []
        for layer in self.layers:
            projected = layer.cross_key_value(encoder_states).view(
                sentences, source, 2, self.heads, self.head_dim
            )
            # Keys transposed once here ([S, H, D, source]): the product then reads them in order.
            keys.append(projected[:, :, 0].permute(0, 2, 3, 1).contiguous())
            values.append(projected[:, :, 1].transpose(1, 2).contiguous())  # [S, H, source, D]
        dtype = keys[0].dtype
        padding = torch.zeros(encoder_mask.shape, dtype=dtype, device=encoder_mask.device)
        padding.masked_fill_(~encoder_mask.bool(), torch.finfo(dtype).min)
        cache = BeamCache(
            len(self.layers),
            sentences * beam,
            self.heads,
            self.head_dim,
            capacity=min(capacity, INITIAL_CAPACITY),
            dtype=dtype,
            device=encoder_states.device,
            workspace=workspace,
        )
        return DecoderRun(self, beam, keys, values, padding[:, None, None, :], cache)


class DecoderRun:
    """One batch being decoded: cross-attention keys and values per sentence, the beams' cache."""

    def __init__(
        self,
        step: DecoderStep,
        beam: int,
        cross_keys: list[torch.Tensor],
        cross_values: list[torch.Tensor],
        padding: torch.Tensor,
        cache: BeamCache,
    ) -> None:
        self._step, self.beam = step, beam
        self._cross_keys, self._cross_values, self._padding = cross_keys, cross_values, padding
        self.cache = cache

    def __call__(self, tokens: torch.Tensor) -> torch.Tensor:
        """Feed one token per hypothesis (``[sentences × hypotheses]``: at most ``beam`` per sentence,
        the same number for each); return the last layer's hidden states ``[rows, d]``. The first
        step may feed fewer per sentence than later ones (the search feeds one: the others are
        dummies), and the first :meth:`reorder` widens them."""
        step, cache = self._step, self.cache
        rows, heads, head_dim = tokens.shape[0], step.heads, step.head_dim
        sentences = self._padding.shape[0]
        beam = rows // sentences
        position = cache.length
        hidden = torch.nn.functional.embedding(tokens, step.embed_tokens) * step.embed_scale
        hidden = hidden + step.positions[position].to(hidden.dtype)
        for index, layer in enumerate(step.layers):
            query_key_value = layer.query_key_value(hidden).view(rows, 3, heads, head_dim)
            keys, values = cache.append(index, query_key_value[:, 1], query_key_value[:, 2])
            query = query_key_value[:, 0, :, None] * step.scaling  # [rows, H, 1, D]
            weights = torch.softmax(torch.matmul(query, keys.transpose(-1, -2)), dim=-1)
            attended = torch.matmul(weights, values).view(rows, step.width)
            hidden = layer.self_norm(hidden + layer.self_output(attended))

            query = layer.cross_query(hidden) * step.scaling
            query = query.view(sentences, beam, heads, head_dim).transpose(1, 2)  # [S, H, k, D]
            scores = torch.matmul(query, self._cross_keys[index]) + self._padding
            attended = torch.matmul(torch.softmax(scores, dim=-1), self._cross_values[index])
            attended = attended.transpose(1, 2).reshape(rows, step.width)
            hidden = layer.cross_norm(hidden + layer.cross_output(attended))

            hidden = layer.final_norm(hidden + layer.contract(layer.activation(layer.expand(hidden))))
        cache.advance()
        return hidden

    def reorder(self, order: torch.Tensor) -> None:
        """Hypothesis ``i`` continues hypothesis ``order[i]`` (within the same sentence)."""
        self.cache.reorder(order)

    def keep(self, sentences: torch.Tensor, order: torch.Tensor) -> None:
        """Keep only ``sentences`` (indices into the current batch); ``order`` reorders their rows."""
        self._cross_keys = [keys[sentences] for keys in self._cross_keys]
        self._cross_values = [values[sentences] for values in self._cross_values]
        self._padding = self._padding[sentences]
        self.cache.reorder(order)
