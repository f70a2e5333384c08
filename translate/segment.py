"""Splitting an article into paragraphs and sentences, with stable ids: Vietnamese, or English.

Paragraphs are separated by one or more blank lines (a line holding only whitespace is blank); a
single line break inside a paragraph is a soft wrap. Sentences end at sentence-final punctuation
(``.``, ``!``, ``?``, ``…``, ``...`` and combinations, with any closing quotes or brackets that belong
to the sentence) followed by whitespace and something that can start a sentence: an uppercase letter,
a digit, an opening quote or bracket. Abbreviations, titles and initials do not end a sentence. The
rules for periods are Vietnamese here; English ones (``language="en"``, for the English side of a
bilingual archive) are in :mod:`translate.segment_en`.

Every offset is a Python string index into the text as given, so that a sentence can always be
traced back to the exact characters of the article.
"""

from __future__ import annotations

import os
import re
from pathlib import PurePath
from typing import Literal

from songngu.filenames import printable
from songngu.translate import segment_en
from songngu.translate.records import Segment

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")

# Titles and abbreviations that are followed by a period and then, usually, a capitalised name or a
# number; a period after them does not end a sentence. Compared case-sensitively, because "Tp." is a
# title but "tp." at the end of a sentence is not something news text writes.
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        # Vietnamese academic, professional and administrative titles and places
        "GS",
        "PGS",
        "TS",
        "ThS",
        "Th.S",
        "TSKH",
        "CN",
        "BS",
        "ThsBS",
        "KS",
        "KTS",
        "LS",
        "NGƯT",
        "NSƯT",
        "TP",
        "Tp",
        "TT",
        "Q",
        "P",
        "NXB",
        "Nxb",
        "tr",
        "Tr",
        "Th",
        "St",
        # English and international titles common in Vietnamese news
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Prof",
        "Jr",
        "Sr",
        "Gen",
        "Col",
        "Capt",
        "Lt",
        "Sgt",
        "Rev",
        "Hon",
        "Mt",
        "No",
        "Vol",
        "vol",
        "vs",
        "v",  # "Roe v. Wade"
        "Inc",
        "Ltd",
        "Co",
        "Corp",
        "TS.BS",
    }
)

_TERMINALS = ".!?…"
_CLOSERS = "”\"»)]’'›」』"
_OPENERS = "“\"«([‘'‹「『"
_DETACHED_CLOSERS = '”"»’'

