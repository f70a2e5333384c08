"""Sentence alignment by dynamic programming: Gale–Church lengths plus anchors, paragraphs and MT.

The two texts are sequences of sentences; an alignment is a sequence of **beads**, each taking
``a`` consecutive Vietnamese and ``b`` consecutive English sentences, ``a-b`` one of 1-1, 1-0, 0-1,
2-1, 1-2, 2-2. The best alignment minimises the sum of bead costs (Viterbi over the ``(i, j)``
grid: all of it for short texts; for long ones coarse to fine, in a corridor around the path of the
texts halved, :func:`align` and :mod:`translate.align.search`). A bead's cost is

- **length** (Gale & Church, 1993): ``-log P(kind) - log 2(1 - Φ(|δ|))``, with
  ``δ = (l_en - c·l_vi) / sqrt(s²·(l_vi + l_en/c)/2)`` (the symmetric mean of NLTK's version),
  ``l`` in characters. A sentence left unaligned (1-0, 0-1) costs its prior only: its length
  says nothing about whether it was translated, and the length term would make every skip look
  like a very long mistranslation (the plain Gale–Church baseline keeps it, as published).
  ``c`` and ``s²`` were estimated on FLORES-200 devtest (never on the NTREX-derived set the
  aligner is measured on);
- **anchors** (:mod:`translate.align.anchors`): ``-w_shared·shared + w_unshared·unshared`` over the
  bead's merged anchors: numbers and dates, acronyms, Latin-script names and glossary terms;
- **paragraphs**: a bead that starts a paragraph on one side only, or that joins sentences of two
  paragraphs on one side, pays ``paragraph_penalty`` (translations keep their paragraphs);
- **MT** (optional, as bleualign): ``-w_mt·(chrF(MT(vi), en)/100 - mt_baseline)``, chrF of the
  machine translation of the Vietnamese side against the English side.

:func:`gale_church` is the plain baseline: length and the published priors only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from songngu.translate.align.anchors import agreement
from songngu.translate.align.search import (
    IntVector,
    Lattice,
    Matrix,
    Shape,
    Vector,
    corridor,
    full_region,
    posteriors,
    viterbi,
)

# (Vietnamese sentences, English sentences) a bead may take.
BEAD_SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2))
# Gale & Church (1993), table 5.
GALE_CHURCH_PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.89,
    (1, 0): 0.0099 / 2,
    (0, 1): 0.0099 / 2,
    (2, 1): 0.089 / 2,
    (1, 2): 0.089 / 2,
    (2, 2): 0.011,
}


@dataclass(frozen=True)
class SentenceInfo:
    """What the aligner knows of one sentence: its length in characters, its anchors, and whether
    it opens a paragraph (and which)."""

    length: int
    anchors: Counter[str] = field(default_factory=Counter, compare=False)
    paragraph: int = 1
    opens_paragraph: bool = False


@dataclass(frozen=True)
class AlignmentSettings:
    """The weights of the bead cost (see the module docstring).

    Defaults were chosen on a FLORES-200-derived development set (``benchmarks/bench_align.py
    --tune``), then measured on the NTREX-128-derived test set.
    """

    ratio: float = 0.95  # c: English characters per Vietnamese character
    variance: float = 2.7  # s²
    priors: tuple[tuple[tuple[int, int], float], ...] = (
        ((1, 1), 0.89),
        ((1, 0), 0.01),
        ((0, 1), 0.01),
        ((2, 1), 0.04),
        ((1, 2), 0.04),
        ((2, 2), 0.01),
    )
    shared_weight: float = 3.0
    unshared_weight: float = 1.0
    paragraph_penalty: float = 4.0
    use_anchors: bool = True
    use_paragraphs: bool = True
    length_on_skips: bool = False  # Gale–Church's length cost on 1-0 and 0-1 beads too
    mt_weight: float = 12.0
    mt_baseline: float = 0.3
    # Grids of up to this many cells are searched whole (a 150 × 150-sentence pair); longer texts
    # coarse to fine, in a corridor of ``window`` sentences either side of the coarser path.
    full_dp_cells: int = 150 * 150
    window: int = 8
    temperature: float = 1.0  # of the posterior that scores beads


DEFAULT_SETTINGS = AlignmentSettings()
GALE_CHURCH = AlignmentSettings(
    priors=tuple(GALE_CHURCH_PRIORS.items()), use_anchors=False, use_paragraphs=False, length_on_skips=True
)

MtSimilarity = Callable[[range, range], float]  # (vi sentence range, en sentence range) -> 0..1


@dataclass(frozen=True)
class Bead:
    """Vietnamese sentences ``vi_start:vi_end`` aligned to English ``en_start:en_end``.

    ``cost`` is the bead's cost in the search; ``score`` its confidence in [0, 1]: the posterior
    probability that the alignment holds this bead.
    """

    vi_start: int
    vi_end: int
    en_start: int
    en_end: int
    cost: float
    score: float

    @property
    def kind(self) -> str:
        """ "1-1", "2-1", "0-1", ...: how many sentences each side takes."""
        return f"{self.vi_end - self.vi_start}-{self.en_end - self.en_start}"

    @property
    def links(self) -> set[tuple[int, int]]:
        """Every (Vietnamese, English) sentence pair the bead aligns."""
        return {(i, j) for i in range(self.vi_start, self.vi_end) for j in range(self.en_start, self.en_end)}


def align(
    vi: Sequence[SentenceInfo],
    en: Sequence[SentenceInfo],
    settings: AlignmentSettings = DEFAULT_SETTINGS,
    mt: MtSimilarity | None = None,
) -> list[Bead]:
    """The least-cost sequence of beads covering both texts, in order, each with its posterior
    probability as ``score`` (forward–backward over the searched cells).

    Texts of up to ``settings.full_dp_cells`` grid cells are searched whole. Longer ones are
    searched coarse to fine, as vecalign does: both texts are halved (neighbouring sentences merged)
    until the grid is that small, the whole coarse grid is searched, and each finer level searches
    only a corridor of ``settings.window`` sentences around the path found at the level above
    (:mod:`translate.align.search`). Time and memory grow with the texts' length, not its square.
    """
    lattice = _search(list(vi), list(en), settings, mt)
    posterior = posteriors(lattice, settings.temperature)
    return [
        Bead(i0, i1, j0, j1, cost, round(posterior(i0, j0, i1, j1, cost), 4))
        for i0, i1, j0, j1, cost in lattice.path()
    ]


def _search(
    vi: list[SentenceInfo], en: list[SentenceInfo], settings: AlignmentSettings, mt: MtSimilarity | None
) -> Lattice:
    """Viterbi over the whole grid when it is small, else over a corridor around the path of the
    texts halved (recursively)."""
    n, m = len(vi), len(en)
    if (n + 1) * (m + 1) <= settings.full_dp_cells or (n <= 1 and m <= 1):
        lo, hi = full_region(n, m)
    else:
        coarse_vi, vi_starts = _halved(vi)
        coarse_en, en_starts = _halved(en)
        coarse_mt = None if mt is None else _coarse_mt(mt, vi_starts, en_starts)
        coarse = _search(coarse_vi, coarse_en, settings, coarse_mt).path()
        fine = [(vi_starts[i0], vi_starts[i1], en_starts[j0], en_starts[j1]) for i0, i1, j0, j1, _ in coarse]
        lo, hi = corridor(fine, n, m, settings.window)
    costs = BeadCosts(vi, en, settings, mt)
    return viterbi(n, m, costs.shapes, lo, hi, costs)


def _halved(sentences: Sequence[SentenceInfo]) -> tuple[list[SentenceInfo], list[int]]:
    """Neighbouring sentences merged two by two (lengths and anchors added, the first's paragraph),
    and where each merged sentence starts in ``sentences`` (with the end as the last entry)."""
    merged: list[SentenceInfo] = []
    starts: list[int] = []
    for k in range(0, len(sentences), 2):
        pair = sentences[k : k + 2]
        merged.append(
            SentenceInfo(
                sum(s.length for s in pair), _merged(pair), pair[0].paragraph, pair[0].opens_paragraph
            )
        )
        starts.append(k)
    starts.append(len(sentences))
    return merged, starts


def _coarse_mt(mt: MtSimilarity, vi_starts: Sequence[int], en_starts: Sequence[int]) -> MtSimilarity:
    """The MT similarity of merged sentences: that of the sentences they merge."""

    def similarity(vi: range, en: range) -> float:
        return mt(
            range(vi_starts[vi.start], vi_starts[vi.stop]), range(en_starts[en.start], en_starts[en.stop])
        )

    return similarity


class BeadCosts:
    """The costs of beads ending at many cells at once, a ``[shape, cell]`` matrix: the prior plus
    :func:`bead_cost`, the same arithmetic in the same order on the same floats (tested equal), with
    what it needs computed once per text (prefix sums of lengths, the anchors of every one- and
    two-sentence span, paragraph openings).

    A search over hundreds of thousands of cells spends its time here: NumPy does the lengths,
    anchor counts and paragraphs of every cell at once; Python only what is per cell by nature
    (``math.erfc``, the anchors both sides of a bead hold, the MT score)."""

    def __init__(
        self,
        vi: Sequence[SentenceInfo],
        en: Sequence[SentenceInfo],
        settings: AlignmentSettings,
        mt: MtSimilarity | None = None,
    ) -> None:
        self.settings = settings
        self.mt = mt
        priors = dict(settings.priors)
        self.shapes = [shape for shape in BEAD_SHAPES if shape in priors]
        self.prior_cost = {shape: -math.log(priors[shape]) for shape in self.shapes}
        self.sides = (_Side(vi), _Side(en))

    def __call__(self, rows: IntVector, columns: IntVector) -> Matrix:
        """The cost of each shape's bead ending at each cell ``(rows[x], columns[x])``."""
        return np.vstack([self.of_shape(shape, rows, columns) for shape in self.shapes])

    def of_shape(self, shape: Shape, rows: IntVector, columns: IntVector) -> Vector:
        """The cost of the bead of ``shape`` ending at each cell (anything where it would start
        outside the grid)."""
        settings = self.settings
        vi, en = self.sides
        a, b = shape
        starts = (np.maximum(rows - a, 0), np.maximum(columns - b, 0))
        cost = np.zeros(len(rows))
        if (a and b) or settings.length_on_skips:
            l_vi = vi.length[rows] - vi.length[starts[0]]
            l_en = en.length[columns] - en.length[starts[1]]
            mean = (l_vi + l_en / settings.ratio) / 2
            with np.errstate(divide="ignore", invalid="ignore"):
                delta = np.where(
                    mean == 0, 0.0, (l_en - settings.ratio * l_vi) / np.sqrt(settings.variance * mean)
                )
            scale = math.sqrt(2)
            cost -= np.array([math.log(max(math.erfc(abs(d) / scale), 1e-12)) for d in delta.tolist()])
        if settings.use_anchors:
            vi_count, en_count = vi.anchor_count(a, starts[0]), en.anchor_count(b, starts[1])
            shared = np.zeros(len(rows), dtype=np.int64)
            both = np.flatnonzero((vi_count > 0) & (en_count > 0))
            if len(both):
                vi_spans, en_spans = vi.spans[a], en.spans[b]
                for x, i0, j0 in zip(
                    both.tolist(), starts[0][both].tolist(), starts[1][both].tolist(), strict=True
                ):
                    vi_keys, en_keys = vi_spans[i0][0], en_spans[j0][0]
                    common = vi_keys.keys() & en_keys.keys()  # agreement's shared, on the common keys only
                    if common:
                        shared[x] = sum(min(vi_keys[key], en_keys[key]) for key in common)
            unshared = vi_count + en_count - 2 * shared
            cost += settings.unshared_weight * unshared - settings.shared_weight * shared
        if settings.use_paragraphs:
            breaches = np.zeros(len(rows), dtype=np.int64)
            if a and b:
                breaches += vi.opens_at(starts[0]) != en.opens_at(starts[1])
            if a == 2:
                breaches += vi.opens_at(rows - 1)
            if b == 2:
                breaches += en.opens_at(columns - 1)
            cost += settings.paragraph_penalty * breaches
        if self.mt is not None and a and b:
            similarity = np.array(
                [
                    self.mt(range(i0, i0 + a), range(j0, j0 + b))
                    for i0, j0 in zip(starts[0].tolist(), starts[1].tolist(), strict=True)
                ]
            )
            cost -= settings.mt_weight * (similarity - settings.mt_baseline)
        with_prior: Vector = self.prior_cost[shape] + cost
        return with_prior


class _Side:
    """What bead costs need of one text, computed once: prefix sums of the lengths, the anchors of
    every span of one and two sentences (by start) with their counts, paragraph openings."""

    def __init__(self, sentences: Sequence[SentenceInfo]) -> None:
        self.length = np.array(_prefix_sums(sentences), dtype=np.int64)
        self.spans = _span_anchors(sentences)
        self.counts = {
            size: np.array([count for _, count in spans] or [0], dtype=np.int64)
            for size, spans in self.spans.items()
        }
        self.opens = np.array([s.opens_paragraph for s in sentences] or [False], dtype=bool)

    def anchor_count(self, size: int, starts: IntVector) -> IntVector:
        """How many anchors the span of ``size`` sentences from each start holds (0 for size 0)."""
        if size == 0:
            return np.zeros(len(starts), dtype=np.int64)
        counts = self.counts[size]
        found: IntVector = counts[np.minimum(starts, len(counts) - 1)]
        return found

    def opens_at(self, positions: IntVector) -> npt.NDArray[np.bool_]:
        """Whether the sentence at each position opens a paragraph (positions clipped to the text)."""
        opened: npt.NDArray[np.bool_] = self.opens[np.clip(positions, 0, len(self.opens) - 1)]
        return opened


_NO_ANCHORS: tuple[Counter[str], int] = (Counter(), 0)


def _prefix_sums(side: Sequence[SentenceInfo]) -> list[int]:
    sums = [0]
    for sentence in side:
        sums.append(sums[-1] + sentence.length)
    return sums


def _span_anchors(side: Sequence[SentenceInfo]) -> dict[int, list[tuple[Counter[str], int]]]:
    """For spans of 1 and 2 sentences, by start: the span's merged anchors and how many there are."""
    spans: dict[int, list[tuple[Counter[str], int]]] = {}
    for size in (1, 2):
        spans[size] = []
        for start in range(len(side) - size + 1):
            merged = _merged(side[start : start + size])
            spans[size].append((merged, sum(merged.values())))
    return spans


def gale_church(vi_lengths: Sequence[int], en_lengths: Sequence[int]) -> list[Bead]:
    """The plain Gale–Church alignment of two sequences of sentence lengths (characters)."""
    return align(
        [SentenceInfo(length) for length in vi_lengths],
        [SentenceInfo(length) for length in en_lengths],
        GALE_CHURCH,
    )


def bead_cost(
    vi: Sequence[SentenceInfo],
    en: Sequence[SentenceInfo],
    vi_start: int,
    vi_end: int,
    en_start: int,
    en_end: int,
    settings: AlignmentSettings,
    mt: MtSimilarity | None = None,
) -> float:
    """The cost of one bead, its prior left out (see the module docstring)."""
    vi_side, en_side = vi[vi_start:vi_end], en[en_start:en_end]
    cost = 0.0
    if (vi_side and en_side) or settings.length_on_skips:
        cost -= math.log(max(length_probability(vi_side, en_side, settings), 1e-12))
    if settings.use_anchors:
        shared, unshared = agreement(_merged(vi_side), _merged(en_side))
        cost += settings.unshared_weight * unshared - settings.shared_weight * shared
    if settings.use_paragraphs:
        cost += settings.paragraph_penalty * _paragraph_breaches(vi_side, en_side)
    if mt is not None and vi_side and en_side:
        similarity = mt(range(vi_start, vi_end), range(en_start, en_end))
        cost -= settings.mt_weight * (similarity - settings.mt_baseline)
    return cost


def length_probability(
    vi_side: Sequence[SentenceInfo], en_side: Sequence[SentenceInfo], settings: AlignmentSettings
) -> float:
    """Gale–Church's ``2(1 - Φ(|δ|))``: how likely the two lengths are translations of each other."""
    return _length_probability(sum(s.length for s in vi_side), sum(s.length for s in en_side), settings)


def _length_probability(l_vi: int, l_en: int, settings: AlignmentSettings) -> float:
    mean = (l_vi + l_en / settings.ratio) / 2
    if mean == 0:
        return 1.0
    delta = (l_en - settings.ratio * l_vi) / math.sqrt(settings.variance * mean)
    return math.erfc(abs(delta) / math.sqrt(2))  # = 2 (1 - Φ(|δ|))


def _merged(side: Sequence[SentenceInfo]) -> Counter[str]:
    if len(side) == 1:
        return side[0].anchors
    merged: Counter[str] = Counter()
    for sentence in side:
        merged.update(sentence.anchors)
    return merged


def _paragraph_breaches(vi_side: Sequence[SentenceInfo], en_side: Sequence[SentenceInfo]) -> int:
    """How many paragraph rules the bead breaks: it opens a paragraph on one side only; it joins
    sentences of different paragraphs on a side."""
    breaches = 0
    if vi_side and en_side and vi_side[0].opens_paragraph != en_side[0].opens_paragraph:
        breaches += 1
    for side in (vi_side, en_side):
        if len(side) > 1 and any(s.opens_paragraph for s in side[1:]):
            breaches += 1
    return breaches
