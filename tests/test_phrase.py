"""One rule for "does this text contain this term": the phrase module, and every caller agreeing with it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import GlossaryEntry
from songngu.translate.constraints import EncodedConstraints
from songngu.translate.engine import Translator
from songngu.translate.evaluate.terminology import RequiredTerm, check_sentence
from songngu.translate.memory import MemoryUnit, TranslationMemory
from songngu.translate.phrase import contains_phrase, phrase_spans
from songngu.translate.pipeline import translate_segments
from songngu.translate.review import read_reviewed
from songngu.translate.segment import segment_article

VI = "Liên Hợp Quốc"
SOURCE = f"Văn phòng {VI} mở cửa."


@pytest.mark.parametrize(
    ("text", "phrase", "found"),
    [
        ("the United Nations Development Programme (UNDP)", "United Nations Development Program", False),
        ("the United Nations Development Program met", "United Nations Development Program", True),
        ("Viet Nam's delegation", "Viet Nam", True),
        ("Vietnamese", "Viet", False),
        ("AICHR (AICHR) (AICHR)", "(AICHR) (AICHR)", True),
        ("x(AICHR)(AICHR)y", "(AICHR)(AICHR)", True),  # ends in brackets: no word rule applies
        ("UNDPs", "UNDP", False),
        ("The UNDP office opened.", "UN", False),
        ("The UN office opened.", "UN", True),
        ("the un office", "UN", False),  # case-sensitive
        ("the Ministry of Foreign\n  Affairs said", "Ministry of Foreign Affairs", True),  # any whitespace
        ("", "UNDP", False),
        ("anything", "", False),
        ("anything", "   ", False),
    ],
)
def test_terms_and_forbidden_strings_are_whole_phrases(text: str, phrase: str, found: bool) -> None:
    assert contains_phrase(text, phrase) is found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("two Ministries of Foreign Affairs", True),
        ("the Ministry of Foreign Affairs' staff", True),
        ("the Ministry of Foreign Affairs’s staff", True),
        ("the Ministry of Foreign Affairsy", False),
        ("the Ministry of Foreign Affair", False),
    ],
)
def test_inflection_is_an_option_of_the_same_rule(text: str, found: bool) -> None:
    assert contains_phrase(text, "Ministry of Foreign Affairs", inflected=True) is found
    assert contains_phrase(text, "Ministry of Foreign Affairs") is (found and "Ministry of" in text)


def test_spans_are_the_occurrences() -> None:
    text = "UN, UNDP and the UN."
    assert phrase_spans(text, "UN") == [(0, 2), (17, 19)]
    assert [text[a:b] for a, b in phrase_spans(text, "UN")] == ["UN", "UN"]


# ----------------------------------------------------------------------------- every caller


@pytest.fixture(scope="module")
def translator(tiny_model_dir: Path) -> Translator:
    return Translator.load(str(tiny_model_dir), device="cpu")


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    # hypothesis runs many examples per test call: one directory for all, a fresh file per example.
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def memory_verdict(translator: Translator, directory: Path, phrase: str, human: str) -> bool:
    """The pipeline's: is the term met in a human translation reused from the memory?"""
    path = directory / "tm.sqlite"
    path.unlink(missing_ok=True)
    matcher = GlossaryMatcher([GlossaryEntry(vi=VI, en=phrase)])
    segments = segment_article(SOURCE, "a")
    with TranslationMemory(path) as memory:
        memory.store([MemoryUnit(SOURCE, human, "a.po", "a:1:1", True, "2024-01-01T00:00:00Z")])
        (result,) = translate_segments(segments, translator=translator, matcher=matcher, memory=memory)
    assert result.method.value == "memory"
    (term,) = result.terms
    return term.met


def review_verdict(directory: Path, phrase: str, reviewed: str) -> bool:
    """Review's: the machine translation met the term; does the reviewer's translation still have it?"""
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8"}
    catalog.append(
        polib.POEntry(
            msgctxt="a:1:1", msgid=SOURCE, msgstr=reviewed, comment=f"glossary: {VI} → {phrase} [met]"
        )
    )
    path = directory / "a.po"
    catalog.save(str(path))
    return not read_reviewed(path).term_changes


def engine_verdicts(phrase: str, text: str) -> tuple[bool, bool]:
    """The engine's: is the constraint met, is the forbidden string present (token ids play no part)."""
    encoded = EncodedConstraints(
        positives=(((1,),),), texts=((phrase,),), negatives=(), negative_texts=(), forbidden_texts=(phrase,)
    )
    (met,) = encoded.met_in(text)
    return met, encoded.forbidden_in(text)


def evaluation_verdicts(phrase: str, text: str) -> tuple[bool, bool, bool]:
    """Evaluation's: met, met allowing inflection, and forbidden (as a forbidden rendering of another
    term whose accepted rendering cannot occur)."""
    term = RequiredTerm(key=phrase, vi=VI, accepted=(phrase,))
    (check,) = check_sentence(text, [term]).checks
    other = RequiredTerm(key="other", vi="khác", accepted=("Zzz",), forbidden=(phrase,))
    forbidden = check_sentence(text, [other]).forbidden[phrase] > 0
    return check.met, check.met_inflected, forbidden


# Pieces that make near misses likely: acronyms inside longer words, plurals, possessives, case, breaks.
PIECES = ["UN", "UNDP", "un", "United", "Nations", "Ministry", "Ministries", "of", "s", "es", "'s", "’", "'"]
PIECES += [" ", " ", "  ", "\n", "(", ")", ".", ",", "-", "é", "1", "_"]
WORDS = ["UN", "UNDP", "United", "Nations", "Ministry", "of", "(UN)", "Nation", "s"]
texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join).filter(str.strip)
phrases = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phrase=phrases, text=texts)
def test_engine_pipeline_review_and_evaluation_agree(
    translator: Translator, workdir: Path, phrase: str, text: str
) -> None:
    expected = contains_phrase(text, phrase)
    assert engine_verdicts(phrase, text) == (expected, expected)
    assert evaluation_verdicts(phrase, text) == (
        expected,
        contains_phrase(text, phrase, inflected=True),
        expected,
    )
    assert memory_verdict(translator, workdir, phrase, text) is expected
    assert review_verdict(workdir, phrase, text) is expected


def test_memory_reuse_does_not_count_un_as_met_in_undp(translator: Translator, tmp_path: Path) -> None:
    assert memory_verdict(translator, tmp_path, "UN", "The UNDP office opened.") is False
    assert memory_verdict(translator, tmp_path, "UN", "The UN office opened.") is True
