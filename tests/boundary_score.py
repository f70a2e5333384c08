"""Scoring sentence segmentation against known sentence boundaries in line-aligned corpora.

A corpus gives one sentence per line and, per line, the article it belongs to (FLORES-200: the URL;
NTREX-128: the document id). Each article's lines are joined with single spaces into one paragraph,
segmented, and the predicted sentence starts are compared with the gold ones: every line boundary,
plus any hand-checked boundaries inside lines that hold more than one sentence. Used by
tests/test_segment.py and benchmarks/bench_segment.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

Article = list[tuple[int, str]]  # (1-based line number, text) of each line
SENTENCE_FINAL = tuple(".!?…”\"'’»)")


def group_articles(lines: Sequence[str], keys: Sequence[str]) -> list[Article]:
    """Consecutive lines with the same key form one article."""
    articles: list[Article] = []
    previous = None
    for number, (line, key) in enumerate(zip(lines, keys, strict=True), start=1):
        if key != previous:
            articles.append([])
            previous = key
        articles[-1].append((number, line))
    return articles


def read_internal_boundaries(table: Path) -> dict[int, set[int]]:
    """Sentence starts inside lines (TSV ``line<TAB>offset…``, header first), by line number."""
    rows = table.read_text(encoding="utf-8").splitlines()
    assert rows[0].split("\t")[:2] == ["line", "offset"], f"{table}: unexpected header"
    boundaries: dict[int, set[int]] = {}
    for row in rows[1:]:
        line, offset = row.split("\t")[:2]
        boundaries.setdefault(int(line), set()).add(int(offset))
    return boundaries


@dataclass(frozen=True)
class BoundaryScore:
    """Boundary precision/recall/F1, and recall on subsets of the gold boundaries."""

    precision: float
    recall: float
    f1: float
    gold: int
    line_recall: float  # of line boundaries only
    punctuated_recall: float  # of line boundaries after sentence-final punctuation
    sentences: int


def score_boundaries(
    articles: Sequence[Article],
    internal: dict[int, set[int]],
    split: Callable[[str], list[tuple[int, int]]],
) -> BoundaryScore:
    """Join each article's lines, split it with ``split`` and score the predicted sentence starts."""
    gold: set[tuple[int, int]] = set()
    lines: set[tuple[int, int]] = set()
    punctuated: set[tuple[int, int]] = set()
    predicted: set[tuple[int, int]] = set()
    sentences = 0
    for number, article in enumerate(articles):
        spans = split(" ".join(line for _, line in article))
        sentences += len(spans)
        predicted.update((number, start) for start, _ in spans[1:])
        offset = 0
        for index, (line_number, line) in enumerate(article):
            if index:
                lines.add((number, offset))
                if article[index - 1][1].rstrip().endswith(SENTENCE_FINAL):
                    punctuated.add((number, offset))
            gold.update((number, offset + inner) for inner in internal.get(line_number, ()))
            offset += len(line) + 1
    gold |= lines
    hits = len(gold & predicted)
    precision, recall = hits / len(predicted), hits / len(gold)
    return BoundaryScore(
        precision=precision,
        recall=recall,
        f1=2 * precision * recall / (precision + recall),
        gold=len(gold),
        line_recall=len(lines & predicted) / len(lines),
        punctuated_recall=len(punctuated & predicted) / len(punctuated),
        sentences=sentences,
    )
