"""What marks a word as Vietnamese, and Vietnamese names as English writes them.

- A letter is *Vietnamese-only* when no other language written in Latin script uses it: ``ă``,
  ``đ``, ``ơ``, ``ư``, the hook above (``ả``) and the dot below (``ạ``), a tone on a circumflex vowel
  (``ấ``), and the tilde on ``e``, ``i``, ``u``, ``y``. ``é``, ``à``, ``ô`` or ``ã`` alone do not make a
  word Vietnamese: French, Spanish and Portuguese names have them.
- A word with any diacritic that is a Vietnamese syllable ("chính") is Vietnamese too; "café",
  "José" or "Montréal" are not syllables Vietnamese has.
- :func:`ascii_fold` is what an English text writes for a Vietnamese name: diacritics and case
  dropped, ``đ`` as ``d`` ("Nguyễn" is "nguyen"); a few other letters as English spells them.
- :func:`vietnamese_syllable` tells a word that could be a Vietnamese syllable (an onset, a vowel
  nucleus, a final consonant Vietnamese allows) from a foreign word ("Dylan", "Bob", "Shark").

Comparisons go through :func:`songngu.glossary.normalize.fold` first (Unicode form, tone placement,
case), so a name written NFD or with old-style tones compares as the same name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from songngu.glossary.normalize import fold

_HOOK, _DOT, _HORN, _BREVE, _TILDE, _CIRCUMFLEX = "\u0309", "\u0323", "\u031b", "\u0306", "\u0303", "\u0302"
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_OTHER_SCRIPTS = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ß": "ss", "đ": "d", "Đ": "d"}
)
# Function words that carry no Vietnamese-only letter but are never English.
_PLAIN_FUNCTION_WORDS = frozenset(
    {"và", "là", "có", "các", "không", "cho", "trong", "khi", "thì", "tôi", "ông"}
)


@cache
def vietnamese_only_letter(char: str) -> bool:
    """Whether ``char`` is a letter only Vietnamese uses (module docstring)."""
    if char in "đĐ":
        return True
    decomposed = unicodedata.normalize("NFD", char)
    marks = decomposed[1:]
    if not marks:
        return False
    if _HOOK in marks or _DOT in marks or _HORN in marks:
        return True
    if _BREVE in marks and decomposed[0] in "aA":
        return True
    if _CIRCUMFLEX in marks and any(tone in marks for tone in _TONES):
        return True
    return _TILDE in marks and decomposed[0] in "eiuyEIUY"


def vietnamese_word(word: str) -> bool:
    """Whether ``word`` is Vietnamese: a Vietnamese-only letter in it, a diacritic on a word that is a
    Vietnamese syllable ("chính", "thông"; not "café" or "José"), or a function word."""
    if any(vietnamese_only_letter(char) for char in word) or word.lower() in _PLAIN_FUNCTION_WORDS:
        return True
    return not word.isascii() and vietnamese_syllable(word)


def ascii_fold(text: str) -> str:
    """``text`` as English writes a Vietnamese name: folded, no diacritics, đ as d ("Nguyễn" → "nguyen")."""
    decomposed = unicodedata.normalize("NFD", fold(text).translate(_OTHER_SCRIPTS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_ONSETS = "ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x"
_NUCLEI = (
    "uyen|uyet|uya|uye|uyu|oai|oay|oeo|uoi|uou|uay|ieu|yeu|"
    "ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye|"
    "a|e|i|o|u|y"
)
_SYLLABLE = re.compile(rf"(?:{_ONSETS})?(?:{_NUCLEI})(?:ng|nh|ch|c|m|n|p|t)?")


def vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` could be one Vietnamese syllable (without its diacritics)."""
    folded = ascii_fold(word)
    return bool(folded) and _SYLLABLE.fullmatch(folded) is not None
