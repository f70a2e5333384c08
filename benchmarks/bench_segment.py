"""Sentence segmentation measured on real news text: boundary precision/recall/F1 and throughput.

    .venv/bin/python benchmarks/bench_segment.py [--flores DIR] [--ntrex DIR]

Both languages: Vietnamese with songngu's Vietnamese rules, English (the other side of the same
corpora) with ``language="en"``.

FLORES-200 devtest (default: data/flores200): lines grouped into articles by URL; gold = line
boundaries plus the hand-checked boundaries inside multi-sentence lines. NTREX-128 (optional, e.g.
../shared/data/ntrex128): lines grouped by DOCUMENT_IDS.tsv; gold = line boundaries only. NTREX
articles begin with headlines that have no final punctuation, so its recall is also given for the
boundaries that follow sentence-final punctuation, the ones a punctuation-based splitter can see.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from songngu.textfile import read_text
from songngu.translate.segment import Language, split_sentences

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from boundary_score import group_articles, read_internal_boundaries, score_boundaries  # noqa: E402


def _report(
    label: str, lines: list[str], keys: list[str], internal: dict[int, set[int]], language: Language = "vi"
) -> None:
    articles = group_articles(lines, keys)
    characters = sum(len(line) for line in lines)
    started = time.perf_counter()
    score = score_boundaries(articles, internal, lambda paragraph: split_sentences(paragraph, language))
    elapsed = time.perf_counter() - started
    print(
        f"{label}: {len(articles)} articles, {score.gold} gold boundaries; precision {score.precision:.4f} "
        f"recall {score.recall:.4f} F1 {score.f1:.4f}; recall after final punctuation "
        f"{score.punctuated_recall:.4f}; {score.sentences / elapsed:,.0f} sentences/s, "
        f"{characters / elapsed / 1e6:.2f} M chars/s (scoring included)"
    )


def flores(directory: Path) -> None:
    """Score FLORES-200 devtest Vietnamese."""
    lines = read_text(directory / "vie_Latn.devtest").splitlines()
    urls = [row.split("\t")[0] for row in read_text(directory / "metadata_devtest.tsv").splitlines()[1:]]
    table = directory / "vie_Latn.devtest.internal_boundaries.tsv"
    internal = read_internal_boundaries(table) if table.exists() else {}
    _report("FLORES-200 devtest vie", lines, urls, internal)
    english = read_text(directory / "eng_Latn.devtest").splitlines()
    english_table = directory / "eng_Latn.devtest.internal_boundaries.tsv"
    english_internal = read_internal_boundaries(english_table) if english_table.exists() else {}
    _report("FLORES-200 devtest eng", english, urls, english_internal, "en")


def ntrex(directory: Path) -> None:
    """Score NTREX-128 (newstest2019) Vietnamese references."""
    lines = read_text(directory / "newstest2019-ref.vie.txt").splitlines()
    documents = read_text(directory / "DOCUMENT_IDS.tsv").splitlines()
    _report("NTREX-128 newstest2019 vie", lines, documents, {})
    english = read_text(directory / "newstest2019-src.eng.txt").splitlines()
    _report("NTREX-128 newstest2019 eng", english, documents, {}, "en")


def main() -> None:
    """Parse arguments and print one line per corpus."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--flores", type=Path, default=ROOT / "data" / "flores200")
    parser.add_argument("--ntrex", type=Path, default=ROOT / "data" / "ntrex128", help="NTREX-128 directory")
    args = parser.parse_args()
    flores(args.flores)
    if args.ntrex:
        ntrex(args.ntrex)


if __name__ == "__main__":
    main()
