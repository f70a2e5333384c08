"""Constrained beam search: plain beam search without constraints, every constraint met with them."""

from __future__ import annotations

from pathlib import Path

import pytest
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


@pytest.mark.parametrize(("beam", "max_length"), [(4, 16), (2, 24)])
def test_without_constraints_it_is_transformers_beam_search(marian_fp32, beam: int, max_length: int) -> None:
    # fp32 only: generate computes logits in the model's dtype, the search in float32 (by design).
    tokenizer, model = marian_fp32
    batch = tokenizer(SOURCES, return_tensors="pt", padding=True)
    expected = model.generate(
        **batch, num_beams=beam, do_sample=False, max_length=max_length, early_stopping=False
    )
    found = beam_search(
        model,
        batch.input_ids,
        batch.attention_mask,
        [ConstraintAutomaton([])] * len(SOURCES),
        beam=beam,
        max_length=max_length,
    )
    eos, pad = model.generation_config.eos_token_id, model.generation_config.pad_token_id
    for reference, hypotheses in zip(expected.tolist(), found, strict=True):
        body = [t for t in reference[1:] if t != pad]
        body = body[: body.index(eos)] if eos in body else body
        assert hypotheses[0].tokens == tuple(body)


def test_the_first_step_runs_one_hypothesis_per_sentence(marian_fp32) -> None:
    # Only the first beam is live at the start: the decoder and the output layer run for it alone
    # (the search's own output is checked against generate above), then for the whole beam.
    tokenizer, model = marian_fp32
    batch = tokenizer(SOURCES, return_tensors="pt", padding=True)
    rows: list[int] = []
    hook = (
        model.get_decoder()
        .layers[-1]
        .fc1.register_forward_hook(lambda module, args, output: rows.append(args[0].shape[0]))
    )
    try:
        beam_search(
            model, batch.input_ids, batch.attention_mask, [ConstraintAutomaton([])] * 4, beam=3, max_length=5
        )
    finally:
        hook.remove()
    assert rows[:2] == [len(SOURCES), 3 * len(SOURCES)]


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
