"""Sentence alignment by dynamic programming: Gale–Church lengths plus anchors, paragraphs and MT.

The two texts are sequences of sentences; an alignment is a sequence of **beads**, each taking
``a`` consecutive Vietnamese and ``b`` consecutive English sentences, ``a-b`` one of 1-1, 1-0, 0-1,
2-1, 1-2, 2-2. The best alignment minimises the sum of bead costs (Viterbi over the ``(i, j)``
grid, restricted to a band around the diagonal for long texts). A bead's cost is

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

from songngu.translate.align.anchors import agreement

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
    min_band: int = 40
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
    probability as ``score`` (see :func:`_posteriors`)."""
    n, m = len(vi), len(en)
    priors = {shape: -math.log(p) for shape, p in settings.priors}
    shapes = [shape for shape in BEAD_SHAPES if shape in priors]
    band = max(settings.min_band, 2 * abs(n - m) + 10)
    # costs[(i, j)]: (a, b, cost) of every bead ending at cell (i, j) within the band
    costs: dict[tuple[int, int], list[tuple[int, int, float]]] = {}
    best: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], tuple[int, int, float]] = {}
    for i in range(n + 1):
        centre = int(i * m / n) if n else 0
        for j in range(max(0, centre - band), min(m, centre + band) + 1):
            if i == 0 and j == 0:
                continue
            incoming = []
            for a, b in shapes:
                if a <= i and b <= j and (i - a, j - b) in best:
                    cost = priors[(a, b)] + bead_cost(vi, en, i - a, i, j - b, j, settings, mt)
                    incoming.append((a, b, cost))
            if incoming:
                costs[(i, j)] = incoming
                a, b, cost = min(incoming, key=lambda item: best[(i - item[0], j - item[1])] + item[2])
                best[(i, j)] = best[(i - a, j - b)] + cost
                back[(i, j)] = (a, b, cost)
    if (n, m) not in best:
        raise ValueError("no alignment within the band")  # cannot happen: 1-0 and 0-1 reach every cell
    path: list[tuple[int, int, int, int, float]] = []
    i, j = n, m
    while i or j:
        a, b, cost = back[(i, j)]
        path.append((i - a, i, j - b, j, cost))
        i, j = i - a, j - b
    path.reverse()
    posterior = _posteriors(costs, n, m, settings.temperature)
    return [
        Bead(i0, i1, j0, j1, cost, round(posterior(i0, i1, j0, j1, cost), 4)) for i0, i1, j0, j1, cost in path
    ]


def _posteriors(
    costs: dict[tuple[int, int], list[tuple[int, int, float]]], n: int, m: int, temperature: float
) -> Callable[[int, int, int, int, float], float]:
    """P(bead) under the distribution over all alignments ``∝ exp(-total cost / T)`` (forward–backward
    in log space over the same beads as the search): the bead's confidence. A bead that every
    nearly-as-cheap alignment shares scores near 1; one the search chose over close rivals scores low."""
    forward: dict[tuple[int, int], float] = {(0, 0): 0.0}
    for cell in sorted(costs):
        i, j = cell
        forward[cell] = _log_sum([forward[(i - a, j - b)] - cost / temperature for a, b, cost in costs[cell]])
    backward: dict[tuple[int, int], float] = {(n, m): 0.0}
    for cell in sorted(costs, reverse=True):
        if cell not in backward:
            continue
        i, j = cell
        for a, b, cost in costs[cell]:
            start = (i - a, j - b)
            term = backward[cell] - cost / temperature
            backward[start] = _log_sum([backward[start], term]) if start in backward else term
    total = forward[(n, m)]

    def posterior(i0: int, i1: int, j0: int, j1: int, cost: float) -> float:
        return math.exp(min(0.0, forward[(i0, j0)] - cost / temperature + backward[(i1, j1)] - total))

    return posterior


def _log_sum(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(value - top) for value in values))


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
    l_vi = sum(s.length for s in vi_side)
    l_en = sum(s.length for s in en_side)
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
