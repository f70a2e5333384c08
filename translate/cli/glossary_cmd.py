"""``songngu glossary check|match|extract|convert|usage``: curating the terminology base."""

from __future__ import annotations

import argparse
import sys

from songngu.translate.cli.notice import say


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``glossary`` command group."""
    group = commands.add_parser("glossary", help="check, match, extract and convert glossaries")
    actions = group.add_subparsers(dest="glossary_command", required=True, metavar="ACTION")

    check = actions.add_parser("check", help="validate a glossary file")
    check.add_argument("file")
    check.set_defaults(handler=run_check)

    match = actions.add_parser("match", help="find glossary terms in a Vietnamese text")
    match.add_argument("file")
    match.add_argument("--glossary", "-g", required=True)
    match.add_argument("--json", action="store_true", help="one JSON object per match per line")
    match.set_defaults(handler=run_match)

    extract = actions.add_parser(
        "extract",
        help="propose entries from 'Full name (ACRONYM)' patterns, or with English from aligned text",
        description="Vietnamese FILEs: propose 'Full name (ACRONYM)' terms (en left empty). With --parallel "
        "(aligned TSV, JSONL or TMX) or --tm: propose rows with their English, from definitions on both "
        "sides, acronyms explained on the English side, and co-occurrence (Dice) across aligned pairs.",
    )
    extract.add_argument("files", nargs="*", metavar="FILE")
    extract.add_argument(
        "--parallel", nargs="+", metavar="ALIGNED", help="aligned files (.tsv, .jsonl, .tmx)"
    )
    extract.add_argument("--tm", metavar="DB", help="use the aligned and reviewed pairs of this memory")
    extract.add_argument("--glossary", "-g", help="leave out terms this glossary already has")
    extract.add_argument(
        "--min-count", type=int, default=3, help="co-occurrence: pairs a term must appear in (default 3)"
    )
    extract.add_argument(
        "--min-dice", type=float, default=0.8, help="co-occurrence: Dice coefficient to keep (default 0.8)"
    )
    extract.set_defaults(handler=run_extract)

    usage = actions.add_parser(
        "usage",
        help="how reviewers and aligned archives render each glossary term (from the memory)",
        description="For every glossary term (or, without --glossary, every term glossary extract "
        "--parallel proposes from the memory): its renderings in the memory with counts by unit kind "
        "(reviewed, aligned) and examples, the units missing the required rendering, and those using a "
        "forbidden one. Markdown on stdout, or --report FILE.html|.md.",
    )
    usage.add_argument("--tm", required=True, metavar="DB", help="the translation memory")
    usage.add_argument("--glossary", "-g", help="the glossary (CSV, TSV or TBX)")
    usage.add_argument("--report", metavar="FILE", help="write the report here (.html or .md)")
    usage.set_defaults(handler=run_usage)

    convert = actions.add_parser("convert", help="convert between CSV/TSV and TBX")
    convert.add_argument("input", metavar="IN")
    convert.add_argument("output", metavar="OUT")
    convert.set_defaults(handler=run_convert)


def run_check(args: argparse.Namespace) -> int:
    """Print each problem as ``FILE:LINE: message``; exit 1 when there are any, 0 (silent) when clean."""
    from songngu.glossary.check import check_file

    findings = check_file(args.file)
    for finding in findings:
        print(finding.format(args.file))
    if findings:
        noun = "problem" if len(findings) == 1 else "problems"
        print(f"songngu: {args.file}: {len(findings)} {noun}", file=sys.stderr)
        return 1
    return 0


def run_match(args: argparse.Namespace) -> int:
    """List the glossary terms found in FILE: ``FILE:LINE:COL  text  →  target``, or JSON lines.

    Offsets (``start``, ``end``) are Python string indices into the file as read (UTF-8, BOM
    dropped); ``line`` and ``column`` are 1-based, the column counted in characters.
    """
    import bisect
    import json

    from songngu.glossary.formats import load_glossary
    from songngu.glossary.matcher import GlossaryMatcher
    from songngu.textfile import ARTICLE_LIMIT, read_text

    matcher = GlossaryMatcher(load_glossary(args.glossary))
    text = read_text(args.file, ARTICLE_LIMIT)
    line_starts = [0] + [k + 1 for k, char in enumerate(text) if char == "\n"]
    out: list[str] = []
    for match in matcher.find(text):
        line = bisect.bisect_right(line_starts, match.start)
        column = match.start - line_starts[line - 1] + 1
        if args.json:
            record = {
                "start": match.start,
                "end": match.end,
                "line": line,
                "column": column,
                "text": match.text,
                "vi": match.entry.vi,
                "en": match.entry.en,
                "acronym": match.entry.acronym,
                "form": match.form.value,
                "target": match.target,
            }
            out.append(json.dumps(record, ensure_ascii=False))
        else:
            shown = " ".join(match.text.split())  # a term hard-wrapped over two lines, on one
            out.append(f"{args.file}:{line}:{column}  {shown}  →  {match.target}")
    if out:
        sys.stdout.write("\n".join(out) + "\n")
    return 0


def run_extract(args: argparse.Namespace) -> int:
    """Print candidate entries as glossary CSV (evidence in ``note``; ``en`` left for the curator
    unless the input is aligned)."""
    from songngu.errors import InputError
    from songngu.glossary.extract import extract_files
    from songngu.glossary.formats import load_glossary, table
    from songngu.glossary.model import Glossary

    bilingual = bool(args.parallel or args.tm)
    if bilingual == bool(args.files):
        raise InputError("give Vietnamese FILEs, or aligned files with --parallel and/or a memory with --tm")
    known = load_glossary(args.glossary) if args.glossary else None
    if not bilingual:
        candidates = extract_files(args.files, known)
        sys.stdout.write(table.dumps(Glossary([candidate.entry() for candidate in candidates])))
        return 0

    from songngu.glossary.parallel import propose
    from songngu.translate.formats import read_bitext

    pairs = [pair for path in args.parallel or () for pair in read_bitext(path)]
    if args.tm:
        from songngu.translate.memory import TranslationMemory

        with TranslationMemory(args.tm, create=False, write=False, on_wait=say) as memory:
            pairs.extend(
                (unit.segment_id or unit.origin, unit.source, unit.target) for unit in memory.units()
            )
    entries = propose(pairs, known, min_count=args.min_count, min_dice=args.min_dice)
    sys.stdout.write(table.dumps(Glossary(entries)))
    return 0


def run_usage(args: argparse.Namespace) -> int:
    """Report term usage in the memory (Markdown on stdout unless --report)."""
    from collections import Counter

    from songngu.glossary.formats import load_glossary
    from songngu.translate.evaluate.report import render_tables, write_tables
    from songngu.translate.evaluate.usage import term_usage, usage_sections
    from songngu.translate.memory import TranslationMemory

    if args.report:
        from songngu.textfile import check_writable_file

        check_writable_file(args.report)
    glossary = load_glossary(args.glossary) if args.glossary else None
    with TranslationMemory(args.tm, create=False, write=False, on_wait=say) as memory:
        units = list(memory.units())
    if glossary is None:
        from songngu.glossary.parallel import propose

        entries = propose((unit.segment_id or unit.origin, unit.source, unit.target) for unit in units)
        title = f"Term usage in {args.tm} (terms proposed from the memory itself)"
    else:
        entries = list(glossary)
        title = f"Term usage in {args.tm} ({args.glossary})"
    sections = usage_sections(term_usage(units, entries), Counter(str(unit.kind) for unit in units))
    if args.report:
        write_tables(args.report, title, sections)
    else:
        sys.stdout.write(render_tables(title, sections, html=False))
    return 0


def run_convert(args: argparse.Namespace) -> int:
    """Convert a glossary between CSV, TSV and TBX (by suffix), losing nothing; written atomically."""
    from songngu.glossary.formats import load_glossary, save_glossary
    from songngu.textfile import check_writable_file

    check_writable_file(args.output)
    save_glossary(load_glossary(args.input), args.output)
    return 0
