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

Near matches never scan the table. Each distinct normalised source is indexed twice, by its
distinct tokens (``posting``) and by its distinct pairs of adjacent tokens (``pair_posting``), each
with its document frequency (``token.df``, ``pair.df``). A text within the threshold ``t`` of a
query of ``n`` tokens has between ``t * n`` and ``n / t`` tokens, and, ``L`` being the longer
length and ``d <= (1 - t) * L`` the edit distance, shares at least ``t * L`` of the query's tokens
and at least ``L - 1 - 2 * d`` of its adjacent pairs (an edit breaks at most two pairs: the
q-gram lemma). So it must contain one of the query's rarest tokens, or pairs: the "prefix filter"
of set-similarity search. Pairs of Vietnamese syllables are far rarer than syllables, so the pair
filter usually reads a fraction of the postings; whichever filter needs fewer postings is used (the
pair bound is empty for very short queries and thresholds of 0.5 and below, where tokens are used).
Only the postings of the rarest tokens or pairs are read (restricted by length; a few more than the
minimum, within ``POSTING_BUDGET``, to tighten the bound), SQL keeps the sources that could still
share enough of them, and exact edit distances (bit-parallel) are computed for the few whose upper
bound can still beat the best so far. The result is exact.

A **unit is a pair plus its history**: one source and one target (the same up to Unicode form and
whitespace, as lookups compare them), with every **origin** it was stored from (file, segment id,
kind, score, edited, time: :class:`UnitOrigin`). The same pair imported from another file of the
same run (the ``.xlf`` after the ``.po``), or with another segment id after a CAT tool's round
trip, adds an origin, not a unit; the same origin again adds nothing. What the unit says is what its
origins say together: ``edited`` if any of them was (a later "accepted" import of the same pair
does not undo a reviewer's edit), ``reviewed`` if any is, its time the latest of its kind.

Units are of two kinds (:class:`UnitKind`): ``reviewed``, confirmed by a person (PO, XLIFF or TMX
imports), and ``aligned``, paired by sentence alignment of a bilingual archive, with its alignment
score (the best of its origins). Reuse prefers reviewed units: an aligned pair is only a machine's
guess at a human translation.

Concurrency. The file is in WAL mode, so readers never wait for a writer and a writer never waits for
readers. Writers take the write lock with ``BEGIN IMMEDIATE``; a writer that finds the file locked
says so once (through ``on_wait``) and waits up to :data:`LOCK_TIMEOUT` seconds. Creating the schema
happens inside that same transaction, so two processes creating one new memory cannot race. A file
that this user cannot write is opened read-only for lookups and refused in one line for imports.
"""

from __future__ import annotations

import enum
import math
import os
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from types import TracebackType

from songngu.errors import InputError

# 2 added the pair index, 3 the unit kind and score, 4 made a unit a pair with its origins; older
# files are upgraded on open, in place, under the write lock.
SCHEMA_VERSION = 4
APPLICATION_ID = 0x53474E55  # "SGNU": PRAGMA application_id marks the file as a songngu memory
NO_MEMORY_HINT = "import reviewed PO files first with songngu review import"
#: Seconds a writer waits for another process's lock on the memory before giving up.
LOCK_TIMEOUT = 60.0
# The first wait is silent: most locks are brief, and a message for each would be noise.
_QUIET_WAIT = 0.5

# The pair index, added in schema version 2 (also what upgrading a version 1 file creates).
_PAIR_SCHEMA = """
CREATE TABLE pair (
    first INTEGER NOT NULL,         -- token ids of two adjacent tokens
    second INTEGER NOT NULL,
    df INTEGER NOT NULL,            -- how many normalised sources contain the pair
    PRIMARY KEY (first, second)
) WITHOUT ROWID;
CREATE TABLE pair_posting (
    first INTEGER NOT NULL,
    second INTEGER NOT NULL,
    n_tokens INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    PRIMARY KEY (first, second, n_tokens, key_id)
) WITHOUT ROWID;
"""

# Units as pairs with their origins, schema version 4 (also what upgrading a version 3 file creates).
_UNIT_SCHEMA = """
CREATE TABLE unit (
    id INTEGER PRIMARY KEY,
    key_id INTEGER NOT NULL REFERENCES source_key (id),
    source TEXT NOT NULL,           -- as first stored
    target TEXT NOT NULL,
    target_key TEXT NOT NULL,       -- the normalised target: with key_id, what makes the pair
    kind TEXT NOT NULL,             -- 'reviewed' if any origin is, else 'aligned'
    score REAL,                     -- aligned: the best alignment score of its origins
    edited INTEGER NOT NULL,        -- any origin edited
    created TEXT NOT NULL,          -- the latest origin of its kind (UTC, YYYY-MM-DDThh:mm:ssZ)
    UNIQUE (key_id, target_key)
);
CREATE INDEX unit_by_key ON unit (key_id, created);
CREATE TABLE origin (
    unit_id INTEGER NOT NULL REFERENCES unit (id),
    origin TEXT NOT NULL,           -- the file it was imported from
    segment_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    score REAL,
    edited INTEGER NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (unit_id, origin, segment_id)
)
"""

_SCHEMA = (
    """
CREATE TABLE source_key (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,       -- the normalised source
    n_tokens INTEGER NOT NULL
);
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
    + _PAIR_SCHEMA
    + ";"
    + _UNIT_SCHEMA
)

