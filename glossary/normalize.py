"""Vietnamese-aware comparison keys, with a map back to offsets in the text as read.

Two spellings of the same Vietnamese term must compare equal whatever their Unicode form (NFC or
NFD), the tone-mark placement (the "old" style puts the mark on the first vowel of oa/oe/uy: hòa,
hòe, thúy, Ủy; the "new" style on the second: hoà, hoè, thuý, Uỷ), letter case, and whitespace
(a hard-wrapped line break inside a term is just a space). :func:`fold` is that key.

Canonical form chosen here: NFC, casefolded, the tone mark on the vowel the *new* style
(the Vietnamese Ministry of Education rule) names, whitespace runs as one space, invisible
format characters (soft hyphen, zero-width space/joiners, word joiner, BOM) removed. The tone
position is recomputed from the toneless syllable, so any placement maps to the same key; the
onset clusters "qu" and "gi" (quý, quà, già, giữa) are consonants and never carry the mark.

:func:`normalize_with_offsets` returns the same folded text plus a map from spans of it back to
``[start, end)`` offsets in the original string, which may be NFD (one folded character then
stands for several original ones).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

# The five Vietnamese tone marks as combining characters: grave (huyền), acute (sắc),
# tilde (ngã), hook above (hỏi), dot below (nặng).
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
VOWELS = "aăâeêioôơuưy"
_DIACRITIC_VOWELS = "ăâêôơư"  # a vowel with its own diacritic carries the tone (ươ: the ơ)
_CODAS = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})
_NEW_STYLE_SECOND = frozenset({"oa", "oe", "uy"})  # open syllables whose mark goes on the 2nd vowel

# Combining marks (and Hangul medial/final jamo, which NFC composes with the preceding letter):
# they belong to the character before them.
_MARKS = "\u0300-\u036f\u1160-\u11ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

# (lowercase toned vowel) -> (base vowel, tone mark), and back.
_TONED: dict[str, tuple[str, str]] = {}
_COMPOSE: dict[tuple[str, str], str] = {}
for _base in VOWELS:
    for _tone in TONE_MARKS:
        _char = unicodedata.normalize("NFC", _base + _tone)
        _TONED[_char] = (_base, _tone)
        _COMPOSE[(_base, _tone)] = _char

_ALL_VOWELS = VOWELS + "".join(_TONED)
_TONED_CHARS = "".join(_TONED)
# A toned vowel next to another vowel: the only words whose mark may need moving.
# A whole word (letters) holding a toned vowel next to another vowel: the only words whose mark
# may need moving. Not one followed by a stray combining mark: a moved tone could compose with it.
_TONED_WORD = re.compile(
    f"(?<![^\\W\\d_])[^\\W\\d_]*?(?:[{_ALL_VOWELS}][{_TONED_CHARS}]|[{_TONED_CHARS}][{_ALL_VOWELS}])"
    f"[^\\W\\d_]*+(?![{_MARKS}])"
)
# A whitespace/invisible run that is not already exactly one plain space.
_SPACE_RUN = re.compile(f"[\\s{_INVISIBLE}]{{2,}}|[^\\S ]|[{_INVISIBLE}]")
_CLUSTER = re.compile(f"[^{_MARKS}][{_MARKS}]*|[{_MARKS}]+", re.DOTALL)
_HAS_INVISIBLE = re.compile(f"[{_INVISIBLE}]")

_syllable_cache: dict[str, str] = {}


def canonical_syllable(word: str) -> str:
    """Put the tone mark of one lowercase NFC Vietnamese syllable where the new style puts it.

    Words that are not a well-formed Vietnamese syllable with exactly one tone mark (foreign
    words, names, acronyms) are returned unchanged. The result has the same length.
    """
    cached = _syllable_cache.get(word)
    if cached is not None:
        return cached
    result = _place_tone(word)
    if len(_syllable_cache) < 100_000:  # Vietnamese has ~7,000 syllables; bound it for odd input
        _syllable_cache[word] = result
    return result


def _place_tone(word: str) -> str:
    bases: list[str] = []
    tone = ""
    for char in word:
        toned = _TONED.get(char)
        if toned is None:
            bases.append(char)
            continue
        if tone:
            return word  # two tone marks: not a syllable we can reason about
        bases.append(toned[0])
        tone = toned[1]
    if not tone:
        return word
    length = len(bases)
    onset = 0
    while onset < length and bases[onset] not in VOWELS:
        onset += 1
    if onset < length - 1 and onset > 0:
        # "qu" and "gi" (before another vowel) are consonants: quý, quốc, già, giữa.
        qu = bases[onset - 1] == "q" and bases[onset] == "u"
        gi = onset == 1 and bases[0] == "g" and bases[1] == "i" and bases[2] in VOWELS
        onset += qu or gi
    end = onset
    while end < length and bases[end] in VOWELS:
        end += 1
    if end == onset or "".join(bases[end:]) not in _CODAS:
        return word
    nucleus = bases[onset:end]
    marked = [k for k, vowel in enumerate(nucleus) if vowel in _DIACRITIC_VOWELS]
    if marked:
        position = marked[-1]
    elif end < length or len(nucleus) == 1:
        position = len(nucleus) - 1  # closed syllable: hoàng, toán, huỳnh
    elif len(nucleus) == 2:
        position = 1 if "".join(nucleus) in _NEW_STYLE_SECOND else 0
    else:
        position = 1  # oai, oay, uya, uyu, oeo: the middle vowel
    target = onset + position
    bases[target] = _COMPOSE[(bases[target], tone)]
    return "".join(bases)


def canonical_tones(text: str) -> str:
    """Re-place the tone marks of every syllable in lowercase NFC ``text``; length is unchanged."""
    return _TONED_WORD.sub(_canonical_match, text)


def _canonical_match(match: re.Match[str]) -> str:
    return canonical_syllable(match.group())


@dataclass(frozen=True)
class NormalizedText:
    """Folded text and the way back to the original.

    Outside the recorded edits, folded character ``k`` is original character ``k + shift``;
    an edit replaces original ``[o_start, o_end)`` by folded ``[f_start, f_end)`` as one block
    (an NFD cluster, a whitespace run, a character whose case folding is longer).
    """

    text: str
    original_length: int
    _f_starts: list[int] = field(default_factory=list, repr=False)
    _f_ends: list[int] = field(default_factory=list, repr=False)
    _o_starts: list[int] = field(default_factory=list, repr=False)
    _o_ends: list[int] = field(default_factory=list, repr=False)

    def original_start(self, index: int) -> int:
        """Original offset where folded character ``index`` begins (``len(text)`` maps to the end)."""
        if index >= len(self.text):
            return self.original_length
        edit = bisect.bisect_right(self._f_starts, index) - 1
        if edit < 0:
            return index
        if index < self._f_ends[edit]:
            return self._o_starts[edit]
        return self._o_ends[edit] + index - self._f_ends[edit]

    def original_end(self, index: int) -> int:
        """Original offset just after the characters folded character ``index - 1`` came from."""
        if index <= 0:
            return 0
        last = index - 1
        edit = bisect.bisect_right(self._f_starts, last) - 1
        if edit < 0:
            return index
        if last < self._f_ends[edit]:
            return self._o_ends[edit]
        return self._o_ends[edit] + index - self._f_ends[edit]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map folded ``[start, end)`` to ``[start, end)`` in the original string.

        For a span that begins and ends on word boundaries, the fold of the original slice equals
        the folded span (inside a syllable it may not: the tone mark can move between letters).
        """
        if end <= start:
            position = self.original_start(start)
            return position, position
        return self.original_start(start), self.original_end(end)


