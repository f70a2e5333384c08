"""Constrained beam search: plain beam search without constraints, every constraint met with them."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from rounding import selection_margins
from transformers import MarianMTModel, MarianTokenizer

from songngu.translate.constraints import ConstraintAutomaton
from songngu.translate.decoding import beam_search
from songngu.translate.precision import Precision, apply_precision

SOURCES = [
    "Việt Nam tích cực tham gia vào quá trình hình thành AICHR.",
    "Hội thảo có sự tham dự của hơn 60 đại biểu.",
    "Cuộc họp sẽ thảo luận dự thảo Kế hoạch Công tác AICHR 2021-2025.",
    "Xin chào.",
]


@pytest.fixture(scope="module")
def marian_fp32(tiny_model_dir: Path) -> tuple[MarianTokenizer, MarianMTModel]:
    tokenizer = MarianTokenizer.from_pretrained(tiny_model_dir)
    model = MarianMTModel.from_pretrained(tiny_model_dir, use_safetensors=True).eval()
    return tokenizer, model


@pytest.fixture(scope="module", params=["fp32", "int8", "bf16"])
def marian(tiny_model_dir: Path, request: pytest.FixtureRequest) -> tuple[MarianTokenizer, MarianMTModel]:
    """The tiny model at every precision that runs on CPU: the search's guarantees hold at each."""
    tokenizer = MarianTokenizer.from_pretrained(tiny_model_dir)
    model = MarianMTModel.from_pretrained(tiny_model_dir, use_safetensors=True).eval()
    return tokenizer, apply_precision(model, Precision(request.param))


def target_ids(tokenizer: MarianTokenizer, text: str) -> tuple[int, ...]:
    return tuple(tokenizer(text_target=text, add_special_tokens=False).input_ids)


def contains(tokens: tuple[int, ...], part: tuple[int, ...]) -> bool:
    return any(tokens[i : i + len(part)] == part for i in range(len(tokens) - len(part) + 1))


# Beyond the seed sentences, FLORES-200 ones: enough sentences whose choices are all clear of a tie.
FLORES = Path(__file__).resolve().parent.parent / "data" / "flores200" / "vie_Latn.devtest"
MORE_SOURCES = FLORES.read_text(encoding="utf-8").splitlines()[299:307]

# Our decoder step and transformers' decoder are the same function by other code: their running
# scores differ by about 1e-5 here (checked below on the final scores). A choice whose candidates lie
# further apart than this cannot go another way under such rounding on any CPU.
CLEAR_OF_A_TIE = 1e-4


@pytest.mark.parametrize(("beam", "max_length"), [(4, 16), (2, 24)])
def test_without_constraints_it_is_transformers_beam_search(marian_fp32, beam: int, max_length: int) -> None:
    # fp32 only: generate computes logits in the model's dtype, the search in float32 (by design).
    # Not the same arithmetic (another decoder implementation), so token for token only for the
    # sentences whose every choice in generate's search was clear of a tie; the rest may go either
    # way by a last bit, as they may between two CPUs.
    tokenizer, model = marian_fp32
    sources = SOURCES + MORE_SOURCES
    batch = tokenizer(sources, return_tensors="pt", padding=True)
    with selection_margins(len(sources)) as margins:
        expected = model.generate(
            **batch,
            num_beams=beam,
            do_sample=False,
            max_length=max_length,
            early_stopping=False,
            output_scores=True,
            return_dict_in_generate=True,
        )
    found = beam_search(
        model,
        batch.input_ids,
        batch.attention_mask,
        [ConstraintAutomaton([])] * len(sources),
        beam=beam,
        max_length=max_length,
    )
    clear = (margins > CLEAR_OF_A_TIE).tolist()
    assert sum(clear) >= 3, margins  # the comparison below is never vacuous
    eos, pad = model.generation_config.eos_token_id, model.generation_config.pad_token_id
    compared = zip(expected.sequences.tolist(), expected.sequences_scores.tolist(), found, clear, strict=True)
    for reference, score, hypotheses, is_clear in compared:
        if not is_clear:
            continue
        body = [t for t in reference[1:] if t != pad]
        body = body[: body.index(eos)] if eos in body else body
        assert hypotheses[0].tokens == tuple(body)
        assert hypotheses[0].score == pytest.approx(score, abs=CLEAR_OF_A_TIE / max_length)


def _search_counting_decoder_rows(marian_fp32) -> tuple[list, list[int]]:
    """Search SOURCES (beam 3, max length 5) and the rows the last decoder layer ran on, per call."""
    tokenizer, model = marian_fp32
    batch = tokenizer(SOURCES, return_tensors="pt", padding=True)
    rows: list[int] = []
    hook = (
        model.get_decoder()
        .layers[-1]
        .fc1.register_forward_hook(lambda module, args, output: rows.append(args[0].shape[0]))
    )
    try:
        found = beam_search(
            model, batch.input_ids, batch.attention_mask, [ConstraintAutomaton([])] * 4, beam=3, max_length=5
        )
    finally:
        hook.remove()
    return found, rows


def test_the_first_step_runs_one_hypothesis_per_sentence(marian_fp32) -> None:
    # Only the first beam is live at the start: the decoder and the output layer run for it alone
    # (the search's own output is checked against generate above), then for the whole beam.
    _, rows = _search_counting_decoder_rows(marian_fp32)
    assert rows[:2] == [len(SOURCES), 3 * len(SOURCES)]


