"""Several batches searched at once give the same translations as one at a time."""

from __future__ import annotations

import threading
import time
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
    for streams in (1, 3):
        translator.streams = streams
        found[streams] = translator.translate(requests, beam=3, max_length=20, batch_size=2)
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


def test_a_failing_search_fails_the_run_and_restores_threads() -> None:
    threads = torch.get_num_threads()

    def search(batch: int, workspace: Workspace) -> int:
        if batch == 2:
            raise RuntimeError("out of memory")
        time.sleep(0.02)  # the failure surfaces long before the last batches could have started
        return batch

    searched: list[int] = []
    with pytest.raises(RuntimeError, match="out of memory"):
        run_batches(list(range(40)), search, [], streams=2, on_done=lambda b, r: searched.append(b))
    assert torch.get_num_threads() == threads
    assert len(searched) < 39  # the batches not yet started when it failed were dropped


def test_default_streams() -> None:
    assert default_streams("cuda:0", 8) == 1
    assert default_streams("cpu", 1) == 1
    assert 1 <= default_streams("cpu", 100) <= MAX_STREAMS
