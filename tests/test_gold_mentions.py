"""The matcher against the hand-checked annotation of the seed articles.

``seeds/gold_mentions.tsv`` lists every mention of a ``seeds/glossary.csv`` term in the three seed
articles: file, start, end (Python string offsets into the text as read by ``read_text``), form
(``full``, ``full+acronym``, ``acronym``), the entry's ``vi`` and the text at those offsets.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from songngu.glossary.formats import load_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import MatchForm
from songngu.textfile import read_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ARTICLES = sorted(path.name for path in SEEDS.glob("*.txt"))
REQUIRED_ACRONYMS = ("AICHR", "UPR", "ACWC", "ACMW")

Mention = tuple[str, int, int, str, str]  # file, start, end, form, vi


@pytest.fixture(scope="module")
def matcher() -> GlossaryMatcher:
    return GlossaryMatcher(load_glossary(SEEDS / "glossary.csv"))


def gold_rows() -> list[dict[str, str]]:
    with (SEEDS / "gold_mentions.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def gold() -> set[Mention]:
    return {(r["file"], int(r["start"]), int(r["end"]), r["form"], r["vi"]) for r in gold_rows()}


def found(matcher: GlossaryMatcher, name: str, text: str) -> set[Mention]:
    return {(name, m.start, m.end, m.form.value, m.entry.vi) for m in matcher.find(text)}


def test_gold_annotation_is_consistent_with_the_articles() -> None:
    rows = gold_rows()
    assert {row["file"] for row in rows} == set(ARTICLES)
    glossary_terms = {entry.vi for entry in load_glossary(SEEDS / "glossary.csv")}
    for row in rows:
        text = read_text(SEEDS / row["file"])
        assert text[int(row["start"]) : int(row["end"])] == row["text"]
        assert row["vi"] in glossary_terms
        assert row["form"] in {form.value for form in MatchForm}


@pytest.mark.parametrize("name", ARTICLES)
def test_matcher_finds_exactly_the_gold_mentions(matcher: GlossaryMatcher, name: str) -> None:
    expected = {mention for mention in gold() if mention[0] == name}
    actual = found(matcher, name, read_text(SEEDS / name))
    assert actual - expected == set(), "found but not in the gold annotation"
    assert expected - actual == set(), "in the gold annotation but not found"


@pytest.mark.parametrize("name", ARTICLES)
def test_every_required_acronym_mention_is_found(matcher: GlossaryMatcher, name: str) -> None:
    """Each AICHR, UPR, ACWC, ACMW in the text is inside a match that renders it."""
    text = read_text(SEEDS / name)
    matches = matcher.find(text)
    for acronym in REQUIRED_ACRONYMS:
        for occurrence in re.finditer(rf"(?<!\w){acronym}(?!\w)", text):
            covering = [m for m in matches if m.start <= occurrence.start() and occurrence.end() <= m.end]
            assert len(covering) == 1, f"{name}:{occurrence.start()}: {acronym} not matched"
            match = covering[0]
            assert match.entry.acronym == acronym or acronym in match.target, (match, acronym)


def test_the_seeds_mention_all_four_required_bodies() -> None:
    entries = {row["vi"] for row in gold_rows()}
    acronyms = {e.acronym for e in load_glossary(SEEDS / "glossary.csv") if e.vi in entries}
    assert set(REQUIRED_ACRONYMS) <= acronyms


@pytest.mark.parametrize("name", ARTICLES)
def test_nfd_and_hard_wrapped_articles_give_the_same_mentions(matcher: GlossaryMatcher, name: str) -> None:
    text = read_text(SEEDS / name)
    expected = sorted((m.entry.vi, m.form.value, m.text) for m in matcher.find(text))
    # Hard-wrap at every 7th space, then decompose: offsets change, mentions must not.
    wrapped = re.sub(r"((?:\S+ ){6}\S+) ", "\\1\n", text)
    variant = unicodedata.normalize("NFD", wrapped)
    matches = matcher.find(variant)
    for match in matches:
        assert variant[match.start : match.end] == match.text
    actual = sorted(
        (m.entry.vi, m.form.value, unicodedata.normalize("NFC", m.text).replace("\n", " ")) for m in matches
    )
    assert actual == expected
