"""Putting a block's inline elements back into its translation.

The model translates sentences as plain text; this module finds, for each inline code of a block,
its place in the English, from the word alignment of each sentence with its translation
(:mod:`translate.documents.wordalign`):

- a **wrap** goes around the target words its source words are linked to; where some of its words
  have no link, around the interpolated span as well;
- a **point** goes between the target words its neighbours are linked to, else at the
  interpolated place; at a sentence's start or end it stays there;
- a code that **spans sentences** starts in its first sentence's translation and ends in its last's,
  so it is still one element;
- a **protected** code (inline code, ``translate="no"``) replaces the words it was linked to with
  itself as it was; where they cannot be found it is put at the best place and no English word is
  lost.

A place is *exact* when every word of the code has a link and the span holds no word linked from
outside it (for a point: a linked neighbour); otherwise it is the best span and the code is
flagged for the reviewer. No code is ever dropped.

The result is always a well-formed tree with the source's nesting: a code stays inside its parent
(clipped to it), siblings never overlap (the later of two overlapping ones, exact ones first, takes
the best free span), and a point never lands inside a sibling. Siblings may change order, as the
translation's word order says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from songngu.translate.documents.model import Block, BlockTranslation, CodeKind, InlineCode, PlacedCode
from songngu.translate.documents.wordalign import Alignment, TermSpan, align

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class SentenceTranslation:
    """One sentence of a block: its offsets in the block's text, its translation, and its glossary
    terms (offsets into the sentence)."""

    start: int
    end: int
    target: str
    terms: tuple[TermSpan, ...] = ()


@dataclass(frozen=True)
class _Want:
    start: int
    end: int
    exact: bool


def place_codes(block: Block, sentences: Sequence[SentenceTranslation]) -> BlockTranslation:
    """The block's translation (its sentences' translations joined by a space) with every code of the
    block placed in it (see the module docstring)."""
    parts: list[str] = []
    offsets: list[int] = []
    length = 0
    for sentence in sentences:
        target = sentence.target.strip()
        if target and parts:
            length += 1
        offsets.append(length)
        if target:
            parts.append(target)
            length += len(target)
    text = " ".join(parts)
    alignments = [
        align(block.text[s.start : s.end], s.target.strip(), (*s.terms, *_protected_terms(block, s)))
        for s in sentences
    ]
    wants = {code.id: _want(code, sentences, alignments, offsets, len(text)) for code in block.codes}
    placed = _settle(block.codes, wants, text)
    return BlockTranslation(text, tuple(placed[code.id] for code in block.codes))


def _protected_terms(block: Block, sentence: SentenceTranslation) -> list[TermSpan]:
    """A protected code's text as an anchor of its own: found verbatim in the translation, it is
    linked exactly like a glossary term."""
    found = []
    for code in block.codes:
        text = block.text[code.start : code.end].strip()
        if code.protected and text and sentence.start <= code.start and code.end <= sentence.end:
            found.append(TermSpan(code.start - sentence.start, code.end - sentence.start, (text,)))
    return found


def _want(
    code: InlineCode,
    sentences: Sequence[SentenceTranslation],
    alignments: Sequence[Alignment],
    offsets: Sequence[int],
    length: int,
) -> _Want:
    """Where the alignment puts ``code`` in the block's translation."""
    if code.kind is CodeKind.WRAP and code.end > code.start:  # an empty element is placed as a point
        inside = [k for k, s in enumerate(sentences) if s.start < code.end and s.end > code.start]
        if inside:
            first, last = inside[0], inside[-1]
            start, _, exact_start = _wrap(alignments[first], code, sentences[first])
            _, end, exact_end = _wrap(alignments[last], code, sentences[last])
            return _Want(offsets[first] + start, offsets[last] + end, exact_start and exact_end)
    for k, sentence in enumerate(sentences):
        if sentence.start <= code.start <= sentence.end:
            at, exact = _point(alignments[k], code.start - sentence.start)
            return _Want(offsets[k] + at, offsets[k] + at, exact)
    # Between sentences (or around them): after the last sentence that ends before it.
    before = [k for k, s in enumerate(sentences) if s.end <= code.start]
    if not before:
        return _Want(0, 0, True)
    k = before[-1]
    end = offsets[k] + len(sentences[k].target.strip())
    return _Want(min(end, length), min(end, length), True)


def _wrap(alignment: Alignment, code: InlineCode, sentence: SentenceTranslation) -> tuple[int, int, bool]:
    """The character span in the sentence's translation of the part of ``code`` in the sentence."""
    open_left = code.start < sentence.start
    open_right = code.end > sentence.end
    start = max(code.start, sentence.start) - sentence.start
    end = min(code.end, sentence.end) - sentence.start
    first, stop = alignment.source_words(start, end)
    size = len(alignment.target)
    linked = sorted({j for i in range(first, stop) for j in alignment.by_source.get(i, [])})
    unlinked = [i for i in range(first, stop) if alignment.is_content(i) and i not in alignment.by_source]
    low, high = alignment.interpolate(first), alignment.interpolate(stop)
    if linked:
        exact = not unlinked and all(
            j not in alignment.by_target or all(first <= i < stop for i in alignment.by_target[j])
            for j in range(linked[0], linked[-1] + 1)
        )
        low, high = (
            (min(linked[0], low), max(linked[-1] + 1, high)) if unlinked else (linked[0], linked[-1] + 1)
        )
        # Punctuation at the element's edges, unlinked, goes with it where the same mark is there
        # (with unlinked words the interpolated span has taken it already).
        edge = first if not unlinked else stop
        while edge < stop and not alignment.is_content(edge) and edge not in alignment.by_source:
            if low > 0 and alignment.target[low - 1].text == alignment.source[edge].text:
                low -= 1
            edge += 1
        edge = stop - 1 if not unlinked else first - 1
        while edge >= first and not alignment.is_content(edge) and edge not in alignment.by_source:
            if high < size and alignment.target[high].text == alignment.source[edge].text:
                high += 1
            edge -= 1
    else:
        exact = False
    if high <= low:
        high = min(low + 1, size)
        low = min(low, high)
    low, high = _without_function_words(alignment, low, high, exact)
    target_start = 0 if open_left else alignment.target_offset(low)
    target_end = len(alignment.target_text) if open_right else alignment.target_offset(high, end=True)
    # An open side is where the sentence starts or ends: exact whatever the words say.
    if open_left and open_right:
        exact = True
    return target_start, max(target_end, target_start), exact


