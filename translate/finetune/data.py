"""What a fine-tuning run learns from: pairs from the translation memory, the glossary and general
text, de-duplicated, kept clear of our test sets, and split into train and dev by article.

Decisions:

- **Memory units.** Every reviewed unit (a reviewer confirmed it: edited or accepted as is) is used.
  Units from aligned archives are used only when their alignment score is at least
  ``min_aligned_score``; units without a score never are.
- **De-duplication** is by the memory's normalised source (:func:`songngu.translate.memory.normalise`):
  one target per source, as :meth:`TranslationMemory.lookup` would give it — reviewed before aligned,
  then the most recent. Glossary and general pairs whose source the memory already has are dropped.
- **Glossary pairs.** Each entry adds its Vietnamese forms → its English term, and with an acronym
  "full form (ACR)" → "English (ACR)" and "ACR" → "ACR": short pairs that teach the rendering the
  constraints require. They are train-only.
- **General pairs** (``--general``, a songngu bitext TSV: ``id  vi  en``) guard against forgetting:
  ``general_ratio`` general pairs per in-domain training pair (memory and glossary), sampled with the
  seed; train-only.
- **Dev split by article.** A segment id ``<article>:<paragraph>:<sentence>`` names its article (else
  the unit's origin does). Articles are shuffled with the seed and taken into dev until dev holds
  ``dev_fraction`` of the memory pairs, at least one article, and never every article: an article's
  segments are all in train or all in dev.
- **Test sets** (:mod:`songngu.translate.finetune.testsets`): a pair overlapping FLORES-200 or
  NTREX-128 is never used; a substantial overlap refuses the run.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from songngu.errors import InputError
from songngu.glossary.model import Glossary
from songngu.translate.finetune.testsets import is_substantial, overlaps
from songngu.translate.memory import MemoryUnit, UnitKind, normalise

_SEGMENT_ID = re.compile(r"(.+):\d+:\d+")


class PairOrigin(StrEnum):
    """Where a training pair came from."""

    REVIEWED = "reviewed"  # a reviewer's confirmed translation in the memory
    ALIGNED = "aligned"  # a sentence-aligned archive unit in the memory, scored high enough
    GLOSSARY = "glossary"  # a glossary entry's Vietnamese form and required English
    GENERAL = "general"  # general-domain text mixed in against forgetting


@dataclass(frozen=True)
class TrainingPair:
    """One Vietnamese sentence and the English the model should learn for it."""

    source: str
    target: str
    origin: PairOrigin
    article: str = ""  # the article it belongs to (memory pairs); "" for train-only pairs
    segment_id: str = ""


@dataclass(frozen=True)
class DataSettings:
    """How the data are chosen and split."""

    dev_fraction: float = 0.1
    seed: int = 0
    min_aligned_score: float = 0.9
    general_ratio: float = 1.0


@dataclass(frozen=True)
class FinetuneData:
    """The train and dev pairs of a run, with counts and a checksum of the memory units read."""

    train: tuple[TrainingPair, ...]
    dev: tuple[TrainingPair, ...]
    counts: dict[str, int] = field(default_factory=dict)
    memory_checksum: str = ""

    def to_json(self) -> dict[str, object]:
        """What ``training.json`` records about the data."""
        return {"memory_checksum": self.memory_checksum, "counts": dict(self.counts)}


def article_of(segment_id: str, origin: str) -> str:
    """The article a memory unit belongs to: from ``<article>:<p>:<s>``, else its origin file."""
    match = _SEGMENT_ID.fullmatch(segment_id)
    if match:
        return match.group(1)
    return origin or segment_id


def memory_checksum(units: Iterable[MemoryUnit]) -> str:
    """``sha256:<hex>`` over the units' content (order-independent), for ``training.json``."""
    digest = hashlib.sha256()
    rows = sorted(
        "\0".join((u.source, u.target, u.origin, u.segment_id, u.kind.value, repr(u.score))) for u in units
    )
    for row in rows:
        digest.update(row.encode("utf-8") + b"\n")
    return f"sha256:{digest.hexdigest()}"


def memory_pairs(units: Sequence[MemoryUnit], min_aligned_score: float) -> tuple[list[TrainingPair], int]:
    """Usable memory units as pairs, preferred first (reviewed, then newest), and how many aligned
    units fell below the score threshold."""
    below = 0
    chosen: list[MemoryUnit] = []
    for unit in units:
        if unit.kind is UnitKind.ALIGNED and (unit.score is None or unit.score < min_aligned_score):
            below += 1
            continue
        chosen.append(unit)
    # Newest first, then reviewed before aligned (sort is stable): the order dedup keeps.
    chosen.sort(key=lambda u: u.created, reverse=True)
    chosen.sort(key=lambda u: u.kind is not UnitKind.REVIEWED)
    pairs = [
        TrainingPair(
            u.source,
            u.target,
            PairOrigin(u.kind.value),
            article_of(u.segment_id, u.origin),
            u.segment_id,
        )
        for u in chosen
        if u.source.strip() and u.target.strip()
    ]
    return pairs, below


