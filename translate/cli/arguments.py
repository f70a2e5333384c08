"""Arguments the commands share, refused by argparse in one line: integers with a lower bound, file
patterns, and the search's options (``translate`` and ``serve`` search the same way)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import PurePath

from songngu.translate import PRECISIONS


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: an integer of at least ``minimum`` ("must be at least 2, not 1")."""

    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {text}")
        return value

    parse.__name__ = "integer"  # argparse says "invalid integer value: 'x'" for a non-number
    return parse


POSITIVE = at_least(1)
# A target length counts the decoder's start token, as generate's does: 2 leaves room for one token.
TARGET_LENGTH = at_least(2)


def file_pattern(text: str) -> str:
    """An argparse ``type``: a pattern matched on paths inside a folder (:meth:`PurePath.match`).

    Refused: a pattern with no name in it (``''``, ``.``), which ``PurePath.match`` rejects with a
    ValueError deep inside the walk, and an absolute one, which can never match a relative path.
    """
    try:
        PurePath("probe").match(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is an empty pattern; give one such as '*.txt'") from None
    if PurePath(text).is_absolute():
        raise argparse.ArgumentTypeError(
            f"{text!r} is absolute, and it is matched on paths inside the folder; give one such as '*.txt'"
        )
    return text


def add_search_options(parser: argparse.ArgumentParser) -> None:
    """``--beam``, ``--max-length``, ``--batch-size``, ``--device`` and ``--precision``: how the model
    searches, the same options with the same defaults wherever a command translates with it."""
    parser.add_argument("--beam", type=POSITIVE, default=4, help="beam size (default 4)")
    parser.add_argument(
        "--max-length", type=TARGET_LENGTH, default=256, help="max target tokens (default 256)"
    )
    parser.add_argument("--batch-size", type=POSITIVE, default=16, help="sentences per batch (default 16)")
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="auto")
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="model arithmetic: auto (int8 on CPU, fp16 on CUDA, bf16 or fp32 if fp16 overflows), "
        "fp32, int8 (CPU), fp16, bf16",
    )
