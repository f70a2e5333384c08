"""The translation memory: reviewers' confirmed translations in one SQLite file, reused by later runs.

Matching works on the *normalised* source: Unicode NFC, every run of whitespace collapsed to one
space, leading and trailing whitespace removed. Case, punctuation and everything else count.

- :meth:`TranslationMemory.lookup` is an exact match of normalised sources through an indexed
  column; when several translations share a source, the most recent one wins.
- :meth:`TranslationMemory.suggest` finds the best near match. **Similarity** is the classic CAT
  tool fuzzy score over tokens (runs of letters/digits, or single punctuation marks) of the
  normalised texts: ``1 - levenshtein(a, b) / max(len(a), len(b))``, the edit distance counting
  token insertions, deletions and substitutions. It is symmetric, 1.0 for equal texts and 0.0 for
  texts sharing nothing.

Near matches never scan the table. Each distinct normalised source is indexed by its distinct
tokens (``posting``), with each token's document frequency (``token.df``). A text within the
threshold ``t`` must share at least ``ceil(t * n)`` of the query's ``n`` tokens and have between
``t * n`` and ``n / t`` tokens itself, so it must contain one of the query's rarest tokens (the
"prefix filter" of set-similarity search). Only the postings of the rarest tokens are read
(restricted by length; a few more than the minimum, within ``POSTING_BUDGET``, to tighten the
bound), SQL keeps the sources that could still share enough tokens, and exact edit distances are
computed for the few whose upper bound can still beat the best so far. The result is exact.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from glossary.errors import InputError
from translate.formats.tmx import TmxUnit, dumps_tmx
from translate.formats.tsv import dumps_rows

SCHEMA_VERSION = 1
APPLICATION_ID = 0x53474E55  # "SGNU": PRAGMA application_id marks the file as a songngu memory
NO_MEMORY_HINT = "import reviewed PO files first with songngu review import"
TSV_HEADER = ("source", "target", "origin", "segment_id", "edited", "created")

_SCHEMA = """
CREATE TABLE source_key (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,       -- the normalised source
    n_tokens INTEGER NOT NULL
);
CREATE TABLE unit (
    id INTEGER PRIMARY KEY,
    key_id INTEGER NOT NULL REFERENCES source_key (id),
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    origin TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    edited INTEGER NOT NULL,
    created TEXT NOT NULL,          -- UTC, YYYY-MM-DDThh:mm:ssZ, so text order is time order
    UNIQUE (source, target, origin, segment_id)
);
CREATE INDEX unit_by_key ON unit (key_id, created);
CREATE TABLE token (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE,
    df INTEGER NOT NULL             -- how many normalised sources contain it
);
CREATE TABLE posting (
    token_id INTEGER NOT NULL,
    n_tokens INTEGER NOT NULL,      -- of the source: lets the length filter use the index
    key_id INTEGER NOT NULL,
    PRIMARY KEY (token_id, n_tokens, key_id)
) WITHOUT ROWID;
"""

_WHITESPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+|[^\w\s]")
# Postings a near-match query may read beyond the minimum prefix: a speed trade-off only (results
# are exact either way), tuned with benchmarks/bench_memory.py on 100,000 segments.
POSTING_BUDGET = 20_000
_EPSILON = 1e-9  # float slack in threshold arithmetic (0.75 * 4 must be 3, not 2.9999...)


@dataclass(frozen=True)
class MemoryUnit:
    """One confirmed translation: where it came from, whether the reviewer edited the MT, and when.

    ``created`` is ISO 8601; the memory stores it in UTC to the second (``YYYY-MM-DDThh:mm:ssZ``).
    """

    source: str
    target: str
    origin: str
    segment_id: str
    edited: bool
    created: str


@dataclass(frozen=True)
class Suggestion:
    """A near match: the stored source, its most recent translation, and their similarity (0..1)."""

    source: str
    target: str
    similarity: float


def normalise(text: str) -> str:
    """The form sources are matched in: NFC, whitespace runs collapsed to one space, stripped."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def tokens(text: str) -> list[str]:
    """The tokens similarity is measured over: words (``\\w+``) and single punctuation marks."""
    return _TOKEN.findall(normalise(text))


def similarity(a: str, b: str) -> float:
    """``1 - token edit distance / max(token counts)`` of the normalised texts (1.0 when both empty)."""
    left, right = tokens(a), tokens(b)
    longest = max(len(left), len(right))
    if longest == 0:
        return 1.0
    return 1 - _edit_distance(left, right, longest) / longest


