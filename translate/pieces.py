"""Overlong sentences split into pieces the model reads whole, instead of being cut silently.

MarianMT reads at most its position table's worth of source tokens (512 for opus-mt); a longer
sentence used to be truncated by the tokenizer with no trace. :func:`split_sentence` cuts such a
sentence into consecutive pieces that each fit, measured by the caller's ``fits`` (the model's own
tokenizer), so that every piece is translated and the translations are joined.

Decisions:

- Pieces end at **clause boundaries** where possible: after ``;``, ``,`` or ``:``, or before a
  coordinating word (``và``, ``nhưng``, ``hoặc``, ``còn``, ``song``, ``trong khi``). Each piece is as
  long as fits (greedy), so a sentence becomes as few pieces as its clauses allow.
- A clause that alone does not fit is split between **words**: a worse translation, but nothing lost.
- A boundary never falls inside a **protected span** (a matched glossary term: "Bộ Lao động – Thương
  binh và Xã hội" holds "và"), so each term lies wholly inside one piece and is enforced there.
- Only a single word or term that alone exceeds the limit (a run of thousands of characters with no
  space) cannot be split: its piece is marked ``truncated``, and the model reads what fits of it.

Example, with a limit of four words::

    >>> words = lambda text: len(text.split()) <= 4
    >>> text = "Trời mưa to, đường ngập nước và xe cộ đi lại khó khăn."
    >>> [text[p.start : p.end] for p in split_sentence(text, words)]
    ['Trời mưa to,', 'đường ngập nước', 'và xe cộ đi', 'lại khó khăn.']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

CLAUSE_MARKS = ";,:"
CONJUNCTIONS = ("và", "nhưng", "hoặc", "còn", "song", "trong khi")

_AFTER_MARK = re.compile(r"[" + re.escape(CLAUSE_MARKS) + r"]\s+(?=\S)")
_BEFORE_CONJUNCTION = re.compile(
    r"(?<=\s)(?:" + "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in CONJUNCTIONS) + r")(?=\s)",
    re.IGNORECASE,
)
_WORD_START = re.compile(r"(?<=\s)\S")


@dataclass(frozen=True)
class Piece:
    """``text[start:end]`` of the sentence (no surrounding whitespace); ``truncated``: it does not fit
    whole and the model reads only its beginning."""

    start: int
    end: int
    truncated: bool = False


def split_sentence(
    text: str, fits: Callable[[str], bool], protected: Sequence[tuple[int, int]] = ()
) -> list[Piece]:
    """Consecutive pieces of ``text`` that each satisfy ``fits`` (see the module docstring).

    ``protected`` spans (start, end) are never split. A text that fits is one piece. The pieces
    cover every non-space character of ``text``, in order.
    """
    first = len(text) - len(text.lstrip())
    last = len(text.rstrip())
    if first == last or fits(text[first:last]):
        return [Piece(first, last)]

    def allowed(position: int) -> bool:
        return first < position < last and not any(s < position < e for s, e in protected)

    clauses = sorted(
        {m.end() for m in _AFTER_MARK.finditer(text)}
        | {m.start() for m in _BEFORE_CONJUNCTION.finditer(text)}
    )
    clauses = [p for p in clauses if allowed(p)]
    words = [m.start() for m in _WORD_START.finditer(text) if allowed(m.start())]

    pieces: list[Piece] = []
    start = first
    while start < last:
        end = _trimmed_end(text, start, last)
        if fits(text[start:end]):
            pieces.append(Piece(start, end))
            break
        cut = _furthest(text, start, clauses, fits) or _furthest(text, start, words, fits)
        if cut is None:  # not even one word fits: the piece is that word (or term), cut by the model
            cut = next((p for p in words if p > start), last)
            pieces.append(Piece(start, _trimmed_end(text, start, cut), truncated=True))
        else:
            pieces.append(Piece(start, _trimmed_end(text, start, cut)))
        start = cut
    return pieces


def _trimmed_end(text: str, start: int, end: int) -> int:
    return start + len(text[start:end].rstrip())


def _furthest(text: str, start: int, boundaries: list[int], fits: Callable[[str], bool]) -> int | None:
    """The furthest boundary after ``start`` whose piece fits (binary search: token counts grow with
    the text; a boundary is only returned after its own piece was measured to fit)."""
    lo = bisect_right(boundaries, start)
    hi = len(boundaries) - 1
    best = None
    while lo <= hi:
        middle = (lo + hi) // 2
        if fits(text[start : _trimmed_end(text, start, boundaries[middle])]):
            best = boundaries[middle]
            lo = middle + 1
        else:
            hi = middle - 1
    return best
