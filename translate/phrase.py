"""Whether a text contains a phrase as a whole phrase: the one answer to "is this term in this text".

The engine (is a constraint met, is a forbidden rendering present), the pipeline (are the terms of a
human translation reused from the memory met), review (did the reviewer replace a term), evaluation
(term success, forbidden renderings), the glossary usage report and the aligner's glossary anchors
all ask it here, so a term counts as met in exactly the same texts everywhere.

Rules:

- **Case-sensitive.** The glossary's English form is the rendering the desk chose; "UN" is not "un".
- **Whole phrase.** An end of the phrase that is a letter or digit must not touch a letter or digit
  of the text: "UN" is not in "UNDP", "Program" is not in "Programme". An end that is punctuation
  has no such rule: "(AICHR)" is in "x(AICHR)y".
- **Any whitespace.** A space of the phrase matches any run of whitespace in the text, so a term a
  reviewer's editor wrapped over two lines is still there.
- **Inflection** (``inflected=True``, evaluation's tolerant variant): the last word, and the word
  before a later "of", may take a plural (-s, -es, consonant + y → -ies) and a possessive ('s, ’s,
  or ' alone): "Ministers of Foreign Affairs", "the Commission's".

>>> contains_phrase("The UNDP office opened.", "UN")
False
>>> contains_phrase("The UN office opened.", "UN")
True
>>> contains_phrase("two Ministries of Foreign Affairs", "Ministry of Foreign Affairs", inflected=True)
True

Only the standard library: model-free commands (``evaluate``, ``review import``) use it too.
"""

from __future__ import annotations

import re
from functools import cache

_WORD_CHAR = re.compile(r"\w")
_CONSONANT_Y = re.compile(r"[^aeiouAEIOU]y\Z")


def ends_in_word(text: str) -> bool:
    """Whether ``text`` ends with a letter or digit, so that where it ends in a text matters:
    "United Nations Development Program" is a different word from "...Programme"."""
    return bool(text) and _WORD_CHAR.fullmatch(text[-1]) is not None


def contains_phrase(text: str, phrase: str, *, inflected: bool = False) -> bool:
    """Whether ``phrase`` occurs in ``text`` as a whole phrase (rules in the module docstring).
    An empty or blank phrase is never contained."""
    pattern = _pattern(phrase, inflected)
    return pattern is not None and pattern.search(text) is not None


def phrase_spans(text: str, phrase: str, *, inflected: bool = False) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of every non-overlapping occurrence, left to right."""
    pattern = _pattern(phrase, inflected)
    return [] if pattern is None else [match.span() for match in pattern.finditer(text)]


@cache
def _pattern(phrase: str, inflected: bool) -> re.Pattern[str] | None:
    words = phrase.split()
    if not words:
        return None
    inflectable = {len(words) - 1}
    if "of" in words[1:]:
        inflectable.add(words.index("of", 1) - 1)
    parts = []
    for i, word in enumerate(words):
        if inflected and i in inflectable and word[-1].isalpha():
            forms = [re.escape(word) + "(?:e?s)?"]
            if _CONSONANT_Y.search(word):
                forms.append(re.escape(word[:-1]) + "ies")
            parts.append("(?:" + "|".join(forms) + ")(?:['’]s?)?")
        else:
            parts.append(re.escape(word))
    before = r"(?<!\w)" if _WORD_CHAR.fullmatch(words[0][0]) else ""
    after = r"(?!\w)" if ends_in_word(words[-1]) else ""
    return re.compile(before + r"\s+".join(parts) + after)
