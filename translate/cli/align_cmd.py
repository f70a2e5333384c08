"""``songngu align VI EN [VI EN ...] --out DIR``: sentence-align articles with their English versions."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from songngu.errors import InputError

if TYPE_CHECKING:
    from songngu.translate.align.article import AlignedArticle, TranslateBatch
    from songngu.translate.engine import Translator
    from songngu.translate.memory import StoreCounts


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``align`` command."""
    parser = commands.add_parser(
        "align",
        help="sentence-align Vietnamese articles with their English versions",
        description="Sentence-align each Vietnamese FILE with its English version (pairs given as "
        "VI EN VI EN ..., or --pairs LIST.tsv). For each pair writes DIR/<name>.jsonl (every bead, with "
        "offsets and score), .tsv and .tmx (the aligned pairs) and .po (for review: low-confidence beads "
        "fuzzy; merged with a reviewed .po already there). <name> is the Vietnamese file's name without "
        "its last suffix.",
    )
    parser.add_argument("files", nargs="*", metavar="VI EN", help="Vietnamese file, then its English version")
    parser.add_argument(
        "--pairs",
        metavar="LIST.tsv",
        help="a file of pairs, one 'VI<TAB>EN' per line (paths relative to the list's folder; # comments)",
    )
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="output directory")
    parser.add_argument("--glossary", "-g", help="glossary (CSV, TSV or TBX): its terms become anchors")
    parser.add_argument(
        "--model", help="MarianMT model (hub id or directory): adds the MT-assisted score (slower; optional)"
    )
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="auto")
    parser.add_argument(
        "--tm",
        metavar="DB",
        help="store the confident aligned pairs in this translation memory (kind aligned)",
    )
    parser.add_argument(
        "--min-score",
        type=_fraction,
        default=None,
        help="beads scoring below this are low confidence: fuzzy in the PO, kept out of the memory "
        "(default 0.9)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Align every pair; exit 2 if any input was refused."""
    from songngu.glossary.formats import load_glossary
    from songngu.glossary.matcher import GlossaryMatcher
    from songngu.textfile import ARTICLE_LIMIT, read_text
    from songngu.translate.align.article import DEFAULT_MIN_SCORE, align_article
    from songngu.translate.align.files import AlignmentRun, prepare_aligned, write_aligned
    from songngu.translate.records import new_run_id
    from songngu.translate.segment import article_name

    pairs = _pairs(args.files, args.pairs)
    names = [article_name(vi) for vi, _ in pairs]
    clashes = sorted({name for name in names if names.count(name) > 1})
    if clashes:
        raise InputError(f"several pairs would write {args.out}/{clashes[0]}.*; rename one Vietnamese file")
    glossary = load_glossary(args.glossary) if args.glossary else None
    matcher = GlossaryMatcher(glossary) if glossary is not None else None
    min_score = DEFAULT_MIN_SCORE if args.min_score is None else args.min_score

    readable: list[tuple[str, str, str, str]] = []
    refused = 0
    for vi, en in pairs:
        try:
            readable.append((vi, en, read_text(vi, ARTICLE_LIMIT), read_text(en, ARTICLE_LIMIT)))
        except InputError as exc:
            print(f"songngu: {exc}", file=sys.stderr)
            refused += 1
    if not readable:
        return 2

    # Every output is checked before any work: an unwritable --out or a broken reviewed catalog
    # stops the run before anything is aligned or written.
    prepare_aligned([article_name(vi) for vi, _, _, _ in readable], args.out)
    memory = None
    if args.tm:
        from songngu.translate.cli.notice import say
        from songngu.translate.memory import TranslationMemory

        memory = TranslationMemory(args.tm, on_wait=say)
    try:
        # One run id for every file of this command, and in the headers what the run really used.
        run = AlignmentRun(
            run_id=new_run_id(),
            glossary=glossary.source if glossary is not None else None,
            glossary_checksum=glossary.checksum() if glossary is not None else None,
        )
        translate = None
        if args.model:
            translate, translator = _translator(args.model, args.device)
            run = replace(
                run,
                model=args.model,
                model_revision=translator.revision,
                precision=translator.precision.value,
                device=translator.device,
            )
        for vi, en, vi_text, en_text in readable:
            article = align_article(
                vi, en, vi_text, en_text, matcher=matcher, translate=translate, min_score=min_score
            )
            write_aligned(article, args.out, run)
            stored = None
            if memory is not None:
                from songngu.translate.align.memory import aligned_units

                stored = memory.store(aligned_units(article))
            print(_summary(article, args.out, stored), file=sys.stderr)
    finally:
        if memory is not None:
            memory.close()
    return 2 if refused else 0


def _pairs(files: list[str], listing: str | None) -> list[tuple[str, str]]:
    if len(files) % 2:
        raise InputError(f"files come in pairs, Vietnamese then English; {files[-1]} has no English version")
    pairs = list(zip(files[::2], files[1::2], strict=True))
    if listing:
        from songngu.textfile import read_text

        base = Path(listing).parent
        for number, line in enumerate(read_text(listing).splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 2 or not all(field.strip() for field in fields):
                raise InputError(f"{listing}:{number}: expected 'VI<TAB>EN' (two paths), found {line[:60]!r}")
            pairs.append((str(base / fields[0].strip()), str(base / fields[1].strip())))
    if not pairs:
        raise InputError("nothing to align: give VI EN file pairs or --pairs LIST.tsv")
    return pairs


def _translator(model: str, device: str) -> tuple[TranslateBatch, Translator]:
    """A function translating Vietnamese sentences with ``model``, and the translator (loaded here:
    the model stack is imported only when --model is given)."""
    from songngu.translate.engine import TranslationRequest, Translator

    translator = Translator.load(model, device=device)

    def translate(sentences: list[str]) -> list[str]:
        requests = [TranslationRequest(sentence) for sentence in sentences]
        return [t.text for t in translator.translate(requests, progress=sys.stderr.isatty())]

    return translate, translator


def _summary(article: AlignedArticle, out_dir: str, stored: StoreCounts | None) -> str:
    kinds = Counter(bead.kind for bead in article.beads)
    shown = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items(), key=lambda item: -item[1]))
    low = sum(1 for bead in article.beads if bead.bitext and bead.score < article.min_score)
    memory = ""
    if stored is not None:
        known = stored.origins + stored.present
        already = f" ({known} pairs already there)" if known else ""
        memory = f"; {stored.added} stored in the memory{already}"
    noun = "bead" if len(article.beads) == 1 else "beads"
    return (
        f"{article.vi_path} + {article.en_path}: {len(article.beads)} {noun} ({shown}), "
        f"{low} low confidence{memory} → {Path(out_dir) / article.name}.*"
    )


def _fraction(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {value}")
    return number
