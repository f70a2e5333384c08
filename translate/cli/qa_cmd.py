"""``songngu qa FILE...``: quality assurance of translations, for reviewers and for a desk's CI."""

from __future__ import annotations

import argparse
import sys

FORMATS = ("text", "json", "csv", "html")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``qa`` command."""
    parser = commands.add_parser(
        "qa",
        help="check translations: numbers, dates, terms, names, untranslated text, length, form",
        description="Check every segment of translation records or reviewed files (.jsonl, .po, .xlf, "
        ".tmx, .tsv, .vi/.en) and report each finding with its severity and the offending text, worst "
        "segments first. Exit 1 while an error-level finding remains (for a desk's CI), 2 on bad input.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument(
        "--glossary",
        "-g",
        help="glossary (CSV, TSV or TBX): terms with every accepted and forbidden rendering",
    )
    parser.add_argument(
        "--checks",
        action="append",
        metavar="LIST",
        help="checks or families to run, comma-separated (default all): numbers, dates, terms, names, "
        "untranslated, length, form (repeated, spacing, brackets, punctuation)",
    )
    parser.add_argument(
        "--ignore", metavar="FILE", help="accepted exceptions, one 'CHECK SEGMENT [TEXT]' a line"
    )
    parser.add_argument(
        "--tm", metavar="DB", help="learn the usual length ratio from this memory's reviewed units"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (default: stdout)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check every file (all read before anything is written), report, exit 1 on an error finding."""
    from songngu.glossary.formats import load_glossary
    from songngu.glossary.matcher import GlossaryMatcher
    from songngu.textfile import check_writable_file, write_atomic
    from songngu.translate.memory import TranslationMemory
    from songngu.translate.qa.checker import QualityChecker, build_checks, select, selectors
    from songngu.translate.qa.ignore import read_ignore
    from songngu.translate.qa.inputs import read_segments
    from songngu.translate.qa.length import FLORES_MODEL, memory_model
    from songngu.translate.qa.report import QaReport, render

    names = select(
        name.strip() for value in args.checks or ["*"] for name in value.split(",") if name.strip()
    )
    if args.output:
        check_writable_file(args.output)
    matcher = GlossaryMatcher(load_glossary(args.glossary)) if args.glossary else None
    ignore = read_ignore(args.ignore, selectors()) if args.ignore else []
    length_model = FLORES_MODEL
    if args.tm and "length" in names:
        with TranslationMemory(args.tm, create=False, write=False) as memory:
            length_model = memory_model(memory)
    checker = QualityChecker(build_checks(names, length_model), ignore)
    report = QaReport()
    for path in args.files:
        for segment in read_segments(path, matcher):
            report.add(segment, checker.check(segment))
    content = render(report, args.format)
    if args.output:
        write_atomic(args.output, content)
    else:
        sys.stdout.write(content)
    if args.output or args.format != "text":
        print(report.summary(), file=sys.stderr)
    return 1 if report.has_errors else 0
