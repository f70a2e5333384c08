"""Constraint automata: recognising disjunctive terms, forbidding strings, packing for the search."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers import MarianTokenizer

from songngu.translate.constraints import (
    ConstraintAutomaton,
    TermConstraint,
    doubled_acronyms,
    encode_constraints,
    pack,
)


def run(automaton: ConstraintAutomaton, tokens: list[int]) -> tuple[int, set[int]]:
    state, seen = 0, set()
    for token in tokens:
        state = automaton.advance(state, token)
        seen |= automaton.completes(state)
    return state, seen


def test_constraint_recognised_after_unrelated_tokens() -> None:
    automaton = ConstraintAutomaton([[(5, 6, 7)], [(9,)]])
    _, seen = run(automaton, [1, 2, 5, 6, 7, 3])
    assert seen == {0}


def test_partial_match_rolls_back_when_output_deviates() -> None:
    automaton = ConstraintAutomaton([[(5, 6, 7)]])
    state, seen = run(automaton, [5, 6, 5, 6, 7])
    assert seen == {0}
    state, seen = run(automaton, [5, 6, 8, 7])
    assert seen == set() and state == 0


def test_any_alternative_satisfies_a_disjunctive_constraint() -> None:
    automaton = ConstraintAutomaton([[(1, 2), (3, 4, 5)], [(6,)]])
    assert run(automaton, [3, 4, 5])[1] == {0}
    assert run(automaton, [1, 2])[1] == {0}
    assert run(automaton, [1, 4])[1] == set()


def test_forbidden_sequence_is_flagged_at_its_last_token() -> None:
    automaton = ConstraintAutomaton([[(1, 2)]], negatives=[(7, 8, 9)])
    states = [0]
    for token in (7, 8, 9):
        states.append(automaton.advance(states[-1], token))
    assert [automaton.forbidden(s) for s in states] == [False, False, False, True]
    assert not automaton.forbidden(automaton.advance(automaton.advance(0, 8), 9))


def test_proposals_continue_the_partial_match_and_skip_met_constraints() -> None:
    automaton = ConstraintAutomaton([[(1, 2)], [(3,)]], negatives=[(4, 5)])
    assert set(automaton.proposals(0)) == {1, 3}
    assert set(automaton.proposals(automaton.advance(0, 1))) == {2, 1, 3}
    assert set(automaton.proposals(0, met=frozenset({0}))) == {3}


pattern = st.lists(st.integers(0, 5), min_size=1, max_size=4).map(tuple)
constraint_sets = st.lists(st.lists(pattern, min_size=1, max_size=3), min_size=1, max_size=4)


def suffix_oracle(constraints: list[list[tuple[int, ...]]], consumed: list[int]) -> set[int]:
    return {
        index
        for index, alternatives in enumerate(constraints)
        if any(len(alt) <= len(consumed) and tuple(consumed[-len(alt) :]) == alt for alt in alternatives)
    }


@settings(max_examples=200, deadline=None)
@given(constraint_sets, st.lists(st.integers(0, 5), max_size=6), st.data())
def test_advancing_through_an_alternative_completes_exactly_the_constraints_it_ends(
    constraints: list[list[tuple[int, ...]]], prefix: list[int], data: st.DataObject
) -> None:
    automaton = ConstraintAutomaton(constraints)
    index = data.draw(st.integers(0, len(constraints) - 1))
    alternative = data.draw(st.sampled_from(constraints[index]))
    consumed = [*prefix, *alternative]
    state, _ = run(automaton, consumed)
    completed = automaton.completes(state)
    assert index in completed
    # Exactly the constraints one of whose alternatives ends here, and no other.
    assert completed == suffix_oracle(constraints, consumed)


@settings(max_examples=50, deadline=None)
@given(constraint_sets, st.lists(pattern, max_size=2), st.lists(st.integers(0, 7), max_size=12))
def test_packed_tensors_step_like_the_automaton(
    constraints: list[list[tuple[int, ...]]], negatives: list[tuple[int, ...]], tokens: list[int]
) -> None:
    automata = [ConstraintAutomaton([]), ConstraintAutomaton(constraints, negatives)]
    packed = pack(automata, vocab_size=8, device="cpu")
    automaton, offset = automata[1], int(packed.roots[1])
    state = 0
    for token in tokens:
        state = automaton.advance(state, token)
    packed_state = offset  # replay on the packed tables from this request's root
    for token in tokens:
        packed_state = int(packed.transitions[packed_state, packed.column[token]])
    assert packed_state == state + offset
    assert bool(packed.forbidden[packed_state]) == automaton.forbidden(state)
    expected = torch.zeros(packed.completes.shape[1], dtype=torch.bool)
    expected[list(automaton.completes(state))] = True
    assert torch.equal(packed.completes[packed_state], expected)


def test_doubled_acronyms_come_from_alternatives_ending_in_an_acronym() -> None:
    doubled = doubled_acronyms(("Human Rights Commission (AICHR)", "Human Rights Commission"))
    assert "(AICHR) (AICHR)" in doubled
    assert doubled_acronyms(("ASEAN",)) == ()


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir: Path) -> MarianTokenizer:
    return MarianTokenizer.from_pretrained(tiny_model_dir)


def encode_with(tokenizer: MarianTokenizer, constraints, forbidden=()):
    return encode_constraints(
        constraints,
        forbidden,
        lambda text: tokenizer(text_target=text, add_special_tokens=False).input_ids,
        lambda ids: tokenizer.decode(list(ids), skip_special_tokens=True),
        tokenizer.unk_token_id,
    )


def test_terms_are_encoded_with_the_target_tokenizer(tokenizer: MarianTokenizer) -> None:
    encoded = encode_with(tokenizer, [TermConstraint(("human rights", "Human Rights"))])
    assert encoded.encodable == (True,)
    target = tokenizer(text_target="human rights", add_special_tokens=False).input_ids
    source = tokenizer("human rights", add_special_tokens=False).input_ids
    assert encoded.positives[0][0] == tuple(target)
    assert target != source  # separate SentencePiece models: the source one would be wrong here
    assert encoded.met_in("they defend Human Rights.") == (True,)


def test_unencodable_term_is_reported_not_pretended(tokenizer: MarianTokenizer) -> None:
    encoded = encode_with(tokenizer, [TermConstraint(("漢字",)), TermConstraint(("漢字", "ASEAN"))])
    assert encoded.encodable == (False, True)
    assert encoded.texts[1] == ("ASEAN",)


def test_acronym_constraints_forbid_the_doubled_acronym(tokenizer: MarianTokenizer) -> None:
    term = "ASEAN Intergovernmental Commission on Human Rights (AICHR)"
    encoded = encode_with(tokenizer, [TermConstraint((term,))], forbidden=("Vietnam",))
    assert "(AICHR) (AICHR)" in encoded.forbidden_texts and "Vietnam" in encoded.forbidden_texts
    doubled = tuple(tokenizer(text_target="(AICHR) (AICHR)", add_special_tokens=False).input_ids)
    assert doubled in encoded.negatives
    assert encoded.forbidden_in(f"the {term} (AICHR) met")


def test_alternative_containing_a_forbidden_string_is_dropped(tokenizer: MarianTokenizer) -> None:
    encoded = encode_with(tokenizer, [TermConstraint(("Viet Nam", "Vietnam"))], forbidden=("Viet Nam",))
    assert encoded.texts == (("Vietnam",),)
    encoded = encode_with(tokenizer, [TermConstraint(("Viet Nam",))], forbidden=("Viet Nam",))
    assert encoded.encodable == (False,)


def test_word_final_negative_marks_the_state_instead_of_banning_its_last_token() -> None:
    automaton = ConstraintAutomaton(
        [[(7, 8, 9)]],
        [(7, 8), (5, 6)],
        positive_word_ends=[[True]],
        negative_word_ends=[True, False],
    )
    after_78 = automaton.advance(automaton.advance(0, 7), 8)
    assert automaton.nodes[after_78].forbidden_word and not automaton.forbidden(after_78)
    assert automaton.forbidden(automaton.advance(automaton.advance(0, 5), 6))
    after_789 = automaton.advance(after_78, 9)
    assert automaton.completes(after_789) == {0} and automaton.nodes[after_789].ends_term
