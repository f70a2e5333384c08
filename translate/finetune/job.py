"""One ``songngu finetune`` run from start to end: check the inputs, prepare the data, load the
base model, train, publish the model directory with its ``training.json``.

Every refusal (bad ``--out``, empty or missing memory, too few pairs, test-set data, missing base
model) happens before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import torch

from songngu import __version__
from songngu.errors import InputError
from songngu.glossary.formats import load_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import Glossary
from songngu.translate.engine import Translator
from songngu.translate.evaluate.evaluation import Evaluation
from songngu.translate.finetune.data import DataSettings, FinetuneData, prepare
from songngu.translate.finetune.output import (
    TOOL,
    TRAINING_JSON,
    check_out,
    checkpoint_dir,
    kept_for_resume,
    publish,
)
from songngu.translate.finetune.training import (
    Distributed,
    TrainingResult,
    TrainingSettings,
    dev_evaluation,
    device_for,
    fine_tune,
)
from songngu.translate.formats import read_bitext
from songngu.translate.memory import TranslationMemory


@dataclass(frozen=True)
class FinetuneJob:
    """Everything a run is asked to do."""

    memory: Path
    model: str
    out: Path
    data: DataSettings
    training: TrainingSettings
    glossary: Path | None = None
    general: Path | None = None
    device: str = "auto"
    resume: bool = False


@dataclass(frozen=True)
class FinetuneOutcome:
    """A finished run: the training result and, with a dev split, the before/after comparison.

    ``record`` is what ``training.json`` holds; empty in the processes other than rank 0."""

    result: TrainingResult
    comparison: Evaluation | None
    record: dict[str, object]


def load_data(job: FinetuneJob, glossary: Glossary | None = None) -> FinetuneData:
    """Read the memory (and general text) and prepare the pairs, with the glossary's terms as
    pairs when one is given (``job.glossary``, loaded); refuse unusable data."""
    with TranslationMemory(job.memory, create=False) as memory:
        units = list(memory.units())
    if not units:
        raise InputError(f"{job.memory}: the translation memory is empty; import reviewed catalogs first")
    general = _read_bitext(job.general) if job.general else []
    data = prepare(units, job.data, glossary=glossary, general=general)
    if len(data.train) < job.training.batch_size:
        raise InputError(
            f"{job.memory}: {len(data.train)} training pairs, fewer than one batch "
            f"(--batch-size {job.training.batch_size}); review more, or lower --batch-size"
        )
    return data


def run(
    job: FinetuneJob,
    *,
    progress: bool = False,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
) -> FinetuneOutcome:
    """Run the job; the model appears at ``job.out`` only when it is complete."""
    check_out(job.out, resume=job.resume)
    glossary = load_glossary(job.glossary) if job.glossary else None
    data = load_data(job, glossary)
    dist = Distributed.from_environment()
    if dist.world > 1:
        backend = "nccl" if job.device != "cpu" and torch.cuda.is_available() else "gloo"
        torch.distributed.init_process_group(backend)
        if not dist.main:  # one voice: the other processes report nothing
            log = _silent

    # Trained in full precision (autocast handles mixed precision on CUDA): an int8 model, which
    # `auto` would give on CPU, has no gradients to train.
    translator = Translator.load(job.model, device=device_for(job.device, dist), precision="fp32")
    matcher = GlossaryMatcher(glossary) if glossary else None
    base_checksum = weights_checksum(translator.model)
    fingerprint = _fingerprint(job, data, translator.revision, base_checksum)
    checkpoint = checkpoint_dir(job.out)
    log(
        f"fine-tuning {job.model} on {len(data.train)} pairs ({len(data.dev)} dev pairs) "
        f"on {translator.device}" + (f" × {dist.world} processes" if dist.world > 1 else "")
    )
    result = fine_tune(
        translator,
        data.train,
        data.dev,
        job.training,
        checkpoint,
        matcher=matcher,
        fingerprint=fingerprint,
        resume=job.resume,
        progress=progress,
        log=log,
    )
    state = result.state
    comparison = None
    if state.before is not None and state.best is not None:
        comparison = dev_evaluation(
            data.dev, state.best.hypotheses, matcher, baseline=state.before.hypotheses
        )
    record = training_record(job, data, translator, base_checksum, result, comparison, dist, glossary)
    if dist.main:

        def write(staging: Path) -> None:
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # its "Writing model shards" bar; we report ourselves
            translator.model.save_pretrained(staging, safe_serialization=True)
            translator.tokenizer.save_pretrained(staging)
            text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
            (staging / TRAINING_JSON).write_text(text, encoding="utf-8")

        try:
            publish(job.out, write)
        except InputError as error:  # a full disk: nothing half-written, the checkpoint kept
            raise InputError(f"{error}; {kept_for_resume(checkpoint)}") from None
        shutil.rmtree(checkpoint, ignore_errors=True)
    if dist.world > 1:
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    # Only rank 0 reports: the other processes return an empty record.
    return FinetuneOutcome(result, comparison, record if dist.main else {})


def _read_bitext(path: Path) -> list[tuple[str, str, str]]:
    """(segment id, Vietnamese, English) pairs of a bitext: songngu's TSV (header ``id vi en``), or
    any other the format registry reads (:func:`songngu.translate.formats.read_bitext`)."""
    return read_bitext(path)


def _silent(line: str) -> None:
    del line


def weights_checksum(model: torch.nn.Module) -> str:
    """``sha256:<hex>`` over the model's parameter names and values (fp32 bytes, CPU)."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(tensor.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    return f"sha256:{digest.hexdigest()}"


