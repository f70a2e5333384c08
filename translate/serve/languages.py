"""The one language pair the server translates, as each API names it, and telling Vietnamese text
from English.

LibreTranslate codes are lower case (``vi``, ``en``); DeepL's upper case, its target English with a
regional variant (``EN-US``, ``EN-GB``; plain ``EN`` is accepted too, as DeepL itself still does).
Both are read case-insensitively, ``_`` or ``-`` before a region (Weblate writes ``en_GB``).

Detection (LibreTranslate ``/detect`` and ``source=auto``) needs to tell only these two apart, so
it counts words: Vietnamese writes most syllables with letters English never uses (đ, ă, â, ê, ô,
ơ, ư) or with tone marks. The share of such words gives the confidence; a text with at least
:data:`VIETNAMESE_SHARE` of them reads as Vietnamese.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SOURCE = "vi"
TARGET = "en"
NAMES = {SOURCE: "Vietnamese", TARGET: "English"}
#: DeepL's target codes for English, with their names as DeepL gives them.
DEEPL_TARGETS = {"EN-GB": "English (British)", "EN-US": "English (American)"}
#: The share of words with Vietnamese letters or tone marks from which a text reads as Vietnamese.
VIETNAMESE_SHARE = 0.15

_WORD = re.compile(r"[^\W\d_]+")
_VIETNAMESE_LETTERS = frozenset("đăâêôơưĐĂÂÊÔƠƯ")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook above, dot below


def base_language(code: str) -> str:
    """``en`` for ``EN-US``, ``en_GB`` or ``en``: the code without its region, lower case."""
    return re.split(r"[-_]", code.strip(), maxsplit=1)[0].lower()


def is_source(code: str) -> bool:
    """Whether ``code`` names Vietnamese (any case, any region)."""
    return base_language(code) == SOURCE


def is_target(code: str) -> bool:
    """Whether ``code`` names English (any case, any region)."""
    return base_language(code) == TARGET


@dataclass(frozen=True)
class Detection:
    """What a text reads as: ``language`` (``vi`` or ``en``) and ``confidence`` in percent."""

    language: str
    confidence: float


def _is_vietnamese_word(word: str) -> bool:
    if any(char in _VIETNAMESE_LETTERS for char in word):
        return True
    return any(char in _TONE_MARKS for char in unicodedata.normalize("NFD", word))


def detect(text: str) -> list[Detection]:
    """Vietnamese and English, most likely first, with confidences that add up to 100."""
    words = _WORD.findall(text)
    share = sum(map(_is_vietnamese_word, words)) / len(words) if words else 0.0
    # A share at the threshold is an even guess; all words Vietnamese-looking is certainty.
    if share >= VIETNAMESE_SHARE:
        vietnamese = 50.0 + 50.0 * (share - VIETNAMESE_SHARE) / (1.0 - VIETNAMESE_SHARE)
    else:
        vietnamese = 50.0 * share / VIETNAMESE_SHARE
    vietnamese = round(vietnamese, 1) if words else 0.0
    ranked = [Detection(SOURCE, vietnamese), Detection(TARGET, round(100.0 - vietnamese, 1))]
    return sorted(ranked, key=lambda detection: -detection.confidence)
