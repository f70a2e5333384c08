"""Fault: silent truncation. A sentence longer than the model reads (512 source tokens for opus-mt)
was cut by the tokenizer with no trace. It is now split at clause boundaries into pieces that fit,
never inside a glossary term; every piece is translated and the record says ``"pieces": N``. Only a
run of text that no split can make fit is cut, and then the record, the PO and the summary say so."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgfmt import msgfmt_check

from songngu.translate.cli import main
from songngu.translate.engine import Translator
from songngu.translate.pieces import split_sentence

CLAUSE = "các đại biểu đã thảo luận về tình hình kinh tế của khu vực trong năm qua"
TERM = ("Bộ Lao động – Thương binh và Xã hội", "Ministry of Foreign Affairs")


def words_fit(limit: int) -> Callable[[str], bool]:
    return lambda text: len(text.split()) <= limit


# ------------------------------------------------------------------------------ splitting alone


def test_a_sentence_that_fits_is_one_piece() -> None:
    (piece,) = split_sentence(f"  {CLAUSE}.  ", words_fit(100))
    assert (piece.start, piece.end, piece.truncated) == (2, 2 + len(CLAUSE) + 1, False)


def test_pieces_end_at_clause_boundaries_before_words() -> None:
    text = f"{CLAUSE}, {CLAUSE}; {CLAUSE} nhưng {CLAUSE} trong khi {CLAUSE}."
    pieces = split_sentence(text, words_fit(20))
    parts = [text[p.start : p.end] for p in pieces]
    assert parts == [f"{CLAUSE},", f"{CLAUSE};", CLAUSE, f"nhưng {CLAUSE}", f"trong khi {CLAUSE}."]


def test_a_term_holding_a_conjunction_is_never_split() -> None:
    text = f"{CLAUSE} {TERM[0]} ra thông cáo"
    start = text.index(TERM[0])
    span = (start, start + len(TERM[0]))
    # Without protection "và" inside the term is a clause boundary and the best cut.
    limit = len(text[: text.index(" và ")].split())
    unprotected = split_sentence(text, words_fit(limit))
    assert any(span[0] < p.start < span[1] for p in unprotected)
    pieces = split_sentence(text, words_fit(limit), [span])
    assert not any(span[0] < p.start < span[1] for p in pieces)
    assert any(p.start <= span[0] and span[1] <= p.end for p in pieces)


def test_only_an_unbreakable_run_is_truncated() -> None:
    text = f"{CLAUSE}, {'x' * 500} {CLAUSE}"
    pieces = split_sentence(text, lambda t: len(t) <= 100)
    assert [p.truncated for p in pieces].count(True) == 1
    (cut,) = [p for p in pieces if p.truncated]
    assert text[cut.start : cut.end] == "x" * 500


WORD = st.sampled_from(["và", "nhưng", "Bộ", "Y", "tế,", "họp;", "xyzxyzxyz", "trong", "khi", "còn", "a"])


@settings(max_examples=200, deadline=None)
@given(st.lists(WORD, min_size=1, max_size=40), st.integers(1, 12), st.data())
def test_pieces_fit_cover_the_text_and_respect_terms(
    words: list[str], limit: int, data: st.DataObject
) -> None:
    text = " ".join(words)
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == " "]
    ends = [i for i, c in enumerate(text) if c == " "] + [len(text)]
    a = data.draw(st.integers(0, len(starts) - 1))
    b = data.draw(st.integers(a, len(ends) - 1))
    span = (starts[a], ends[b])
    fits = words_fit(limit)
    pieces = split_sentence(text, fits, [span])
    # In order, covering every non-space character exactly once.
    assert "".join(text[p.start : p.end] for p in pieces).replace(" ", "") == text.replace(" ", "")
    assert all(p.end <= q.start for p, q in pairwise(pieces))
    assert not any(span[0] < p.start < span[1] for p in pieces)
    for p in pieces:
        # A piece fits, or is the one unbreakable unit (a word, or the protected term) it starts with.
        assert fits(text[p.start : p.end]) or (
            p.truncated and (" " not in text[p.start : p.end] or p.start == span[0])
        )


# ------------------------------------------------------------------------- with the tiny model


@pytest.fixture
def glossary(tmp_path: Path) -> Path:
    path = tmp_path / "g.csv"
    path.write_text(f"vi,en\n{TERM[0]},{TERM[1]}\n", encoding="utf-8")
    return path


def run(tiny_model_dir: Path, article: Path, glossary: Path, out: Path) -> int:
    model = ["--model", str(tiny_model_dir), "--glossary", str(glossary), "--device", "cpu"]
    quick = ["--max-length", "24", "--beam", "2", "--no-compare"]
    return main(["translate", str(article), "--out", str(out), *model, *quick])


def records(out: Path, name: str) -> list[dict[str, object]]:
    lines = (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[1:]]


def test_a_5000_character_sentence_is_translated_in_pieces(
    tiny_model_dir: Path, tmp_path: Path, glossary: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clauses = [CLAUSE] * 70
    clauses[60] = f"{TERM[0]} ra thông cáo"  # the term lies far past the first 512 tokens
    sentence = ", ".join(clauses[:35]) + " và " + ", ".join(clauses[35:]) + "."
    assert len(sentence) > 5000
    article = tmp_path / "dai.txt"
    article.write_text(sentence + "\n", encoding="utf-8")
    translator = Translator.load(str(tiny_model_dir), device="cpu")
    assert translator.max_source_tokens == 512
    assert not translator.fits_source(sentence)

    out = tmp_path / "out"
    assert run(tiny_model_dir, article, glossary, out) == 0
    (record,) = records(out, "dai")
    assert record["pieces"] >= 3 and "truncated" not in record
    assert record["terms"] == [
        {
            "start": sentence.index(TERM[0]),
            "end": sentence.index(TERM[0]) + len(TERM[0]),
            "vi": TERM[0],
            "en": TERM[1],
            "met": True,
        }
    ]
    assert TERM[1] in record["target"] and record["method"] == "constrained"
    msgfmt_check(out / "dai.po")
    (entry,) = [e for e in polib.pofile(str(out / "dai.po")) if e.msgid]
    assert f"too long for the model: translated in {record['pieces']} pieces" in entry.comment
    assert "1 split into pieces" in capsys.readouterr().err


def test_an_unbreakable_run_is_cut_and_says_so(
    tiny_model_dir: Path, tmp_path: Path, glossary: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "cat.txt"
    article.write_text(f"{CLAUSE}, {'Bộ' * 1200} {CLAUSE}.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run(tiny_model_dir, article, glossary, out) == 0
    (record,) = records(out, "cat")
    assert record["truncated"] is True and record["pieces"] >= 2
    msgfmt_check(out / "cat.po")
    (entry,) = [e for e in polib.pofile(str(out / "cat.po")) if e.msgid]
    assert "TRUNCATED: part of the sentence is longer than the model reads" in entry.comment
    assert ", 1 TRUNCATED" in capsys.readouterr().err