def glossary_pairs(glossary: Glossary) -> list[TrainingPair]:
    """Each entry's Vietnamese forms → its English term (and the acronym forms), train-only."""
    pairs: list[TrainingPair] = []
    for entry in glossary.entries:
        for vi in entry.vi_forms:
            pairs.append(TrainingPair(vi, entry.en, PairOrigin.GLOSSARY))
            if entry.acronym:
                pairs.append(
                    TrainingPair(
                        f"{vi} ({entry.acronym})", f"{entry.en} ({entry.acronym})", PairOrigin.GLOSSARY
                    )
                )
        if entry.acronym:
            pairs.append(TrainingPair(entry.acronym, entry.acronym, PairOrigin.GLOSSARY))
    return pairs


def general_pairs(rows: Iterable[tuple[str, str, str]]) -> list[TrainingPair]:
    """General-domain (segment id, Vietnamese, English) rows as train-only pairs."""
    return [
        TrainingPair(vi, en, PairOrigin.GENERAL, segment_id=sid)
        for sid, vi, en in rows
        if vi.strip() and en.strip()
    ]


def deduplicate(pairs: Iterable[TrainingPair]) -> tuple[list[TrainingPair], int]:
    """The first pair of each normalised source, in order, and how many were dropped."""
    seen: set[str] = set()
    kept: list[TrainingPair] = []
    dropped = 0
    for pair in pairs:
        key = normalise(pair.source)
        if key in seen:
            dropped += 1
        else:
            seen.add(key)
            kept.append(pair)
    return kept, dropped


def split_by_article(
    pairs: Sequence[TrainingPair], dev_fraction: float, seed: int
) -> tuple[list[TrainingPair], list[TrainingPair]]:
    """Memory pairs split into (train, dev) by whole articles, deterministic for a seed."""
    if dev_fraction <= 0:
        return list(pairs), []
    sizes = Counter(pair.article for pair in pairs)
    if len(sizes) < 2:
        raise InputError(
            f"the memory holds {len(sizes)} article(s); a dev split by article needs at least two "
            "(import more reviewed articles, or pass --dev-fraction 0)"
        )
    articles = sorted(sizes)
    random.Random(seed).shuffle(articles)
    wanted = math.ceil(dev_fraction * len(pairs))
    dev_articles: set[str] = set()
    in_dev = 0
    for article in articles[:-1]:  # the last one always trains
        if in_dev >= wanted:
            break
        dev_articles.add(article)
        in_dev += sizes[article]
    train = [p for p in pairs if p.article not in dev_articles]
    dev = [p for p in pairs if p.article in dev_articles]
    return train, dev


def prepare(
    units: Sequence[MemoryUnit],
    settings: DataSettings,
    *,
    glossary: Glossary | None = None,
    general: Sequence[tuple[str, str, str]] = (),
) -> FinetuneData:
    """Choose, de-duplicate, screen and split the pairs of a run (see the module's decisions).

    Raises InputError when the data substantially overlap FLORES-200 or NTREX-128.
    """
    counts: Counter[str] = Counter()
    from_memory, counts["aligned_below_threshold"] = memory_pairs(units, settings.min_aligned_score)
    extra = glossary_pairs(glossary) if glossary is not None else []
    candidates, counts["duplicates"] = deduplicate([*from_memory, *extra, *general_pairs(general)])
    clean = [p for p in candidates if not overlaps(p.source, p.target)]
    counts["testset_overlap"] = len(candidates) - len(clean)
    if is_substantial(counts["testset_overlap"], len(candidates)):
        raise InputError(
            f"{counts['testset_overlap']} of {len(candidates)} training pairs are sentences of our test "
            "sets (FLORES-200 devtest, NTREX-128); songngu never trains on them: remove them from the "
            "memory or the --general file"
        )
    memory = [p for p in clean if p.origin in (PairOrigin.REVIEWED, PairOrigin.ALIGNED)]
    train, dev = split_by_article(memory, settings.dev_fraction, settings.seed)
    train += [p for p in clean if p.origin is PairOrigin.GLOSSARY]
    general_pool = [p for p in clean if p.origin is PairOrigin.GENERAL]
    wanted = min(len(general_pool), round(settings.general_ratio * len(train)))
    train += random.Random(settings.seed).sample(general_pool, wanted)
    for pair in train:
        counts[f"train_{pair.origin.value}"] += 1
    for pair in dev:
        counts[f"dev_{pair.origin.value}"] += 1
    counts["train"], counts["dev"] = len(train), len(dev)
    counts["train_articles"] = len({p.article for p in train if p.article})
    counts["dev_articles"] = len({p.article for p in dev})
    counts["memory_units"] = len(units)
    return FinetuneData(tuple(train), tuple(dev), dict(sorted(counts.items())), memory_checksum(units))
