"""Sentence alignment: anchors, the dynamic programme, the NTREX-derived measurement, ``songngu align``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from align_testset import derive, read_corpus, score_links
from hypothesis import given, settings
from hypothesis import strategies as st
from msgfmt import msgfmt_check

from songngu.glossary.formats import load_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import GlossaryEntry
from songngu.translate.align.aligner import SentenceInfo, align, gale_church
from songngu.translate.align.anchors import GlossaryAnchors, english_anchors, number_key, vietnamese_anchors
from songngu.translate.align.article import align_article, align_segments
from songngu.translate.align.files import loads_beads
from songngu.translate.cli import main
from songngu.translate.formats import read_bitext
from songngu.translate.formats.po_read import load_catalog

ROOT = Path(__file__).resolve().parent.parent

VI = """Bộ Ngoại giao (MOFA) họp báo ngày 14/5/2024 tại Hà Nội.

Người phát ngôn Phạm Thu Hằng cho biết có 1.250 người tham dự. Cuộc họp kéo dài 2,5 giờ.
Thời tiết hôm đó rất đẹp.

Hội nghị tiếp theo sẽ diễn ra vào tháng 6 năm 2024 tại Đà Nẵng.
"""
EN = """The Ministry of Foreign Affairs (MOFA) held a press conference on 14 May 2024 in Hanoi.

Spokeswoman Pham Thu Hang said 1,250 people attended; the meeting lasted 2.5 hours.

