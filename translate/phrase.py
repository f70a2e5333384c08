"""Whether an English text contains a phrase as a whole phrase: the one check every module uses.

The decoder's constraints (:mod:`translate.constraints`), the aligner's glossary anchors and the
glossary usage report all ask "does this English sentence render the term?" the same way: the
phrase occurs case-sensitively, and where it begins or ends with a letter or digit, no letter or
digit touches it there ("United Nations Development Program" is not in "...Programme"). This module
imports nothing heavy, so model-free commands can use it.
"""

from __future__ import annotations

import re
from functools import cache

_WORD_CHAR = re.compile(r"\w")


def ends_in_word(text: str) -> bool:
    """Whether ``text`` ends with a letter or digit, so that where it ends in an output matters:
    "United Nations Development Program" is a different word from "...Programme"."""
    return bool(text) and bool(_WORD_CHAR.fullmatch(text[-1]))


@cache
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """The regular expression :func:`contains_phrase` searches with."""
    before = r"(?<!\w)" if _WORD_CHAR.fullmatch(phrase[:1]) else ""
    after = r"(?!\w)" if ends_in_word(phrase) else ""
    return re.compile(before + re.escape(phrase) + after)


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as a whole phrase: no letter or digit touches either of
    its ends where that end is itself a letter or digit (case-sensitive)."""
    return bool(phrase) and phrase_pattern(phrase).search(text) is not None
