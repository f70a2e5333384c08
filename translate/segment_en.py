"""Where an English sentence ends: the English rules :mod:`translate.segment` applies with ``language="en"``.

Paragraphs, soft wraps, candidate boundaries (a run of ``.``, ``!``, ``?``, ``…`` with any closing
quotes or brackets, followed by whitespace) and offsets are the same as for Vietnamese; this module
decides only whether a candidate ends the sentence. English news text differs from Vietnamese in
what a period can follow:

- **titles** ("Mr.", "Dr.", "Gov.", "Sen.", "Gen.") are always followed by a name: never an end;
- **abbreviations before numbers** ("No. 5", "Jan. 12", "Vol. 3", "p. 4", "Art. 9"): not an end
  when a digit follows; "No. He left." is the word *no* and ends the sentence;
- **months** ("Jan.", "Sept.") likewise end a sentence only when no day follows ("until Oct.
  President Joko"); "vs.", "approx.", "cf.", "Inc." never do; "etc." does before a capital;
- **dotted acronyms** ("U.S.", "U.K.", "a.m.", "Ph.D.") end a sentence only when the next word
  usually starts one ("in the U.S. The report" ends; "the U.S. Senate" does not), the orthographic
  heuristic of Punkt (Kiss & Strunk, 2006) reduced to a closed list of sentence starters;
- **initials** ("J. K. Rowling", "George W. Bush", "chief N. Wayne Hale") are not an end unless
  the next word usually starts a sentence ("World War I. The war");
- **decimals, times and versions** ("3.5", "10.30", "v2.1") never reach this module: a boundary
  needs whitespace after the period.

Quotes: a sentence ends after '."' or '?"' when a capital letter, digit or opening quote follows,
and not when a lowercase word does ('"Why?" he asked.'). These rules are tested on the English side
of FLORES-200 and NTREX-128 (benchmarks/bench_segment.py).
"""

from __future__ import annotations

# Always followed by a name: a period after them never ends a sentence.
TITLES: frozenset[str] = frozenset(
    {
        "Mr",
        "Mrs",
        "Ms",
        "Messrs",
        "Dr",
        "Prof",
        "Rev",
        "Hon",
        "Sen",
        "Sens",
        "Rep",
        "Reps",
        "Gov",
        "Govs",
        "Lt",
        "Gen",
        "Col",
        "Maj",
        "Capt",
        "Cmdr",
        "Adm",
        "Sgt",
        "Cpl",
        "Pvt",
        "Brig",
        "Det",
        "Insp",
        "Supt",
        "Pres",
        "Amb",
        "Fr",
        "Sr",
        "Jr",
        "St",
        "Mt",
        "Ft",
        "Gov't",
    }
)

# Followed by a number when they abbreviate: "No. 5", "p. 12", "Vol. 3", "Oct. 2" (news text
# writes a month abbreviated only before a day; "until Oct. President Joko" ends the sentence).
BEFORE_NUMBERS: frozenset[str] = frozenset(
    {"No", "no", "Nos", "Vol", "vol", "p", "pp", "Art", "art", "Fig", "fig", "Ch", "ch", "Sec", "sec", "Ex"}
    | {"Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"}
)

# Never end a sentence in news text ("vs." is followed by its second party, "Inc." by the rest of
# the sentence...). "etc." is not here: followed by a capital, it ends the sentence.
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "vs",
        "v",
        "approx",
        "cf",
        "ca",
        "est",
        "Inc",
        "Ltd",
        "Co",
        "Corp",
        "Bros",
        "Ave",
        "Blvd",
        "Rd",
        "Dept",
        "Univ",
        "Assn",
        "Calif",
        "Conn",
        "Fla",
        "Ill",
        "Mass",
        "Mich",
        "Minn",
        "Penn",
        "Tenn",
        "Wash",
        "Ariz",
        "Colo",
    }
)

# Words that usually start a sentence: after "U.S." or "etc." they mean the sentence ended there.
SENTENCE_STARTERS: frozenset[str] = frozenset(
    {
        "The",
        "A",
        "An",
        "He",
        "She",
        "It",
        "They",
        "We",
        "I",
        "You",
        "His",
        "Her",
        "Its",
        "Their",
        "Our",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "But",
        "And",
        "Or",
        "So",
        "Yet",
        "However",
        "Meanwhile",
        "Still",
        "Also",
        "In",
        "On",
        "At",
        "As",
        "For",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "Since",
        "Although",
        "Though",
        "Some",
        "Many",
        "Most",
        "Other",
        "Others",
        "One",
        "No",
        "Not",
        "What",
        "Why",
        "How",
        "Who",
        "Where",
        "Then",
        "Now",
        "Officials",
    }
)

_OPENERS = "“\"«([‘'‹"
_CLOSERS = "”\"»)]’'›"


def ends_sentence(text: str, sentence_start: int, run_start: int, run: str, after: int) -> bool:
    """Whether the punctuation ``run`` at ``text[run_start:]``, followed by whitespace up to
    ``after`` (the next non-space character), ends an English sentence that began at
    ``sentence_start``."""
    following = text[after]
    if not (following.isupper() or following.isdigit() or following in _OPENERS):
        return False  # "…, etc. and", '"Why?" he asked': a lowercase continuation
    terminals = run.strip(_CLOSERS)
    if terminals != "." or run != terminals:
        return True  # "!", "?", "…", "...", or a period after a closing quote
    token = _token_before(text, sentence_start, run_start).lstrip(_OPENERS)
    if not token:
        return True
    next_word = _word_at(text, after)
    if token in TITLES:
        return False
    if token in BEFORE_NUMBERS:
        return not following.isdigit()
    if token in ABBREVIATIONS:
        return False
    if "." in token:  # "U.S", "a.m", "Ph.D", "J.K": an end only if a usual sentence starter follows
        return next_word in SENTENCE_STARTERS
    if len(token) == 1 and token.isupper():
        return not _is_initial(text, sentence_start, run_start - len(token), next_word)
    return True


def _token_before(text: str, sentence_start: int, index: int) -> str:
    start = index
    while start > sentence_start and not text[start - 1].isspace():
        start -= 1
    return text[start:index]


def _word_at(text: str, index: int) -> str:
    """The word starting at ``text[index]`` (letters and apostrophes), opening quotes skipped."""
    while index < len(text) and text[index] in _OPENERS:
        index += 1
    end = index
    while end < len(text) and (text[end].isalpha() or text[end] in "'’"):
        end += 1
    return text[index:end]


def _is_initial(text: str, sentence_start: int, token_start: int, next_word: str) -> bool:
    """Whether a single capital letter before a period is a name's initial ("George W. Bush",
    "chief N. Wayne Hale", "Puff Daddy, P. Diddy"): it is, unless the next word usually starts a
    sentence ("World War I. The") or the letter follows a lowercase word and is followed by a
    number or an opening quote ("Plan B. 2019")."""
    if next_word in SENTENCE_STARTERS:
        return False
    index = token_start
    while index > sentence_start and text[index - 1].isspace():
        index -= 1
    previous = _token_before(text, sentence_start, index).lstrip(_OPENERS)
    return not previous or previous[0].isupper() or next_word[:1].isupper()
