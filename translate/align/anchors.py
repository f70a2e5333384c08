"""What survives translation: the anchors the aligner matches between a Vietnamese and an English sentence.

Each sentence becomes a multiset of anchor keys; a bead's anchors agree as far as the two sides'
multisets overlap. Keys are prefixed by kind:

- ``n:<number>`` — numbers in a canonical form: thousands separators dropped, decimal point ``.``,
  leading and trailing zeros dropped, ordinal suffixes ignored ("14th" is 14). Vietnamese writes ``1.000.000``
  and ``3,5`` where English writes ``1,000,000`` and ``3.5``; a separator followed by exactly three
  digits groups thousands in both languages, except an English ``.`` (always a decimal point).
- ``m:<month>`` — months: Vietnamese "tháng 5", "tháng Năm", the month of "14/5", "14/5/2024" and
  "5/2024" after "tháng"; English month names and their abbreviations ("May", "Sept."). The day and
  year of a date are numbers, so "ngày 14/5" and "14 May" share ``n:14`` and ``m:5``.
- ``a:<ACRONYM>`` — words with two or more capitals (ASEAN, UNDP, COVID, McDonald is not one).
- ``w:<word>`` — Latin-script capitalised words, diacritics and case folded away, so that
  "Nguyễn Xuân Phúc" meets "Nguyen Xuan Phuc" and "Trump" meets "Trump". English function words
  that merely start a sentence ("The", "In") are left out.
- ``g:<index>`` — a glossary entry: found in the Vietnamese sentence by the Vietnamese-aware
  matcher (any tone placement, Unicode form, case); on the English side, one of the entry's English
  forms or its acronym as a whole phrase (:func:`translate.phrase.contains_phrase`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import GlossaryEntry
from songngu.translate.months import EN_MONTH_NUMBERS, VI_MONTH_WORDS
from songngu.translate.phrase import contains_phrase
from songngu.translate.segment_en import SENTENCE_STARTERS

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?:st|nd|rd|th)?(?![\w])")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")

# "tháng 5", "tháng 05/2024", "tháng Mười Hai"; "ngày 14/5", "14/5/2024", "14-5".
_VI_MONTH = re.compile(
    r"(?i:tháng)\s+(?:(\d{1,2})(?:\s*[/-]\s*(\d{4}))?(?!\d)|"
    r"(Mười\s+Một|Mười\s+Hai|Giêng|Hai|Ba|Tư|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười|Chạp)\b)"
)
_VI_DATE = re.compile(r"(?<![\d/.,-])(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{4}))?(?![\d/-])")

# Capitalised English words too common to anchor anything, beyond the usual sentence starters.
_EN_COMMON = SENTENCE_STARTERS | frozenset(
    {"Mr", "Mrs", "Ms", "Dr", "President", "Minister", "Prime", "Government", "Ministry", "State"}
    | {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
    | {"To", "With", "By", "From", "Of", "Under", "Over", "During", "Despite", "According", "Last"}
    | {"Every", "Each", "All", "Both", "Such", "More", "Only", "Even", "Just", "Here", "Then"}
)


def agreement(vi: Counter[str], en: Counter[str]) -> tuple[int, int]:
    """``(shared, unshared)``: how many anchors the two sides have in common (counted with
    multiplicity on the side with fewer), and how many of either side have no counterpart."""
    shared = sum(min(count, en[key]) for key, count in vi.items() if key in en)
    return shared, sum(vi.values()) + sum(en.values()) - 2 * shared


def number_key(token: str, language: str) -> str:
    """The canonical form of a number as written in ``language`` ("vi" or "en")."""
    token = re.sub(r"(?:st|nd|rd|th)$", "", token)
    if _THOUSANDS.fullmatch(token) and not (language == "en" and "." in token):
        return str(int(re.sub(r"[.,]", "", token)))
    if language == "vi":
        whole, _, fraction = token.replace(".", ",").partition(",")
    else:
        whole, _, fraction = token.replace(",", "").partition(".")
    whole = str(int(whole)) if whole.isdigit() else whole
    fraction = fraction.rstrip("0")  # "2.50" is 2.5
    return f"{whole}.{fraction}" if fraction else whole


def vietnamese_anchors(sentence: str) -> Counter[str]:
    """Number, date, acronym and Latin-name anchors of a Vietnamese sentence (glossary: see
    :class:`GlossaryAnchors`)."""
    keys: Counter[str] = Counter()
    taken: list[tuple[int, int]] = []  # spans of digits read as months already
    for match in _VI_MONTH.finditer(sentence):
        if match.group(1):
            month = int(match.group(1))
            if 1 <= month <= 12:
                keys[f"m:{month}"] += 1
                taken.append(match.span(1))
            if match.group(2):
                keys[f"n:{int(match.group(2))}"] += 1
                taken.append(match.span(2))
        else:
            word = " ".join(match.group(3).split()).lower()
            keys[f"m:{VI_MONTH_WORDS[word]}"] += 1
    for match in _VI_DATE.finditer(sentence):
        day, month = int(match.group(1)), int(match.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12 and not _inside(match.span(2), taken):
            keys[f"m:{month}"] += 1
            taken.append(match.span(2))
    for match in _NUMBER.finditer(sentence):
        if not _inside(match.span(), taken):
            keys[f"n:{number_key(match.group(), 'vi')}"] += 1
    for match in _WORD.finditer(sentence):
        word = match.group()
        if _is_acronym(word):
            keys[f"a:{word}"] += 1
        elif word[0].isupper() and len(word) > 1:
            keys[f"w:{ascii_fold(word)}"] += 1
    return keys


def english_anchors(sentence: str) -> Counter[str]:
    """Number, date, acronym and name anchors of an English sentence."""
    keys: Counter[str] = Counter()
    for match in _NUMBER.finditer(sentence):
        keys[f"n:{number_key(match.group(), 'en')}"] += 1
    for match in _WORD.finditer(sentence):
        word = match.group()
        if word in EN_MONTH_NUMBERS and (word != "May" or match.start() > 0):
            keys[f"m:{EN_MONTH_NUMBERS[word]}"] += 1
        elif _is_acronym(word):
            keys[f"a:{word}"] += 1
        elif word[0].isupper() and len(word) > 1 and word not in _EN_COMMON:
            keys[f"w:{ascii_fold(word)}"] += 1
    return keys


class GlossaryAnchors:
    """Glossary entries as anchors: found in Vietnamese by the matcher, in English by their renderings."""

    def __init__(self, matcher: GlossaryMatcher) -> None:
        self._matcher = matcher
        self._index: dict[GlossaryEntry, int] = {}

    def vietnamese(self, sentences: Sequence[str]) -> list[Counter[str]]:
        """One counter of ``g:`` keys per Vietnamese sentence; remembers the entries seen."""
        found: list[Counter[str]] = []
        for sentence in sentences:
            keys: Counter[str] = Counter()
            for match in self._matcher.find(sentence):
                index = self._index.setdefault(match.entry, len(self._index))
                keys[f"g:{index}"] += 1
            found.append(keys)
        return found

    def english(self, sentences: Sequence[str]) -> list[Counter[str]]:
        """One counter of ``g:`` keys per English sentence, for the entries the Vietnamese side had."""
        found: list[Counter[str]] = []
        for sentence in sentences:
            keys: Counter[str] = Counter()
            for entry, index in self._index.items():
                forms = (*entry.en_forms, entry.acronym) if entry.acronym else entry.en_forms
                if any(contains_phrase(sentence, form) for form in forms if form):
                    keys[f"g:{index}"] += 1
            found.append(keys)
        return found


def _inside(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in taken)


def _is_acronym(word: str) -> bool:
    return len(word) >= 2 and sum(char.isupper() for char in word) >= 2 and word[1:2].isupper()


def ascii_fold(word: str) -> str:
    """ "Nguyễn" → "nguyen", "Đà" → "da": what an English text writes for a Vietnamese name."""
    decomposed = unicodedata.normalize("NFD", word.replace("Đ", "D").replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
