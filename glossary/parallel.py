"""Proposing bilingual glossary rows from aligned sentence pairs (``glossary extract --parallel``).

Input: aligned pairs ``(segment id, Vietnamese, English)``, as ``songngu align`` or a reviewed
memory gives them. A document is the pairs whose segment ids share the part before the first
``:`` (``<name>:<paragraph>:<sentence>``). Three kinds of evidence, each proposal noting which:

1. **definitions on both sides** — a Vietnamese "Full name (ACR)" (found as
   :mod:`glossary.extract` finds it) and an English "Full Name (ACR)" in the same pair, same
   acronym. The English full name is found the way Schwartz & Hearst (2003) find an abbreviation's
   long form: walking back from the parenthesis over capitalised words and the function words names
   hold ("of", "on", "for", "the", ...), then keeping the shortest run of them whose letters spell
   the acronym in order, its first letter starting a word;
2. **an acronym explained elsewhere** — a Vietnamese acronym whose English counterpart is its
   expansion elsewhere in the document pair: the English side defines "Full Name (ACR)" somewhere,
   or the pair's English side holds a capitalised run spelling the acronym. The Vietnamese full
   name is the one the Vietnamese side defines anywhere in the document, else the acronym itself;
3. **co-occurrence** — a recurring multi-word Vietnamese term (2 to 6 syllables, no punctuation
   inside, no function word at either end, in at least ``min_count`` pairs) and the English n-gram
   (1 to 5 words) that co-occurs with it in the most pairs, kept when their Dice coefficient
   ``2·c(vi, en) / (c(vi) + c(en))`` over pairs is at least ``min_dice`` (default 0.8, with
   ``min_count`` 3): the two appear together almost every time either appears. Each English n-gram
   keeps only its best Vietnamese partner (highest Dice, then the longest term).

Each proposal is a glossary row (``vi``, ``en``, ``acronym``, ``note``): the note gives the evidence,
how many pairs support it and one segment id as an example. Terms a known glossary already has
(any Vietnamese form or the acronym, compared folded) are left out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from songngu.glossary.extract import find_definitions, known_term_forms
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.glossary.normalize import fold

Pair = tuple[str, str, str]  # (segment id, Vietnamese, English)

MIN_COUNT = 3
MIN_DICE = 0.8
MAX_VI_WORDS = 6
MAX_EN_WORDS = 5

_PARENTHESIS = re.compile(r"\(\s*([A-Z][A-Za-z0-9&\-]{1,14})\s*\)")
_EN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’&\-]*")
_ACRONYM_WORD = re.compile(r"(?<![\w-])[A-ZĐ][A-ZĐ0-9&]{1,9}(?![\w-])")
_NAME_FUNCTION_WORDS = frozenset(
    {"of", "on", "for", "and", "the", "in", "to", "against", "at", "de", "du", "la", "des", "&"}
)
_EN_STOP = frozenset(
    {"the", "a", "an", "of", "on", "for", "and", "or", "in", "to", "at", "by", "with", "from", "as"}
    | {"is", "are", "was", "were", "be", "been", "has", "have", "had", "that", "this", "its", "it"}
    | {"will", "would", "said", "says", "also", "which", "who", "their", "his", "her", "not"}
)
# Vietnamese function words: a term neither starts nor ends with one.
_VI_STOP = frozenset(
    fold(word)
    for word in (
        "của",
        "và",
        "các",
        "những",
        "được",
        "là",
        "có",
        "cho",
        "trong",
        "với",
        "để",
        "đã",
        "sẽ",
        "này",
        "đó",
        "một",
        "về",
        "từ",
        "tại",
        "theo",
        "như",
        "khi",
        "thì",
        "mà",
        "ra",
        "vào",
        "lên",
        "cũng",
        "đang",
        "rất",
        "nhiều",
        "nhằm",
        "giữa",
        "đến",
        "sau",
        "trước",
        "nhưng",
        "hay",
        "hoặc",
        "bởi",
        "do",
        "vì",
        "nên",
        "không",
        "ông",
        "bà",
        "anh",
        "chị",
        "năm",
        "ngày",
        "tháng",
        "lần",
        "thứ",
    )
)
_VI_CLAUSE = re.compile(r"[^\w\s\-]")  # punctuation splits a Vietnamese sentence into runs


@dataclass
class _Proposal:
    vi: str
    en: str
    acronym: str
    evidence: str
    pairs: set[str] = field(default_factory=set)  # segment ids supporting it
    example: str = ""

    def entry(self) -> GlossaryEntry:
        count = len(self.pairs)
        times = "1 aligned pair" if count == 1 else f"{count} aligned pairs"
        return GlossaryEntry(
            vi=self.vi,
            en=self.en,
            acronym=self.acronym,
            note=f"{self.evidence}; seen in {times}; e.g. {self.example}",
        )


def english_definitions(text: str) -> list[tuple[str, str]]:
    """Every English "Full Name (ACR)" in ``text``: ``(full name, acronym)``."""
    found = []
    for match in _PARENTHESIS.finditer(text):
        acronym = match.group(1)
        if sum(char.isupper() for char in acronym) < 2:
            continue
        name = _long_form(_name_window(text, match.start()), acronym)
        if name:
            found.append((name, acronym))
    return found


def expansion_in(text: str, acronym: str) -> str | None:
    """A run of capitalised words of ``text`` that spells ``acronym`` (e.g. "World Health
    Organization" for WHO), or None."""
    letters = [char for char in acronym if char.isalpha()]
    if len(letters) < 2:
        return None
    runs: list[list[str]] = [[]]
    for word in _EN_WORD.findall(text):
        if word != acronym and (word[:1].isupper() or word.lower() in _NAME_FUNCTION_WORDS):
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    for run in runs:
        words = _trim_window(run)
        for end in range(len(words), 0, -1):
            name = _long_form(words[:end], acronym)
            content = name.split() if name else []
            if name and sum(word.lower() not in _NAME_FUNCTION_WORDS for word in content) >= 2:
                return name
    return None


def propose(
    pairs: Iterable[Pair],
    known: Glossary | None = None,
    *,
    min_count: int = MIN_COUNT,
    min_dice: float = MIN_DICE,
) -> list[GlossaryEntry]:
    """Glossary rows proposed from aligned pairs (see the module docstring), known terms left out.

    Definitions come first (most supported first), then explained acronyms, then co-occurrences.
    """
    pairs = [(segment_id, vi, en) for segment_id, vi, en in pairs if vi.strip() and en.strip()]
    known_forms = known_term_forms(known) if known is not None else set()
    proposals: dict[tuple[str, str], _Proposal] = {}
    order: list[tuple[str, str]] = []

    def add(vi: str, en: str, acronym: str, evidence: str, segment_id: str) -> None:
        if fold(vi) in known_forms or (acronym and fold(acronym) in known_forms):
            return
        key = (fold(vi), en)
        if key not in proposals:
            proposals[key] = _Proposal(vi, en, acronym, evidence, example=segment_id)
            order.append(key)
        proposals[key].pairs.add(segment_id)

    # 1. definitions on both sides of one pair
    defined_vi: dict[tuple[str, str], str] = {}  # (document, acronym) -> Vietnamese full name
    defined_en: dict[tuple[str, str], tuple[str, str]] = {}  # (document, acronym) -> (English name, id)
    for segment_id, vi, en in pairs:
        document = _document(segment_id)
        vi_names = {d.acronym: d.name for d in find_definitions(vi)}
        en_names = dict((acronym, name) for name, acronym in english_definitions(en))
        for acronym, name in vi_names.items():
            defined_vi.setdefault((document, acronym), " ".join(name.split()))
        for acronym, name in en_names.items():
            defined_en.setdefault((document, acronym), (name, segment_id))
        for acronym in vi_names.keys() & en_names.keys():
            add(
                " ".join(vi_names[acronym].split()),
                en_names[acronym],
                acronym,
                "defined on both sides",
                segment_id,
            )

    # 2. a Vietnamese acronym explained by the English side elsewhere in the document pair
    defined_both = {(fold(p.acronym), p.en) for p in proposals.values()}
    for segment_id, vi, en in pairs:
        document = _document(segment_id)
        for acronym in dict.fromkeys(_ACRONYM_WORD.findall(vi)):
            english = defined_en.get((document, acronym))
            expansion = english[0] if english else expansion_in(en, acronym)
            if not expansion or (fold(acronym), expansion) in defined_both:
                continue
            vi_name = defined_vi.get((document, acronym), acronym)
            evidence = "Vietnamese acronym, English expansion " + (
                f"defined at {english[1]}" if english else "in the same pair"
            )
            add(vi_name, expansion, acronym, evidence, segment_id)

    # 3. recurring Vietnamese terms and the English n-grams they co-occur with
    taken = {fold(p.vi) for p in proposals.values()} | {
        fold(p.acronym) for p in proposals.values() if p.acronym
    }
    for vi_term, en_term, support, dice, example in _cooccurrences(pairs, min_count, min_dice):
        if fold(vi_term) in taken:
            continue
        add(vi_term, en_term, "", f"co-occurrence, Dice {dice:.2f}", example)
        if (fold(vi_term), en_term) in proposals:  # not left out as known
            proposals[(fold(vi_term), en_term)].pairs.update(support)

    ranked = sorted(order, key=lambda key: _rank(proposals[key]))
    return [proposals[key].entry() for key in ranked]


_EVIDENCE_ORDER = ("defined", "Vietnamese", "co-occurrence")


def _rank(proposal: _Proposal) -> tuple[int, int]:
    kind = next(i for i, prefix in enumerate(_EVIDENCE_ORDER) if proposal.evidence.startswith(prefix))
    return kind, -len(proposal.pairs)


def _document(segment_id: str) -> str:
    return segment_id.split(":", 1)[0]


def _name_window(text: str, paren: int) -> list[str]:
    """The words before a parenthesis that could belong to a name: capitalised words and the
    function words names hold, back to a clause boundary or a lowercase word."""
    before = text[max(0, paren - 400) : paren]
    words: list[str] = []
    right = len(before)  # where the word to the right of the current one starts
    for match in reversed(list(_EN_WORD.finditer(before))):
        word = match.group()
        if re.search(r"[.,;:!?\"“”()]", before[match.end() : right]):
            break
        if not (word[:1].isupper() or word[:1].isdigit() or word.lower() in _NAME_FUNCTION_WORDS):
            break
        words.append(word)
        right = match.start()
    words.reverse()
    return _trim_window(words)


def _trim_window(words: Sequence[str]) -> list[str]:
    words = list(words)
    while words and words[0].lower() in _NAME_FUNCTION_WORDS:
        words.pop(0)
    return words


def _long_form(words: Sequence[str], acronym: str) -> str | None:
    """The shortest tail of ``words`` that spells ``acronym``, its first letter starting the tail's
    first word (Schwartz & Hearst's rule), or None. Spelling is tried strictly first (every content
    word gives its first letter, then maybe more of its own: "Association of Southeast Asian
    Nations" for ASEAN), then loosely (the letters are initials of some of the words: "ASEAN
    Committee on the Implementation of ... Migrant Workers" for ACMW)."""
    letters = [char.lower() for char in acronym if char.isalnum()]
    for strict in (True, False):
        for start in range(len(words) - 1, -1, -1):
            tail = list(words[start:])
            if tail[0].lower() in _NAME_FUNCTION_WORDS or tail[0][0].lower() != letters[0]:
                continue
            if _spells(tail, letters, strict):
                return " ".join(tail)
    return None


def _spells(words: Sequence[str], letters: Sequence[str], strict: bool) -> bool:
    """Whether ``letters`` can be read in order from ``words`` (see :func:`_long_form`)."""

    def solve(w: int, k: int) -> bool:
        if w == len(words):
            return k == len(letters)
        word = words[w].lower()
        optional = word in _NAME_FUNCTION_WORDS or (not strict and w > 0)
        if optional and solve(w + 1, k):
            return True
        if k == len(letters) or word[0] != letters[k]:
            return False
        if not strict:
            return solve(w + 1, k + 1)
        # the word's first letter, then perhaps some of its later letters, in order
        position, taken = 1, k + 1
        options = [taken]
        while taken < len(letters):
            found = word.find(letters[taken], position)
            if found < 0:
                break
            position, taken = found + 1, taken + 1
            options.append(taken)
        return any(solve(w + 1, option) for option in reversed(options))

    return solve(0, 0)


def _vi_runs(text: str) -> list[list[str]]:
    """The Vietnamese sentence as runs of words between punctuation marks."""
    return [part.split() for part in _VI_CLAUSE.split(text) if part.split()]


def _vi_ngrams(text: str) -> dict[str, str]:
    """Multi-word Vietnamese n-grams of ``text``, folded key → text as written (first seen)."""
    grams: dict[str, str] = {}
    for run in _vi_runs(text):
        folded = [fold(word) for word in run]
        for size in range(2, MAX_VI_WORDS + 1):
            for start in range(len(run) - size + 1):
                if folded[start] in _VI_STOP or folded[start + size - 1] in _VI_STOP:
                    continue
                if any(w.isdigit() for w in folded[start : start + size]):
                    continue
                grams.setdefault(" ".join(folded[start : start + size]), " ".join(run[start : start + size]))
    return grams


def _en_ngrams(text: str) -> set[str]:
    grams: set[str] = set()
    for part in re.split(r"[^\w\s'’\-]", text):
        words = [re.sub(r"['’]s$", "", word) for word in part.split()]  # "Viet Nam's" holds "Viet Nam"
        for size in range(1, MAX_EN_WORDS + 1):
            for start in range(len(words) - size + 1):
                gram = words[start : start + size]
                if gram[0].lower() in _EN_STOP or gram[-1].lower() in _EN_STOP:
                    continue
                if any(w.isdigit() for w in gram) or (size == 1 and len(gram[0]) < 3):
                    continue
                grams.add(" ".join(gram))
    return grams


def _cooccurrences(
    pairs: Sequence[Pair], min_count: int, min_dice: float
) -> list[tuple[str, str, set[str], float, str]]:
    """``(vi, en, supporting ids, dice, example id)`` for each recurring Vietnamese term kept."""
    vi_sets = [_vi_ngrams(vi) for _, vi, _ in pairs]
    en_sets = [_en_ngrams(en) for _, _, en in pairs]
    vi_count = Counter(key for grams in vi_sets for key in grams)
    en_count = Counter(gram for grams in en_sets for gram in grams)
    together: dict[str, Counter[str]] = defaultdict(Counter)
    support: dict[str, list[int]] = defaultdict(list)
    written: dict[str, str] = {}
    for index, (vi_grams, en_grams) in enumerate(zip(vi_sets, en_sets, strict=True)):
        frequent_en = [gram for gram in en_grams if en_count[gram] >= min_count]
        for key, text in vi_grams.items():
            if vi_count[key] < min_count:
                continue
            written.setdefault(key, text)
            support[key].append(index)
            together[key].update(frequent_en)
    chosen: dict[str, tuple[str, float]] = {}
    for key, counts in together.items():
        best: tuple[float, int, str] | None = None
        for gram, both in counts.items():
            dice = 2 * both / (vi_count[key] + en_count[gram])
            if both >= min_count and dice >= min_dice:
                candidate = (dice, len(gram.split()), gram)
                if best is None or candidate > best:
                    best = candidate
        if best is not None:
            chosen[key] = (best[2], best[0])
    # each English n-gram keeps only its best Vietnamese partner (highest Dice, then the longest):
    # "Chính phủ" and "Uỷ ban liên Chính phủ ASEAN" both co-occur with the same English name
    partner: dict[str, tuple[float, int, str]] = {}
    for key, (gram, dice) in chosen.items():
        rank = (dice, len(key.split()), key)
        if gram not in partner or rank > partner[gram]:
            partner[gram] = rank
    kept = [key for key, (gram, _) in chosen.items() if partner[gram][2] == key]
    results = []
    for key in sorted(kept, key=lambda k: (-vi_count[k], k)):
        en, dice = chosen[key]
        ids = {pairs[i][0] for i in support[key] if en in en_sets[i]}
        results.append((written[key], en, ids, dice, pairs[support[key][0]][0]))
    return results
