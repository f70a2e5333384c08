"""Lexically constrained beam search with Dynamic Beam Allocation over a MarianMT model.

The search follows Post & Vilar (NAACL 2018) in the vectorised batch form of Hu et al. (NAACL 2019),
like fairseq's ``LexicallyConstrainedBeamSearch``: at each step every sentence's candidates are the
top 2k continuations of its beam, the tokens that advance each hypothesis on an unmet constraint,
and each hypothesis's best next token; candidates fall into banks by constraint progress and the
beam is filled round-robin across banks, most progress first. End of sentence is only allowed once
every constraint is met; negative constraints are banned in the scores before selection.

The batch is encoded once by the model's encoder; the decoder is stepped one token at a time by
:class:`~translate.decoder_step.DecoderStep` (the same function of the same weights as transformers'
decoder, laid out for beams: fused projections, encoder keys and values shared by a sentence's
beams, a preallocated cache reordered with one gather per step). Sentences whose search is over are
dropped from the batch.

Each step touches the vocabulary-wide logits as little as possible (:mod:`translate.logits`): they
live in buffers reused from step to step, bans are applied to the logits (-inf), the
log-normaliser is one pass per row, and candidates come from one top-2k per hypothesis, found by
blocks (the best 2k of k × vocab continuations are among them); log-probabilities are only formed
for those candidates and for the constraint tokens.

With no constraints the search is exactly transformers' beam search (same candidates, same
finishing rule, same length normalisation and stopping heuristic as ``generate(num_beams=k)`` with
``early_stopping=False``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from songngu.translate.constraints import ConstraintAutomaton, PackedAutomata, pack
from songngu.translate.decoder_step import DecoderStep
from songngu.translate.logits import VocabularyBuffers, log_normaliser, project, row_top
from songngu.translate.shortlist import restricted_projection
from songngu.translate.workspace import Workspace

if TYPE_CHECKING:
    from transformers import MarianMTModel

NEG = -1.0e9  # below this a candidate is no candidate (an initial dummy beam or a banned token)


@dataclass(frozen=True)
class Hypothesis:
    """A finished translation: target token ids (no start or end token) and its score.

    ``score`` is the sum of token log-probabilities (end token included) divided by the number of
    generated tokens to the power ``length_penalty``, as transformers' beam search scores.
    """

    tokens: tuple[int, ...]
    score: float


@dataclass(frozen=True)
class _Special:
    start: int
    eos: int
    banned: tuple[int, ...]
    forced_eos: bool
    renormalize: bool


def _special_tokens(model: MarianMTModel) -> _Special:
    generation = model.generation_config
    config = model.config
    eos = generation.eos_token_id if generation.eos_token_id is not None else config.eos_token_id
    if isinstance(eos, list):
        eos = eos[0]
    start = generation.decoder_start_token_id
    if start is None:
        start = config.decoder_start_token_id
    if eos is None or start is None:
        raise ValueError("the model's configuration names no end token or no decoder start token")
    banned = {ids[0] for ids in (generation.bad_words_ids or []) if len(ids) == 1}
    return _Special(
        start=int(start),
        eos=int(eos),
        banned=tuple(sorted(banned)),
        forced_eos=generation.forced_eos_token_id is not None,
        renormalize=bool(generation.renormalize_logits),
    )


def multi_token_bad_words(model: MarianMTModel) -> tuple[tuple[int, ...], ...]:
    """The generation config's bad word sequences longer than one token (to ban as negatives)."""
    return tuple(tuple(ids) for ids in (model.generation_config.bad_words_ids or []) if len(ids) > 1)


