"""A vocabulary shortlist: the output layer computed only for the tokens a batch is likely to need.

The output projection is the largest matrix of a MarianMT decoder (d_model × 53,685 for opus-mt-vi-en,
more than the six decoder layers together). Marian and Bergamot restrict it per batch to a lexical
shortlist; songngu has no alignment-based lexicon, so its list is, per batch:

- the ``count`` most frequent target pieces, by the target SentencePiece model's unigram
  log-probabilities (the model's own estimate of how often each piece occurs in English);
- every token of the batch's sources (names, numbers and acronyms are often copied);
- every token of the batch's constraints (added by the search itself, so a term can always be
  produced) and the end-of-sentence token.

Tokens outside the list get logit -inf: they are never produced, and the log-normaliser runs over the
list only. This is lossy (a translation that needs a rare piece not in its source changes), so it
is off unless asked for; the README gives what it costs and saves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch

from songngu.translate.precision import Int8Linear

if TYPE_CHECKING:
    from transformers import MarianTokenizer

Projection = Callable[[torch.Tensor], torch.Tensor]


def frequent_tokens(tokenizer: MarianTokenizer, count: int) -> torch.Tensor:
    """Vocabulary ids of the ``count`` target pieces with the highest unigram log-probability."""
    processor = tokenizer.spm_target
    vocabulary = tokenizer.get_vocab()
    scored = sorted(
        (-processor.GetScore(i), i)
        for i in range(processor.GetPieceSize())
        if not (processor.IsControl(i) or processor.IsUnknown(i))
    )
    ids = [vocabulary[processor.IdToPiece(i)] for _, i in scored if processor.IdToPiece(i) in vocabulary]
    return torch.tensor(ids[:count], dtype=torch.long)


def restricted_projection(lm_head: torch.nn.Module, ids: torch.Tensor, vocab: int) -> Projection:
    """The output layer for ``ids`` only (sorted, unique), scattered into vocabulary-wide float32
    logits that are -inf elsewhere."""
    if isinstance(lm_head, Int8Linear):
        small: Projection = lm_head.select_outputs(ids)
    elif isinstance(lm_head, torch.nn.Linear):
        weight = lm_head.weight[ids]
        bias = None if lm_head.bias is None else lm_head.bias[ids]

        def small(hidden: torch.Tensor) -> torch.Tensor:
            return torch.nn.functional.linear(hidden, weight, bias)

    else:
        raise TypeError(f"no shortlist for an output layer of type {type(lm_head).__name__}")

    def project(hidden: torch.Tensor) -> torch.Tensor:
        part = small(hidden).float()
        logits = part.new_full((part.shape[0], vocab), float("-inf"))
        return logits.index_copy_(1, ids, part)

    return project
