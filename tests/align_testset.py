"""An alignment test set derived from a line-aligned, document-aligned corpus, and link F1.

NTREX-128 (and FLORES-200) give each article's sentences line by line in Vietnamese and English.
Real archives are not that tidy, so each article is turned into a pair of running texts the way a
desk would publish them, with a fixed seed:

1. **paragraphs**: the first line (the headline) alone, then paragraphs of 1 to 4 lines, the same
   on both sides (translations keep their paragraphs); lines joined by a space, paragraphs by a
   blank line;
2. **drops**: each line is left out of one side, chosen at random, with probability ``drop``
   (a sentence the translator skipped or added);
3. **merges**: a line ending in a period is joined to the next line of its paragraph on one side
   with probability ``merge``, its period replaced by a semicolon (a translator's 2-1 or 1-2).

Lines that hold more than one sentence on either side (by songngu's own segmenters) are left out
first: how their sentences pair up inside the line is not known, so they cannot give gold links.
Gold links come from the lines: after segmenting both texts as the aligner does, a Vietnamese and
an English sentence are linked when they hold text of the same original line. A predicted bead
links each of its Vietnamese sentences to each of its English ones; precision, recall and F1 are
over those links (the "strict" measure of vecalign's evaluation). Used by tests/test_align.py and
benchmarks/bench_align.py.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from songngu.translate.records import Segment
from songngu.translate.segment import segment_article, split_sentences

ROOT = Path(__file__).resolve().parent.parent
NTREX = ROOT / "data" / "ntrex128"
FLORES = ROOT / "data" / "flores200"


@dataclass(frozen=True)
class DerivedPair:
    """One article as two running texts, their segments, and the gold sentence links."""

    name: str
    vi_text: str
    en_text: str
    vi: list[Segment]
    en: list[Segment]
    gold: frozenset[tuple[int, int]]


@dataclass(frozen=True)
class LinkScore:
    """Precision, recall and F1 over sentence links."""

    precision: float
    recall: float
    f1: float
    gold: int


def read_corpus(corpus: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """``(document id, [(vi line, en line), ...])`` for "ntrex" or "flores" (documents in order),
    lines holding more than one sentence on either side left out."""
    if corpus == "ntrex":
        vi = (NTREX / "newstest2019-ref.vie.txt").read_text("utf-8").splitlines()
        en = (NTREX / "newstest2019-src.eng.txt").read_text("utf-8").splitlines()
        keys = (NTREX / "DOCUMENT_IDS.tsv").read_text("utf-8").splitlines()
    else:
        vi = (FLORES / "vie_Latn.devtest").read_text("utf-8").splitlines()
        en = (FLORES / "eng_Latn.devtest").read_text("utf-8").splitlines()
        rows = (FLORES / "metadata_devtest.tsv").read_text("utf-8").splitlines()[1:]
        keys = [row.split("\t")[0] for row in rows]
    documents: list[tuple[str, list[tuple[str, str]]]] = []
    for key, v, e in zip(keys, vi, en, strict=True):
        if not documents or documents[-1][0] != key:  # a new document
            documents.append((key, []))
        v, e = v.strip(), e.strip()
        if len(split_sentences(v, "vi")) == 1 and len(split_sentences(e, "en")) == 1:
            documents[-1][1].append((v, e))
    return documents


def derive(
    documents: Sequence[tuple[str, list[tuple[str, str]]]],
    *,
    seed: int = 12,
    drop: float = 0.06,
    merge: float = 0.06,
    drop_side: int | None = None,
) -> list[DerivedPair]:
    """The derived article pairs (see the module docstring), deterministic for a seed.

    ``drop_side`` 0 or 1 drops lines from the Vietnamese or the English side only (an abridged
    translation: ``drop_side=1, drop=0.5`` leaves half the Vietnamese sentences without English)."""
    pairs = []
    for number, (key, lines) in enumerate(documents):
        rng = random.Random(f"{seed}:{number}")
        paragraphs = _paragraphs(len(lines), rng)
        keep = [[True, True] for _ in lines]
        for k in range(len(lines)):
            if rng.random() < drop:
                keep[k][rng.randrange(2) if drop_side is None else drop_side] = False
        joined = [[False, False] for _ in lines]  # line k joined to line k+1 on that side
        for paragraph in paragraphs:
            for k in paragraph[:-1]:
                if rng.random() < merge:
                    joined[k][rng.randrange(2)] = True
        vi_text, vi_spans = _layout(
            [v for v, _ in lines], paragraphs, [k[0] for k in keep], [j[0] for j in joined]
        )
        en_text, en_spans = _layout(
            [e for _, e in lines], paragraphs, [k[1] for k in keep], [j[1] for j in joined]
        )
        name = f"{number:03d}_{key.replace('/', '_')[-40:]}"
        vi = segment_article(vi_text, name, "vi")
        en = segment_article(en_text, name, "en")
        vi_lines = _lines_of(vi, vi_spans)
        en_lines = _lines_of(en, en_spans)
        # Linked when they share an original line (found through the lines, not by comparing every
        # pair of sentences: a long document has millions of pairs).
        en_of_line: dict[int, list[int]] = {}
        for j, held in enumerate(en_lines):
            for k in held:
                en_of_line.setdefault(k, []).append(j)
        gold = frozenset(
            (i, j) for i, held in enumerate(vi_lines) for k in held for j in en_of_line.get(k, ())
        )
        pairs.append(DerivedPair(name, vi_text, en_text, vi, en, gold))
    return pairs


def long_document(corpus: str, lines: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """One document of ``lines`` lines, the corpus's documents one after another (repeated from the
    start as often as needed): an article pair as long as a report or a book, for scale."""
    pool = [line for _, document in read_corpus(corpus) for line in document]
    return [("long", [pool[k % len(pool)] for k in range(lines)])]


def score_links(
    predicted: Sequence[set[tuple[int, int]]], gold: Sequence[frozenset[tuple[int, int]]]
) -> LinkScore:
    """Link precision, recall and F1 over all articles (micro-averaged)."""
    hits = sum(len(p & g) for p, g in zip(predicted, gold, strict=True))
    n_predicted = sum(len(p) for p in predicted)
    n_gold = sum(len(g) for g in gold)
    precision = hits / n_predicted if n_predicted else 0.0
    recall = hits / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return LinkScore(precision, recall, f1, n_gold)


def evaluate(
    pairs: Sequence[DerivedPair], aligner: Callable[[DerivedPair], set[tuple[int, int]]]
) -> LinkScore:
    """Run ``aligner`` (pair -> predicted links) over every pair and score it."""
    return score_links([aligner(pair) for pair in pairs], [pair.gold for pair in pairs])


def _paragraphs(n: int, rng: random.Random) -> list[list[int]]:
    paragraphs = [[0]] if n else []
    k = 1
    while k < n:
        size = rng.randint(1, 4)
        paragraphs.append(list(range(k, min(n, k + size))))
        k += size
    return paragraphs


def _layout(
    lines: Sequence[str], paragraphs: Sequence[Sequence[int]], keep: Sequence[bool], joined: Sequence[bool]
) -> tuple[str, dict[int, tuple[int, int]]]:
    """The running text of one side and the span of each original line in it."""
    text: list[str] = []
    spans: dict[int, tuple[int, int]] = {}
    length = 0
    for paragraph in paragraphs:
        kept = [k for k in paragraph if keep[k] and lines[k]]
        if not kept:
            continue
        if text:
            text.append("\n\n")
            length += 2
        for position, k in enumerate(kept):
            line = lines[k]
            last = position == len(kept) - 1
            if joined[k] and not last and line.endswith(".") and not line.endswith(".."):
                line = line[:-1] + ";"
                separator = " "
            else:
                separator = "" if last else " "
            spans[k] = (length, length + len(line))
            text.append(line + separator)
            length += len(line) + len(separator)
    return "".join(text), spans


def _lines_of(segments: Sequence[Segment], spans: dict[int, tuple[int, int]]) -> list[set[int]]:
    """For each segment, the original lines whose text it holds (spans in text order, so a
    segment's lines are found by bisection: a long document is not compared line by line)."""
    ordered = sorted(spans.items(), key=lambda item: item[1])
    starts = [start for _, (start, _) in ordered]
    found = []
    for segment in segments:
        first = max(0, bisect.bisect_right(starts, segment.start) - 1)
        lines = set()
        for k, (start, end) in ordered[first:]:
            if start >= segment.end:
                break
            if segment.start < end:
                lines.add(k)
        found.append(lines)
    return found
