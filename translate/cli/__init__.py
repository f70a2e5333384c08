"""The ``songngu`` command line: parse, call the library, report. One module per command group.

Exit codes: 0 success; 1 a check found problems; 2 bad input or usage, with one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from songngu import __version__
from songngu.errors import InputError
from songngu.translate.cli import (
    align_cmd,
    build_cmd,
    evaluate_cmd,
    finetune_cmd,
    glossary_cmd,
    qa_cmd,
    review_cmd,
    segment_cmd,
    serve_cmd,
    translate_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="songngu",
        description="Vietnamese→English translation held to a terminology glossary, for human review.",
    )
    parser.add_argument("--version", action="version", version=f"songngu {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (
        translate_cmd,
        segment_cmd,
        align_cmd,
        glossary_cmd,
        review_cmd,
        qa_cmd,
        build_cmd,
        evaluate_cmd,
        finetune_cmd,
        serve_cmd,
    ):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code."""
    _print_names_escaped()
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except InputError as exc:
        print(f"songngu: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `songngu segment FILE | head`
        sys.stderr.close()
        return 0
    except OSError as exc:
        # The last guard of the one-line contract: writers turn their own OSErrors into
        # InputErrors naming the file, and anything the system refuses later still names it.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"songngu: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("songngu: interrupted", file=sys.stderr)
        return 130


def _print_names_escaped() -> None:
    """Have stdout and stderr write a file name that is not UTF-8 with its escapes (``b\\xe0.txt``,
    as the records do) wherever a message or a listing prints one, instead of failing on it."""
    from songngu.filenames import ERRORS

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=ERRORS)


if __name__ == "__main__":
    sys.exit(main())
