"""Engines side by side, in one run, on the same sentences: songngu's search (with and without the
glossary's constraints) at fp32 and int8, transformers' ``generate`` at fp32, and CTranslate2 at int8.

The model is a randomly initialised MarianMT of exactly opus-mt-vi-en's shape (see
``bench_decoding.py``), so the numbers measure cost, not quality. A random model never ends a
sentence early: every engine decodes to the length limit, and the mean output length is printed to
show that they do the same work. songngu searches as many batches at once as ``translate`` does
(:mod:`songngu.translate.streams`), with a row for one batch at a time; CTranslate2 runs with its
default settings and with the same number of batches at once (``inter_threads``), and the faster of
the two is the reference; each CTranslate2 run is a process of its own that times itself (its
idle threads spin and, in this process, slowed the engines timed after it). CTranslate2 is an
optional benchmark dependency (``pip install
ctranslate2``); without it its rows are skipped with a message. The engines are warmed up, then timed
in turn ``--repeats`` times (interleaved, the best kept: the machine is shared and noisy); the ratios
are what to read.

Usage: ``python benchmarks/bench_engines.py [--sentences 24] [--threads N] [--precisions fp32,int8]
[--cpu-time]``. On a shared machine ``--threads 1 --cpu-time`` compares the engines' work.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from songngu.translate.precision import quiet_model_stack  # noqa: E402  (before transformers loads)

quiet_model_stack()

from bench_decoding import DecoderWork, requests  # noqa: E402
from model_factory import OPUS_MT_VI_EN_VOCAB, build_opus_mt_shape  # noqa: E402

from songngu.translate.engine import TranslationRequest, Translator  # noqa: E402
from songngu.translate.precision import cpu_capability, default_int8_kernel  # noqa: E402
from songngu.translate.streams import default_streams  # noqa: E402

GOAL = 1.25  # issue #22: songngu int8 with constraints against CTranslate2 int8 without


def cpu_description() -> str:
    """The CPU's name and the instruction sets that decide the int8 kernels (torch's view)."""
    capability = cpu_capability()
    names = ("avx2", "avx512_f", "avx512_vnni", "avx_vnni", "amx_int8")
    sets = ", ".join(name for name in names if capability.get(name)) or "no AVX2"
    return f"{capability.get('cpu_name', 'unknown')} ({sets})"


@dataclass
class Row:
    """One engine: ``run(n)`` translates the first ``n`` sentences: (texts, work, terms met, seconds),
    where work is the number of decoder steps for the torch engines and output tokens for
    CTranslate2, and seconds is the time the engine measured itself (None: time the call)."""

    name: str
    run: Callable[[int], tuple[list[str], int, int | None, float | None]]
    best: float = float("inf")
    work: int = 0
    met: int | None = None


_COUNTERS: dict[int, DecoderWork] = {}


def counter(translator: Translator) -> DecoderWork:
    """One decoder-step counter per model (a second hook on the same model would count twice)."""
    if id(translator.model) not in _COUNTERS:
        _COUNTERS[id(translator.model)] = DecoderWork(translator)
    return _COUNTERS[id(translator.model)]


def songngu_row(
    name: str, translator: Translator, reqs: list[TranslationRequest], args: argparse.Namespace
) -> Row:
    work = counter(translator)

    def run(n: int) -> tuple[list[str], int, int | None, float | None]:
        results = translator.translate(
            reqs[:n], beam=args.beam, max_length=args.max_length, batch_size=args.batch
        )
        steps = work.take()[0]
        constrained = any(r.constraints for r in reqs)
        met = sum(not r.violated and all(r.met) for r in results) if constrained else None
        return [r.text for r in results], steps, met, None

    return Row(name, run)


def generate_row(translator: Translator, sources: list[str], args: argparse.Namespace) -> Row:
    tokenizer, model = translator.tokenizer, translator.model
    work = counter(translator)

    def run(n: int) -> tuple[list[str], int, int | None, float | None]:
        texts: list[str] = []
        work.take()
        with torch.inference_mode():
            for start in range(0, n, args.batch):
                batch = tokenizer(
                    sources[start : min(n, start + args.batch)], return_tensors="pt", padding=True
                )
                output = model.generate(
                    **batch,
                    num_beams=args.beam,
                    do_sample=False,
                    max_length=args.max_length,
                    early_stopping=False,
                )
                texts += tokenizer.batch_decode(output, skip_special_tokens=True)
        return texts, work.take()[0], None, None

    return Row("transformers generate, fp32", run)


def ctranslate2_rows(
    model_dir: Path, work: Path, translator: Translator, sources: list[str], args
) -> list[Row]:
    """CTranslate2 as configured by default (one batch at a time on every thread) and with as many
    batches at once as songngu runs (``inter_threads``): the faster of the two is the reference.
    Each run is a process of its own (``ctranslate2_worker.py`` says why) that times itself."""
    if importlib.util.find_spec("ctranslate2") is None:
        print("CTranslate2 rows skipped: ctranslate2 is not installed (pip install ctranslate2)")
        return []
    converted = work / "ct2-int8"
    _ctranslate2({"convert": str(model_dir), "to": str(converted)})
    streams = default_streams("cpu", -(-len(sources) // args.batch))
    tokenizer = translator.tokenizer
    pieces = [tokenizer.convert_ids_to_tokens(tokenizer(s).input_ids) for s in sources]
    rows = [_ctranslate2_row(converted, translator, pieces, args, 1)]
    if streams > 1:
        rows.append(_ctranslate2_row(converted, translator, pieces, args, streams))
    return rows


def _ctranslate2(request: dict) -> dict:
    worker = Path(__file__).resolve().parent / "ctranslate2_worker.py"
    done = subprocess.run(
        [sys.executable, str(worker)], input=json.dumps(request), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ctranslate2_row(
    converted: Path, translator: Translator, pieces: list[list[str]], args, inter: int
) -> Row:
    tokenizer = translator.tokenizer

    def run(n: int) -> tuple[list[str], int, int | None, float | None]:
        answer = _ctranslate2(
            {
                "model": str(converted),
                "pieces": pieces[:n],
                "inter": inter,
                "intra": max(1, args.threads // inter),
                "beam": args.beam,
                # generate's max_length counts the decoder start token; CTranslate2's length does not.
                "length": args.max_length - 1,
                "batch": args.batch,
            }
        )
        hypotheses = answer["hypotheses"]
        texts = [tokenizer.convert_tokens_to_string(h) for h in hypotheses]
        seconds = answer["cpu_seconds" if args.cpu_time else "seconds"]
        return texts, sum(len(h) for h in hypotheses), None, seconds

    name = "CTranslate2 4.x, int8, no constraints"
    return Row(name if inter == 1 else f"{name}, inter_threads {inter}", run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=24)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--max-length", type=int, default=40, help="target tokens, start token counted")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--precisions", default="fp32,int8", help="songngu precisions, comma-separated")
    parser.add_argument(
        "--shortlist",
        type=int,
        default=8000,
        help="size of the frequent-token list for the int8 shortlist row (0: no such row)",
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time by process CPU time, not the wall clock (with --threads 1: the engines' work, "
        "which other jobs on a shared machine disturb far less than elapsed time)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    clock = time.process_time if args.cpu_time else time.perf_counter

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model_dir = build_opus_mt_shape(work / "opus-mt-vi-en-shape")
        constrained = requests(args.sentences)
        plain = [TranslationRequest(r.source) for r in constrained]
        sources = [r.source for r in constrained]
        translators = {
            p: Translator.load(str(model_dir), device="cpu", precision=p) for p in args.precisions.split(",")
        }
        rows: list[Row] = []
        for precision, translator in translators.items():
            rows.append(songngu_row(f"songngu, {precision}, constrained", translator, constrained, args))
            rows.append(songngu_row(f"songngu, {precision}, no constraints", translator, plain, args))
        if "int8" in translators and default_streams("cpu", -(-len(sources) // args.batch)) > 1:
            single = Translator.load(str(model_dir), device="cpu", precision="int8")
            single.streams = 1
            rows.append(
                songngu_row("songngu, int8, constrained, one batch at a time", single, constrained, args)
            )
        if args.shortlist and "int8" in translators:
            listed = Translator.load(str(model_dir), device="cpu", precision="int8", shortlist=args.shortlist)
            # The random model's target SentencePiece model has only ~1,000 pieces: pad its frequent list
            # with other ids to the size a real one would give, so the output layer does realistic work.
            filler = torch.arange(OPUS_MT_VI_EN_VOCAB)[: args.shortlist]
            listed._frequent = torch.unique(torch.cat((listed._frequent, filler)))[: args.shortlist]
            rows.append(
                songngu_row(
                    f"songngu, int8, constrained, shortlist {args.shortlist}", listed, constrained, args
                )
            )
            rows.append(
                songngu_row(f"songngu, int8, no constraints, shortlist {args.shortlist}", listed, plain, args)
            )
        reference = translators.get("fp32") or Translator.load(str(model_dir), device="cpu", precision="fp32")
        rows.append(generate_row(reference, sources, args))
        rows += ctranslate2_rows(model_dir, work, reference, sources, args)

        terms = sum(len(r.constraints) for r in constrained)
        print(
            f"random MarianMT of opus-mt-vi-en's shape; {len(sources)} sentences ({terms} terms for the "
            f"constrained rows), beam {args.beam}, batch {args.batch}, max length {args.max_length}, "
            f"{args.threads} thread(s), best of {args.repeats}"
            + (", CPU time (sentences per CPU second)" if args.cpu_time else "")
        )
        print(f"CPU: {cpu_description()}; songngu's int8 product: {default_int8_kernel()}")
        for row in rows:  # warm-up: one-off costs (allocations, kernel choices) on a few sentences
            row.run(min(4, len(sources)))
        for _ in range(args.repeats):
            for row in rows:
                start = clock()
                _, row.work, row.met, seconds = row.run(len(sources))
                row.best = min(row.best, clock() - start if seconds is None else seconds)

    base = min((r for r in rows if r.name.startswith("CTranslate2")), key=lambda r: r.best, default=None)
    generate = next(r for r in rows if r.name.startswith("transformers"))
    print("\n| engine | sentences/s | × generate | × CTranslate2 int8 | steps (CT2: tokens/sent.) | terms |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        rate = len(sources) / row.best
        vs_ct2 = f"{base.best / row.best:.2f}" if base else "–"
        met = "–" if row.met is None else f"{row.met}/{len(sources)}"
        print(
            f"| {row.name} | {rate:.2f} | {generate.best / row.best:.2f} | {vs_ct2} | "
            f"{_work(row, len(sources))} | {met} |"
        )
    goal = next((r for r in rows if r.name == "songngu, int8, constrained"), None)
    if base and goal:
        ratio = base.best / goal.best
        print(
            f"\ngoal: songngu int8 with constraints at least {GOAL}× CTranslate2 int8 without: "
            f"{ratio:.2f}× ({'met' if ratio >= GOAL else 'not met'})"
        )


def _work(row: Row, sentences: int) -> str:
    if row.name.startswith("CTranslate2"):
        return f"({row.work / sentences:.1f})"
    return str(row.work)


if __name__ == "__main__":
    main()
