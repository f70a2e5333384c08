"""Where a translation's CPU time goes, operator by operator (``torch.profiler``), for issue #22.

Builds the random MarianMT of opus-mt-vi-en's shape that ``bench_engines.py`` uses, translates one
batch of FLORES-200 sentences with the glossary's constraints (or without: ``--plain``), warmed up,
once unprofiled (its process CPU time is printed) and once under the profiler, then prints the
operators by self CPU time, grouped by input shape, so the output layer (``[64, 512]`` into 53,685
outputs) and the decoder layers' products stand apart from the rest. The profiler's own overhead
adds about 10% to the total; the shares are what to read.

Usage: ``python benchmarks/profile_search.py [--sentences 16] [--precision int8] [--threads 1]
[--plain] [--rows 30]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from songngu.translate.precision import quiet_model_stack  # noqa: E402  (before transformers loads)

quiet_model_stack()

from bench_decoding import requests  # noqa: E402
from model_factory import build_opus_mt_shape  # noqa: E402

from songngu.translate.engine import TranslationRequest, Translator  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=16)
    parser.add_argument("--precision", default="int8")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--max-length", type=int, default=40)
    parser.add_argument("--plain", action="store_true", help="without the constraints")
    parser.add_argument("--rows", type=int, default=30, help="operators to print")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    chosen = requests(args.sentences)
    if args.plain:
        chosen = [TranslationRequest(r.source) for r in chosen]
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = build_opus_mt_shape(Path(tmp) / "opus-mt-vi-en-shape")
        translator = Translator.load(str(model_dir), device="cpu", precision=args.precision)

        def run(count: int) -> None:
            translator.translate(
                chosen[:count], beam=args.beam, max_length=args.max_length, batch_size=len(chosen)
            )

        run(min(4, len(chosen)))  # warm-up: packing, buffers, kernel choices
        start = time.process_time()
        run(len(chosen))
        print(f"{len(chosen)} sentences, {args.precision}: {time.process_time() - start:.2f} s of CPU time")
        with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as profiled:
            run(len(chosen))
    table = profiled.key_averages(group_by_input_shape=True).table(
        sort_by="self_cpu_time_total",
        row_limit=args.rows,
        max_name_column_width=48,
        max_shapes_column_width=60,
    )
    print(table)


if __name__ == "__main__":
    main()
