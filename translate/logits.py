"""The search's vocabulary-wide work per step, in as few passes over ``rows × vocab`` as possible.

At opus-mt's size (53,685 tokens, 64 hypotheses) a step's logits are 13.7 MB: every pass over them,
and every fresh tensor of that size (allocation and first-touch page faults), costs about as much
as a decoder layer. So:

- :class:`VocabularyBuffers` holds the logits, a scratch area and, for an int8 output layer, its
  int32 products, for the whole search (from a :class:`~translate.workspace.Workspace`, so from
  batch to batch too); steps with fewer hypotheses use leading rows;
- :func:`log_normaliser` is ``logsumexp`` through the scratch area (no temporaries);
- :func:`row_top` finds each row's best ``width`` tokens by blocks: the maximum of each block of
  256 logits (one cheap pass), the ``width`` best blocks, then the best ``width`` among their
  tokens. The best ``width`` tokens of a row lie in its ``width`` best blocks, so this is exactly
  ``torch.topk`` (up to the order of equal logits) at a fraction of its cost on CPU, where
  ``topk`` over a long row is a partial sort.
"""

from __future__ import annotations

import torch

from songngu.translate.precision import Int8Linear
from songngu.translate.workspace import Workspace

BLOCK = 256  # logits per block in row_top


class VocabularyBuffers:
    """Reusable ``[rows, vocab]`` tensors for one search (``rows``: the most hypotheses at once)."""

    def __init__(self, rows: int, vocab: int, device: torch.device | str, workspace: Workspace) -> None:
        shape = (rows, vocab)
        self.logits = workspace.tensor("logits", shape, torch.float32, device)
        self.scratch = workspace.tensor("logits scratch", shape, torch.float32, device)
        self._workspace = workspace

    def products(self, rows: int) -> torch.Tensor:
        """``[rows, vocab]`` int32 for an int8 output layer's products (taken when first asked for)."""
        shape = (rows, self.logits.shape[1])
        return self._workspace.tensor("int8 products", shape, torch.int32, self.logits.device)


def project(output_layer: torch.nn.Module, hidden: torch.Tensor, buffers: VocabularyBuffers) -> torch.Tensor:
    """The output layer's float32 logits for ``hidden`` ``[rows, d]``, in ``buffers`` where the layer
    allows (int8 on ``torch._int_mm``, or float32 ``nn.Linear``); a fresh tensor otherwise (fbgemm,
    half precision)."""
    rows = hidden.shape[0]
    if isinstance(output_layer, Int8Linear):
        if not output_layer.writes_into:
            fresh: torch.Tensor = output_layer(hidden)
            return fresh
        return output_layer.project_into(hidden, buffers.products(rows), buffers.logits[:rows])
    if isinstance(output_layer, torch.nn.Linear) and hidden.dtype == torch.float32:
        logits = torch.matmul(hidden, output_layer.weight.t(), out=buffers.logits[:rows])
        return logits if output_layer.bias is None else logits.add_(output_layer.bias)
    logits = output_layer(hidden)
    assert isinstance(logits, torch.Tensor)
    return logits.float()


def log_normaliser(logits: torch.Tensor, scratch: torch.Tensor) -> torch.Tensor:
    """``torch.logsumexp(logits, dim=1)``, its temporaries in ``scratch`` (at least as large)."""
    rows = logits.shape[0]
    high = logits.amax(dim=1, keepdim=True)
    high = torch.where(torch.isfinite(high), high, torch.zeros_like(high))  # all -inf: log 0 = -inf
    shifted = torch.sub(logits, high, out=scratch[:rows, : logits.shape[1]])
    return shifted.exp_().sum(dim=1).log_().add_(high.view(rows))


def row_top(logits: torch.Tensor, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row's ``width`` largest logits and their token ids, best first (as ``torch.topk``)."""
    rows, vocab = logits.shape
    blocks = vocab // BLOCK
    if blocks <= 2 * width:  # too few blocks to save anything
        return torch.topk(logits, width, dim=1)
    covered = blocks * BLOCK
    body = logits[:, :covered].view(rows, blocks, BLOCK)
    best_blocks = torch.topk(body.amax(dim=2), width, dim=1).indices  # [rows, width]
    values = body.gather(1, best_blocks[:, :, None].expand(rows, width, BLOCK)).view(rows, width * BLOCK)
    offsets = torch.arange(BLOCK, device=logits.device)
    tokens = (best_blocks[:, :, None] * BLOCK + offsets).view(rows, width * BLOCK)
    if covered < vocab:  # the last, partial block: always a candidate
        values = torch.cat((values, logits[:, covered:]), dim=1)
        tail = torch.arange(covered, vocab, device=logits.device).expand(rows, -1)
        tokens = torch.cat((tokens, tail), dim=1)
    top, position = torch.topk(values, width, dim=1)
    return top, tokens.gather(1, position)
