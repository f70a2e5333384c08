"""Fine-tuning data: memory units chosen, glossary and general pairs added, de-duplicated, test sets
refused by checksum, dev split by whole articles and deterministic with the seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from songngu.errors import InputError
from songngu.glossary.formats import load_glossary
from songngu.translate.finetune import testsets
from songngu.translate.finetune.data import (
    DataSettings,
    PairOrigin,
    TrainingPair,
    article_of,
    prepare,
    split_by_article,
)
from songngu.translate.memory import MemoryUnit, UnitKind

ROOT = Path(__file__).resolve().parent.parent
FLORES = ROOT / "data" / "flores200"
NTREX = ROOT.parent / "shared" / "data" / "ntrex128"


def unit(
    article: str, n: int, source: str | None = None, target: str | None = None, created: str = ""
) -> MemoryUnit:
    return MemoryUnit(
        source or f"Câu số {n} của bài {article}.",
        target or f"Sentence {n} of article {article}.",
        f"{article}.po",
        f"{article}:{n}:1",
        edited=True,
        created=created or f"2026-01-01T00:00:{n % 60:02d}Z",
    )


def corpus(articles: int, per_article: int) -> list[MemoryUnit]:
    return [unit(f"a{a}", n) for a in range(articles) for n in range(1, per_article + 1)]


def test_article_comes_from_the_segment_id_else_the_origin() -> None:
    assert article_of("bai-viet:3:2", "bai-viet.po") == "bai-viet"
    assert article_of("x:y:1:2", "f.po") == "x:y"
    assert article_of("", "archive.tmx") == "archive.tmx"
    assert article_of("line-7", "") == "line-7"


def test_reviewed_units_split_by_article() -> None:
    data = prepare(corpus(10, 5), DataSettings(dev_fraction=0.2, seed=1))
    assert len(data.train) + len(data.dev) == 50
    assert len(data.dev) == 10  # two whole articles
    train_articles = {p.article for p in data.train}
    dev_articles = {p.article for p in data.dev}
    assert train_articles and dev_articles and not train_articles & dev_articles
    assert data.counts["dev_articles"] == 2 and data.counts["train"] == 40
    assert data.memory_checksum.startswith("sha256:")


@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=12),
    fraction=st.floats(0.01, 0.9),
    seed=st.integers(0, 1000),
)
def test_split_never_straddles_and_is_deterministic(sizes: list[int], fraction: float, seed: int) -> None:
    pairs = [
        TrainingPair(f"vi {a} {n}", f"en {a} {n}", PairOrigin.REVIEWED, f"art{a}", f"art{a}:{n}:1")
        for a, size in enumerate(sizes)
        for n in range(size)
    ]
    train, dev = split_by_article(pairs, fraction, seed)
    assert (train, dev) == split_by_article(pairs, fraction, seed)
    assert sorted(train + dev, key=pairs.index) == pairs
    assert dev and train  # at least one article each side
    assert not {p.article for p in train} & {p.article for p in dev}
    # Articles are added until the share is reached: without the last one it was not yet.
    assert len(dev) >= min(fraction * len(pairs), len(pairs) - max(sizes))


def test_different_seeds_choose_different_dev_articles() -> None:
    units = corpus(20, 3)
    chosen = {
        frozenset(p.article for p in prepare(units, DataSettings(dev_fraction=0.1, seed=s)).dev)
        for s in range(6)
    }
    assert len(chosen) > 1


def test_one_article_cannot_be_split() -> None:
    with pytest.raises(InputError, match="at least two"):
        prepare(corpus(1, 20), DataSettings(dev_fraction=0.1))
    assert len(prepare(corpus(1, 20), DataSettings(dev_fraction=0)).train) == 20


def test_aligned_units_only_from_the_score_threshold() -> None:
    def aligned(n: int, score: float | None) -> MemoryUnit:
        return MemoryUnit(
            f"Câu căn chỉnh số {n}.",
            f"Aligned sentence {n}.",
            "archive.tmx",
            f"archive:{n}:1",
            False,
            "2026-01-01T00:00:00Z",
            UnitKind.ALIGNED,
            score,
        )

    units = [*corpus(3, 2), aligned(1, 0.95), aligned(2, 0.9), aligned(3, 0.89), aligned(4, None)]
    data = prepare(units, DataSettings(dev_fraction=0, min_aligned_score=0.9))
    assert sorted(p.source for p in data.train if p.origin is PairOrigin.ALIGNED) == [
        "Câu căn chỉnh số 1.",
        "Câu căn chỉnh số 2.",
    ]
    assert data.counts["aligned_below_threshold"] == 2 and data.counts["train_reviewed"] == 6


def test_reviewed_translation_wins_over_a_newer_aligned_one() -> None:
    reviewed = unit("a1", 1, "Xin chào.", "Hello.", created="2026-01-01T00:00:00Z")
    newer = MemoryUnit(
        "Xin chào.",
        "Hi.",
        "archive.tmx",
        "archive:1:1",
        False,
        "2026-06-01T00:00:00Z",
        UnitKind.ALIGNED,
        0.99,
    )
    data = prepare([newer, reviewed, *corpus(2, 2)], DataSettings(dev_fraction=0))
    assert [p.target for p in data.train if p.source == "Xin chào."] == ["Hello."]


def test_duplicates_keep_the_most_recent_translation() -> None:
    old = unit("a1", 1, "Xin  chào.", "Hello there.", created="2026-01-01T00:00:00Z")
    new = unit("a2", 1, "Xin chào.", "Hello.", created="2026-02-01T00:00:00Z")
    data = prepare([old, new, *corpus(3, 2)], DataSettings(dev_fraction=0))
    greetings = [p for p in data.train if p.source.startswith("Xin")]
    assert [p.target for p in greetings] == ["Hello."]
    assert data.counts["duplicates"] == 1


def test_glossary_terms_become_train_only_pairs() -> None:
    glossary = load_glossary(ROOT / "seeds" / "glossary.csv")
    data = prepare(corpus(4, 3), DataSettings(dev_fraction=0.25), glossary=glossary)
    pairs = {(p.source, p.target) for p in data.train if p.origin is PairOrigin.GLOSSARY}
    for entry in glossary.entries:
        for vi in entry.vi_forms:
            assert (vi, entry.en) in pairs
        if entry.acronym:
            assert (f"{entry.vi} ({entry.acronym})", f"{entry.en} ({entry.acronym})") in pairs
    assert all(p.origin is PairOrigin.REVIEWED for p in data.dev)


def test_general_pairs_are_mixed_in_at_the_ratio() -> None:
    general = [(f"g:{i}:1", f"Câu chung số {i}.", f"General sentence {i}.") for i in range(100)]
    data = prepare(corpus(4, 5), DataSettings(dev_fraction=0.25, general_ratio=0.5, seed=3), general=general)
    in_domain = data.counts["train_reviewed"]
    assert data.counts["train_general"] == round(0.5 * in_domain)
    again = prepare(corpus(4, 5), DataSettings(dev_fraction=0.25, general_ratio=0.5, seed=3), general=general)
    assert again.train == data.train
    assert not any(p.origin is PairOrigin.GENERAL for p in data.dev)


def test_test_set_sentences_are_refused_by_checksum() -> None:
    vi = (FLORES / "vie_Latn.devtest").read_text(encoding="utf-8").splitlines()
    en = (FLORES / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    leaked = [unit("flores", i, vi[i], en[i]) for i in range(testsets.REFUSE_AT)]
    with pytest.raises(InputError, match="test sets"):
        prepare([*corpus(200, 5), *leaked], DataSettings(dev_fraction=0))


def test_a_stray_test_set_sentence_is_dropped_even_disguised() -> None:
    en = (FLORES / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()[10]
    disguised = "  " + en.upper().replace(" ", "  ").rstrip(".") + " !"
    stray = unit("misc", 1, "Một câu tiếng Việt không liên quan gì cả.", disguised)
    data = prepare([*corpus(200, 5), stray], DataSettings(dev_fraction=0))
    assert data.counts["testset_overlap"] == 1
    assert all(p.target != disguised for p in data.train)


def test_ntrex_sentences_are_known() -> None:
    vi = (NTREX / "newstest2019-ref.vie.txt") if NTREX.is_dir() else None
    sample = (
        vi.read_text(encoding="utf-8").splitlines()[:50]
        if vi
        else (FLORES / "vie_Latn.devtest").read_text(encoding="utf-8").splitlines()[:50]
    )
    hashed = [h for h in map(testsets.sentence_hash, sample) if h is not None]
    assert hashed and all(h in testsets.known_hashes() for h in hashed)


def test_short_sentences_are_never_flagged() -> None:
    assert testsets.sentence_hash("Ảnh: VT") is None
    assert not testsets.overlaps("Hà Nội", "Ha Noi")


@pytest.mark.skipif(not NTREX.is_dir(), reason="the shared NTREX-128 folder is not here")
def test_shipped_hash_list_is_what_the_script_builds() -> None:
    files = [
        FLORES / "vie_Latn.devtest",
        FLORES / "eng_Latn.devtest",
        NTREX / "newstest2019-ref.vie.txt",
        NTREX / "newstest2019-src.eng.txt",
    ]
    assert testsets.build_hash_list(files) == testsets.HASH_FILE.read_text(encoding="utf-8")
