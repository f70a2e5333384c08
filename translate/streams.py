"""Several batches searched at once, on CPU.

A beam-search step at decoding sizes is many small operations (tens of rows per matrix product),
and between them one thread's cores wait on Python and the dispatcher. Two searches on two threads,
each with its share of the cores, keep them busy: measured on 2 cores, 1.15–1.26× the sentences per
second of one search using both cores for its products (interleaved runs). CTranslate2 calls the
same idea ``inter_threads``.

The batches are the same whatever the number of streams (the caller forms them first), each stream
has its own :class:`~translate.workspace.Workspace`, and a batch's result does not depend on
which stream ran it or when. What does change with the number of streams is each search's share of
the intra-op threads (all of them for one stream, ``threads // streams`` for several), and the
thread count can be part of the arithmetic: PyTorch's own kernels split the search's operations
between threads by output rows, so each number is summed in the same order whatever the count, but
the BLAS under the float products (MKL, oneDNN) does not promise that. So: identical output for the
same per-search thread count (tested, with one thread per search in both runs); with another count,
identical on the development machine (AMD EPYC, AVX2: 1 and 2 threads, fp32, int8 and bf16), and
equal up to rounding in general.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import TypeVar

import torch

from songngu.translate.workspace import Workspace

B = TypeVar("B")
R = TypeVar("R")

MAX_STREAMS = 4  # beyond this, cores go to each search's products


def default_streams(device: str, batches: int) -> int:
    """How many searches to run at once: on CPU one per core, at most :data:`MAX_STREAMS` and at
    most ``batches``; on a GPU one (its kernels are launched asynchronously already)."""
    if not device.startswith("cpu"):
        return 1
    return max(1, min(batches, MAX_STREAMS, torch.get_num_threads()))


def run_batches(
    batches: Sequence[B],
    search: Callable[[B, Workspace], R],
    workspaces: list[Workspace],
    *,
    streams: int,
    on_done: Callable[[B, R], None],
) -> None:
    """Run ``search(batch, workspace)`` for every batch, ``streams`` at a time, calling
    ``on_done(batch, result)`` (never concurrently) as each finishes.

    ``workspaces`` is extended to ``streams`` workspaces; stream ``i`` always uses the ``i``-th.
    The caller's intra-op thread count is shared out between the streams and restored after.
    """
    while len(workspaces) < max(1, streams):
        workspaces.append(Workspace())
    if streams <= 1 or len(batches) <= 1:
        for batch in batches:
            on_done(batch, search(batch, workspaces[0]))
        return
    threads = torch.get_num_threads()
    share = max(1, threads // streams)
    free = list(range(streams))  # workspace indices not in use
    lock = threading.Lock()

    def work(batch: B) -> None:
        # The OpenMP team size is process-wide in torch's build (measured), so every stream sets the same.
        torch.set_num_threads(share)
        with lock:
            slot = free.pop()
        try:
            result = search(batch, workspaces[slot])
        finally:
            with lock:
                free.append(slot)
        with lock:
            on_done(batch, result)

    # At most ``streams`` batches are submitted at a time, and the next only once one has finished
    # well: after a failure (or an interrupt) no further batch starts, whatever the threads' timing.
    remaining = iter(batches)
    pool = ThreadPoolExecutor(max_workers=streams, thread_name_prefix="songngu-search")
    try:
        running = {pool.submit(work, batch) for batch in itertools.islice(remaining, streams)}
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                future.result()  # raises the search's error before anything more is submitted
            for batch in itertools.islice(remaining, len(finished)):
                running.add(pool.submit(work, batch))
    finally:
        pool.shutdown(wait=True)  # the batches already running finish; nothing else was queued
        torch.set_num_threads(threads)
