"""Several batches searched at once give the same translations as one at a time."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import torch

from songngu.translate.constraints import TermConstraint
from songngu.translate.engine import TranslationRequest, Translator
from songngu.translate.streams import MAX_STREAMS, default_streams, run_batches
from songngu.translate.workspace import Workspace

SOURCES = [
    "Việt Nam tích cực tham gia vào quá trình hình thành AICHR.",
    "Hội thảo có sự tham dự của hơn 60 đại biểu.",
    "Xin chào.",
    "Cuộc họp sẽ thảo luận dự thảo Kế hoạch Công tác AICHR 2021-2025.",
    "Bộ Ngoại giao và Chương trình Phát triển Liên hiệp quốc tổ chức hội thảo về quyền con người.",
    "Đại diện Ban Thư ký ASEAN phát biểu.",
    "Việt Nam.",
]


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_streams_change_no_translation(tiny_model_dir: Path, precision: str) -> None:
    translator = Translator.load(str(tiny_model_dir), device="cpu", precision=precision)
    requests = [
        TranslationRequest(source, (TermConstraint(("human rights",)),) if i % 2 else ())
        for i, source in enumerate(SOURCES)
    ]
    found = {}
    threads = torch.get_num_threads()
    # One intra-op thread in all: one stream then searches with 1 thread and each of 3 streams with
    # max(1, 1 // 3) = 1, so every batch is the same computation on the same shapes with the same
    # thread count, and the results must be the same bits. (With more threads one stream would get
    # them all and three a share each: a thread count the BLAS may sum differently; see streams.py.)
    torch.set_num_threads(1)
    try:
        for streams in (1, 3):
            translator.streams = streams
            found[streams] = translator.translate(requests, beam=3, max_length=20, batch_size=2)
    finally:
        torch.set_num_threads(threads)
    assert found[1] == found[3]
    assert len(translator._workspaces) == 3  # one per stream, kept for the next call


def test_every_batch_is_searched_once_with_a_workspace_of_its_own_and_threads_restored() -> None:
    threads = torch.get_num_threads()
    in_use: set[int] = set()
    lock = threading.Lock()
    done: list[int] = []

    def search(batch: int, workspace: Workspace) -> int:
        with lock:
            assert id(workspace) not in in_use  # no two searches share buffers
            in_use.add(id(workspace))
        with lock:
            in_use.discard(id(workspace))
        return batch * 10

    workspaces: list[Workspace] = []
    run_batches(
        list(range(9)), search, workspaces, streams=3, on_done=lambda b, r: done.append(r - 10 * b + b)
    )
    assert sorted(done) == list(range(9)) and len(workspaces) == 3
    assert torch.get_num_threads() == threads


def test_a_failing_search_fails_the_run_starts_no_other_batch_and_restores_threads() -> None:
    threads = torch.get_num_threads()
    searched: list[int] = []
    failing = threading.Event()

    def search(batch: int, workspace: Workspace) -> int:
        if batch == 0:
            failing.set()
            raise RuntimeError("out of memory")
        failing.wait()  # batch 1, beside it, finishes only once batch 0 has failed
        searched.append(batch)
        return batch

    with pytest.raises(RuntimeError, match="out of memory"):
        run_batches(list(range(40)), search, [], streams=2, on_done=lambda b, r: None)
    assert torch.get_num_threads() == threads
    # Two batches at a time, the next submitted only when one has finished well: batch 0's failure
    # is done before batch 1 is, so no third batch is ever submitted. (Submitted all at once, the
    # free thread took batch 2 and more from the queue before the failure was seen.)
    assert searched == [1]


def test_default_streams() -> None:
    assert default_streams("cuda:0", 8) == 1
    assert default_streams("cpu", 1) == 1
    assert 1 <= default_streams("cpu", 100) <= MAX_STREAMS
