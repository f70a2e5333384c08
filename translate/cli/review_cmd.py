"""``songngu review import`` and ``songngu export-tm``: bringing reviewers' work back and sharing it."""

from __future__ import annotations

import argparse
import sys

DEFAULT_TM = "songngu-tm.sqlite"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``review`` group and ``export-tm``."""
    review = commands.add_parser(
        "review", help="import reviewed PO, XLIFF or TMX files into the translation memory"
    )
    actions = review.add_subparsers(dest="review_command", required=True, metavar="ACTION")
    imp = actions.add_parser(
        "import",
        help="store confirmed entries of reviewed PO, XLIFF or TMX files",
        description=(
            "Store every confirmed entry of the reviewed files in the translation memory: PO (not "
            'fuzzy, not empty), XLIFF 1.2 .xlf/.xliff (approved="yes", or state final, signed-off or '
            "translated) and TMX 1.4 memories from OmegaT, Trados or memoQ (every unit), in one "
            "transaction: a bad file refuses the whole import and leaves the memory untouched. "
            "Prints one summary line per file and a total. Glossary terms a reviewer "
            "replaced are listed as candidate glossary rows (CSV, glossary table columns) after the "
            "summary, or written to --candidates FILE for a curator to open in a spreadsheet."
        ),
    )
    imp.add_argument("files", nargs="+", metavar="FILE", help="reviewed .po, .xlf/.xliff or .tmx files")
    imp.add_argument("--tm", default=DEFAULT_TM, help=f"translation memory (default ./{DEFAULT_TM})")
    imp.add_argument(
        "--candidates",
        metavar="FILE",
        help="write the candidate glossary rows to FILE (CSV, header only when there are none) "
        "instead of printing them",
    )
    imp.set_defaults(handler=run_import)

    export = commands.add_parser("export-tm", help="write the translation memory as TMX or TSV")
    export.add_argument("--format", choices=("tmx", "tsv"), default="tmx")
    export.add_argument("--tm", default=DEFAULT_TM)
    export.add_argument("-o", "--output", help="output file (default: standard output)")
    export.set_defaults(handler=run_export)


def run_import(args: argparse.Namespace) -> int:
    """Import reviewed catalogs: read them all, then store in one transaction, then report."""
    from songngu.textfile import check_writable_file, write_atomic
    from songngu.translate.cli.notice import say
    from songngu.translate.memory import TranslationMemory
    from songngu.translate.review import read_all, store_reviewed

    if args.candidates:
        check_writable_file(args.candidates)  # before the import commits, not after

    catalogs = read_all(args.files)  # before the memory is even opened: a refusal touches nothing
    with TranslationMemory(args.tm, on_wait=say) as memory:
        report = store_reviewed(catalogs, memory)
    for line in report.summary_lines():
        print(line)
    changes = len(report.term_changes)
    if args.candidates:
        write_atomic(args.candidates, report.candidates_csv())
        print(f"glossary: {changes} term change(s) by reviewers; candidate rows written to {args.candidates}")
    elif changes:
        print(f"glossary: {changes} term change(s) by reviewers; candidate rows (CSV):")
        print(report.candidates_csv(), end="")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Write the translation memory as TMX or TSV to ``-o FILE`` (atomically) or standard output.

    A missing memory is an error, never an empty database created on the way.
    """
    from songngu.textfile import check_writable_file, write_atomic
    from songngu.translate.formats.memory_export import export_tmx, export_tsv
    from songngu.translate.memory import TranslationMemory

    if args.output:
        check_writable_file(args.output)
    export = export_tmx if args.format == "tmx" else export_tsv
    with TranslationMemory(args.tm, create=False, write=False) as memory:
        content = export(memory.units())
    if args.output:
        write_atomic(args.output, content)
    else:
        sys.stdout.write(content)
    return 0
