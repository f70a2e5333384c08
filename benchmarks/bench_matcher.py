"""Glossary matching speed and memory: a 1 MB Vietnamese text against a 10,000-entry glossary.

Run: ``.venv/bin/python benchmarks/bench_matcher.py``. Everything is generated deterministically
from the seed articles and glossary in ``seeds/`` (nothing else is read): the text is the seeds'
sentences shuffled, with synthetic Vietnamese-like terms inserted; the glossary is the seeds
glossary plus synthetic entries (2-6 syllables, a fifth with an acronym). Prints the build time,
the matching time and throughput (NFC and NFD text), and the peak memory (tracemalloc) of
streaming 1 MB and 4 MB through ``iter_matches``, which should be the same.
"""

from __future__ import annotations

import random
import re
import sys
import time
import tracemalloc
import unicodedata
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from songngu.glossary.formats import load_glossary  # noqa: E402
from songngu.glossary.matcher import GlossaryMatcher  # noqa: E402
from songngu.glossary.model import Glossary, GlossaryEntry  # noqa: E402
from songngu.textfile import read_text  # noqa: E402

MB = 1_000_000
ENTRIES = 10_000
CHUNK = 1 << 16
SEEDS = ROOT / "seeds"


def seed_sentences() -> list[str]:
    sentences: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for paragraph in read_text(path).split("\n"):
            sentences.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", paragraph) if len(s.strip()) > 20)
    return sentences


def syllable_inventory(sentences: list[str]) -> list[str]:
    words = {w for s in sentences for w in re.findall(r"[^\W\d_]+", s) if w.islower() and len(w) > 1}
    return sorted(words)


def synthetic_glossary(syllables: list[str], rng: random.Random) -> Glossary:
    entries = list(load_glossary(SEEDS / "glossary.csv"))
    seen = {entry.vi.lower() for entry in entries}
    while len(entries) < ENTRIES:
        words = [rng.choice(syllables) for _ in range(rng.randint(2, 6))]
        vi = " ".join([words[0].capitalize(), *words[1:]])
        if vi.lower() in seen:
            continue
        seen.add(vi.lower())
        acronym = "".join(rng.choice("ABCDEFGHIKLMNOPRSTUVX") for _ in range(4)) if rng.random() < 0.2 else ""
        entries.append(GlossaryEntry(vi, f"Term {len(entries)}", acronym))
    return Glossary(entries)


def text_chunks(total_bytes: int, glossary: Glossary, sentences: list[str], seed: int) -> Iterator[str]:
    """About ``total_bytes`` of UTF-8 text in chunks, generated lazily (nothing kept)."""
    rng = random.Random(seed)
    terms = [entry.vi for entry in glossary.entries]
    produced = 0
    while produced < total_bytes:
        parts: list[str] = []
        size = 0
        while size < CHUNK:
            sentence = rng.choice(sentences)
            if rng.random() < 0.5:  # a synthetic term in the middle of a real sentence
                words = sentence.split(" ")
                cut = rng.randrange(len(words))
                sentence = " ".join([*words[:cut], rng.choice(terms), *words[cut:]])
            separator = "\n\n" if rng.random() < 0.2 else " "
            parts.append(sentence + separator)
            size += len(sentence.encode("utf-8")) + len(separator)
        chunk = "".join(parts)
        produced += len(chunk.encode("utf-8"))
        yield chunk


def timed(function, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def streamed_peak(matcher: GlossaryMatcher, chunks: Iterator[str]) -> tuple[int, int]:
    """(matches, peak bytes) while streaming ``chunks`` through the matcher."""
    tracemalloc.start()
    count = sum(1 for _ in matcher.iter_matches(chunks))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak


def main() -> None:
    rng = random.Random(20240601)
    sentences = seed_sentences()
    glossary = synthetic_glossary(syllable_inventory(sentences), rng)
    text = "".join(text_chunks(MB, glossary, sentences, seed=1))
    size = len(text.encode("utf-8"))
    nfd = unicodedata.normalize("NFD", text)

    matcher, build = timed(GlossaryMatcher, glossary)
    matches, first_time = timed(matcher.find, text)  # also fills the syllable cache
    nfc_time = min(timed(matcher.find, text)[1] for _ in range(3))
    nfd_matches, nfd_time = timed(matcher.find, nfd)
    streamed, stream_time = timed(lambda: list(matcher.iter_matches(text_chunks(MB, glossary, sentences, 1))))
    assert [(m.start, m.end) for m in streamed] == [(m.start, m.end) for m in matches]
    assert len(nfd_matches) == len(matches)

    tracemalloc.start()
    matcher.find(text)
    _, find_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    count_1, peak_1 = streamed_peak(matcher, text_chunks(MB, glossary, sentences, seed=2))
    count_4, peak_4 = streamed_peak(matcher, text_chunks(4 * MB, glossary, sentences, seed=2))

    print(f"glossary: {len(glossary):,} entries; text: {size / MB:.2f} MB, {len(text):,} characters")
    print(f"build automaton:        {build:7.3f} s")
    rate = size / MB / nfc_time
    print(f"find, NFC text (first): {first_time:7.3f} s  {size / MB / first_time:6.2f} MB/s")
    print(f"find, NFC text (best 3):{nfc_time:7.3f} s  {rate:6.2f} MB/s  {len(matches):,} matches")
    print(f"find, NFD text:         {nfd_time:7.3f} s  {size / MB / nfd_time:6.2f} MB/s")
    print(f"iter_matches (64K):     {stream_time:7.3f} s  {size / MB / stream_time:6.2f} MB/s")
    print(f"peak memory, find 1 MB: {find_peak / MB:7.2f} MB (whole text in memory)")
    print(f"peak memory, stream 1 MB: {peak_1 / MB:5.2f} MB ({count_1:,} matches)")
    print(f"peak memory, stream 4 MB: {peak_4 / MB:5.2f} MB ({count_4:,} matches)")
    print(f"ratio 4 MB / 1 MB streamed peak: {peak_4 / peak_1:.2f} (flat = 1.0)")
    verdict = "meets" if nfc_time < 1.0 else "MISSES"
    print(f"target: 1 MB against {ENTRIES:,} entries in under 1 s: {verdict} ({nfc_time:.3f} s)")


if __name__ == "__main__":
    main()