# Unit kinds and alignment scores, added in schema version 3 (what upgrading a version 2 file adds).
_KIND_SCHEMA = """
ALTER TABLE unit ADD COLUMN kind TEXT NOT NULL DEFAULT 'reviewed';
ALTER TABLE unit ADD COLUMN score REAL
"""

_WHITESPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+|[^\w\s]")
# Postings a near-match query may read to tighten its bound, when the minimum prefix reads fewer:
# a speed trade-off only (results are exact either way), tuned with benchmarks/bench_memory.py on
# 100,000 segments (about 1,000 to 2,000 is best there; 20,000 was twice as slow with the pair index).
POSTING_BUDGET = 1_500
_EPSILON = 1e-9  # float slack in threshold arithmetic (0.75 * 4 must be 3, not 2.9999...)


class UnitKind(enum.StrEnum):
    """Where a unit's translation comes from, which decides how far it is trusted."""

    REVIEWED = "reviewed"  # confirmed by a person: reviewed PO or XLIFF, another CAT tool's TMX
    ALIGNED = "aligned"  # paired by sentence alignment of a bilingual archive


@dataclass(frozen=True)
class UnitOrigin:
    """One place a unit was stored from: the file, the segment id there, and what that import said."""

    origin: str
    segment_id: str
    edited: bool
    created: str
    kind: UnitKind = UnitKind.REVIEWED
    score: float | None = None


@dataclass(frozen=True)
class MemoryUnit:
    """One translation: where it came from, whether the reviewer edited the MT, and when.

    ``created`` is ISO 8601; the memory stores it in UTC to the second (``YYYY-MM-DDThh:mm:ssZ``).
    ``origin`` names the file it came from; ``score`` is the alignment confidence of an aligned unit.

    To be stored, a unit is one origin's (its ``origin``, ``segment_id``, ``edited``, ``created``,
    ``kind``, ``score``), unless it lists ``origins``. As the memory hands it out it is the pair with
    its whole history: ``origins`` every origin, oldest stored first; ``origin`` and ``segment_id``
    the first one's; ``edited``, ``created``, ``kind`` and ``score`` what they say together.
    """

    source: str
    target: str
    origin: str
    segment_id: str
    edited: bool
    created: str
    kind: UnitKind = UnitKind.REVIEWED
    score: float | None = None
    origins: tuple[UnitOrigin, ...] = ()

    def history(self) -> tuple[UnitOrigin, ...]:
        """Its origins: ``origins``, or the one its own fields describe."""
        if self.origins:
            return self.origins
        return (UnitOrigin(self.origin, self.segment_id, self.edited, self.created, self.kind, self.score),)