def file_checksum(path: str | os.PathLike[str]) -> str:
    """``sha256:<hex>`` of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def _fingerprint(job: FinetuneJob, data: FinetuneData, revision: str, base_checksum: str) -> str:
    """What a resumed run must share with the interrupted one: data, settings and base model."""
    digest = hashlib.sha256()
    training = job.training.to_json()
    training.pop("checkpoint_minutes")  # how often to save does not change the result
    content = {
        "training": training,
        "data": asdict(job.data),
        "base": [revision, base_checksum],
        "train": [(p.source, p.target) for p in data.train],
        "dev": [(p.source, p.target) for p in data.dev],
    }
    digest.update(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return f"sha256:{digest.hexdigest()}"


def training_record(
    job: FinetuneJob,
    data: FinetuneData,
    translator: Translator,
    base_checksum: str,
    result: TrainingResult,
    comparison: Evaluation | None,
    dist: Distributed,
    glossary: Glossary | None,
) -> dict[str, object]:
    """The content of ``training.json``: what a reproducible run needs.

    The glossary's checksum is :meth:`Glossary.checksum` (of its entries, not of the file's bytes),
    the one a ``translate`` run records under the same label in its JSONL and PO header, so a model
    and the translations made with it can be matched to one terminology."""
    import transformers

    state = result.state
    return {
        "tool": TOOL,
        "songngu_version": __version__,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "base_model": {"id": job.model, "revision": translator.revision, "checksum": base_checksum},
        "memory": {"path": os.fspath(job.memory), **data.to_json()},
        "glossary": None
        if job.glossary is None or glossary is None
        else {"path": os.fspath(job.glossary), "checksum": glossary.checksum()},
        "general": None
        if job.general is None
        else {"path": os.fspath(job.general), "checksum": file_checksum(job.general)},
        "hyperparameters": {**job.training.to_json(), **asdict(job.data)},
        "device": translator.device,
        "processes": dist.world,
        "dev": {
            "before": None if state.before is None else state.before.to_json(),
            "after": None if state.best is None else state.best.to_json(),
            "history": [s.to_json() for s in state.history],
            "comparison": None if comparison is None else comparison.to_json().get("comparison"),
        },
        "epochs_run": state.epoch,
        "stopped_early": result.stopped_early,
        "train_loss": state.losses,
        "train_tokens_per_second": round(result.tokens_per_second, 1),
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
    }
