"""Speed of glossary-constrained decoding against transformers' own beam search.

Builds a randomly initialised MarianMT with exactly opus-mt-vi-en's shape (transformer-base: d_model
512, 6+6 layers, 8 heads, FFN 2048, shared vocabulary 53,685, swish, tied embeddings, sinusoidal
positions) in a temporary directory, then translates a fixed set of Vietnamese sentences with two or
three terms each at beam 4 and a fixed length limit, timing:

* ``generate``: ``model.generate(num_beams=4)`` on the same batches, no constraints;
* ``constrained``: ``Translator.translate`` (our constrained search, constraints encoded, texts
  decoded and checked).

A random model almost never ends a sentence early, so both run to the length limit: comparable
numbers of decoder steps. Runs are warmed up and interleaved; the minimum over repeats is reported
(the machine is shared). Usage: ``python benchmarks/bench_decoding.py [--repeats N] [--device D]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from model_factory import build_opus_mt_shape  # noqa: E402

from songngu.translate.constraints import TermConstraint  # noqa: E402
from songngu.translate.engine import TranslationRequest, Translator  # noqa: E402


def requests(count: int) -> list[TranslationRequest]:
    """FLORES-200 sentences, each with two or three terms taken from its English reference."""
    flores = ROOT / "data" / "flores200"
    vietnamese = (flores / "vie_Latn.devtest").read_text(encoding="utf-8").splitlines()
    english = (flores / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    chosen: list[TranslationRequest] = []
    for vi, en in zip(vietnamese, english, strict=True):
        words = [w.strip(".,;:\"'()") for w in en.split()]
        words = [w for w in words if len(w) > 3]
        if len(vi) > 160 or len(words) < 4:
            continue
        terms = [f"{words[0]} {words[1]}", words[-1]] + ([words[2]] if len(chosen) % 2 else [])
        constraints = tuple(TermConstraint((term,)) for term in terms)
        chosen.append(TranslationRequest(vi, constraints))
        if len(chosen) == count:
            break
    return chosen


def time_generate(
    translator: Translator, batches: list[list[str]], beam: int, max_length: int
) -> tuple[float, list[str]]:
    start = time.perf_counter()
    texts: list[str] = []
    with torch.inference_mode():
        for batch in batches:
            inputs = translator.tokenizer(batch, return_tensors="pt", padding=True).to(translator.device)
            output = translator.model.generate(
                **inputs, num_beams=beam, do_sample=False, max_length=max_length, early_stopping=False
            )
            texts += translator.tokenizer.batch_decode(output, skip_special_tokens=True)
    _sync(translator.device)
    return time.perf_counter() - start, texts


def time_constrained(
    translator: Translator, reqs: list[TranslationRequest], beam: int, max_length: int, batch_size: int
) -> tuple[float, int, list[str]]:
    start = time.perf_counter()
    results = translator.translate(reqs, beam=beam, max_length=max_length, batch_size=batch_size)
    _sync(translator.device)
    elapsed = time.perf_counter() - start
    return elapsed, sum(not r.violated and all(r.met) for r in results), [r.text for r in results]


class DecoderWork:
    """Counts decoder steps and the hypothesis rows they carry: both searches must do comparable work
    for their times to compare (a search that stops early or drops finished sentences does less)."""

    def __init__(self, translator: Translator) -> None:
        self.steps = self.rows = 0
        # The last decoder layer's first feed-forward layer runs once per step in both searches
        # (songngu's DecoderStep does not go through the decoder module itself).
        translator.model.get_decoder().layers[-1].fc1.register_forward_hook(self._count)

    def _count(self, module: torch.nn.Module, args: tuple, output: object) -> None:
        self.steps += 1
        self.rows += args[0].shape[0]

    def take(self) -> tuple[int, int]:
        """(steps, rows) since the last call."""
        counted = (self.steps, self.rows)
        self.steps = self.rows = 0
        return counted


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=40)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--precision", default="fp32", help="precision of the model both run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        directory = build_opus_mt_shape(Path(tmp) / "opus-mt-vi-en-shape")
        translator = Translator.load(str(directory), device=args.device, precision=args.precision)
    config = translator.model.config
    reqs = requests(args.sentences)
    # generate gets the very batches the engine forms: sorted by source length.
    lengths = [len(translator.tokenizer(r.source).input_ids) for r in reqs]
    order = sorted(range(len(reqs)), key=lambda i: (lengths[i], i))
    batches = [
        [reqs[i].source for i in order[start : start + args.batch_size]]
        for start in range(0, len(order), args.batch_size)
    ]
    print(
        f"model: d_model {config.d_model}, layers {config.encoder_layers}+{config.decoder_layers}, "
        f"heads {config.encoder_attention_heads}, ffn {config.encoder_ffn_dim}, vocab {config.vocab_size}, "
        f"{config.activation_function}; device {translator.device}, torch threads {torch.get_num_threads()}"
    )
    terms = sum(len(r.constraints) for r in reqs)
    print(
        f"{len(reqs)} sentences, {terms} terms, beam {args.beam}, max_length {args.max_length}, "
        f"batch {args.batch_size}"
    )

    # Warm up both paths on one batch.
    time_generate(translator, batches[:1], args.beam, args.max_length)
    time_constrained(translator, reqs[: args.batch_size], args.beam, args.max_length, args.batch_size)

    work = DecoderWork(translator)
    plain_times, constrained_times, ratios = [], [], []
    met, plain_work, constrained_work = 0, (0, 0), (0, 0)
    for _ in range(args.repeats):
        work.take()
        plain, _ = time_generate(translator, batches, args.beam, args.max_length)
        plain_work = work.take()
        constrained, met, _ = time_constrained(translator, reqs, args.beam, args.max_length, args.batch_size)
        constrained_work = work.take()
        plain_times.append(plain)
        constrained_times.append(constrained)
        ratios.append(constrained / plain)
    plain_best, constrained_best = min(plain_times), min(constrained_times)
    best = f"(best of {args.repeats})"
    print(f"generate (no constraints): {len(reqs) / plain_best:7.2f} sentences/s  {best}")
    print(f"constrained (ours):        {len(reqs) / constrained_best:7.2f} sentences/s  {best}")
    print(f"sentences with every term met: {met}/{len(reqs)}")
    print(
        f"decoder work (steps, hypothesis rows): generate {plain_work}, constrained {constrained_work}; "
        f"rows ratio {constrained_work[1] / plain_work[1]:.2f}"
    )
    print(
        f"ratio constrained/generate time: {constrained_best / plain_best:.2f} (best vs best), "
        f"{statistics.median(ratios):.2f} (median of interleaved pairs); target <= 1.30"
    )


if __name__ == "__main__":
    main()
