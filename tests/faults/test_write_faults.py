"""Fault class: outputs that cannot be written (issue #10, items 1–4).

An output location that cannot take files is found before any work starts; a write that fails
later (a full disk) is one line naming the file and leaves the previous set of files whole; a run
killed while writing leaves temporary files that the next run removes; a broken reviewed catalog of
any article stops the whole run before any article is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from songngu.errors import InputError
from songngu.textfile import remove_stale_temporaries, write_all
from songngu.translate.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]
ARTICLE = "Cuộc họp khai mạc sáng nay.\n\nCác đại biểu thảo luận về nhân quyền.\n"
SUFFIXES = (".jsonl", ".en.txt", ".tsv", ".vi", ".en", ".tmx", ".po")
NO_MODEL = "/nonexistent/model"  # a run that got as far as loading a model would say so instead


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@contextlib.contextmanager
def tmpfs(where: Path, size: str, *, read_only: bool = False) -> Iterator[Path]:
    """A real small (or read-only) file system, which only root can mount."""
    where.mkdir()
    options = f"size={size}" + (",ro" if read_only else "")
    if (
        os.geteuid() != 0
        or subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)]).returncode
    ):
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def article(tmp_path: Path, name: str = "bai") -> Path:
    path = tmp_path / f"{name}.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def translate(*args: str) -> int:
    return main(["translate", *args, "--max-length", "24", "--beam", "2"])


# --- 1. locations checked before any work -------------------------------------------------------


def test_out_naming_a_file_is_refused_before_the_model_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").write_text("not a folder")
    assert translate(str(article(tmp_path)), "--out", str(tmp_path / "out"), "--model", NO_MODEL) == 2
    assert one_line(capsys.readouterr().err) == f"songngu: {tmp_path / 'out'}: exists and is not a directory"


def test_read_only_out_is_refused_before_the_model_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = article(tmp_path)
    with tmpfs(tmp_path / "ro", "1m", read_only=True) as out:
        assert translate(str(source), "--out", str(out), "--model", NO_MODEL) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"songngu: {out}: cannot write here: ") and "Read-only file system" in line


def test_an_output_path_that_is_a_directory_is_refused_before_the_model_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out" / "bai.tsv").mkdir(parents=True)
    assert translate(str(article(tmp_path)), "--out", str(tmp_path / "out"), "--model", NO_MODEL) == 2
    assert "bai.tsv: is a directory" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "command",
    [
        ["glossary", "convert", str(ROOT / "seeds" / "glossary.csv"), "{bad}/g.tbx"],
        ["export-tm", "--tm", "{tm}", "-o", "{bad}/tm.tmx"],
        [
            "review",
            "import",
            str(ROOT / "seeds" / "reference" / "000_8d105ddd42d75641.po"),
            "--tm",
            "{tm}",
            "--candidates",
            "{bad}/c.csv",
        ],
        [
            "evaluate",
            "--hyp",
            str(ROOT / "seeds" / "reference" / "000_8d105ddd42d75641.en"),
            "--ref",
            str(ROOT / "seeds" / "reference" / "000_8d105ddd42d75641.en"),
            "--report",
            "{bad}/r.html",
        ],
    ],
    ids=["glossary-convert", "export-tm", "review-candidates", "evaluate-report"],
)
def test_unwritable_outputs_of_every_command_are_one_line_and_change_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    bad = tmp_path / "a-file"
    bad.write_text("a file where a folder should be")
    tm = tmp_path / "tm.sqlite"
    assert (
        main(
            [
                "review",
                "import",
                str(ROOT / "seeds" / "reference" / "001_22198d4c667fcb7a.po"),
                "--tm",
                str(tm),
            ]
        )
        == 0
    )
    capsys.readouterr()
    before = tm.read_bytes()
    args = [part.format(bad=bad, tm=tm) for part in command]
    assert main(args) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"songngu: {bad}: ")
    assert tm.read_bytes() == before  # --candidates is checked before the import commits


# --- 2. a full disk mid-write ------------------------------------------------------------------


def test_a_failing_write_leaves_the_old_set_whole_and_no_temporaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [(tmp_path / f"bai{suffix}", f"new {suffix}") for suffix in SUFFIXES]
    for path, _ in files:
        path.write_text("old")
    real_fsync = os.fsync
    calls = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(InputError, match=r"bai\.en: cannot write: no space left on the device"):
        write_all(files)
    assert [path.read_text() for path, _ in files] == ["old"] * len(files)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(path.name for path, _ in files)


def test_a_full_disk_during_translate_is_one_line_and_writes_no_partial_set(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(tmp_path / "small", "16k") as out:
        code = translate(str(SEED), "--out", str(out), "--model", str(tiny_model_dir))
        left = sorted(p.name for p in out.iterdir())
    assert code == 2
    line = one_line(capsys.readouterr().err)
    assert "cannot write: no space left on the device" in line
    assert left == []  # neither a mixed set nor a temporary file


# --- 3. killed while writing ---------------------------------------------------------------------

_SLOW_WRITER = """
import os, sys, time
from songngu.textfile import write_atomic
os.fsync = lambda fd: time.sleep(3600)  # killed while its temporary file is being written
write_atomic(sys.argv[1], "x" * 800_000)
"""


def test_temporaries_of_a_killed_run_are_removed_by_the_next_run(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    writer = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(out / "bai.jsonl")], cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not list(out.glob(".bai.jsonl.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    (left,) = out.glob(".bai.jsonl.*.tmp")
    live = out / f".bai.po.{os.getpid()}.abc.tmp"  # a running process's: never touched
    live.write_text("being written")
    assert translate(str(article(tmp_path)), "--out", str(out), "--model", str(tiny_model_dir)) == 0
    assert not left.exists()
    assert live.exists()
    assert remove_stale_temporaries(out) == []


# --- 4. one run, one decision ----------------------------------------------------------------------


def test_a_broken_catalog_of_any_article_stops_the_run_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.po").write_text('msgid "unterminated\n', encoding="utf-8")
    first, second = article(tmp_path, "a"), article(tmp_path, "b")
    assert translate(str(first), str(second), "--out", str(out), "--model", NO_MODEL) == 2
    assert one_line(capsys.readouterr().err).startswith(f"songngu: {out / 'b.po'}:")
    assert sorted(p.name for p in out.iterdir()) == ["b.po"]
