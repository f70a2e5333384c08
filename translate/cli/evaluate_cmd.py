"""``songngu evaluate``: translation quality (sacrebleu) and terminology metrics."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from songngu.errors import InputError
from songngu.textfile import check_writable_file
from songngu.translate import PRECISIONS
from songngu.translate.cli.arguments import POSITIVE, TARGET_LENGTH
from songngu.translate.evaluate.testsets import TESTSETS

if TYPE_CHECKING:
    from songngu.translate.evaluate.bootstrap import Estimate
    from songngu.translate.evaluate.evaluation import Evaluation
    from songngu.translate.evaluate.inputs import Article
    from songngu.translate.evaluate.postedit import PostEdit
    from songngu.translate.evaluate.terminology import Matcher
    from songngu.translate.records import Segment

# The evaluation modules (sacrebleu, numpy) are imported by the functions that use them, not here:
# `songngu --help` and the other commands build this parser too.


EPILOG = """\
modes:
  songngu evaluate --hyp FILE... --ref FILE... [--src FILE... --glossary G] [--compare FILE...]
      score hypotheses (text, songngu JSONL, or PO: its machine translation) against references
      (text, JSONL, or a reviewed PO: only confirmed entries, matched by msgctxt). Several files
      make several articles, paired by name when both sides name the same articles, else by order.
  songngu evaluate --post-edit PO...
      post-editing effort of reviewed catalogs: HTER and the share accepted unchanged.
  songngu evaluate --testset flores200 --model M [--glossary G] [--limit N]
      translate a public test set with a model and score it.
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``evaluate`` command."""
    parser = commands.add_parser(
        "evaluate",
        help="score translations: BLEU, chrF, TER and terminology",
        description="Score translations with sacrebleu (BLEU, chrF, chrF++, TER) and glossary metrics.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--hyp", nargs="+", metavar="FILE", help="hypotheses: text, songngu JSONL, or PO")
    parser.add_argument("--ref", nargs="+", metavar="FILE", help="references: text, JSONL, or reviewed PO")
    parser.add_argument(
        "--src", nargs="+", metavar="FILE", help="source sentences, line-aligned with each --hyp (for terms)"
    )
    parser.add_argument("--glossary", "-g", help="glossary (CSV, TSV or TBX) for terminology metrics")
    parser.add_argument(
        "--compare", nargs="+", metavar="FILE", help="a baseline system's hypotheses: paired bootstrap test"
    )
    parser.add_argument("--post-edit", nargs="+", metavar="PO", help="reviewed PO catalogs: HTER")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--report", metavar="FILE", help="also write a report: FILE.html or FILE.md")
    parser.add_argument("--resamples", type=POSITIVE, help="bootstrap resamples (default 1,000)")
    parser.add_argument("--seed", type=int, help="bootstrap seed (default: sacrebleu's)")
    testset = parser.add_argument_group("test sets")
    testset.add_argument("--testset", help=f"translate and score a test set ({', '.join(TESTSETS)})")
    testset.add_argument("--data", metavar="DIR", help="directory holding the test set's files")
    testset.add_argument("--model", help="Hugging Face model id or local MarianMT directory")
    testset.add_argument("--limit", type=POSITIVE, help="only the first N sentences")
    testset.add_argument("--beam", type=POSITIVE, default=4)
    testset.add_argument("--max-length", type=TARGET_LENGTH, default=256)
    testset.add_argument("--batch-size", type=POSITIVE, default=16)
    testset.add_argument("--device", choices=("cpu", "cuda", "auto"), default="auto")
    testset.add_argument(
        "--precision", choices=PRECISIONS, default="auto", help="as for translate (default auto)"
    )
    testset.add_argument("--save-hyp", metavar="FILE", help="write the test set's translations, one a line")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate files, reviewed catalogs or a test set; print scores; write a report if asked."""
    from songngu.translate.evaluate.bootstrap import DEFAULT_SAMPLES, SACREBLEU_SEED
    from songngu.translate.evaluate.evaluation import evaluate
    from songngu.translate.evaluate.postedit import post_edit_effort
    from songngu.translate.evaluate.report import write_report

    for output in (args.report, getattr(args, "save_hyp", None)):
        if output:
            check_writable_file(output)  # before a test set is translated, not after
    if args.post_edit:
        if args.hyp or args.ref or args.testset:
            raise InputError("--post-edit takes reviewed PO files alone, without --hyp, --ref or --testset")
        result = post_edit_effort(args.post_edit)
        _print_post_edit(*result, as_json=args.json)
        if args.report:
            write_report(args.report, post_edit=result)
        return 0
    matcher = _matcher(args.glossary)
    if args.testset:
        if args.hyp or args.ref:
            raise InputError("--testset brings its own sources and references; leave out --hyp and --ref")
        articles, baseline, compared = _testset_articles(args, matcher)
    else:
        articles, baseline, compared = _file_articles(args, matcher is not None)
    evaluation = evaluate(
        articles,
        matcher=matcher,
        baseline=baseline,
        compared_with=compared,
        n_samples=DEFAULT_SAMPLES if args.resamples is None else args.resamples,
        seed=SACREBLEU_SEED if args.seed is None else args.seed,
    )
    if args.testset:
        evaluation.title = f"songngu evaluation: {args.testset} with {args.model}"
    if args.report:
        write_report(args.report, evaluation)
    if args.json:
        print(json.dumps(evaluation.to_json(), ensure_ascii=False, indent=2))
    else:
        print_evaluation(evaluation)
    return 0


