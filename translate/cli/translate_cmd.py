"""``songngu translate FILE... --out DIR``: the main job."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from songngu.errors import InputError
from songngu.translate import DEFAULT_MODEL, PRECISIONS
from songngu.translate.records import ArticleTranslation, Method


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``translate`` command."""
    parser = commands.add_parser(
        "translate",
        help="translate Vietnamese articles held to a glossary",
        description="Translate UTF-8 Vietnamese articles sentence by sentence. For each FILE writes "
        "DIR/<name>.jsonl, .en.txt, .tsv, .vi, .en, .tmx, .po and .xlf (the .po and .xlf merged with "
        "the reviewed ones already there, printing what each merge kept, moved, changed, added and made "
        "obsolete).",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="output directory")
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"Hugging Face model id or local MarianMT directory (default {DEFAULT_MODEL})",
    )
    parser.add_argument("--glossary", "-g", help="glossary (CSV, TSV or TBX) whose terms the output must use")
    parser.add_argument(
        "--tm",
        metavar="DB",
        help="translation memory (SQLite) to reuse human translations; one not created yet counts as empty",
    )
    parser.add_argument("--beam", type=_positive, default=4, help="beam size (default 4)")
    parser.add_argument("--max-length", type=_positive, default=256, help="max target tokens (default 256)")
    parser.add_argument("--batch-size", type=_positive, default=16, help="sentences per batch (default 16)")
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="auto")
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="model arithmetic: auto (int8 on CPU, fp16 on CUDA, bf16 or fp32 if fp16 overflows), "
        "fp32, int8 (CPU), fp16, bf16",
    )
    parser.add_argument(
        "--no-compare",
        action="store_true",
        help="skip the unconstrained translation shown to reviewers next to the constrained one",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Translate every readable article; exit 2 if any input was refused."""
    # Imported here, not at the top: `songngu --help` and the model-free commands must not pay
    # for torch and transformers, which the engine and the pipeline pull in.
    from songngu.glossary.formats import load_glossary
    from songngu.glossary.matcher import GlossaryMatcher
    from songngu.textfile import read_text
    from songngu.translate.cli.notice import say
    from songngu.translate.engine import Translator
    from songngu.translate.formats import merge_summaries, prepare_outputs, write_outputs
    from songngu.translate.memory import TranslationMemory
    from songngu.translate.pipeline import DecodingSettings, translate_article
    from songngu.translate.records import new_run_id
    from songngu.translate.segment import article_name

    glossary = load_glossary(args.glossary) if args.glossary else None
    matcher = GlossaryMatcher(glossary) if glossary else None
    names = [article_name(file) for file in args.files]
    clashes = sorted({name for name in names if names.count(name) > 1})
    if clashes:
        raise InputError(f"several inputs would write {args.out}/{clashes[0]}.*; rename one of them")

    # Read every article before loading the model: a bad file is reported at once and gets no output.
    readable: list[tuple[str, str]] = []
    refused = 0
    for file in args.files:
        try:
            readable.append((file, read_text(file)))
        except InputError as exc:
            print(f"songngu: {exc}", file=sys.stderr)
            refused += 1
    if not readable:
        return 2

    # Every output of the run is checked before the model loads: an unwritable --out or a broken
    # reviewed catalog stops the run at once, before any article is written.
    prepare_outputs([article_name(file) for file, _ in readable], args.out)
    # Opened before the model loads, so a broken memory is reported at once. One not created yet is
    # an empty memory: a desk's script passes --tm from day one, before any review is imported.
    memory = None
    if args.tm and not Path(args.tm).exists():
        say(f"{args.tm}: no translation memory there yet; translating as with an empty one")
    elif args.tm:
        memory = TranslationMemory(args.tm, create=False, write=False, on_wait=say)
    try:
        translator = Translator.load(args.model, device=args.device, precision=args.precision)
        settings = DecodingSettings(
            beam=args.beam,
            max_length=args.max_length,
            batch_size=args.batch_size,
            with_unconstrained=not args.no_compare,
        )
        run_id = new_run_id()  # one id for every file of this run
        for file, text in readable:
            article = translate_article(
                file,
                text=text,
                translator=translator,
                glossary=glossary,
                matcher=matcher,
                memory=memory,
                settings=settings,
                progress=sys.stderr.isatty(),
                run_id=run_id,
            )
            merged = merge_summaries(article, Path(args.out))
            write_outputs(article, Path(args.out))
            print(_summary(article, args.out), file=sys.stderr)
            for path, summary in merged:
                print(f"{path}: merged with the reviewed file: {summary.text()}", file=sys.stderr)
    finally:
        if memory is not None:
            memory.close()
    return 2 if refused else 0


def _summary(article: ArticleTranslation, out_dir: str) -> str:
    methods = Counter(result.method for result in article.results)
    terms = [term for result in article.results for term in result.terms]
    violated = sum(result.violated for result in article.results)
    split = sum(result.pieces > 1 for result in article.results)
    truncated = sum(result.truncated for result in article.results)
    return (
        f"{article.path}: {len(article.results)} segments "
        f"({methods[Method.CONSTRAINED]} constrained, {methods[Method.UNCONSTRAINED]} unconstrained, "
        f"{methods[Method.MEMORY]} from memory), terms met {sum(t.met for t in terms)}/{len(terms)}"
        + (f", {violated} VIOLATING" if violated else "")
        + (f", {split} split into pieces" if split else "")
        + (f", {truncated} TRUNCATED" if truncated else "")
        + f" → {Path(out_dir) / article.name}.*"
    )


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {value}")
    return number
