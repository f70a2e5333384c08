"""A lexical word aligner for one sentence and its translation: where did each Vietnamese word go?

It links what survives translation, most certain first:

1. **glossary terms** — each term found in the source sentence and one of its English renderings
   found in the translation (the constrained search guarantees it is there), as whole phrases;
2. **the same token** — numbers in each language's notation ("1.250" is "1,250", "3,5" is
   "3.5"), acronyms, capitalised words with their diacritics folded away ("Nguyễn" is "Nguyen"; two
   of them run together, "Hà Nội", is "Hanoi"), any other token written identically with a digit
   or a capital in it ("COVID-19"), and brackets, quotes, ``%`` and a sentence's final
   punctuation;
3. everything else is **interpolated**: between consecutive links of the monotone backbone (the
   longest chain of links in the same order on both sides), a source position maps to the target
   position at the same fraction of the way.

Why lexical and not the model's cross-attention: the English a desk publishes is the reviewed one,
and placing markup in a reviewer's translation (``songngu build``) must work without the model; the
glossary's terms, which the search guarantees, are the best anchors there are; and attention is
known to align poorly on Marian-size models without a trained alignment head. The README gives
the measured quality.

Everything is in word indices; :class:`Alignment` converts to character offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from songngu.translate.align.anchors import ascii_fold, number_key
from songngu.translate.phrase import phrase_spans

# Numbers whole ("1.250"), words with inner apostrophes ("don't") but not a possessive's ("Chinh's"
# is "Chinh", "'", "s"), and each other mark alone.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?![\w])|\w+(?:['’](?![sS]\b)\w+)*|[^\w\s]")
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_OPENING = {"(": "(", "[": "[", "“": '"', "«": '"', "‘": "'", '"': '"'}
_CLOSING = {")": ")", "]": "]", "”": '"', "»": '"', "’": "'"}
_FINAL = {".", "?", "!", "…", ":"}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sep", "Sept"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ],
        start=1,
    )
    for name in names
}


@dataclass(frozen=True)
class Word:
    """A token of a sentence: its offsets and text."""

    start: int
    end: int
    text: str


def tokens(text: str) -> list[Word]:
    """The words and punctuation marks of ``text``, with their offsets."""
    return [Word(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


@dataclass(frozen=True)
class TermSpan:
    """A glossary term in the source sentence (character offsets) and the renderings any of which
    the translation may use."""

    start: int
    end: int
    renderings: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """Source words ``source`` (indices, ascending) became target words ``target``."""

    source: tuple[int, ...]
    target: tuple[int, ...]
    kind: str  # "term", "same" or "month"


class Alignment:
    """The links between a sentence's words and its translation's, and the interpolation between
    them (see the module docstring)."""

    def __init__(self, source: str, target: str, links: Sequence[Link]) -> None:
        self.source_text, self.target_text = source, target
        self.source = tokens(source)
        self.target = tokens(target)
        self.links = sorted(links, key=lambda link: link.source)
        self.by_source: dict[int, list[int]] = {}
        self.by_target: dict[int, tuple[int, ...]] = {}
        for link in self.links:
            for i in link.source:
                self.by_source.setdefault(i, []).extend(link.target)
            for j in link.target:
                self.by_target[j] = link.source
        self._backbone = _backbone(self.links, len(self.source), len(self.target))

    def interpolate(self, boundary: int) -> int:
        """The target word boundary at the same fraction of the way between backbone links as
        source word boundary ``boundary`` (0 is before the first word, ``len(source)`` after the
        last)."""
        xs = [x for x, _ in self._backbone]
        k = bisect_right(xs, boundary) - 1
        x0, y0 = self._backbone[max(k, 0)]
        if k + 1 >= len(self._backbone) or x0 == boundary:
            return y0
        x1, y1 = self._backbone[k + 1]
        return y0 + round((boundary - x0) * (y1 - y0) / (x1 - x0))

    def source_words(self, start: int, end: int) -> tuple[int, int]:
        """The source words ``(first, stop)`` overlapping characters ``start:end``."""
        inside = [i for i, w in enumerate(self.source) if w.start < end and w.end > start]
        if not inside:
            boundary = self.source_boundary(start)
            return boundary, boundary
        return inside[0], inside[-1] + 1

    def source_boundary(self, offset: int) -> int:
        """The number of source words that end at or before character ``offset``."""
        return sum(1 for w in self.source if w.end <= offset)

    def target_offset(self, boundary: int, *, end: bool = False) -> int:
        """The character offset of target word boundary ``boundary``: where word ``boundary``
        starts, or with ``end`` where word ``boundary - 1`` ends."""
        if end:
            return self.target[boundary - 1].end if boundary > 0 else 0
        return self.target[boundary].start if boundary < len(self.target) else len(self.target_text)

    def is_content(self, index: int) -> bool:
        """Whether source word ``index`` is a word (punctuation needs no link of its own)."""
        return self.source[index].text[0].isalnum() or self.source[index].text[0] == "_"


def align(source: str, target: str, terms: Sequence[TermSpan] = ()) -> Alignment:
    """Align ``source`` (Vietnamese) with ``target`` (its English translation)."""
    src, tgt = tokens(source), tokens(target)
    taken_source: set[int] = set()
    taken_target: set[int] = set()
    links: list[Link] = []
    # Longest terms first: "Ban Thư ký ASEAN" takes "ASEAN Secretariat" before "ASEAN" takes its ASEAN.
    for term in sorted(terms, key=lambda t: (t.start - t.end, t.start)):
        words = [i for i, w in enumerate(src) if w.start < term.end and w.end > term.start]
        if not words or taken_source.intersection(words):
            continue
        best = _closest_rendering(term, source, target, tgt, taken_target)
        if best is None:
            continue
        links.extend(_inside_term(src, tgt, words, list(range(*best))))
        taken_source.update(words)
        taken_target.update(range(*best))
    links.extend(_same_tokens(src, tgt, taken_source, taken_target))
    return Alignment(source, target, links)


def _inside_term(
    src: Sequence[Word], tgt: Sequence[Word], words: list[int], rendering: list[int]
) -> list[Link]:
    """A term's links: what is the same inside it ("(", "UPR", ")", "ASEAN") on its own, and the rest
    of its words with the rest of its rendering ("Cơ chế Rà soát định kỳ phổ quát" with "Universal
    Periodic Review"), so an element around part of a term finds its part."""
    outside_source = set(range(len(src))) - set(words)
    outside_target = set(range(len(tgt))) - set(rendering)
    inner = _same_tokens(src, tgt, outside_source, outside_target)
    linked_source = {i for link in inner for i in link.source}
    linked_target = {j for link in inner for j in link.target}
    rest_source = tuple(i for i in words if i not in linked_source)
    rest_target = tuple(j for j in rendering if j not in linked_target)
    links = inner
    if rest_source and rest_target:
        links.append(Link(rest_source, rest_target, "term"))
    elif rest_source or not inner:  # nothing of the rendering left: the words stand for all of it
        links.append(Link(tuple(words), tuple(rendering), "term"))
    return links


def _closest_rendering(
    term: TermSpan, source: str, target: str, tgt: Sequence[Word], taken: set[int]
) -> tuple[int, int] | None:
    """The free target words of a rendering of ``term`` nearest its relative place."""
    place = term.start / max(len(source), 1)
    candidates: list[tuple[float, tuple[int, int]]] = []
    for rendering in term.renderings:
        for start, end in phrase_spans(target, rendering):
            words = [j for j, w in enumerate(tgt) if w.start < end and w.end > start]
            if words and not taken.intersection(words):
                candidates.append((abs(start / max(len(target), 1) - place), (words[0], words[-1] + 1)))
    return min(candidates)[1] if candidates else None


def _same_tokens(
    src: Sequence[Word], tgt: Sequence[Word], taken_source: set[int], taken_target: set[int]
) -> list[Link]:
    """Links between tokens that translation leaves as they are (see the module docstring)."""
    keys_source = _keys(src, "vi")
    keys_target = _keys(tgt, "en")
    # "Hà Nội" is "Hanoi": two capitalised source words run together.
    joined_target: dict[str, list[int]] = {}
    for j, word in enumerate(tgt):
        if word.text[:1].isupper():
            joined_target.setdefault(ascii_fold(word.text), []).append(j)
    links: list[Link] = []
    used_target = set(taken_target)
    # "tháng 8" is "August" (the year after it, "/2020", is a number of its own).
    months = {j: _MONTHS[w.text] for j, w in enumerate(tgt) if w.text in _MONTHS and j not in used_target}
    for i in range(len(src) - 1):
        month = src[i + 1].text
        if (
            src[i].text.lower() == "tháng"
            and month.isdigit()
            and 1 <= int(month) <= 12
            and i not in taken_source
        ):
            free = [j for j, number in months.items() if number == int(month) and j not in used_target]
            match = _nearest(i, len(src), free, len(tgt))
            if match is not None:
                links.append(Link((i, i + 1), (match,), "month"))
                used_target.add(match)
                taken_source.update((i, i + 1))
    for i, key in enumerate(keys_source):
        if i in taken_source or key is None:
            continue
        free = [j for j, k in enumerate(keys_target) if k == key and j not in used_target]
        match = _nearest(i, len(src), free, len(tgt))
        if match is not None:
            links.append(Link((i,), (match,), "same"))
            used_target.add(match)
            taken_source.add(i)
    for i in range(len(src) - 1):
        if i in taken_source or i + 1 in taken_source:
            continue
        first, second = src[i].text, src[i + 1].text
        if first[:1].isupper() and second[:1].isupper() and src[i].end + 1 == src[i + 1].start:
            free = [j for j in joined_target.get(ascii_fold(first + second), []) if j not in used_target]
            match = _nearest(i, len(src), free, len(tgt))
            if match is not None:
                links.append(Link((i, i + 1), (match,), "same"))
                used_target.add(match)
                taken_source.update((i, i + 1))
    return links


def _keys(words: Sequence[Word], language: str) -> list[str | None]:
    """Each token's identity key, or None for a token that translation changes."""
    keys: list[str | None] = []
    last = len(words) - 1
    for index, word in enumerate(words):
        text = word.text
        if _NUMBER.fullmatch(text):
            keys.append("n:" + number_key(text, language))
        elif text in _OPENING:
            keys.append("o:" + _OPENING[text])
        elif text in _CLOSING:
            keys.append("c:" + _CLOSING[text])
        elif text == "%":
            keys.append("%")
        elif text in _FINAL and index == last:
            keys.append("end:" + text)
        elif text[:1].isupper() or _DIGIT.search(text):
            keys.append("w:" + ascii_fold(text))
        else:
            keys.append(None)
    return keys


def _nearest(i: int, n: int, candidates: Sequence[int], m: int) -> int | None:
    """The candidate target index at the relative place nearest source index ``i``."""
    if not candidates:
        return None
    place = (i + 0.5) / max(n, 1)
    return min(candidates, key=lambda j: (abs((j + 0.5) / max(m, 1) - place), j))


def _backbone(links: Sequence[Link], n: int, m: int) -> list[tuple[int, int]]:
    """Word-boundary points ``(source, target)`` of the longest chain of links in the same order on
    both sides, with the sentence's two ends."""
    # Each link as spans: its first source word to after its last, the same in the target.
    ordered = sorted(
        (link.source[0], link.source[-1] + 1, link.target[0], link.target[-1] + 1) for link in links
    )
    # Longest chain increasing in both source and target (O(k²): a sentence has few links).
    best: list[int] = [1] * len(ordered)
    previous: list[int] = [-1] * len(ordered)
    for b in range(len(ordered)):
        for a in range(b):
            first, second = ordered[a], ordered[b]
            before = first[1] <= second[0] and first[3] <= second[2]
            if before and best[a] + 1 > best[b]:
                best[b], previous[b] = best[a] + 1, a
    chain: list[tuple[int, int, int, int]] = []
    if ordered:
        k = max(range(len(ordered)), key=lambda index: (best[index], -index))
        while k >= 0:
            chain.append(ordered[k])
            k = previous[k]
    points = [(0, 0)]
    for source_start, source_end, target_start, target_end in reversed(chain):
        points.extend([(source_start, target_start), (source_end, target_end)])
    points.append((n, m))
    # Keep the points strictly increasing in source, never decreasing in target.
    kept: list[tuple[int, int]] = []
    for x, y in points:
        if kept and x == kept[-1][0]:
            kept[-1] = (x, max(kept[-1][1], min(y, m)))
        elif not kept or x > kept[-1][0]:
            kept.append((x, min(max(y, kept[-1][1] if kept else 0), m)))
    return kept