def _matcher(glossary_path: str | None) -> Matcher | None:
    if glossary_path is None:
        return None
    from songngu.glossary.formats import load_glossary
    from songngu.glossary.matcher import GlossaryMatcher

    return GlossaryMatcher(load_glossary(glossary_path))


def _file_articles(
    args: argparse.Namespace, with_glossary: bool
) -> tuple[list[Article], list[list[str]] | None, list[str]]:
    from songngu.translate.evaluate.inputs import Role, align, pair_files, read_document, read_sources

    if not args.hyp or not args.ref:
        raise InputError("evaluate needs --hyp FILE and --ref FILE (or --testset NAME, or --post-edit PO)")
    pairs = pair_files(args.hyp, args.ref)
    sources: list[list[str] | None] = [None] * len(pairs)
    if args.src:
        if len(args.src) != len(pairs):
            raise InputError(f"{len(args.src)} source files for {len(pairs)} hypothesis files; give one each")
        order = {h: i for i, h in enumerate(args.hyp)}
        sources = [read_sources(args.src[order[h]]) for h, _ in pairs]
    articles = []
    for (hyp_path, ref_path), src in zip(pairs, sources, strict=True):
        hypothesis = read_document(hyp_path, Role.HYPOTHESIS)
        articles.append(align(hypothesis, read_document(ref_path, Role.REFERENCE), src))
    if with_glossary:
        for article in articles:
            if any(p.source is None for p in article.pairs):
                raise InputError(
                    f"{article.hypothesis_path}: no source sentences for the glossary; give --src FILE "
                    "(or a JSONL or PO hypothesis, which holds its sources)"
                )
    baseline = None
    if args.compare:
        if len(args.compare) != len(args.hyp):
            raise InputError(
                f"{len(args.compare)} --compare files for {len(args.hyp)} --hyp files; give one each"
            )
        order = {h: i for i, h in enumerate(args.hyp)}
        baseline = []
        for (hyp_path, ref_path), article in zip(pairs, articles, strict=True):
            other = read_document(args.compare[order[hyp_path]], Role.HYPOTHESIS)
            aligned = align(other, read_document(ref_path, Role.REFERENCE))
            _check_same_segments(article, aligned)
            baseline.append(aligned.hypotheses)
    return articles, baseline, list(args.compare or [])


def _check_same_segments(article: Article, other: Article) -> None:
    if [p.id for p in article.pairs] != [p.id for p in other.pairs] or len(article.pairs) != len(other.pairs):
        raise InputError(
            f"{other.hypothesis_path}: does not cover the same {len(article.pairs)} segments as "
            f"{article.hypothesis_path}"
        )


