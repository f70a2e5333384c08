"""Merge pairing speed on a long article in which every sentence was edited (the worst case: no
sentence pairs exactly, so every old sentence is a candidate for every new one).

The article is N FLORES-200 devtest sentences (default 300); the new version changes one word in
each. Times :func:`songngu.translate.pairing.pair_sentences` (multiset bounds of every pair in one
matrix product, exact ratios only for the pairs that may reach the threshold) against scoring every
pair with :func:`similarity` one by one, in the same run, and checks both pair every sentence with
its own predecessor.

    .venv/bin/python benchmarks/bench_pairing.py [--sentences 300]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from songngu.textfile import read_text  # noqa: E402
from songngu.translate.pairing import SIMILARITY_THRESHOLD, Sentence, pair_sentences, similarity  # noqa: E402

FLORES = ROOT / "data" / "flores200" / "vie_Latn.devtest"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--naive", type=int, default=60, help="new sentences scored naively (all old each)")
    args = parser.parse_args()
    rng = random.Random(0)
    lines = read_text(FLORES).splitlines()[: args.sentences]
    old = [Sentence(f"bai:1:{i}", text) for i, text in enumerate(lines, start=1)]

    def edit(text: str) -> str:
        words = text.split()
        k = rng.randrange(len(words))
        words[k] = words[k] + "x"
        return " ".join(words)

    new = [Sentence(sentence.key, edit(sentence.source)) for sentence in old]
    start = time.perf_counter()
    pairing = pair_sentences(new, old)
    ours = time.perf_counter() - start
    own = sum(pair.old == pair.new for pair in pairing.pairs)

    # Naive: every pair scored one by one (a sample of rows, scaled to the whole table).
    start = time.perf_counter()
    naive_own = 0
    for i in range(args.naive):
        scores = [similarity(new[i].source, sentence.source) for sentence in old]
        best = max(range(len(old)), key=scores.__getitem__)
        naive_own += best == i and scores[best] >= SIMILARITY_THRESHOLD
    naive = (time.perf_counter() - start) * len(new) / args.naive

    print(f"pairing {len(new)} edited sentences against {len(old)}: {pairing.summary().text()}")
    print(
        f"  paired with their own predecessor: {own}/{len(new)} (naive best match: {naive_own}/{args.naive})"
    )
    print(f"  pair_sentences {ours:.2f} s; every pair scored one by one (estimated) {naive:.2f} s")
    print(f"  ratio naive/ours: {naive / ours:.1f}")


if __name__ == "__main__":
    main()
