"""Translation quality through sacrebleu's Python API: BLEU, chrF, chrF++ and TER, with signatures.

The metrics are built with sacrebleu's defaults, the same the ``sacrebleu`` command line uses, so
``sacrebleu REF -i HYP -m bleu chrf ter`` prints the same numbers (chrF++ is ``--chrf-word-order 2``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.metrics.base import Metric

# Our JSON keys, in report order; each makes a fresh metric (a metric caches its references).
METRICS: dict[str, Callable[[], Metric]] = {
    "bleu": BLEU,
    "chrf": CHRF,
    "chrf++": lambda: CHRF(word_order=2),
    "ter": TER,
}
HIGHER_IS_BETTER = {"bleu": True, "chrf": True, "chrf++": True, "ter": False, "hter": False}


@dataclass(frozen=True)
class MetricScore:
    """A corpus score with what produced it: ``signature`` is sacrebleu's, ``text`` its usual line."""

    metric: str
    score: float
    signature: str
    text: str

    def to_json(self) -> dict[str, object]:
        return {"score": self.score, "signature": self.signature}


def make_metric(name: str) -> Metric:
    """A fresh sacrebleu metric for one of :data:`METRICS`' keys."""
    return METRICS[name]()


def corpus_score(
    metric: Metric, key: str, hypotheses: Sequence[str], references: Sequence[str]
) -> MetricScore:
    """Score ``hypotheses`` against one reference each with a sacrebleu metric."""
    score = metric.corpus_score(list(hypotheses), [list(references)])
    signature = metric.get_signature().format()
    return MetricScore(key, float(score.score), signature, f"{score.format()} {signature}")


def corpus_scores(
    hypotheses: Sequence[str], references: Sequence[str], metrics: Sequence[str] = tuple(METRICS)
) -> dict[str, MetricScore]:
    """Corpus BLEU, chrF, chrF++ and TER (or the ``metrics`` named), keyed by our JSON names."""
    return {key: corpus_score(make_metric(key), key, hypotheses, references) for key in metrics}


def hter(machine: Sequence[str], post_edited: Sequence[str]) -> MetricScore:
    """HTER: TER of the machine translation against the reviewer's final text.

    Case-sensitive (sacrebleu's TER lowercases by default), because a reviewer who fixes the
    capitalisation of a term has done an edit.
    """
    return corpus_score(TER(case_sensitive=True), "hter", machine, post_edited)
