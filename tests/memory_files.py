"""Translation memories as earlier songngu versions wrote them, for the upgrade tests.

``data/memory-schema-3.sql`` is a schema 3 memory (one row per pair and origin) made by that
version's own ``TranslationMemory.store`` and dumped with sqlite3's ``iterdump``; schema 2 and 1
are it with what later versions added taken away.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from songngu.translate.memory import APPLICATION_ID

SCHEMA_3 = Path(__file__).parent / "data" / "memory-schema-3.sql"


def old_memory(path: Path, version: int = 3) -> Path:
    """Write a memory of schema ``version`` (1, 2 or 3) at ``path``."""
    with sqlite3.connect(path) as raw:
        raw.executescript(SCHEMA_3.read_text(encoding="utf-8"))
        if version <= 2:  # before unit kinds
            raw.executescript("ALTER TABLE unit DROP COLUMN kind; ALTER TABLE unit DROP COLUMN score;")
        if version <= 1:  # before the pair index
            raw.executescript("DROP TABLE pair; DROP TABLE pair_posting;")
        raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        raw.execute(f"PRAGMA user_version = {version}")
    raw.close()
    return path