def utc_now() -> str:
    """The current time as the memory stores it: ``YYYY-MM-DDThh:mm:ssZ``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(created: str) -> str:
    try:
        moment = datetime.fromisoformat(created)
    except ValueError:
        raise ValueError(f"MemoryUnit.created must be ISO 8601, got {created!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _edit_distance(a: Sequence[str], b: Sequence[str], limit: int) -> int:
    """Token Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, token in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (token != other)))
        if min(current) > limit:  # every later row is at least this far
            return limit + 1
        previous = current
    return previous[-1]


class TranslationMemory:
    """A songngu translation memory in an SQLite file; use as a context manager or call close().

    ``TranslationMemory(path)`` creates the file and its schema when missing; with
    ``create=False`` a missing file is an InputError instead (for readers such as export-tm). A
    file that is not SQLite, or SQLite but not a songngu memory, or from a newer songngu, is an
    InputError.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise InputError(f"no translation memory at {path}; {NO_MEMORY_HINT}")
        if self.path.is_dir():
            raise InputError(f"{path}: is a directory, not a translation memory")
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None)  # transactions explicit
        except sqlite3.Error as exc:
            raise InputError(f"{path}: cannot open the translation memory ({exc})") from None
        try:
            self._check_schema(create)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise InputError(f"{path}: not a songngu translation memory ({exc})") from None
        except InputError:
            self._conn.close()
            raise

    def _check_schema(self, create: bool) -> None:
        application_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if application_id == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise InputError(
                    f"{self.path}: translation memory schema {version} is newer than this songngu "
                    f"reads ({SCHEMA_VERSION}); upgrade songngu"
                )
            return
        has_tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if application_id != 0 or has_tables or not create:
            raise InputError(
                f"{self.path}: not a songngu translation memory (an SQLite database of something else)"
            )
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._conn.execute(statement)
            self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM unit").fetchone()[0])

    def units(self) -> Iterator[MemoryUnit]:
        """Every stored unit, oldest stored first (read lazily)."""
        rows = self._conn.execute(
            "SELECT source, target, origin, segment_id, edited, created FROM unit ORDER BY id"
        )
        for source, target, origin, segment_id, edited, created in rows:
            yield MemoryUnit(source, target, origin, segment_id, bool(edited), created)

    def lookup(self, source: str) -> str | None:
        """The most recent human translation of exactly this source (normalised), or None."""
        row = self._conn.execute(
            "SELECT u.target FROM source_key k JOIN unit u ON u.key_id = k.id WHERE k.key = ? "
            "ORDER BY u.created DESC, u.id DESC LIMIT 1",
            (normalise(source),),
        ).fetchone()
        return None if row is None else str(row[0])

    def suggest(self, source: str, threshold: float = 0.75) -> Suggestion | None:
        """The stored source most similar to ``source`` with similarity >= ``threshold``, or None.

        Among equally similar sources the one stored last wins. An exact match is returned too
        (similarity 1.0): call :meth:`lookup` first when exact matches are reused, not suggested.
        """
        if not 0 < threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        query = tokens(source)
        n = len(query)
        if n == 0:
            return None
        counts = Counter(query)
        need = math.ceil(threshold * n - _EPSILON)  # shared tokens any match must have
        shortest = math.ceil(threshold * n - _EPSILON)
        longest = math.floor(n / threshold + _EPSILON)

        known = self._token_frequencies(list(counts))
        # Prefix filter: rarest tokens first, until the tokens left out could not reach `need` alone;
        # then more of the rarest while their postings stay within budget, because every token
        # taken in raises the number of them a candidate must share (fewer candidates to check).
        ranked = sorted(counts, key=lambda token: (known.get(token, (0, 0))[1], token))
        left_out = n
        scanned = 0  # postings the query will read (an over-estimate: lengths are filtered too)
        prefix: list[tuple[int, int]] = []  # (token id, weight) of known prefix tokens
        for token in ranked:
            token_id, df = known.get(token, (0, 0))
            if left_out < need and scanned + df > POSTING_BUDGET:
                break
            left_out -= counts[token]
            scanned += df
            if df:
                prefix.append((token_id, counts[token]))
        if not prefix:
            return None

        values = ", ".join("(?, ?)" for _ in prefix)
        rows = self._conn.execute(
            f"WITH q(token_id, weight) AS (VALUES {values}), "
            "hits AS (SELECT p.key_id, sum(q.weight) AS shared FROM q JOIN posting p "
            "  ON p.token_id = q.token_id AND p.n_tokens BETWEEN ? AND ? "
            # a candidate of m tokens must share t * max(n, m) tokens, at most left_out outside q
            "  GROUP BY p.key_id HAVING shared + ? >= ? * max(?, p.n_tokens) - 1e-9) "
            "SELECT k.id, k.key, k.n_tokens, hits.shared FROM hits JOIN source_key k ON k.id = hits.key_id "
            "ORDER BY hits.shared DESC, k.id DESC",
            [value for pair in prefix for value in pair] + [shortest, longest, left_out, threshold, n],
        )
        best: tuple[float, int] | None = None  # (similarity, key id)
        floor = threshold - _EPSILON
        for key_id, key, length, shared_prefix in rows:
            if (shared_prefix + left_out) / n < floor:
                break  # rows come by shared prefix tokens, so no later row can reach the floor
            longer = max(n, length)
            candidate = _TOKEN.findall(key)
            shared = sum(counts[token] for token in counts.keys() & set(candidate))  # >= the real overlap
            if shared / longer < floor:
                continue  # too few tokens in common, whatever their order
            limit = math.floor((1 - floor) * longer + _EPSILON)
            distance = _edit_distance(query, candidate, limit)
            if distance > limit:
                continue
            score = 1 - distance / longer
            if (
                best is None
                or score > best[0] + _EPSILON
                or (score > best[0] - _EPSILON and key_id > best[1])
            ):
                best = (score, key_id)
                floor = max(floor, score - _EPSILON)  # ties still count: the newer source wins
        if best is None:
            return None
        source_text, target = self._conn.execute(
            "SELECT source, target FROM unit WHERE key_id = ? ORDER BY created DESC, id DESC LIMIT 1",
            (best[1],),
        ).fetchone()
        return Suggestion(source=source_text, target=target, similarity=best[0])

    def _token_frequencies(self, texts: list[str]) -> dict[str, tuple[int, int]]:
        marks = ", ".join("?" for _ in texts)
        rows = self._conn.execute(f"SELECT text, id, df FROM token WHERE text IN ({marks})", texts)
        return {text: (token_id, df) for text, token_id, df in rows}

    def store(self, units: Iterable[MemoryUnit]) -> int:
        """Add units in one transaction; return how many were new.

        A unit identical to a stored one (same source, target, origin and segment id) is not added
        again. If anything fails, nothing is stored.
        """
        added = 0
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for unit in units:
                key_id = self._key_id(normalise(unit.source))
                cursor = self._conn.execute(
                    "INSERT OR IGNORE INTO unit (key_id, source, target, origin, segment_id, edited, created)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        key_id,
                        unit.source,
                        unit.target,
                        unit.origin,
                        unit.segment_id,
                        int(unit.edited),
                        _utc(unit.created),
                    ),
                )
                added += cursor.rowcount
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return added

    def _key_id(self, key: str) -> int:
        """The id of a normalised source, indexing its tokens the first time it is seen."""
        row = self._conn.execute("SELECT id FROM source_key WHERE key = ?", (key,)).fetchone()
        if row is not None:
            return int(row[0])
        key_tokens = _TOKEN.findall(key)
        key_id = self._conn.execute(
            "INSERT INTO source_key (key, n_tokens) VALUES (?, ?)", (key, len(key_tokens))
        ).lastrowid
        assert key_id is not None
        distinct = sorted(set(key_tokens))
        marks = ", ".join("?" for _ in distinct)
        self._conn.executemany(
            "INSERT INTO token (text, df) VALUES (?, 0) ON CONFLICT (text) DO NOTHING",
            ((t,) for t in distinct),
        )
        self._conn.execute(f"UPDATE token SET df = df + 1 WHERE text IN ({marks})", distinct)
        self._conn.execute(
            "INSERT INTO posting (token_id, n_tokens, key_id) "
            f"SELECT id, ?, ? FROM token WHERE text IN ({marks})",
            [len(key_tokens), key_id, *distinct],
        )
        return key_id


def export_tmx(memory: TranslationMemory) -> str:
    """The memory as TMX 1.4b: one ``<tu>`` per unit (``tuid`` = its number in the memory), dated by
    its creation time, with ``x-origin``, ``x-segment-id`` and ``x-edited`` properties."""
    return dumps_tmx(
        TmxUnit(
            tuid=str(number),
            source=unit.source,
            target=unit.target,
            changed=datetime.fromisoformat(unit.created),
            props=(
                ("x-origin", unit.origin),
                ("x-segment-id", unit.segment_id),
                ("x-edited", _yes_no(unit.edited)),
            ),
        )
        for number, unit in enumerate(memory.units(), start=1)
    )


def export_tsv(memory: TranslationMemory) -> str:
    """The memory as TSV: source, target, origin, segment_id, edited (yes/no), created; escaped
    as in ``<name>.tsv`` (see :mod:`translate.formats.tsv`)."""
    return dumps_rows(
        TSV_HEADER,
        (
            (unit.source, unit.target, unit.origin, unit.segment_id, _yes_no(unit.edited), unit.created)
            for unit in memory.units()
        ),
    )


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"
