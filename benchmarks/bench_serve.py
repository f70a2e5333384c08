"""``songngu serve`` under load: 1, 8 and 32 concurrent clients over loopback, against the command
line translating the same sentences in one batch.

The server runs as ``songngu serve`` in a process of its own (the default settings: dynamic batching,
a 5 ms window, at most 256 sentences per model call, search batches of 16) with the seed glossary.
Each client sends one sentence per request (what Weblate and OmegaT do per string), LibreTranslate
API, JSON, until the sentences run out; the rate is sentences over wall time, the latency each
request's, p50 and p95. The reference is the command line's translation step (``songngu translate``
on one article holding every sentence: ``pipeline.translate_articles`` with the same glossary,
settings and precision), timed in a process of its own after its model has loaded, so neither side
pays for loading. Every server answer is checked against the command line's translation of the same
sentence (they must be equal), and the server's resident memory is read after each run (peak and
current: flat under load is the point of the bounded queue).

The model is a random MarianMT of opus-mt-vi-en's exact shape (``--model opus``, the default, as in
``bench_engines.py``: every sentence decodes to the length limit), or a small one (``--model small``:
d_model 256, 3+3 layers) for a quick run. Runs are interleaved (reference, 1, 8, 32 clients, then
again) and the best of ``--repeats`` is kept: the machine is shared. Goal: at 32 clients at least
0.8 of the command line's sentences per second.

Usage: ``python benchmarks/bench_serve.py [--model opus|small] [--sentences 96] [--repeats 2]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
GLOSSARY = ROOT / "seeds" / "glossary.csv"
SERVING = re.compile(r"serving .* on http://127\.0\.0\.1:(\d+)/")


def sentences(count: int) -> list[str]:
    """The first ``count`` FLORES-200 devtest sentences."""
    lines = (ROOT / "data" / "flores200" / "vie_Latn.devtest").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()][:count]


def reference_worker(model: str, texts_file: str, beam: int, max_length: int, precision: str) -> None:
    """In its own process: the command line's translation step on one article of every sentence;
    prints its seconds (model loaded first, warmed up) and translations as JSON."""
    from songngu.glossary.formats import load_glossary
    from songngu.glossary.matcher import GlossaryMatcher
    from songngu.translate.engine import Translator
    from songngu.translate.formats.moses import line_breaks_to_spaces
    from songngu.translate.pipeline import ArticleSource, DecodingSettings, LocalEngine, translate_articles

    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    glossary = load_glossary(GLOSSARY)
    matcher = GlossaryMatcher(glossary)
    engine = LocalEngine(Translator.load(model, precision=precision))
    settings = DecodingSettings(beam=beam, max_length=max_length, with_unconstrained=False)
    article = ArticleSource("all.txt", "all", "\n\n".join(texts) + "\n")  # one sentence a paragraph
    warm = ArticleSource("warm.txt", "warm", "\n\n".join(texts[:8]) + "\n")
    list(translate_articles([warm], engine=engine, glossary=glossary, matcher=matcher, settings=settings))
    start = time.perf_counter()
    (done,) = translate_articles(
        [article], engine=engine, glossary=glossary, matcher=matcher, settings=settings
    )
    seconds = time.perf_counter() - start
    # Each sentence is a paragraph, which may hold more than one segment: its English is theirs
    # joined as the .en.txt file (and the server's answer) joins them.
    english = [
        " ".join(t for t in (line_breaks_to_spaces(r.target).strip() for r in results) if t)
        for _, results in groupby(done.results, key=lambda r: r.paragraph)
    ]
    print(json.dumps({"seconds": seconds, "targets": english}))


def reference(model: Path, texts_file: Path, args: argparse.Namespace) -> tuple[float, list[str]]:
    done = subprocess.run(
        [sys.executable, __file__, "--reference-worker", str(model), str(texts_file), *decoding(args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["seconds"]), list(result["targets"])


def decoding(args: argparse.Namespace) -> list[str]:
    """The decoding options both sides get."""
    return ["--beam", str(args.beam), "--max-length", str(args.max_length), "--precision", args.precision]


async def clients(url: str, texts: list[str], count: int) -> tuple[float, list[float], list[str]]:
    """``count`` clients sending one sentence per request until all are sent: wall seconds, each
    request's latency, and the answers in sentence order."""
    import httpx

    pending = list(enumerate(texts))
    answers: list[str] = [""] * len(texts)
    latencies: list[float] = []

    async def client(http: httpx.AsyncClient) -> None:
        while pending:
            index, text = pending.pop(0)
            started = time.perf_counter()
            response = await http.post(f"{url}/translate", json={"q": text, "source": "vi", "target": "en"})
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
            answers[index] = response.json()["translatedText"]

    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(timeout=600, limits=limits) as http:
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(count)))
        return time.perf_counter() - start, latencies, answers