@torch.inference_mode()
def beam_search(
    model: MarianMTModel,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    automata: Sequence[ConstraintAutomaton],
    *,
    beam: int = 4,
    max_length: int = 256,
    length_penalty: float = 1.0,
    continues_word: torch.Tensor | None = None,
    shortlist: torch.Tensor | None = None,
    workspace: Workspace | None = None,
) -> list[list[Hypothesis]]:
    """Translate a batch under constraints; per sentence, its finished hypotheses, best first.

    ``automata[i]`` holds sentence ``i``'s constraints (an automaton with no patterns for none).
    ``continues_word`` (``[vocab]`` bool: the token continues the word before it, i.e. has no word
    boundary in front) enables the automata's word rules: a term ends where its word ends, and a
    forbidden word is only banned as a whole word.
    ``shortlist`` (token ids) restricts the output layer to those tokens, the constraints' tokens and
    the end token (:mod:`translate.shortlist`); every other token is never produced.
    ``workspace`` lends the search its large buffers; pass the same one from batch to batch.
    ``max_length`` counts the decoder start token, as in ``generate``. Every hypothesis returned
    contains all of its sentence's positive constraints and none of its negative ones at the token
    level; a sentence whose constraints cannot be met within ``max_length`` gets an empty list.
    """
    if len(automata) != input_ids.shape[0]:
        raise ValueError("one constraint automaton per sentence is needed")
    special = _special_tokens(model)
    device = input_ids.device
    batch, k = input_ids.shape[0], beam
    lm_head = model.get_output_embeddings()
    vocab = lm_head.out_features
    bias = getattr(model, "final_logits_bias", None)
    if bias is not None:
        bias = bias.float() if bool(bias.any()) else None  # opus-mt's is all zeros: skip a vocab-wide add
    width = min(2 * k, vocab)  # candidates kept per hypothesis
    packed = pack(automata, vocab, device)
    constrained = packed.alphabet.numel() > 0
    has_negatives = bool(packed.forbidden.any())
    word_rules = continues_word is not None and bool((packed.forbidden_word | packed.ends_term).any())
    workspace = workspace or Workspace()
    buffers = VocabularyBuffers(batch * k, vocab, device, workspace)
    restricted = None
    if shortlist is not None:
        eos = torch.tensor([special.eos], device=device)
        ids = torch.unique(torch.cat((shortlist.to(device), packed.alphabet, eos)))
        restricted = restricted_projection(lm_head, ids, vocab)

    encoder_states = model.get_encoder()(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
    decoder = DecoderStep(model).start(encoder_states, attention_mask, k, max_length, workspace)

    sentences = torch.arange(batch, device=device)  # original index of each active sentence
    tokens = torch.full((batch, k, max_length), special.start, dtype=torch.long, device=device)
    scores = torch.full((batch, k), NEG, device=device)
    scores[:, 0] = 0.0  # only the first beam is live at the start, so the beams do not repeat
    state = packed.roots[:, None].expand(batch, k).clone()
    met = (~packed.active)[:, None, :].expand(batch, k, -1).clone()
    done_tokens = torch.full((batch, k, max_length), special.start, dtype=torch.long, device=device)
    done_scores = torch.full((batch, k), NEG, device=device)
    done_flags = torch.zeros((batch, k), dtype=torch.bool, device=device)
    beam_offsets = torch.arange(k, device=device)
    banned = torch.tensor(special.banned, dtype=torch.long, device=device)

    length = 1  # tokens so far, decoder start included
    while length < max_length and sentences.numel():
        active = sentences.numel()
        # Live hypotheses per sentence: at the first step only the first beam (the others score NEG
        # and cannot yield a candidate), so the decoder and the output layer run for it alone.
        live = 1 if length == 1 and width >= 2 * k else k
        rows = active * live
        hidden = decoder(tokens[:, :live, length - 1].reshape(rows))
        logits = restricted(hidden) if restricted is not None else project(lm_head, hidden, buffers)
        if bias is not None:
            logits += bias
        # Log-probabilities are ``logits - norm``: only the candidates' are ever computed, and the
        # bans below set logits to -inf, which is the same as banning the log-probabilities.
        norm = _mask_and_normalise(logits, special, banned, buffers.scratch, last=length == max_length - 1)

        flat_state = state[:, :live].reshape(rows)
        flat_met = met[:, :live].reshape(rows, -1)
        if has_negatives:
            _ban_forbidden(logits, flat_state, packed)
        if word_rules and continues_word is not None:
            _apply_word_rules(logits, flat_state, packed, continues_word)
        if constrained:
            unmet = ~flat_met.all(-1)
            logits[:, special.eos] = logits[:, special.eos].masked_fill(unmet, float("-inf"))

        # The best 2k of k × vocab continuations are among the best 2k of each beam: one top-k per
        # row over the vocabulary, then one over k × 2k (the same candidates as a top-k over the
        # whole k × vocab row of totals, without building it).
        base = scores[:, :live].reshape(rows, 1) - norm[:, None]
        row_logits, row_tokens = row_top(logits, width)
        cand_scores, position = torch.topk((row_logits + base).view(active, live * width), 2 * k, dim=1)
        cand_index = (position // width) * vocab + row_tokens.view(active, live * width).gather(1, position)
        if constrained:
            cand_scores, cand_index = _add_constraint_candidates(
                cand_scores, cand_index, logits, base, row_tokens[:, 0], flat_state, flat_met, packed, live
            )
        parent = cand_index // vocab
        token = cand_index % vocab
        valid = cand_scores > NEG / 2
        is_eos = token == special.eos

        new_state: torch.Tensor | None  # automaton states and terms met of the candidates (constraints only)
        new_met: torch.Tensor | None
        if constrained:
            parent_rows = parent + torch.arange(active, device=device)[:, None] * live
            new_state = packed.transitions[flat_state[parent_rows], packed.column[token]]
            new_met = flat_met[parent_rows] | packed.completes[new_state]
            order = _allocation_order(cand_scores, valid, new_state, new_met, packed, sentences)
        else:
            new_state = new_met = None
            order = torch.arange(cand_scores.shape[1], device=device).expand(active, -1)

        # Finished: end-of-sentence candidates among the first k allocated, as generate does.
        first = order[:, :k]
        finishing = (is_eos.gather(1, first) & valid.gather(1, first)).float()
        finish_scores = cand_scores.gather(1, first) / (length**length_penalty)
        finish_scores = torch.where(finishing.bool(), finish_scores, torch.full_like(finish_scores, NEG))
        if bool(finishing.any()):
            finish_parent = parent.gather(1, first)
            finish_tokens = tokens.gather(1, finish_parent[:, :, None].expand(-1, -1, max_length)).clone()
            finish_tokens[:, :, length] = token.gather(1, first)
            _merge_finished(done_tokens, done_scores, done_flags, sentences, finish_tokens, finish_scores, k)

        # Running: the first k allocated candidates that are not finished.
        closed = (is_eos | ~valid).gather(1, order)
        pick = order.gather(1, torch.sort(closed.to(torch.uint8), dim=1, stable=True).indices[:, :k])
        parents = parent.gather(1, pick)
        tokens = tokens.gather(1, parents[:, :, None].expand(-1, -1, max_length))
        tokens[:, :, length] = token.gather(1, pick)
        scores = cand_scores.gather(1, pick)
        scores = scores.masked_fill(is_eos.gather(1, pick), float("-inf"))
        if new_state is not None and new_met is not None:
            state = new_state.gather(1, pick)
            met = new_met.gather(1, pick[:, :, None].expand(-1, -1, new_met.shape[-1]))
        length += 1

        # Stop a sentence when no running beam can beat its worst finished one (generate's heuristic).
        best_running = scores.max(dim=1).values / ((length - 1) ** length_penalty)
        worst_done = torch.where(done_flags[sentences], done_scores[sentences], torch.full_like(scores, NEG))
        still_open = (best_running[:, None] > worst_done).any(dim=1)
        reorder = (parents + torch.arange(active, device=device)[:, None] * live).view(active * k)
        if bool(still_open.all()):
            decoder.reorder(reorder)
            continue
        keep = still_open.nonzero().view(-1)
        keep_rows = (keep[:, None] * k + beam_offsets).view(-1)
        decoder.keep(keep, reorder[keep_rows])
        sentences, tokens, scores = sentences[keep], tokens[keep], scores[keep]
        state, met = state[keep], met[keep]

    return _collect(done_tokens, done_scores, done_flags, special)


def _mask_and_normalise(
    logits: torch.Tensor, special: _Special, banned: torch.Tensor, scratch: torch.Tensor, *, last: bool
) -> torch.Tensor:
    """Apply generate's processors to ``logits`` in place; return each row's log-normaliser.

    ``logits - norm`` are the log-probabilities generate's processors give: bad words banned, the end
    forced at the last step, renormalised after the ban when the generation config asks for it (or
    banned after normalising when it does not).
    """
    if last and special.forced_eos:
        logits.fill_(float("-inf"))
        logits[:, special.eos] = 0.0
        return logits.new_zeros(logits.shape[0])
    if special.renormalize or not banned.numel():
        logits[:, banned] = float("-inf")
        return log_normaliser(logits, scratch)
    norm = log_normaliser(logits, scratch)
    logits[:, banned] = float("-inf")
    return norm


def _ban_forbidden(logits: torch.Tensor, flat_state: torch.Tensor, packed: PackedAutomata) -> None:
    """Ban every token that would complete a forbidden sequence from a hypothesis's state."""
    width = packed.alphabet.numel()
    following = packed.transitions[flat_state, :width]
    ban = packed.forbidden[following]
    if bool(ban.any()):
        logits[:, packed.alphabet] = logits[:, packed.alphabet].masked_fill(ban, float("-inf"))


def _apply_word_rules(
    logits: torch.Tensor, flat_state: torch.Tensor, packed: PackedAutomata, continues_word: torch.Tensor
) -> None:
    """After a forbidden word, only a token continuing it (into another word) may follow; after a
    term, no token may continue it, except one that makes progress on a constraint."""
    pending = packed.forbidden_word[flat_state]
    if bool(pending.any()):
        logits[pending] = logits[pending].masked_fill(~continues_word, float("-inf"))
    closing = packed.ends_term[flat_state]
    if bool(closing.any()):
        rows = closing.nonzero().view(-1)
        vocab = continues_word.numel()
        ban = torch.cat(
            (continues_word.expand(rows.numel(), -1), continues_word.new_zeros(rows.numel(), 1)), dim=1
        )
        proposals = packed.proposals[flat_state[rows]]
        ban.scatter_(1, torch.where(proposals >= 0, proposals, vocab), False)  # padding → spare column
        logits[rows] = logits[rows].masked_fill(ban[:, :vocab], float("-inf"))


def _add_constraint_candidates(
    cand_scores: torch.Tensor,
    cand_index: torch.Tensor,
    logits: torch.Tensor,
    base: torch.Tensor,
    best_token: torch.Tensor,
    flat_state: torch.Tensor,
    flat_met: torch.Tensor,
    packed: PackedAutomata,
    k: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Add each hypothesis's constraint-advancing tokens and its best token; drop duplicates.

    A candidate's total is ``logits[row, token] + base[row]`` (``base``: the hypothesis's score
    minus its row's log-normaliser); its index is ``beam * vocab + token`` as for the top-k ones;
    ``k`` is the number of rows per sentence (1 at the first step).
    """
    rows, vocab = logits.shape
    active = rows // k
    proposals = packed.proposals[flat_state]  # [rows, M]
    leads_to = packed.proposal_nodes[flat_state]
    useful = (packed.prefix_of[leads_to] & ~flat_met[:, None, :]).any(-1) & (proposals >= 0)
    tokens = torch.cat((proposals.clamp(min=0), best_token[:, None]), dim=1)  # [rows, M + 1]
    totals = logits.gather(1, tokens) + base
    totals[:, :-1] = totals[:, :-1].masked_fill(~useful, float("-inf"))
    beam_base = (torch.arange(rows, device=logits.device) % k)[:, None] * vocab
    proposal_index = (beam_base + tokens[:, :-1]).view(active, -1)
    best_index = (beam_base + tokens[:, -1:]).view(active, k)
    index = torch.cat((cand_index, proposal_index, best_index), dim=1)
    extra = torch.cat((totals[:, :-1].reshape(active, -1), totals[:, -1:].reshape(active, k)), dim=1)
    score = torch.cat((cand_scores, extra), dim=1)
    # A candidate proposed twice keeps its first (top-k) place.
    sorted_index, position = torch.sort(index, dim=1, stable=True)
    repeat = torch.zeros_like(index, dtype=torch.bool)
    repeat[:, 1:] = sorted_index[:, 1:] == sorted_index[:, :-1]
    duplicate = torch.zeros_like(repeat).scatter_(1, position, repeat)
    return score.masked_fill(duplicate, float("-inf")), index


def _allocation_order(
    cand_scores: torch.Tensor,
    valid: torch.Tensor,
    new_state: torch.Tensor,
    new_met: torch.Tensor,
    packed: PackedAutomata,
    sentences: torch.Tensor,
) -> torch.Tensor:
    """Candidate order for filling the beam: round-robin over banks, most progress first.

    A candidate's bank is the number of constraint tokens it has met (each met constraint counts
    its shortest alternative's length) plus its progress into an unmet one. Within a bank candidates
    go by score; the beam takes the best of every bank, highest bank first, then the second best of
    every bank, and so on (fairseq's striping). With no progress anywhere this is plain score order.
    """
    weights = packed.weights[sentences]  # [S, C]
    active_c = packed.active[sentences]
    met_tokens = ((new_met & active_c[:, None, :]).long() * weights[:, None, :]).sum(-1)
    partial = (packed.prefix_of[new_state] & ~new_met).any(-1)
    bank = met_tokens + packed.depth[new_state] * partial.long()
    width = cand_scores.shape[1]
    by_score = torch.sort(cand_scores, dim=1, descending=True, stable=True).indices
    bank_sorted = bank.gather(1, by_score)
    by_bank = torch.sort(bank_sorted, dim=1, descending=True, stable=True).indices
    order = by_score.gather(1, by_bank)
    banks = bank_sorted.gather(1, by_bank)
    position = torch.arange(width, device=bank.device).expand_as(banks)
    starts = torch.zeros_like(banks, dtype=torch.bool)
    starts[:, 0] = True
    starts[:, 1:] = banks[:, 1:] != banks[:, :-1]
    start_at = torch.where(starts, position, torch.zeros_like(position)).cummax(dim=1).values
    rank = position - start_at
    rank = rank.masked_fill(~valid.gather(1, order), width)
    return order.gather(1, torch.sort(rank, dim=1, stable=True).indices)


def _merge_finished(
    done_tokens: torch.Tensor,
    done_scores: torch.Tensor,
    done_flags: torch.Tensor,
    sentences: torch.Tensor,
    new_tokens: torch.Tensor,
    new_scores: torch.Tensor,
    k: int,
) -> None:
    """Keep the k best finished hypotheses per sentence (old ones first on equal scores)."""
    merged_scores = torch.cat((done_scores[sentences], new_scores), dim=1)
    merged_tokens = torch.cat((done_tokens[sentences], new_tokens), dim=1)
    merged_flags = torch.cat((done_flags[sentences], new_scores > NEG / 2), dim=1)
    best = torch.topk(merged_scores, k, dim=1).indices
    done_scores[sentences] = merged_scores.gather(1, best)
    done_flags[sentences] = merged_flags.gather(1, best)
    done_tokens[sentences] = merged_tokens.gather(1, best[:, :, None].expand(-1, -1, merged_tokens.shape[-1]))


def _collect(
    done_tokens: torch.Tensor, done_scores: torch.Tensor, done_flags: torch.Tensor, special: _Special
) -> list[list[Hypothesis]]:
    results: list[list[Hypothesis]] = []
    for sequences, scores, flags in zip(
        done_tokens.tolist(), done_scores.tolist(), done_flags.tolist(), strict=True
    ):
        hypotheses = []
        for sequence, score, flag in sorted(zip(sequences, scores, flags, strict=True), key=lambda x: -x[1]):
            if not flag:
                continue
            body = sequence[1:]
            end = body.index(special.eos) if special.eos in body else len(body)
            hypotheses.append(Hypothesis(tuple(body[:end]), score))
        results.append(hypotheses)
    return results
