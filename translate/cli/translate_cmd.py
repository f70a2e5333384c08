"""``songngu translate FILE... --out DIR``: the main job."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``translate`` command."""
    parser = commands.add_parser("translate", help="translate Vietnamese articles held to a glossary")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--out", "-o", required=True, metavar="DIR")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError  # TODO(integration)