# A run of sentence-final punctuation and closing quotes/brackets with at least one terminal in it,
# directly followed by whitespace: the only places a sentence can end inside a paragraph.
_CLOSE = re.escape(_CLOSERS)
_TERM = re.escape(_TERMINALS)
_BOUNDARY = re.compile(rf"[{_CLOSE}{_TERM}]*[{_TERM}][{_CLOSE}{_TERM}]*(?=\s)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SOFT_WRAP = re.compile(r"[^\S\r\n]*(?:\r\n|\r|\n)\s*")
_NEXT_INITIAL = re.compile(r"[^\W\d_]\.(?=\s|[^\W\d_]\.)")
_LIST_MARKER = re.compile(r"(?:\d+|[IVXLCDM]+|[A-Za-zĐđ])")


def article_name(path: str | os.PathLike[str]) -> str:
    """The article's name used in segment ids and output file names: its file name without the last
    suffix, bytes that are not UTF-8 written as their escapes (:func:`songngu.filenames.printable`)."""
    return printable(PurePath(os.fsdecode(path)).stem)


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the paragraphs of ``text``, in order.

    Blank (or whitespace-only) lines separate paragraphs; any number of them counts as one break.
    Each span starts at the paragraph's first non-space character and ends after its last one, so
    paragraphs holding only whitespace do not appear.
    """
    spans: list[tuple[int, int]] = []
    start: int | None = None
    end = 0
    for line in _LINE.finditer(text):
        content = line.group().rstrip("\r\n")
        if not content.strip():
            if start is not None:
                spans.append((start, end))
                start = None
            if line.end() >= len(text):
                break
            continue
        first = line.start() + (len(content) - len(content.lstrip()))
        if start is None:
            start = first
        end = line.start() + len(content.rstrip())
        if line.end() >= len(text):
            break
    if start is not None:
        spans.append((start, end))
    return spans


def split_sentences(paragraph: str, language: Language = "vi") -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the sentences of one paragraph, relative to ``paragraph``.

    ``language`` chooses the rules for periods (Vietnamese here; English in
    :mod:`translate.segment_en`). Spans are stripped of surrounding whitespace, in order,
    non-overlapping, and together cover every non-space character of the paragraph.
    """
    spans: list[tuple[int, int]] = []
    sentence_start = _skip_space(paragraph, 0)
    for match in _BOUNDARY.finditer(paragraph):
        if match.start() <= sentence_start:
            continue
        end = match.end()
        after = _skip_space(paragraph, end)
        if _is_detached_closer(paragraph, after):
            # 'Hu nói. " Ông ấy': a closing quote set off by a space still ends the sentence before
            end = after + 1
            after = _skip_space(paragraph, end)
        if after >= len(paragraph):
            break
        if language == "en":
            ends = segment_en.ends_sentence(paragraph, sentence_start, match.start(), match.group(), after)
        else:
            ends = _ends_sentence(paragraph, sentence_start, match, after)
        if ends:
            spans.append((sentence_start, end))
            sentence_start = after
    end = len(paragraph.rstrip())
    if sentence_start < end:
        spans.append((sentence_start, end))
    return spans


def segment_article(text: str, name: str, language: Language = "vi") -> list[Segment]:
    """The sentences of an article, with ids ``"<name>:<paragraph>:<sentence>"`` (1-based).

    ``start``/``end`` index into ``text`` exactly as given; ``source`` is that slice with soft line
    wraps turned into single spaces; ``line`` is the 1-based line ``start`` is on (a line ends at
    ``\n``, ``\r\n`` or a lone ``\r``, as paragraphs are split). The same text and name always
    give the same segments.
    """
    segments: list[Segment] = []
    line, counted = 1, 0  # the line number at offset ``counted``, advanced segment by segment
    for paragraph_number, (p_start, p_end) in enumerate(split_paragraphs(text), start=1):
        paragraph = text[p_start:p_end]
        for sentence_number, (s_start, s_end) in enumerate(split_sentences(paragraph, language), start=1):
            start, end = p_start + s_start, p_start + s_end
            # A sentence starts at a non-space character, so no CRLF straddles ``counted``.
            line += len(_LINE_BREAK.findall(text, counted, start))
            counted = start
            segments.append(
                Segment(
                    id=f"{name}:{paragraph_number}:{sentence_number}",
                    source=unwrap(text[start:end]),
                    paragraph=paragraph_number,
                    sentence=sentence_number,
                    start=start,
                    end=end,
                    line=line,
                )
            )
    return segments


def unwrap(text: str) -> str:
    """``text`` with each soft line wrap (a line break and the spaces around it) turned into one space,
    and surrounding whitespace removed."""
    return _SOFT_WRAP.sub(" ", text).strip()


def _is_detached_closer(text: str, index: int) -> bool:
    """Whether ``text[index]`` is a closing quote standing alone between spaces (or at the end)."""
    return (
        index < len(text)
        and text[index] in _DETACHED_CLOSERS
        and (index + 1 == len(text) or text[index + 1].isspace())
    )


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _ends_sentence(text: str, sentence_start: int, match: re.Match[str], after: int) -> bool:
    """Whether the punctuation run ``match``, followed by whitespace up to ``after``, ends a sentence."""
    following = text[after]
    if not (following.isupper() or following.isdigit() or following in _OPENERS):
        return False  # "… và", "TP. hồ": a lowercase continuation is the same sentence
    run = match.group()
    terminals = run.strip(_CLOSERS)
    if terminals != "." or run != terminals:
        return True  # "!", "?", "…", "...", or a period after a closing quote: never an abbreviation
    token = _token_before(text, sentence_start, match.start())
    if not token:
        return True
    bare = token.lstrip(_OPENERS)
    last = bare.rsplit(".", 1)[-1]
    if bare in ABBREVIATIONS or last in ABBREVIATIONS:
        return False
    if len(last) == 1 and last.isupper() and last.isalpha():
        return not _is_initial(text, sentence_start, match.start() - len(token), bare, after)
    # "1. Mở đầu", "II. Kết quả": a list marker opening the sentence
    return not (match.start() - len(token) == sentence_start and _LIST_MARKER.fullmatch(bare))


def _token_before(text: str, sentence_start: int, index: int) -> str:
    start = index
    while start > sentence_start and not text[start - 1].isspace():
        start -= 1
    return text[start:index]


def _is_initial(text: str, sentence_start: int, token_start: int, bare: str, after: int) -> bool:
    """Whether a single capital letter before a period is a name's initial ("J. K. Rowling").

    It is when it belongs to a dotted group ("J.R.R."), is followed by another initial, opens the
    sentence, or follows a capitalised word ("George W. Bush"); after a lowercase word and before an
    ordinary word ("vitamin C. Các") it ends the sentence.
    """
    if "." in bare or _NEXT_INITIAL.match(text, after):
        return True
    index = token_start
    while index > sentence_start and text[index - 1].isspace():
        index -= 1
    previous = _token_before(text, sentence_start, index).lstrip(_OPENERS)
    if not previous:
        return True
    return previous[0].isupper()