def normalize_with_offsets(text: str) -> NormalizedText:
    """Fold ``text`` (see :func:`fold`, but leading and trailing whitespace kept as one space)
    and keep the map back to offsets in ``text``."""
    f_starts: list[int] = []
    f_ends: list[int] = []
    o_starts: list[int] = []
    o_ends: list[int] = []
    pieces: list[str] = []
    folded_length = 0

    def edit(o_start: int, o_end: int, replacement: str) -> None:
        nonlocal folded_length
        f_starts.append(folded_length)
        o_starts.append(o_start)
        o_ends.append(o_end)
        pieces.append(replacement)
        folded_length += len(replacement)
        f_ends.append(folded_length)

    def aligned(chunk: str) -> None:
        nonlocal folded_length
        pieces.append(chunk)
        folded_length += len(chunk)

    def space(run: str) -> str:
        return " " if any(char.isspace() for char in run) else ""

    lowered = text.casefold()
    if len(lowered) == len(text) and unicodedata.is_normalized("NFC", text):
        # The common case: one folded character per original character except whitespace runs.
        done = 0
        for run in _SPACE_RUN.finditer(text):
            aligned(lowered[done : run.start()])
            edit(run.start(), run.end(), space(run.group()))
            done = run.end()
        aligned(lowered[done:])
    else:
        done = 0
        for run in _SPACE_RUN.finditer(text):
            _fold_clusters(text, done, run.start(), aligned, edit)
            edit(run.start(), run.end(), space(run.group()))
            done = run.end()
        _fold_clusters(text, done, len(text), aligned, edit)

    folded = canonical_tones("".join(pieces))
    return NormalizedText(folded, len(text), f_starts, f_ends, o_starts, o_ends)


def _fold_clusters(
    text: str,
    start: int,
    end: int,
    aligned: Callable[[str], None],
    edit: Callable[[int, int, str], None],
) -> None:
    """Fold ``text[start:end]`` (no whitespace in it) one base+marks cluster at a time."""
    run: list[str] = []  # folded characters of single-character clusters, one for one
    for cluster in _CLUSTER.finditer(text, start, end):
        chunk = cluster.group()
        folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", chunk).casefold())
        if len(chunk) == 1 and len(folded) == 1:
            run.append(folded)
            continue
        if run:
            aligned("".join(run))
            run = []
        edit(cluster.start(), cluster.end(), folded)
    if run:
        aligned("".join(run))


def fold(text: str) -> str:
    """The comparison key of a term or text: NFC, casefolded (Đ → đ), new-style tone placement,
    whitespace runs (newlines, NBSP, ...) as one space, no leading or trailing space.

    ``fold("Uỷ ban")``, ``fold("ủy  BAN")`` and their NFD forms are all ``"uỷ ban"``.
    """
    return normalize_with_offsets(text).text.strip(" ")


_INITIAL_WORD = re.compile(r"[^\W\d_]+")


def spells_initials(acronym: str, term: str) -> bool:
    """Whether the acronym's letters are, in order, initials of the term's words, from the first word
    ("LHQ": Liên hợp quốc; "MOFA": Ministry of Foreign Affairs; "AICHR": ASEAN Intergovernmental
    Commission on Human Rights). Letters are compared without diacritics, Đ as D."""
    letters = [_base_letter(char) for char in acronym if char.isalpha()]
    initials = [_base_letter(word[0]) for word in _INITIAL_WORD.findall(term)]
    if len(letters) < 2 or not initials or letters[0] != initials[0]:
        return False
    remaining = iter(initials[1:])
    return all(letter in remaining for letter in letters[1:])


def _base_letter(char: str) -> str:
    if char in "Đđ":
        return "D"
    return unicodedata.normalize("NFD", char)[0].upper()
