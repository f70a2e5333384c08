"""Lines the commands say on stderr while they work (not errors: those are InputErrors)."""

from __future__ import annotations

import sys


def say(line: str) -> None:
    """Tell the user, on stderr and at once, what the command is doing or waiting for."""
    print(f"songngu: {line}", file=sys.stderr, flush=True)
