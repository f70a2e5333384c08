"""Names: the person and place names of the source appear in the target.

A name in the source is one of:

- a capitalised **foreign word** (not a Vietnamese syllable: "Dylan", "Siminoff", "Halifax"), which
  English keeps as written, or in a form of its own ("Canada" and "Canadian": a shared beginning of
  five letters counts); acronyms are left out, as Vietnamese abbreviates its own words too (CNTT);
- a **Vietnamese personal name**: two to four capitalised syllables starting with a common family
  name ("Nguyễn Xuân Phúc"), which English writes with or without its diacritics ("Nguyen Xuan
  Phuc"); its given name (the last syllable) is enough, as English often says "Mr Phuc";
- a **Vietnamese place name** after the word that names its kind ("tỉnh Quảng Ninh", "thành phố Đà
  Nẵng", "sông Hồng" is left out: rivers and mountains are translated), written in English with or
  without diacritics and spaces ("Quang Ninh", "Danang"); a few cities have an English name of their own
  (Hà Nội is Hanoi, Huế is Hue, Sài Gòn is Saigon: all covered by dropping spaces and diacritics).

Each must appear in the target as a whole word, compared without case, diacritics, spaces or
hyphens; Vietnamese glossary terms are the terms check's business and are skipped. A name missing is a
warning: a translator may have a good reason (a pronoun, an English name for the place).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from songngu.glossary.normalize import fold
from songngu.translate.qa.base import Check
from songngu.translate.qa.findings import Finding, Severity
from songngu.translate.qa.segment import QaSegment
from songngu.translate.qa.vietnamese import ascii_fold, vietnamese_syllable, vietnamese_word

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Compared with their diacritics: "Trương" is a family name, "Trường" (school) is not.
_SURNAMES = frozenset(
    fold(name)
    for name in [
        "Nguyễn",
        "Trần",
        "Lê",
        "Phạm",
        "Hoàng",
        "Huỳnh",
        "Phan",
        "Vũ",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Đinh",
        "Mai",
        "Trịnh",
        "Trương",
        "Lâm",
        "Hà",
        "Cao",
        "Lương",
        "Quách",
        "Thái",
        "Chu",
        "Khúc",
        "Kiều",
        "Đoàn",
    ]
)
# Vietnamese names of foreign places that begin like a family name: translated, not people.
_EXONYMS = frozenset(
    {"ha lan", "thai lan", "thai binh duong", "dai loan", "dai tay duong", "phan lan", "ha ngoai"}
)
_PLACE_KINDS = re.compile(r"(?i:tỉnh|thành\s+phố|huyện|quận|thị\s+xã|thị\s+trấn|phường|xã)\s+$")
# Acronyms Vietnamese text uses for Vietnamese words (they are translated, not kept).


def _name_runs(text: str) -> list[list[re.Match[str]]]:
    """Runs of consecutive capitalised words (separated by spaces or hyphens only)."""
    runs: list[list[re.Match[str]]] = []
    for match in _WORD.finditer(text):
        if not match.group()[0].isupper():
            continue
        if runs and text[runs[-1][-1].end() : match.start()] in (" ", "-", " - "):
            runs[-1].append(match)
        else:
            runs.append([match])
    return runs


def _same_stem(name: str, word: str) -> bool:
    """Whether a target word is the name or a form of it: "Canada" and "Canadian", "Afghanistan"
    and "Afghan" (a shared beginning of five letters, or all of the shorter word of four or more)."""
    shared = 0
    for a, b in zip(name, word, strict=False):
        if a != b:
            break
        shared += 1
    shorter = min(len(name), len(word))
    return shared >= 5 or (shared == shorter and shorter >= 4)


class NamesCheck(Check):
    """Capitalised foreign names, Vietnamese personal names and place names are in the target."""

    name = "names"
    family = "names"
    description = (
        "person and place names of the source appear in the translation (with or without diacritics)"
    )

    def inspect(self, segment: QaSegment) -> Iterator[Finding]:
        """One warning per name whose words are not all in the target."""
        target_words = {
            ascii_fold(m.group()).replace("’", "'").split("'")[0] for m in _WORD.finditer(segment.target)
        }
        squeezed = re.sub(r"[\s\-–]+", "", ascii_fold(segment.target))
        term_spans = [(t.start, t.end) for t in segment.terms]
        reported: set[str] = set()
        for name, start, end, personal in self._names(segment.source):
            if any(a <= start < b for a, b in term_spans) or name in reported:
                continue
            words = [ascii_fold(w).replace("’", "'").split("'")[0] for w in _WORD.findall(name)]
            if len(words) > 1 and "".join(words) in squeezed:
                continue  # "Hanoi" for "Hà Nội", "Danang" for "Đà Nẵng"
            if personal:
                words = words[-1:]  # "Mr Phuc": Vietnamese people go by their given name
            if all(w in target_words or any(_same_stem(w, t) for t in target_words) for w in words):
                continue
            reported.add(name)
            yield self.finding(
                Severity.WARNING, f"name {name!r} is not in the translation", source=[(start, end)]
            )

    def _names(self, source: str) -> Iterator[tuple[str, int, int, bool]]:
        """Each name (text, start, end, whether it is a Vietnamese personal name)."""
        for run in _name_runs(source):
            words = [m.group() for m in run]
            first = fold(words[0])
            vietnamese = [vietnamese_syllable(w) or vietnamese_word(w) for w in words]
            folded = " ".join(ascii_fold(w) for w in words)
            if len(run) >= 2 and all(vietnamese) and first in _SURNAMES and len(run) <= 4:
                if folded in _EXONYMS:
                    continue
                yield source[run[0].start() : run[-1].end()], run[0].start(), run[-1].end(), True
                continue
            if all(vietnamese) and _PLACE_KINDS.search(source[: run[0].start()]):
                yield source[run[0].start() : run[-1].end()], run[0].start(), run[-1].end(), False
                continue
            for match, looks_vietnamese in zip(run, vietnamese, strict=True):
                word = match.group()
                # Acronyms are left out: Vietnamese abbreviates its own words too (CNTT, TCN, UBND).
                if not looks_vietnamese and len(word) > 1 and word.isascii() and not word.isupper():
                    yield word, match.start(), match.end(), False
