"""Numbers in Vietnamese and English text, and the check that each number of the source has its
value in the target and that no number appears from nowhere.

Written numbers are read by the convention of their language, and by the other one where that is
possible too (a translator may keep the source's style):

- Vietnamese groups thousands with ``.`` and writes decimals with ``,``: ``1.234.567,89``, ``2,5``;
  English the other way round: ``1,234,567.89``, ``2.5``. A token valid in its language's style is
  read that way; where the other style also reads it and every group is three digits (``1.000``,
  ``1,000``), both readings count; where only the other style reads it (``2.4`` in Vietnamese),
  that one.
- Scale words multiply: ``1,5 triệu`` is ``1.5 million`` is ``1,500,000`` (``nghìn``/``ngàn``
  thousand, ``triệu`` million, ``tỷ``/``tỉ`` billion, ``nghìn tỷ`` trillion; ``thousand``,
  ``million``, ``billion``, ``trillion``, ``bn``, ``m``/``mn`` (also metres: both readings), ``k``);
  ``2 tỷ 500 triệu`` is one number, 2.5 billion.
- Percentages (``%``, ``phần trăm``, ``per cent``), units and currency signs do not change the
  value; ranges (``9-10``, ``10 đến 15``, ``10 to 15``) are two numbers; ordinals are their number
  (``lần thứ 31``, ``31st``), and so is a decade (``1960s``).
- Times: ``8:30`` is ``8:30`` (and ``8.30``, as British English writes it); ``12:00`` is also ``12``
  (``12 giờ``); ``4:41,30`` is ``4:41.30``.
- Codes mixing letters and digits (``H5N1``, ``M16``) must appear letter for letter.

Numbers written as words (``năm``, ``hai mươi lăm``, ``ba triệu``; ``five``, ``twenty-five``,
``tenth``, ``twice``, ``a dozen``) and Roman numerals (``lần thứ XIII``, ``World War II``) may
carry a digit of the other side, but are never demanded themselves: "năm" is also "year", "một" is
"a", "one" a pronoun. The days, months and years of the
dates :mod:`.dates` finds belong to the dates check: they are not demanded as numbers, but may carry
a number of the other side (a year written beside the date).

>>> [str(v) for v in number_readings("1.234.567,89", "vi")]
['1234567.89']
>>> sorted(str(v) for v in number_readings("1,000", "en"))
['1', '1000']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation

from songngu.translate.qa.base import Found, MatchingCheck
from songngu.translate.qa.dates import DateValue, english_dates, vietnamese_dates
from songngu.translate.qa.findings import Finding, Severity
from songngu.translate.qa.segment import QaSegment

Reading = Decimal | str  # a value, or a time of day / duration as "8:30", "4:41.3"
Readings = frozenset[Reading]

_NUMBER = re.compile(r"(?<![\w])(?P<n>\d+(?:[.,:]\d+)*)(?P<suffix>(?:st|nd|rd|th|s)(?!\w))?")
_CODE = re.compile(r"(?<![\w])(?=[^\W\d_]+\d)\w*[^\W\d_]\d\w*")
_VI_SCALES = {"nghìn tỷ": 10**12, "ngàn tỷ": 10**12, "nghìn tỉ": 10**12, "ngàn tỉ": 10**12,
              "nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}  # fmt: skip
_EN_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
              "bn": 10**9, "mn": 10**6, "m": 10**6, "k": 10**3, "tn": 10**12}  # fmt: skip
_AMBIGUOUS_SCALES = frozenset({"m"})  # "5m": five million, or five metres
_VI_SCALE_WORDS = "|".join(sorted(map(re.escape, _VI_SCALES), key=len, reverse=True))
_SCALE_AFTER = {
    "vi": re.compile(rf"\s*(?P<w>{_VI_SCALE_WORDS})(?!\w)", re.I),
    "en": re.compile(r"(?:\s*(?P<w>thousand|million|billion|trillion)|(?P<short>bn|mn|m|k|tn))(?!\w)", re.I),
}  # fmt: skip
_MILITARY_TIME = re.compile(r"\s*(?:GMT|UTC|Z|hours|hrs|h)(?!\w)")
_JOINER = re.compile(r"\s*(?:và\s+)?\Z|\s*(?:and\s+)?\Z")


def _value(number: Decimal | int) -> Decimal:
    """A canonical Decimal: no trailing zeros after the point, no exponent ("2.50" → 2.5, 1E+3 → 1000)."""
    value = Decimal(number).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _grouped(token: str, thousands: str, decimal: str) -> Decimal | None:
    """``token`` read with these separators, or None if it is not valid in that style."""
    whole, mark, fraction = token.partition(decimal)
    if mark and (thousands in fraction or decimal in fraction or not fraction):
        return None
    groups = whole.split(thousands)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    if not all(g.isdigit() for g in groups):
        return None
    try:
        return _value(Decimal("".join(groups) + ("." + fraction if mark else "")))
    except InvalidOperation:  # pragma: no cover - digits only
        return None


def number_readings(token: str, language: str) -> Readings:
    """Every value a digit token may stand for, written in ``language`` ("vi" or "en")."""
    if ":" in token:
        return _clock_readings(token)
    if "." not in token and "," not in token:
        return frozenset({_value(Decimal(token))})
    own, other = ((".", ","), (",", ".")) if language == "vi" else ((",", "."), (".", ","))
    first = _grouped(token, *own)
    second = _grouped(token, *other)
    readings: set[Reading] = set()
    ambiguous = len(set(re.sub(r"\d", "", token))) == 1 and all(
        len(group) == 3 for group in re.split(r"[.,]", token)[1:]
    )
    if first is not None:
        readings.add(first)
    if second is not None and (first is None or ambiguous):
        readings.add(second)
    if readings:
        readings |= _dotted_time(token)
    return frozenset(readings)


def _dotted_time(token: str) -> set[Reading]:
    """``8.30`` or ``15.00`` may be a time of day (British English, and in the other style ``8,30``)."""
    match = re.fullmatch(r"(\d{1,2})[.,](\d\d)", token)
    if match and int(match.group(1)) <= 24 and int(match.group(2)) <= 59:
        return {f"{int(match.group(1))}:{match.group(2)}"}
    return set()


def _clock_readings(token: str) -> Readings:
    parts = token.split(":")
    head = [str(int(p)) if p.isdigit() else p for p in parts[:-1]]
    last = parts[-1].replace(",", ".")
    if "." in last:
        whole, _, fraction = last.partition(".")
        last = whole + ("." + fraction.rstrip("0") if fraction.rstrip("0") else "")
    readings: set[Reading] = {":".join([*head, last])}
    if len(parts) == 2 and parts[1] == "00" and parts[0].isdigit():
        readings.add(_value(Decimal(parts[0])))  # "12:00" is also "12 giờ"
    return frozenset(readings)


def _scaled(readings: Readings, scale: int) -> Readings:
    return frozenset(_value(r * scale) if isinstance(r, Decimal) else r for r in readings)


def digit_numbers(text: str, language: str, skip: Iterable[tuple[int, int]] = ()) -> list[Found[Readings]]:
    """The numbers written with digits in ``text`` (with their scale words), outside ``skip``."""
    spans = list(skip)
    found: list[Found[Readings]] = []
    scale_of: list[int] = []
    for match in _NUMBER.finditer(text):
        start, end = match.span("n")
        if any(a <= start < b for a, b in spans):
            continue
        readings = number_readings(match.group("n"), language)
        scale = 1
        suffix = match.group("suffix")
        after = _SCALE_AFTER[language].match(text, end)
        if after is not None and not suffix:
            word = after.group("w") or after.group("short")
            scale = (_VI_SCALES if language == "vi" else _EN_SCALES)[" ".join(word.lower().split())]
            scaled = _scaled(readings, scale)
            readings = scaled | readings if word.lower() in _AMBIGUOUS_SCALES else scaled
            end = after.end()
        elif suffix:
            end = match.end()
        if _MILITARY_TIME.match(text, end) and re.fullmatch(r"([01]\d|2[0-3])[0-5]\d", match.group("n")):
            token = match.group("n")
            readings = readings | {f"{int(token[:2])}:{token[2:]}"}  # "1200 GMT" is 12:00
        # "2 tỷ 500 triệu": a smaller scale right after a scaled number continues it.
        if found and scale > 1 and 1 < scale < scale_of[-1] and _JOINER.match(text[found[-1].end : start]):
            previous = found.pop()
            total = frozenset(
                _value(a + b)
                for a in previous.value
                for b in readings
                if isinstance(a, Decimal) and isinstance(b, Decimal)
            )
            found.append(Found(total or readings, previous.start, end, text[previous.start : end]))
            scale_of[-1] = scale
            continue
        found.append(Found(readings, start, end, text[start:end]))
        scale_of.append(scale)
    return found


def codes(text: str) -> list[Found[str]]:
    """Tokens mixing letters and digits (``H5N1``, ``M16``): kept letter for letter."""
    return [Found(m.group(), m.start(), m.end(), m.group()) for m in _CODE.finditer(text)]


# ----------------------------------------------------------------------------- numbers as words

_EN_UNITS = {
    w: k
    for k, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_EN_TENS = {
    w: 10 * k
    for k, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2)
}
_EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
    "eightieth": 80, "ninetieth": 90,
}  # fmt: skip
_EN_SCALE_WORDS = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_EN_SCALE_ORDINALS = {"hundredth": 100, "thousandth": 10**3, "millionth": 10**6}
_EN_SPECIAL: dict[str, int | Decimal] = {
    "once": 1, "twice": 2, "thrice": 3, "dozen": 12, "half": Decimal("0.5"), "single": 1, "double": 2,
    "triple": 3, "couple": 2, "pair": 2, "both": 2, "quarter": Decimal("0.25"),
}  # fmt: skip
_WORDS = re.compile(r"[^\W\d_]+")


_ROMAN = re.compile(
    r"(?<![\w])(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})(?![\w])"
)
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}
_BEFORE_SINGLE_ROMAN = re.compile(r"(?i:thứ|khóa|khoá|kỳ|thế\s+kỷ|war|world\s+war)\s+\Z")


def roman_numerals(text: str) -> list[Found[Readings]]:
    """Roman numerals ("Đại hội lần thứ XIII", "thế kỷ XXI", "World War II"): two letters or more,
    or one after a word that takes an ordinal ("thứ V")."""
    found: list[Found[Readings]] = []
    for match in _ROMAN.finditer(text):
        token = match.group()
        if not token or (len(token) == 1 and not _BEFORE_SINGLE_ROMAN.search(text[: match.start()])):
            continue
        values = [_ROMAN_VALUES[char] for char in token]
        total = sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))
        found.append(Found(frozenset({_value(total)}), match.start(), match.end(), token))
    return found


def english_word_numbers(text: str) -> list[Found[Readings]]:
    """Numbers written as English words: runs of number words ("two hundred and five", "twenty-first",
    "a million") and single ones ("twice", "dozen")."""
    found: list[Found[Readings]] = []
    words = [(m.group().lower(), m.start(), m.end()) for m in _WORDS.finditer(text)]
    i = 0
    while i < len(words):
        word, start, end = words[i]
        plural = _en_plural(word)
        if word in _EN_SPECIAL or plural is not None:
            value = _EN_SPECIAL[word] if plural is None else plural
            found.append(Found(frozenset({_value(value)}), start, end, text[start:end]))
            i += 1
            continue
        total, current, k, last_end, seen = 0, 0, i, end, False
        while k < len(words):
            w, _, w_end = words[k]
            gap = text[last_end : words[k][1]] if seen else ""
            if seen and gap.strip(" -") and gap.strip() not in ("", "-"):
                break
            if w in _EN_UNITS or (w in _EN_ORDINALS and not seen) or w in _EN_TENS:
                current += _EN_UNITS.get(w, 0) + _EN_TENS.get(w, 0) + _EN_ORDINALS.get(w, 0)
            elif w in _EN_ORDINALS and seen:
                current += _EN_ORDINALS[w]
            elif w in _EN_SCALE_WORDS or w in _EN_SCALE_ORDINALS:
                scale = _EN_SCALE_WORDS.get(w) or _EN_SCALE_ORDINALS[w]
                if scale == 100:
                    current = max(current, 1) * 100
                else:
                    total += max(current, 1) * scale
                    current = 0
            elif w in ("and", "a") and k + 1 < len(words) and _is_en_number_word(words[k + 1][0]):
                # "a hundred"; "two hundred and five" (after a scale word only: "one and two" is two)
                if (w == "a") == seen or (w == "and" and words[k - 1][0] not in _EN_SCALE_WORDS):
                    break
                last_end = w_end  # a connector inside the number: "two hundred and five"
                k += 1
                continue
            else:
                break
            seen, last_end = True, w_end
            k += 1
            if w in _EN_ORDINALS or w in _EN_SCALE_ORDINALS:
                break  # an ordinal ends the number
        if seen:
            found.append(Found(frozenset({_value(total + current)}), start, last_end, text[start:last_end]))
            i = k
        else:
            i += 1
    return found


def _en_plural(word: str) -> int | None:
    """The number a plural number word names: "sixes" (hits for six), "twenties", "hundreds"."""
    for stem in (word[:-1], word[:-2], word[:-3] + "y") if word.endswith("s") else ():
        for table in (_EN_UNITS, _EN_TENS, _EN_SCALE_WORDS):
            if stem in table:
                return table[stem]
    return None


def _is_en_number_word(word: str) -> bool:
    return word in _EN_UNITS or word in _EN_TENS or word in _EN_ORDINALS or word in _EN_SCALE_WORDS


_VI_UNITS = {"một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "nhăm": 5,
             "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9}  # fmt: skip
_VI_BIG = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}
_VI_SINGLE: dict[str, int | Decimal] = {
    "nhất": 1,
    "đôi mươi": 20,
    "đôi": 2,
    "nửa": Decimal("0.5"),
    "chục": 10,
    "tá": 12,
}
_VI_WORD_NUMBER = frozenset({*_VI_UNITS, *_VI_BIG, "mười", "mươi", "chục", "trăm", "linh", "lẻ", "rưỡi"})


def vietnamese_word_numbers(text: str) -> list[Found[Readings]]:
    """Numbers written as Vietnamese words: "hai mươi lăm" (25), "một trăm linh năm" (105), "ba
    nghìn" (3,000), "một triệu rưỡi" (1,500,000), and single words ("đôi", "nửa", "thứ nhất")."""
    found: list[Found[Readings]] = []
    words = [(m.group().lower(), m.start(), m.end()) for m in _WORDS.finditer(text)]
    i = 0
    while i < len(words):
        word, start, end = words[i]
        if word == "đôi" and i + 1 < len(words) and words[i + 1][0] == "mươi":
            word, end = "đôi mươi", words[i + 1][2]  # "tuổi đôi mươi": in one's twenties
            i += 1
        if word in _VI_SINGLE:
            found.append(Found(frozenset({_value(_VI_SINGLE[word])}), start, end, text[start:end]))
            i += 1
            continue
        if word not in _VI_WORD_NUMBER or word in ("linh", "lẻ", "rưỡi", "mươi"):
            i += 1
            continue
        total, current, last_scale, k, last_end = Decimal(0), Decimal(0), 1, i, end
        previous = ""
        while k < len(words) and words[k][0] in _VI_WORD_NUMBER:
            w, w_start, w_end = words[k]
            if k > i and text[last_end:w_start].strip():
                break
            if w in _VI_UNITS:
                if previous in _VI_UNITS:
                    break  # "hai ba": two or three, two numbers
                current += _VI_UNITS[w]
            elif w == "mười":
                current += 10
            elif w in ("mươi", "chục"):  # "hai mươi", "hai chục": twenty
                current = max(current, Decimal(1)) * 10
            elif w == "trăm":
                current = max(current, Decimal(1)) * 100
            elif w == "rưỡi":  # half of the last scale: "một triệu rưỡi" is 1.5 million
                if last_scale > 1 and not current:
                    total += Decimal("0.5") * last_scale
                else:
                    current += Decimal("0.5")
            elif w in _VI_BIG:
                scale = _VI_BIG[w]
                if scale > last_scale and total:
                    total = (total + max(current, Decimal(1))) * scale
                else:
                    total += max(current, Decimal(1)) * scale
                current = Decimal(0)
                last_scale = scale
            previous, last_end = w, w_end
            k += 1
        value = _value(total + current)
        found.append(Found(frozenset({value}), start, last_end, text[start:last_end]))
        i = max(k, i + 1)
    return found