def memory_kib(pid: int) -> tuple[int, int]:
    """The process's resident memory now and at its peak (VmRSS, VmHWM), in KiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=("opus", "small"), default="opus")
    parser.add_argument("--sentences", type=int, default=96)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--max-length", type=int, default=40)
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--reference-worker", nargs=2, metavar=("MODEL", "TEXTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference_worker:
        reference_worker(*args.reference_worker, args.beam, args.max_length, args.precision)
        return

    from model_factory import build_marian, build_opus_mt_shape

    counts = [int(c) for c in args.clients.split(",")]
    texts = sentences(args.sentences)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        print(f"building the {args.model} model ...", file=sys.stderr)
        if args.model == "opus":
            model = build_opus_mt_shape(directory / "model")
        else:
            model = build_marian(directory / "model", d_model=256, layers=3, heads=4, ffn=1024, seed=0)
        texts_file = directory / "texts.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        command = ["-m", "songngu", "serve", "--model", str(model), "-g", str(GLOSSARY), "--port", "0"]
        server = subprocess.Popen(
            [sys.executable, *command, *decoding(args)],
            cwd=tmp,
            env=environment,
            stdin=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stderr is not None
            url = None
            for line in server.stderr:
                if found := SERVING.search(line):
                    url = f"http://127.0.0.1:{found.group(1)}"
                    break
            if url is None:
                raise SystemExit("the server did not start")
            asyncio.run(clients(url, texts[:8], 8))  # warm-up
            best: dict[str, float] = {}
            p50: dict[str, float] = {}
            p95: dict[str, float] = {}
            memory: dict[str, tuple[int, int]] = {}
            expected: list[str] | None = None
            same = True
            for _ in range(args.repeats):
                seconds, targets = reference(model, texts_file, args)
                expected = expected or targets
                best["command line"] = min(best.get("command line", float("inf")), seconds)
                for count in counts:
                    label = f"{count} client{'s' if count > 1 else ''}"
                    wall, latencies, answers = asyncio.run(clients(url, texts, count))
                    same &= answers == expected
                    if wall < best.get(label, float("inf")):
                        best[label] = wall
                        cuts = statistics.quantiles(latencies, n=20)
                        p50[label], p95[label] = statistics.median(latencies), cuts[18]
                    memory[label] = memory_kib(server.pid)
        finally:
            server.terminate()
            server.wait(60)
    reference_rate = len(texts) / best["command line"]
    print(
        f"{len(texts)} FLORES-200 sentences, {args.model} model, beam {args.beam}, max length "
        f"{args.max_length}, precision {args.precision}, best of {args.repeats}; "
        f"server answers identical to the command line's: {same}"
    )
    print("| run | sentences/s | × command line | p50 latency | p95 latency | server RSS (peak) |")
    print("|---|---|---|---|---|---|")
    print(f"| command line, one batch | {reference_rate:.2f} | 1.00 | | | |")
    for count in counts:
        label = f"{count} client{'s' if count > 1 else ''}"
        rate = len(texts) / best[label]
        now, peak = memory[label]
        print(
            f"| {label} | {rate:.2f} | {rate / reference_rate:.2f} | {p50[label] * 1000:.0f} ms | "
            f"{p95[label] * 1000:.0f} ms | {now / 1024:.0f} MiB ({peak / 1024:.0f} MiB) |"
        )


if __name__ == "__main__":
    main()
