"""``songngu translate FILE... --out DIR``: the main job."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from songngu.errors import InputError
from songngu.translate import DEFAULT_MODEL
from songngu.translate.cli.arguments import POSITIVE, add_search_options, file_pattern
from songngu.translate.corpus import DEFAULT_PATTERNS, ArticleJob
from songngu.translate.records import ArticleTranslation, Method, SegmentResult

if TYPE_CHECKING:
    from songngu.glossary.matcher import GlossaryMatcher
    from songngu.glossary.model import Glossary
    from songngu.translate.documents.rebuild import ReviewedLookup
    from songngu.translate.pipeline import ArticleSource, DecodingSettings, Engine, ModelRef


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``translate`` command."""
    parser = commands.add_parser(
        "translate",
        help="translate Vietnamese articles held to a glossary",
        description="Translate UTF-8 Vietnamese articles sentence by sentence: text, or documents "
        "(.html, .htm, .docx, .md, .odt). For each FILE writes "
        "DIR/<name>.jsonl, .en.txt, .tsv, .vi, .en, .tmx, .po and .xlf (the .po and .xlf merged with the "
        "reviewed ones already there, printing what each merge kept, moved, changed, added and made "
        "obsolete), and for a document the same document in English, DIR/<name>.en.<ext>; "
        "a FOLDER is searched recursively and its articles write at their relative paths under DIR. "
        "Articles whose outputs are up to date (same text, glossary, model and settings) are skipped.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE|FOLDER")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="output directory")
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"Hugging Face model id or local MarianMT directory (default {DEFAULT_MODEL})",
    )
    parser.add_argument("--glossary", "-g", help="glossary (CSV, TSV or TBX) whose terms the output must use")
    parser.add_argument("--tm", metavar="DB", help="translation memory (SQLite) to reuse human translations")
    add_search_options(parser)
    parser.add_argument(
        "--glob",
        type=file_pattern,
        default=DEFAULT_PATTERNS,
        metavar="PATTERN",
        help="files to take from a FOLDER, matched on the path inside it (default: "
        + " ".join(DEFAULT_PATTERNS)
        + ")",
    )
    parser.add_argument(
        "--force", action="store_true", help="translate every article again, even those up to date"
    )
    parser.add_argument(
        "--ray",
        metavar="ADDRESS|local",
        help="translate on a Ray cluster (ray://host:10001 or host:6379), or `local`: Ray on this machine "
        "(needs pip install 'songngu[ray]')",
    )
    parser.add_argument(
        "--ray-actors",
        type=POSITIVE,
        metavar="N",
        help="model copies on Ray (default: one per CPU core of the cluster)",
    )
    parser.add_argument(
        "--no-compare",
        action="store_true",
        help="skip the unconstrained translation shown to reviewers next to the constrained one",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Translate every readable article that is not up to date; exit 2 if any input was refused.

    The steps, in order: find the articles and where their outputs go; read each one; check every
    output location and existing catalog; skip the articles whose outputs are up to date; only then
    open the memory and load the model (not at all when nothing needs work); translate across
    articles, writing each article's files as soon as it is done.
    """
    # Imported here, not at the top: `songngu --help` and the model-free commands must not pay
    # for torch and transformers, which the engine and the pipeline pull in.
    from songngu.glossary.formats import load_glossary
    from songngu.glossary.matcher import GlossaryMatcher
    from songngu.translate.cli.notice import say
    from songngu.translate.corpus import discover
    from songngu.translate.engine import locate_model
    from songngu.translate.formats import merge_summaries, prepare_outputs, write_outputs
    from songngu.translate.memory import TranslationMemory
    from songngu.translate.pipeline import DecodingSettings, ModelRef, translate_articles
    from songngu.translate.progress import CorpusProgress
    from songngu.translate.qa.checker import QualityChecker, build_checks
    from songngu.translate.qa.length import FLORES_MODEL, memory_model
    from songngu.translate.records import new_run_id

    if args.ray:
        from songngu.translate.ray_engine import require_ray

        require_ray()
    own_outputs: list[Path] = []
    jobs = discover(args.files, args.out, args.glob, on_own_output=own_outputs.append)
    if len(own_outputs) == 1:
        say(f"left out {own_outputs[0]}: one of songngu's own outputs (its .jsonl records the run)")
    elif own_outputs:
        say(
            f"left out {len(own_outputs)} of songngu's own outputs (their .jsonl records the run), "
            f"such as {own_outputs[0]}"
        )
    glossary = load_glossary(args.glossary) if args.glossary else None
    settings = DecodingSettings(
        beam=args.beam,
        max_length=args.max_length,
        batch_size=args.batch_size,
        with_unconstrained=not args.no_compare,
    )
    readable, refused = read_articles(jobs)
    if not readable:
        return 2
    # Every output of the run is checked before the model is even located: an unwritable --out or
    # a broken reviewed catalog stops the run at once, before any article is written.
    out = Path(args.out)
    prepare_outputs([(job.out_dir / job.name).relative_to(out).as_posix() for job, _ in readable], out)
    for job, _ in readable:
        if job.english_document is not None and job.english_document.is_dir():
            raise InputError(f"{job.english_document}: is a directory, where songngu writes a file")
    _, revision = locate_model(args.model)
    model = ModelRef(args.model, revision, precision=_planned_precision(args))
    plan = plan_run(readable, glossary, model, settings, force=args.force)
    if plan.up_to_date:
        print(
            f"songngu: {plan.up_to_date} of {len(jobs)} articles up to date, skipped (--force redoes them)",
            file=sys.stderr,
        )
    rebuild_reviewed(readable, [job for job, _ in plan.todo])
    if not plan.todo:
        return 2 if refused else 0

    matcher = GlossaryMatcher(glossary) if glossary else None
    # Opened before the model loads, so a broken memory is reported at once. One not created yet is
    # an empty memory: a desk's script passes --tm from day one, before any review is imported.
    memory = None
    if args.tm and not Path(args.tm).exists():
        say(f"{args.tm}: no translation memory there yet; translating as with an empty one")
    elif args.tm:
        memory = TranslationMemory(args.tm, create=False, write=False, on_wait=say)
    # Every sentence is checked as it is translated; the length ratio is the desk's own when its
    # memory holds enough reviewed units.
    checker = QualityChecker(build_checks(length_model=memory_model(memory) if memory else FLORES_MODEL))
    progress: CorpusProgress | None = None
    engine: Engine | None = None
    try:
        engine = _engine(args)
        progress = CorpusProgress(len(plan.todo), plan.sentences)
        articles = translate_articles(
            [source for _, source in plan.todo],
            engine=engine,
            glossary=glossary,
            matcher=matcher,
            memory=memory,
            settings=settings,
            on_progress=progress.update,
            run_id=new_run_id(),  # one id for every file of this run
            checker=checker,
        )
        for (job, source), article in zip(plan.todo, articles, strict=True):
            english = _english_document(job, source, article, matcher)
            merged = merge_summaries(article, job.out_dir)
            write_outputs(article, job.out_dir, extra=english)
            progress.write(_summary(article, job.out_dir))
            for path, summary in merged:
                progress.write(f"{path}: merged with the reviewed file: {summary.text()}")
    finally:
        if progress is not None:
            progress.close()
        if engine is not None:
            engine.close()
        if memory is not None:
            memory.close()
    return 2 if refused else 0


def read_articles(jobs: Sequence[ArticleJob]) -> tuple[list[tuple[ArticleJob, ArticleSource]], int]:
    """Every article, read (a document parsed) before anything else (a bad file is reported at once,
    and gets no output), and how many were refused."""
    from songngu.translate.pipeline import ArticleSource

    readable: list[tuple[ArticleJob, ArticleSource]] = []
    refused = 0
    for job in jobs:
        try:
            readable.append((job, replace(ArticleSource.read(job.source), name=job.name)))
        except InputError as exc:
            print(f"songngu: {exc}", file=sys.stderr)
            refused += 1
    return readable, refused


@dataclass(frozen=True)
class RunPlan:
    """The articles a run will translate, with their jobs, and how many are left as up to date."""

    todo: list[tuple[ArticleJob, ArticleSource]]
    sentences: int  # in the articles to translate
    up_to_date: int


def plan_run(
    readable: Sequence[tuple[ArticleJob, ArticleSource]],
    glossary: Glossary | None,
    model: ModelRef,
    settings: DecodingSettings,
    *,
    force: bool = False,
) -> RunPlan:
    """Keep the articles whose outputs are not up to date (all of them with ``force``)."""
    from songngu.translate.pipeline import run_info
    from songngu.translate.resume import OutputKey, up_to_date

    todo: list[tuple[ArticleJob, ArticleSource]] = []
    sentences = skipped = 0
    for job, source in readable:
        key = OutputKey.of(run_info(model, glossary, settings, source.checksum))
        if not force and up_to_date(job, key):
            skipped += 1
            continue
        todo.append((job, source))
        sentences += len(source.segments())
    return RunPlan(todo, sentences, skipped)


def _english_document(
    job: ArticleJob, source: ArticleSource, article: ArticleTranslation, matcher: GlossaryMatcher | None
) -> list[tuple[Path, bytes]]:
    """For a document, the English one (written with the article's other files), and each record's
    inline elements whose place could not be found noted on it for the reviewer."""
    if source.document is None or job.english_document is None:
        return []
    from songngu.translate.documents.rebuild import english_document, recorded_terms
    from songngu.translate.documents.wordalign import TermSpan

    def terms(result: SegmentResult) -> list[TermSpan]:
        if matcher is None:
            return recorded_terms(result)
        return [TermSpan(m.start, m.end, m.targets) for m in matcher.find(result.source)]

    english = english_document(source.document, article.name, article.results, terms, _confirmed(job))
    for result in article.results:
        result.unplaced = english.unplaced.get(result.id, ())
        markup = english.markup.get(result.id)
        if markup is not None:
            result.source_markup, result.target_markup = markup.source, markup.target
    _say_tag_problems(job, english.problems)
    return [(job.english_document, english.data)]


def _confirmed(job: ArticleJob) -> ReviewedLookup | None:
    """The reviewers' confirmed translations in the job's catalogs already there (PO first)."""
    from songngu.translate.documents.publish import reviewed_lookup
    from songngu.translate.formats.po import PoFormat
    from songngu.translate.formats.xliff import XliffFormat

    return reviewed_lookup([job.out_dir / f"{job.name}{fmt.suffix}" for fmt in (PoFormat, XliffFormat)])


def _say_tag_problems(job: ArticleJob, problems: Mapping[str, str]) -> None:
    for segment_id, problem in problems.items():
        print(
            f"songngu: {job.out_dir / job.name}.po: {segment_id}: the reviewer's translation {problem}; "
            f"its elements are put back where the aligner places them: check them in {job.english_document}",
            file=sys.stderr,
        )


def rebuild_reviewed(
    readable: Sequence[tuple[ArticleJob, ArticleSource]], todo: Sequence[ArticleJob]
) -> None:
    """For each document not translated again (up to date), the English document written again from
    its reviewed catalog, with no model: the reviewers' confirmed translations with their tags, the
    run's own for the rest (as its JSONL records them)."""
    from songngu.textfile import write_atomic
    from songngu.translate.documents.rebuild import english_document
    from songngu.translate.formats.jsonl import JsonlFormat

    for job, source in readable:
        if job in todo or source.document is None or job.english_document is None:
            continue
        confirmed = _confirmed(job)
        if confirmed is None or not job.records.is_file():
            continue
        records = JsonlFormat().read(job.records)
        english = english_document(source.document, job.name, records.results, reviewed=confirmed)
        _say_tag_problems(job, english.problems)
        if not job.english_document.is_file() or job.english_document.read_bytes() != english.data:
            write_atomic(job.english_document, english.data)
            print(
                f"songngu: {job.english_document}: written again from the review: "
                f"{len(english.reviewed)} of {len(records.results)} sentences as a reviewer confirmed them",
                file=sys.stderr,
            )


def _engine(args: argparse.Namespace) -> Engine:
    """The model, loaded in this process, or a pool of actors each loading it on Ray."""
    if args.ray:
        from songngu.translate.ray_engine import RayEngine

        return RayEngine(
            args.ray, args.model, device=args.device, precision=args.precision, actors=args.ray_actors
        )
    from songngu.translate.engine import Translator
    from songngu.translate.pipeline import LocalEngine

    return LocalEngine(Translator.load(args.model, device=args.device, precision=args.precision))


def _planned_precision(args: argparse.Namespace) -> str:
    """The precision this run will record, known before the model loads: what ``auto`` stands for
    on the device (on CUDA the fp16 overflow probe may still pick bf16, which then redoes those
    articles on the next run: a wasted run, never a stale output)."""
    from songngu.translate.engine import resolve_device
    from songngu.translate.precision import resolve

    if args.ray:  # Ray actors get a GPU only when --device names CUDA
        return resolve(args.precision, "cpu" if args.device == "auto" else args.device).value
    return resolve(args.precision, resolve_device(args.device)).value


def _summary(article: ArticleTranslation, out_dir: Path) -> str:
    from songngu.translate.qa.report import count_by_check

    findings = [f for result in article.results for f in result.qa if f.needs_review]
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
        + (f", {len(findings)} QA findings ({count_by_check(findings)})" if findings else "")
        + f" → {out_dir / article.name}.*"
    )