# ---------------------------------------------------------------------------------------- check


def _date_numbers(dates: Iterable[Found[DateValue]]) -> Iterator[Found[Readings]]:
    for item in dates:
        for number in item.value.numbers():
            yield Found(frozenset({_value(number)}), item.start, item.end, str(number))


class NumbersCheck(MatchingCheck[Readings]):
    """Each number of the source has its value in the target; no number appears from nowhere."""

    name = "numbers"
    family = "numbers"
    description = "numbers agree (1.234,5 ↔ 1,234.5; 2,5 triệu ↔ 2.5 million; 50% ↔ 50 per cent; 31st)"

    def applies(self, segment: QaSegment) -> bool:
        """Wherever either side holds a digit."""
        return bool(segment.target.strip()) and any(c.isdigit() for c in segment.source + segment.target)

    def source_items(self, segment: QaSegment) -> list[Found[Readings]]:
        """The source's digits outside its (strong) dates."""
        return self._items(segment.source, "vi")

    def target_items(self, segment: QaSegment) -> list[Found[Readings]]:
        """The target's digits outside its (strong) dates."""
        return self._items(segment.target, "en")

    def source_supply(self, segment: QaSegment) -> list[Found[Readings]]:
        """The source's digits, number words and date parts."""
        return self._supply(segment.source, "vi")

    def target_supply(self, segment: QaSegment) -> list[Found[Readings]]:
        """The target's digits, number words and date parts."""
        return self._supply(segment.target, "en")

    def agree(self, a: Readings, b: Readings) -> bool:
        """Some reading is shared."""
        return not a.isdisjoint(b)

    def missing(self, item: Found[Readings]) -> Finding:
        """A source number not in the translation."""
        return self.finding(
            Severity.ERROR,
            f"{item.text!r} ({_describe(item.value)}) is not in the translation",
            source=[(item.start, item.end)],
        )

    def extra(self, item: Found[Readings]) -> Finding:
        """A number of the translation not in the source."""
        return self.finding(
            Severity.ERROR,
            f"{item.text!r} ({_describe(item.value)}) is not in the source",
            target=[(item.start, item.end)],
        )

    def inspect(self, segment: QaSegment) -> Iterator[Finding]:
        """Numbers both ways, then codes letter for letter."""
        yield from super().inspect(segment)
        source_codes = {c.text for c in codes(segment.source)}
        target_codes = {c.text for c in codes(segment.target)}
        for item in codes(segment.source):
            if item.text not in target_codes:
                yield self.finding(
                    Severity.ERROR,
                    f"{item.text!r} is not in the translation",
                    source=[(item.start, item.end)],
                )
        for item in codes(segment.target):
            if item.text not in source_codes:
                yield self.finding(
                    Severity.ERROR, f"{item.text!r} is not in the source", target=[(item.start, item.end)]
                )

    @staticmethod
    def _dates(text: str, language: str) -> list[Found[DateValue]]:
        found = vietnamese_dates(text) if language == "vi" else english_dates(text)
        return [item for item in found if not item.value.weak]

    def _items(self, text: str, language: str) -> list[Found[Readings]]:
        dates = self._dates(text, language)
        skip = [(d.start, d.end) for d in dates] + [(c.start, c.end) for c in codes(text)]
        return digit_numbers(text, language, skip)

    def _supply(self, text: str, language: str) -> list[Found[Readings]]:
        dates = self._dates(text, language)
        words = vietnamese_word_numbers(text) if language == "vi" else english_word_numbers(text)
        return [*self._items(text, language), *words, *roman_numerals(text), *_date_numbers(dates)]


def _describe(readings: Readings) -> str:
    """The value as English writes it. Where a token reads two ways, the reading with thousands
    grouped is the larger one and the one its own language means ("1.500" in Vietnamese)."""
    values = [r for r in readings if isinstance(r, Decimal)]
    if values:
        return _format(max(values))
    return min(str(r) for r in readings)


def _format(value: Reading) -> str:
    if isinstance(value, str):
        return value
    return f"{value:,f}" if value == value.to_integral_value() else f"{value:,}"
