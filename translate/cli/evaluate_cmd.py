"""``songngu evaluate``: translation quality (sacrebleu) and terminology metrics."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` command."""
    parser = commands.add_parser("evaluate", help="score translations: BLEU, chrF, TER and terminology")
    parser.add_argument("--hyp", help="hypothesis: line-aligned text, songngu JSONL, or PO")
    parser.add_argument("--ref", help="reference: line-aligned text, songngu JSONL, or reviewed PO")
    parser.add_argument("--src", help="source sentences, for terminology metrics")
    parser.add_argument("--glossary", "-g")
    parser.add_argument("--compare", help="a second system's hypothesis: paired bootstrap resampling")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--report", help="write an HTML or Markdown report")
    parser.add_argument("--testset", help="translate and score a test set (flores200)")
    parser.add_argument("--data", help="directory of the test set's files")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError  # TODO(evaluation helper)