@dataclass(frozen=True)
class StoreCounts:
    """What one :meth:`TranslationMemory.store` did with the units offered."""

    added: int = 0  # new pairs
    origins: int = 0  # origins added to pairs already stored (another file, or another segment id)
    present: int = 0  # origins already recorded


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
    """Token Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``.

    Myers' bit-parallel algorithm (in Hyyrö's form for whole strings): one column of the edit
    distance table per token of ``b``, held as bit vectors of vertical +1/-1 steps over ``a``, so a
    candidate costs ``len(b)`` integer operations instead of ``len(a) * len(b)`` table cells.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if not a or not b:
        return len(a) + len(b)
    matches: dict[str, int] = {}  # token -> bit i set where a[i] is that token
    for i, token in enumerate(a):
        matches[token] = matches.get(token, 0) | 1 << i
    mask = (1 << len(a)) - 1
    last = 1 << (len(a) - 1)
    plus, minus = mask, 0  # vertical deltas of the current column: all +1 (column 0 is 0..len(a))
    distance = len(a)  # the bottom cell of the current column
    remaining = len(b)
    for token in b:
        equal = matches.get(token, 0)
        vertical = equal | minus
        horizontal = (((equal & plus) + plus) ^ plus) | equal
        plus_h = minus | (~(horizontal | plus) & mask)
        minus_h = plus & horizontal
        if plus_h & last:
            distance += 1
        elif minus_h & last:
            distance -= 1
        plus_h = (plus_h << 1 | 1) & mask  # row 0 grows by one per column: a +1 step enters
        minus_h = (minus_h << 1) & mask
        plus = minus_h | (~(vertical | plus_h) & mask)
        minus = plus_h & vertical
        remaining -= 1
        if distance - remaining > limit:  # each remaining column lowers it by one at most
            return limit + 1
    return distance


def _max_distance(threshold: float, length: int) -> int:
    """The most edits a text can be from another, the longer of them ``length`` tokens, and still
    be ``threshold`` similar."""
    return math.floor((1 - threshold) * length + _EPSILON)


@dataclass(frozen=True)
class _Gram:
    """A distinct token or adjacent token pair of a query, as the memory's index knows it."""

    ids: tuple[int, ...]  # the token id, or the pair's two; () when the memory has never seen it
    weight: int  # how many times the query has it
    df: int  # how many stored sources have it


def _prefer_pairs(pair_postings: int, token_postings: int) -> bool:
    """Whether to filter by pairs, given the fewest postings each filter must read."""
    return pair_postings < token_postings


def _prefix(grams: list[_Gram], need: int, budget: int) -> tuple[list[_Gram], int, int]:
    """The grams whose postings a near-match query reads, the weight of the others, and the
    number of postings read.

    Rarest first, until the grams left out weigh less than ``need`` (what every candidate must
    share), so every candidate has one in the prefix; then more of the rarest while the postings
    stay within ``budget``, because every gram taken in raises what a candidate must share of the
    prefix (fewer candidates to check). Grams the memory lacks cost nothing and are left out of the
    result.
    """
    left_out = sum(gram.weight for gram in grams)
    scanned = 0  # an over-estimate: the query filters lengths too
    chosen: list[_Gram] = []
    for gram in sorted(grams, key=lambda gram: (gram.df, gram.ids)):
        if left_out < need and scanned + gram.df > budget:
            break
        left_out -= gram.weight
        scanned += gram.df
        if gram.df:
            chosen.append(gram)
    return chosen, left_out, scanned


