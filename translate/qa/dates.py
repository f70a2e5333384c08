"""Dates in Vietnamese and English text, and the check that every date of the source is in the target.

Vietnamese, as news and decrees write them (words in any case but the month names, which are
capitalised: "tháng Chín"; "mồng"/"mùng" stand for "ngày" in the first ten days):

- ``ngày 5 tháng 3 năm 2024``, ``ngày 05 tháng 03 năm 2024`` (the decree style, leading zeros),
  ``5 tháng 3``, ``16 tháng Chín``, ``ngày 9-10 tháng 6``, ``ngày 5 và 6 tháng 3``;
- ``05/3/2024``, ``05.3.2024``, ``9-10/6``, ``ngày 5/3``; ``tháng 7/2019``, ``7/2019``, ``tháng 7 năm
  2019``, ``tháng 10``, ``tháng Giêng``.

English: ``5 March 2024``, ``March 5, 2024``, ``5th of March``, ``5-6 March``, ``March 5-6``, ``Nov. 16``,
``March 2024``, ``in March`` ("May" only beside a day or year, or after a preposition: it is also a
verb), ``5/3/2024`` (day first or month first: both readings), ISO ``2024-03-05`` in either language.

"4 tháng" is four months, not April: a number before "tháng" is a day only when a month follows it.
A bare "D/M" (``2/3``) is a date only with a year, a day range, or a word before it that introduces a
day (``ngày``, ``hôm``, ``sáng``, ``từ``, ``đến``, ...); otherwise it is *weak*: it may account for a
date of the other side, but it is not required to be one (it may be a fraction or a score), and its
digits stay numbers for :mod:`.numbers`. A year alone ("năm 2021", "in 2021") is a number.

Two dates agree when every field both give is equal (day or day range, month, year) and both give a
month. A source date matched only by a date with fewer fields (the day or the year left out) is a
warning, unless the missing year is written elsewhere in the target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from songngu.translate.months import EN_MONTH_NAMES, EN_MONTH_NUMBERS, VI_MONTH_WORDS
from songngu.translate.qa.base import Check, Found, maximum_matching
from songngu.translate.qa.findings import Finding, Severity
from songngu.translate.qa.segment import QaSegment


@dataclass(frozen=True)
class DateFields:
    """One reading of a date: ``days`` (first, last; the same for one day), ``month``, ``year``;
    any of them None when the text does not give it."""

    days: tuple[int, int] | None
    month: int | None
    year: int | None

    def compatible(self, other: DateFields) -> bool:
        """Both give a month, and every field both give is equal."""
        if self.month is None or other.month is None or self.month != other.month:
            return False
        if self.days is not None and other.days is not None and self.days != other.days:
            return False
        return self.year is None or other.year is None or self.year == other.year

    def same_fields(self, other: DateFields) -> bool:
        """Compatible and giving the same fields."""
        return (
            self.compatible(other)
            and (self.days is None) == (other.days is None)
            and (self.year is None) == (other.year is None)
        )

    def describe(self) -> str:
        """``5 March 2024``, ``9-10 June``, ``July 2019``."""
        month = EN_MONTH_NAMES[self.month - 1] if self.month else "?"
        parts = []
        if self.days is not None:
            first, last = self.days
            parts.append(f"{first}" if first == last else f"{first}-{last}")
        parts.append(month)
        if self.year is not None:
            parts.append(str(self.year))
        return " ".join(parts)


@dataclass(frozen=True)
class DateValue:
    """A date as written: its readings (two for an English ``5/3/2024``), and whether it is weak (a
    bare ``D/M`` that may be a fraction: see the module docstring)."""

    readings: tuple[DateFields, ...]
    weak: bool = False

    def compatible(self, other: DateValue) -> bool:
        """Some reading of each agrees."""
        return any(a.compatible(b) for a in self.readings for b in other.readings)

    def same_fields(self, other: DateValue) -> bool:
        """Some reading of each agrees, giving the same fields."""
        return any(a.same_fields(b) for a in self.readings for b in other.readings)

    def numbers(self) -> list[int]:
        """The numbers the date is written with (days, month, year of its first reading)."""
        first = self.readings[0]
        values = [] if first.days is None else sorted(set(first.days))
        values += [v for v in (first.month, first.year) if v is not None]
        return values


_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH_NUMBER = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:1[0-9]\d\d|20\d\d|21\d\d)"
# Month names after "tháng": capitalised (lowercase "tháng năm" is "months and years"); Giêng and
# Chạp are only month names, so any case.
_VI_MONTH_WORD = (
    r"(?:Mười\s+Một|Mười\s+Hai|Mười|Hai|Ba|Tư|Bốn|Năm|Sáu|Bảy|Bẩy|Tám|Chín|(?i:giêng|chạp))(?!\w)"
)
_VI_MONTH = rf"(?:{_MONTH_NUMBER}(?!\d)|{_VI_MONTH_WORD})"
_VI_DAY_WORD = r"(?i:ngày|mồng|mùng)"
_VI_RANGE = r"\s*(?:-|–|(?i:và|đến|tới))\s*"
_BEFORE_NUMBER = r"(?<![\w.,/:])"
# A duration after "N tháng M": "3 tháng 5 ngày" is three months and five days.
_NOT_DURATION = r"(?!\s*(?i:ngày|tuần|tháng|giờ|phút|năm(?!\s*\d)))"

_VI_DAY_MONTH = re.compile(
    rf"(?:{_VI_DAY_WORD}\s+)?{_BEFORE_NUMBER}(?P<d1>{_DAY})(?:{_VI_RANGE}(?P<d2>{_DAY}))?"
    rf"\s+(?i:tháng)\s+(?P<m>{_VI_MONTH}){_NOT_DURATION}"
    rf"(?:(?:\s*,?\s*(?i:năm)\s+|\s*[/-]\s*)(?P<y>{_YEAR})(?!\d))?"
)
_VI_NUMERIC = re.compile(
    rf"(?P<word>{_VI_DAY_WORD}\s+)?{_BEFORE_NUMBER}(?P<d1>{_DAY})(?:\s*[-–]\s*(?P<d2>{_DAY}))?"
    rf"(?:\s*/\s*(?P<m>{_MONTH_NUMBER})(?:\s*/\s*(?P<y>{_YEAR}))?|\.(?P<mdot>{_MONTH_NUMBER})\.(?P<ydot>{_YEAR}))"
    r"(?![\d/]|[.,]\d)"
)
_VI_MONTH_ONLY = re.compile(
    rf"(?i:tháng)\s+(?P<m>{_VI_MONTH})(?:(?:\s*[/-]\s*|\s*,?\s*(?i:năm)\s+)(?P<y>{_YEAR})(?!\d))?"
)
_VI_MONTH_YEAR = re.compile(rf"{_BEFORE_NUMBER}(?P<m>{_MONTH_NUMBER})\s*/\s*(?P<y>{_YEAR})(?![\d/])")
# Words that introduce a day: a "D/M" after them is a date, not a fraction.
_VI_DAY_CONTEXT = re.compile(
    r"(?i:ngày|mồng|mùng|hôm|sáng|chiều|tối|trưa|đêm|từ|đến|tới|vào|trước|sau|qua|nay|"
    r"hai|ba|tư|năm|sáu|bảy|nhật|cn)[\s,]*\Z"
)

_EN_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)(?![\w])"
)
_EN_DAY = rf"{_BEFORE_NUMBER}(?:{_DAY})(?:st|nd|rd|th)?(?!\w)"
_EN_RANGE = r"\s*(?:-|–|to|and|&)\s*"
_EN_DAY_MONTH = re.compile(
    rf"(?P<d1>{_EN_DAY})(?:{_EN_RANGE}(?P<d2>{_EN_DAY}))?\s+(?:of\s+)?(?P<m>{_EN_MONTH})"
    rf"(?:,?\s+(?P<y>{_YEAR})(?!\d))?"
)
_EN_MONTH_DAY = re.compile(
    rf"(?P<m>{_EN_MONTH})\s+(?:the\s+)?(?P<d1>{_EN_DAY})(?:{_EN_RANGE}(?P<d2>{_EN_DAY}))?"
    rf"(?!\s*(?:%|per\b|percent\b|[.,:]\d))(?:,?\s+(?P<y>{_YEAR})(?!\d))?"
)
_EN_MONTH_ONLY = re.compile(rf"(?P<m>{_EN_MONTH})(?:,?\s+(?:of\s+)?(?P<y>{_YEAR})(?!\d))?")
_EN_NUMERIC = re.compile(
    rf"{_BEFORE_NUMBER}(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})(?:/(?P<y>{_YEAR}|\d\d))?(?![\d/]|[.,]\d)"
)
_ISO = re.compile(rf"{_BEFORE_NUMBER}(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?!\d)")
# "May" is a month beside a day or a year (the patterns above), or after one of these.
_MAY_CONTEXT = re.compile(
    r"(?i:in|since|until|till|by|from|of|last|next|early|late|mid|this|during|before|after|through|"
    r"throughout|between|end|beginning|start)[\s-]*\Z"
)


def _days(first: str | None, last: str | None) -> tuple[int, int] | None:
    if first is None:
        return None
    a = int(re.sub(r"\D", "", first))
    return (a, int(re.sub(r"\D", "", last)) if last else a)


def _vi_month(text: str) -> int:
    return int(text) if text.isdigit() else VI_MONTH_WORDS[" ".join(text.split()).lower()]


def _en_month(text: str) -> int:
    return EN_MONTH_NUMBERS[text.rstrip(".")]


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    value = int(text)
    return value + 2000 if value < 100 else value  # "5/3/24"


def _dedupe(found: Iterable[Found[DateValue]]) -> list[Found[DateValue]]:
    """Keep the earlier-listed pattern where matches overlap; return in text order."""
    kept: list[Found[DateValue]] = []
    for item in found:
        if all(item.end <= other.start or item.start >= other.end for other in kept):
            kept.append(item)
    return sorted(kept, key=lambda item: item.start)


def vietnamese_dates(text: str) -> list[Found[DateValue]]:
    """The dates of a Vietnamese text (module docstring), in text order."""

    def found() -> Iterator[Found[DateValue]]:
        for m in _VI_DAY_MONTH.finditer(text):
            fields = DateFields(_days(m["d1"], m["d2"]), _vi_month(m["m"]), _year(m["y"]))
            yield Found(DateValue((fields,)), m.start(), m.end(), m.group())
        for m in _VI_NUMERIC.finditer(text):
            month = m["m"] or m["mdot"]
            year = m["y"] or m["ydot"]
            fields = DateFields(_days(m["d1"], m["d2"]), int(month), _year(year))
            strong = bool(m["word"] or year or m["d2"] or _VI_DAY_CONTEXT.search(text[: m.start()]))
            yield Found(DateValue((fields,), weak=not strong), m.start(), m.end(), m.group())
        for pattern in (_VI_MONTH_ONLY, _VI_MONTH_YEAR):
            for m in pattern.finditer(text):
                fields = DateFields(None, _vi_month(m["m"]), _year(m["y"]))
                yield Found(DateValue((fields,)), m.start(), m.end(), m.group())
        yield from _iso(text)

    return _dedupe(found())


def english_dates(text: str) -> list[Found[DateValue]]:
    """The dates of an English text (module docstring), in text order."""

    def found() -> Iterator[Found[DateValue]]:
        for pattern in (_EN_DAY_MONTH, _EN_MONTH_DAY):
            for m in pattern.finditer(text):
                fields = DateFields(_days(m["d1"], m["d2"]), _en_month(m["m"]), _year(m["y"]))
                yield Found(DateValue((fields,)), m.start(), m.end(), m.group())
        yield from _iso(text)
        for m in _EN_NUMERIC.finditer(text):
            a, b, year = int(m["a"]), int(m["b"]), _year(m["y"])
            readings = tuple(
                DateFields((day, day), month, year)
                for day, month in dict.fromkeys(((a, b), (b, a)))
                if 1 <= day <= 31 and 1 <= month <= 12
            )
            if readings:
                yield Found(DateValue(readings, weak=year is None), m.start(), m.end(), m.group())
        for m in _EN_MONTH_ONLY.finditer(text):
            if m["m"] == "May" and not m["y"] and not _MAY_CONTEXT.search(text[: m.start()]):
                continue
            fields = DateFields(None, _en_month(m["m"]), _year(m["y"]))
            yield Found(DateValue((fields,)), m.start(), m.end(), m.group())

    return _dedupe(found())


def _iso(text: str) -> Iterator[Found[DateValue]]:
    for m in _ISO.finditer(text):
        fields = DateFields(_days(m["d"], None), int(m["m"]), int(m["y"]))
        yield Found(DateValue((fields,)), m.start(), m.end(), m.group())


_YEAR_IN_TEXT = re.compile(rf"(?<!\d){_YEAR}(?!\d)")


class DatesCheck(Check):
    """Every date of the source is in the target, and no date appears from nowhere."""

    name = "dates"
    family = "dates"
    description = "dates agree (ngày 5 tháng 3 năm 2024, 05/3/2024, 9-10/6, tháng 7/2019 ↔ 5 March 2024, ...)"

    def inspect(self, segment: QaSegment) -> Iterator[Finding]:
        """Pair the dates of both sides: same fields first, then fewer fields (a warning)."""
        source = vietnamese_dates(segment.source)
        target = english_dates(segment.target)
        pairs = _pair(source, target)
        years = {int(y) for y in _YEAR_IN_TEXT.findall(segment.target)}
        for item, partner in zip(source, pairs, strict=True):
            if partner is None:
                if not item.value.weak:
                    yield self.finding(
                        Severity.ERROR,
                        f"date {item.text!r} ({item.value.readings[0].describe()}) is not in the translation",
                        source=[(item.start, item.end)],
                    )
                continue
            other = target[partner]
            lost = _lost_fields(item.value, other.value, years)
            if lost:
                yield self.finding(
                    Severity.WARNING,
                    f"date {item.text!r} ({item.value.readings[0].describe()}) is rendered {other.text!r}, "
                    f"without the {lost}",
                    source=[(item.start, item.end)],
                    target=[(other.start, other.end)],
                )
        used = {p for p in pairs if p is not None}
        numbers = _numbers_in(segment.source)
        for j, item in enumerate(target):
            if j in used or item.value.weak:
                continue
            # A date the source writes as bare numbers the date patterns do not take ("24/7").
            if all(n in numbers for n in item.value.numbers()):
                continue
            yield self.finding(
                Severity.ERROR,
                f"date {item.text!r} ({item.value.readings[0].describe()}) is not in the source",
                target=[(item.start, item.end)],
            )


def _pair(source: list[Found[DateValue]], target: list[Found[DateValue]]) -> list[int | None]:
    """Source dates paired with target dates giving the same fields, then the rest with compatible
    ones."""
    strict = maximum_matching(source, target, lambda a, b: a.value.same_fields(b.value))
    taken = {j for j in strict if j is not None}
    left = [i for i, j in enumerate(strict) if j is None]
    free = [j for j in range(len(target)) if j not in taken]
    loose = maximum_matching(
        [source[i] for i in left], [target[j] for j in free], lambda a, b: a.value.compatible(b.value)
    )
    pairs = list(strict)
    for i, k in zip(left, loose, strict=True):
        pairs[i] = None if k is None else free[k]
    return pairs


def _lost_fields(source: DateValue, target: DateValue, years: set[int]) -> str:
    """What the source date gives that its partner leaves out ("day", "year"; "" for nothing)."""
    best = ""
    for a in source.readings:
        for b in target.readings:
            if not a.compatible(b):
                continue
            lost = []
            if a.days is not None and b.days is None:
                lost.append("day")
            if a.year is not None and b.year is None and a.year not in years:
                lost.append("year")
            if not lost:
                return ""
            best = best or " and ".join(lost)
    return best


_DIGITS = re.compile(r"\d+")


def _numbers_in(text: str) -> set[int]:
    return {int(d) for d in _DIGITS.findall(text)}
