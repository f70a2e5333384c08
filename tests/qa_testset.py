"""A labelled QA test set from real translations: FLORES-200 and NTREX-128 pairs with planted errors.

Each eligible pair of a corpus part gives one copy per kind of error, one kind per copy, with a
fixed seed; the untouched pairs are the negatives:

- ``number``: one number of the English changed (a digit replaced, one added, or a zero appended),
  never the day or year of a date with a month name (those are dates);
- ``date``: a date of the English moved (its day, or the month name when no day is next to it),
  where the Vietnamese has a date too (a month after "tháng", or a day/month);
- ``term``: a glossary rendering of the English replaced by the entry's forbidden rendering
  (``tests/data/qa_glossary.csv``; only pairs whose source has a glossary term and whose English
  already uses one of its renderings: a reviewed translation, as a desk's would be);
- ``word``: one lowercase word of three letters or more left out;
- ``untranslated``: the English replaced by the Vietnamese source;
- ``omission``: a run of about 40% of the words left out of the middle (sentences of 16 words or more);
- ``repetition``: a phrase of three or four words repeated three times, as MT loops do.

Parts: ``tune`` is FLORES-200 devtest lines 1-506, the only part the checks and the glossary's
variants were tuned on; ``flores-heldout`` is lines 507-1012 and ``ntrex`` all 1,997 NTREX-128 lines,
held out. Used by ``benchmarks/bench_qa.py`` and ``tests/test_qa_testset.py``.

The derived set is under the corpora's licence, CC BY-SA 4.0; it is derived in code, not shipped.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from songngu.glossary.formats import load_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import Glossary
from songngu.translate.months import EN_MONTH_NAMES as MONTH_NAMES
from songngu.translate.qa.segment import QaSegment, QaTerm, qa_terms

ROOT = Path(__file__).resolve().parent.parent
FLORES = ROOT / "data" / "flores200"
NTREX = ROOT / "data" / "ntrex128"
GLOSSARY = Path(__file__).resolve().parent / "data" / "qa_glossary.csv"
SEED = 20240305
PARTS = ("tune", "flores-heldout", "ntrex")
KINDS = ("number", "date", "term", "word", "untranslated", "omission", "repetition")
# The check meant to catch each kind ("word" has none of its own: a lost word rarely shows).
INTENDED = {
    "number": "numbers",
    "date": "dates",
    "term": "terms",
    "word": "length",
    "untranslated": "untranslated",
    "omission": "length",
    "repetition": "repeated",
}


@dataclass(frozen=True)
class Pair:
    """One line of a corpus: its part, its 1-based line there, the Vietnamese and English."""

    part: str
    line: int
    source: str
    target: str


@dataclass(frozen=True)
class Case:
    """One item of the set: a pair, untouched (``kind`` None) or with one planted error of ``kind``
    at ``span`` of its ``target``; ``eligible`` are the kinds the pair could take."""

    pair: Pair
    kind: str | None
    target: str
    span: tuple[int, int] | None
    terms: tuple[QaTerm, ...]

    @property
    def id(self) -> str:
        """``<part>:<line>:<kind>`` (``none`` for an untouched pair)."""
        return f"{self.pair.part}:{self.pair.line}:{self.kind or 'none'}"

    def segment(self) -> QaSegment:
        """What the checks see."""
        return QaSegment(
            self.id, self.pair.source, self.target, self.terms, True, self.pair.part, self.pair.line
        )


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def read_pairs(part: str) -> list[Pair]:
    """The pairs of one part (module docstring)."""
    if part == "ntrex":
        vi, en = _lines(NTREX / "newstest2019-ref.vie.txt"), _lines(NTREX / "newstest2019-src.eng.txt")
        first, last = 1, len(vi)
    else:
        vi, en = _lines(FLORES / "vie_Latn.devtest"), _lines(FLORES / "eng_Latn.devtest")
        first, last = (1, 506) if part == "tune" else (507, len(vi))
    return [Pair(part, n, vi[n - 1], en[n - 1]) for n in range(first, last + 1) if vi[n - 1].strip()]


_MONTH = "|".join(MONTH_NAMES) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\."
_DAY_BESIDE_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH})\b|\b(?:{_MONTH})\s+(\d{{1,2}})\b"
)
_YEAR_OF_DATE = re.compile(rf"(?:\b(?:{_MONTH})(?:\s+\d{{1,2}},?)?)\s+(\d{{4}})\b")
_MONTH_NAME = re.compile(rf"\b(?:{_MONTH})\b")
# The source gives a date too: a month after "tháng", or a day/month.
_VI_DATE_HINT = re.compile(r"(?i:tháng)\s+(?:\d|[A-ZĐ])|\d\s*/\s*\d")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
_WORD = re.compile(r"(?<![\w'’-])[a-z]{3,}(?![\w'’-])")


def plant_number(target: str, rng: random.Random) -> tuple[str, tuple[int, int]] | None:
    """Change one number of ``target`` (not a day next to a month name)."""
    days = [m.span(1) if m.group(1) else m.span(2) for m in _DAY_BESIDE_MONTH.finditer(target)]
    years = [m.span(1) for m in _YEAR_OF_DATE.finditer(target)]
    numbers = [m for m in _NUMBER.finditer(target) if m.span() not in days and m.span() not in years]
    if not numbers:
        return None
    match = rng.choice(numbers)
    token = match.group()
    digits = [k for k, char in enumerate(token) if char.isdigit()]
    how = rng.randrange(3)
    if how == 0:
        k = rng.choice(digits)
        choices = [d for d in "0123456789" if d != token[k] and not (k == 0 and d == "0" and len(digits) > 1)]
        changed = token[:k] + rng.choice(choices) + token[k + 1 :]
    elif how == 1 and token.isdigit():
        changed = str(int(token) + rng.randint(1, 3))
    else:
        changed = token + "0" if token.isdigit() else token[:-1] + str((int(token[-1]) + 5) % 10)
    if changed.lstrip("0") == token.lstrip("0"):
        return None  # "00" for "0": the same number
    start, end = match.span()
    return target[:start] + changed + target[end:], (start, start + len(changed))


def plant_date(source: str, target: str, rng: random.Random) -> tuple[str, tuple[int, int]] | None:
    """Move one date of ``target``: a day next to a month name, else a month name ("May" only beside
    a number); only where the source gives a date too."""
    if not _VI_DATE_HINT.search(source):
        return None
    days = [m.span(1) if m.group(1) else m.span(2) for m in _DAY_BESIDE_MONTH.finditer(target)]
    if days:
        start, end = rng.choice(days)
        day = int(target[start:end])
        moved = str(rng.choice([d for d in range(1, 29) if d != day]))
        return target[:start] + moved + target[end:], (start, start + len(moved))
    months = [
        m.span()
        for m in _MONTH_NAME.finditer(target)
        if m.group() != "May"
        or re.search(r"\d\s*\Z", target[: m.start()])
        or re.match(r"\s*\d", target[m.end() :])
    ]
    if not months:
        return None
    start, end = rng.choice(months)
    month = target[start:end]
    moved = rng.choice([name for name in MONTH_NAMES if name != month])
    return target[:start] + moved + target[end:], (start, start + len(moved))


def plant_term(
    target: str, terms: Sequence[QaTerm], rng: random.Random
) -> tuple[str, tuple[int, int]] | None:
    """Replace a rendering of a glossary term in ``target`` by the entry's forbidden rendering."""
    options = []
    for term in terms:
        for rendering in term.accepted:
            found = re.search(rf"(?<!\w){re.escape(rendering)}(?!\w)", target, re.IGNORECASE)
            if found and term.forbidden:
                options.append((found.span(), term.forbidden[0]))
    if not options:
        return None
    (start, end), forbidden = rng.choice(sorted(options))
    return target[:start] + forbidden + target[end:], (start, start + len(forbidden))


