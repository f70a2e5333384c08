"""English sentence segmentation (``language="en"``), measured on FLORES-200 and NTREX-128 English."""

from __future__ import annotations

from pathlib import Path

import pytest
from boundary_score import group_articles, read_internal_boundaries, score_boundaries

from songngu.translate.cli import main
from songngu.translate.segment import segment_article, split_sentences

ROOT = Path(__file__).resolve().parent.parent
FLORES = ROOT / "data" / "flores200"
NTREX = ROOT / "data" / "ntrex128"


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text, "en")]


def english(paragraph: str) -> list[tuple[int, int]]:
    return split_sentences(paragraph, "en")


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Adams said so. Dr. Ford testified.",
        "The Rev. John Howard Johnson led it. Gov. Cuomo agreed.",
        "Sens. Lindsey Graham and Orrin Hatch spoke.",
        "It was founded by Acme Inc. and later sold.",
        "Roe v. Wade was decided in 1973.",
        "He lived on St. Peter's Square.",
    ],
)
def test_titles_and_abbreviations_do_not_end_a_sentence(text):
    first = sentences(text)[0]
    assert first.endswith(("so.", "it.", "spoke.", "sold.", "1973.", "Square."))


def test_abbreviations_before_numbers():
    assert sentences("See No. 5 and p. 12 of Vol. 3 now.") == ["See No. 5 and p. 12 of Vol. 3 now."]
    assert sentences("It fell on Jan. 12, 2019. Then it rose.") == [
        "It fell on Jan. 12, 2019.",
        "Then it rose.",
    ]
    # no day after the month, no number after "No.": the period ends the sentence
    assert sentences("It stays shut until Oct. President Joko came.") == [
        "It stays shut until Oct.",
        "President Joko came.",
    ]
    assert sentences("He said no. No. We refuse.") == ["He said no.", "No.", "We refuse."]


def test_dotted_acronyms_end_only_before_a_sentence_starter():
    assert sentences("The U.S. Senate voted. The U.N. General Assembly met.") == [
        "The U.S. Senate voted.",
        "The U.N. General Assembly met.",
    ]
    assert sentences("It moved to the U.S. The report followed.") == [
        "It moved to the U.S.",
        "The report followed.",
    ]
    assert sentences("At 5 p.m. Eastern time it landed.") == ["At 5 p.m. Eastern time it landed."]
    assert sentences("Tea, coffee, etc. Be firm with them.") == ["Tea, coffee, etc.", "Be firm with them."]
    assert sentences("Use a unit, e.g. a metre, and i.e. a gram.") == [
        "Use a unit, e.g. a metre, and i.e. a gram."
    ]


def test_initials():
    assert sentences("George W. Bush arrived. J. K. Rowling wrote.") == [
        "George W. Bush arrived.",
        "J. K. Rowling wrote.",
    ]
    assert sentences("NASA's shuttle program chief N. Wayne Hale Jr. said so.") == [
        "NASA's shuttle program chief N. Wayne Hale Jr. said so."
    ]
    assert sentences("Sean Combs, known as Puff Daddy, P. Diddy and Love, sang.") == [
        "Sean Combs, known as Puff Daddy, P. Diddy and Love, sang."
    ]
    assert sentences("It ended in World War I. The peace was short.") == [
        "It ended in World War I.",
        "The peace was short.",
    ]


def test_decimals_times_and_versions_never_split():
    text = "Growth was 3.5 percent at 10.30 a.m. in v2.1 of the 1.000.000 plan."
    assert sentences(text) == [text]


def test_quotes():
    assert sentences('"Why?" he asked. "We will win." The crowd cheered.') == [
        '"Why?" he asked.',
        '"We will win."',
        "The crowd cheered.",
    ]
    assert sentences("“It is over,” she said. “Go home.”") == ["“It is over,” she said.", "“Go home.”"]
    assert sentences("He called it 'a shark!' Everyone ran.") == ["He called it 'a shark!'", "Everyone ran."]


def test_question_and_exclamation_marks_and_ellipses():
    assert sentences("Is it true? Yes! It is... They left.") == [
        "Is it true?",
        "Yes!",
        "It is...",
        "They left.",
    ]


def test_segment_article_in_english_keeps_offsets_and_ids():
    text = "\ufeffHeadline\n\nMr. Lee met Dr.\nKim. They talked.\n"
    text = text.removeprefix("\ufeff")
    segments = segment_article(text, "a", "en")
    assert [s.id for s in segments] == ["a:1:1", "a:2:1", "a:2:2"]
    assert [s.source for s in segments] == ["Headline", "Mr. Lee met Dr. Kim.", "They talked."]
    assert all(text[s.start : s.end].replace("\n", " ") == s.source for s in segments)


def test_vietnamese_rules_are_unchanged_by_default():
    # "Mar." is not a Vietnamese abbreviation: a Vietnamese period before a capital ends the sentence
    assert split_sentences("Ông đến vào tháng Mar. Sau đó về.") == [(0, 22), (23, 33)]


def test_flores_devtest_english_boundaries(capsys):
    lines = (FLORES / "eng_Latn.devtest").read_text("utf-8").splitlines()
    urls = [
        row.split("\t")[0] for row in (FLORES / "metadata_devtest.tsv").read_text("utf-8").splitlines()[1:]
    ]
    internal = read_internal_boundaries(FLORES / "eng_Latn.devtest.internal_boundaries.tsv")
    score = score_boundaries(group_articles(lines, urls), internal, english)
    with capsys.disabled():
        print(
            f"\nFLORES-200 eng: precision {score.precision:.4f} recall {score.recall:.4f} F1 {score.f1:.4f}"
        )
    assert score.precision >= 0.99
    assert score.f1 >= 0.98


def test_ntrex_english_boundaries(capsys):
    """NTREX lines are sentences, and its headlines have no final punctuation: recall is judged on the
    boundaries after sentence-final punctuation, the ones punctuation can show."""
    lines = (NTREX / "newstest2019-src.eng.txt").read_text("utf-8").splitlines()
    documents = (NTREX / "DOCUMENT_IDS.tsv").read_text("utf-8").splitlines()
    score = score_boundaries(group_articles(lines, documents), {}, english)
    with capsys.disabled():
        print(
            f"\nNTREX-128 eng: precision {score.precision:.4f} recall {score.recall:.4f} F1 {score.f1:.4f}; "
            f"after final punctuation {score.punctuated_recall:.4f}"
        )
    assert score.precision >= 0.99
    assert score.punctuated_recall >= 0.99


def test_cli_segment_in_english(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text("Mr. Lee met Dr. Kim. They talked.\n", encoding="utf-8")
    assert main(["segment", "--language", "en", str(article)]) == 0
    assert capsys.readouterr().out == "Mr. Lee met Dr. Kim.\nThey talked.\n"
