"""Length ratio: a translation much longer or shorter than its source usually lost or invented text.

The model is Gale and Church's (1993), as songngu's sentence aligner uses it: an English translation
of a Vietnamese sentence of ``l_vi`` characters has about ``c · l_vi`` characters, with a variance
``s² · l_vi`` growing with the length, so

    z = (l_en − c · l_vi) / sqrt(s² · l_vi)

is about normal. ``|z| ≥ 3`` is a warning (too long: a hallucination or repetition; too short: an
omission), ``|z| ≥ 6`` an error. Sources under 20 characters are not judged (a headline, a name).

``c`` and ``s²`` are learned from the desk's own translations when its memory holds enough of them
(:func:`fit_length_model` on the memory's reviewed units, at least :data:`MIN_PAIRS`), and otherwise
are :data:`FLORES_MODEL`: fitted on the FLORES-200 devtest pairs the QA checks were tuned on (lines
1-506; ``scripts/qa_length_model.py`` prints it, and a test checks the constants against the data).
Two numbers ship instead of the data: the wheel carries no corpus.

``c`` is the ratio of total lengths; ``s²`` is robust: the median of ``(l_en − c·l_vi)² / l_vi``
divided by the median of a χ² variable with one degree of freedom (0.4549), so a few misaligned
pairs in a memory do not widen the band for everyone.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from songngu.translate.memory import TranslationMemory, UnitKind
from songngu.translate.qa.base import Check
from songngu.translate.qa.findings import Finding, Severity
from songngu.translate.qa.segment import QaSegment

MIN_PAIRS = 200  # a memory with fewer reviewed units uses the FLORES-200 model
MIN_SOURCE = 20  # characters: shorter sources are not judged
WARNING_Z = 3.0
ERROR_Z = 6.0
_CHI2_MEDIAN = 0.4549364231195724  # median of the χ² distribution with one degree of freedom


@dataclass(frozen=True)
class LengthModel:
    """English characters per Vietnamese character (``ratio``), the variance per character
    (``variance``), and what they were learned from."""

    ratio: float
    variance: float
    pairs: int
    learned_from: str

    def z(self, source_length: int, target_length: int) -> float:
        """How many standard deviations ``target_length`` lies from the expected length."""
        return (target_length - self.ratio * source_length) / math.sqrt(self.variance * source_length)


def fit_length_model(pairs: Iterable[tuple[str, str]], learned_from: str) -> LengthModel:
    """The model of ``(vietnamese, english)`` pairs (empty sides are left out; see the docstring)."""
    lengths = [(len(vi), len(en)) for vi, en in pairs if vi.strip() and en.strip()]
    if not lengths:
        raise ValueError("no pairs to learn a length ratio from")
    ratio = sum(en for _, en in lengths) / sum(vi for vi, _ in lengths)
    residuals = [(en - ratio * vi) ** 2 / vi for vi, en in lengths]
    variance = max(statistics.median(residuals) / _CHI2_MEDIAN, 1e-6)
    return LengthModel(round(ratio, 4), round(variance, 4), len(lengths), learned_from)


# fit_length_model over FLORES-200 devtest lines 1-506 (scripts/qa_length_model.py; tested).
FLORES_MODEL = LengthModel(0.9522, 2.2478, 506, "FLORES-200 devtest, lines 1-506")


def desk_model(pairs: Iterable[tuple[str, str]], learned_from: str) -> LengthModel:
    """The desk's own model when ``pairs`` (its reviewed units) are at least :data:`MIN_PAIRS`, else
    :data:`FLORES_MODEL`."""
    taken = list(pairs)
    if len([p for p in taken if p[0].strip() and p[1].strip()]) < MIN_PAIRS:
        return FLORES_MODEL
    return fit_length_model(taken, learned_from)


class LengthCheck(Check):
    """The target's length is within the usual ratio for its source's length."""

    name = "length"
    family = "length"
    description = "length ratio far from the usual (omissions, hallucinations)"

    def __init__(self, model: LengthModel = FLORES_MODEL) -> None:
        self.model = model

    def applies(self, segment: QaSegment) -> bool:
        """Sources of at least :data:`MIN_SOURCE` characters with a translation."""
        return len(segment.source.strip()) >= MIN_SOURCE and bool(segment.target.strip())

    def inspect(self, segment: QaSegment) -> Iterator[Finding]:
        """One finding when ``|z|`` reaches the warning level."""
        source, target = len(segment.source.strip()), len(segment.target.strip())
        z = self.model.z(source, target)
        if abs(z) < WARNING_Z:
            return
        expected = round(self.model.ratio * source)
        what = "longer" if z > 0 else "shorter"
        hint = "repeated or invented text?" if z > 0 else "something left out?"
        yield self.finding(
            Severity.ERROR if abs(z) >= ERROR_Z else Severity.WARNING,
            f"{target} characters, {what} than the usual {expected} for this source ({z:+.1f} σ): {hint}",
            source=[(0, len(segment.source))],
            target=[(0, len(segment.target))],
        )


def memory_model(memory: TranslationMemory) -> LengthModel:
    """The length model of a translation memory's reviewed units (:func:`desk_model`)."""
    reviewed = ((u.source, u.target) for u in memory.units() if u.kind is UnitKind.REVIEWED)
    return desk_model(reviewed, f"translation memory {memory.path.name}")
