"""Throughput of ``--ray local`` (one actor per core) against a local run, on the same sentences.

Builds the small random MarianMT of ``bench_corpus.py``, takes FLORES-200 devtest sentences as small
articles, and translates them through ``pipeline.translate_articles`` twice:

* ``local``: one process, torch using every core (model load included);
* ``ray local``: Ray started on this machine, one actor per core, each with one torch thread (the
  actors' start and model load included; ``ray.init`` timed apart).

Prints sentences per second for both, their ratio, and whether the translations are identical.
Needs the Ray extra (``pip install 'songngu[ray]'``).
Usage: ``python benchmarks/bench_ray.py [--articles N] [--per-article K] [--actors A]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_corpus import corpus, sources  # noqa: E402
from model_factory import build_marian  # noqa: E402

from songngu.glossary.formats import load_glossary  # noqa: E402
from songngu.glossary.matcher import GlossaryMatcher  # noqa: E402
from songngu.translate.engine import Translator  # noqa: E402
from songngu.translate.pipeline import DecodingSettings, Engine, LocalEngine, translate_articles  # noqa: E402
from songngu.translate.ray_engine import RayEngine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--per-article", type=int, default=2)
    parser.add_argument("--actors", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--max-length", type=int, default=24)
    args = parser.parse_args()

    articles = sources(corpus(args.articles, args.per_article))
    sentences = args.articles * args.per_article
    settings = DecodingSettings(beam=4, max_length=args.max_length, batch_size=16, with_unconstrained=True)
    glossary = load_glossary(ROOT / "seeds" / "glossary.csv")
    matcher = GlossaryMatcher(glossary)

    def run(make_engine: Callable[[], Engine]) -> tuple[float, list[str]]:
        start = time.perf_counter()
        engine = make_engine()
        done = translate_articles(
            articles, engine=engine, glossary=glossary, matcher=matcher, settings=settings
        )
        targets = [r.target for article in done for r in article.results]
        return time.perf_counter() - start, targets

    with tempfile.TemporaryDirectory() as tmp:
        model = str(build_marian(Path(tmp), d_model=64, layers=2, heads=4, ffn=128, seed=0))
        torch.set_num_threads(args.actors)
        local_time, local_out = run(lambda: LocalEngine(Translator.load(model, device="cpu")))
        started = time.perf_counter()
        ray_engine = RayEngine("local", model, device="cpu", actors=args.actors)
        init_time = time.perf_counter() - started
        try:
            ray_time, ray_out = run(lambda: ray_engine)
        finally:
            ray_engine.close()

    print(
        f"{sentences} sentences in {args.articles} articles, beam 4, batch 16, max length {args.max_length}"
    )
    print(
        f"  local, {args.actors} torch threads  {sentences / local_time:7.1f} sentences/s "
        f"({local_time:.1f} s)"
    )
    print(
        f"  ray local, {args.actors} actors x 1  {sentences / ray_time:7.1f} sentences/s ({ray_time:.1f} s; "
        f"ray.init {init_time:.1f} s apart)"
    )
    print(f"  ray / local throughput: {local_time / ray_time:.2f}")
    print(f"  identical translations: {ray_out == local_out}")


if __name__ == "__main__":
    main()
