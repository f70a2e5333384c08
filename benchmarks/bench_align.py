"""Sentence alignment on the NTREX-128-derived test set: link F1 of songngu align vs plain Gale–Church.

    .venv/bin/python benchmarks/bench_align.py [--documents N] [--corpus ntrex|flores]
    .venv/bin/python benchmarks/bench_align.py --scale [--sizes 1000 4000 10000 40000] [--abridged]

The test set (tests/align_testset.py) lays each NTREX-128 article out in paragraphs, drops 6% of the
sentences from one side and merges 6% of neighbouring pairs on one side, with a fixed seed; gold links
come from the corpus's line alignment. Both aligners see the same segmented texts. Also printed: how
often a bead is exactly right among the beads songngu scores at or above the confidence threshold
(the ones ``--tm`` stores), and the time each aligner takes (a ratio measured in one run).
FLORES-200 (``--corpus flores``) is the development set the weights were chosen on.

``--scale`` aligns one long article pair per size instead: the corpus's lines laid out as one
document of N lines (repeated from the start as needed; drops and merges as above, or with
``--abridged`` half the lines dropped from the English side, so half the Vietnamese sentences are
1-0). Each size runs in a process of its own, which reports the time ``align_segments`` takes and
its link F1; the parent reads that process's peak resident memory (``wait4``'s ``ru_maxrss``) and
prints it beside the memory the process held before aligning. ``--full`` also aligns searching the
whole grid (the exact search the corridor approximates) where that fits, and prints both F1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from align_testset import DerivedPair, derive, long_document, read_corpus, score_links  # noqa: E402

from songngu.translate.align.aligner import DEFAULT_SETTINGS, Bead, gale_church  # noqa: E402
from songngu.translate.align.article import DEFAULT_MIN_SCORE, align_segments  # noqa: E402

SCALE_SIZES = (1000, 4000, 10000, 40000)


def exact(bead: Bead, pair: DerivedPair) -> bool:
    """Whether a bead holds exactly the gold links of its sentences (none for a 1-0 or 0-1 bead)."""
    vi, en = range(bead.vi_start, bead.vi_end), range(bead.en_start, bead.en_end)
    mine = {link for link in pair.gold if link[0] in vi or link[1] in en}
    return bead.links == mine


def resident_kib() -> int:
    """This process's resident memory now, in KiB (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def one_long_pair(corpus: str, lines: int, abridged: bool, full: bool) -> None:
    """Align one long pair and print what was measured as JSON (run in a process of its own)."""
    options = {"drop": 0.5, "drop_side": 1} if abridged else {}
    # About `lines` sentences a side once drops and merges have taken theirs.
    (pair,) = derive(long_document(corpus, lines + lines // 10), **options)
    before = resident_kib()
    started, cpu = time.perf_counter(), time.process_time()
    beads = align_segments(pair.vi, pair.en)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    result = {
        "vi": len(pair.vi),
        "en": len(pair.en),
        "seconds": seconds,
        "cpu": cpu,
        "before_kib": before,
        "f1": score_links([set().union(*(b.links for b in beads))], [pair.gold]).f1,
    }
    if full:
        exact = replace(DEFAULT_SETTINGS, full_dp_cells=(len(pair.vi) + 1) * (len(pair.en) + 1))
        whole = align_segments(pair.vi, pair.en, settings=exact)
        result["full_f1"] = score_links([set().union(*(b.links for b in whole))], [pair.gold]).f1
        result["same_beads"] = [(b.vi_start, b.vi_end, b.en_start, b.en_end) for b in beads] == [
            (b.vi_start, b.vi_end, b.en_start, b.en_end) for b in whole
        ]
    print(json.dumps(result))


def scale(corpus: str, sizes: list[int], abridged: bool, full: bool) -> None:
    """One process per size; print a Markdown table of time, peak memory and F1."""
    kind = "abridged (half the Vietnamese sentences 1-0)" if abridged else "6% dropped, 6% merged"
    print(f"one {corpus}-derived article pair per size, {kind}")
    print(
        "| sentences (vi + en) | time (CPU) | peak memory (before aligning) | F1 |"
        + (" F1, whole grid |" if full else "")
    )
    print("|---|---|---|---|" + ("---|" if full else ""))
    for size in sizes:
        command = [sys.executable, __file__, "--corpus", corpus, "--one", str(size)]
        command += ["--abridged"] * abridged + ["--full"] * full
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        output = process.stdout.read() if process.stdout else ""
        if status != 0:
            print(f"| {size} lines | failed ({status}) | | |")
            continue
        row = json.loads(output.strip().splitlines()[-1])
        peak = usage.ru_maxrss / 1024  # KiB on Linux
        line = (
            f"| {row['vi']:,} + {row['en']:,} | {row['seconds']:.1f} s ({row['cpu']:.1f} s) | {peak:.0f} MB "
            f"({row['before_kib'] / 1024:.0f} MB) | {row['f1']:.4f} |"
        )
        if full:
            same = " (same beads)" if row.get("same_beads") else ""
            line += f" {row['full_f1']:.4f}{same} |" if "full_f1" in row else " – |"
        print(line, flush=True)


def main() -> None:
    """Align every derived pair with both aligners and print link F1, bead accuracy and time."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", choices=("ntrex", "flores"), default="ntrex")
    parser.add_argument("--documents", type=int, help="only the first N documents")
    parser.add_argument("--scale", action="store_true", help="time and memory on one long pair per size")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SCALE_SIZES), help="lines per pair")
    parser.add_argument("--abridged", action="store_true", help="half the English lines dropped")
    parser.add_argument("--full", action="store_true", help="also search the whole grid (exact)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one_long_pair(args.corpus, args.one, args.abridged, args.full)
        return
    if args.scale:
        scale(args.corpus, args.sizes, args.abridged, args.full)
        return
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