class TranslationMemory:
    """A songngu translation memory in an SQLite file; use as a context manager or call close().

    ``TranslationMemory(path)`` creates the file and its schema when missing, for writing; with
    ``create=False`` a missing file is an InputError instead (for readers such as export-tm and
    translate). With ``write=False`` a file this user cannot write is opened read-only; with
    ``write=True`` (the default) it is refused. A file that is not SQLite, or SQLite but not a
    songngu memory, or from a newer songngu, is an InputError. ``on_wait`` is told, in one line,
    when the memory is locked by another process and this one waits (up to :data:`LOCK_TIMEOUT`).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        write: bool = True,
        on_wait: Callable[[str], None] | None = None,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        self._on_wait = on_wait
        self._lock_timeout = lock_timeout
        if not create and not self.path.is_file():
            raise InputError(f"no translation memory at {path}; {NO_MEMORY_HINT}")
        if self.path.is_dir():
            raise InputError(f"{path}: is a directory, not a translation memory")
        self.read_only = self.path.exists() and not _writable(self.path)
        if self.read_only and write:
            raise InputError(f"{path}: the translation memory is read-only; nothing can be stored in it")
        try:
            self._conn = self._connect()
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

    def _connect(self) -> sqlite3.Connection:
        if not self.read_only:
            # Transactions are explicit (isolation_level=None); waits are ours (see _begin_write).
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=_QUIET_WAIT)
            return conn
        # mode=ro reads a WAL file when its -shm can be created; a read-only file in a read-only
        # folder cannot have one, and nobody can write such a file anyway, so it is read immutable.
        uri = self.path.resolve().as_uri()
        try:
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=_QUIET_WAIT)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        return conn

    def _begin_write(self) -> None:
        """Take the write lock (BEGIN IMMEDIATE), waiting for another writer up to the lock timeout."""
        self._patiently("BEGIN IMMEDIATE")

    def _patiently(self, statement: str) -> list[tuple[object, ...]]:
        """Run ``statement``; if another process holds the lock, say so once and wait for it."""
        try:
            return self._conn.execute(statement).fetchall()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
        if self._on_wait is not None:
            self._on_wait(
                f"{self.path}: the translation memory is locked by another process; "
                f"waiting up to {self._lock_timeout:g} s"
            )
        self._conn.execute(f"PRAGMA busy_timeout = {int(self._lock_timeout * 1000)}")
        try:
            return self._conn.execute(statement).fetchall()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            raise InputError(
                f"{self.path}: the translation memory stayed locked by another process for "
                f"{self._lock_timeout:g} s; try again when it is done"
            ) from None
        finally:
            self._conn.execute(f"PRAGMA busy_timeout = {int(_QUIET_WAIT * 1000)}")

    def _check_schema(self, create: bool) -> None:
        application_id, version = self._schema_marks()
        if application_id == APPLICATION_ID and version == SCHEMA_VERSION:
            self._use_wal()
            return
        if application_id == APPLICATION_ID and version > SCHEMA_VERSION:
            raise InputError(
                f"{self.path}: translation memory schema {version} is newer than this songngu "
                f"reads ({SCHEMA_VERSION}); upgrade songngu"
            )
        if application_id not in (0, APPLICATION_ID):
            raise InputError(
                f"{self.path}: not a songngu translation memory (an SQLite database of something else)"
            )
        if self.read_only:
            if application_id == APPLICATION_ID:
                raise InputError(
                    f"{self.path}: translation memory schema {version} must be upgraded to "
                    f"{SCHEMA_VERSION}, and the file is read-only"
                )
            raise InputError(f"{self.path}: not a songngu translation memory")
        # Create or upgrade under the write lock, deciding which only once it is held: another
        # process may have created the schema between our first look and the lock.
        self._begin_write()
        try:
            application_id, version = self._schema_marks()
            if application_id == 0:
                has_tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
                if has_tables or not create:
                    raise InputError(
                        f"{self.path}: not a songngu translation memory "
                        "(an SQLite database of something else)"
                    )
                self._run_script(_SCHEMA)
            elif version < SCHEMA_VERSION:
                self._upgrade(version)
            self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._use_wal()

    def _schema_marks(self) -> tuple[int, int]:
        # The first read of a file that another process is writing in rollback-journal mode (a
        # memory from before WAL) waits like a writer rather than failing as "not a memory".
        application_id = int(str(self._patiently("PRAGMA application_id")[0][0]))
        version = int(str(self._conn.execute("PRAGMA user_version").fetchone()[0]))
        return application_id, version

    def _use_wal(self) -> None:
        """WAL mode, so that lookups never wait for an import (set once; it stays with the file)."""
        if self.read_only:
            return
        mode = self._conn.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() == "wal":
            return
        try:
            self._conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            # Another process holds the file; it stays in its journal mode for now, which only
            # costs concurrency, and the next open switches it.

    def _run_script(self, script: str) -> None:
        for statement in script.split(";"):
            if statement.strip():
                self._conn.execute(statement)

    def _upgrade(self, version: int) -> None:
        """Bring a file of an older schema up to date, inside the caller's transaction (units kept)."""
        if version not in (1, 2, 3):
            raise InputError(f"{self.path}: translation memory schema {version} is unknown to this songngu")
        if version == 1:
            self._run_script(_PAIR_SCHEMA)
            token_ids = dict(self._conn.execute("SELECT text, id FROM token"))
            for key_id, key in self._conn.execute("SELECT id, key FROM source_key").fetchall():
                key_tokens = _TOKEN.findall(key)
                self._index_pairs(key_id, [token_ids[t] for t in key_tokens])
        if version <= 2:
            self._run_script(_KIND_SCHEMA)
        self._pairs_with_origins()

    def _pairs_with_origins(self) -> None:
        """Schema 3 to 4: every row of the old unit table (one per pair and origin) becomes an
        origin of its pair, in the order stored; the old table goes once all are moved."""
        self._conn.execute("ALTER TABLE unit RENAME TO unit_v3")
        self._conn.execute("DROP INDEX unit_by_key")  # it went with the old table; the name is reused
        self._run_script(_UNIT_SCHEMA)
        rows = self._conn.execute(
            "SELECT source, target, origin, segment_id, edited, created, kind, score FROM unit_v3 ORDER BY id"
        ).fetchall()
        for source, target, origin, segment_id, edited, created, kind, score in rows:
            self._add(
                source, target, [UnitOrigin(origin, segment_id, bool(edited), created, UnitKind(kind), score)]
            )
        self._conn.execute("DROP TABLE unit_v3")

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
        """Every stored unit (pair) with its origins, oldest stored first (read lazily)."""
        rows = self._conn.execute(
            f"SELECT {_UNIT_COLUMNS}, {_ORIGIN_COLUMNS} FROM unit u JOIN origin o ON o.unit_id = u.id "
            "ORDER BY u.id, o.rowid"
        )
        current: tuple[object, ...] | None = None
        history: list[UnitOrigin] = []
        for row in rows:
            if current is not None and row[0] != current[0]:
                yield _memory_unit(current, history)
                history = []
            current = row[:7]
            history.append(_origin(row[7:]))
        if current is not None:
            yield _memory_unit(current, history)

    def find(self, source: str) -> MemoryUnit | None:
        """The unit to reuse for exactly this source (normalised), or None.

        A reviewed unit wins over an aligned one; among units of one kind the most recent wins.
        """
        row = self._conn.execute(
            f"SELECT {_UNIT_COLUMNS} FROM source_key k JOIN unit u ON u.key_id = k.id "
            f"WHERE k.key = ? ORDER BY {_PREFERENCE} LIMIT 1",
            (normalise(source),),
        ).fetchone()
        if row is None:
            return None
        return _memory_unit(row, self._history(row[0]))

    def _history(self, unit_id: int) -> list[UnitOrigin]:
        rows = self._conn.execute(
            f"SELECT {_ORIGIN_COLUMNS} FROM origin o WHERE o.unit_id = ? ORDER BY o.rowid", (unit_id,)
        )
        return [_origin(row) for row in rows]

    def lookup(self, source: str) -> str | None:
        """The translation to reuse for exactly this source (see :meth:`find`), or None."""
        unit = self.find(source)
        return None if unit is None else unit.target

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
        shortest = math.ceil(threshold * n - _EPSILON)
        longest = math.floor(n / threshold + _EPSILON)

        known = self._token_frequencies(list(set(query)))
        token_grams = [
            _Gram((known[token][0],), weight, known[token][1]) if token in known else _Gram((), weight, 0)
            for token, weight in Counter(query).items()
        ]
        token_need = shortest  # a candidate shares t * max(n, m) >= t * n tokens
        # A candidate shares max(n, m) - 1 - 2 * d of the pairs: least where max(n, m) = n mostly,
        # but the floor in d makes it dip now and then, hence the minimum over every length.
        pair_need = min(
            length - 1 - 2 * _max_distance(threshold, length) for length in range(n, max(n, longest) + 1)
        )
        use_pairs = False
        if pair_need > 0:
            pair_grams = self._pair_grams(query, known)
            use_pairs = _prefer_pairs(
                _prefix(pair_grams, pair_need, 0)[2], _prefix(token_grams, token_need, 0)[2]
            )
        if use_pairs:
            prefix, left_out, _ = _prefix(pair_grams, pair_need, POSTING_BUDGET)
            join = "pair_posting p ON p.first = q.a AND p.second = q.b"
            # as many shared pairs as the q-gram lemma asks for a candidate's length
            enough = "max(?, m) - 1 - 2 * CAST(? * max(?, m) + 1e-9 AS INTEGER)"
            enough_values = [n, 1 - threshold, n]
        else:
            prefix, left_out, _ = _prefix(token_grams, token_need, POSTING_BUDGET)
            join = "posting p ON p.token_id = q.a"
            enough = "? * max(?, m) - 1e-9"  # t * max(n, m) shared tokens
            enough_values = [threshold, n]
        if not prefix:
            return None  # a match would contain one of the prefix grams, and none is stored

        columns = "a, b" if use_pairs else "a"
        values = ", ".join("(" + "?, " * len(gram.ids) + "?)" for gram in prefix)
        rows = self._conn.execute(
            f"WITH q({columns}, weight) AS (VALUES {values}), "
            "hits AS (SELECT p.key_id, sum(q.weight) AS shared, p.n_tokens AS m "
            f"  FROM q JOIN {join} AND p.n_tokens BETWEEN ? AND ? "
            # at most left_out of the grams a candidate shares are outside the prefix
            f"  GROUP BY p.key_id HAVING shared + ? >= {enough}) "
            "SELECT k.id, k.key, hits.m, hits.shared FROM hits JOIN source_key k ON k.id = hits.key_id "
            "ORDER BY hits.shared DESC, k.id DESC",
            [value for gram in prefix for value in (*gram.ids, gram.weight)]
            + [shortest, longest, left_out, *enough_values],
        )
        best: tuple[float, int] | None = None  # (similarity, key id)
        floor = threshold - _EPSILON
        for key_id, key, length, shared_prefix in rows:
            shared = shared_prefix + left_out  # at least the grams really shared
            # The best similarity so many shared grams allow (a shorter or longer text does worse).
            bound = (n + 1 + shared) / (2 * n) if use_pairs else shared / n
            if bound < floor:
                break  # rows come by shared prefix grams, so no later row can reach the floor
            longer = max(n, length)
            limit = math.floor((1 - floor) * longer + _EPSILON)
            distance = _edit_distance(query, _TOKEN.findall(key), limit)
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
            f"SELECT source, target FROM unit u WHERE key_id = ? ORDER BY {_PREFERENCE} LIMIT 1",
            (best[1],),
        ).fetchone()
        return Suggestion(source=source_text, target=target, similarity=best[0])

    def _token_frequencies(self, texts: list[str]) -> dict[str, tuple[int, int]]:
        marks = ", ".join("?" for _ in texts)
        rows = self._conn.execute(f"SELECT text, id, df FROM token WHERE text IN ({marks})", texts)
        return {text: (token_id, df) for text, token_id, df in rows}

    def _pair_grams(self, query: list[str], known: dict[str, tuple[int, int]]) -> list[_Gram]:
        """The query's adjacent pairs with their document frequencies (0 for pairs not stored)."""
        counts = Counter(pairwise(query))
        ids = {
            pair: (known[pair[0]][0], known[pair[1]][0])
            for pair in counts
            if pair[0] in known and pair[1] in known
        }
        frequencies: dict[tuple[int, int], int] = {}
        if ids:
            values = ", ".join("(?, ?)" for _ in ids)
            rows = self._conn.execute(
                f"WITH q(a, b) AS (VALUES {values}) "
                "SELECT p.first, p.second, p.df FROM q JOIN pair p ON p.first = q.a AND p.second = q.b",
                [value for pair in ids.values() for value in pair],
            )
            frequencies = {(first, second): df for first, second, df in rows}
        return [
            _Gram(ids[pair], weight, frequencies[ids[pair]])
            if pair in ids and ids[pair] in frequencies
            else _Gram((), weight, 0)
            for pair, weight in counts.items()
        ]

    def store(self, units: Iterable[MemoryUnit]) -> StoreCounts:
        """Add units in one transaction; say how many pairs were new, how many origins were added to
        pairs already stored, and how many origins were already recorded.

        A pair already stored (same normalised source and target) gains the unit's origins it lacks
        (:meth:`MemoryUnit.history`); an origin already recorded (same file and segment id) adds
        nothing, but an edit it reports is kept (edited is never undone). If anything fails,
        nothing is stored.
        """
        if self.read_only:
            raise InputError(f"{self.path}: the translation memory is read-only; nothing can be stored in it")
        added = origins = present = 0
        self._begin_write()
        try:
            for unit in units:
                new, more, known = self._add(unit.source, unit.target, unit.history())
                added, origins, present = added + new, origins + more, present + known
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return StoreCounts(added, origins, present)

    def _add(self, source: str, target: str, history: Sequence[UnitOrigin]) -> tuple[int, int, int]:
        """Store one pair's origins (in the caller's transaction): (1 if the pair is new, origins
        added to a known pair, origins already there)."""
        key_id = self._key_id(normalise(source))
        target_key = normalise(target)
        row = self._conn.execute(
            "SELECT id FROM unit WHERE key_id = ? AND target_key = ?", (key_id, target_key)
        ).fetchone()
        new = row is None
        if row is None:
            first = history[0]
            unit_id = self._conn.execute(
                "INSERT INTO unit (key_id, source, target, target_key, kind, score, edited, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key_id, source, target, target_key, "aligned", None, 0, _utc(first.created)),
            ).lastrowid
            assert unit_id is not None
        else:
            unit_id = int(row[0])
        more = known = 0
        changed = new
        for origin in history:
            kind = UnitKind(origin.kind).value
            cursor = self._conn.execute(
                "INSERT INTO origin (unit_id, origin, segment_id, kind, score, edited, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id, origin, segment_id) DO NOTHING",
                (
                    unit_id,
                    origin.origin,
                    origin.segment_id,
                    kind,
                    origin.score,
                    int(origin.edited),
                    _utc(origin.created),
                ),
            )
            if cursor.rowcount:
                more += not new
                changed = True
                continue
            known += 1
            # Known: an edit, or a reviewer's confirmation of an aligned pair, is news all the same.
            cursor = self._conn.execute(
                "UPDATE origin SET edited = max(edited, ?), kind = CASE WHEN ? = 'reviewed' THEN ? "
                "ELSE kind END WHERE unit_id = ? AND origin = ? AND segment_id = ? "
                "AND (edited < ? OR (kind != 'reviewed' AND ? = 'reviewed'))",
                (
                    int(origin.edited),
                    kind,
                    kind,
                    unit_id,
                    origin.origin,
                    origin.segment_id,
                    int(origin.edited),
                    kind,
                ),
            )
            changed = changed or cursor.rowcount > 0
        if changed:
            self._summarise(unit_id)
        return int(new), more, known

    def _summarise(self, unit_id: int) -> None:
        """Set what a unit says from what its origins say (module docstring)."""
        history = self._history(unit_id)
        reviewed = [o for o in history if o.kind is UnitKind.REVIEWED]
        own = reviewed or history
        scores = [o.score for o in history if o.kind is UnitKind.ALIGNED and o.score is not None]
        self._conn.execute(
            "UPDATE unit SET kind = ?, score = ?, edited = ?, created = ? WHERE id = ?",
            (
                own[0].kind.value,
                None if reviewed or not scores else max(scores),
                int(any(o.edited for o in history)),
                max(o.created for o in own),
                unit_id,
            ),
        )

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
        self._conn.executemany(
            "INSERT INTO token (text, df) VALUES (?, 1) ON CONFLICT (text) DO UPDATE SET df = df + 1",
            ((t,) for t in distinct),
        )
        marks = ", ".join("?" for _ in distinct)
        token_ids = dict(self._conn.execute(f"SELECT text, id FROM token WHERE text IN ({marks})", distinct))
        n = len(key_tokens)
        self._conn.executemany(
            "INSERT INTO posting (token_id, n_tokens, key_id) VALUES (?, ?, ?)",
            ((token_ids[t], n, key_id) for t in distinct),
        )
        self._index_pairs(key_id, [token_ids[t] for t in key_tokens])
        return key_id

    def _index_pairs(self, key_id: int, token_ids: list[int]) -> None:
        """Index a new normalised source (its tokens as ids, in order) by its adjacent pairs."""
        pairs = sorted(set(pairwise(token_ids)))
        self._conn.executemany(
            "INSERT INTO pair (first, second, df) VALUES (?, ?, 1) "
            "ON CONFLICT (first, second) DO UPDATE SET df = df + 1",
            pairs,
        )
        self._conn.executemany(
            "INSERT INTO pair_posting (first, second, n_tokens, key_id) VALUES (?, ?, ?, ?)",
            ((first, second, len(token_ids), key_id) for first, second in pairs),
        )


