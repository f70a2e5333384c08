"""The SQLite translation memory and `songngu export-tm`."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from memory_files import old_memory

from songngu.errors import InputError
from songngu.translate import memory as memory_module
from songngu.translate.cli import main
from songngu.translate.formats.memory_export import TSV_HEADER
from songngu.translate.formats.tmx import kind_and_score, read_tmx
from songngu.translate.formats.tsv import loads_rows
from songngu.translate.memory import (
    SCHEMA_VERSION,
    MemoryUnit,
    StoreCounts,
    Suggestion,
    TranslationMemory,
    UnitKind,
    UnitOrigin,
    normalise,
    similarity,
    tokens,
)

SENTENCE = "Bộ Ngoại giao Việt Nam ra thông báo về chuyến thăm của Thủ tướng ."  # 14 tokens


def unit(source: str, target: str, created: str = "2024-05-01T10:00:00Z", **fields: object) -> MemoryUnit:
    values: dict[str, object] = {"origin": "bai.po", "segment_id": "bai:1:1", "edited": False, **fields}
    return MemoryUnit(source=source, target=target, created=created, **values)  # type: ignore[arg-type]


@pytest.fixture
def memory(tmp_path: Path) -> TranslationMemory:
    with TranslationMemory(tmp_path / "tm.sqlite") as tm:
        yield tm


# --- exact lookup ----------------------------------------------------------------------------------


def test_lookup_matches_across_unicode_forms_and_whitespace(memory: TranslationMemory) -> None:
    memory.store([unit(unicodedata.normalize("NFD", SENTENCE), "The Ministry issued a notice.")])
    assert memory.lookup(SENTENCE) == "The Ministry issued a notice."
    assert memory.lookup("  " + SENTENCE.replace(" ", " \t\u00a0 ") + "\n") == "The Ministry issued a notice."


def test_lookup_is_case_and_punctuation_sensitive(memory: TranslationMemory) -> None:
    memory.store([unit(SENTENCE, "x")])
    assert memory.lookup(SENTENCE.lower()) is None
    assert memory.lookup(SENTENCE.replace(" .", "!")) is None
    assert memory.lookup("") is None


def test_most_recent_translation_wins_whatever_the_order_stored(memory: TranslationMemory) -> None:
    memory.store([unit(SENTENCE, "newer", created="2024-06-01T09:00:00+07:00", segment_id="b:1:1")])
    memory.store([unit(SENTENCE, "older", created="2024-05-31T23:00:00Z", segment_id="a:1:1")])
    assert memory.lookup(SENTENCE) == "newer"  # 02:00 UTC on June 1st is after 23:00 on May 31st
    memory.store([unit(SENTENCE, "newest", created="2024-06-01T03:00:00Z", segment_id="c:1:1")])
    assert memory.lookup(SENTENCE) == "newest"


# --- storing ---------------------------------------------------------------------------------------


def test_identical_units_are_not_duplicated(memory: TranslationMemory) -> None:
    # The same pair from another file is the same unit with another origin (it used to be a unit
    # of its own: 33 units for 23 pairs after a CAT tool's round trip).
    units = [unit(SENTENCE, "a"), unit(SENTENCE, "b"), unit(SENTENCE, "a", origin="other.po")]
    assert memory.store(units) == StoreCounts(added=2, origins=1, present=0)
    assert memory.store(units) == StoreCounts(added=0, origins=0, present=3)
    assert memory.store([unit(SENTENCE, "a", created="2030-01-01T00:00:00Z", edited=True)]).added == 0
    assert len(memory) == 2
    first = next(u for u in memory.units() if u.target == "a")
    assert [(o.origin, o.segment_id) for o in first.origins] == [
        ("bai.po", "bai:1:1"),
        ("other.po", "bai:1:1"),
    ]
    assert first.edited  # an edit reported later for a recorded origin is kept


def test_a_pair_is_one_unit_whatever_its_whitespace_and_unicode_form(memory: TranslationMemory) -> None:
    memory.store([unit("Cảm ơn.", "Thank you.", origin="a.po")])
    memory.store([unit(unicodedata.normalize("NFD", "Cảm ơn."), "Thank  you.\n", origin="a.xlf")])
    (stored,) = memory.units()
    assert (stored.source, stored.target) == ("Cảm ơn.", "Thank you.")  # as first stored
    assert [o.origin for o in stored.origins] == ["a.po", "a.xlf"]


def test_edited_is_never_lost_by_a_later_accepted_import(memory: TranslationMemory) -> None:
    memory.store([unit(SENTENCE, "a", origin="bai.po", edited=True, created="2024-05-01T00:00:00Z")])
    memory.store([unit(SENTENCE, "a", origin="bai.xlf", edited=False, created="2024-05-02T00:00:00Z")])
    (stored,) = memory.units()
    assert stored.edited and stored.created == "2024-05-02T00:00:00Z"
    assert [o.edited for o in stored.origins] == [True, False]
    found = memory.find(SENTENCE)
    assert found is not None and found.edited and found.origin == "bai.po" and len(found.origins) == 2


def test_an_aligned_pair_a_reviewer_confirms_becomes_reviewed(memory: TranslationMemory) -> None:
    memory.store([unit(SENTENCE, "a", origin="bai.txt", kind=UnitKind.ALIGNED, score=0.95)])
    (aligned,) = memory.units()
    assert (aligned.kind, aligned.score) == (UnitKind.ALIGNED, 0.95)
    memory.store([unit(SENTENCE, "a", origin="bai.po", created="2024-06-01T00:00:00Z")])
    (stored,) = memory.units()
    assert (stored.kind, stored.score, stored.created) == (UnitKind.REVIEWED, None, "2024-06-01T00:00:00Z")
    assert [o.kind for o in stored.origins] == [UnitKind.ALIGNED, UnitKind.REVIEWED]


def test_units_come_back_in_utc(memory: TranslationMemory) -> None:
    memory.store([unit("một", "one", created="2024-05-01T17:30:00+07:00", edited=True)])
    (stored,) = memory.units()
    assert stored.created == "2024-05-01T10:30:00Z"
    assert stored.origins == (UnitOrigin("bai.po", "bai:1:1", True, "2024-05-01T10:30:00Z"),)


def test_store_is_one_transaction(memory: TranslationMemory) -> None:
    def units_then_failure():
        yield unit("một", "one")
        yield unit("hai", "two")
        raise RuntimeError("import interrupted")

    with pytest.raises(RuntimeError):
        memory.store(units_then_failure())
    assert len(memory) == 0
    assert memory.lookup("một") is None and memory.suggest("một") is None


def test_memory_persists_across_opens(tmp_path: Path) -> None:
    with TranslationMemory(tmp_path / "tm.sqlite") as tm:
        tm.store([unit(SENTENCE, "kept")])
    with TranslationMemory(tmp_path / "tm.sqlite", create=False) as tm:
        assert tm.lookup(SENTENCE) == "kept" and len(tm) == 1


# --- near matches ----------------------------------------------------------------------------------


def test_similarity_is_token_edit_distance_over_the_longer() -> None:
    assert similarity("a b c d", "a b c d") == 1.0
    assert similarity("a b c d", "a x c d") == 0.75  # one substitution in four tokens
    assert similarity("a b c d", "a b c") == 0.75  # one deletion
    assert similarity("a b, c", "a b c") == 0.75  # the comma is a token
    assert similarity("x y", "a b c d") == 0.0
    assert similarity("Hà  Nội", unicodedata.normalize("NFD", "Hà Nội")) == 1.0


def test_suggest_respects_the_threshold(memory: TranslationMemory) -> None:
    memory.store([unit(SENTENCE, "The Ministry issued a notice about the Prime Minister's visit.")])
    words = SENTENCE.split()
    n = len(words)
    for changed in range(n + 1):
        query = " ".join(["khác"] * changed + words[changed:])
        expected = 1 - changed / n
        found = memory.suggest(query)
        if expected >= 0.75:
            assert found == Suggestion(SENTENCE, memory.lookup(SENTENCE) or "", pytest.approx(expected))
        else:
            assert found is None
        assert (memory.suggest(query, threshold=0.5) is not None) == (expected >= 0.5)


def test_suggest_picks_the_most_similar_and_returns_its_latest_translation(memory: TranslationMemory) -> None:
    memory.store(
        [
            unit("Hôm nay trời đẹp quá .", "What a nice day today.", segment_id="a:1:1"),
            unit("Hôm nay trời mưa to quá .", "It is raining hard today.", segment_id="a:1:2"),
            unit("Hôm nay trời mưa quá .", "Such rain today.", segment_id="a:1:3"),
            unit("Hôm nay trời mưa quá .", "So much rain today.", created="2024-07-01T00:00:00Z"),
        ]
    )
    found = memory.suggest("Hôm nay trời mưa quá !")
    assert found == Suggestion("Hôm nay trời mưa quá .", "So much rain today.", pytest.approx(5 / 6))
    assert memory.suggest("Ngày mai") is None
    assert memory.suggest("   ") is None


def test_suggest_finds_a_match_lacking_the_rarest_query_token(memory: TranslationMemory) -> None:
    # "mây" is the query's rarest stored token, but the best match is the one sentence without it:
    # the index must not look only at the rarest token.
    query = "hôm nay trời nhiều gió và mây"
    memory.store(unit(f"hôm nay trời {i} và gió", f"t{i}", segment_id=f"a:1:{i}") for i in range(5))
    memory.store([unit("mây trắng bay", "white clouds"), unit("hôm nay trời nhiều gió và mưa", "rain")])
    assert memory.suggest(query) == Suggestion("hôm nay trời nhiều gió và mưa", "rain", pytest.approx(6 / 7))


@contextmanager
def index_filter(kind: str, budget: int | None = None) -> Iterator[None]:
    """Near-match queries prefiltered by the ``kind`` of index: "cheaper" (as shipped), "tokens" or
    "pairs" (where the pair bound exists; tokens otherwise), so both filters are tested alone; and
    with ``budget`` 0, the fewest postings, whose every choice must then be right."""
    with pytest.MonkeyPatch.context() as patch:
        if kind != "cheaper":
            patch.setattr(memory_module, "_prefer_pairs", lambda pairs, single: kind == "pairs")
        if budget is not None:
            patch.setattr(memory_module, "POSTING_BUDGET", budget)
        yield


def test_suggest_finds_a_match_lacking_the_rarest_query_pair(memory: TranslationMemory) -> None:
    # "và mây" is one of the query's rarest stored pairs, but the best match lacks it; with no
    # budget the prefix is the fewest pairs a match must share one of, so it is only found if
    # those are counted right.
    query = "hôm nay trời nhiều gió và mây"
    memory.store(unit(f"hôm nay trời {i} gió và", f"t{i}", segment_id=f"a:1:{i}") for i in range(5))
    memory.store([unit("trăng và mây", "moon"), unit("hôm nay trời nhiều gió và mưa", "rain")])
    with index_filter("pairs", budget=0):
        assert memory.suggest(query) == Suggestion(
            "hôm nay trời nhiều gió và mưa", "rain", pytest.approx(6 / 7)
        )
        assert memory.suggest(query, threshold=0.9) is None


# Sentences over a small vocabulary, so that near matches are frequent.
_words = st.sampled_from(["tôi", "bạn", "đi", "học", "ở", "Hà", "Nội", "hôm", "nay", ",", "."])
_sentences = st.lists(_words, min_size=1, max_size=9).map(" ".join)


@pytest.mark.parametrize("budget", [None, 0])
@pytest.mark.parametrize("kind", ["cheaper", "tokens", "pairs"])
@settings(max_examples=60, deadline=None)
@given(st.lists(_sentences, min_size=1, max_size=12), _sentences, st.sampled_from([0.5, 0.6, 0.75, 0.9]))
def test_suggest_finds_what_a_full_scan_finds(
    kind: str, budget: int | None, stored: list[str], query: str, threshold: float
) -> None:
    with (
        tempfile.TemporaryDirectory() as directory,
        TranslationMemory(Path(directory) / "tm.sqlite") as tm,
        index_filter(kind, budget),
    ):
        tm.store(unit(source, f"t{i}", segment_id=f"s:1:{i}") for i, source in enumerate(stored))
        best = max(similarity(query, source) for source in stored)
        found = tm.suggest(query, threshold)
        if best >= threshold:
            assert found is not None
            assert found.similarity == pytest.approx(best)
            assert similarity(query, found.source) == pytest.approx(best)
        else:
            assert found is None


def textbook_edit_distance(a: list[str], b: list[str]) -> int:
    row = list(range(len(b) + 1))
    for i, token in enumerate(a, start=1):
        previous, row = row, [i]
        for j, other in enumerate(b, start=1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (token != other)))
    return row[-1]


@settings(max_examples=300, deadline=None)
@given(st.lists(_words, max_size=80), st.lists(_words, max_size=80), st.integers(0, 90))
def test_edit_distance_is_the_textbook_one_within_the_limit(a: list[str], b: list[str], limit: int) -> None:
    expected = textbook_edit_distance(a, b)
    assert memory_module._edit_distance(a, b, limit) == (expected if expected <= limit else limit + 1)
    assert similarity(" ".join(a), " ".join(b)) == pytest.approx(
        1 - expected / max(len(tokens(" ".join(a))), len(tokens(" ".join(b))), 1)
    )


def test_normalise() -> None:
    assert normalise(" a \t\n b\u00a0 ") == "a b"
    assert normalise(unicodedata.normalize("NFD", "Việt")) == "Việt"


# --- refusing files --------------------------------------------------------------------------------


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("Just some notes, not a database at all.\n" * 100, encoding="utf-8")
    with pytest.raises(InputError, match=r"notes\.sqlite: not a songngu translation memory") as caught:
        TranslationMemory(path)
    assert "\n" not in str(caught.value)
    assert path.read_text(encoding="utf-8").startswith("Just some notes")


def test_an_sqlite_database_of_something_else_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE things (name TEXT)")
    other.close()
    with pytest.raises(InputError, match="an SQLite database of something else"):
        TranslationMemory(path)


def test_a_memory_from_a_newer_songngu_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite"
    TranslationMemory(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(InputError, match="schema 99 is newer"):
        TranslationMemory(path)


def stored_pairs(tm: TranslationMemory) -> list[tuple[str, str, list[tuple[str, str, bool]], bool, str]]:
    return [
        (u.source, u.target, [(o.origin, o.segment_id, o.edited) for o in u.origins], u.edited, u.kind.value)
        for u in tm.units()
    ]


# What the 11 rows of the schema 3 file are as pairs with their origins, in the order stored.
SCHEMA_3_PAIRS = [
    (
        "Bộ Ngoại giao họp báo.",
        "The Ministry of Foreign Affairs held a briefing.",
        [("bai.po", "bai:1:1", False), ("bai.xlf", "bai:1:1", False)],
        False,
        "reviewed",
    ),
    (
        "Trời mưa.",
        "It is raining.",
        [("bai.po", "bai:1:2", True), ("bai.xlf", "bai:1:2", False), ("bai.po", "bai.txt:1", False)],
        True,
        "reviewed",
    ),
    ("Trời mưa.", "Rain.", [("tin.po", "tin:2:1", True)], True, "reviewed"),
    (
        "Hà Nội, ngày 14/5.",
        "Hanoi, 14 May.",
        [("lich.txt", "lich:1:1", False), ("lich.po", "lich:1:1", False)],
        False,
        "reviewed",
    ),
    ("Xin chào.", "Hello.", [("archive.txt", "archive:3:2", False)], False, "aligned"),
    ("Cảm ơn.", "Thank you.", [("a.po", "a:1:1", True), ("a.xlf", "a:1:1", True)], True, "reviewed"),
]


def test_a_schema_3_memory_is_migrated_in_place_losing_nothing(tmp_path: Path) -> None:
    path = old_memory(tmp_path / "tm.sqlite")
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT source, target, origin, segment_id FROM unit").fetchall()
    raw.close()
    with TranslationMemory(path, create=False) as tm:
        assert stored_pairs(tm) == SCHEMA_3_PAIRS
        # Every row of the old file is an origin of its pair now.
        origins = {(u.source, o.origin, o.segment_id) for u in tm.units() for o in u.origins}
        assert len(origins) == len(rows) == 11
        assert tm.lookup("Trời mưa.") == "Rain."  # the most recent still wins
        aligned = tm.find("Xin chào.")
        assert aligned is not None and aligned.kind is UnitKind.ALIGNED and aligned.score == 0.91
        assert tm.suggest("Bộ Ngoại giao họp báo!") == Suggestion(
            "Bộ Ngoại giao họp báo.", "The Ministry of Foreign Affairs held a briefing.", pytest.approx(5 / 6)
        )
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {name for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "unit_v3" not in tables and "origin" in tables
    raw.close()


@pytest.mark.parametrize("version", [1, 2])
def test_older_memories_are_upgraded_in_place(tmp_path: Path, version: int) -> None:
    path = old_memory(tmp_path / "tm.sqlite", version)
    with TranslationMemory(path, create=False) as tm, index_filter("pairs"):
        # Before kinds (schema 2), every unit was a reviewed one.
        assert stored_pairs(tm) == [(*pair[:4], "reviewed") for pair in SCHEMA_3_PAIRS]
        assert tm.suggest("Bộ Ngoại giao họp báo!") is not None
        tm.store([unit("hôm nay trời c quá .", "c")])
        assert tm.suggest("hôm nay trời c quá !") == Suggestion(
            "hôm nay trời c quá .", "c", pytest.approx(5 / 6)
        )
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()


def test_a_read_only_old_memory_is_refused_in_one_line_and_left_alone(tmp_path: Path) -> None:
    path = old_memory(tmp_path / "tm.sqlite")
    before = path.read_bytes()
    original = memory_module._writable
    try:
        memory_module._writable = lambda _: False  # type: ignore[assignment]
        with pytest.raises(InputError, match="schema 3 must be upgraded to 4, and the file is read-only"):
            TranslationMemory(path, create=False, write=False)
    finally:
        memory_module._writable = original  # type: ignore[assignment]
    assert path.read_bytes() == before


def test_create_false_refuses_a_missing_memory_without_creating_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no translation memory at .*missing\.sqlite; import reviewed PO"):
        TranslationMemory(tmp_path / "missing.sqlite", create=False)
    assert not (tmp_path / "missing.sqlite").exists()


# --- songngu export-tm -----------------------------------------------------------------------------

STORED = [
    unit('Xin chào <thế giới> & "bạn".', 'Hello <world> & "friend".', created="2024-05-01T10:00:00Z"),
    unit("Một\tdòng\nhai.", "One\tline\ntwo.", origin="b.po", segment_id="b:2:1", edited=True),
    unit("Ba.", "Three.", origin="c.vi.txt", segment_id="c:1:1", kind=UnitKind.ALIGNED, score=0.93125),
]


@pytest.fixture
def tm_path(tmp_path: Path) -> Path:
    path = tmp_path / "tm.sqlite"
    with TranslationMemory(path) as tm:
        tm.store(STORED)
    return path


def test_export_tmx_to_a_file(tm_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "memory.tmx"
    assert main(["export-tm", "--format", "tmx", "--tm", str(tm_path), "-o", str(out)]) == 0
    units = read_tmx(out)
    assert [(u.source, u.target) for u in units] == [(s.source, s.target) for s in STORED]
    assert len({u.tuid for u in units}) == len(units)
    assert dict(units[1].props) == {
        "x-origin": "b.po",
        "x-segment-id": "b:2:1",
        "x-edited": "yes",
        "x-kind": "reviewed",
    }
    assert dict(units[2].props)["x-kind"] == "aligned"
    assert dict(units[2].props)["x-alignment-score"] == "0.9313"
    assert units[0].changed is not None and units[0].changed.isoformat() == "2024-05-01T10:00:00+00:00"


def test_export_tsv_to_standard_output(tm_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export-tm", "--format", "tsv", "--tm", str(tm_path)]) == 0
    rows = loads_rows(capsys.readouterr().out, "<stdout>", TSV_HEADER)
    assert rows == [
        (
            s.source,
            s.target,
            s.origin,
            s.segment_id,
            "yes" if s.edited else "no",
            s.created,
            s.kind.value,
            score,
            "",
        )
        for s, score in zip(STORED, ["", "", "0.9313"], strict=True)
    ]


def test_aligned_units_stay_aligned_through_an_exported_tmx(tm_path: Path, tmp_path: Path) -> None:
    # Another desk imports our export: a machine's alignment must not become a reviewer's translation.
    exported = tmp_path / "memory.tmx"
    assert main(["export-tm", "--format", "tmx", "--tm", str(tm_path), "-o", str(exported)]) == 0
    other = tmp_path / "other.sqlite"
    assert main(["review", "import", str(exported), "--tm", str(other)]) == 0
    with TranslationMemory(other) as tm:
        found = {u.source: u for u in tm.units()}
    assert found["Ba."].kind is UnitKind.ALIGNED and found["Ba."].score == pytest.approx(0.9313)
    assert not found["Ba."].edited
    assert {found[s.source].kind for s in STORED[:2]} == {UnitKind.REVIEWED}


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({}, (UnitKind.REVIEWED, None)),  # another tool's TMX
        ({"x-kind": "aligned", "x-alignment-score": "0.5"}, (UnitKind.ALIGNED, 0.5)),
        ({"x-kind": "aligned", "x-alignment-score": "high"}, (UnitKind.ALIGNED, None)),
        ({"x-kind": "aligned", "x-alignment-score": "7"}, (UnitKind.ALIGNED, None)),
        ({"x-kind": "reviewed", "x-alignment-score": "0.5"}, (UnitKind.REVIEWED, None)),
        ({"x-kind": "machine"}, (UnitKind.REVIEWED, None)),
    ],
)
def test_kind_and_score_from_tmx_properties(props: dict[str, str], expected: tuple) -> None:
    assert kind_and_score(props.items()) == expected


def test_the_memory_does_not_depend_on_file_formats() -> None:
    # Storage hands out units; export composition lives in the formats layer (memory_export).
    code = (
        "import sys; import songngu.translate.memory; "
        "print(sorted(m for m in sys.modules if m.startswith('songngu.translate.formats')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_export_of_a_missing_memory_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.sqlite"
    assert main(["export-tm", "--tm", str(missing), "-o", str(tmp_path / "out.tmx")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "no translation memory at" in error and "songngu review import" in error
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no database, no output


def test_export_of_an_invalid_memory_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(b"\x00\x01not sqlite" * 50)
    assert main(["export-tm", "--format", "tsv", "--tm", str(bogus)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "bogus.sqlite: not a songngu translation memory" in captured.err
