"""Vietnamese-aware folding: Unicode form, tone-mark placement, case, whitespace; offset maps."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from songngu.glossary.normalize import TONE_MARKS, VOWELS, fold, normalize_with_offsets


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


VOWEL_TONES = [(vowel, tone) for vowel in VOWELS for tone in ("", *TONE_MARKS)]


@pytest.mark.parametrize(("vowel", "tone"), VOWEL_TONES)
def test_every_vowel_with_every_tone_folds_to_one_composed_lowercase_letter(vowel: str, tone: str) -> None:
    lower = nfc(vowel + tone)
    upper = nfc(vowel.upper() + tone)
    assert len(lower) == 1  # every Vietnamese toned vowel has a precomposed code point
    for spelling in (lower, nfd(lower), upper, nfd(upper)):
        assert fold(spelling) == lower
    # inside a syllable too: "b" + vowel + "n"
    for spelling in (f"b{lower}n", nfd(f"B{upper}N"), f"B{upper}n"):
        assert fold(spelling) == f"b{lower}n"


# (old style: mark on the first vowel, new style: mark on the second) for oa, oe, uy
PLACEMENT_PAIRS = [
    ("hòa", "hoà"),
    ("hòe", "hoè"),
    ("thúy", "thuý"),
    ("Ủy", "Uỷ"),
    ("khỏe", "khoẻ"),
    ("tòa", "toà"),
    ("xóa", "xoá"),
    ("lõa", "loã"),
    ("họa", "hoạ"),
    ("lũy", "luỹ"),
    ("thụy", "thuỵ"),
    ("khỏa", "khoả"),
    ("ỏe", "oẻ"),
    ("Hòa Bình", "Hoà Bình"),
    ("ma túy", "ma tuý"),
    ("Ủy ban liên Chính phủ", "Uỷ ban liên Chính phủ"),
]


@pytest.mark.parametrize(("old", "new"), PLACEMENT_PAIRS)
def test_both_tone_placements_fold_alike(old: str, new: str) -> None:
    key = fold(new)
    for spelling in (old, new, nfd(old), nfd(new), old.upper(), new.upper(), nfd(old.lower())):
        assert fold(spelling) == key
    assert key == new.lower()  # the canonical key uses the new-style placement


@pytest.mark.parametrize("cluster", ["oa", "oe", "uy"])
@pytest.mark.parametrize("tone", TONE_MARKS)
@pytest.mark.parametrize("onset", ["", "h", "th", "kh", "ng"])
def test_every_tone_on_oa_oe_uy_open_syllables(cluster: str, tone: str, onset: str) -> None:
    first = onset + nfc(cluster[0] + tone) + cluster[1]
    second = onset + cluster[0] + nfc(cluster[1] + tone)
    assert fold(first) == fold(second) == second
    assert fold(nfd(first.upper())) == second


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("hòan", "hoàn"),  # closed syllable: the mark belongs on the last vowel
        ("hoàng", "hoàng"),
        ("huỳnh", "huỳnh"),
        ("khúyu", "khuýu"),
        ("hòai", "hoài"),
        ("ngòeo", "ngoèo"),
    ],
)
def test_closed_syllables_and_triphthongs(spelling: str, key: str) -> None:
    assert fold(spelling) == key


@pytest.mark.parametrize(
    "word",
    ["quý", "Quỳ", "quà", "quốc", "quyền", "già", "giữa", "giếng", "gì", "gìn", "người", "rượu", "mùa"],
)
def test_qu_and_gi_are_consonants_and_correct_spellings_are_kept(word: str) -> None:
    assert fold(word) == word.lower()
    assert fold(nfd(word.upper())) == word.lower()


@pytest.mark.parametrize(
    ("misplaced", "key"), [("qúy", "quý"), ("gía", "giá"), ("mưá", "mứa"), ("ngừơi", "người")]
)
def test_misplaced_marks_are_moved_to_the_canonical_vowel(misplaced: str, key: str) -> None:
    assert fold(misplaced) == key


@pytest.mark.parametrize("word", ["Wiesen", "café", "COVID-19", "Rana", "naïve", "AICHR"])
def test_foreign_words_only_change_case(word: str) -> None:
    assert fold(word) == nfc(word).casefold()


def test_d_with_stroke_and_whitespace() -> None:
    assert fold("ĐẠI HỘI") == "đại hội"
    assert fold("  Hội đồng\n   Nhân\u00a0quyền\t\r\nLHQ \n") == "hội đồng nhân quyền lhq"
    assert fold("Nhân\u00adquyền") == "nhânquyền"  # a soft hyphen is invisible
    assert fold("") == ""


def test_offsets_into_nfd_text() -> None:
    original = nfd("Uỷ ban  liên\nChính phủ")
    normalized = normalize_with_offsets(original)
    assert normalized.text == "uỷ ban liên chính phủ"
    start, end = normalized.original_span(7, 11)  # "liên"
    assert original[start:end] == nfd("liên")
    start, end = normalized.original_span(0, 6)  # "uỷ ban"
    assert original[start:end] == nfd("Uỷ ban")
    assert normalized.original_span(0, len(normalized.text)) == (0, len(original))


# --- properties ---------------------------------------------------------------------------------

SYLLABLES = [
    "hoà", "hòa", "Uỷ", "Ủy", "ban", "liên", "Chính", "phủ", "thuý", "thúy", "khoẻ", "khỏe", "quỳ",
    "quý", "già", "giữa", "người", "Nhân", "quyền", "Đảng", "Cộng", "sản", "Việt", "Nam", "ma", "tuý",
    "ASEAN", "AICHR", "2021", "Liên", "hợp", "quốc", "LHQ", "huỳnh", "rượu", "khuỷu", "ĐẠI", "café",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "\n", "\u00a0", "  ", ", ", " (", ") ", "-", "\r\n", "\t", ". "]


@st.composite
def vietnamese_texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(SYLLABLES), max_size=12))
    parts: list[str] = []
    for word in words:
        word = draw(st.sampled_from([word, word.upper(), word.lower(), word.capitalize()]))
        word = draw(st.sampled_from([nfc(word), nfd(word)]))
        parts.append(word)
        parts.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(parts)


ANY_TEXT = st.one_of(
    vietnamese_texts(),
    st.text(alphabet=st.sampled_from("aăâeêioôơuưyđqgnhAĐQ \n\u00a0-.,\u0300\u0301\u0303\u0309\u0323")),
)


@given(ANY_TEXT)
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(vietnamese_texts())
def test_fold_ignores_unicode_form_and_case(text: str) -> None:
    key = fold(text)
    assert fold(nfc(text)) == key
    assert fold(nfd(text)) == key
    assert fold(text.upper()) == key
    assert fold(text.lower()) == key
    assert unicodedata.is_normalized("NFC", key)


@given(ANY_TEXT)
def test_offset_map_is_monotonic_and_covers_the_text(text: str) -> None:
    normalized = normalize_with_offsets(text)
    folded = normalized.text
    starts = [normalized.original_start(k) for k in range(len(folded) + 1)]
    assert starts == sorted(starts)
    assert normalized.original_span(0, len(folded)) == (0, len(text))


@given(vietnamese_texts(), st.data())
def test_word_aligned_spans_map_back_to_slices_that_fold_alike(text: str, data: st.DataObject) -> None:
    normalized = normalize_with_offsets(text)
    folded = normalized.text
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", folded)]
    if not words:
        return
    first = data.draw(st.integers(0, len(words) - 1))
    last = data.draw(st.integers(first, len(words) - 1))
    span = (words[first][0], words[last][1])
    start, end = normalized.original_span(*span)
    assert fold(text[start:end]) == folded[span[0] : span[1]]


def test_stray_combining_mark_after_a_word_keeps_the_key_stable() -> None:
    # Moving the tone onto the last "a" would let NFC compose it with the stray grave.
    key = fold("AÀ\u0300")
    assert fold(key) == key
