"""Translating on a Ray cluster with Ray Data: one model per actor, every file written by the driver.

``songngu translate ... --ray ADDRESS|local`` runs the same pipeline as a local run; only the model
calls move. The driver segments, matches terms, looks up the memory and writes every file with the
same atomic, merge-preserving writers; the requests of all windows go into one Ray dataset whose
``map_batches`` runs a pool of actors (a callable class), each loading the model once and translating
a batch of sentences per call with :meth:`Translator.translate`, which sorts the batch by length.
Rows are sorted by length within each window before they are split, so an actor's batch holds
sentences of similar length. Results come back as they are done and each window is handed back in
order once complete.

``local`` starts Ray on this machine (loopback only, no dashboard, no usage statistics, quiet logs)
with one CPU per actor; any other address is passed to ``ray.init`` (``ray://host:10001`` or
``host:6379``). Each node must have songngu installed, and the model (a hub id in its cache, or the
same directory path): an actor refuses a model whose revision differs from the driver's.

The driver loads the model's tokenizer and configuration (not its weights) to split sentences too
long for the model into pieces, as a local run does. A sentence's translation is computed from its
own row of a batch (tested up to rounding), so a Ray run writes the files a local run writes on the
same kind of device: byte for byte when the batches are the same computation (tested with batches
of one), and up to rounding otherwise, since an actor's batches hold other sentences than a local
run's (README, "What the tests claim").
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from songngu.errors import InputError
from songngu.translate.constraints import TermConstraint
from songngu.translate.engine import (
    SourceMeter,
    Translation,
    TranslationRequest,
    Translator,
    locate_model,
)
from songngu.translate.pipeline import DecodingSettings

INSTALL_HINT = "pip install 'songngu[ray]'"
# Sentences per actor call, in batches of the decoding batch size: enough to sort well by length,
# few enough that results stream back and every actor gets work.
BATCHES_PER_CALL = 4


def require_ray() -> None:
    """Raise a one-line :class:`InputError` saying how to install Ray when it is missing."""
    try:
        import ray.data  # noqa: F401
    except ImportError as error:
        raise InputError(f"--ray needs Ray Data, which is not installed ({error}); {INSTALL_HINT}") from None


class RayEngine:
    """A pool of :class:`Translator` actors on a Ray cluster, driven through Ray Data."""

    def __init__(
        self,
        address: str,
        model: str,
        *,
        device: str = "auto",
        precision: str = "auto",
        actors: int | None = None,
    ) -> None:
        require_ray()
        import ray
        from ray.data import DataContext

        directory, self.revision = locate_model(model)
        # The tokenizer and configuration only (no weights): sentences too long for the model are
        # split into pieces here, exactly as a local run splits them, before they reach an actor.
        self._source = SourceMeter.load(model, directory)
        self.model_id = model
        self.device = device  # replaced by the device the actors report once they have translated
        self._requested_device = device
        self.precision = precision  # likewise replaced by what the actors resolved "auto" to
        self._requested_precision = precision
        # Ray reports usage statistics over the network unless told not to; songngu never phones home.
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR}
        if address == "local":
            cores = actors or os.cpu_count() or 1
            ray.init(num_cpus=cores, include_dashboard=False, _node_ip_address="127.0.0.1", **quiet)
        else:
            ray.init(address=address, **quiet)
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        if device.startswith("cuda"):
            # Ray would wait for ever for actors that each need a GPU the cluster does not have.
            gpus = int(resources.get("GPU", 0))
            if gpus < (actors or 1):
                ray.shutdown()
                raise InputError(
                    f"--ray {address}: --device {device} needs {actors or 1} GPU(s) and the cluster has "
                    f"{gpus}; use --device cpu or auto, or fewer --ray-actors"
                )
            self.actors = actors or gpus
        else:
            cpus = int(resources.get("CPU", 0))
            if actors is not None and actors > cpus:  # likewise: actors that never get a core
                ray.shutdown()
                raise InputError(
                    f"--ray {address}: --ray-actors {actors} needs {actors} CPUs and the cluster has {cpus}"
                )
            self.actors = actors or max(1, cpus)
        context = DataContext.get_current()
        context.enable_progress_bars = False  # songngu draws its own bar
        context.print_on_execution_start = False
        context.enable_auto_log_stats = False
        for name in ("ray", "ray.data"):  # ray.data sets its own level when imported
            # CRITICAL: a failed run is reported in one line by _reported, where Ray Data would log
            # its internal stack trace at ERROR level first.
            logging.getLogger(name).setLevel(logging.CRITICAL)

    def fits_source(self, text: str) -> bool:
        """Whether the model reads ``text`` whole, measured with its own tokenizer on the driver."""
        return self._source.fits(text)

    def close(self) -> None:
        """Disconnect from the cluster (and stop it, when it was started for this run)."""
        import ray

        ray.shutdown()

    def translate_windows(
        self,
        windows: Iterable[Sequence[TranslationRequest]],
        settings: DecodingSettings,
        on_progress: Callable[[float], None] | None = None,
    ) -> Iterator[list[Translation]]:
        """Translate every window in one dataset; yield each window's translations once complete."""
        sizes: list[int] = []
        rows: list[dict[str, Any]] = []
        for number, window in enumerate(windows):
            sizes.append(len(window))
            ordered = sorted(range(len(window)), key=lambda i: (len(window[i].source), i))
            rows.extend(_request_row(number, i, window[i]) for i in ordered)
        if not rows:
            yield from ([] for _ in sizes)
            return
        with warnings.catch_warnings():
            # max_restarts has no named parameter in Ray 2.60 (pinned): passing it is "deprecated".
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset = self._dataset(rows, settings)
        results: list[list[Translation | None]] = [[None] * size for size in sizes]
        missing = list(sizes)
        current = 0
        for batch in _reported(dataset.iter_batches(batch_size=None, batch_format="pyarrow")):
            for row in batch.to_pylist():
                number = int(row["window"])
                results[number][int(row["index"])] = _translation(row)
                missing[number] -= 1
                self.device = str(row["device"])
                self.precision = str(row["precision"])
            while current < len(sizes) and missing[current] == 0:
                yield [t for t in results[current] if t is not None]
                results[current] = []
                current += 1
            if on_progress is not None and current < len(sizes):
                on_progress(1 - missing[current] / sizes[current])
        if current < len(sizes):
            raise RuntimeError(f"Ray returned {sum(missing)} fewer translations than requests")

    def _dataset(self, rows: list[dict[str, Any]], settings: DecodingSettings) -> Any:
        """The request rows mapped through a pool of :class:`_TranslateBatch` actors."""
        import ray.data

        gpu = self._requested_device.startswith("cuda")
        return ray.data.from_items(rows).map_batches(
            _TranslateBatch,
            fn_constructor_kwargs={
                "model": self.model_id,
                "device": self._requested_device,
                "precision": self._requested_precision,
                "revision": self.revision,
                "settings": settings,
            },
            batch_size=settings.batch_size * BATCHES_PER_CALL,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=self.actors),
            num_cpus=0 if gpu else 1,
            num_gpus=1 if gpu else 0,
            # A lost actor fails the run (songngu reports it) rather than restarting with its
            # constructor arguments gone; it also keeps Ray from warning about that on stderr.
            max_restarts=0,
        )


