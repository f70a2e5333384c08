"""The MT-assisted bead score (as bleualign): chrF of the Vietnamese side's machine translation
against the English side.

The Vietnamese sentences are translated once; a bead's MT text is its sentences' translations
joined by a space. chrF (sacrebleu's sentence chrF, character 6-grams, β = 2) is robust to the
short segments and word-order changes of a bead, where sentence BLEU is mostly zero.
"""

from __future__ import annotations

from collections.abc import Sequence

from sacrebleu.metrics.chrf import CHRF


class MtScorer:
    """``scorer(vi_range, en_range)`` → chrF / 100 of the bead, computed once per bead."""

    def __init__(self, translations: Sequence[str], english: Sequence[str]) -> None:
        self._translations = list(translations)
        self._english = list(english)
        self._chrf = CHRF()
        self._cache: dict[tuple[int, int, int, int], float] = {}

    def __call__(self, vi: range, en: range) -> float:
        key = (vi.start, vi.stop, en.start, en.stop)
        if key not in self._cache:
            hypothesis = " ".join(self._translations[i] for i in vi)
            reference = " ".join(self._english[j] for j in en)
            self._cache[key] = self._chrf.sentence_score(hypothesis, [reference]).score / 100
        return self._cache[key]
