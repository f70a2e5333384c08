"""Fault: ``align`` grew quadratically in memory (issue #23, item 7).

One pair of 10,000 sentences took 280 s and 5.4 GB, and an abridged translation (half the
Vietnamese sentences without English) of 1,000 took 44 s: the search kept a dictionary of lists per
cell of a band that widened with the length difference. It now searches coarse to fine (vecalign's
scheme: the texts halved until the grid is small, a corridor of ``window`` sentences around each
coarser path) over flat arrays. These tests pin what the benchmark (``benchmarks/bench_align.py
--scale``) measures, without timing anything: the corridor finds the beads the whole grid finds, the
vectorised bead costs are the scalar ones to the last bit, and memory grows linearly.
"""

from __future__ import annotations

import math
import random
import tracemalloc
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from align_testset import derive, long_document, score_links
from hypothesis import given, settings
from hypothesis import strategies as st

from songngu.translate.align.aligner import (
    DEFAULT_SETTINGS,
    GALE_CHURCH,
    AlignmentSettings,
    Bead,
    BeadCosts,
    SentenceInfo,
    bead_cost,
)
from songngu.translate.align.article import align_segments

WHOLE_GRID = replace(DEFAULT_SETTINGS, full_dp_cells=10**12)


def beads(found: list[Bead]) -> list[tuple[int, int, int, int, float]]:
    return [(b.vi_start, b.vi_end, b.en_start, b.en_end, b.score) for b in found]


@pytest.mark.parametrize("corpus", ["ntrex", "flores"])
@pytest.mark.parametrize(
    "layout",
    [
        {},  # 6% of the lines dropped from either side, 6% merged
        {"drop": 0.5, "drop_side": 1},  # abridged: half the Vietnamese sentences have no English
        {"drop": 0.3},  # a loose translation
    ],
)
def test_the_corridor_finds_the_beads_of_the_whole_grid(corpus: str, layout: dict[str, float]) -> None:
    # 300 lines, searched through three coarser levels (full search only below 20 × 20 cells):
    # the same beads, with the same scores (posteriors to 4 decimals), as searching every cell.
    (pair,) = derive(long_document(corpus, 300), **layout)
    coarse_to_fine = replace(DEFAULT_SETTINGS, full_dp_cells=400)
    assert beads(align_segments(pair.vi, pair.en, settings=coarse_to_fine)) == beads(
        align_segments(pair.vi, pair.en, settings=WHOLE_GRID)
    )


def test_long_pairs_align_as_well_as_short_ones() -> None:
    # 2,000 sentences a side go through the corridor at the default settings; link F1 as on articles.
    (pair,) = derive(long_document("ntrex", 2000))
    found = align_segments(pair.vi, pair.en)
    assert score_links([set().union(*(b.links for b in found))], [pair.gold]).f1 > 0.96


def peak_bytes(lines: int) -> int:
    """tracemalloc's peak while aligning one abridged pair of ``lines`` lines (the pair built first),
    the whole grid searched only below 20 × 20 cells (so that small pairs show the growth too)."""
    (pair,) = derive(long_document("ntrex", lines), drop=0.5, drop_side=1)
    tracemalloc.start()
    try:
        align_segments(pair.vi, pair.en, settings=replace(DEFAULT_SETTINGS, full_dp_cells=400))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_grows_linearly_with_the_texts() -> None:
    # Four times the sentences: four times the memory, give or take; the band of the old search
    # was as wide as the length difference, so it took about sixteen times (quadratic).
    small, large = peak_bytes(150), peak_bytes(600)
    assert large < 6 * small, (small, large)


anchor_keys = st.sampled_from(["n:1999", "n:40", "a:UNDP", "w:hanoi", "n:7", "a:ASEAN"])
sentence = st.builds(
    SentenceInfo,
    length=st.integers(0, 400),
    anchors=st.dictionaries(anchor_keys, st.integers(1, 3), max_size=3).map(Counter),
    paragraph=st.just(1),
    opens_paragraph=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(sentence, max_size=8),
    st.lists(sentence, max_size=8),
    st.sampled_from([DEFAULT_SETTINGS, GALE_CHURCH]),
    st.booleans(),
)
def test_vectorised_bead_costs_are_the_scalar_ones_exactly(
    vi: list[SentenceInfo], en: list[SentenceInfo], chosen: AlignmentSettings, with_mt: bool
) -> None:
    rng = random.Random(len(vi) * 31 + len(en))
    scores = {(i, j): rng.random() for i in range(len(vi) + 1) for j in range(len(en) + 1)}

    def mt(vi_range: range, en_range: range) -> float:
        return scores[(vi_range.start, en_range.start)] * (len(vi_range) + 2 * len(en_range))

    costs = BeadCosts(vi, en, chosen, mt if with_mt else None)
    rows = np.array([i for i in range(len(vi) + 1) for _ in range(len(en) + 1)], dtype=np.int64)
    columns = np.array([j for _ in range(len(vi) + 1) for j in range(len(en) + 1)], dtype=np.int64)
    matrix = costs(rows, columns)
    priors = dict(chosen.priors)
    for k, (a, b) in enumerate(costs.shapes):
        for x, (i, j) in enumerate(zip(rows.tolist(), columns.tolist(), strict=True)):
            if a > i or b > j:
                continue  # the bead would start outside the grid
            expected = -math.log(priors[(a, b)]) + bead_cost(
                vi, en, i - a, i, j - b, j, chosen, mt if with_mt else None
            )
            assert matrix[k, x] == expected, (a, b, i, j)
