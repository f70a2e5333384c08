"""Terminology metrics on small hand-checked cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.translate.cli import main
from songngu.translate.evaluate.evaluation import evaluate
from songngu.translate.evaluate.inputs import Article, Pair
from songngu.translate.evaluate.terminology import (
    RequiredTerm,
    article_stats,
    check_sentence,
    count_forbidden,
    find_rendering,
    required_terms,
    terms_from_outcomes,
)
from songngu.translate.reviewed import UnitTerm

AICHR = GlossaryEntry(
    "Ủy ban liên Chính phủ ASEAN về Nhân quyền", "ASEAN Intergovernmental Commission on Human Rights", "AICHR"
)
MOFA = GlossaryEntry(
    "Bộ Ngoại giao",
    "Ministry of Foreign Affairs",
    en_variants=("Foreign Ministry",),
    en_forbidden=("Foreign Office", "Ministry of Foreign Affair"),
)
COUNCIL = GlossaryEntry("Hội đồng Nhân quyền", "Human Rights Council")
MATCHER = GlossaryMatcher(Glossary([AICHR, MOFA, COUNCIL]))


def terms_of(source: str) -> list[RequiredTerm]:
    return required_terms(MATCHER.find(source))


def test_full_form_with_acronym_is_met_by_the_full_name() -> None:
    (term,) = terms_of("Cuộc họp của Uỷ ban liên Chính phủ ASEAN về Nhân quyền (AICHR) diễn ra.")
    assert term.accepted == (AICHR.en,) and not term.acronym_only
    hit = check_sentence("The ASEAN Intergovernmental Commission on Human Rights (AICHR) met.", [term])
    assert hit.met == 1
    # the acronym alone does not render a full-form mention
    assert check_sentence("The AICHR met.", [term]).met == 0


def test_acronym_alone_needs_the_acronym_case_sensitively() -> None:
    (term,) = terms_of("Chủ tịch AICHR phát biểu.")
    assert term.acronym_only and term.accepted == ("AICHR",)
    assert check_sentence("The AICHR Chair spoke.", [term]).met == 1
    assert check_sentence("The Aichr Chair spoke.", [term]).met == 0
    assert check_sentence("The AICHRs Chair spoke.", [term]).met == 0  # whole words only
    assert check_sentence("The AICHRs Chair spoke.", [term]).checks[0].met_inflected


def test_variant_is_accepted_and_forbidden_rendering_counted() -> None:
    (term,) = terms_of("Bộ Ngoại giao tổ chức hội thảo.")
    assert check_sentence("The Foreign Ministry held a workshop.", [term]).met == 1
    bad = check_sentence("The Foreign Office held a workshop with the Foreign Office staff.", [term])
    assert bad.met == 0
    assert bad.forbidden == {"Foreign Office": 2}
    # a forbidden form inside an accepted rendering is no violation
    assert count_forbidden("the Ministry of Foreign Affairs said", term) == {}
    assert count_forbidden("the Ministry of Foreign Affair said", term) == {"Ministry of Foreign Affair": 1}


def test_inflection_tolerant_rate_accepts_plural_and_possessive() -> None:
    (council,) = terms_of("Hội đồng Nhân quyền họp.")
    (mofa,) = terms_of("Bộ Ngoại giao họp.")
    for text, term in [
        ("Both Human Rights Councils met.", council),
        ("The Human Rights Council's session.", council),
        ("The Human Rights Councils' sessions.", council),
        ("The Ministry of Foreign Affairs' spokesperson.", mofa),
        ("Two Ministries of Foreign Affairs met.", mofa),
        ("The Foreign Ministry’s spokesperson.", mofa),
    ]:
        check = check_sentence(text, [term]).checks[0]
        assert check.met_inflected, text
    assert not check_sentence("Both Human Rights Councils met.", [council]).checks[0].met
    assert find_rendering("The Human Rights Councillor", council.accepted, inflected=True) is None


def test_consistency_within_an_article() -> None:
    source = "Bộ Ngoại giao họp."
    consistent = [
        check_sentence(h, terms_of(source))
        for h in ["The Foreign Ministry met.", "The Foreign Ministry's view."]
    ]
    mixed = [
        check_sentence(h, terms_of(source))
        for h in ["The Foreign Ministry met.", "The Ministry of Foreign Affairs met."]
    ]
    missing = [
        check_sentence(h, terms_of(source)) for h in ["The Foreign Ministry met.", "The ministry met."]
    ]
    once = [check_sentence("The Foreign Ministry met.", terms_of(source))]
    assert article_stats(consistent).consistency == 1.0
    assert article_stats(mixed).consistency == 0.0
    assert article_stats(missing).consistency == 0.0
    assert article_stats(once).consistency is None  # nothing occurs twice: nothing to check
    # acronym-only mentions are rendered as the source dictates: not part of consistency
    acronyms = [check_sentence("AICHR met.", terms_of("AICHR họp.")) for _ in range(3)]
    assert article_stats(acronyms).consistency_checked == 0


def test_evaluate_counts_terms_per_article_and_breakdown() -> None:
    pairs = [
        Pair("a:1:1", "The Foreign Office and the AICHR met.", "ref", "Bộ Ngoại giao và AICHR họp."),
        Pair("a:2:1", "The Ministry of Foreign Affairs spoke.", "ref", "Bộ Ngoại giao phát biểu."),
    ]
    result = evaluate([Article("a", "hyp", "ref", pairs)], matcher=MATCHER)
    terms = result.total.terms
    assert terms is not None
    assert (terms.required, terms.met, terms.forbidden) == (3, 2, 1)
    assert terms.success_rate == pytest.approx(2 / 3)
    assert terms.consistency == 0.0  # MOFA twice: once missing, once rendered
    worst = result.term_breakdown[0]
    assert worst.key == MOFA.en and worst.failed == 1 and worst.forbidden == 1
    assert worst.renderings == {"(missing)": 1, "Ministry of Foreign Affairs": 1}


def test_terms_from_jsonl_records_without_glossary() -> None:
    aichr = "ASEAN Intergovernmental Commission on Human Rights"
    outcomes = [
        UnitTerm("Uỷ ban ... (AICHR)", f"{aichr} (AICHR)", (f"{aichr} (AICHR)",), True),
        UnitTerm("AICHR", "AICHR", ("AICHR",), True),
        # A record that lists the other accepted renderings (an entry's variants): they count too.
        UnitTerm(
            "Bộ Ngoại giao",
            "Ministry of Foreign Affairs",
            ("Ministry of Foreign Affairs", "Foreign Ministry"),
            True,
        ),
    ]
    full, acronym, variants = terms_from_outcomes(outcomes)
    assert full.accepted == (aichr,) and not full.acronym_only
    assert acronym.acronym_only
    assert variants.accepted == ("Ministry of Foreign Affairs", "Foreign Ministry")


@given(st.text(max_size=40), st.sampled_from([AICHR, MOFA, COUNCIL]))
def test_strict_met_implies_inflection_tolerant_met(text: str, entry: GlossaryEntry) -> None:
    term = RequiredTerm(entry.en, entry.vi, entry.en_forms, entry.en_forbidden)
    hypothesis = f"{text} {entry.en}" if len(text) % 2 else text
    check = check_sentence(hypothesis, [term]).checks[0]
    assert check.met <= check.met_inflected
    if len(text) % 2:
        assert check.met


def test_command_reports_terms_from_src_and_glossary(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    glossary = tmp_path / "g.csv"
    glossary.write_text(
        "vi,en,acronym,en_variants,en_forbidden\n"
        "Bộ Ngoại giao,Ministry of Foreign Affairs,,Foreign Ministry,Foreign Office\n"
        "Ủy ban liên Chính phủ ASEAN về Nhân quyền,"
        "ASEAN Intergovernmental Commission on Human Rights,AICHR,,\n",
        encoding="utf-8",
    )
    src = tmp_path / "a.vi"
    src.write_text(
        "Bộ Ngoại giao họp với AICHR.\nUỷ ban liên Chính phủ ASEAN về Nhân quyền (AICHR) họp.\n",
        encoding="utf-8",
    )
    hyp = tmp_path / "a.en"
    hyp.write_text(
        "The Foreign Office met the AICHR.\nThe ASEAN Intergovernmental Commission on Human Rights met.\n",
        encoding="utf-8",
    )
    ref = tmp_path / "a.ref"
    ref.write_text("The Ministry of Foreign Affairs met the AICHR.\nThe AICHR met.\n", encoding="utf-8")
    argv = ["evaluate", "--hyp", str(hyp), "--ref", str(ref), "--src", str(src), "--glossary", str(glossary)]
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["terms_required"] == 3 and result["terms_met"] == 2
    assert result["term_success_rate"] == pytest.approx(2 / 3)
    assert result["forbidden"] == 1
    assert result["term_consistency"] is None
    assert result["terms"][0]["term"] == "Ministry of Foreign Affairs"
    assert main(argv) == 0
    assert "terms: 2/3 met" in capsys.readouterr().out
