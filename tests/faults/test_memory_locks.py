"""Fault class: the translation memory held, raced for, or read-only (issue #10, items 5–7).

The memory is one SQLite file shared by a desk: an import may run while a translation reads it,
two imports may start on a new file at once, and an archived memory may be read-only.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from memory_files import old_memory

from songngu.errors import InputError
from songngu.translate.cli import main, notice
from songngu.translate.memory import MemoryUnit, TranslationMemory, UnitKind

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: en\\n"

#. machine translation: The meeting opened.
msgctxt "bai:1:1"
msgid "Cuộc họp khai mạc."
msgstr "The meeting opened."
"""


def unit(source: str, target: str, **fields: object) -> MemoryUnit:
    values: dict[str, object] = {"origin": "a.po", "segment_id": "a:1:1", "edited": False}
    values["created"] = "2024-05-01T10:00:00Z"
    values.update(fields)
    return MemoryUnit(source, target, **values)  # type: ignore[arg-type]


def hold_write_lock(path: Path) -> sqlite3.Connection:
    """A second connection, as another process's import would be, holding the write lock."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_writer_waits_for_a_lock_says_so_once_and_then_stores(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite"
    TranslationMemory(path).close()
    holder = hold_write_lock(path)
    said: list[str] = []

    def waiting(line: str) -> None:
        said.append(line)
        holder.rollback()  # the other import finishes once this one has said that it waits (no timer)

    with TranslationMemory(path, on_wait=waiting) as memory:
        assert memory.store([unit("Xin chào bạn.", "Hello.")]).added == 1
    holder.close()
    assert len(said) == 1
    assert "locked by another process; waiting up to 60 s" in said[0]


def test_a_lock_held_past_the_timeout_is_one_line_and_nothing_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite"
    TranslationMemory(path).close()
    holder = hold_write_lock(path)
    try:
        with (
            TranslationMemory(path, lock_timeout=0.5) as memory,
            pytest.raises(InputError, match=r"stayed locked by another process for 0\.5 s"),
        ):
            memory.store([unit("Xin chào bạn.", "Hello.")])
    finally:
        holder.rollback()
        holder.close()
    with TranslationMemory(path, write=False) as memory:
        assert len(memory) == 0


def test_readers_never_wait_for_a_writer(tmp_path: Path) -> None:
    """WAL mode: a lookup during a long import reads the last committed state at once."""
    path = tmp_path / "tm.sqlite"
    with TranslationMemory(path) as memory:
        memory.store([unit("Xin chào bạn.", "Hello.")])
    holder = hold_write_lock(path)
    holder.execute("INSERT INTO source_key (key, n_tokens) VALUES ('x', 1)")
    try:
        with TranslationMemory(path, create=False, write=False, lock_timeout=0.1) as reader:
            assert reader.lookup("Xin chào bạn.") == "Hello."
            assert reader.suggest("Xin  chào bạn !") is not None
    finally:
        holder.rollback()
        holder.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_a_lookup_on_an_old_journal_mode_memory_during_an_import_waits_instead_of_failing(
    tmp_path: Path,
) -> None:
    """A memory from before WAL: the first read waits for the importer, not "not a songngu memory"."""
    path = tmp_path / "tm.sqlite"
    with TranslationMemory(path) as memory:
        memory.store([unit("Xin chào bạn.", "Hello.")])
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA journal_mode = DELETE")
    raw.close()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")  # what an import does to a journal-mode file as it commits
    said: list[str] = []

    def waiting(line: str) -> None:
        said.append(line)
        holder.rollback()  # the importer commits once the reader has said that it waits

    with TranslationMemory(path, create=False, write=False, on_wait=waiting) as reader:
        assert reader.lookup("Xin chào bạn.") == "Hello."
    holder.close()
    assert len(said) == 1 and "waiting up to 60 s" in said[0]


def test_review_import_waits_for_a_held_memory_instead_of_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tm.sqlite"
    TranslationMemory(path).close()
    (tmp_path / "bai.po").write_text(PO, encoding="utf-8")
    holder = hold_write_lock(path)
    say = notice.say

    def waiting(line: str) -> None:
        say(line)
        holder.rollback()  # the other import finishes once this one has said that it waits (no timer)

    monkeypatch.setattr(notice, "say", waiting)
    assert main(["review", "import", str(tmp_path / "bai.po"), "--tm", str(path)]) == 0
    holder.close()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "waiting up to 60 s" in err


_CREATE = """
import sys
from songngu.translate.cli import main
sys.exit(main(["review", "import", sys.argv[1], "--tm", sys.argv[2]]))
"""


def test_two_imports_creating_one_new_memory_never_lose_a_catalog(tmp_path: Path) -> None:
    """Schema creation happens under the write lock, so the second import finds it made."""
    catalogs = []
    for name, target in (("a", "The meeting opened."), ("b", "The session opened.")):
        po = tmp_path / f"{name}.po"
        po.write_text(
            PO.replace("bai:1:1", f"{name}:1:1").replace(
                'msgstr "The meeting opened."', f'msgstr "{target}"'
            ),
            encoding="utf-8",
        )
        catalogs.append(po)
    for round_number in range(6):
        path = tmp_path / f"tm{round_number}.sqlite"
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", _CREATE, str(po), str(path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=tmp_path,
            )
            for po in catalogs
        ]
        outcomes = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outcomes
        with TranslationMemory(path, write=False) as memory:
            assert sorted(u.segment_id for u in memory.units()) == ["a:1:1", "b:1:1"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files; chmod cannot make one")
def test_a_read_only_memory_serves_lookups_and_refuses_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _read_only_case(tmp_path, capsys)


def _read_only_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tm.sqlite"
    with TranslationMemory(path) as memory:
        memory.store([unit("Cuộc họp khai mạc.", "The meeting opened.")])
    path.chmod(0o444)
    (tmp_path / "bai.po").write_text(PO, encoding="utf-8")
    try:
        with TranslationMemory(path, create=False, write=False) as reader:
            assert reader.read_only
            assert reader.lookup("Cuộc họp khai mạc.") == "The meeting opened."
        assert main(["review", "import", str(tmp_path / "bai.po"), "--tm", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "the translation memory is read-only" in err
    finally:
        path.chmod(0o644)


def test_a_read_only_memory_as_an_ordinary_user(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same contract where tests run as root: the writability check is what decides."""
    original = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if mode & os.W_OK and str(path).endswith("tm.sqlite"):
            return False
        return original(path, mode, **kwargs)  # type: ignore[arg-type]

    mp = pytest.MonkeyPatch()
    mp.setattr(os, "access", access)
    try:
        _read_only_case(tmp_path, capsys)
    finally:
        mp.undo()


