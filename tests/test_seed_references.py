"""The gold English references of the seed articles stay aligned with our segmentation."""

from __future__ import annotations

from pathlib import Path

import pytest

from songngu.glossary.formats import load_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.textfile import read_text
from songngu.translate.phrase import contains_phrase
from songngu.translate.segment import article_name, segment_article

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
REFERENCES = ROOT / "seeds" / "reference"


def _rows(name: str) -> list[list[str]]:
    lines = read_text(REFERENCES / f"{name}.tsv").split("\n")
    assert lines[-1] == "", "the table ends with a newline"
    assert lines[0] == "id\tvi\ten"
    rows = [line.split("\t") for line in lines[1:-1]]
    assert all(len(row) == 3 for row in rows), "three tab-separated columns per row"
    return rows


def test_every_seed_has_a_reference():
    assert len(SEEDS) == 3
    for seed in SEEDS:
        for suffix in ("tsv", "en"):
            assert (REFERENCES / f"{article_name(seed)}.{suffix}").is_file()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.stem)
def test_reference_rows_match_the_segmenter(seed):
    name = article_name(seed)
    segments = segment_article(read_text(seed), name)
    rows = _rows(name)
    assert [row[0] for row in rows] == [segment.id for segment in segments]
    assert [row[1] for row in rows] == [segment.source for segment in segments]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.stem)
def test_line_aligned_english_matches_the_table(seed):
    name = article_name(seed)
    rows = _rows(name)
    english = read_text(REFERENCES / f"{name}.en").split("\n")
    assert english[-1] == ""
    assert english[:-1] == [row[2] for row in rows]
    for line in english[:-1]:
        assert line and line == line.strip()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.stem)
def test_references_use_the_glossary(seed):
    """Every term the glossary finds in a segment has one of its English renderings in the reference
    (case-sensitive), and no forbidden rendering appears as a whole phrase."""
    matcher = GlossaryMatcher(load_glossary(ROOT / "seeds" / "glossary.csv"))
    problems = []
    for segment_id, vi, en in _rows(article_name(seed)):
        for match in matcher.find(vi):
            if not any(target in en for target in match.targets):
                problems.append(f"{segment_id}: {match.text!r} needs one of {match.targets}")
            for forbidden in match.entry.en_forbidden:
                # whole phrase only: "United Nations Development Program" is not in "...Programme"
                if contains_phrase(en, forbidden):
                    problems.append(f"{segment_id}: forbidden {forbidden!r}")
    assert not problems
