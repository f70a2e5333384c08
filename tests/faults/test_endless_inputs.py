"""Fault: inputs that never end (issue #23, item 1).

A link to ``/dev/zero`` among an archive's articles ended in ``MemoryError`` (the file was read whole
first); a named pipe would have blocked the run for ever. Now only regular files are read, each
refused otherwise in one line naming it, while the rest of the folder is translated; and an article
is read up to ``ARTICLE_LIMIT`` (16 MiB), never slurped whole first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from songngu.errors import InputError
from songngu.textfile import ARTICLE_LIMIT, read_lines, read_text
from songngu.translate.cli import main

ARTICLE = "Cuộc họp khai mạc sáng nay.\n\nCác đại biểu thảo luận về nhân quyền.\n"
NOT_REGULAR = "not a regular file; songngu reads only regular files"


def songngu(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``songngu ARGS`` in a process of its own, given a minute: a read that blocks fails the test
    instead of hanging it."""
    return subprocess.run(
        [sys.executable, "-m", "songngu", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_a_link_to_dev_zero_in_a_folder_is_refused_and_the_rest_translated(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "bai.txt").write_text(ARTICLE, encoding="utf-8")
    (archive / "zero.txt").symlink_to("/dev/zero")
    out = tmp_path / "out"
    args = ["translate", str(archive), "--out", str(out), "--model", str(tiny_model_dir)]
    assert main([*args, "--max-length", "16", "--beam", "1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert f"songngu: {archive / 'zero.txt'}: is a character device, {NOT_REGULAR}" in err
    assert not any("Traceback" in line or "MemoryError" in line for line in err)
    assert (out / "bai.po").is_file() and not list(out.glob("zero.*"))


@pytest.mark.parametrize("command", [["segment"], ["glossary", "extract"]])
def test_a_device_named_directly_is_refused(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "/dev/zero"]) == 2
    assert capsys.readouterr().err == f"songngu: /dev/zero: is a character device, {NOT_REGULAR}\n"


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    done = songngu("segment", "pipe.txt", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"songngu: pipe.txt: is a named pipe, {NOT_REGULAR}\n"
    with pytest.raises(InputError, match="is a named pipe"):
        list(read_lines(tmp_path / "pipe.txt"))  # the streaming reader too


def test_a_directory_named_as_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "folder.txt").mkdir()
    assert main(["segment", str(tmp_path / "folder.txt")]) == 2
    assert capsys.readouterr().err == f"songngu: {tmp_path / 'folder.txt'}: is a directory, {NOT_REGULAR}\n"


def test_an_article_over_the_limit_is_refused_without_being_read_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as handle:
        handle.truncate(1 << 30)  # 1 GiB, sparse: no disk used, and a whole read would take 1 GiB
    tracemalloc.start()
    try:
        assert main(["segment", str(huge)]) == 2
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert capsys.readouterr().err == (
        f"songngu: {huge}: larger than 16 MiB, the most songngu reads as one article; split it\n"
    )
    assert peak < ARTICLE_LIMIT + (8 << 20), peak


def test_the_limit_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 1000)
    assert read_text(path, limit=1000) == "x" * 1000
    with pytest.raises(InputError, match="larger than 999 bytes, the most songngu reads as one article"):
        read_text(path, limit=999)
    assert ARTICLE_LIMIT == 16 * 1024 * 1024
