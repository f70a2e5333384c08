"""Dynamic batching: the texts of many clients translated together by one model, one call at a time.

Requests are not translated one by one. Each becomes a *job* (its texts, already segmented, and the
glossary it is held to) in one bounded queue; a single worker thread owns the model and the
translation memory and loops:

1. wait for a job; then, while the model sat idle, up to ``window`` seconds more for others to
   arrive (under load the queue is already full when the model comes back, and nobody waits);
2. take jobs in arrival order up to ``max_batch`` segments (always at least one job);
3. prepare each job through :func:`songngu.translate.pipeline.prepare_article` (terms, memory,
   pieces: exactly what ``songngu translate`` does to an article), then translate the pieces of all
   of them in one :meth:`Translator.translate` call, which sorts them by length across clients;
4. hand each job its records (:func:`~songngu.translate.pipeline.finish_article`).

The queue holds at most ``capacity`` segments waiting: a job that does not fit is refused at once
(:class:`QueueFull`, with a ``Retry-After`` estimated from the measured throughput) instead of waiting
without bound, so memory stays flat under any load. A job whose client went away or timed out is
dropped before its sentences reach the model; one already in the model call finishes and its result
is thrown away (a search cannot be stopped part-way). Translations never depend on the batch they
were searched in (tested in the engine's tests), so a batched answer is the command line's answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from songngu.glossary.matcher import GlossaryMatcher
from songngu.translate.engine import Translation, TranslationRequest
from songngu.translate.memory import TranslationMemory
from songngu.translate.pipeline import ArticleSource, DecodingSettings, finish_article, prepare_article
from songngu.translate.records import Segment, SegmentResult


class Model(Protocol):
    """What the batcher needs of a :class:`~songngu.translate.engine.Translator`."""

    def fits_source(self, text: str) -> bool:
        """Whether the model reads ``text`` whole."""

    def translate(
        self,
        requests: Sequence[TranslationRequest],
        *,
        beam: int,
        max_length: int,
        batch_size: int,
        with_unconstrained: bool,
    ) -> list[Translation]:
        """Translations of ``requests``, in order."""


@dataclass(frozen=True)
class TextSource:
    """One text of a request: the article it stands for and its segments (counted for the queue)."""

    source: ArticleSource
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class TranslatedText:
    """A text's segments and their records, one per segment, in order. ``renderings[i][j]`` are the
    English renderings that satisfy term ``j`` of segment ``i`` (``results[i].terms[j]``), preferred
    first: what to look for where a term is met."""

    segments: tuple[Segment, ...]
    results: list[SegmentResult]
    renderings: tuple[tuple[tuple[str, ...], ...], ...] = ()


class QueueFull(Exception):
    """The queue cannot take the job now; ``retry_after`` is an estimate of when it can, in seconds."""

    def __init__(self, retry_after: int, capacity: int) -> None:
        super().__init__(f"the server's queue is full ({capacity:,} segments waiting)")
        self.retry_after = retry_after


@dataclass(frozen=True)
class BatcherStats:
    """What the batcher has done since it started, for ``/songngu/status``."""

    queued_segments: int
    capacity: int
    in_model: int  # jobs in the model call under way
    answered: int
    cancelled: int
    rejected: int
    model_calls: int
    segments_per_second: float | None


@dataclass
class _Job:
    texts: tuple[TextSource, ...]
    matcher: GlossaryMatcher | None
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[list[TranslatedText]]
    size: int
    arrived: float = field(default_factory=time.monotonic)
    cancelled: bool = False


class Batcher:
    """One model, one worker thread, one bounded queue of jobs from every client."""

    def __init__(
        self,
        model: Model,
        settings: DecodingSettings,
        *,
        open_memory: Callable[[], TranslationMemory | None] = lambda: None,
        window: float = 0.005,
        max_batch: int = 256,
        capacity: int = 2048,
    ) -> None:
        """``open_memory`` is called in the worker thread (an SQLite connection belongs to the thread
        that opened it); ``window`` is in seconds; ``max_batch`` and ``capacity`` count segments."""
        self._model = model
        self._settings = settings
        self._open_memory = open_memory
        self._window = window
        self._max_batch = max_batch
        self.capacity = capacity
        self._jobs: deque[_Job] = deque()
        self._queued = 0
        self._in_model = 0
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._start_error: BaseException | None = None
        self._answered = self._cancelled = self._rejected = self._calls = 0
        self._rate: float | None = None  # segments per second, smoothed over model calls

    def start(self) -> None:
        """Start the worker (it opens the memory first; an error doing so is raised here). Starting a
        started batcher does nothing."""
        if self._thread is not None:
            return
        # A daemon thread: a forced second Ctrl-C must not wait for a search to finish.
        self._thread = threading.Thread(target=self._run, name="songngu-batcher", daemon=True)
        self._thread.start()
        self._started.wait()
        if self._start_error is not None:
            raise self._start_error

    def stop(self, timeout: float | None = None) -> None:
        """Finish the jobs queued, then stop the worker and close the memory."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def stats(self) -> BatcherStats:
        """A snapshot of the counters."""
        with self._wake:
            return BatcherStats(
                queued_segments=self._queued,
                capacity=self.capacity,
                in_model=self._in_model,
                answered=self._answered,
                cancelled=self._cancelled,
                rejected=self._rejected,
                model_calls=self._calls,
                segments_per_second=round(self._rate, 2) if self._rate else None,
            )

    async def translate(
        self, texts: Sequence[TextSource], matcher: GlossaryMatcher | None
    ) -> list[TranslatedText]:
        """The records of ``texts`` held to ``matcher``'s glossary. Raises :class:`QueueFull` at once
        when the queue cannot take them; cancelling the awaiting task drops the job."""
        loop = asyncio.get_running_loop()
        size = sum(len(text.segments) for text in texts)
        job = _Job(tuple(texts), matcher, loop, loop.create_future(), size)
        with self._wake:
            if self._stopping:
                raise QueueFull(1, self.capacity)
            # An empty queue takes any job: the service keeps one request within the capacity.
            if self._queued + size > self.capacity and self._queued > 0:
                self._rejected += 1
                raise QueueFull(self._retry_after(), self.capacity)
            self._jobs.append(job)
            self._queued += size
            self._wake.notify_all()
        try:
            return await job.future
        except asyncio.CancelledError:
            with self._wake:
                if not job.cancelled:
                    job.cancelled = True
                    self._cancelled += 1
                    if job in self._jobs:  # still waiting: its place is free again
                        self._jobs.remove(job)
                        self._queued -= job.size
            raise

    def _retry_after(self) -> int:
        if not self._rate:
            return 1
        return max(1, min(60, math.ceil(self._queued / self._rate)))

    def _run(self) -> None:
        try:
            memory = self._open_memory()
        except BaseException as error:  # reported by start(), in the starting thread
            self._start_error = error
            self._started.set()
            return
        self._started.set()
        try:
            while (batch := self._next_batch()) is not None:
                self._translate(batch, memory)
        finally:
            if memory is not None:
                memory.close()

    def _next_batch(self) -> list[_Job] | None:
        with self._wake:
            while not self._jobs:
                if self._stopping:
                    return None
                self._wake.wait()
            # The wait window counts from the first job's arrival: a job that already waited
            # for the model to come back does not wait again.
            deadline = self._jobs[0].arrived + self._window
            while self._queued < self._max_batch and not self._stopping:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._wake.wait(remaining)
            batch: list[_Job] = []
            taken = 0
            while self._jobs and (not batch or taken + self._jobs[0].size <= self._max_batch):
                job = self._jobs.popleft()
                batch.append(job)
                taken += job.size
            self._queued -= taken
            self._in_model = len(batch)
            return batch

    def _translate(self, batch: list[_Job], memory: TranslationMemory | None) -> None:
        started = time.monotonic()
        # Settled only once the counters include this call: a client that has its answer sees it
        # counted in /songngu/status.
        outcomes: list[tuple[_Job, list[TranslatedText] | Exception]] = []
        try:
            live = [job for job in batch if not job.cancelled]
            prepared = {
                id(job): [
                    prepare_article(text.source, job.matcher, memory, self._model.fits_source, text.segments)
                    for text in job.texts
                ]
                for job in live
            }
            requests = [request for job in live for p in prepared[id(job)] for request in p.requests()]
            translations = (
                self._model.translate(
                    requests,
                    beam=self._settings.beam,
                    max_length=self._settings.max_length,
                    batch_size=self._settings.batch_size,
                    with_unconstrained=False,
                )
                if requests
                else []
            )
            offset = 0
            for job in live:
                results = []
                for p in prepared[id(job)]:
                    count = len(p.jobs)
                    records = finish_article(p, translations[offset : offset + count], memory, suggest=False)
                    offset += count
                    renderings = tuple(tuple(m.targets for m in terms.matches) for terms in p.terms)
                    results.append(TranslatedText(p.segments, records, renderings))
                outcomes.append((job, results))
        except Exception as error:  # a bug or a model failure: every job of the batch hears of it
            outcomes = [(job, error) for job in batch]
        finally:
            elapsed = time.monotonic() - started
            segments = sum(job.size for job in batch)
            with self._wake:
                self._in_model = 0
                self._calls += 1
                self._answered += sum(not job.cancelled for job in batch)
                if segments and elapsed > 0:
                    rate = segments / elapsed
                    self._rate = rate if self._rate is None else 0.7 * self._rate + 0.3 * rate
        for job, outcome in outcomes:
            _settle(job, outcome)


def _settle(job: _Job, outcome: list[TranslatedText] | Exception) -> None:
    """Hand the outcome to the job's event loop (futures are not thread-safe)."""

    def settle() -> None:
        if job.future.done():  # cancelled meanwhile
            return
        if isinstance(outcome, Exception):
            job.future.set_exception(outcome)
        else:
            job.future.set_result(outcome)

    # A closed loop: the server was forced to stop, and nobody is waiting any more.
    with contextlib.suppress(RuntimeError):
        job.loop.call_soon_threadsafe(settle)