def test_a_schema_2_memory_is_upgraded_and_its_units_are_reviewed(tmp_path: Path) -> None:
    path = old_memory(tmp_path / "tm.sqlite", version=2)
    with TranslationMemory(path) as memory:
        stored = list(memory.units())
    assert stored and {u.kind for u in stored} == {UnitKind.REVIEWED} and {u.score for u in stored} == {None}


def test_an_old_memory_is_migrated_under_the_write_lock(tmp_path: Path) -> None:
    # Another process's import holds the lock: the migration waits for it, says so once, and then
    # moves every row; nothing is migrated (or lost) while the other writer works.
    path = old_memory(tmp_path / "tm.sqlite", version=3)
    holder = hold_write_lock(path)
    said: list[str] = []

    def waiting(line: str) -> None:
        said.append(line)
        holder.rollback()  # the other writer finishes once the migration has said that it waits

    with TranslationMemory(path, on_wait=waiting) as memory:
        origins = sum(len(u.origins) for u in memory.units())
    holder.close()
    assert len(said) == 1 and "locked by another process" in said[0]
    assert origins == 11
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 4
    raw.close()


def test_an_old_memory_whose_migration_fails_is_left_as_it_was(tmp_path: Path) -> None:
    path = old_memory(tmp_path / "tm.sqlite", version=3)
    with sqlite3.connect(path) as raw:
        before = raw.execute("SELECT * FROM unit ORDER BY id").fetchall()
    raw.close()
    original = TranslationMemory._summarise

    def failing(self: TranslationMemory, unit_id: int) -> None:
        if unit_id == 3:
            raise sqlite3.OperationalError("disk I/O error")
        original(self, unit_id)

    mp = pytest.MonkeyPatch()
    mp.setattr(TranslationMemory, "_summarise", failing)
    try:
        with pytest.raises(InputError):
            TranslationMemory(path)
    finally:
        mp.undo()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 3
        assert raw.execute("SELECT * FROM unit ORDER BY id").fetchall() == before
    raw.close()


def test_reuse_prefers_a_reviewed_unit_over_a_newer_aligned_one(tmp_path: Path) -> None:
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        memory.store(
            [
                unit("Xin chào bạn.", "Hello.", created="2024-01-01T00:00:00Z"),
                unit(
                    "Xin chào bạn.",
                    "Hi there.",
                    origin="archive",
                    created="2025-01-01T00:00:00Z",
                    kind=UnitKind.ALIGNED,
                    score=0.9,
                ),
            ]
        )
        found = memory.find("Xin  chào bạn.")
        assert found is not None and found.target == "Hello." and found.kind is UnitKind.REVIEWED
        assert memory.suggest("Xin  chào bạn !") is not None
        assert memory.suggest("Xin  chào bạn !").target == "Hello."  # type: ignore[union-attr]
        stored = {u.target: u for u in memory.units()}
        assert stored["Hi there."].kind is UnitKind.ALIGNED and stored["Hi there."].score == 0.9
