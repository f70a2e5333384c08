"""``songngu segment FILE``: one sentence per line, a blank line between paragraphs."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``segment`` command."""
    parser = commands.add_parser("segment", help="print an article's sentences, one per line")
    parser.add_argument("file", help="a UTF-8 Vietnamese article")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError  # TODO(segmentation helper)