class _TranslateBatch:
    """The Ray Data callable class: constructed once per actor (loading the model), then called with
    batches of request rows."""

    def __init__(
        self, model: str, device: str, precision: str, revision: str, settings: DecodingSettings
    ) -> None:
        import torch

        torch.set_num_threads(1)  # one actor per core
        self.translator = Translator.load(model, device=device, precision=precision)
        if self.translator.revision != revision:
            raise InputError(
                f"{model}: this Ray node has revision {self.translator.revision}, the driver {revision}"
            )
        self.settings = settings

    def __call__(self, batch: Any) -> Any:
        import pyarrow

        rows = batch.to_pylist()
        translations = self.translator.translate(
            [_request(row) for row in rows],
            beam=self.settings.beam,
            max_length=self.settings.max_length,
            batch_size=self.settings.batch_size,
            with_unconstrained=self.settings.with_unconstrained,
        )
        out = [
            {
                "window": row["window"],
                "index": row["index"],
                "text": t.text,
                "score": t.score,
                "met": list(t.met),
                "violated": t.violated,
                "unconstrained": t.unconstrained,
                "device": self.translator.device,
                "precision": self.translator.precision.value,
            }
            for row, t in zip(rows, translations, strict=True)
        ]
        return pyarrow.Table.from_pylist(out, schema=_result_schema())


def _reported(batches: Iterable[Any]) -> Iterator[Any]:
    """``batches``, with a failure on the cluster turned into one line: Ray wraps an actor's error
    (a model that does not load there, a lost node) in a multi-line remote traceback."""
    from ray.exceptions import RayError, RayTaskError

    try:
        yield from batches
    except RayError as error:
        cause = error.cause if isinstance(error, RayTaskError) else None
        if isinstance(cause, InputError):
            raise InputError(str(cause)) from None
        text = str(cause if cause is not None else error).strip()
        lines = [line for line in text.splitlines() if line.strip()]
        # A remote traceback ends with the exception's own line: that is the one that says what failed.
        what = lines[-1].strip() if lines else type(error).__name__
        ours = f"{InputError.__module__}.{InputError.__name__}: "
        if what.startswith(ours):  # an actor's constructor refused the model: say it as it said it
            raise InputError(f"{what.removeprefix(ours)} (on a Ray actor)") from None
        raise InputError(f"Ray: {type(cause or error).__name__}: {what}"[:500]) from None


def _request_row(window: int, index: int, request: TranslationRequest) -> dict[str, Any]:
    return {
        "window": window,
        "index": index,
        "source": request.source,
        "constraints": [list(c.alternatives) for c in request.constraints],
        "forbidden": list(request.forbidden),
    }


def _request(row: dict[str, Any]) -> TranslationRequest:
    constraints = tuple(TermConstraint(tuple(alternatives)) for alternatives in row["constraints"] or [])
    return TranslationRequest(row["source"], constraints, tuple(row["forbidden"] or ()))


def _translation(row: dict[str, Any]) -> Translation:
    return Translation(
        text=row["text"],
        score=float(row["score"]),
        met=tuple(bool(m) for m in row["met"] or ()),
        violated=bool(row["violated"]),
        unconstrained=row["unconstrained"],
    )


def _result_schema() -> Any:
    import pyarrow

    return pyarrow.schema(
        [
            ("window", pyarrow.int64()),
            ("index", pyarrow.int64()),
            ("text", pyarrow.string()),
            ("score", pyarrow.float64()),
            ("met", pyarrow.list_(pyarrow.bool_())),
            ("violated", pyarrow.bool_()),
            ("unconstrained", pyarrow.string()),
            ("device", pyarrow.string()),
            ("precision", pyarrow.string()),
        ]
    )
