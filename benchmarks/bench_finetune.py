"""Fine-tuning throughput: training tokens per second on a MarianMT of opus-mt-vi-en's exact shape.

Builds a randomly initialised MarianMT with opus-mt-vi-en's shape (d_model 512, 6+6 layers, 8 heads,
FFN 2048, shared vocabulary 53,685, tied embeddings; 74M parameters) and fine-tunes it with
``songngu``'s own loop (:func:`songngu.translate.finetune.training.fine_tune`: AdamW, label smoothing,
clipping; autocast on CUDA) on the seed articles' reviewed reference pairs, without a dev split.
Tokens are source plus target tokens of the batches (padding not counted); the time is the training
steps' alone (no model loading, no evaluation, no checkpoint). A one-epoch run first warms up the
allocator and kernels and is not counted.

Usage: ``python benchmarks/bench_finetune.py [--epochs N] [--batch-size B] [--device cpu|cuda]
[--precision auto|fp32|bf16|fp16]`` (default: 2 short epochs on CPU).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import polib
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from model_factory import build_opus_mt_shape  # noqa: E402

from songngu.translate.engine import Translator  # noqa: E402
from songngu.translate.finetune.data import PairOrigin, TrainingPair  # noqa: E402
from songngu.translate.finetune.training import TrainingSettings, fine_tune  # noqa: E402


def seed_pairs(limit: int) -> list[TrainingPair]:
    """The reviewed reference pairs of the seed articles (never a test set), shortest first."""
    pairs = [
        TrainingPair(e.msgid, e.msgstr, PairOrigin.REVIEWED, e.msgctxt.split(":")[0], e.msgctxt)
        for path in sorted((ROOT / "seeds" / "reference").glob("*.po"))
        for e in polib.pofile(str(path))
        if e.msgstr
    ]
    return sorted(pairs, key=lambda p: len(p.source))[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=16, help="training pairs (at most 34)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--precision", default="auto", choices=("auto", "fp32", "bf16", "fp16"))
    args = parser.parse_args()

    pairs = seed_pairs(args.pairs)
    settings = TrainingSettings(
        epochs=args.epochs,
        lr=5e-5,
        batch_size=args.batch_size,
        precision=args.precision,
        checkpoint_minutes=1e9,
    )
    with tempfile.TemporaryDirectory() as tmp:
        directory = build_opus_mt_shape(Path(tmp) / "opus-mt-vi-en-shape")
        translator = Translator.load(str(directory), device=args.device)
        warmup = TrainingSettings(epochs=1, batch_size=args.batch_size, precision=args.precision)
        fine_tune(translator, pairs, [], warmup, Path(tmp) / "warmup", log=lambda line: None)
        result = fine_tune(translator, pairs, [], settings, Path(tmp) / "checkpoint", log=lambda line: None)
    state = result.state
    parameters = sum(p.numel() for p in translator.model.parameters())
    print(
        f"fine-tuning throughput, opus-mt-vi-en shape ({parameters / 1e6:.1f}M parameters), "
        f"{len(pairs)} seed pairs, batch {args.batch_size}, {args.epochs} epochs, "
        f"device {translator.device}, torch threads {torch.get_num_threads()}"
    )
    print(
        f"  {state.tokens} tokens in {state.seconds:.2f} s of training steps: "
        f"{result.tokens_per_second:,.0f} tokens/s"
    )


if __name__ == "__main__":
    main()
