"""Paired bootstrap resampling, exactly as ``sacrebleu --paired-bs`` does it, plus term success rate.

sacrebleu (``sacrebleu.significance._paired_bs_test``, after Koehn 2004 and Moses'
``bootstrap-hypothesis-difference-significance.pl``) draws ``n_samples`` resamples of the sentence
indices with ``numpy.random.default_rng(seed).choice``, recomputes each system's corpus score from
the summed sufficient statistics of every resample, and reports for each system the mean and the
95% confidence half-width of those scores, and for the system against the baseline
p = (#{|Δ_resample| − mean|Δ| > |Δ_actual|} + 1) / (n + 1). ``PairedTest`` takes its seed only from
the ``SACREBLEU_SEED`` environment variable, so the same steps are replicated here with the seed as
an argument (default 12345, sacrebleu's), and the *same* resampled indices are applied to the term
success rate. Tests check the numbers against the command line's ``--paired-bs``.

Where the two systems cannot be told apart at all (the same score on every resample, as two
identical outputs always are), sacrebleu's formula still gives p = 1/(n + 1) = 0.0010: every
centred difference is 0, none exceeds the actual 0, and the +1 smoothing is all that is left. That
reads as a significant difference beside equal scores, so songngu says "no difference" there
(``p_value`` None) instead of a p-value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sacrebleu.metrics.base import Metric
from sacrebleu.significance import estimate_ci

from songngu.translate.evaluate.quality import make_metric

SACREBLEU_SEED = 12345
DEFAULT_SAMPLES = 1000


@dataclass(frozen=True)
class Estimate:
    """A system's actual score, its bootstrap mean and 95% confidence half-width (sacrebleu's ``ci``)."""

    score: float
    mean: float
    ci: float

    @property
    def interval(self) -> tuple[float, float]:
        return (self.mean - self.ci, self.mean + self.ci)

    def to_json(self) -> dict[str, object]:
        return {"score": self.score, "mean": self.mean, "ci": self.ci, "interval": list(self.interval)}


@dataclass(frozen=True)
class Comparison:
    """One metric, the baseline against the system: p-value of the difference being chance.

    ``p_value`` is None when there is no difference to test: the two systems score the same on the
    actual data and on every resample (identical outputs always do).
    """

    metric: str
    baseline: Estimate
    system: Estimate
    p_value: float | None
    signature: str = ""

    @property
    def no_difference(self) -> bool:
        """Whether the systems are indistinguishable on this metric (equal on every resample)."""
        return self.p_value is None

    def p_text(self) -> str:
        """``p = 0.0123``, or ``no difference``: how the command line and the report show it."""
        return "no difference" if self.p_value is None else f"p = {self.p_value:.4f}"

    def to_json(self) -> dict[str, object]:
        return {
            "baseline": self.baseline.to_json(),
            "system": self.system.to_json(),
            "p_value": self.p_value,
            "no_difference": self.no_difference,
            "signature": self.signature,
        }


def resample_indices(n: int, n_samples: int = DEFAULT_SAMPLES, seed: int = SACREBLEU_SEED) -> np.ndarray:
    """The ``(n_samples, n)`` sentence indices of every resample (sacrebleu's draw)."""
    return np.random.default_rng(seed).choice(n, size=(n_samples, n), replace=True)


def _p_value(baseline: np.ndarray, system: np.ndarray, actual_difference: float) -> float | None:
    """sacrebleu's p-value, or None when every difference, actual and resampled, is zero."""
    sample_diffs = np.abs(system - baseline)
    if actual_difference == 0 and not sample_diffs.any():
        return None
    centred = sample_diffs - sample_diffs.mean()
    return (int(np.sum(centred > actual_difference)) + 1) / (len(centred) + 1)


def _metric_comparison(
    key: str,
    baseline: Sequence[str],
    system: Sequence[str],
    references: Sequence[str],
    idxs: np.ndarray,
    seed: int,
) -> Comparison:
    metric = make_metric(key)
    refs = [list(references)]
    # sacrebleu's sufficient statistics per sentence; resampled sums give each resample's corpus score.
    bl_stats = metric._extract_corpus_statistics(list(baseline), refs)
    sys_stats = metric._extract_corpus_statistics(list(system), refs)
    bl_score = metric._aggregate_and_compute(bl_stats).score
    sys_score = metric._aggregate_and_compute(sys_stats).score
    bl_np = np.array(bl_stats, dtype="float32")
    sys_np = np.array(sys_stats, dtype="float32")
    bl_scores = np.array([metric._compute_score_from_stats(s.sum(0)).score for s in bl_np[idxs]])
    sys_scores = np.array([metric._compute_score_from_stats(s.sum(0)).score for s in sys_np[idxs]])
    return Comparison(
        key,
        Estimate(float(bl_score), *map(float, estimate_ci(bl_scores))),
        Estimate(float(sys_score), *map(float, estimate_ci(sys_scores))),
        _p_value(bl_scores, sys_scores, abs(bl_score - sys_score)),
        _signature(metric, len(idxs), seed),
    )


def _signature(metric: Metric, n_samples: int, seed: int) -> str:
    """The signature the command line prints for a paired bootstrap test."""
    signature = metric.get_signature()
    signature.update("seed", str(seed))
    signature.update("bs", n_samples)
    return signature.format()


def _rate_comparison(
    key: str,
    baseline_met: Sequence[int],
    system_met: Sequence[int],
    required: Sequence[int],
    idxs: np.ndarray,
) -> Comparison:
    req = np.asarray(required, dtype=np.int64)
    bl, sy = np.asarray(baseline_met, dtype=np.int64), np.asarray(system_met, dtype=np.int64)

    def rates(met: np.ndarray) -> np.ndarray:
        met_sum, req_sum = met[idxs].sum(1), req[idxs].sum(1)
        # A resample without any term has nothing to miss: rate 1 for both systems alike.
        return np.where(req_sum > 0, met_sum / np.maximum(req_sum, 1), 1.0)

    bl_rate, sy_rate = bl.sum() / req.sum(), sy.sum() / req.sum()
    bl_scores, sy_scores = rates(bl), rates(sy)
    return Comparison(
        key,
        Estimate(float(bl_rate), *map(float, estimate_ci(bl_scores))),
        Estimate(float(sy_rate), *map(float, estimate_ci(sy_scores))),
        _p_value(bl_scores, sy_scores, abs(float(bl_rate) - float(sy_rate))),
    )


def paired_bootstrap(
    baseline: Sequence[str],
    system: Sequence[str],
    references: Sequence[str],
    *,
    metrics: Sequence[str] = ("bleu", "chrf"),
    terms: tuple[Sequence[int], Sequence[int], Sequence[int]] | None = None,
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = SACREBLEU_SEED,
) -> list[Comparison]:
    """Compare ``system`` with ``baseline`` on the same references by paired bootstrap resampling.

    ``terms`` = (baseline met, system met, required) per sentence adds ``term_success_rate``,
    resampled with the very same indices as the metrics.
    """
    if not (len(baseline) == len(system) == len(references)):
        raise ValueError("baseline, system and references must have the same length")
    idxs = resample_indices(len(references), n_samples, seed)
    results = [_metric_comparison(key, baseline, system, references, idxs, seed) for key in metrics]
    if terms is not None and sum(terms[2]) > 0:
        results.append(_rate_comparison("term_success_rate", *terms, idxs))
    return results
