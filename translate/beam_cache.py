"""The decoder's self-attention keys and values, laid out for beam search.

A growing cache (``torch.cat`` at every step, as transformers' ``DynamicLayer`` does) copies the
whole cache once per step to append and beam search copies it again to reorder. :class:`BeamCache`
writes each step's keys and values into a preallocated buffer instead, and reorders by gathering
into a second buffer that it then swaps with the first: one copy per step, no allocation. Capacity
doubles when a search outgrows it.

Every layer's keys and values live in one buffer, ``[layers × 2, rows, heads, capacity, head_dim]``,
so reordering the beams is one ``index_select`` for the whole decoder rather than two per layer;
and a layer's keys, ``[rows, heads, length, head_dim]``, have rows and heads in one stride, so the
attention's batched matrix products read them in place (with rows after heads, or layers between
rows and heads, ``matmul`` would first copy them: five times the cost of the product, measured).
"""

from __future__ import annotations

import torch

from songngu.translate.workspace import Workspace

INITIAL_CAPACITY = 64  # decoder positions; doubled as needed


class BeamCache:
    """Self-attention keys and values of every decoder layer, one row per hypothesis.

    A step calls :meth:`append` for each layer (in any order), then :meth:`advance` once.
    """

    def __init__(
        self,
        layers: int,
        rows: int,
        heads: int,
        head_dim: int,
        *,
        capacity: int = INITIAL_CAPACITY,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str = "cpu",
        workspace: Workspace | None = None,
    ) -> None:
        self.layers, self.heads, self.rows = layers, heads, rows
        self.length = 0  # positions written and advanced over
        self._workspace = workspace or Workspace()
        self._names = ["beam cache", "beam cache spare"]  # of the current buffer, of the spare
        shape = (layers * 2, rows, heads, max(1, capacity), head_dim)
        self._buffer = self._workspace.tensor(self._names[0], shape, dtype, device)
        self._spare = self._workspace.tensor(self._names[1], shape, dtype, device)

    @property
    def capacity(self) -> int:
        return self._buffer.shape[3]

    def append(
        self, layer: int, keys: torch.Tensor, values: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Write this step's ``keys``/``values`` (``[rows, heads, head_dim]``) of ``layer``; return
        the layer's keys and values so far, this step's included (views ``[rows, heads, length + 1,
        head_dim]``)."""
        if keys.shape[0] != self.rows:
            if self.length or keys.shape[0] > self._buffer.shape[1]:
                raise ValueError("the cache holds a different number of rows: reorder it first")
            # Empty, it takes any number of rows it has room for: a search's first step feeds one
            # hypothesis per sentence, and the first reorder widens them to the beam.
            self.rows = keys.shape[0]
        if self.length == self.capacity:
            self._grow()
        end = self.length + 1
        key_block = self._buffer[2 * layer, : self.rows, :, :end]
        value_block = self._buffer[2 * layer + 1, : self.rows, :, :end]
        key_block[:, :, self.length] = keys
        value_block[:, :, self.length] = values
        return key_block, value_block

    def advance(self) -> None:
        """End a step: the positions written by :meth:`append` become part of the cache."""
        self.length += 1

    def reorder(self, order: torch.Tensor) -> None:
        """Row ``i`` becomes row ``order[i]`` (fewer rows when sentences leave the batch, more when the
        first step's hypotheses become a beam; at most the rows the cache was made for)."""
        rows = order.numel()
        if self.length:
            span = slice(0, self.length)
            torch.index_select(
                self._buffer[:, : self.rows, :, span], 1, order, out=self._spare[:, :rows, :, span]
            )
            self._buffer, self._spare = self._spare, self._buffer
            self._names.reverse()
        self.rows = rows

    def _grow(self) -> None:
        shape = (*self._buffer.shape[:3], 2 * self.capacity, self._buffer.shape[4])
        dtype, device = self._buffer.dtype, self._buffer.device
        # The spare holds nothing: its name gets the grown buffer, then the old buffer's the new spare.
        grown = self._workspace.tensor(self._names[1], shape, dtype, device)
        grown[:, :, :, : self.length] = self._buffer[:, :, :, : self.length]
        self._buffer = grown
        self._names.reverse()
        self._spare = self._workspace.tensor(self._names[1], shape, dtype, device)
