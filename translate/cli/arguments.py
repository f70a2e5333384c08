"""Argument types the commands share, refused by argparse in one line: integers with a lower bound,
and file patterns."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import PurePath


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
