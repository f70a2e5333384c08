"""XLIFF 1.2 output: structure, Translate Toolkit as an independent reader, merging through the same
pairing as the PO catalog (the edit-scenario table), strict reading."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_merge_pairing import SCENARIOS, TEXT, Scenario, article_of, machine, new_labels, reviewed

from songngu.errors import InputError
from songngu.translate.formats import write_outputs
from songngu.translate.formats.characters import portable_text
from songngu.translate.formats.po import merge_text
from songngu.translate.formats.po_read import parse_catalog
from songngu.translate.formats.tmx import xml_text
from songngu.translate.formats.xliff import MACHINE_STATE, MEMORY_STATE, XliffFormat, merge_xliff
from songngu.translate.formats.xliff_read import XliffUnit, loads_xliff
from songngu.translate.records import ArticleTranslation, Method, TermOutcome

MOFA = TermOutcome(0, 13, "Bộ Ngoại giao", "Ministry of Foreign Affairs", True)


def first_article() -> ArticleTranslation:
    article = article_of([["A", "B"], ["C"]])
    article.run.run_id = "20240501T000000Z-0000abcd"
    first, second, _ = article.results
    first.terms.append(MOFA)
    first.unconstrained = "The Foreign Ministry held a workshop."
    second.method = Method.MEMORY
    second.target = "A human translation of B."
    return article


def test_units_states_notes_and_places() -> None:
    text, _ = merge_xliff(first_article(), None, "bai.xlf")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" ')
    assert re.search(
        r'<file original="bai.txt" source-language="vi" target-language="en" datatype="plaintext"', text
    )
    assert 'build-num="20240501T000000Z-0000abcd"' in text
    units = {unit.id: unit for unit in loads_xliff(text, "bai.xlf").units}
    assert list(units) == ["bai:1:1", "bai:1:2", "bai:2:1"]
    machine_unit, memory_unit, _ = units.values()
    assert (machine_unit.state, memory_unit.state) == (MACHINE_STATE, MEMORY_STATE)
    assert (machine_unit.source, machine_unit.target) == (TEXT["A"], machine("A"))
    assert [note.text for note in machine_unit.notes] == [
        "glossary: Bộ Ngoại giao → Ministry of Foreign Affairs [met]",
        "unconstrained: The Foreign Ministry held a workshop.",
        f"machine translation: {machine('A')}",
    ]
    assert (units["bai:2:1"].paragraph, units["bai:2:1"].sentence) == (2, 1)
    assert '<context context-type="sourcefile">bai.txt</context>' in text
    assert not any(unit.confirmed for unit in (machine_unit,)) and memory_unit.confirmed


TOOLKIT_READER = """
import json, sys
from translate.storage import xliff
store = xliff.xlifffile.parsefile(open(sys.argv[1], "rb"))
print(json.dumps({
    "languages": [store.getsourcelanguage(), store.gettargetlanguage()],
    "units": [[u.xmlelement.get("id"), u.source, u.target, u.getlocations()] for u in store.units],
}))
"""


def toolkit_read(path: Path, tmp_path: Path) -> dict[str, object]:
    """Translate Toolkit's XLIFF reader, run where the checkout's translate/ cannot shadow it."""
    done = subprocess.run(
        [sys.executable, "-c", TOOLKIT_READER, str(path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_translate_toolkit_reads_the_file_with_ids_intact(tmp_path: Path) -> None:
    (path,) = write_outputs(first_article(), tmp_path / "out", [XliffFormat()])
    read = toolkit_read(path, tmp_path)
    assert read["languages"] == ["vi", "en"]
    article = first_article()
    assert read["units"] == [[r.id, r.source, r.target, ["bai.txt"]] for r in article.results]


def confirmed_xliff(scenario: Scenario) -> str:
    """The old version translated to XLIFF, then every unit confirmed by a reviewer (state final)."""
    text, _ = merge_xliff(article_of(scenario.old), None, "bai.xlf")
    for paragraph in scenario.old:
        for label in paragraph:
            text = text.replace(
                f'state="{MACHINE_STATE}">{machine(label)}</target>',
                f'state="final">{reviewed(label)}</target>',
            )
    return text


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_the_xliff_merge_keeps_the_reviewers_work_as_the_po_merge_does(
    scenario: Scenario, tmp_path: Path, write_po: Callable[..., Path]
) -> None:
    new_article = article_of([[label for label, _ in p] for p in scenario.new])
    merged, summary = merge_xliff(new_article, confirmed_xliff(scenario), "bai.xlf")
    document = loads_xliff(merged, "bai.xlf")
    active = [unit for unit in document.units if not unit.obsolete]
    obsolete = [unit for unit in document.units if unit.obsolete]
    for unit, (label, predecessor) in zip(active, new_labels(scenario), strict=True):
        assert unit.source == TEXT[label]
        if predecessor is None:
            assert (unit.target, unit.state, unit.previous) == (machine(label), MACHINE_STATE, None)
        elif TEXT[label] == TEXT[predecessor]:
            assert (unit.target, unit.state, unit.previous) == (reviewed(predecessor), "final", None)
        else:
            assert (unit.target, unit.state) == (reviewed(predecessor), MACHINE_STATE)
            assert unit.previous == (TEXT[predecessor], reviewed(predecessor))
    continued = {predecessor for _, predecessor in new_labels(scenario)}
    gone = [label for paragraph in scenario.old for label in paragraph if label not in continued]
    assert [(u.source, u.target) for u in obsolete] == [(TEXT[g], reviewed(g)) for g in gone]

    # The PO merge of the same review gives every segment the same translation, state and previous
    # source, and the same summary: one pairing for both.
    po_old = parse_catalog(merge_text(article_of(scenario.old), None, "bai.po"), "bai.po")
    label_of = {TEXT[label]: label for paragraph in scenario.old for label in paragraph}
    for entry in po_old:
        entry.msgstr = reviewed(label_of[entry.msgid])
        entry.flags.remove("fuzzy")
    po_text = merge_text(new_article, str(po_old), "bai.po")
    entries = [e for e in parse_catalog(po_text, "bai.po") if not e.obsolete]
    assert [(e.msgctxt, e.msgstr, e.fuzzy, e.previous_msgid) for e in entries] == [
        (u.id, u.target, not u.confirmed, u.previous[0] if u.previous else None) for u in active
    ]
    assert summary == XliffFormat().summarise(new_article, confirmed_xliff(scenario))
    # Re-running over the merged file changes nothing but nothing is lost either.
    again, _ = merge_xliff(new_article, merged, "bai.xlf")
    assert again == merged


def test_a_draft_and_reviewer_notes_survive_and_an_obsolete_unit_comes_back() -> None:
    article = first_article()
    text, _ = merge_xliff(article, None, "bai.xlf")
    # A reviewer edits C without confirming it and adds a note to A.
    text = text.replace(f">{machine('C')}</target>", ">My draft of C.</target>", 1)
    text = text.replace(
        '<note from="songngu">glossary:',
        '<note from="Lan">check the title</note>\n<note from="songngu">glossary:',
        1,
    )
    shortened = first_article()
    del shortened.results[2]  # paragraph 2 deleted
    merged, summary = merge_xliff(shortened, text, "bai.xlf")
    assert summary.obsolete == 1
    units = loads_xliff(merged, "bai.xlf").units
    assert [note.text for note in units[0].notes if note.author == "Lan"] == ["check the title"]
    assert (units[-1].obsolete, units[-1].target, units[-1].segment_id) == (True, "My draft of C.", "bai:2:1")
    back, summary = merge_xliff(first_article(), merged, "bai.xlf")
    assert summary.revived == 1
    restored = loads_xliff(back, "bai.xlf").units
    assert [(u.id, u.target, u.obsolete) for u in restored][-1] == ("bai:2:1", "My draft of C.", False)


HEAD = '<?xml version="1.0"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("<xliff><file></xliff>", 1, "not well-formed XML"),
        ('<?xml version="1.0"?>\n<tmx version="1.4"/>', 2, "not an XLIFF 1.2 document"),
        (HEAD.replace('"1.2"', '"2.0"', 1) + "</xliff>", 2, "XLIFF version '2.0'"),
        (
            HEAD + '<file original="a" source-language="fr" target-language="en" datatype="plaintext">'
            "<body/></file></xliff>",
            3,
            'source-language="fr"',
        ),
        (
            HEAD + '<file original="a" source-language="vi" target-language="de" datatype="plaintext">'
            "<body/></file></xliff>",
            3,
            'target-language="de"',
        ),
        (
            HEAD
            + '<file original="a" source-language="vi" target-language="en" datatype="plaintext"><body>\n'
            "<trans-unit><source>x</source></trans-unit></body></file></xliff>",
            4,
            "without an id",
        ),
        ('<!DOCTYPE x [<!ENTITY a "b">]>\n<xliff/>', 1, "entity"),
    ],
)
def test_malformed_xliff_is_refused_with_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as caught:
        loads_xliff(text, "r.xlf")
    assert str(caught.value).startswith(f"r.xlf:{line}: "), str(caught.value)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_inline_codes_and_segmented_units_are_read_as_plain_sentences() -> None:
    text = HEAD + (
        '<file original="a.docx" source-language="vi-VN" target-language="en-US" datatype="x-docx"><body>\n'
        '<trans-unit id="7"><source>Xin <g id="1">chào</g><x id="2"/>. Tạm biệt.</source>'
        '<seg-source><mrk mtype="seg" mid="1">Xin <g id="1">chào</g><x id="2"/>.</mrk> '
        '<mrk mtype="seg" mid="2">Tạm biệt.</mrk></seg-source>'
        '<target state="final"><mrk mtype="seg" mid="1">Hello<ph id="3">{b}</ph>.</mrk> '
        '<mrk mtype="seg" mid="2">Goodbye.</mrk></target></trans-unit>\n'
        "</body></file></xliff>"
    )
    units = loads_xliff(text, "r.xlf").units
    reviewed = [u.reviewed() for u in units]
    assert [(u.id, u.source, u.target) for u in reviewed] == [
        ("7:1", "Xin chào.", "Hello."),
        ("7:2", "Tạm biệt.", "Goodbye."),
    ]
    # <g id> and <x id/> are kept as tags in the file's unit and the reviewed unit's markup (a
    # document's inline codes); native code (<ph>) is not text.
    assert units[0].source == 'Xin <g id="1">chào</g><x id="2"/>.'
    assert reviewed[0].source_markup == units[0].source and reviewed[1].source_markup == ""


ANY_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(pairs=st.lists(st.tuples(ANY_TEXT, ANY_TEXT), min_size=1, max_size=4))
def test_any_text_round_trips(pairs: list[tuple[str, str]]) -> None:
    article = article_of([["A"] * len(pairs)])
    for result, (source, target) in zip(article.results, pairs, strict=True):
        result.source, result.target = source, target
    units = loads_xliff(merge_xliff(article, None, "bai.xlf")[0], "bai.xlf").units
    unescape = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&#13;": "\r"}

    def stored(text: str) -> str:  # the character policy, then what XML can carry
        return re.sub("&amp;|&lt;|&gt;|&#13;", lambda m: unescape[m.group()], xml_text(portable_text(text)))

    assert [(u.source, u.target) for u in units] == [(stored(s), stored(t)) for s, t in pairs]


def test_xliff_unit_confirmation_rules() -> None:
    unit = XliffUnit(id="1", segment_id="1", source="a", target="b")
    assert not unit.confirmed
    assert all(
        XliffUnit(id="1", segment_id="1", source="a", target="b", state=state).confirmed
        for state in ("final", "signed-off", "translated")
    )
    assert XliffUnit(id="1", segment_id="1", source="a", target="b", approved=True).confirmed
    assert not XliffUnit(id="1", segment_id="1", source="a", target=" ", approved=True).confirmed
    assert not XliffUnit(
        id="1", segment_id="1", source="a", target="b", state="needs-review-translation"
    ).confirmed


def test_a_broken_xliff_stops_the_run_before_any_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "bai.xlf"
    path.write_text('<xliff version="1.2">\n<file>\n', encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{re.escape(str(path))}:3: not well-formed XML"):
        write_outputs(first_article(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bai.xlf"]
