"""Linear layers that read the same input, fused into one product.

The decoder's query, key and value projections read the same hidden states, and so do the
encoder's; cross-attention's key and value projections read the same encoder output. One product
with the parts' weights side by side computes all of them: one int8 activation quantisation and
one matrix product instead of two or three, and exactly the parts' arithmetic (int8 weights are
quantised per output channel, :meth:`~translate.precision.Int8Linear.concatenate`).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable

import torch

from songngu.translate.precision import Int8Linear

Projection = Callable[[torch.Tensor], torch.Tensor]

# Fused int8 layers, per first part: int8 weights never change once quantised (int8 models are not
# fine-tuned), and fbgemm's packing of a fused layer costs about 30 ms, so it is done once per model
# rather than per batch.
_FUSED_INT8: weakref.WeakKeyDictionary[torch.nn.Module, tuple[tuple[int, ...], Int8Linear]]
_FUSED_INT8 = weakref.WeakKeyDictionary()


def fuse(parts: list[torch.nn.Module]) -> Projection:
    """One linear layer computing ``parts``' outputs side by side (same input, same precision).

    Fused int8 layers are made once per model; fused float weights are copied at each call of this
    function (cheap), so they never go stale while a model is fine-tuned.
    """
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
        raise TypeError("the layers mix int8 and float projections")
    weight = torch.cat([part.weight.detach() for part in linears])
    bias = None
    if linears[0].bias is not None:
        bias = torch.cat([part.bias.detach() for part in linears if part.bias is not None])
    return functools.partial(torch.nn.functional.linear, weight=weight, bias=bias)
