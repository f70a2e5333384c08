"""The decoder's self-attention key/value cache, laid out for beam search.

transformers' ``DynamicLayer`` grows by ``torch.cat`` at every step (a copy of the whole cache) and
beam search then reorders it with ``index_select`` (a second copy). :class:`BeamLayer` writes each
step's keys and values into preallocated buffers instead, and reorders by gathering into a second
pair of buffers that it then swaps with the first: one copy per step instead of two, and no
allocation. Capacity doubles when a search outgrows it.

Layout, per layer: ``[rows, heads, capacity, head_dim]`` buffers, two of them for keys (``_keys``,
``_spare_keys``) and two for values; ``keys``/``values`` are views of the first ``length`` positions
of the first ``rows`` rows, which is what the attention reads.
"""

from __future__ import annotations

import torch
from transformers.cache_utils import Cache, DynamicLayer

INITIAL_CAPACITY = 64  # decoder positions; doubled as needed


class BeamLayer(DynamicLayer):
    """One decoder layer's self-attention cache (see the module docstring)."""

    def __init__(self, capacity: int = INITIAL_CAPACITY) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.capacity = capacity
        self.length = 0
        self.rows = 0

    def lazy_initialization(self, key_states: torch.Tensor, value_states: torch.Tensor) -> None:
        self.dtype, self.device = key_states.dtype, key_states.device
        rows, heads, _, dim = key_states.shape
        shape = (rows, heads, self.capacity, dim)
        self._keys, self._spare_keys = (key_states.new_empty(shape) for _ in range(2))
        self._values, self._spare_values = (value_states.new_empty(shape) for _ in range(2))
        self.rows = rows
        self.is_initialized = True

    def update(
        self, key_states: torch.Tensor, value_states: torch.Tensor, *args: object, **kwargs: object
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Append this step's keys and values; return the whole cache (views)."""
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        steps = key_states.shape[-2]
        if key_states.shape[0] != self.rows:
            raise ValueError("the cache holds a different number of rows: reorder it first")
        if self.length + steps > self.capacity:
            self._grow(self.length + steps)
        end = self.length + steps
        self._keys[: self.rows, :, self.length : end] = key_states
        self._values[: self.rows, :, self.length : end] = value_states
        self.length = end
        return self._expose()

    def get_seq_length(self) -> int:
        return self.length

    def reorder_cache(self, beam_idx: torch.LongTensor) -> None:
        """Row ``i`` becomes row ``beam_idx[i]`` (fewer rows when sentences leave the batch)."""
        if not self.length:
            return
        rows = beam_idx.numel()
        span = slice(0, self.length)
        torch.index_select(
            self._keys[: self.rows, :, span], 0, beam_idx, out=self._spare_keys[:rows, :, span]
        )
        torch.index_select(
            self._values[: self.rows, :, span], 0, beam_idx, out=self._spare_values[:rows, :, span]
        )
        self._keys, self._spare_keys = self._spare_keys, self._keys
        self._values, self._spare_values = self._spare_values, self._values
        self.rows = rows
        self._expose()

    def _grow(self, needed: int) -> None:
        while self.capacity < needed:
            self.capacity *= 2
        for name in ("_keys", "_spare_keys", "_values", "_spare_values"):
            old = getattr(self, name)
            new = old.new_empty((*old.shape[:2], self.capacity, old.shape[-1]))
            if not name.startswith("_spare"):  # the spare buffers hold nothing yet
                new[:, :, : self.length] = old[:, :, : self.length]
            setattr(self, name, new)

    def _expose(self) -> tuple[torch.Tensor, torch.Tensor]:
        keys = self._keys[: self.rows, :, : self.length]
        values = self._values[: self.rows, :, : self.length]
        self.keys, self.values = keys, values
        return keys, values


def beam_self_attention_cache(layers: int, capacity: int = INITIAL_CAPACITY) -> Cache:
    """A self-attention cache of :class:`BeamLayer` for a decoder of ``layers`` layers."""
    return Cache(layers=[BeamLayer(min(capacity, INITIAL_CAPACITY)) for _ in range(layers)])
