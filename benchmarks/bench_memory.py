"""Translation memory speed at scale: exact lookups and near-match suggestions over 100,000 segments.

Fills a memory with realistic Vietnamese segments (FLORES-200 devtest sentences and variants of them:
words substituted, dropped, inserted, numbers changed, halves of two sentences joined, so the memory
is full of near duplicates, the hard case for near-match search), then times, per query:

- exact lookup, hits (stored sources with whitespace/Unicode-form noise) and misses;
- near-match suggestion (threshold 0.75), hits (a stored source with one or two words changed) and
  misses (held-out FLORES sentences, none of whose variants were stored);

and the same questions answered by a naive full scan in Python over every stored row, measured in
the same run on a few queries, with the ratio.

    .venv/bin/python benchmarks/bench_memory.py [--segments 100000] [--db PATH]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from songngu.textfile import read_text  # noqa: E402
from songngu.translate.memory import MemoryUnit, TranslationMemory, normalise, similarity, tokens  # noqa: E402

FLORES = ROOT / "data" / "flores200" / "vie_Latn.devtest"
HELD_OUT = 150  # FLORES sentences kept out of the memory: 100 timed near-match misses, 50 warm-up
THRESHOLD = 0.75


def variants(sentences: list[str], vocabulary: list[str], rng: random.Random) -> Iterator[str]:
    """Endless realistic variants of ``sentences``: the edits a real article stream produces."""
    while True:
        words = rng.choice(sentences).split()
        edit = rng.random()
        if edit < 0.35:  # a few words substituted (another name, another figure...)
            for _ in range(rng.randint(1, 4)):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
        elif edit < 0.55:  # a word dropped and another inserted
            if len(words) > 3:
                del words[rng.randrange(len(words))]
            words.insert(rng.randrange(len(words) + 1), rng.choice(vocabulary))
        elif edit < 0.75:  # numbers changed
            words = [str(rng.randint(2, 2030)) if w.strip(".,").isdigit() else w for w in words]
            words.insert(rng.randrange(len(words) + 1), str(rng.randint(2, 2030)))
        elif edit < 0.9:  # halves of two sentences joined
            other = rng.choice(sentences).split()
            words = words[: len(words) // 2] + other[len(other) // 2 :]
        else:  # a clause appended
            words = [*words, "theo", rng.choice(vocabulary), rng.choice(vocabulary)]
        yield " ".join(words)


def timed(query: Callable[[str], object], inputs: list[str]) -> tuple[list[float], list[object]]:
    """Milliseconds per call, and the results."""
    times, results = [], []
    for text in inputs:
        start = time.perf_counter()
        results.append(query(text))
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500, help="queries per kind (default 500)")
    parser.add_argument("--naive-queries", type=int, default=5, help="full-scan queries per kind (default 5)")
    parser.add_argument("--db", help="memory file to fill (default: a temporary file)")
    parser.add_argument(
        "--reuse", action="store_true", help="use --db as it is when it already holds the same segments"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    flores = [line for line in read_text(FLORES).splitlines() if line.strip()]
    rng.shuffle(flores)
    held_out, sentences = flores[:HELD_OUT], flores[HELD_OUT:]
    vocabulary = sorted({word for sentence in sentences for word in sentence.split()})

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(args.db) if args.db else Path(scratch) / "tm.sqlite"
        sources: list[str] = list(sentences)
        seen = {normalise(s) for s in sources}
        for variant in variants(sentences, vocabulary, rng):
            if len(sources) >= args.segments:
                break
            if normalise(variant) not in seen:
                seen.add(normalise(variant))
                sources.append(variant)
        sources = sources[: args.segments]

        reuse = False
        if args.reuse and path.exists():
            with TranslationMemory(path) as memory:
                reuse = len(memory) == len(sources) and memory.lookup(sources[-1]) is not None
        if not reuse:
            path.unlink(missing_ok=True)
        start = time.perf_counter()
        with TranslationMemory(path) as memory:
            if not reuse:
                for chunk in range(0, len(sources), 10_000):
                    memory.store(
                        MemoryUnit(
                            s,
                            f"translation {i}",
                            "bench.po",
                            f"bench:1:{i}",
                            i % 3 == 0,
                            "2024-05-01T00:00:00Z",
                        )
                        for i, s in enumerate(sources[chunk : chunk + 10_000], start=chunk)
                    )
            fill = time.perf_counter() - start
            print(
                f"memory: {len(memory):,} units, {path.stat().st_size / 2**20:.1f} MiB, "
                + ("reused" if reuse else f"filled in {fill:.1f} s ({len(memory) / fill:,.0f} units/s)")
            )

            n = args.queries
            stored = rng.sample(sources, n)
            exact_hits = [unicodedata.normalize("NFD", "  " + s.replace(" ", "  ") + " ") for s in stored]
            exact_misses = [s + " nữa" for s in held_out[:100]]
            near_hits = []
            for s in rng.sample(sources, n):
                words = s.split()
                for _ in range(1 if len(words) < 12 else 2):
                    words[rng.randrange(len(words))] = "xyzzy"
                near_hits.append(" ".join(words))
            near_misses = held_out[:100]

            # Warm-up on other queries, so figures are for the steady state of a run (caches filled).
            for s in rng.sample(sources, 100) + held_out[100:]:
                memory.lookup(s)
                memory.suggest(s.replace(" ", " xyzzy ", 1), THRESHOLD)

            # The naive alternative: every row into Python, compared there.
            def naive_lookup(text: str) -> str | None:
                key = normalise(text)
                found = None
                for source, target in memory._conn.execute("SELECT source, target FROM unit"):
                    if normalise(source) == key:
                        found = target
                return found

            def naive_suggest(text: str) -> float | None:
                best = max(
                    (similarity(text, key) for (key,) in memory._conn.execute("SELECT key FROM source_key")),
                    default=0.0,
                )
                return best if best >= THRESHOLD else None

            print(
                f"\n{'query':<26}{'mean ms':>10}{'p95 ms':>10}{'found':>9}{'naive ms':>12}{'naive/ours':>12}"
            )
            cases = [
                ("lookup, hits", memory.lookup, naive_lookup, exact_hits),
                ("lookup, misses", memory.lookup, naive_lookup, exact_misses),
                ("suggest 0.75, hits", lambda t: memory.suggest(t, THRESHOLD), naive_suggest, near_hits),
                ("suggest 0.75, misses", lambda t: memory.suggest(t, THRESHOLD), naive_suggest, near_misses),
            ]
            for label, ours, naive, inputs in cases:
                times, results = timed(ours, inputs)
                naive_times, naive_results = timed(naive, inputs[: args.naive_queries])
                agree = all(
                    (ours_result is None) == (naive_result is None)
                    for ours_result, naive_result in zip(results, naive_results, strict=False)
                )
                found = sum(r is not None for r in results)
                mean, naive_mean = statistics.fmean(times), statistics.fmean(naive_times)
                print(
                    f"{label:<26}{mean:>10.3f}{p95(times):>10.3f}{found:>5}/{len(inputs):<3}"
                    f"{naive_mean:>12.1f}{naive_mean / mean:>11,.0f}x" + ("" if agree else "  DISAGREE")
                )
            sample = near_hits[0]
            mean_tokens = statistics.fmean(len(tokens(s)) for s in sources)
            print(f"\ntokens per stored segment: mean {mean_tokens:.1f}")
            print(f"example near hit: {memory.suggest(sample, THRESHOLD)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
