"""A workspace hands out views of buffers it keeps, and grows them only when asked for more."""

from __future__ import annotations

import torch

from songngu.translate.workspace import Workspace


def test_a_name_reuses_its_buffer_while_it_is_large_enough() -> None:
    workspace = Workspace()
    first = workspace.tensor("a", (4, 8), torch.float32, "cpu")
    smaller = workspace.tensor("a", (2, 3), torch.float32, "cpu")
    assert smaller.data_ptr() == first.data_ptr() and smaller.shape == (2, 3) and smaller.is_contiguous()
    larger = workspace.tensor("a", (5, 8), torch.float32, "cpu")
    assert larger.shape == (5, 8)
    assert workspace.tensor("a", (4, 8), torch.float32, "cpu").data_ptr() == larger.data_ptr()


def test_names_and_dtypes_do_not_share_memory() -> None:
    workspace = Workspace()
    a = workspace.tensor("a", (16,), torch.float32, "cpu")
    b = workspace.tensor("b", (16,), torch.float32, "cpu")
    assert a.data_ptr() != b.data_ptr()
    as_int = workspace.tensor("a", (16,), torch.int32, "cpu")
    assert as_int.dtype == torch.int32 and as_int.data_ptr() != b.data_ptr()