def test_the_forced_end_at_the_limit_runs_no_decoder(marian_fp32) -> None:
    # opus-mt forces the end token at the last position: its logits do not depend on the decoder, so
    # the decoder and the output layer run for the steps before it only (max_length 5 counts the start
    # token: steps 1-3 decode, step 4 is the forced end). The output is generate's (test above).
    assert marian_fp32[1].generation_config.forced_eos_token_id is not None
    found, rows = _search_counting_decoder_rows(marian_fp32)
    assert len(rows) <= 3
    assert all(len(hypothesis.tokens) <= 3 for hypotheses in found for hypothesis in hypotheses)


def test_every_hypothesis_meets_all_constraints_and_no_negative(marian) -> None:
    tokenizer, model = marian
    terms = [
        [["human rights"], ["ASEAN Secretariat", "Secretariat of ASEAN"]],
        [["Viet Nam", "Vietnam"], ["Universal Periodic Review (UPR)"], ["Ministry of Foreign Affairs"]],
        [["ASEAN Intergovernmental Commission on Human Rights (AICHR)"]],
        [],
    ]
    automata = [
        ConstraintAutomaton(
            [[target_ids(tokenizer, alt) for alt in alternatives] for alternatives in constraint],
            negatives=[target_ids(tokenizer, "(AICHR) (AICHR)"), target_ids(tokenizer, "may")],
        )
        for constraint in terms
    ]
    batch = tokenizer(SOURCES, return_tensors="pt", padding=True)
    found = beam_search(model, batch.input_ids, batch.attention_mask, automata, beam=4, max_length=40)
    for constraint, hypotheses in zip(terms, found, strict=True):
        assert hypotheses, "every sentence must finish"
        for hypothesis in hypotheses:
            for alternatives in constraint:
                assert any(contains(hypothesis.tokens, target_ids(tokenizer, alt)) for alt in alternatives)
            assert not contains(hypothesis.tokens, target_ids(tokenizer, "may"))
            assert not contains(hypothesis.tokens, target_ids(tokenizer, "(AICHR) (AICHR)"))
        assert [h.score for h in hypotheses] == sorted((h.score for h in hypotheses), reverse=True)


def test_constraint_longer_than_the_limit_finishes_nothing(marian) -> None:
    tokenizer, model = marian
    term = target_ids(tokenizer, "ASEAN Intergovernmental Commission on Human Rights (AICHR)")
    batch = tokenizer(SOURCES[:2], return_tensors="pt", padding=True)
    automata = [ConstraintAutomaton([[term]]), ConstraintAutomaton([])]
    found = beam_search(model, batch.input_ids, batch.attention_mask, automata, beam=3, max_length=len(term))
    assert found[0] == [] and found[1]


@torch.inference_mode()
def score_alone(
    model: MarianMTModel, tokenizer: MarianTokenizer, source: str, tokens: tuple[int, ...], max_length: int
) -> float:
    """What the search's score of ``tokens`` is when computed for ``source`` alone, by transformers'
    forward pass: mean log-probability per generated token, end token included (``<pad>`` banned and
    renormalised, as opus-mt's generation config asks; an end forced at ``max_length`` costs 0)."""
    generation = model.generation_config
    decoder = torch.tensor([[model.config.decoder_start_token_id, *tokens]])
    logits = model(**tokenizer([source], return_tensors="pt"), decoder_input_ids=decoder).logits[0].float()
    logits[:, generation.pad_token_id] = float("-inf")
    log_probs = torch.log_softmax(logits, dim=-1)
    targets = [*tokens, generation.eos_token_id]
    picked = log_probs[torch.arange(len(targets)), torch.tensor(targets)]
    if len(tokens) == max_length - 2:  # the end was forced: its log-probability is 0
        picked = picked[:-1]
    return float(picked.sum()) / len(targets)


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_a_sentence_s_scores_in_a_batch_are_its_own(tiny_model_dir: Path, precision: str) -> None:
    # A sentence searched in a padded batch is not the same arithmetic as alone (other shapes), so its
    # translation may differ from its translation alone where two candidates tie within rounding. What
    # must hold whatever the CPU: every hypothesis the batch found scores, computed for its sentence
    # alone by transformers, what the search said, up to rounding. Padding, another sentence's states
    # or a beam of another sentence would show here. (bf16 rounds too coarsely to tell these apart.)
    tokenizer = MarianTokenizer.from_pretrained(tiny_model_dir)
    model = apply_precision(
        MarianMTModel.from_pretrained(tiny_model_dir, use_safetensors=True).eval(), Precision(precision)
    )
    terms = [["human rights"], ["Viet Nam", "Vietnam"], [], ["ASEAN"]]
    automata = [ConstraintAutomaton([[target_ids(tokenizer, t)] for t in constraint]) for constraint in terms]
    sources = SOURCES + MORE_SOURCES[:2]
    automata += [ConstraintAutomaton([])] * 2
    batch = tokenizer(sources, return_tensors="pt", padding=True)
    found = beam_search(model, batch.input_ids, batch.attention_mask, automata, beam=3, max_length=24)
    alone = [
        score_alone(model, tokenizer, source, h.tokens, 24)
        for source, hs in zip(sources, found, strict=True)
        for h in hs
    ]
    assert all(found) and len(alone) > len(sources)
    searched = [h.score for hypotheses in found for h in hypotheses]
    assert searched == pytest.approx(alone, abs=1e-4)
