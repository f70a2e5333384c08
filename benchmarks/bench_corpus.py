"""Throughput on many small articles against the same sentences as one article.

Builds a small random MarianMT (real SentencePiece tokenizers), takes FLORES-200 devtest sentences,
and translates them three ways through ``pipeline.translate_articles``:

* ``one article``: every sentence in one article (the best batching one process can get);
* ``corpus``: the same sentences as many small articles, batched across articles (what
  ``songngu translate DIR`` does);
* ``article by article``: each small article translated on its own (what songngu did before).

Runs are warmed up and interleaved; the minimum over repeats is reported. Prints sentences per
second for each and the ratio corpus / one article (target ≥ 0.9).
Usage: ``python benchmarks/bench_corpus.py [--articles N] [--per-article K] [--repeats R]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from model_factory import build_marian  # noqa: E402

from songngu.glossary.formats import load_glossary  # noqa: E402
from songngu.glossary.matcher import GlossaryMatcher  # noqa: E402
from songngu.glossary.model import Glossary  # noqa: E402
from songngu.translate.engine import Translator  # noqa: E402
from songngu.translate.pipeline import (  # noqa: E402
    ArticleSource,
    DecodingSettings,
    LocalEngine,
    translate_articles,
)
from songngu.translate.records import ArticleTranslation  # noqa: E402


def corpus(articles: int, per_article: int) -> list[list[str]]:
    """``articles`` lists of ``per_article`` FLORES-200 sentences (of any length, in file order)."""
    lines = (ROOT / "data" / "flores200" / "vie_Latn.devtest").read_text(encoding="utf-8").splitlines()
    lines = [line.strip() for line in lines if line.strip()]
    if len(lines) < articles * per_article:
        raise SystemExit(f"only {len(lines)} sentences available")
    return [lines[i * per_article : (i + 1) * per_article] for i in range(articles)]


def sources(groups: Sequence[Sequence[str]]) -> list[ArticleSource]:
    # One sentence per paragraph: segmentation gives back exactly these sentences.
    return [
        ArticleSource(f"bai-{i}.txt", f"bai-{i}", "\n\n".join(group) + "\n") for i, group in enumerate(groups)
    ]


def run(
    engine: LocalEngine,
    glossary: Glossary,
    matcher: GlossaryMatcher,
    articles: list[ArticleSource],
    settings: DecodingSettings,
    *,
    alone: bool,
) -> tuple[float, list[str]]:
    start = time.perf_counter()
    done: list[ArticleTranslation] = []
    batches = [[a] for a in articles] if alone else [articles]
    for batch in batches:
        done += translate_articles(
            batch, engine=engine, glossary=glossary, matcher=matcher, settings=settings
        )
    elapsed = time.perf_counter() - start
    return elapsed, [r.target for article in done for r in article.results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--per-article", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--max-length", type=int, default=24)
    args = parser.parse_args()
    torch.set_num_threads(1)  # the machine is shared: one thread gives steadier numbers

    groups = corpus(args.articles, args.per_article)
    small = sources(groups)
    whole = sources([[s for group in groups for s in group]])
    sentences = args.articles * args.per_article
    settings = DecodingSettings(beam=4, max_length=args.max_length, batch_size=16, with_unconstrained=True)
    glossary = load_glossary(ROOT / "seeds" / "glossary.csv")
    matcher = GlossaryMatcher(glossary)
    with tempfile.TemporaryDirectory() as tmp:
        model = build_marian(Path(tmp), d_model=64, layers=2, heads=4, ffn=128, seed=0)
        engine = LocalEngine(Translator.load(str(model), device="cpu"))
        run(engine, glossary, matcher, small[:10], settings, alone=False)  # warm-up
        timings: dict[str, list[float]] = {"one article": [], "corpus": [], "article by article": []}
        outputs: dict[str, list[str]] = {}
        for _ in range(args.repeats):
            for label, articles, alone in (
                ("one article", whole, False),
                ("corpus", small, False),
                ("article by article", small, True),
            ):
                elapsed, targets = run(engine, glossary, matcher, articles, settings, alone=alone)
                timings[label].append(elapsed)
                outputs[label] = targets
    best = {label: min(times) for label, times in timings.items()}
    print(
        f"{sentences} sentences: {args.articles} articles of {args.per_article}, beam 4, batch 16, "
        f"max length {args.max_length}, 1 thread"
    )
    for label, seconds in best.items():
        print(f"  {label:<20} {sentences / seconds:7.1f} sentences/s  ({seconds:.2f} s)")
    same = outputs["corpus"] == outputs["one article"] == outputs["article by article"]
    print(f"  identical translations: {same}")
    print(f"  corpus / one article throughput: {best['one article'] / best['corpus']:.2f} (target >= 0.9)")
    print(f"  corpus / article by article:     {best['article by article'] / best['corpus']:.2f}")


if __name__ == "__main__":
    main()
