"""Month names as dates in running text write them, Vietnamese and English: one table for the
aligner's date anchors (:mod:`songngu.translate.align.anchors`) and the date check
(:mod:`songngu.translate.qa.dates`), so the two never disagree on what names a month."""

from __future__ import annotations

EN_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# The month's number by its English name or abbreviation ("Sept" too; "May" has none).
EN_MONTH_NUMBERS: dict[str, int] = {name: k for k, name in enumerate(EN_MONTH_NAMES, start=1)}
EN_MONTH_NUMBERS.update(
    {name[:3]: k for name, k in list(EN_MONTH_NUMBERS.items()) if name != "May"} | {"Sept": 9}
)

# The words after "tháng" that name a month, lower case and one space apart ("tháng Mười Hai",
# "tháng Giêng"); "bẩy" is the northern spelling of "bảy".
VI_MONTH_WORDS: dict[str, int] = {
    "giêng": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười một": 11,
    "mười hai": 12,
    "chạp": 12,
}
