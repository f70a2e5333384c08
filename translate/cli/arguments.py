"""Argument types the commands share: integers with a lower bound, refused by argparse in one line."""

from __future__ import annotations

import argparse
from collections.abc import Callable


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
