"""The translation engine: load a MarianMT model and translate sentences held to their terms.

:class:`Translator` loads a model from a Hugging Face id (from the local cache first; no remote
code, safetensors weights only) or from a local directory in the opus-mt layout, and translates
:class:`TranslationRequest` batches with the constrained beam search of :mod:`translate.decoding`.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from tqdm import tqdm

from songngu.errors import InputError
from songngu.filenames import printable, printable_path
from songngu.translate import DEFAULT_MODEL
from songngu.translate.constraints import (
    ConstraintAutomaton,
    EncodedConstraints,
    TermConstraint,
    encode_constraints,
)
from songngu.translate.decoding import Hypothesis, beam_search, multi_token_bad_words
from songngu.translate.precision import Precision, PrecisionError, convert
from songngu.translate.shortlist import frequent_tokens
from songngu.translate.streams import default_streams, run_batches
from songngu.translate.workspace import Workspace

if TYPE_CHECKING:  # imported where the model loads: transformers takes seconds to import
    from transformers import MarianMTModel, MarianTokenizer

_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")
MODEL_FILES = ("config.json", "model.safetensors", "source.spm", "target.spm", "vocab.json")
OPTIONAL_FILES = ("generation_config.json", "tokenizer_config.json", "special_tokens_map.json")
DOWNLOAD_HINT = (
    "pass --model DIR (a MarianMT directory: config.json, model.safetensors, source.spm, target.spm, "
    "vocab.json), or download it once on a connected machine: hf download {model}"
)

# Sentences the fp16 overflow check runs the model on: long, with numbers, names and acronyms.
PROBE_SENTENCES = (
    "Hội nghị Bộ trưởng Ngoại giao ASEAN lần thứ 54 (AMM-54) đã thông qua Tuyên bố chung về "
    "quyền con người, với sự tham dự của 10 nước thành viên và Tổng Thư ký ASEAN.",
    "Theo số liệu năm 2021, GDP bình quân đầu người của Việt Nam đạt 3.694 USD, tăng 5,7%.",
    "Xin chào.",
)

__all__ = [
    "DEFAULT_MODEL",
    "Precision",
    "SourceMeter",
    "TermConstraint",
    "Translation",
    "TranslationRequest",
    "Translator",
    "locate_model",
]


class SourceMeter:
    """Whether the model reads a sentence whole, from its tokenizer and configuration alone (no
    weights): what a driver that leaves the model to others (``--ray``) needs to split sentences into
    pieces exactly as a local run does (:mod:`translate.pieces`)."""

    def __init__(self, tokenizer: MarianTokenizer, max_positions: int) -> None:
        self.tokenizer = tokenizer
        limit = max_positions
        declared = getattr(tokenizer, "model_max_length", None)
        # transformers uses a huge sentinel for "no limit declared".
        if isinstance(declared, int) and 0 < declared < 1_000_000:
            limit = min(limit, declared)
        self.limit = limit  # the most source tokens, end token included

    @classmethod
    def load(cls, model: str, directory: Path) -> SourceMeter:
        """The meter of the model in ``directory`` (found by :func:`locate_model`); ``model`` names it
        in errors. Raises :class:`InputError` when its tokenizer or configuration does not load."""
        with _quiet_libraries():
            from transformers import MarianConfig, MarianTokenizer

            logging.getLogger("transformers").setLevel(logging.ERROR)
            try:
                tokenizer = MarianTokenizer.from_pretrained(directory, local_files_only=True)
                config = MarianConfig.from_pretrained(directory, local_files_only=True)
            except (OSError, ValueError, KeyError, RuntimeError) as error:
                raise InputError(f"{model}: cannot load the MarianMT model: {_load_error(error)}") from None
        return cls(tokenizer, int(config.max_position_embeddings))

    def fits(self, text: str) -> bool:
        """Whether the model reads ``text`` whole (its source tokens, end token included, fit)."""
        return len(self.tokenizer(text).input_ids) <= self.limit


@dataclass(frozen=True)
class TranslationRequest:
    """One sentence to translate, the terms its translation must contain and strings it must not."""

    source: str
    constraints: tuple[TermConstraint, ...] = ()
    forbidden: tuple[str, ...] = ()


@dataclass
class Translation:
    """The translation of one request.

    ``met`` says, per constraint, whether the text contains one of its alternatives. ``violated``
    means some constraint could not be met (or a forbidden string could not be avoided) within the
    length limit: ``text`` is then the best unconstrained translation. ``unconstrained`` is the
    model's translation without constraints, when asked for or when it was needed.
    """

    text: str
    score: float
    met: tuple[bool, ...]
    violated: bool
    unconstrained: str | None = None


@dataclass
class _Job:
    request: int
    ids: list[int]
    encoded: EncodedConstraints | None  # None: translate without constraints


class Translator:
    """A loaded MarianMT model with its tokenizers, ready to translate."""

    def __init__(
        self,
        model: MarianMTModel,
        tokenizer: MarianTokenizer,
        model_id: str,
        revision: str,
        device: str,
        precision: Precision = Precision.FP32,
        shortlist: int | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.source_meter = SourceMeter(tokenizer, int(model.config.max_position_embeddings))
        self.model_id = model_id
        self.revision = revision
        self.device = device
        self.precision = precision  # what the model runs at (never ``auto``)
        # The vocabulary shortlist's frequent tokens (None: the whole vocabulary, exact).
        self.shortlist = shortlist
        self._frequent = frequent_tokens(tokenizer, shortlist).to(device) if shortlist else None
        # Searches run at once on CPU (None: translate.streams decides), each with its workspace:
        # the search's large buffers, reused from batch to batch.
        self.streams: int | None = None
        self._workspaces: list[Workspace] = []
        self._bad_words = multi_token_bad_words(model)
        self._continues_word = _continuation_mask(tokenizer, model.get_output_embeddings().out_features).to(
            device
        )

    @classmethod
    def load(
        cls,
        model: str = DEFAULT_MODEL,
        device: str = "auto",
        precision: Precision | str = Precision.AUTO,
        shortlist: int | None = None,
    ) -> Translator:
        """Load a model by hub id (local cache first, never remote code) or from a directory, and
        convert it to ``precision`` (see :mod:`translate.precision` for what ``auto`` picks).
        ``shortlist``: restrict the output layer to that many frequent tokens plus each batch's
        source and constraint tokens (:mod:`translate.shortlist`; lossy, off by default).

        Raises :class:`InputError` (one line, saying what to do) when the model cannot be found or
        downloaded, has no safetensors weights, the device is not available, or the precision cannot
        run there (int8 on CUDA, fp16 on a model that overflows in it).
        """
        if precision not in tuple(Precision):
            raise InputError(f"--precision {precision}: unknown; use {', '.join(Precision)}")
        resolved = resolve_device(device)
        directory, revision = locate_model(model)
        with _quiet_libraries():
            from safetensors import SafetensorError
            from transformers import MarianMTModel, MarianTokenizer
            from transformers.utils import logging as transformers_logging

            # Its first import sets transformers' own level (WARNING), undoing _quiet_libraries: without
            # this a bad checkpoint printed a table of every mismatched weight before our one line.
            logging.getLogger("transformers").setLevel(logging.ERROR)

            # transformers draws a "Loading weights" bar on stderr; songngu reports progress itself.
            bar_was_on = transformers_logging.is_progress_bar_enabled()
            transformers_logging.disable_progress_bar()
            try:
                tokenizer = MarianTokenizer.from_pretrained(directory, local_files_only=True)
                network = MarianMTModel.from_pretrained(
                    directory, use_safetensors=True, local_files_only=True, trust_remote_code=False
                )
            except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as error:
                # RuntimeError: SentencePiece's "could not parse ModelProto", or weights whose shapes
                # are not the ones config.json gives; SafetensorError: a truncated or corrupt file.
                raise InputError(f"{model}: cannot load the MarianMT model: {_load_error(error)}") from None
            finally:
                if bar_was_on:
                    transformers_logging.enable_progress_bar()
        network.eval().to(resolved)
        probe = tokenizer(list(PROBE_SENTENCES), return_tensors="pt", padding=True).to(resolved)
        try:
            network, chosen = convert(network, Precision(precision), resolved, probe)
        except PrecisionError as error:
            raise InputError(f"--precision {precision}: {error}") from None
        return cls(network, tokenizer, model, revision, resolved, chosen, shortlist)

    @property
    def max_source_tokens(self) -> int:
        """The most source tokens (end token included) the model reads: its position table, or the
        tokenizer's limit when that is lower. Longer sentences are split (see :mod:`translate.pieces`)."""
        return self.source_meter.limit

    def fits_source(self, text: str) -> bool:
        """Whether the model reads ``text`` whole (its source tokens, end token included, fit)."""
        return self.source_meter.fits(text)

    def encode_target(self, text: str) -> list[int]:
        """Target-side token ids of ``text`` (the English SentencePiece model), no end token."""
        return list(self.tokenizer(text_target=text, add_special_tokens=False).input_ids)

    def decode(self, ids: Sequence[int]) -> str:
        """Target text of token ids."""
        return str(self.tokenizer.decode(list(ids), skip_special_tokens=True))

    def encode_request(self, request: TranslationRequest) -> EncodedConstraints:
        """The request's constraints in target token ids (see :func:`encode_constraints`)."""
        return encode_constraints(
            request.constraints,
            request.forbidden,
            self.encode_target,
            self.decode,
            self.tokenizer.unk_token_id,
        )

    def translate(
        self,
        requests: Sequence[TranslationRequest],
        *,
        beam: int = 4,
        max_length: int = 256,
        batch_size: int = 16,
        with_unconstrained: bool = False,
        progress: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[Translation]:
        """Translate requests (results in input order), batched by source length, deterministic.

        Every constraint of a request is met in its translation, or the translation is the best
        unconstrained one and ``violated`` is set. ``with_unconstrained`` also returns the
        unconstrained translation of requests that have constraints. ``progress`` draws this call's
        own bar on a terminal; ``on_progress(done, total)`` is called after every batch with the
        searches done and planned so far (a fallback search for an unmet constraint adds to both).
        """
        if beam < 1 or max_length < 2 or batch_size < 1:
            raise ValueError("beam and batch_size must be at least 1, max_length at least 2")
        encoded = [self.encode_request(r) for r in requests]
        # A source longer than the model reads is cut here; the pipeline splits sentences first, so
        # only a piece it marked truncated ever is.
        limit = self.max_source_tokens
        sources = [self.tokenizer(r.source, truncation=True, max_length=limit).input_ids for r in requests]
        constrained_jobs: list[_Job] = []
        plain_jobs: list[_Job] = []
        for index, (request, enc) in enumerate(zip(requests, encoded, strict=True)):
            has_terms = bool(request.constraints or enc.forbidden_texts)
            feasible = all(enc.encodable) and _fits(enc, max_length)
            if has_terms and feasible:
                constrained_jobs.append(_Job(index, sources[index], enc))
            if not has_terms or not feasible or (with_unconstrained and request.constraints):
                plain_jobs.append(_Job(index, sources[index], None))
        settings = {"beam": beam, "max_length": max_length, "batch_size": batch_size}
        done, planned = 0, len(constrained_jobs) + len(plain_jobs)
        with tqdm(
            total=planned,
            desc="translating",
            unit="sent",
            file=sys.stderr,
            disable=not (progress and sys.stderr.isatty()),
        ) as bar:

            def tick(searches: int) -> None:
                nonlocal done
                done += searches
                bar.update(searches)
                if on_progress is not None:
                    on_progress(done, planned)

            constrained = self._run(constrained_jobs, tick, **settings)
            plain = self._run(plain_jobs, tick, **settings)
            failed = [
                _Job(job.request, job.ids, None)
                for job in constrained_jobs
                if job.request not in plain
                and _best_valid(constrained[job.request], job.encoded, self) is None
            ]
            planned += len(failed)
            bar.total = planned
            plain.update(self._run(failed, tick, **settings))
        return [self._result(i, requests[i], encoded[i], constrained, plain) for i in range(len(requests))]

    def _result(
        self,
        index: int,
        request: TranslationRequest,
        enc: EncodedConstraints,
        constrained: dict[int, list[Hypothesis]],
        plain: dict[int, list[Hypothesis]],
    ) -> Translation:
        free = plain[index][0] if plain.get(index) else None
        free_text = self.decode(free.tokens) if free is not None else None
        chosen = _best_valid(constrained[index], enc, self) if index in constrained else None
        if chosen is not None:
            text, score, violated = self.decode(chosen.tokens), chosen.score, False
        elif free is not None:
            text, score = free_text or "", free.score
            violated = bool(request.constraints or request.forbidden) and (
                not all(enc.met_in(text)) or enc.forbidden_in(text)
            )
        else:  # nothing finished at all (max_length too small even for an empty sentence)
            text, score, violated = "", float("-inf"), bool(request.constraints)
        unconstrained = free_text if request.constraints and free_text is not None else None
        return Translation(text, score, enc.met_in(text), violated, unconstrained)

    def _run(
        self, jobs: list[_Job], tick: Callable[[int], None], *, beam: int, max_length: int, batch_size: int
    ) -> dict[int, list[Hypothesis]]:
        """Decode jobs in batches of similar source length; each batch is encoded once.

        The jobs, sorted by length, are cut into the fewest batches of at most ``batch_size`` and
        of equal size (±1), so that batches searched at once (:mod:`translate.streams`) take
        about as long as each other.
        """
        results: dict[int, list[Hypothesis]] = {}
        ordered = sorted(jobs, key=lambda job: (len(job.ids), job.request))
        count = -(-len(ordered) // batch_size)
        batches = [ordered[i * len(ordered) // count : (i + 1) * len(ordered) // count] for i in range(count)]

        def search(batch: list[_Job], workspace: Workspace) -> list[list[Hypothesis]]:
            return self._search(batch, workspace, beam=beam, max_length=max_length)

        def done(batch: list[_Job], found: list[list[Hypothesis]]) -> None:
            for job, hypotheses in zip(batch, found, strict=True):
                results[job.request] = hypotheses
            tick(len(batch))

        streams = default_streams(self.device, len(batches)) if self.streams is None else self.streams
        run_batches(batches, search, self._workspaces, streams=streams, on_done=done)
        return results

    def _search(
        self, batch: list[_Job], workspace: Workspace, *, beam: int, max_length: int
    ) -> list[list[Hypothesis]]:
        pad = self.tokenizer.pad_token_id
        width = max(len(job.ids) for job in batch)
        input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
        attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, job in enumerate(batch):
            input_ids[row, : len(job.ids)] = torch.tensor(job.ids, dtype=torch.long)
            attention_mask[row, : len(job.ids)] = 1
        automata = [self._automaton(job.encoded) for job in batch]
        shortlist = None
        if self._frequent is not None:
            shortlist = torch.cat((self._frequent, input_ids[attention_mask.bool()].to(self.device)))
        return beam_search(
            self.model,
            input_ids.to(self.device),
            attention_mask.to(self.device),
            automata,
            beam=beam,
            max_length=max_length,
            continues_word=self._continues_word,
            shortlist=shortlist,
            workspace=workspace,
        )

    def _automaton(self, encoded: EncodedConstraints | None) -> ConstraintAutomaton:
        if encoded is None:
            return ConstraintAutomaton([], self._bad_words)
        return encoded.automaton(self._bad_words)


def _load_error(error: Exception) -> str:
    """One line saying why a model directory did not load."""
    text = str(error).strip()
    if "ignore_mismatched_sizes" in text:  # transformers points at a report it logged, which we silence
        return "its weights do not have the shapes its config.json gives"
    return text.splitlines()[0] if text else type(error).__name__


# Loggers of the libraries under the model stack that write to stderr while it loads.
_LIBRARY_LOGGERS = ("torch", "torchao", "transformers", "huggingface_hub")


@contextmanager
def _quiet_libraries() -> Iterator[None]:
    """Only errors from the libraries' loggers while the model stack is imported and loaded.

    Importing transformers' model classes imports every quantisation backend it finds installed:
    torchao, for one, logs that its CUDA kernels cannot load on a CPU machine, and torch logs a
    deprecation note about torchao's enums. None of it concerns the model songngu loads, and stderr
    is for songngu's own lines; real failures still raise. The levels are restored afterwards.
    """
    loggers = [logging.getLogger(name) for name in _LIBRARY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _continuation_mask(tokenizer: MarianTokenizer, vocab_size: int) -> torch.Tensor:
    """``[vocab]`` bool: the target piece continues the word before it (SentencePiece marks a word
    start with "▁"; punctuation and special tokens are boundaries too)."""
    special = set(tokenizer.all_special_ids)
    known = min(vocab_size, len(tokenizer))
    pieces = tokenizer.convert_ids_to_tokens(list(range(known)))
    mask = torch.zeros(vocab_size, dtype=torch.bool)
    mask[:known] = torch.tensor(
        [
            i not in special and bool(p) and not p.startswith("▁") and p[0].isalnum()
            for i, p in enumerate(pieces)
        ]
    )
    return mask


def _fits(encoded: EncodedConstraints, max_length: int) -> bool:
    """Whether every constraint could at all fit before the end token (start token counted)."""
    longest = max((min(len(alt) for alt in alts) for alts in encoded.positives if alts), default=0)
    return longest + 2 <= max_length


def _best_valid(
    hypotheses: list[Hypothesis], encoded: EncodedConstraints | None, translator: Translator
) -> Hypothesis | None:
    """The best hypothesis whose text has every constraint and no forbidden string."""
    for hypothesis in hypotheses:
        if encoded is None:
            return hypothesis
        text = translator.decode(hypothesis.tokens)
        if all(encoded.met_in(text)) and not encoded.forbidden_in(text):
            return hypothesis
    return None


def resolve_device(device: str) -> str:
    """The torch device ``--device`` names (``auto``: CUDA when there is one); InputError if unknown
    or not available."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        return "cpu"
    if device == "cuda" or device.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise InputError(f"--device {device}: CUDA is not available here; use --device cpu or auto")
        return device
    raise InputError(f"--device {device}: unknown device; use cpu, cuda or auto")


def _looks_like_path(model: str) -> bool:
    """Whether ``model`` can only be meant as a local directory, not a hub id.

    A hub id is ``name`` or ``owner/name`` (letters, digits, ``-``, ``_``, ``.``). Anything else is a
    path: absolute, starting with ``.`` or ``~``, with a backslash, a trailing slash or more than one
    slash. ``owner/name`` is taken as a path too when ``owner`` is a directory here (``models/x``
    beside a ``models/`` folder): on a desk that is where a downloaded model was meant to be.
    """
    if _HUB_ID.fullmatch(model) is None or model.startswith("."):
        return True
    owner, slash, _ = model.partition("/")
    return bool(slash) and Path(owner).is_dir()


def _no_such_directory(model: str, path: Path) -> InputError:
    """One line for a model path that names no directory (never a download hint: it is not a hub id)."""
    if path.exists():
        return InputError(f"{model}: not a directory; --model takes a MarianMT directory or a hub id")
    hint = "; --model takes a MarianMT directory or a hub id"
    parent = path.parent
    if parent.is_dir():
        siblings = sorted(entry.name for entry in parent.iterdir() if entry.is_dir())
        close = difflib.get_close_matches(path.name, siblings, n=1)
        if close:
            hint = f"; did you mean {parent / close[0] if str(parent) != '.' else close[0]}?"
    return InputError(f"{model}: no such directory{hint}")


def locate_model(model: str) -> tuple[Path, str]:
    """The local directory holding the model's files and its revision (hub commit, or ``sha256:``
    of a directory's files), without loading it: what identifies the model in the run metadata.

    Raises :class:`InputError` as :meth:`Translator.load` does; a ``model`` that can only be a path
    (:func:`_looks_like_path`) and names no directory is said to be so, not sent to the hub.
    """
    path = Path(model).expanduser()
    if path.is_dir():
        return _check_directory(path, model), _directory_checksum(path)
    if path.exists() or _looks_like_path(model):
        raise _no_such_directory(model, path)
    return _from_hub(model)


def _check_directory(path: Path, name: str) -> Path:
    if printable_path(path.absolute()) != os.fspath(path.absolute()):
        # SentencePiece takes only UTF-8 paths: refused here, not as a TypeError while loading.
        raise InputError(
            f"{printable(name)}: the model's path is not valid UTF-8, and its tokenizer (SentencePiece) "
            "cannot open it; rename the folder, or link to it from a UTF-8 path"
        )
    missing = [f for f in MODEL_FILES if not (path / f).is_file()]
    if "model.safetensors" in missing and (path / "pytorch_model.bin").exists():
        raise InputError(
            f"{name}: only pytorch_model.bin weights; songngu loads safetensors only "
            "(convert them to model.safetensors)"
        )
    if missing:
        raise InputError(f"{name}: not a MarianMT model directory, missing {', '.join(missing)}")
    return path


def _directory_checksum(path: Path) -> str:
    """``sha256:<hex>`` over the names and contents of the model's files."""
    digest = hashlib.sha256()
    for name in sorted(set(MODEL_FILES) | {f for f in OPTIONAL_FILES if (path / f).is_file()}):
        digest.update(name.encode("utf-8") + b"\0")
        with open(path / name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    return f"sha256:{digest.hexdigest()}"


def _from_hub(model: str) -> tuple[Path, str]:
    """A hub model's snapshot directory and commit: the local cache first, then one quick try online.

    Only the failures that mean "not here, cannot fetch it" become the one-line message: a missing
    or incomplete cache entry, a hub answer such as "no such repository" (both ``OSError``s in
    huggingface_hub), and the transport's own errors (connection, timeout). Anything else is a bug
    and keeps its traceback.
    """
    from httpx2 import HTTPError  # huggingface_hub's HTTP client: connection refused, timeouts
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, XetDownloadError

    patterns = [*MODEL_FILES, *OPTIONAL_FILES]
    try:
        snapshot = snapshot_download(model, allow_patterns=patterns, local_files_only=True)
    except HFValidationError:
        raise InputError(f"{model}: not a model id or an existing directory") from None
    except OSError:  # LocalEntryNotFoundError, IncompleteSnapshotError, an unreadable cache
        snapshot = None
    if snapshot is None:
        if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
            raise InputError(
                f"{model}: model not in the local cache (offline); {DOWNLOAD_HINT.format(model=model)}"
            )
        try:
            snapshot = snapshot_download(model, allow_patterns=patterns, etag_timeout=5)
        except (OSError, HTTPError, XetDownloadError):
            raise InputError(
                f"{model}: model not in the local cache and cannot be downloaded; "
                f"{DOWNLOAD_HINT.format(model=model)}"
            ) from None
    path = Path(snapshot)
    return _check_directory(path, model), path.name
