"""The QA test set (tests/qa_testset.py): derived the same way every time, one planted error per copy,
each of the kind it says; and the checks meant for each kind catch it on a sample of the tuning part
(the full figures are benchmarks/bench_qa.py's)."""

from __future__ import annotations

import pytest
from qa_testset import INTENDED, KINDS, derive, eligible, read_pairs

from songngu.translate.qa.checker import QualityChecker, build_checks


@pytest.fixture(scope="module")
def tune() -> list:
    return derive("tune")


def test_derivation_is_deterministic_and_parts_are_disjoint(tune: list) -> None:
    assert [(c.id, c.target) for c in tune] == [(c.id, c.target) for c in derive("tune")]
    assert {p.line for p in read_pairs("tune")}.isdisjoint({p.line for p in read_pairs("flores-heldout")})
    assert len(read_pairs("tune")) == 506 and len(read_pairs("ntrex")) == 1997


def test_every_copy_holds_one_error_of_its_kind(tune: list) -> None:
    for case in tune:
        if case.kind is None:
            assert case.target == case.pair.target
            continue
        assert case.target != case.pair.target, case.id
        if case.kind in ("number", "date", "term"):
            # One change, at the recorded span; the rest of the sentence untouched.
            start, end = case.span
            tail = len(case.target) - end
            assert case.target[:start] == case.pair.target[:start], case.id
            assert case.target[end:] == case.pair.target[len(case.pair.target) - tail :], case.id
        if case.kind == "number":
            assert any(char.isdigit() for char in case.target[slice(*case.span)])
        if case.kind == "term":
            assert any(case.target[slice(*case.span)] == term.forbidden[0] for term in case.terms)
        if case.kind == "untranslated":
            assert case.target == case.pair.source


@pytest.mark.parametrize("kind", ["number", "date", "term", "untranslated", "repetition"])
def test_the_check_for_each_kind_catches_it_on_the_tuning_part(tune: list, kind: str) -> None:
    positives, negatives = eligible(tune, kind)
    positives, negatives = positives[:40], negatives[:40]
    checker = QualityChecker(build_checks([INTENDED[kind]]))
    level = 1 if kind == "repetition" else 2
    caught = sum(any(f.severity.rank >= level for f in checker.check(c.segment())) for c in positives)
    alarms = sum(any(f.severity.rank >= level for f in checker.check(c.segment())) for c in negatives)
    assert caught >= 0.95 * len(positives) and alarms <= 0.05 * len(negatives), (kind, caught, alarms)
    assert kind in KINDS
