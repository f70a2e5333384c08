"""Memory kept from one batch's search to the next.

A search's large tensors (the key/value cache, tens of MB; the vocabulary-wide logits and their
scratch space, 13.7 MB each at opus-mt's size) are fresh memory if allocated per batch, and the
first write to every page of fresh memory is a page fault: measured on a 2-core VM, that alone
made a translation about 20% slower. A :class:`Workspace` hands out views of buffers it keeps,
growing a buffer only when a request is larger than anything before.
"""

from __future__ import annotations

import math

import torch


class Workspace:
    """Named buffers, reused: ``tensor(name, ...)`` is a view of the buffer kept under ``name``.

    A view's contents are whatever the buffer held: callers write before they read. Two live
    tensors need two names.
    """

    def __init__(self) -> None:
        self._buffers: dict[str, torch.Tensor] = {}

    def tensor(
        self, name: str, shape: tuple[int, ...], dtype: torch.dtype, device: torch.device | str
    ) -> torch.Tensor:
        """A tensor of ``shape`` and ``dtype`` on ``device``, backed by the buffer named ``name``."""
        size = math.prod(shape)
        buffer = self._buffers.get(name)
        if (
            buffer is None
            or buffer.numel() < size
            or buffer.dtype != dtype
            or buffer.device != torch.device(device)
        ):
            buffer = self._buffers[name] = torch.empty(size, dtype=dtype, device=device)
        return buffer[:size].view(shape)
