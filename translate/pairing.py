"""Which sentence of a new version of an article each reviewed sentence of the old version became.

Re-translating an article that reviewers already worked on must hand every reviewer's translation
back to *its own* sentence, in the PO catalog and the XLIFF file alike. Both merges call
:func:`pair_sentences`; neither matches entries by itself.

A sentence is known by its text, never by its place: segment ids (``<name>:<paragraph>:<sentence>``)
shift whenever a sentence is inserted or deleted before another, so an id alone says nothing about
identity. Old and new sentences are paired in three passes, each over what the previous left:

1. **exact**: the same source text. Same id → :attr:`MergeKind.KEPT`; another id (the sentence moved)
   → :attr:`MergeKind.MOVED`. Among several old sentences with the same text the one with the same
   id, then the first in document order, is taken. Sentences already obsolete in the old file (``#~``)
   are tried after the active ones: :attr:`MergeKind.REVIVED`.
2. **similar, in document order**: the sentences left are aligned as two sequences (dynamic
   programming, as an LCS): the alignment maximises the summed similarity of its pairs, every pair
   at least :data:`SIMILARITY_THRESHOLD` similar, no two pairs cross, and no pair crosses the
   unchanged sentences (the longest chain of exact pairs in the same order on both sides): an edited
   sentence is looked for only between the unchanged sentences around it. It thus meets its own
   predecessor even when a neighbour was deleted, inserted or edited too, and a sentence inserted
   in one paragraph never inherits one deleted from another.
3. **similar, out of order**: an edited sentence that also moved across unchanged ones (reordered
   paragraphs) is paired only when it is clearly the same sentence, at least
   :data:`CROSSING_THRESHOLD` similar; best first.

Pairs from passes 2 and 3 are :attr:`MergeKind.CHANGED`. A new sentence left unpaired is
:attr:`MergeKind.NEW`; an old active sentence left unpaired is deleted (it becomes obsolete and
never lends its translation). Pairing is one-to-one: one old sentence is the predecessor of at most
one new sentence.

**Similarity** of two sources is the mean of two ratios over their normalised forms (NFC, case
folded, whitespace runs collapsed): the character ratio and the token ratio (tokens: runs of letters
and digits, or single punctuation marks), each ``2·M / T`` with ``M`` the characters (tokens) of the
longest matching blocks and ``T`` the total of both lengths, as :class:`difflib.SequenceMatcher` and
gettext's ``fstrcmp`` compute it. Characters see a changed word ending or diacritic as a small
change; tokens keep two sentences that share only common syllables ("của", "và", "các") apart.
The threshold, 0.6, is msgmerge's own fuzzy threshold. Examples: "Trời mưa." / "Trời mưa to." 0.86;
"Đại diện UNDP phát biểu tại hội thảo." / "Đại diện UNICEF phát biểu tại hội thảo." 0.91;
"Câu thứ ba." / "Câu mới." 0.55 (not paired).

Cost: the multiset bound of the ratios (``2·|A ∩ B| / (|A| + |B|)``) of every remaining pair comes
from one matrix product; exact ratios are computed only where the bound reaches the threshold. An
article of 300 sentences, every one edited, pairs in seconds (``benchmarks/bench_pairing.py``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

SIMILARITY_THRESHOLD = 0.6
CROSSING_THRESHOLD = 0.8  # for a pair out of document order; see the module docstring

_TOKEN = re.compile(r"\w+|[^\w\s]")


class MergeKind(StrEnum):
    """How a new sentence relates to the old version."""

    KEPT = "kept"  # same text, same id
    MOVED = "moved"  # same text, another id (sentences were inserted or deleted before it)
    REVIVED = "revived"  # same text as a sentence already obsolete in the old file
    CHANGED = "changed"  # an edited version of an old sentence
    NEW = "new"  # no old sentence is like it


@dataclass(frozen=True)
class Sentence:
    """One side of the pairing: a segment id and its source text. ``obsolete`` marks an old
    sentence already deleted in an earlier run (only exact text can bring it back)."""

    key: str
    source: str
    obsolete: bool = False


@dataclass(frozen=True)
class Pair:
    """The predecessor of new sentence ``new``: old sentence ``old`` (None when NEW)."""

    new: int
    old: int | None
    kind: MergeKind
    similarity: float  # 1.0 for exact pairs, 0.0 for NEW


@dataclass(frozen=True)
class MergeSummary:
    """What a merge did, for the one line the command prints per catalog."""

    kept: int = 0
    moved: int = 0
    revived: int = 0
    changed: int = 0
    new: int = 0
    obsolete: int = 0  # old active sentences no new sentence took

    def text(self) -> str:
        """``"3 kept, 1 moved, 1 changed, 2 new, 1 obsolete"`` (revived only when there are any)."""
        parts = [f"{self.kept} kept", f"{self.moved} moved"]
        if self.revived:
            parts.append(f"{self.revived} revived")
        parts += [f"{self.changed} changed", f"{self.new} new", f"{self.obsolete} obsolete"]
        return ", ".join(parts)


@dataclass(frozen=True)
class Pairing:
    """One :class:`Pair` per new sentence, in order, and the old active sentences left over."""

    pairs: tuple[Pair, ...]
    deleted: tuple[int, ...]  # indices of old active sentences no new sentence took

    def summary(self) -> MergeSummary:
        """Counts per kind."""
        count = {kind: 0 for kind in MergeKind}
        for pair in self.pairs:
            count[pair.kind] += 1
        return MergeSummary(
            kept=count[MergeKind.KEPT],
            moved=count[MergeKind.MOVED],
            revived=count[MergeKind.REVIVED],
            changed=count[MergeKind.CHANGED],
            new=count[MergeKind.NEW],
            obsolete=len(self.deleted),
        )


def normalised(text: str) -> str:
    """The form sources are compared in: NFC, case folded, whitespace runs made one space, stripped."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def similarity(a: str, b: str) -> float:
    """Mean of the character and token ratios (``2·M / T``) of the normalised texts; see the module."""
    return _Text(normalised(a)).similarity(_Text(normalised(b)), 0.0)


