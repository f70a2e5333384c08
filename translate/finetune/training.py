"""The fine-tuning loop: full fine-tuning of a MarianMT model on prepared pairs, evaluated on the
dev split every epoch as ``songngu translate`` would run (constraints on), best checkpoint kept.

Decisions:

- **Optimisation**: AdamW; the learning rate rises linearly over the first ``warmup`` share of the
  planned steps, then decays linearly to zero at the last planned step; cross-entropy with label
  smoothing over the target tokens (padding ignored); gradients clipped to ``clip_norm``.
- **Precision**: on CUDA, autocast to bf16 where the GPU supports it, else fp16 with a gradient
  scaler; weights and optimizer state stay fp32. On CPU, fp32.
- **Order**: each epoch shuffles the training pairs with a generator seeded by (seed, epoch), so an
  epoch's batches do not depend on what ran before it (resume sees the same batches); dropout draws
  from torch's global generator, seeded once and saved in every checkpoint. On CPU two runs with
  the same seed give identical weights.
- **Evaluation**: the dev pairs are translated with :class:`~songngu.translate.engine.Translator`
  through :func:`~songngu.translate.pipeline.translate_segments` (beam search, glossary
  constraints) and scored with :func:`~songngu.translate.evaluate.evaluation.evaluate` (BLEU, chrF,
  term success): before training, then after every epoch. The best dev chrF keeps its weights;
  ``patience`` epochs without improvement stop the run. Without dev pairs, the last epoch's weights
  are kept.
- **Several GPUs or machines**: started by ``torchrun`` or ``accelerate launch``, which set
  ``WORLD_SIZE``/``RANK``/``LOCAL_RANK``; the model is wrapped in PyTorch's
  ``DistributedDataParallel`` (gradients averaged by it), each process takes every
  ``WORLD_SIZE``-th batch, each translates a share of the dev pairs and the translations are
  gathered; only rank 0 writes.
- **Checkpoints**: after an epoch that ends at least ``checkpoint_minutes`` after the last save
  (or the start), ``DIR.checkpoint/last/`` is replaced as a whole: weights, best weights, optimizer,
  scheduler, random generator states and the run's history (saving after every epoch would cost
  more than the epoch itself on small data). ``resume`` continues after the saved epoch and, the
  order of every epoch being fixed by the seed, ends with the weights the uninterrupted run has.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from tqdm import tqdm

from songngu.errors import InputError
from songngu.glossary.matcher import GlossaryMatcher
from songngu.translate.engine import Translator
from songngu.translate.evaluate.evaluation import Evaluation, evaluate
from songngu.translate.evaluate.inputs import Article, Pair
from songngu.translate.finetune.data import TrainingPair
from songngu.translate.finetune.output import (
    STATE_FILE,
    WRITE_ERRORS,
    kept_for_resume,
    replace_dir,
    write_failure,
)
from songngu.translate.pipeline import DecodingSettings, translate_segments
from songngu.translate.records import Segment

IGNORE = -100  # label id cross-entropy skips (padding)


@dataclass(frozen=True)
class TrainingSettings:
    """The hyperparameters of a run; all of them go into ``training.json``."""

    epochs: int = 10
    lr: float = 5e-5
    batch_size: int = 16
    warmup: float = 0.1  # share of the planned steps
    label_smoothing: float = 0.1
    weight_decay: float = 0.01
    clip_norm: float = 1.0
    patience: int = 3
    seed: int = 0
    max_length: int = 256  # tokens per side in training; target tokens when decoding dev
    beam: int = 4
    precision: str = "auto"  # auto | fp32 | bf16 | fp16
    checkpoint_minutes: float = 5.0  # least time between checkpoints (0: after every epoch)

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class DevScores:
    """One dev evaluation: BLEU, chrF, term success (None without terms), and the translations."""

    epoch: int
    bleu: float
    chrf: float
    term_success: float | None
    hypotheses: tuple[str, ...] = field(repr=False)

    def to_json(self) -> dict[str, object]:
        return {"epoch": self.epoch, "bleu": self.bleu, "chrf": self.chrf, "term_success": self.term_success}


@dataclass
class RunState:
    """What a checkpoint restores besides tensors."""

    epoch: int = 0  # finished epochs
    step: int = 0
    before: DevScores | None = None
    best: DevScores | None = None
    epochs_without_gain: int = 0
    losses: list[float] = field(default_factory=list)  # mean training loss per epoch
    history: list[DevScores] = field(default_factory=list)
    tokens: int = 0
    seconds: float = 0.0
    fingerprint: str = ""

    def to_json(self) -> dict[str, object]:
        def scores(s: DevScores | None) -> dict[str, object] | None:
            return None if s is None else {**s.to_json(), "hypotheses": list(s.hypotheses)}

        return {
            "epoch": self.epoch,
            "step": self.step,
            "before": scores(self.before),
            "best": scores(self.best),
            "epochs_without_gain": self.epochs_without_gain,
            "losses": self.losses,
            "history": [scores(s) for s in self.history],
            "tokens": self.tokens,
            "seconds": self.seconds,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_json(cls, obj: dict[str, object]) -> RunState:
        def scores(o: object) -> DevScores | None:
            if not isinstance(o, dict):
                return None
            return DevScores(o["epoch"], o["bleu"], o["chrf"], o["term_success"], tuple(o["hypotheses"]))

        history = obj.get("history")
        return cls(
            epoch=int(obj["epoch"]),  # type: ignore[call-overload]
            step=int(obj["step"]),  # type: ignore[call-overload]
            before=scores(obj.get("before")),
            best=scores(obj.get("best")),
            epochs_without_gain=int(obj["epochs_without_gain"]),  # type: ignore[call-overload]
            losses=list(obj["losses"]),  # type: ignore[call-overload]
            history=[s for s in map(scores, history if isinstance(history, list) else []) if s is not None],
            tokens=int(obj["tokens"]),  # type: ignore[call-overload]
            seconds=float(obj["seconds"]),  # type: ignore[arg-type]
            fingerprint=str(obj["fingerprint"]),
        )


@dataclass(frozen=True)
class TrainingResult:
    """A finished run: the state (scores, losses, throughput) and the dev pairs it was scored on."""

    state: RunState
    stopped_early: bool
    dev: tuple[TrainingPair, ...]

    @property
    def tokens_per_second(self) -> float:
        return self.state.tokens / self.state.seconds if self.state.seconds > 0 else 0.0


@dataclass(frozen=True)
class Distributed:
    """This process's place in a multi-process run (``world == 1``: a plain single process)."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @classmethod
    def from_environment(cls) -> Distributed:
        """What ``torchrun``/``accelerate launch`` set; a plain process when they did not."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world <= 1:
            return cls()
        return cls(int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0")))


def device_for(requested: str, dist: Distributed) -> str:
    """The device this process trains on (``cuda:<local rank>`` under a multi-GPU launcher)."""
    if requested == "auto":
        requested = "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda"):
        if not torch.cuda.is_available():
            raise InputError(f"--device {requested}: CUDA is not available here; use --device cpu or auto")
        if dist.world > 1:
            return f"cuda:{dist.local_rank}"
    return requested


def _autocast_dtype(precision: str, device: str) -> torch.dtype | None:
    if not device.startswith("cuda") or precision == "fp32":
        return None
    if precision == "fp16":
        return torch.float16
    if precision == "bf16" or torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float16


def lr_factor(step: int, total: int, warmup: int) -> float:
    """Linear warmup to 1 over ``warmup`` steps, then linear decay to 0 at ``total``."""
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / max(1, total - warmup))


class _Batches:
    """Tokenised training pairs, batched per epoch in a seeded order."""

    def __init__(self, translator: Translator, pairs: Sequence[TrainingPair], settings: TrainingSettings):
        tok = translator.tokenizer
        limit = settings.max_length
        self.sources = tok([p.source for p in pairs], truncation=True, max_length=limit).input_ids
        self.targets = tok(text_target=[p.target for p in pairs], truncation=True, max_length=limit).input_ids
        self.pad = tok.pad_token_id
        self.start = translator.model.config.decoder_start_token_id
        self.batch_size = settings.batch_size
        self.seed = settings.seed

    def __len__(self) -> int:
        return math.ceil(len(self.sources) / self.batch_size)

    def epoch(self, epoch: int, dist: Distributed) -> list[list[int]]:
        """The batches (lists of pair indices) this process trains on in ``epoch``."""
        order = torch.randperm(
            len(self.sources), generator=torch.Generator().manual_seed(self.seed * 100_003 + epoch)
        ).tolist()
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        # Every process must take the same number of steps (DDP synchronises each one).
        while len(batches) % dist.world:
            batches.append(batches[len(batches) % len(batches)])
        return batches[dist.rank :: dist.world]

    def tensors(self, indices: Sequence[int], device: str) -> dict[str, torch.Tensor]:
        """input_ids, attention_mask, decoder_input_ids and labels of one batch."""
        sources = [self.sources[i] for i in indices]
        targets = [self.targets[i] for i in indices]
        width = max(map(len, sources))
        length = max(map(len, targets))
        input_ids = torch.full((len(indices), width), self.pad, dtype=torch.long)
        attention = torch.zeros((len(indices), width), dtype=torch.long)
        labels = torch.full((len(indices), length), IGNORE, dtype=torch.long)
        decoder_in = torch.full((len(indices), length), self.pad, dtype=torch.long)
        for row, (src, tgt) in enumerate(zip(sources, targets, strict=True)):
            input_ids[row, : len(src)] = torch.tensor(src)
            attention[row, : len(src)] = 1
            labels[row, : len(tgt)] = torch.tensor(tgt)
            # Teacher forcing: the decoder sees the start token, then the target shifted right.
            decoder_in[row, 0] = self.start
            decoder_in[row, 1 : len(tgt)] = torch.tensor(tgt[:-1])
        return {
            "input_ids": input_ids.to(device),
            "attention_mask": attention.to(device),
            "decoder_input_ids": decoder_in.to(device),
            "labels": labels.to(device),
        }


def evaluate_dev(
    translator: Translator,
    dev: Sequence[TrainingPair],
    matcher: GlossaryMatcher | None,
    settings: TrainingSettings,
    epoch: int,
    dist: Distributed = Distributed(),
) -> DevScores:
    """Translate the dev pairs as ``songngu translate`` would and score them."""
    was_training = translator.model.training
    translator.model.eval()
    segments = [
        Segment(p.segment_id or f"dev:{i}:1", p.source, 1, 1, 0, len(p.source), 1) for i, p in enumerate(dev)
    ]
    mine = list(range(dist.rank, len(segments), dist.world))
    decoding = DecodingSettings(beam=settings.beam, max_length=settings.max_length, batch_size=16)
    with torch.no_grad():
        results = translate_segments(
            [segments[i] for i in mine], translator=translator, matcher=matcher, settings=decoding
        )
    hypotheses = [r.target for r in results]
    if dist.world > 1:
        shares: list[list[tuple[int, str]] | None] = [None] * dist.world
        torch.distributed.all_gather_object(shares, list(zip(mine, hypotheses, strict=True)))
        ordered = dict(item for share in shares for item in (share or []))
        hypotheses = [ordered[i] for i in range(len(segments))]
    translator.model.train(was_training)
    evaluation = dev_evaluation(dev, hypotheses, matcher)
    terms = evaluation.total.terms
    return DevScores(
        epoch,
        evaluation.total.quality["bleu"].score,
        evaluation.total.quality["chrf"].score,
        terms.success_rate if terms is not None else None,
        tuple(hypotheses),
    )


def dev_evaluation(
    dev: Sequence[TrainingPair],
    hypotheses: Sequence[str],
    matcher: GlossaryMatcher | None,
    baseline: Sequence[str] | None = None,
) -> Evaluation:
    """Our ``evaluate`` over the dev pairs (with a paired bootstrap against ``baseline`` if given)."""
    pairs = [Pair(p.segment_id or None, h, p.target, p.source) for p, h in zip(dev, hypotheses, strict=True)]
    article = Article("dev", "(fine-tuned model)", "(dev split)", pairs)
    return evaluate(
        [article],
        matcher=matcher,
        baseline=None if baseline is None else [list(baseline)],
        compared_with=["(base model)"] if baseline is not None else [],
    )


def fine_tune(
    translator: Translator,
    train: Sequence[TrainingPair],
    dev: Sequence[TrainingPair],
    settings: TrainingSettings,
    checkpoint: Path,
    *,
    matcher: GlossaryMatcher | None = None,
    fingerprint: str = "",
    resume: bool = False,
    progress: bool = False,
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> TrainingResult:
    """Fine-tune ``translator.model`` in place; on return it holds the best (or last) weights.

    ``checkpoint`` is the run's checkpoint directory (created here; removing it is the caller's
    job once the model is published). ``fingerprint`` identifies the data and settings: resuming a
    checkpoint with another fingerprint is refused.
    """
    dist = Distributed.from_environment()
    device = translator.device
    model = translator.model
    torch.manual_seed(settings.seed)
    batches = _Batches(translator, train, settings)
    steps_per_epoch = math.ceil(len(batches) / dist.world)
    total_steps = steps_per_epoch * settings.epochs
    warmup = max(1, round(settings.warmup * total_steps))
    for name, parameter in model.named_parameters():
        # Marian's sinusoidal position tables are fixed, not learned: transformers stores them as
        # parameters but computes them without gradient (DDP would wait for those gradients forever).
        if "embed_positions" in name:
            parameter.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=settings.lr, weight_decay=settings.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: lr_factor(step, total_steps, warmup)
    )
    dtype = _autocast_dtype(settings.precision, device)
    scaler = torch.amp.GradScaler("cuda", enabled=dtype is torch.float16)

    def autocast() -> contextlib.AbstractContextManager[object]:
        if dtype is None:
            return contextlib.nullcontext()
        return torch.autocast("cuda", dtype=dtype)

    wrapped: torch.nn.Module = model
    if dist.world > 1:
        wrapped = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[dist.local_rank] if device.startswith("cuda") else None
        )

    state = RunState(fingerprint=fingerprint)
    best_weights: dict[str, torch.Tensor] | None = None
    if resume:
        state, best_weights = _load_checkpoint(checkpoint, model, optimizer, scheduler, scaler, fingerprint)
        log(f"resuming after epoch {state.epoch} (step {state.step})")
    elif dev:
        state.before = evaluate_dev(translator, dev, matcher, settings, 0, dist)
        log(f"dev before: {_scores_text(state.before)}")

    model.train()
    saved_at = time.monotonic()
    bar = tqdm(
        total=total_steps,
        initial=state.step,
        desc="fine-tuning",
        unit="step",
        file=sys.stderr,
        disable=not (progress and dist.main and sys.stderr.isatty()),
    )
    with bar:
        for epoch in range(state.epoch + 1, settings.epochs + 1):
            if state.epochs_without_gain >= settings.patience:
                break
            started = time.perf_counter()
            loss_sum, loss_n = 0.0, 0
            for indices in batches.epoch(epoch, dist):
                batch = batches.tensors(indices, device)
                labels = batch.pop("labels")
                with autocast():
                    logits = wrapped(**batch).logits
                loss = F.cross_entropy(
                    logits.float().reshape(-1, logits.size(-1)),
                    labels.reshape(-1),
                    ignore_index=IGNORE,
                    label_smoothing=settings.label_smoothing,
                )
                scaled: torch.Tensor = scaler.scale(loss)
                torch.autograd.backward(scaled)
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(trainable, settings.clip_norm)
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad(set_to_none=True)
                scheduler.step()
                state.step += 1
                state.tokens += int(batch["attention_mask"].sum()) + int((labels != IGNORE).sum())
                loss_sum += loss.item()
                loss_n += 1
                bar.update(1)
                bar.set_postfix_str(_postfix(epoch, loss_sum / loss_n, state.best), refresh=False)
            state.seconds += time.perf_counter() - started
            state.losses.append(loss_sum / max(1, loss_n))
            state.epoch = epoch
            if dev:
                scores = evaluate_dev(translator, dev, matcher, settings, epoch, dist)
                state.history.append(scores)
                if state.best is None or scores.chrf > state.best.chrf:
                    state.best, state.epochs_without_gain = scores, 0
                    best_weights = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
                else:
                    state.epochs_without_gain += 1
                bar.set_postfix_str(_postfix(epoch, state.losses[-1], state.best), refresh=True)
                line = f"epoch {epoch}: loss {state.losses[-1]:.4f}, dev {_scores_text(scores)}"
            else:
                line = f"epoch {epoch}: loss {state.losses[-1]:.4f}"
            if not bar.disable:
                bar.write(line, file=sys.stderr)
            elif dist.main:
                log(line)
            due = time.monotonic() - saved_at >= 60 * settings.checkpoint_minutes
            if dist.world > 1:  # clocks differ between processes: rank 0 decides for all
                decision = [due]
                torch.distributed.broadcast_object_list(decision, src=0)
                due = bool(decision[0])
            if due and epoch < settings.epochs:
                if dist.main:
                    _save_checkpoint(checkpoint, model, best_weights, optimizer, scheduler, scaler, state)
                saved_at = time.monotonic()
                if dist.world > 1:
                    torch.distributed.barrier()
    if best_weights is not None:
        model.load_state_dict(best_weights)
    model.eval()
    return TrainingResult(state, state.epoch < settings.epochs, tuple(dev))


def _postfix(epoch: int, loss: float, best: DevScores | None) -> str:
    text = f"epoch {epoch} loss {loss:.3f}"
    if best is not None:
        text += f" best chrF {best.chrf:.1f} (epoch {best.epoch})"
    return text


def _scores_text(scores: DevScores) -> str:
    terms = "–" if scores.term_success is None else f"{100 * scores.term_success:.1f}%"
    return f"chrF {scores.chrf:.2f}, BLEU {scores.bleu:.2f}, terms {terms}"


def _rng_state() -> dict[str, torch.Tensor]:
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state.update({f"cuda{i}": s for i, s in enumerate(torch.cuda.get_rng_state_all())})
    return state


def _save_checkpoint(
    checkpoint: Path,
    model: torch.nn.Module,
    best: dict[str, torch.Tensor] | None,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    scaler: torch.amp.GradScaler,
    state: RunState,
) -> None:
    """Replace ``checkpoint/last`` with this epoch's complete state.

    A save that fails (full disk) removes what it wrote, keeps the previous checkpoint (a run
    that had none leaves no checkpoint folder, which would ask for ``--resume``) and stops the
    run with an InputError saying what is kept.
    """
    created = not checkpoint.exists()
    staging = checkpoint / "last.tmp"
    try:
        checkpoint.mkdir(parents=True, exist_ok=True)
        if staging.exists():  # left by an interrupted save
            shutil.rmtree(staging)
        staging.mkdir()
        save_file(_contiguous(model.state_dict()), staging / "model.safetensors")
        if best is not None:
            save_file(_contiguous(best), staging / "best.safetensors")
        torch.save(
            {
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "scaler": scaler.state_dict(),
                "rng": _rng_state(),
            },
            staging / "training_state.pt",
        )
        (staging / STATE_FILE).write_text(json.dumps(state.to_json(), ensure_ascii=False), encoding="utf-8")
        replace_dir(staging, checkpoint / "last")
    except WRITE_ERRORS as error:
        reason = write_failure(error, staging)  # before removing anything: the disk is full now
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            shutil.rmtree(checkpoint, ignore_errors=True)
        raise InputError(
            f"{checkpoint}: cannot save the checkpoint of epoch {state.epoch}: {reason}; "
            + kept_for_resume(checkpoint)
        ) from None


def _contiguous(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    # safetensors refuses tensors sharing memory (tied embeddings): store each name's own copy.
    return {name: tensor.detach().to("cpu").clone().contiguous() for name, tensor in tensors.items()}


def _load_checkpoint(
    checkpoint: Path,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    scaler: torch.amp.GradScaler,
    fingerprint: str,
) -> tuple[RunState, dict[str, torch.Tensor] | None]:
    """Restore the last finished epoch; InputError when it is missing, damaged or of another run."""
    last = checkpoint / "last"
    if not (last / STATE_FILE).is_file():
        last = checkpoint / "last.old"  # interrupted while replacing the checkpoint
    try:
        state = RunState.from_json(json.loads((last / STATE_FILE).read_text(encoding="utf-8")))
        weights = load_file(last / "model.safetensors")
        extra = torch.load(last / "training_state.pt", map_location="cpu", weights_only=True)
        best = load_file(last / "best.safetensors") if (last / "best.safetensors").is_file() else None
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise InputError(
            f"{checkpoint}: cannot resume, the checkpoint is incomplete or damaged ({error})"
        ) from None
    if state.fingerprint != fingerprint:
        raise InputError(
            f"{checkpoint}: the checkpoint is of a run with other data or settings; rerun with the same "
            "options, or remove it to start over"
        )
    model.load_state_dict(weights)
    optimizer.load_state_dict(extra["optimizer"])
    scheduler.load_state_dict(extra["scheduler"])
    scaler.load_state_dict(extra["scaler"])
    torch.set_rng_state(extra["rng"]["torch"])
    if torch.cuda.is_available():
        cuda = [extra["rng"][k] for k in sorted(extra["rng"]) if k.startswith("cuda")]
        if len(cuda) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda)
    return state, best
