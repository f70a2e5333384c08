"""Merge pairing on a table of edit scenarios, checked against GNU ``msgmerge --previous``.

Each scenario is an old version of an article, fully reviewed (every sentence confirmed with a
translation that names its sentence), and a new version in which every sentence says which old
sentence it comes from (its *predecessor*) or that it is new. After re-translating over the reviewed
catalog, no entry's msgstr, ``#|`` or later memory record may come from another sentence. The same
old catalog and the new sentences also go through ``msgmerge --previous``; its pairing (read from
its msgstr and ``#|`` lines) must equal ours except where the table says we depart from it, and why.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from songngu import __version__
from songngu.textfile import write_atomic
from songngu.translate.formats.po import merge_catalog, merge_text
from songngu.translate.formats.po_read import parse_catalog
from songngu.translate.memory import TranslationMemory
from songngu.translate.pairing import (
    SIMILARITY_THRESHOLD,
    MergeKind,
    Sentence,
    pair_sentences,
    similarity,
)
from songngu.translate.records import ArticleTranslation, Method, RunInfo, SegmentResult
from songngu.translate.review import import_reviewed

NOW = datetime(2024, 5, 1, tzinfo=UTC)
RUN = RunInfo(__version__, "tiny", "rev", None, None, 4, 64, 16, "cpu")

TEXT = {
    "A": "Bộ Ngoại giao tổ chức hội thảo về quyền con người tại Hà Nội.",
    "A'": "Bộ Ngoại giao tổ chức hội thảo quốc tế về quyền con người tại Hà Nội.",
    "B": "Đại diện UNDP phát biểu khai mạc hội thảo.",
    "B'": "Đại diện UNICEF phát biểu khai mạc hội thảo.",
    "C": "Các đại biểu thảo luận về quyền trẻ em và người lao động di cư.",
    "C'": "Các đại biểu thảo luận sôi nổi về quyền trẻ em và người lao động di cư.",
    "D": "Hội thảo kết thúc vào chiều cùng ngày.",
    "D'": "Hội thảo kết thúc vào chiều ngày hôm sau.",
    "E": "Việt Nam cam kết tiếp tục hợp tác chặt chẽ với ASEAN.",
    "F": "Báo cáo quốc gia sẽ được trình bày vào tháng sau.",
    "N": "Trước đó, Thủ tướng đã tiếp đoàn đại biểu của Liên Hợp Quốc.",
    # one sentence split into two, and two merged into one
    "G": "Các đại biểu thảo luận về quyền trẻ em và quyền của người lao động di cư.",
    "G1": "Các đại biểu thảo luận về quyền trẻ em.",
    "G2": "Họ cũng bàn về quyền của người lao động di cư.",
    "H1": "Đại diện UNDP phát biểu khai mạc hội thảo.",
    "H2": "Ông chúc hội thảo thành công tốt đẹp.",
    "H": "Đại diện UNDP phát biểu khai mạc và chúc hội thảo thành công.",
}


@dataclass(frozen=True)
class Scenario:
    """``old``: paragraphs of labels. ``new``: paragraphs of (label, predecessor label or None).
    ``msgmerge``: new label → msgmerge's predecessor, where it deliberately differs from ours.
    ``msgmerge_fuzzy``: new labels msgmerge marks fuzzy although we keep them confirmed."""

    name: str
    old: list[list[str]]
    new: list[list[tuple[str, str | None]]]
    msgmerge: dict[str, str | None] = field(default_factory=dict)
    msgmerge_fuzzy: frozenset[str] = frozenset()


SCENARIOS = [
    # The reproduction: B deleted, C edited. The edited C keeps C's translation, not B's.
    Scenario(
        "delete next to an edit",
        old=[["A", "B", "C", "D"]],
        new=[[("A", "A"), ("C'", "C"), ("D", "D")]],
        # D moved from bai:1:4 to bai:1:3: msgmerge keys on msgctxt + msgid, so for it a moved
        # sentence is a fuzzy match; the text is the same, so songngu keeps it confirmed.
        msgmerge_fuzzy=frozenset({"D"}),
    ),
    # A new sentence before an edited one must not take the edited one's translation.
    Scenario(
        "insert before an edit",
        old=[["A", "B", "C"]],
        new=[[("A", "A"), ("N", None), ("B'", "B"), ("C", "C")]],
        msgmerge_fuzzy=frozenset({"C"}),
    ),
    # G split into G1 and G2: G's translation goes to the part most like it. msgmerge lends it to
    # both parts (its fuzzy matches are not one-to-one); songngu gives G2 a machine translation, so
    # no reviewer's sentence is offered as the translation of two different sentences.
    Scenario(
        "split one sentence into two",
        old=[["A", "G", "D"]],
        new=[[("A", "A"), ("G1", "G"), ("G2", None), ("D", "D")]],
        msgmerge={"G2": "G"},
        msgmerge_fuzzy=frozenset({"D"}),
    ),
    # H1 and H2 merged into H: H continues the more similar one (H1); H2 becomes obsolete.
    Scenario(
        "merge two into one",
        old=[["A", "H1", "H2", "D"]],
        new=[[("A", "A"), ("H", "H1"), ("D", "D")]],
        msgmerge_fuzzy=frozenset({"D"}),
    ),
    # Whole paragraphs reordered: every id changes, every sentence is the same.
    Scenario(
        "reorder paragraphs",
        old=[["A", "B"], ["C", "D"], ["E"]],
        new=[[("E", "E")], [("A", "A"), ("B", "B")], [("C", "C"), ("D", "D")]],
        msgmerge_fuzzy=frozenset({"E", "A", "B", "C", "D"}),
    ),
    Scenario(
        "an edit in every sentence",
        old=[["A", "B"], ["C", "D"]],
        new=[[("A'", "A"), ("B'", "B")], [("C'", "C"), ("D'", "D")]],
    ),
    # Reordered and edited: C' moved across the unchanged A and B (a crossing pair).
    Scenario(
        "reorder paragraphs and edit",
        old=[["A", "B"], ["C", "D"]],
        new=[[("C'", "C"), ("D", "D")], [("A", "A"), ("B'", "B")]],
        msgmerge_fuzzy=frozenset({"D", "A"}),
    ),
    # A paragraph deleted and an unrelated one written in its place.
    Scenario(
        "replace a paragraph",
        old=[["A"], ["E", "F"], ["D"]],
        new=[[("A", "A")], [("N", None)], [("D", "D")]],
    ),
]


def reviewed(label: str) -> str:
    return f"Reviewed translation of sentence {label}."


def machine(label: str) -> str:
    return f"Machine translation of sentence {label}."


def article_of(paragraphs: list[list[str]]) -> ArticleTranslation:
    results = [
        SegmentResult(
            id=f"bai:{p}:{s}",
            source=TEXT[label],
            target=machine(label),
            paragraph=p,
            method=Method.CONSTRAINED,
        )
        for p, labels in enumerate(paragraphs, start=1)
        for s, label in enumerate(labels, start=1)
    ]
    return ArticleTranslation(name="bai", path="bai.txt", run=RUN, results=results)


def reviewed_catalog(scenario: Scenario) -> str:
    """The old version translated, then every entry confirmed by a reviewer with its own translation."""
    catalog = parse_catalog(merge_text(article_of(scenario.old), None, "bai.po", now=NOW), "bai.po")
    label_of = {TEXT[label]: label for paragraph in scenario.old for label in paragraph}
    for entry in catalog:
        entry.msgstr = reviewed(label_of[entry.msgid])
        entry.flags.remove("fuzzy")
    return str(catalog)


def new_labels(scenario: Scenario) -> list[tuple[str, str | None]]:
    return [item for paragraph in scenario.new for item in paragraph]


def test_the_scenarios_are_what_they_say() -> None:
    """Edited sentences are similar to their predecessors; a new sentence is like no old sentence
    left free (in a split, the second part may be like the sentence the first part continues)."""
    for scenario in SCENARIOS:
        continued = {predecessor for _, predecessor in new_labels(scenario)}
        old = {label for paragraph in scenario.old for label in paragraph} - continued
        for label, predecessor in new_labels(scenario):
            if predecessor is not None and label != predecessor:
                assert similarity(TEXT[label], TEXT[predecessor]) >= SIMILARITY_THRESHOLD, scenario.name
            if predecessor is None:
                assert all(similarity(TEXT[label], TEXT[o]) < SIMILARITY_THRESHOLD for o in old)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_no_translation_crosses_sentences(
    scenario: Scenario, tmp_path: Path, write_po: Callable[..., Path]
) -> None:
    old_text = reviewed_catalog(scenario)
    write_po(old_text, "old.po")
    new_article = article_of([[label for label, _ in p] for p in scenario.new])
    merged_catalog, summary = merge_catalog(new_article, parse_catalog(old_text, "old.po"), now=NOW)
    merged = str(merged_catalog)
    write_po(merged, "bai.po")
    active = [e for e in parse_catalog(merged, "bai.po") if not e.obsolete]
    obsolete = [e for e in parse_catalog(merged, "bai.po") if e.obsolete]

    old_id = {
        label: f"bai:{p}:{s}" for p, labels in enumerate(scenario.old, 1) for s, label in enumerate(labels, 1)
    }
    expected_kinds: dict[MergeKind, int] = dict.fromkeys(MergeKind, 0)
    for entry, (label, predecessor) in zip(active, new_labels(scenario), strict=True):
        assert entry.msgid == TEXT[label]
        if predecessor is None:
            assert (entry.msgstr, entry.fuzzy, entry.previous_msgid) == (machine(label), True, None)
            expected_kinds[MergeKind.NEW] += 1
        elif TEXT[label] == TEXT[predecessor]:
            assert (entry.msgstr, entry.fuzzy, entry.previous_msgid) == (reviewed(predecessor), False, None)
            kept = entry.msgctxt == old_id[predecessor]
            expected_kinds[MergeKind.KEPT if kept else MergeKind.MOVED] += 1
        else:
            assert (entry.msgstr, entry.fuzzy) == (reviewed(predecessor), True)
            assert entry.previous_msgid == TEXT[predecessor]
            expected_kinds[MergeKind.CHANGED] += 1
    # Every old sentence nobody continues is obsolete, with its own translation.
    continued = {predecessor for _, predecessor in new_labels(scenario)}
    gone = [label for paragraph in scenario.old for label in paragraph if label not in continued]
    assert [(e.msgid, e.msgstr) for e in obsolete] == [(TEXT[g], reviewed(g)) for g in gone]
    assert (summary.kept, summary.moved, summary.changed, summary.new, summary.obsolete) == (
        expected_kinds[MergeKind.KEPT],
        expected_kinds[MergeKind.MOVED],
        expected_kinds[MergeKind.CHANGED],
        expected_kinds[MergeKind.NEW],
        len(gone),
    )

    # A reviewer who trusts the #| diff confirms everything as it stands; the memory then holds
    # each reviewed translation only beside a sentence that continues the one it was made for.
    catalog = polib.pofile(merged, wrapwidth=0)
    for entry in catalog:
        if not entry.obsolete and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgctxt = None
    confirmed = tmp_path / "confirmed.po"
    write_atomic(confirmed, str(catalog))
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        import_reviewed([confirmed], memory, now="2024-05-02T00:00:00Z")
        stored = {(unit.source, unit.target) for unit in memory.units()}
    allowed = {(TEXT[label], reviewed(p)) for label, p in new_labels(scenario) if p is not None}
    allowed |= {(TEXT[label], machine(label)) for label, p in new_labels(scenario) if p is None}
    assert stored == allowed


MSGMERGE = shutil.which("msgmerge")


def msgmerge_pairing(old_po: Path, new_article: ArticleTranslation, tmp_path: Path) -> list[polib.POEntry]:
    """The new sentences (msgctxt = segment id, msgid = source) merged by ``msgmerge --previous``."""
    pot = polib.POFile(wrapwidth=0)
    pot.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
    for result in new_article.results:
        pot.append(polib.POEntry(msgctxt=result.id, msgid=result.source, msgstr=""))
    pot_path = tmp_path / "bai.pot"
    pot.save(str(pot_path))
    out = tmp_path / "msgmerge.po"
    subprocess.run(
        [
            MSGMERGE or "msgmerge",
            "--previous",
            "--quiet",
            "--no-wrap",
            "-o",
            str(out),
            str(old_po),
            str(pot_path),
        ],
        check=True,
        capture_output=True,
    )
    return [e for e in polib.pofile(str(out), wrapwidth=0) if not e.obsolete]


@pytest.mark.skipif(MSGMERGE is None, reason="GNU gettext's msgmerge is required (.ci/run installs it)")
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_pairing_agrees_with_msgmerge_except_where_documented(
    scenario: Scenario, tmp_path: Path, write_po: Callable[..., Path]
) -> None:
    old_po = write_po(reviewed_catalog(scenario), "old.po")
    old_label = {TEXT[label]: label for paragraph in scenario.old for label in paragraph}
    new_article = article_of([[label for label, _ in p] for p in scenario.new])
    theirs: dict[str, str | None] = {}
    fuzzy: set[str] = set()
    for entry, (label, _) in zip(
        msgmerge_pairing(old_po, new_article, tmp_path), new_labels(scenario), strict=True
    ):
        assert entry.msgid == TEXT[label]
        if not entry.msgstr:
            theirs[label] = None
            continue
        # msgmerge's msgstr is the predecessor's reviewed translation; #| names its source.
        predecessor = entry.msgstr.removeprefix("Reviewed translation of sentence ").removesuffix(".")
        theirs[label] = predecessor
        if entry.fuzzy:
            fuzzy.add(label)
            assert old_label[entry.previous_msgid or entry.msgid] == predecessor
    ours = {label: predecessor for label, predecessor in new_labels(scenario)}
    expected = {**ours, **scenario.msgmerge}
    assert theirs == expected
    # msgmerge marks fuzzy what it paired with another text, and (unlike songngu) a moved sentence.
    edited = {label for label, p in expected.items() if p is not None and TEXT[label] != TEXT[p]}
    assert fuzzy == edited | scenario.msgmerge_fuzzy
    # Where we depart, ours is the table's ground truth (checked by the test above).
    for label in scenario.msgmerge:
        assert ours[label] != scenario.msgmerge[label]


# ------------------------------------------------------------------------------- the invariants

POOL = [TEXT[key] for key in ("A", "B", "C", "D", "E", "F", "N", "G", "H2")]
EDITS = {TEXT[k]: TEXT[k + "'"] for k in ("A", "B", "C", "D")}


@settings(max_examples=80, deadline=None)
@given(
    old=st.lists(st.sampled_from(POOL), min_size=0, max_size=8),
    operations=st.lists(
        st.tuples(st.sampled_from(["keep", "edit", "drop", "insert"]), st.sampled_from(POOL)), max_size=10
    ),
)
def test_pairing_invariants(old: list[str], operations: list[tuple[str, str]]) -> None:
    new: list[str] = []
    for index, sentence in enumerate(old):
        operation, insert = operations[index] if index < len(operations) else ("keep", sentence)
        if operation == "insert":
            new.append(insert)
        if operation in ("keep", "insert"):
            new.append(sentence)
        elif operation == "edit":
            new.append(EDITS.get(sentence, sentence))
    old_side = [Sentence(f"bai:1:{i}", text) for i, text in enumerate(old, start=1)]
    new_side = [Sentence(f"bai:1:{i}", text) for i, text in enumerate(new, start=1)]
    pairing = pair_sentences(new_side, old_side)
    olds = [pair.old for pair in pairing.pairs if pair.old is not None]
    assert len(olds) == len(set(olds))  # one-to-one
    assert sorted(olds + list(pairing.deleted)) == list(range(len(old)))
    for pair in pairing.pairs:
        if pair.old is None:
            # Nothing left over was the same text.
            assert new[pair.new] not in [old[j] for j in pairing.deleted]
            continue
        same = new[pair.new] == old[pair.old]
        assert same == (pair.kind in (MergeKind.KEPT, MergeKind.MOVED))
        assert (pair.kind is MergeKind.KEPT) == (same and pair.new == pair.old)
        assert pair.similarity >= SIMILARITY_THRESHOLD