class _Text:
    """One normalised source, prepared to be compared with many others (its matchers hold the
    index of the text, built once rather than once per pair)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _TOKEN.findall(text)
        self._matchers: tuple[difflib.SequenceMatcher[str], difflib.SequenceMatcher[str]] | None = None

    def similarity(self, other: _Text, threshold: float, bound: float = 1.0) -> float:
        """:func:`similarity` with ``other``, or 0.0 as soon as it cannot reach ``threshold``
        (``bound``: an upper bound of the character ratio already known)."""
        if self.text == other.text:
            return 1.0
        if self._matchers is None:  # built on first use: most texts are never compared in full
            chars = difflib.SequenceMatcher(None, autojunk=False)
            chars.set_seq2(self.text)
            words = difflib.SequenceMatcher(None, autojunk=False)
            words.set_seq2(self.tokens)
            self._matchers = (chars, words)
        chars, words = self._matchers
        words.set_seq1(other.tokens)
        word_ratio = words.ratio()
        if (min(bound, 1.0) + word_ratio) / 2 < threshold:
            return 0.0
        chars.set_seq1(other.text)
        return (chars.ratio() + word_ratio) / 2


def _bounds(new: Sequence[_Text], old: Sequence[_Text]) -> tuple[Any, Any]:
    """Upper bounds of the character and of the token ratio of every pair (two arrays, new × old).

    Matching blocks never hold more of an item than both texts have, so ``2·|A ∩ B| / (|A| + |B|)``
    of the two multisets bounds the ratio. Each multiset becomes a 0/1 row over (item, n-th
    occurrence) columns; one matrix product then counts the shared items of every pair at once
    (scoring every pair one by one is what made an article with every sentence edited slow).
    """
    import numpy as np  # here, not at the top: only a merge with edited sentences needs it

    def dice(new_items: list[list[str]], old_items: list[list[str]]) -> Any:
        columns: dict[tuple[str, int], int] = {}
        rows: list[list[int]] = []
        for items in (*new_items, *old_items):
            seen: dict[str, int] = {}
            row = []
            for item in items:
                count = seen.get(item, 0)
                seen[item] = count + 1
                row.append(columns.setdefault((item, count), len(columns)))
            rows.append(row)
        matrix = np.zeros((len(rows), max(len(columns), 1)), dtype=np.float32)
        for index, row in enumerate(rows):
            matrix[index, row] = 1.0
        left, right = matrix[: len(new_items)], matrix[len(new_items) :]
        shared = left @ right.T
        sizes = matrix.sum(axis=1)
        total = sizes[: len(new_items), None] + sizes[None, len(new_items) :]
        return np.where(total > 0, 2 * shared / np.maximum(total, 1), 1.0)

    chars = dice([list(t.text) for t in new], [list(t.text) for t in old])
    words = dice([t.tokens for t in new], [t.tokens for t in old])
    return chars, words


def _candidates(
    chars_bound: Any,
    words_bound: Any,
    rest_new: list[int],
    rest_old: list[int],
    window: list[tuple[int, int]],
    threshold: float,
) -> list[tuple[int, int]]:
    """The (row, column) pairs whose bound reaches the threshold that applies to them: in order,
    ``threshold``; out of order, the crossing threshold."""
    import numpy as np

    old_index = np.array(rest_old)[None, :]
    low = np.array([window[i][0] for i in rest_new])[:, None]
    high = np.array([window[i][1] for i in rest_new])[:, None]
    in_order = (old_index > low) & (old_index < high)
    need = np.where(in_order, threshold, max(threshold, CROSSING_THRESHOLD))
    rows, columns = np.nonzero((chars_bound + words_bound) / 2 >= need - 1e-9)
    return list(zip(rows.tolist(), columns.tolist(), strict=True))


def pair_sentences(
    new: Sequence[Sentence], old: Sequence[Sentence], *, threshold: float = SIMILARITY_THRESHOLD
) -> Pairing:
    """Pair each new sentence with its predecessor among ``old`` (see the module docstring)."""
    found: dict[int, Pair] = {}
    taken: set[int] = set()
    _pair_exact(new, old, found, taken)
    rest_new = [i for i in range(len(new)) if i not in found]
    rest_old = [j for j, sentence in enumerate(old) if j not in taken and not sentence.obsolete]
    # In order: a pair must fall between the same two unchanged sentences on both sides; out of
    # order it must be clearly the same sentence.
    window = _windows(found, len(new), len(old))
    crossing = max(threshold, CROSSING_THRESHOLD)
    scores: dict[tuple[int, int], float] = {}
    if rest_new and rest_old:
        new_texts = [_Text(normalised(new[i].source)) for i in rest_new]
        old_texts = [_Text(normalised(old[j].source)) for j in rest_old]
        chars_bound, words_bound = _bounds(new_texts, old_texts)
        for a, b in _candidates(chars_bound, words_bound, rest_new, rest_old, window, threshold):
            i, j = rest_new[a], rest_old[b]
            need = threshold if window[i][0] < j < window[i][1] else crossing
            score = old_texts[b].similarity(new_texts[a], need, float(chars_bound[a, b]))
            if score >= need:
                scores[i, j] = score
    in_order = {(i, j): score for (i, j), score in scores.items() if window[i][0] < j < window[i][1]}
    for i, j in _align(rest_new, rest_old, in_order):
        found[i] = Pair(i, j, MergeKind.CHANGED, scores[i, j])
        taken.add(j)
    # Out of order (an edited sentence that also moved across unchanged ones): most similar first,
    # ties in document order.
    for (i, j), score in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
        if score >= crossing and i not in found and j not in taken:
            found[i] = Pair(i, j, MergeKind.CHANGED, score)
            taken.add(j)
    pairs = tuple(found.get(i, Pair(i, None, MergeKind.NEW, 0.0)) for i in range(len(new)))
    deleted = tuple(j for j, sentence in enumerate(old) if j not in taken and not sentence.obsolete)
    return Pairing(pairs, deleted)


def _windows(found: dict[int, Pair], n_new: int, n_old: int) -> list[tuple[int, int]]:
    """For each new sentence, the open range of old indices between the unchanged sentences around it.

    The unchanged sentences are the longest chain of exact pairs in the same order on both sides
    (reordered paragraphs break the chain; the longest chain is the article's backbone).
    """
    exact = sorted(
        (p.new, p.old) for p in found.values() if p.old is not None and p.kind is not MergeKind.REVIVED
    )
    # Longest increasing subsequence of old indices (quadratic: a few hundred sentences at most).
    length = [1] * len(exact)
    before = [-1] * len(exact)
    for b in range(len(exact)):
        for a in range(b):
            if exact[a][1] < exact[b][1] and length[a] + 1 > length[b]:
                length[b], before[b] = length[a] + 1, a
    chain: list[tuple[int, int]] = []
    k = max(range(len(exact)), key=lambda index: (length[index], -index), default=-1)
    while k != -1:
        chain.append(exact[k])
        k = before[k]
    chain.reverse()
    windows: list[tuple[int, int]] = []
    anchors = [(-1, -1), *chain, (n_new, n_old)]
    position = 0
    for i in range(n_new):
        while anchors[position + 1][0] < i:
            position += 1
        windows.append((anchors[position][1], anchors[position + 1][1]))
    return windows


def _pair_exact(
    new: Sequence[Sentence], old: Sequence[Sentence], found: dict[int, Pair], taken: set[int]
) -> None:
    by_text: dict[str, list[int]] = {}
    for j, sentence in enumerate(old):
        by_text.setdefault(sentence.source, []).append(j)
    # Same text and id first, so that a repeated sentence keeps its own entry.
    for i, sentence in enumerate(new):
        for j in by_text.get(sentence.source, ()):
            if old[j].key == sentence.key and not old[j].obsolete and j not in taken:
                found[i] = Pair(i, j, MergeKind.KEPT, 1.0)
                taken.add(j)
                break
    for obsolete, kind in ((False, MergeKind.MOVED), (True, MergeKind.REVIVED)):
        for i, sentence in enumerate(new):
            if i in found:
                continue
            candidates = [j for j in by_text.get(sentence.source, ()) if old[j].obsolete == obsolete]
            candidates = [j for j in candidates if j not in taken]
            if candidates:
                same = [j for j in candidates if old[j].key == sentence.key]
                j = same[0] if same else candidates[0]
                found[i] = Pair(i, j, kind, 1.0)
                taken.add(j)


def _align(
    rows: list[int], columns: list[int], scores: dict[tuple[int, int], float]
) -> list[tuple[int, int]]:
    """The non-crossing set of scored pairs with the greatest total score (an LCS-style table).

    ``best[a][b]`` is the best total over ``rows[a:]`` and ``columns[b:]``; ties prefer skipping a
    new sentence over skipping an old one, which keeps the result deterministic.
    """
    if not scores:
        return []
    n, m = len(rows), len(columns)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            value = max(best[a + 1][b], best[a][b + 1])
            score = scores.get((rows[a], columns[b]))
            if score is not None:
                value = max(value, score + best[a + 1][b + 1])
            best[a][b] = value
    pairs: list[tuple[int, int]] = []
    a = b = 0
    while a < n and b < m:
        score = scores.get((rows[a], columns[b]))
        if score is not None and best[a][b] == score + best[a + 1][b + 1]:
            pairs.append((rows[a], columns[b]))
            a, b = a + 1, b + 1
        elif best[a][b] == best[a + 1][b]:
            a += 1
        else:
            b += 1
    return pairs
