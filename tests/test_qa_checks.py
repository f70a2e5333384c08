"""The QA checks one by one: Vietnamese conventions for numbers and dates, terms, names, untranslated
text, length, form; the registry and ignore rules. Hypothesis covers the invariants: a value written
the Vietnamese way and the English way always agrees, and any other value is caught."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from songngu.errors import InputError
from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import GlossaryEntry
from songngu.translate.qa.checker import QualityChecker, build_checks, select, selectors
from songngu.translate.qa.dates import DatesCheck, english_dates, vietnamese_dates
from songngu.translate.qa.findings import Severity
from songngu.translate.qa.form import BracketsCheck, PunctuationCheck, RepeatedWordsCheck, SpacingCheck
from songngu.translate.qa.ignore import parse_ignore
from songngu.translate.qa.length import FLORES_MODEL, LengthCheck, fit_length_model
from songngu.translate.qa.names import NamesCheck
from songngu.translate.qa.numbers import NumbersCheck, number_readings
from songngu.translate.qa.segment import QaSegment, QaTerm, qa_terms
from songngu.translate.qa.terms import TermsCheck
from songngu.translate.qa.untranslated import UntranslatedCheck

ROOT = Path(__file__).resolve().parent.parent
FLORES = ROOT / "data" / "flores200"


def seg(source: str, target: str, **kwargs: object) -> QaSegment:
    return QaSegment("bai:1:1", source, target, **kwargs)  # type: ignore[arg-type]


def messages(check: object, source: str, target: str, **kwargs: object) -> list[str]:
    return [f.message for f in check.run(seg(source, target, **kwargs))]  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------ numbers

AGREE = [
    ("Dân số là 1.234.567,89 người.", "The population is 1,234,567.89."),
    ("Tăng trưởng 2,5%.", "Growth of 2.5%."),
    ("Tăng 50 phần trăm.", "Up 50 per cent."),
    ("Ngân sách 1,5 triệu đô la.", "A budget of $1.5 million."),
    ("Ngân sách 1,5 triệu đô la.", "A budget of $1,500,000."),
    ("Khoản vay 2 tỷ 500 triệu đồng.", "A loan of VND 2.5 billion."),
    ("Có 3 nghìn người.", "There were 3,000 people."),
    ("Có 3 ngàn người.", "There were three thousand people."),
    ("Dự án 15 nghìn tỷ đồng.", "A VND 15 trillion project."),
    ("Đây là lần thứ 31 hội nghị được tổ chức.", "This is the 31st time the conference is held."),
    ("Có 2 chặng đua.", "There were two races."),
    ("Về đích thứ 10.", "She finished tenth."),
    ("Năm phút sau.", "Five minutes later."),
    ("Trong thập niên 1960.", "Throughout the 1960s."),
    ("Lúc 12:00 giờ GMT.", "At 1200 GMT."),
    ("Lúc 12 giờ GMT.", "At 12.00 GMT."),
    ("Thời gian 4:41,30.", "A time of 4:41.30."),
    ("Tần số 2.4 Ghz.", "A frequency of 2.4Ghz."),
    ("Virus H5N1.", "The H5N1 virus."),
    ("Từ 10 đến 15 người.", "From 10 to 15 people."),
    ("Hai chục người.", "20 people."),
    ("Ở tuổi đôi mươi.", "In his 20s."),
    ("Tỷ số 21 - 20.", "The score was 21 to 20."),
]


@pytest.mark.parametrize(("source", "target"), AGREE)
def test_numbers_that_agree(source: str, target: str) -> None:
    assert messages(NumbersCheck(), source, target) == []


DISAGREE = [
    ("Có 1.234 người.", "There were 1,243 people.", 2),
    ("Tăng trưởng 2,5%.", "Growth of 25%.", 2),
    ("Ngân sách 1,5 triệu đô la.", "A budget of $1.5 billion.", 2),
    ("Có 3 nghìn người.", "There were 300 people.", 2),
    ("Có 30 người.", "There were people.", 1),
    ("Có nhiều người.", "There were 30 people.", 1),
    ("Virus H5N1.", "The H5N2 virus.", 2),
    ("Lần thứ 31.", "The 13th time.", 2),
]


@pytest.mark.parametrize(("source", "target", "count"), DISAGREE)
def test_numbers_that_differ_are_errors_with_spans(source: str, target: str, count: int) -> None:
    findings = NumbersCheck().run(seg(source, target))
    assert len(findings) == count
    assert all(f.severity is Severity.ERROR for f in findings)
    for finding in findings:
        spans = [source[s.start : s.end] for s in finding.source] + [
            target[s.start : s.end] for s in finding.target
        ]
        assert len(spans) == 1 and any(char.isdigit() for char in spans[0]), finding


def test_number_readings_follow_each_language_and_keep_the_other_where_possible() -> None:
    assert number_readings("1.234.567,89", "vi") == {Decimal("1234567.89")}
    assert number_readings("1,234,567.89", "en") == {Decimal("1234567.89")}
    assert number_readings("2,5", "vi") == {Decimal("2.5")}
    assert number_readings("2.4", "vi") == {Decimal("2.4")}  # only the English style reads it
    assert number_readings("1.000", "vi") == {Decimal(1000), Decimal(1)}  # both styles read it
    assert number_readings("8:30", "en") == {"8:30"}


def vietnamese_number(value: Decimal) -> str:
    whole, _, fraction = f"{value:f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return grouped + ("," + fraction if fraction else "")


def english_number(value: Decimal) -> str:
    whole, _, fraction = f"{value:f}".partition(".")
    return f"{int(whole):,}" + ("." + fraction if fraction else "")


values = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False).map(
    lambda d: d.normalize() if d != d.to_integral_value() else d.quantize(Decimal(1))
)


@given(values)
def test_a_value_written_both_ways_agrees(value: Decimal) -> None:
    source = f"Có {vietnamese_number(value)} người tham gia."
    target = f"There were {english_number(value)} participants."
    assert NumbersCheck().run(seg(source, target)) == []


@given(values, values)
def test_any_other_value_is_caught(value: Decimal, other: Decimal) -> None:
    vi, en = vietnamese_number(value), english_number(other)
    # A token that reads two ways (1.000, 1,000) stands for both values: that alone may hide a change.
    assume(not number_readings(vi, "vi") & number_readings(en, "en"))
    findings = NumbersCheck().run(seg(f"Có {vi} người tham gia.", f"There were {en} participants."))
    assert {f.message.endswith("is not in the translation") for f in findings} == {True, False}


@given(st.integers(min_value=1, max_value=999), st.sampled_from([("triệu", "million"), ("tỷ", "billion")]))
def test_scale_words_agree_with_digits_and_words(count: int, scale: tuple[str, str]) -> None:
    vi_word, en_word = scale
    zeros = 6 if en_word == "million" else 9
    source = f"Tổng cộng {count} {vi_word} đồng."
    for target in (f"A total of VND {count} {en_word}.", f"A total of VND {count * 10**zeros:,}."):
        assert NumbersCheck().run(seg(source, target)) == [], target


# -------------------------------------------------------------------------------------- dates

VI_FORMS = [
    ("ngày 5 tháng 3 năm 2024", (5, 3, 2024)),
    ("ngày 05 tháng 03 năm 2024", (5, 3, 2024)),
    ("05/3/2024", (5, 3, 2024)),
    ("05/03/2024", (5, 3, 2024)),
    ("05.03.2024", (5, 3, 2024)),
    ("16 tháng Chín", (16, 9, None)),
    ("tháng 7/2019", (None, 7, 2019)),
    ("tháng 7 năm 2019", (None, 7, 2019)),
    ("tháng Giêng", (None, 1, None)),
    ("ngày 5/3", (5, 3, None)),
]


@pytest.mark.parametrize(("text", "fields"), VI_FORMS)
def test_vietnamese_date_forms(text: str, fields: tuple[int | None, int, int | None]) -> None:
    (found,) = vietnamese_dates(f"Sự kiện diễn ra {text} tại Hà Nội.")
    day, month, year = fields
    reading = found.value.readings[0]
    assert (reading.days, reading.month, reading.year) == ((day, day) if day else None, month, year)
    assert found.text == text


def test_a_duration_is_no_date_and_a_bare_fraction_is_weak() -> None:
    assert vietnamese_dates("Đàn chuột 4 tháng tuổi.") == []
    (third,) = vietnamese_dates("Khoảng 2/3 dân số.")
    assert third.value.weak
    assert not vietnamese_dates("Hôm 2/3, dân số tăng.")[0].value.weak


def test_may_is_a_month_only_beside_a_day_a_year_or_a_preposition() -> None:
    assert english_dates("May I come in?") == []
    assert [d.text for d in english_dates("It opened in May, on May 5 and in May 2020.")] == [
        "May",
        "May 5",
        "May 2020",
    ]


DATE_PAIRS = [
    ("Ngày 5 tháng 3 năm 2024, hội nghị khai mạc.", "On 5 March 2024, the conference opened."),
    ("Ngày 5 tháng 3 năm 2024, hội nghị khai mạc.", "On March 5, 2024, the conference opened."),
    ("Hội nghị diễn ra ngày 9-10/6.", "The conference took place on 9-10 June."),
    ("Hội nghị diễn ra ngày 9-10/6.", "The conference took place on June 9-10."),
    ("Từ tháng 7/2019, giá tăng.", "Since July 2019, prices have risen."),
    ("Vào ngày 16 tháng 11, ông đến.", "He arrived on November 16."),
    ("Vào ngày 16 tháng 11, ông đến.", "He arrived on Nov. 16."),
    ("Khoảng 2/3 dân số.", "About two thirds of the population."),
    ("Ngày 5 tháng 3 năm 2024.", "On 5 March in 2024."),
]


@pytest.mark.parametrize(("source", "target"), DATE_PAIRS)
def test_dates_that_agree(source: str, target: str) -> None:
    assert messages(DatesCheck(), source, target) == []


@pytest.mark.parametrize(
    ("source", "target", "severity"),
    [
        ("Ngày 5 tháng 3 năm 2024, hội nghị khai mạc.", "On 6 March 2024, the conference opened.", "error"),
        ("Ngày 5 tháng 3 năm 2024, hội nghị khai mạc.", "On 5 April 2024, the conference opened.", "error"),
        ("Ngày 5 tháng 3 năm 2024, hội nghị khai mạc.", "In March 2024, the conference opened.", "warning"),
        ("Hội nghị khai mạc.", "The conference opened on 5 March.", "error"),
    ],
)
def test_dates_that_moved(source: str, target: str, severity: str) -> None:
    findings = DatesCheck().run(seg(source, target))
    assert [str(f.severity) for f in findings][:1] == [severity]


@given(
    st.integers(min_value=1, max_value=28),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1900, max_value=2099),
    st.integers(min_value=0, max_value=2),
    st.integers(min_value=0, max_value=2),
    st.integers(min_value=1, max_value=27),
)
def test_a_date_in_any_usual_form_agrees_and_a_moved_one_is_caught(
    day: int, month: int, year: int, vi_form: int, en_form: int, shift: int
) -> None:
    from songngu.translate.months import EN_MONTH_NAMES as MONTH_NAMES

    vi = (
        f"ngày {day} tháng {month} năm {year}",
        f"{day:02d}/{month:02d}/{year}",
        f"ngày {day}/{month}/{year}",
    )
    name = MONTH_NAMES[month - 1]

    def english(d: int) -> str:
        return (f"{d} {name} {year}", f"{name} {d}, {year}", f"{name} {d} {year}")[en_form]

    source = f"Luật có hiệu lực từ {vi[vi_form]}."
    assert DatesCheck().run(seg(source, f"The law takes effect on {english(day)}.")) == []
    moved = (day + shift - 1) % 28 + 1
    findings = DatesCheck().run(seg(source, f"The law takes effect on {english(moved)}."))
    assert findings and all(f.severity is Severity.ERROR for f in findings)


# -------------------------------------------------------------------------------------- terms

UN = GlossaryEntry(
    "Liên hợp quốc",
    "United Nations",
    acronym="UN",
    vi_acronym="LHQ",
    en_variants=("U.N.",),
    en_forbidden=("League of Nations",),
)
PM = GlossaryEntry("Thủ tướng", "Prime Minister", en_forbidden=("Premier",))


def terms_of(source: str) -> tuple[QaTerm, ...]:
    return qa_terms(GlossaryMatcher([UN, PM]).find(source))


@pytest.mark.parametrize(
    "target",
    [
        "The United Nations met.",
        "The U.N. met.",
        "United Nations' work.",  # possessive
        "Two Prime Ministers met at the United Nations.",  # plural
    ],
)
def test_terms_met_in_any_accepted_form(target: str) -> None:
    source = "Thủ tướng hai nước gặp nhau tại Liên hợp quốc." if "Prime" in target else "Liên hợp quốc họp."
    assert messages(TermsCheck(), source, target, terms=terms_of(source)) == []


def test_terms_missing_forbidden_in_another_case_and_doubled_acronyms() -> None:
    source = "Thủ tướng phát biểu tại Liên hợp quốc (LHQ)."
    check = TermsCheck()
    wrong = check.run(seg(source, "The Premier spoke at the League of Nations.", terms=terms_of(source)))
    assert [f.severity for f in wrong] == [Severity.ERROR] * 4  # two missing, two forbidden
    assert {source[s.start : s.end] for f in wrong for s in f.source} == {"Thủ tướng", "Liên hợp quốc (LHQ)"}
    cased = check.run(
        seg("Thủ tướng phát biểu.", "The prime minister spoke.", terms=terms_of("Thủ tướng phát biểu."))
    )
    assert [f.severity for f in cased] == [Severity.WARNING]
    assert "prime minister" in cased[0].message
    doubled = check.run(
        seg(source, "The Prime Minister spoke at the United Nations (UN) (UN).", terms=terms_of(source))
    )
    assert [f.message for f in doubled] == ["acronym 'UN' doubled: '(UN) (UN)'"]


def test_terms_check_reads_an_edited_text_that_no_constraint_protects() -> None:
    # "UN" is not met by "UNDP": the one whole-phrase rule.
    source = "LHQ họp."
    entry = GlossaryEntry("Liên hợp quốc", "United Nations", acronym="UN", vi_acronym="LHQ")
    terms = qa_terms(GlossaryMatcher([entry]).find(source))
    assert messages(TermsCheck(), source, "The UNDP met.", terms=terms) == [
        "term 'LHQ' should be rendered 'UN'"
    ]


# -------------------------------------------------------------------------------------- names


def test_names_foreign_vietnamese_and_places() -> None:
    source = "Thủ tướng Nguyễn Xuân Phúc đến tỉnh Quảng Ninh và Hà Nội, gặp Bob Dylan ở Canada."
    good = (
        "Prime Minister Nguyen Xuan Phuc visited Quang Ninh province and Hanoi, meeting Bob Dylan in Canada."
    )
    assert messages(NamesCheck(), source, good) == []
    with_diacritics = good.replace("Nguyen Xuan Phuc", "Nguyễn Xuân Phúc")
    assert messages(NamesCheck(), source, with_diacritics) == []
    adjective = "Prime Minister Nguyen Xuan Phuc visited Quang Ninh and Hanoi, meeting Bob Dylan, a Canadian."
    assert messages(NamesCheck(), source, adjective) == []
    bad = "The Prime Minister visited the province and Hanoi, meeting Bob in Canada."
    assert messages(NamesCheck(), source, bad) == [
        "name 'Nguyễn Xuân Phúc' is not in the translation",
        "name 'Quảng Ninh' is not in the translation",
        "name 'Dylan' is not in the translation",
    ]
    assert messages(NamesCheck(), "Hà Lan thắng.", "The Netherlands won.") == []  # a place, not a person


# ------------------------------------------------------------------------------- untranslated


def test_untranslated() -> None:
    check = UntranslatedCheck()
    source = "Chính phủ đã thông qua luật mới về môi trường."
    assert [str(f.severity) for f in check.run(seg(source, source))] == ["error"]
    assert [str(f.severity) for f in check.run(seg(source, "The government đã thông qua the new law."))] == [
        "warning"
    ]
    assert [str(f.severity) for f in check.run(seg(source, "Chính phủ đã thông qua luật new."))] == ["error"]
    assert [str(f.severity) for f in check.run(seg(source, ""))] == ["info"]
    assert [str(f.severity) for f in check.run(seg(source, " ", reviewed=True))] == ["error"]
    # Names kept with their diacritics are a desk's choice, and French letters are not Vietnamese.
    assert check.run(seg("Ông Nguyễn Văn An nói.", "Mr Nguyễn Văn An said.")) == []
    assert check.run(seg("Bà Gyöngyi ở Montréal nói.", "Ms Gyöngyi of Montréal said.")) == []
    assert check.run(seg("2024", "2024")) == []


# ------------------------------------------------------------------------------------- length


def test_length_model_constants_are_what_the_flores_tuning_half_gives() -> None:
    vi = (FLORES / "vie_Latn.devtest").read_text(encoding="utf-8").split("\n")[:506]
    en = (FLORES / "eng_Latn.devtest").read_text(encoding="utf-8").split("\n")[:506]
    assert fit_length_model(zip(vi, en, strict=True), FLORES_MODEL.learned_from) == FLORES_MODEL


def test_length_flags_omissions_and_repetitions() -> None:
    source = (
        "Chính phủ đã thông qua luật mới về bảo vệ môi trường và phát triển bền vững "
        "cho các tỉnh miền núi phía Bắc."
    )
    good = (
        "The government passed a new law on environmental protection and sustainable development "
        "for the northern mountain provinces."
    )
    check = LengthCheck()
    assert check.run(seg(source, good)) == []
    assert [str(f.severity) for f in check.run(seg(source, "The government passed a law."))] == ["warning"]
    assert [str(f.severity) for f in check.run(seg(source, " ".join([good] * 4)))] == ["error"]
    assert (
        check.run(seg("Hà Nội", "Hanoi, the capital of Vietnam, a city of eight million")) == []
    )  # too short to judge
    assert fit_length_model([("ab" * 50, "c" * 100)] * 3, "x").ratio == 1.0


# --------------------------------------------------------------------------------------- form


def test_form_checks() -> None:
    assert messages(RepeatedWordsCheck(), "x", "He said the the law passed.") == ["'the' repeated: 'the the'"]
    assert messages(RepeatedWordsCheck(), "x", "He had had enough.") == []
    assert messages(RepeatedWordsCheck(), "gần Pago Pago", "near Pago Pago") == []
    assert messages(SpacingCheck(), "x", "He said  no , really.") == [
        "double space",
        "space before punctuation",
    ]
    assert messages(BracketsCheck(), "Ông (Bộ trưởng) nói.", "He (the minister said.") == [
        "brackets or quotes do not pair up: ("
    ]
    assert messages(BracketsCheck(), 'Ông nói "không.', 'He said "no.') == []  # follows its source
    assert messages(PunctuationCheck(), "Ông có đến không?", "Did he come?") == []
    assert [str(f.severity) for f in PunctuationCheck().run(seg("Ông có đến không?", "He came."))] == [
        "warning"
    ]
    assert [str(f.severity) for f in PunctuationCheck().run(seg("Ông đến.", "He came"))] == ["info"]
    assert messages(PunctuationCheck(), "Ông nói: “Tôi đến.”", 'He said: "I came."') == []


# ---------------------------------------------------------------------- registry and ignoring


def test_select_checks_and_families() -> None:
    assert select(["form", "numbers"]) == ["numbers", "repeated", "spacing", "brackets", "punctuation"]
    with pytest.raises(InputError, match="unknown check 'numbrs'"):
        select(["numbrs"])


def test_ignore_rules() -> None:
    rules = parse_ignore(
        "# accepted\nnumbers bai:1:*\nnames * Dylan\n\nform bai:9:9  # a comment\n", "ok.txt", selectors()
    )
    source, target = "Có 30 người gặp Bob Dylan.", "There were 31 people meeting Bob."
    everything = QualityChecker(build_checks(["numbers", "names"])).check(seg(source, target))
    assert {f.check for f in everything} == {"numbers", "names"}
    assert QualityChecker(build_checks(["numbers", "names"]), rules).check(seg(source, target)) == ()
    other = QaSegment("bai:2:1", source, target)
    assert {f.check for f in QualityChecker(build_checks(["numbers", "names"]), rules).check(other)} == {
        "numbers"
    }
    with pytest.raises(InputError, match=r"^bad.txt:2: unknown check 'nums'"):
        parse_ignore("numbers *\nnums bai:1:1\n", "bad.txt", selectors())
    with pytest.raises(InputError, match=r"^bad.txt:1: expected CHECK SEGMENT"):
        parse_ignore("numbers\n", "bad.txt", selectors())


def test_findings_are_sorted_worst_first() -> None:
    findings = QualityChecker(build_checks()).check(seg("Có 30 người đến.", "There were 31 people  coming"))
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] == 2
