"""Evaluation: translation quality through sacrebleu, terminology metrics, paired bootstrap
resampling, post-editing effort, reports, and public test sets.

One module per concept: ``inputs`` (reading and aligning files), ``quality`` (BLEU, chrF, chrF++,
TER), ``terminology``, ``bootstrap``, ``postedit`` (HTER), ``evaluation`` (putting them together),
``report`` (HTML, Markdown) and ``testsets`` (FLORES-200).
"""

from songngu.translate.evaluate.bootstrap import Comparison, Estimate, paired_bootstrap
from songngu.translate.evaluate.evaluation import Evaluation, Scores, evaluate
from songngu.translate.evaluate.inputs import Article, Role, align, pair_files, read_document, read_lines
from songngu.translate.evaluate.postedit import PostEdit, post_edit_effort
from songngu.translate.evaluate.quality import MetricScore, corpus_scores, hter
from songngu.translate.evaluate.report import render_html, render_markdown, write_report
from songngu.translate.evaluate.terminology import RequiredTerm, TermStats, check_sentence, required_terms
from songngu.translate.evaluate.testsets import TESTSETS, TestSet, load_testset

__all__ = [
    "TESTSETS",
    "Article",
    "Comparison",
    "Estimate",
    "Evaluation",
    "MetricScore",
    "PostEdit",
    "RequiredTerm",
    "Role",
    "Scores",
    "TermStats",
    "TestSet",
    "align",
    "check_sentence",
    "corpus_scores",
    "evaluate",
    "hter",
    "load_testset",
    "pair_files",
    "paired_bootstrap",
    "post_edit_effort",
    "read_document",
    "read_lines",
    "render_html",
    "render_markdown",
    "required_terms",
    "write_report",
]