def plant_word(target: str, rng: random.Random) -> tuple[str, tuple[int, int]] | None:
    """Leave out one lowercase word (with the space before it)."""
    words = list(_WORD.finditer(target))
    if len(target.split()) < 8 or not words:
        return None
    match = rng.choice(words)
    start = match.start() - 1 if match.start() > 0 and target[match.start() - 1] == " " else match.start()
    return target[:start] + target[match.end() :], (start, start)


def plant_omission(target: str, rng: random.Random) -> tuple[str, tuple[int, int]] | None:
    """Leave out a run of about 40% of the words from the middle."""
    words = target.split(" ")
    if len(words) < 16:
        return None
    count = round(0.4 * len(words))
    first = rng.randint(1, len(words) - count - 1)
    kept = words[:first] + words[first + count :]
    start = len(" ".join(words[:first]))
    return " ".join(kept), (start, start)


def plant_repetition(target: str, rng: random.Random) -> tuple[str, tuple[int, int]] | None:
    """Repeat a phrase of three or four words three times, right after itself."""
    words = target.split(" ")
    size = rng.choice((3, 4))
    if len(words) < size + 2:
        return None
    first = rng.randint(0, len(words) - size - 1)
    phrase = words[first : first + size]
    loop = [*words[: first + size], *phrase * 3, *words[first + size :]]
    start = len(" ".join(words[: first + size])) + 1
    added = " ".join(phrase * 3)
    return " ".join(loop), (start, start + len(added))


def load_test_glossary() -> Glossary:
    """The glossary the ``term`` kind is planted with."""
    return load_glossary(GLOSSARY)


def derive(part: str, seed: int = SEED, glossary: Glossary | None = None) -> list[Case]:
    """Every case of one part: each pair untouched, then one copy per kind it is eligible for."""
    matcher = GlossaryMatcher(glossary if glossary is not None else load_test_glossary())
    rng = random.Random(f"{seed}:{part}")
    cases: list[Case] = []
    for pair in read_pairs(part):
        terms = qa_terms(matcher.find(pair.source))
        cases.append(Case(pair, None, pair.target, None, terms))
        for kind, planted in _planted(pair, terms, rng):
            target, span = planted
            cases.append(Case(pair, kind, target, span, terms))
    return cases


def _planted(
    pair: Pair, terms: tuple[QaTerm, ...], rng: random.Random
) -> Iterator[tuple[str, tuple[str, tuple[int, int]]]]:
    target = pair.target
    plants = {
        "number": lambda: plant_number(target, rng),
        "date": lambda: plant_date(pair.source, target, rng),
        "term": lambda: plant_term(target, terms, rng),
        "word": lambda: plant_word(target, rng),
        "untranslated": lambda: (pair.source, (0, len(pair.source))),
        "omission": lambda: plant_omission(target, rng),
        "repetition": lambda: plant_repetition(target, rng),
    }
    for kind in KINDS:
        planted = plants[kind]()
        if planted is not None and planted[0] != target:
            yield kind, planted


def eligible(cases: Sequence[Case], kind: str) -> tuple[list[Case], list[Case]]:
    """The copies of ``kind`` and the untouched pairs they were made from."""
    positives = [case for case in cases if case.kind == kind]
    lines = {case.pair.line for case in positives}
    negatives = [case for case in cases if case.kind is None and case.pair.line in lines]
    return positives, negatives