def _testset_articles(
    args: argparse.Namespace, matcher: Matcher | None
) -> tuple[list[Article], list[list[str]] | None, list[str]]:
    from songngu.textfile import write_atomic
    from songngu.translate.evaluate.inputs import read_lines
    from songngu.translate.evaluate.testsets import load_testset

    testset = load_testset(args.testset, args.data, args.limit)
    if not args.model:
        raise InputError(
            f"--testset {args.testset} needs --model (a Hugging Face id or a MarianMT directory)"
        )
    baseline = None
    if args.compare:
        if len(args.compare) != 1:
            raise InputError("--testset takes one --compare file (the baseline's translations, one a line)")
        lines = read_lines(args.compare[0])
        if len(lines) != len(testset.sources):
            raise InputError(
                f"{args.compare[0]}: {len(lines)} lines, but the test set has {len(testset.sources)}"
            )
        baseline = [lines]
    hypotheses = _translate(testset.segments(), args, matcher)
    if args.save_hyp:
        write_atomic(args.save_hyp, "".join(h.replace("\n", " ") + "\n" for h in hypotheses))
    article = testset.article(hypotheses)
    return [article], baseline, list(args.compare or [])


def _translate(segments: Sequence[Segment], args: argparse.Namespace, matcher: Matcher | None) -> list[str]:
    # Imported here: loading the model stack (torch, transformers) is only needed for test sets.
    from songngu.translate.engine import Translator
    from songngu.translate.pipeline import DecodingSettings, translate_segments

    translator = Translator.load(args.model, args.device, args.precision)
    settings = DecodingSettings(beam=args.beam, max_length=args.max_length, batch_size=args.batch_size)
    results = translate_segments(
        segments,
        translator=translator,
        matcher=matcher,  # type: ignore[arg-type]
        settings=settings,
        progress=sys.stderr.isatty(),
    )
    return [r.target for r in results]


def print_evaluation(evaluation: Evaluation) -> None:
    """Print an evaluation as `songngu evaluate` does: scores, terms, articles, comparison."""
    from songngu.translate.evaluate.report import METRIC_LABELS

    total = evaluation.total
    for score in total.quality.values():
        print(score.text)
    if total.terms is not None:
        t = total.terms
        consistency = "–" if t.consistency is None else f"{100 * t.consistency:.1f}%"
        rate = "–" if t.success_rate is None else f"{100 * t.success_rate:.1f}%"
        inflected = "–" if t.inflected_rate is None else f"{100 * t.inflected_rate:.1f}%"
        print(
            f"terms: {t.met}/{t.required} met ({rate}), inflection-tolerant {inflected}, "
            f"consistency {consistency} ({t.consistent}/{t.consistency_checked}), forbidden {t.forbidden}"
        )
    if total.skipped:
        print(f"left out: {total.skipped} reference entries not confirmed by a reviewer")
    if len(evaluation.articles) > 1:
        print()
        print(f"{'article':<32} {'segs':>5} " + " ".join(f"{label:>7}" for label in METRIC_LABELS.values()))
        for scores in [*evaluation.articles, total]:
            values = " ".join(f"{scores.quality[k].score:7.2f}" for k in METRIC_LABELS)
            print(f"{scores.name[:32]:<32} {scores.segments:>5} {values}")
    if evaluation.comparison:
        print()
        print(f"paired bootstrap resampling against {', '.join(evaluation.compared_with)}:")
        if all(c.no_difference for c in evaluation.comparison):
            print("  no difference: the two systems score the same on every resample of every metric")
        for c in evaluation.comparison:
            scale = 100 if c.metric == "term_success_rate" else 1
            print(
                f"  {c.metric:<18} baseline {_estimate(c.baseline, scale)}"
                f"  system {_estimate(c.system, scale)}  {c.p_text()}"
            )


def _estimate(e: Estimate, scale: float) -> str:
    return f"{e.score * scale:6.2f} ({e.mean * scale:.2f} ± {e.ci * scale:.2f})"


def _print_post_edit(per_article: list[PostEdit], total: PostEdit, as_json: bool) -> None:
    if as_json:
        obj = total.to_json()
        obj["articles"] = [p.to_json() for p in per_article]
        print(json.dumps(obj, ensure_ascii=False, indent=2))
        return
    for p in [*per_article, total] if len(per_article) > 1 else [total]:
        print(
            f"{p.name}: HTER {p.hter.score:.2f}, {p.unchanged}/{p.segments} accepted unchanged "
            f"({100 * p.unchanged_share:.1f}%), {p.pending} pending"
        )
    print(f"signature: {total.hter.signature}")
