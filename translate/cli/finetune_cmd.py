"""``songngu finetune --tm DB --model BASE --out DIR``: adapt the model to the desk's reviewed memory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from songngu.errors import InputError
from songngu.translate.cli.arguments import POSITIVE, TARGET_LENGTH

EPILOG = """\
data: the memory's reviewed units (and aligned units scoring at least --aligned-min-score), the
glossary's terms as short pairs (--glossary), general pairs (--general, a songngu TSV: id, vi, en)
at --general-ratio per in-domain pair; de-duplicated; dev split by article. Sentences of FLORES-200
devtest and NTREX-128 are never trained on; a memory that holds many of them is refused.

output: DIR is a MarianMT directory (`songngu translate --model DIR`) with training.json inside,
written only when complete; DIR.checkpoint/ holds an unfinished run (continue with --resume).

several GPUs: torchrun --nproc-per-node N -m songngu finetune ... (or accelerate launch -m songngu
finetune ...): one process per GPU, gradients averaged by DistributedDataParallel.
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``finetune`` command."""
    parser = commands.add_parser(
        "finetune",
        help="fine-tune the model on the reviewed translation memory",
        description="Fine-tune a MarianMT model on the translation memory's confirmed translations, "
        "evaluate it on a dev split of held-out articles every epoch (with the glossary's constraints, as "
        "translate runs), keep the best, and compare it with the base model.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tm", required=True, metavar="DB", help="translation memory (SQLite)")
    parser.add_argument("--model", required=True, help="base model: Hugging Face id or MarianMT directory")
    parser.add_argument(
        "--out", "-o", required=True, metavar="DIR", help="directory for the fine-tuned model"
    )
    parser.add_argument("--epochs", type=POSITIVE, default=10, help="at most this many epochs (default 10)")
    parser.add_argument("--lr", type=_positive_float, default=5e-5, help="peak learning rate (default 5e-5)")
    parser.add_argument("--batch-size", type=POSITIVE, default=16, help="pairs per step (default 16)")
    parser.add_argument(
        "--dev-fraction",
        type=_fraction,
        default=0.1,
        help="share of memory pairs, whole articles, held out for dev (default 0.1; 0: none)",
    )
    parser.add_argument(
        "--glossary", "-g", help="glossary: its terms become training pairs and dev constraints"
    )
    parser.add_argument("--general", metavar="TSV", help="general-domain pairs mixed in (TSV: id, vi, en)")
    parser.add_argument(
        "--general-ratio",
        type=_non_negative_float,
        default=1.0,
        help="general pairs per in-domain training pair (default 1.0)",
    )
    parser.add_argument(
        "--aligned-min-score",
        type=float,
        default=0.9,
        help="aligned memory units are used from this alignment score up (default 0.9)",
    )
    parser.add_argument(
        "--patience", type=POSITIVE, default=3, help="epochs without dev chrF gain before stopping"
    )
    parser.add_argument(
        "--warmup", type=_fraction, default=0.1, help="share of steps warming up (default 0.1)"
    )
    parser.add_argument("--label-smoothing", type=_fraction, default=0.1, help="default 0.1")
    parser.add_argument(
        "--max-length", type=TARGET_LENGTH, default=256, help="tokens per sentence (default 256)"
    )
    parser.add_argument("--beam", type=POSITIVE, default=4, help="beam size for dev translation (default 4)")
    parser.add_argument("--device", default="auto", help="cpu, cuda, cuda:N or auto (default)")
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16", "fp16"), default="auto")
    parser.add_argument(
        "--seed", type=int, default=0, help="data split, order and initialisation (default 0)"
    )
    parser.add_argument(
        "--checkpoint-minutes",
        type=_non_negative_float,
        default=5.0,
        help="save a checkpoint after an epoch when this long since the last (default 5; 0: every epoch)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue the interrupted run in DIR.checkpoint/"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Fine-tune, publish the model, print the before/after comparison."""
    # Imported here: torch and transformers must not load for the model-free commands.
    from songngu.translate.cli.evaluate_cmd import print_evaluation
    from songngu.translate.finetune.data import DataSettings
    from songngu.translate.finetune.job import FinetuneJob
    from songngu.translate.finetune.job import run as run_job
    from songngu.translate.finetune.training import TrainingSettings

    if args.device not in ("auto", "cpu", "cuda") and not args.device.startswith("cuda:"):
        raise InputError(f"--device {args.device}: unknown device; use cpu, cuda, cuda:N or auto")
    job = FinetuneJob(
        memory=Path(args.tm),
        model=args.model,
        out=Path(args.out),
        data=DataSettings(
            dev_fraction=args.dev_fraction,
            seed=args.seed,
            min_aligned_score=args.aligned_min_score,
            general_ratio=args.general_ratio,
        ),
        training=TrainingSettings(
            epochs=args.epochs,
            lr=args.lr,
            batch_size=args.batch_size,
            warmup=args.warmup,
            label_smoothing=args.label_smoothing,
            patience=args.patience,
            seed=args.seed,
            max_length=args.max_length,
            beam=args.beam,
            precision=args.precision,
            checkpoint_minutes=args.checkpoint_minutes,
        ),
        glossary=Path(args.glossary) if args.glossary else None,
        general=Path(args.general) if args.general else None,
        device=args.device,
        resume=args.resume,
    )
    outcome = run_job(job, progress=sys.stderr.isatty())
    if not outcome.record:
        return 0
    state = outcome.result.state
    print(
        f"wrote {args.out} ({state.epoch} epochs"
        + (", stopped early)" if outcome.result.stopped_early else ")")
    )
    if outcome.comparison is not None:
        print("dev split: base model → fine-tuned model")
        print_evaluation(outcome.comparison)
        before, after = state.before, state.best
        if before is not None and after is not None and after.chrf <= before.chrf:
            print(
                f"note: no epoch beat the base model's dev chrF ({before.chrf:.2f}); the base model is better"
            )
    else:
        print("no dev split (--dev-fraction 0): nothing to compare")
    return 0


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {text}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, not {text}")
    return value
