"""Sentence alignment on the NTREX-128-derived test set: link F1 of songngu align vs plain Gale–Church.

    .venv/bin/python benchmarks/bench_align.py [--documents N] [--corpus ntrex|flores]

The test set (tests/align_testset.py) lays each NTREX-128 article out in paragraphs, drops 6% of the
sentences from one side and merges 6% of neighbouring pairs on one side, with a fixed seed; gold links
come from the corpus's line alignment. Both aligners see the same segmented texts. Also printed: how
often a bead is exactly right among the beads songngu scores at or above the confidence threshold
(the ones ``--tm`` stores), and the time each aligner takes (a ratio measured in one run).
FLORES-200 (``--corpus flores``) is the development set the weights were chosen on.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from align_testset import DerivedPair, derive, read_corpus, score_links  # noqa: E402

from songngu.translate.align.aligner import Bead, gale_church  # noqa: E402
from songngu.translate.align.article import DEFAULT_MIN_SCORE, align_segments  # noqa: E402


def exact(bead: Bead, pair: DerivedPair) -> bool:
    """Whether a bead holds exactly the gold links of its sentences (none for a 1-0 or 0-1 bead)."""
    vi, en = range(bead.vi_start, bead.vi_end), range(bead.en_start, bead.en_end)
    mine = {link for link in pair.gold if link[0] in vi or link[1] in en}
    return bead.links == mine


def main() -> None:
    """Align every derived pair with both aligners and print link F1, bead accuracy and time."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", choices=("ntrex", "flores"), default="ntrex")
    parser.add_argument("--documents", type=int, help="only the first N documents")
    args = parser.parse_args()
    documents = read_corpus(args.corpus)[: args.documents]
    pairs = derive(documents)
    gold = [pair.gold for pair in pairs]

    started = time.perf_counter()
    ours = [align_segments(pair.vi, pair.en) for pair in pairs]
    ours_time = time.perf_counter() - started
    started = time.perf_counter()
    baseline = [
        gale_church([len(s.source) for s in pair.vi], [len(s.source) for s in pair.en]) for pair in pairs
    ]
    baseline_time = time.perf_counter() - started

    sentences = sum(len(pair.vi) + len(pair.en) for pair in pairs)
    links = sum(map(len, gold))
    print(f"{args.corpus}-derived: {len(pairs)} articles, {sentences} sentences, {links} gold links")
    for label, beads, seconds in (
        ("songngu align", ours, ours_time),
        ("Gale–Church", baseline, baseline_time),
    ):
        links = [set().union(*(bead.links for bead in article)) for article in beads]
        score = score_links(links, gold)
        print(
            f"  {label:14} precision {score.precision:.4f} recall {score.recall:.4f} F1 {score.f1:.4f}"
            f"  ({seconds:.2f} s)"
        )
    confident = [
        exact(bead, pair)
        for pair, article in zip(pairs, ours, strict=True)
        for bead in article
        if bead.vi_end > bead.vi_start and bead.en_end > bead.en_start and bead.score >= DEFAULT_MIN_SCORE
    ]
    bitext = sum(
        1
        for article in ours
        for bead in article
        if bead.vi_end > bead.vi_start and bead.en_end > bead.en_start
    )
    print(
        f"  beads scoring >= {DEFAULT_MIN_SCORE}: {len(confident)} of {bitext} bitext beads, "
        f"{sum(confident) / len(confident):.4f} exactly right; songngu/Gale–Church time "
        f"{ours_time / baseline_time:.1f}"
    )


if __name__ == "__main__":
    main()