The next conference will take place in June 2024 in Da Nang.
"""


# --- anchors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "language", "key"),
    [
        ("1.000.000", "vi", "1000000"),
        ("1,000,000", "en", "1000000"),
        ("3,5", "vi", "3.5"),
        ("3.5", "en", "3.5"),
        ("2.500", "vi", "2500"),
        ("2,500", "en", "2500"),
        ("1.500", "en", "1.5"),  # an English point is always decimal
        ("05", "vi", "5"),
        ("14th", "en", "14"),
    ],
)
def test_numbers_have_one_canonical_form(token, language, key):
    assert number_key(token, language) == key


def test_vietnamese_dates_meet_english_dates():
    vi = vietnamese_anchors("Hội nghị diễn ra ngày 14/5, và tháng 6 năm 2024; tháng Mười Hai nữa.")
    en = english_anchors("The conference took place on 14 May, and in June 2024; December too.")
    for key in ("n:14", "m:5", "m:6", "n:2024", "m:12"):
        assert vi[key] == en[key] == 1, key
    assert "n:5" not in vi and "n:6" not in vi  # a month number is a month, not a number
    full = vietnamese_anchors("ngày 14/5/2024")
    assert full == Counter({"n:14": 1, "m:5": 1, "n:2024": 1})
    assert vietnamese_anchors("tháng 5/2024") == Counter({"m:5": 1, "n:2024": 1})


def test_acronyms_and_latin_names_are_folded():
    vi = vietnamese_anchors("Ông Nguyễn Xuân Phúc gặp ông Trump tại ASEAN.")
    en = english_anchors("Nguyen Xuan Phuc met Mr. Trump at ASEAN.")
    for key in ("w:nguyen", "w:xuan", "w:phuc", "w:trump", "a:ASEAN"):
        assert vi[key] >= 1 and en[key] >= 1, key
    assert "w:the" not in english_anchors("The meeting ended.")  # a function word starting a sentence


def test_glossary_terms_found_in_any_vietnamese_spelling_and_by_english_rendering():
    entry = GlossaryEntry(vi="Ủy ban Nhân quyền", en="Human Rights Commission", acronym="HRC")
    anchors = GlossaryAnchors(GlossaryMatcher([entry]))
    vi = anchors.vietnamese(["Uỷ ban nhân quyền họp.", "Không có gì."])  # new tone placement, lowercase
    en = anchors.english(["The Human Rights Commission met.", "The HRC met.", "Human Rights Commissions."])
    assert vi[0] == Counter({"g:0": 1}) and not vi[1]
    assert en[0] == Counter({"g:0": 1}) and en[1] == Counter({"g:0": 1})
    assert not en[2]  # not the whole phrase


# --- the dynamic programme ----------------------------------------------------------------------


def test_gale_church_pairs_by_length():
    beads = gale_church([100, 50, 200], [95, 48, 190])
    assert [(b.kind, b.vi_start, b.en_start) for b in beads] == [("1-1", 0, 0), ("1-1", 1, 1), ("1-1", 2, 2)]


def test_anchors_find_a_merge_and_a_dropped_sentence():
    vi = [
        SentenceInfo(60, Counter({"n:1999": 1}), 1, True),
        SentenceInfo(60, Counter({"a:UNDP": 1, "n:40": 1}), 1, False),
        SentenceInfo(60, Counter({"n:7": 1}), 1, False),
        SentenceInfo(60, Counter({"w:hanoi": 1}), 1, False),
    ]
    en = [
        SentenceInfo(57, Counter({"n:1999": 1}), 1, True),
        SentenceInfo(115, Counter({"a:UNDP": 1, "n:40": 1, "n:7": 1}), 1, False),
    ]
    beads = align(vi, en)
    assert [b.kind for b in beads] == ["1-1", "2-1", "1-0"]
    assert all(0 <= b.score <= 1 for b in beads)
    assert beads[0].score > 0.9


def test_paragraph_boundaries_keep_beads_apart():
    # equal lengths everywhere: only the paragraphs say the second Vietnamese sentence has no English
    vi = [SentenceInfo(50, paragraph=1, opens_paragraph=True), SentenceInfo(50, paragraph=1)]
    vi.append(SentenceInfo(50, paragraph=2, opens_paragraph=True))
    en = [
        SentenceInfo(50, paragraph=1, opens_paragraph=True),
        SentenceInfo(50, paragraph=2, opens_paragraph=True),
    ]
    beads = align(vi, en)
    assert [(b.vi_start, b.en_start, b.kind) for b in beads if b.kind != "1-0"] == [
        (0, 0, "1-1"),
        (2, 1, "1-1"),
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 300), max_size=12),
    st.lists(st.integers(1, 300), max_size=12),
)
def test_beads_cover_both_texts_in_order(vi_lengths, en_lengths):
    beads = gale_church(vi_lengths, en_lengths)
    vi_at = en_at = 0
    for bead in beads:
        assert (bead.vi_start, bead.en_start) == (vi_at, en_at)
        assert bead.kind in {"1-1", "1-0", "0-1", "2-1", "1-2", "2-2"}
        assert 0 <= bead.score <= 1
        vi_at, en_at = bead.vi_end, bead.en_end
    assert (vi_at, en_at) == (len(vi_lengths), len(en_lengths))


# --- measured: the NTREX-128-derived test set ----------------------------------------------------


def test_ntrex_derived_alignment_f1_beats_gale_church(capsys):
    """On the first 40 NTREX-128 articles (the benchmark runs all 123): F1 >= 0.95 without a model,
    and clearly above plain Gale–Church on the same segmented texts."""
    pairs = derive(read_corpus("ntrex")[:40])
    gold = [pair.gold for pair in pairs]
    ours = score_links(
        [set().union(*(b.links for b in align_segments(p.vi, p.en))) for p in pairs],
        gold,
    )
    baseline = score_links(
        [
            set().union(
                *(b.links for b in gale_church([len(s.source) for s in p.vi], [len(s.source) for s in p.en]))
            )
            for p in pairs
        ],
        gold,
    )
    with capsys.disabled():
        print(
            f"\nNTREX-derived (40 articles): songngu align F1 {ours.f1:.4f}, Gale–Church F1 {baseline.f1:.4f}"
        )
    assert ours.f1 >= 0.95
    assert ours.f1 - baseline.f1 >= 0.04


def test_derived_set_is_deterministic_and_has_drops_and_merges():
    first = derive(read_corpus("ntrex")[:10])
    again = derive(read_corpus("ntrex")[:10])
    assert [(p.vi_text, p.en_text, p.gold) for p in first] == [(p.vi_text, p.en_text, p.gold) for p in again]
    linked_vi = sum(len({i for i, _ in p.gold}) for p in first)
    assert linked_vi < sum(len(p.vi) for p in first)  # some Vietnamese sentences have no English
    assert any(Counter(i for i, _ in p.gold).most_common(1)[0][1] > 1 for p in first if p.gold)  # 1-2


# --- the article and its files -------------------------------------------------------------------


def test_article_offsets_slice_the_files_as_read():
    article = align_article("bai.txt", "bai.en.txt", VI, EN)
    for bead in article.beads:
        if bead.vi:
            assert " ".join(VI[bead.vi_start : bead.vi_end].split()) == bead.vi
        else:
            assert bead.vi_start is None and bead.vi_end is None
        if bead.en:
            assert " ".join(EN[bead.en_start : bead.en_end].split()) == bead.en
    kinds = [b.kind for b in article.beads]
    assert kinds == ["1-1", "2-1", "1-0", "1-1"]
    assert article.beads[1].en.startswith("Spokeswoman")
    assert article.beads[2].vi == "Thời tiết hôm đó rất đẹp." and article.beads[2].en == ""


def write_pair(tmp_path: Path, vi: str = VI, en: str = EN, name: str = "bai") -> tuple[Path, Path]:
    vi_path, en_path = tmp_path / f"{name}.txt", tmp_path / f"{name}.en.txt"
    vi_path.write_text("\ufeff" + vi, encoding="utf-8")  # a BOM: offsets count from after it
    en_path.write_text(en, encoding="utf-8")
    return vi_path, en_path


def test_cli_writes_jsonl_tsv_tmx_and_a_checked_po(tmp_path, capsys):
    vi_path, en_path = write_pair(tmp_path)
    out = tmp_path / "out"
    assert main(["align", str(vi_path), str(en_path), "--out", str(out)]) == 0
    assert "4 beads" in capsys.readouterr().err
    beads = loads_beads((out / "bai.jsonl").read_text("utf-8"))
    lines = (out / "bai.jsonl").read_text("utf-8").splitlines()
    assert list(json.loads(lines[0])) == [
        "id",
        "vi",
        "en",
        "vi_start",
        "vi_end",
        "en_start",
        "en_end",
        "score",
        "kind",
        "paragraph",
        "line",
    ]
    assert beads[0].vi_start == 0  # the BOM is dropped
    assert read_bitext(out / "bai.tsv") == [(b.id, b.vi, b.en) for b in beads if b.vi and b.en]
    assert read_bitext(out / "bai.tmx") == read_bitext(out / "bai.tsv")
    msgfmt_check(out / "bai.po")
    catalog = load_catalog(out / "bai.po")
    entries = {entry.msgctxt: entry for entry in catalog}
    assert len(entries) == 4
    dropped = entries["bai:2:3"]
    assert dropped.msgstr == "" and "fuzzy" not in dropped.flags
    for bead in beads:
        if bead.vi and bead.en:
            entry = entries[bead.id]
            assert entry.msgstr == bead.en
            assert ("fuzzy" in entry.flags) == (bead.score < 0.9)
            assert f"alignment: {bead.kind}, score {bead.score:.2f}" in entry.comment


def test_align_records_what_it_used_and_the_lines_of_its_sentences(tmp_path):
    vi_path, en_path = write_pair(tmp_path)
    out = tmp_path / "out"
    assert main(["align", str(vi_path), str(en_path), "--out", str(out)]) == 0
    catalog = load_catalog(out / "bai.po")
    header = catalog.metadata
    # No glossary and no model: neither is claimed (no precision either: no model ran).
    assert header["X-Songngu-Glossary"] == "none" and header["X-Songngu-Precision"] == "none"
    assert header["X-Songngu-Model"] == "songngu align"
    run_id = header["X-Songngu-Run"]
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", run_id)
    assert f'<prop type="x-songngu-run">{run_id}</prop>' in (out / "bai.tmx").read_text("utf-8")
    # Each entry's reference is the line of the Vietnamese file its bead starts on.
    text = vi_path.read_text("utf-8").removeprefix("\ufeff")
    for bead in loads_beads((out / "bai.jsonl").read_text("utf-8")):
        if bead.vi:
            (entry,) = [e for e in catalog if e.msgctxt == bead.id]
            assert bead.vi_start is not None and bead.line == text.count("\n", 0, bead.vi_start) + 1
            assert entry.occurrences == [("bai.txt", str(bead.line))]
    assert {bead.line for bead in loads_beads((out / "bai.jsonl").read_text("utf-8")) if bead.vi} == {
        1,
        3,
        4,
        6,
    }

    glossary = ROOT / "seeds" / "glossary.csv"
    assert main(["align", str(vi_path), str(en_path), "--out", str(out), "-g", str(glossary)]) == 0
    header = load_catalog(out / "bai.po").metadata
    assert header["X-Songngu-Glossary"] == f"glossary.csv {load_glossary(glossary).checksum()}"
    assert header["X-Songngu-Run"] not in ("", run_id)  # another command, another run id


def test_tmx_is_read_by_translate_toolkit(tmp_path):
    vi_path, en_path = write_pair(tmp_path)
    assert main(["align", str(vi_path), str(en_path), "--out", str(tmp_path / "out")]) == 0
    from translate.storage.tmx import tmxfile  # Translate Toolkit, an independent reader

    with open(tmp_path / "out" / "bai.tmx", "rb") as handle:
        store = tmxfile(handle, "vi", "en")
    assert [(u.source, u.target) for u in store.units] == [
        (vi, en) for _, vi, en in read_bitext(tmp_path / "out" / "bai.tsv")
    ]


def test_cli_realigning_keeps_a_reviewers_confirmed_entry(tmp_path):
    vi_path, en_path = write_pair(tmp_path)
    out = tmp_path / "out"
    assert main(["align", str(vi_path), str(en_path), "--out", str(out)]) == 0
    po = out / "bai.po"
    text = po.read_text("utf-8").replace(
        'msgid "Thời tiết hôm đó rất đẹp."\nmsgstr ""',
        'msgid "Thời tiết hôm đó rất đẹp."\nmsgstr "Fine weather."',
    )
    assert "Fine weather." in text
    po.write_text(text, encoding="utf-8")  # the reviewer translated the sentence the English lacks
    assert main(["align", str(vi_path), str(en_path), "--out", str(out)]) == 0
    entries = {entry.msgctxt: entry for entry in load_catalog(po)}
    assert entries["bai:2:3"].msgstr == "Fine weather."
    msgfmt_check(po)


def test_cli_pairs_list_glossary_and_bad_input(tmp_path, capsys):
    write_pair(tmp_path, name="a")
    write_pair(tmp_path, name="b")
    listing = tmp_path / "pairs.tsv"
    listing.write_text("# Vietnamese\tEnglish\na.txt\ta.en.txt\nb.txt\tb.en.txt\n", encoding="utf-8")
    out = tmp_path / "out"
    glossary = ROOT / "seeds" / "glossary.csv"
    assert main(["align", "--pairs", str(listing), "--out", str(out), "-g", str(glossary)]) == 0
    assert (out / "a.jsonl").exists() and (out / "b.jsonl").exists()
    capsys.readouterr()

    assert main(["align", str(tmp_path / "a.txt"), "--out", str(out)]) == 2
    assert "has no English version" in capsys.readouterr().err
    bad = tmp_path / "bad.tsv"
    bad.write_text("a.txt\n", encoding="utf-8")
    assert main(["align", "--pairs", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:1:" in err and err.count("\n") == 1
    latin1 = tmp_path / "c.txt"
    latin1.write_bytes(b"Ng\xe0y 14/5.\n")
    assert main(["align", str(latin1), str(tmp_path / "a.en.txt"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{latin1}: byte 2:" in err and err.count("\n") == 1
    assert not (out / "c.jsonl").exists()


def test_align_without_a_model_never_imports_torch(tmp_path):
    vi_path, en_path = write_pair(tmp_path)
    code = (
        "import sys; from songngu.translate.cli import main; "
        f"rc = main(['align', {str(vi_path)!r}, {str(en_path)!r}, '--out', {str(tmp_path / 'o')!r}]); "
        "assert rc == 0; bad = [m for m in ('torch', 'transformers') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


def test_align_with_a_model_adds_the_mt_score(tmp_path, tiny_model_dir):
    vi_path, en_path = write_pair(tmp_path)
    out = tmp_path / "out"
    assert main(["align", str(vi_path), str(en_path), "--out", str(out), "--model", str(tiny_model_dir)]) == 0
    beads = loads_beads((out / "bai.jsonl").read_text("utf-8"))
    assert [b.kind for b in beads] == ["1-1", "2-1", "1-0", "1-1"]  # a random model changes no pairing
    header = load_catalog(out / "bai.po").metadata
    assert re.fullmatch(
        rf"songngu align \+ {re.escape(str(tiny_model_dir))} sha256:[0-9a-f]{{64}}", header["X-Songngu-Model"]
    )
    assert header["X-Songngu-Precision"] == "int8"  # what auto gave the model on CPU


def test_translate_reuses_reviewed_over_aligned_and_the_po_says_which(tmp_path, tiny_model_dir):
    from songngu.translate.memory import MemoryUnit, TranslationMemory, UnitKind

    db = tmp_path / "tm.sqlite"
    first, second = "Bộ Ngoại giao họp báo.", "Hội nghị kết thúc."
    with TranslationMemory(db) as memory:
        memory.store(
            [
                MemoryUnit(
                    first,
                    "Aligned press briefing.",
                    "x.txt",
                    "x:1:1",
                    False,
                    "2025-01-02",
                    UnitKind.ALIGNED,
                    0.97,
                ),
                MemoryUnit(first, "The ministry briefed the press.", "r.po", "r:1:1", True, "2024-01-01"),
                MemoryUnit(
                    second,
                    "The conference ended.",
                    "x.txt",
                    "x:1:2",
                    False,
                    "2025-01-02",
                    UnitKind.ALIGNED,
                    0.95,
                ),
            ]
        )
    article = tmp_path / "bai.txt"
    article.write_text(f"{first} {second}\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["translate", str(article), "--out", str(out), "--model", str(tiny_model_dir), "--tm", str(db)]
    assert main(args) == 0
    msgfmt_check(out / "bai.po")
    entries = {entry.msgid: entry for entry in load_catalog(out / "bai.po")}
    reviewed, aligned = entries[first], entries[second]
    assert reviewed.msgstr == "The ministry briefed the press."  # newer aligned unit, but reviewed wins
    assert "reused: reviewed translation from r.po r:1:1" in reviewed.comment
    assert "fuzzy" not in reviewed.flags
    assert aligned.msgstr == "The conference ended."
    assert "reused: aligned translation from x.txt x:1:2, alignment score 0.95" in aligned.comment
    assert "fuzzy" in aligned.flags
    records = [json.loads(line) for line in (out / "bai.jsonl").read_text("utf-8").splitlines()[1:]]
    assert [r["memory_kind"] for r in records] == ["reviewed", "aligned"]


def test_cli_checks_every_output_before_any_work(tmp_path, capsys):
    vi_path, en_path = write_pair(tmp_path)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder\n", encoding="utf-8")
    assert main(["align", str(vi_path), str(en_path), "--out", str(blocked)]) == 2
    err = capsys.readouterr().err
    assert str(blocked) in err and err.count("\n") == 1
    out = tmp_path / "out"
    out.mkdir()
    (out / "bai.po").write_text('msgid "x"\n', encoding="utf-8")  # a broken catalog a reviewer owns
    assert main(["align", str(vi_path), str(en_path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out / 'bai.po'}:" in err and err.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == ["bai.po"]  # nothing else written
