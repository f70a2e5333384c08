"""One evaluation: quality and terminology per article and over all articles, and an optional
paired comparison with a second system. What ``--json`` prints and the reports show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from songngu.translate.evaluate.bootstrap import DEFAULT_SAMPLES, SACREBLEU_SEED, Comparison, paired_bootstrap
from songngu.translate.evaluate.inputs import Article, Pair
from songngu.translate.evaluate.quality import MetricScore, corpus_scores
from songngu.translate.evaluate.segments import SegmentView, article_segments
from songngu.translate.evaluate.terminology import (
    Matcher,
    RequiredTerm,
    SentenceTerms,
    TermBreakdown,
    TermStats,
    article_stats,
    check_sentence,
    required_terms,
    terms_from_outcomes,
    worst_first,
)


@dataclass
class Scores:
    """Quality and terminology over some segments: one article, or all of them (``name`` "all")."""

    name: str
    segments: int
    quality: dict[str, MetricScore]
    terms: TermStats | None = None
    skipped: int = 0  # reference entries without a confirmed translation
    hypothesis: str = ""
    reference: str = ""

    def to_json(self) -> dict[str, object]:
        result: dict[str, object] = {key: score.to_json() for key, score in self.quality.items()}
        result["segments"] = self.segments
        if self.skipped:
            result["skipped_unconfirmed"] = self.skipped
        if self.terms is not None:
            result.update(self.terms.to_json())
        return result


@dataclass
class Evaluation:
    """Everything one ``songngu evaluate`` measured."""

    articles: list[Scores]
    total: Scores
    term_breakdown: list[TermBreakdown] = field(default_factory=list)
    comparison: list[Comparison] = field(default_factory=list)
    compared_with: list[str] = field(default_factory=list)  # the baseline's files
    title: str = "songngu evaluation"
    segments: list[SegmentView] = field(default_factory=list)  # every segment, in document order

    @property
    def has_terms(self) -> bool:
        return self.total.terms is not None

    def to_json(self) -> dict[str, object]:
        """The ``--json`` object: corpus totals at the top, then terms, articles and comparison."""
        result = self.total.to_json()
        if self.has_terms:
            result["terms"] = [row.to_json() for row in self.term_breakdown]
        result["articles"] = [
            {"name": a.name, "hypothesis": a.hypothesis, "reference": a.reference, **a.to_json()}
            for a in self.articles
        ]
        if self.comparison:
            result["comparison"] = {
                "baseline": self.compared_with,
                "method": "paired bootstrap resampling (sacrebleu --paired-bs)",
                **{c.metric: c.to_json() for c in self.comparison},
            }
        return result


def sentence_terms(pairs: Sequence[Pair], matcher: Matcher | None) -> list[list[RequiredTerm]] | None:
    """Each pair's required terms: from the glossary when given (needs sources), else from JSONL
    records' terms; None when neither is available."""
    if matcher is not None:
        return [required_terms(matcher.find(p.source)) if p.source else [] for p in pairs]
    if any(p.terms for p in pairs):
        return [terms_from_outcomes(p.terms or ()) for p in pairs]
    return None


def evaluate(
    articles: Sequence[Article],
    *,
    matcher: Matcher | None = None,
    baseline: Sequence[Sequence[str]] | None = None,
    compared_with: Sequence[str] = (),
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = SACREBLEU_SEED,
) -> Evaluation:
    """Score aligned articles. ``baseline``: a second system's hypotheses, one list per article,
    aligned with each article's pairs, compared by paired bootstrap resampling over all segments."""
    per_article: list[Scores] = []
    breakdown: dict[str, TermBreakdown] = {}
    all_hyps: list[str] = []
    all_refs: list[str] = []
    all_checks: list[SentenceTerms] = []
    all_required: list[list[RequiredTerm]] = []
    any_terms = False
    total_terms = TermStats()
    segments: list[SegmentView] = []
    for article in articles:
        required = sentence_terms(article.pairs, matcher)
        scores = Scores(
            article.name,
            len(article.pairs),
            corpus_scores(article.hypotheses, article.references),
            skipped=article.skipped,
            hypothesis=article.hypothesis_path,
            reference=article.reference_path,
        )
        has_terms = required is not None
        if required is None:
            required = [[] for _ in article.pairs]
        checks = [check_sentence(p.hypothesis, t) for p, t in zip(article.pairs, required, strict=True)]
        if has_terms:
            any_terms = True
            scores.terms = article_stats(checks, breakdown)
            total_terms.add(scores.terms)
        all_checks.extend(checks)
        segments.extend(article_segments(article.name, article.pairs, checks if has_terms else None))
        per_article.append(scores)
        all_hyps.extend(article.hypotheses)
        all_refs.extend(article.references)
        all_required.extend(required)

    total = Scores(
        "all",
        len(all_hyps),
        corpus_scores(all_hyps, all_refs),
        total_terms if any_terms else None,
        skipped=sum(a.skipped for a in articles),
    )
    breakdown_rows = worst_first(breakdown) if any_terms else []
    evaluation = Evaluation(per_article, total, breakdown_rows, segments=segments)
    if baseline is not None:
        flat = [h for hyps in baseline for h in hyps]
        terms = None
        if any_terms:
            baseline_met = [check_sentence(h, t).met for h, t in zip(flat, all_required, strict=True)]
            terms = (baseline_met, [c.met for c in all_checks], [len(t) for t in all_required])
        evaluation.comparison = paired_bootstrap(
            flat, all_hyps, all_refs, terms=terms, n_samples=n_samples, seed=seed
        )
        evaluation.compared_with = list(compared_with)
    return evaluation
