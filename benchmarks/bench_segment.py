"""Sentence segmentation measured on real news text: boundary precision/recall/F1 and throughput.

    .venv/bin/python benchmarks/bench_segment.py [--flores DIR] [--ntrex DIR]

FLORES-200 devtest (default: data/flores200): lines grouped into articles by URL; gold = line
boundaries plus the hand-checked boundaries inside multi-sentence lines. NTREX-128 (optional, e.g.
../shared/data/ntrex128): lines grouped by DOCUMENT_IDS.tsv; gold = line boundaries only. NTREX
articles begin with headlines that have no final punctuation, so its recall is also given for the
boundaries that follow sentence-final punctuation, the ones a punctuation-based splitter can see.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from glossary.textfile import read_text
from translate.segment import split_sentences

ROOT = Path(__file__).resolve().parent.parent
_FINAL = tuple(".!?…”\"'’»)")


def _group(lines: list[str], keys: list[str]) -> list[list[tuple[int, str]]]:
    groups: list[list[tuple[int, str]]] = []
    previous = None
    for number, (line, key) in enumerate(zip(lines, keys, strict=True), start=1):
        if key != previous:
            groups.append([])
            previous = key
        groups[-1].append((number, line))
    return groups


def _score(articles: list[list[tuple[int, str]]], internal: dict[int, set[int]], label: str) -> None:
    gold: set[tuple[int, int]] = set()
    punctuated: set[tuple[int, int]] = set()
    predicted: set[tuple[int, int]] = set()
    sentences = 0
    started = time.perf_counter()
    texts = [" ".join(line for _, line in article) for article in articles]
    for number, text in enumerate(texts):
        spans = split_sentences(text)
        sentences += len(spans)
        predicted.update((number, start) for start, _ in spans[1:])
    elapsed = time.perf_counter() - started
    for number, article in enumerate(articles):
        offset = 0
        for index, (line_number, line) in enumerate(article):
            if index:
                gold.add((number, offset))
                if article[index - 1][1].rstrip().endswith(_FINAL):
                    punctuated.add((number, offset))
            gold.update((number, offset + inner) for inner in internal.get(line_number, ()))
            offset += len(line) + 1
    hits = len(gold & predicted)
    precision, recall = hits / len(predicted), hits / len(gold)
    f1 = 2 * precision * recall / (precision + recall)
    characters = sum(len(text) for text in texts)
    print(
        f"{label}: {len(articles)} articles, {len(gold)} gold boundaries; precision {precision:.4f} "
        f"recall {recall:.4f} F1 {f1:.4f}; recall after final punctuation "
        f"{len(punctuated & predicted) / len(punctuated):.4f} ({len(punctuated)}); "
        f"{sentences / elapsed:,.0f} sentences/s, {characters / elapsed / 1e6:.2f} M chars/s"
    )


def flores(directory: Path) -> None:
    """Score FLORES-200 devtest Vietnamese."""
    lines = read_text(directory / "vie_Latn.devtest").splitlines()
    urls = [row.split("\t")[0] for row in read_text(directory / "metadata_devtest.tsv").splitlines()[1:]]
    internal: dict[int, set[int]] = {}
    table = directory / "vie_Latn.devtest.internal_boundaries.tsv"
    if table.exists():
        for row in read_text(table).splitlines()[1:]:
            line, offset = row.split("\t")[:2]
            internal.setdefault(int(line), set()).add(int(offset))
    _score(_group(lines, urls), internal, "FLORES-200 devtest")


def ntrex(directory: Path) -> None:
    """Score NTREX-128 (newstest2019) Vietnamese references."""
    lines = read_text(directory / "newstest2019-ref.vie.txt").splitlines()
    documents = read_text(directory / "DOCUMENT_IDS.tsv").splitlines()
    _score(_group(lines, documents), {}, "NTREX-128 newstest2019 vie")


def main() -> None:
    """Parse arguments and print one line per corpus."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--flores", type=Path, default=ROOT / "data" / "flores200")
    parser.add_argument("--ntrex", type=Path, help="NTREX-128 directory (optional)")
    args = parser.parse_args()
    flores(args.flores)
    if args.ntrex:
        ntrex(args.ntrex)


if __name__ == "__main__":
    main()