# English words a Vietnamese element rarely stands for at its edges: an article before a noun
# (Vietnamese has none), and, where the span is a guess, a preposition or conjunction after it.
_ARTICLES = frozenset({"the", "a", "an"})
_TRAILING = _ARTICLES | {"of", "in", "on", "at", "to", "for", "with", "and", "by", "from", "as"}


def _without_function_words(alignment: Alignment, low: int, high: int, exact: bool) -> tuple[int, int]:
    """The span ``low:high`` of target words without an unlinked article at its start, nor (for an
    interpolated span) unlinked function words at its end."""
    target = alignment.target
    while high - low > 1 and low not in alignment.by_target and target[low].text.lower() in _ARTICLES:
        low += 1
    while (
        not exact
        and high - low > 1
        and high - 1 not in alignment.by_target
        and target[high - 1].text.lower() in _TRAILING
    ):
        high -= 1
    return low, high


def _point(alignment: Alignment, offset: int) -> tuple[int, bool]:
    """The character offset in the sentence's translation of a point at ``offset`` in the source."""
    boundary = alignment.source_boundary(offset)
    if boundary == 0:
        return 0, True
    if boundary == len(alignment.source):
        return len(alignment.target_text), True
    left = alignment.by_source.get(boundary - 1)
    right = alignment.by_source.get(boundary)
    if left:
        return alignment.target[max(left)].end, True
    if right:
        return alignment.target[min(right)].start, True
    return alignment.target_offset(alignment.interpolate(boundary)), False


def _settle(codes: Sequence[InlineCode], wants: dict[int, _Want], text: str) -> dict[int, PlacedCode]:
    """Final places: each code clipped into its parent, siblings apart, points outside siblings."""
    children: dict[int, list[InlineCode]] = {}
    for code in codes:
        children.setdefault(code.parent, []).append(code)
    placed: dict[int, PlacedCode] = {}

    def settle(parent: int, low: int, high: int) -> None:
        taken: list[tuple[int, int]] = []
        # Wraps first (exact ones first), then points, which then step out of the wraps' spans.
        order = sorted(
            children.get(parent, []),
            key=lambda c: (
                c.kind is CodeKind.POINT or (c.protected and not wants[c.id].exact),
                not wants[c.id].exact,
                c.start,
                c.id,
            ),
        )
        for code in order:
            want = wants[code.id]
            start, end = _trim(text, _clip(want.start, low, high), _clip(want.end, low, high))
            if code.kind is CodeKind.POINT or (code.protected and not want.exact):
                at = _outside(start, taken)
                place = PlacedCode(code.id, at, at, want.exact and at == want.start)
            else:
                fitted = _trim(text, *_fit(start, end, _gaps(low, high, taken), text))
                place = PlacedCode(
                    code.id, *fitted, want.exact and fitted == _trim(text, want.start, want.end)
                )
                if place.end > place.start:
                    taken.append((place.start, place.end))
            placed[code.id] = place
            settle(code.id, place.start, place.end)

    settle(0, 0, len(text))
    return placed


def _clip(value: int, low: int, high: int) -> int:
    return min(max(value, low), high)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``start:end`` without spaces at either end (empty stays empty)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _outside(at: int, taken: Sequence[tuple[int, int]]) -> int:
    """``at``, or the nearer edge of the sibling span it would fall strictly inside."""
    for start, end in taken:
        if start < at < end:
            return start if at - start <= end - at else end
    return at


def _gaps(low: int, high: int, taken: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``low:high`` no sibling holds."""
    gaps = []
    position = low
    for start, end in sorted(taken):
        if start > position:
            gaps.append((position, start))
        position = max(position, end)
    if high > position or not gaps:
        gaps.append((position, max(high, position)))
    return gaps


def _fit(start: int, end: int, gaps: Sequence[tuple[int, int]], text: str) -> tuple[int, int]:
    """The span nearest ``start:end`` inside one free gap: the overlap with the gap it overlaps most,
    else the nearest word of the nearest gap (an empty span at its edge when it has none)."""
    overlaps = [(min(end, g1) - max(start, g0), g0, g1) for g0, g1 in gaps]
    best = max(overlaps)
    if best[0] > 0 or (start == end and any(g0 <= start <= g1 for g0, g1 in gaps)):
        if best[0] > 0:
            return max(start, best[1]), min(end, best[2])
        return start, end
    g0, g1 = min(gaps, key=lambda g: min(abs(g[0] - start), abs(g[1] - start)))
    words = [(m.start() + g0, m.end() + g0) for m in _WORD.finditer(text[g0:g1])]
    if not words:
        edge = g0 if abs(g0 - start) <= abs(g1 - start) else g1
        return edge, edge
    return words[0] if g0 >= start else words[-1]
