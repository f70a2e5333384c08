"""``songngu build DOCUMENT CATALOG [--out FILE]``: the English document from a reviewed catalog.

No model is loaded: each sentence's translation is the catalog's (a reviewed ``.po`` or ``.xlf``),
with the inline elements where the reviewer's tags put them (translate/documents/publish.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``build`` command."""
    parser = commands.add_parser(
        "build",
        help="write the English document (HTML, DOCX, Markdown, ODT) from its reviewed catalog, no model",
        description="Write the English version of a document from its reviewed review catalog (.po or "
        ".xlf), with the inline elements where the reviewer's tags put them; no model is needed.",
    )
    parser.add_argument("document", help="the Vietnamese document (.html, .htm, .docx, .md, .odt)")
    parser.add_argument("catalog", help="its reviewed catalog, <name>.po or <name>.xlf")
    parser.add_argument(
        "--out", "-o", help="the English document to write (default: <name>.en.<ext> beside the catalog)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build and write the English document; say what it holds and what to check."""
    from songngu.errors import InputError
    from songngu.textfile import write_atomic
    from songngu.translate.documents import english_name, is_document, read_document
    from songngu.translate.documents.publish import build_from_catalog
    from songngu.translate.segment import article_name

    if not is_document(args.document):
        raise InputError(f"{args.document}: not a document songngu builds (.html, .htm, .docx, .md, .odt)")
    document = read_document(args.document)
    name = article_name(args.document)
    built = build_from_catalog(document, name, args.catalog)
    out = Path(args.out) if args.out else Path(args.catalog).with_name(english_name(args.document, name))
    if out.is_dir():
        raise InputError(f"{out}: is a directory, where songngu writes a file")
    for segment_id, problem in built.english.problems.items():
        print(
            f"songngu: {args.catalog}: {segment_id}: the reviewer's translation {problem}; "
            f"its elements are put back where the aligner places them: check them in {out}",
            file=sys.stderr,
        )
    write_atomic(out, built.english.data)
    unconfirmed = f", {built.unconfirmed} not confirmed by a reviewer" if built.unconfirmed else ""
    summary = f"{built.sentences} sentences from {args.catalog}{unconfirmed}"
    print(f"songngu: wrote {out}: {summary}", file=sys.stderr)
    return 0
