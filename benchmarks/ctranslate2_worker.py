"""CTranslate2 in a process of its own, for ``bench_engines.py``.

CTranslate2's OpenMP threads keep spinning for a while after each call (Intel OpenMP's block time).
In the benchmark's own process they took the two cores from whichever engine was timed next: songngu
ran at about 60% of its speed beside them. So each CTranslate2 measurement runs here, in a fresh
process whose threads end with it, and reports its own time.

Reads a JSON request on stdin, writes a JSON answer on stdout:
``{"convert": MODEL_DIR, "to": DIR}`` converts a transformers model to int8;
``{"model": DIR, "pieces": [[...]], "inter": N, "intra": N, "beam": N, "length": N, "batch": N}``
warms up, translates once and answers ``{"seconds": S, "cpu_seconds": C, "hypotheses": [[piece, ...],
...]}`` (wall-clock and process CPU time of the translation).
"""

from __future__ import annotations

import json
import sys
import time

import ctranslate2


def main() -> None:
    request = json.loads(sys.stdin.read())
    if "convert" in request:
        converter = ctranslate2.converters.TransformersConverter(request["convert"])
        converter.convert(request["to"], quantization="int8", force=True)
        print(json.dumps({"converted": request["to"]}))
        return
    engine = ctranslate2.Translator(
        request["model"],
        device="cpu",
        compute_type="int8",
        inter_threads=request["inter"],
        intra_threads=request["intra"],
    )
    options = {
        "beam_size": request["beam"],
        "max_decoding_length": request["length"],
        "max_batch_size": request["batch"],
        "length_penalty": 1.0,
    }
    engine.translate_batch(request["pieces"][:4], **options)  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    results = engine.translate_batch(request["pieces"], **options)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    hypotheses = [r.hypotheses[0] for r in results]
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "hypotheses": hypotheses}))


if __name__ == "__main__":
    main()
