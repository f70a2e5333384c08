"""``songngu segment FILE [--language vi|en]``: one sentence per line, a blank line between paragraphs."""

from __future__ import annotations

import argparse
import sys

from songngu.textfile import ARTICLE_LIMIT, read_text
from songngu.translate.segment import LANGUAGES, article_name, segment_article


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``segment`` command."""
    parser = commands.add_parser("segment", help="print an article's sentences, one per line")
    parser.add_argument("file", help="a UTF-8 article (Vietnamese unless --language says otherwise)")
    parser.add_argument(
        "--language", "-l", choices=LANGUAGES, default="vi", help="the article's language (default vi)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the article's sentences, one per line, with a blank line between paragraphs."""
    text = read_text(args.file, ARTICLE_LIMIT)
    lines: list[str] = []
    previous_paragraph: int | None = None
    for segment in segment_article(text, article_name(args.file), args.language):
        if previous_paragraph is not None and segment.paragraph != previous_paragraph:
            lines.append("")
        lines.append(segment.source)
        previous_paragraph = segment.paragraph
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    return 0