# Reuse order: reviewed before aligned, then the most recent (ids break ties within a second).
_PREFERENCE = "(u.kind = 'reviewed') DESC, u.created DESC, u.id DESC"
_UNIT_COLUMNS = "u.id, u.source, u.target, u.kind, u.score, u.edited, u.created"
_ORIGIN_COLUMNS = "o.origin, o.segment_id, o.edited, o.created, o.kind, o.score"


def _origin(row: Sequence[object]) -> UnitOrigin:
    origin, segment_id, edited, created, kind, score = row
    return UnitOrigin(
        str(origin), str(segment_id), bool(edited), str(created), UnitKind(str(kind)), _score(score)
    )


def _memory_unit(row: Sequence[object], history: Sequence[UnitOrigin]) -> MemoryUnit:
    _, source, target, kind, score, edited, created = row
    first = history[0]
    return MemoryUnit(
        str(source),
        str(target),
        first.origin,
        first.segment_id,
        bool(edited),
        str(created),
        UnitKind(str(kind)),
        _score(score),
        tuple(history),
    )


def _score(value: object) -> float | None:
    return None if value is None else float(str(value))


def _writable(path: Path) -> bool:
    """Whether this process can write the memory file and create its journal beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent if str(path.parent) else ".", os.W_OK)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)
