"""Fuzz: every parser songngu owns, on any bytes, either parses or raises InputError with one line.

Inputs are arbitrary bytes, arbitrary text, and (most useful) valid documents of each format with
random byte edits: truncated, spliced, a byte replaced, a run of markup inserted. Nothing but
InputError may escape (no UnicodeDecodeError, IndexError, RecursionError, ParseError, ValueError…),
and its message is a single non-empty line. Example counts keep the whole file to a few seconds;
``FUZZ_EXAMPLES=3000`` runs a longer search.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from songngu.errors import InputError
from songngu.glossary.formats import table, tbx
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.textfile import decode_utf8
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.formats.po_read import parse_catalog
from songngu.translate.formats.tmx import loads_tmx
from songngu.translate.formats.xliff_read import loads_xliff

GLOSSARY = Glossary(
    [
        GlossaryEntry(
            "Bộ Ngoại giao", "Ministry of Foreign Affairs", "MOFA", ("Bộ NG",), ("Foreign Ministry",)
        ),
        GlossaryEntry("Liên Hợp Quốc", "United Nations", "LHQ", en_forbidden=("UN Org",), note="a\nnote"),
    ]
)

PO = (
    '# header\nmsgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    "#. glossary: Bộ Ngoại giao → Ministry of Foreign Affairs [met]\n#: bai.txt:1\n#, fuzzy\n"
    '#| msgid "Bộ cũ"\nmsgctxt "bai:1:1"\nmsgid "Bộ Ngoại giao họp báo."\n'
    'msgstr ""\n"The ministry \\"met\\".\\n"\n\n'
    'msgid "một"\nmsgid_plural "nhiều"\nmsgstr[0] "one"\nmsgstr[1] "many"\n\n'
    '#~ msgid "cũ"\n#~ msgstr "old"\n'
)

TMX = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="vi" datatype="plaintext"/>'
    '<body><tu tuid="1" creationdate="20240501T100000Z"><prop type="x-origin">bai.po</prop>'
    '<tuv xml:lang="vi"><seg>Bộ <ph>&lt;b&gt;</ph>Ngoại giao</seg></tuv>'
    '<tuv xml:lang="en-GB"><seg>Ministry</seg></tuv></tu></body></tmx>\n'
)

JSONL = (
    '{"run": {"tool_version": "0", "model": "m", "model_revision": "r", "glossary": null, '
    '"glossary_checksum": null, "beam": 4, "max_length": 256, "batch_size": 16, "device": "cpu"}}\n'
    '{"id": "bai:1:1", "source": "Bộ", "target": "Ministry", "terms": [{"start": 0, "end": 2, "vi": "Bộ", '
    '"en": "Ministry", "met": true}], "method": "constrained", "score": -0.5, "paragraph": 1}\n'
)


XLIFF = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
    '<file original="bai.txt" source-language="vi" target-language="en-GB" datatype="plaintext"><body>\n'
    '<trans-unit id="bai:1:1" approved="yes"><source>Bộ Ngoại giao họp báo.</source>'
    '<target state="signed-off">The ministry met.</target>'
    '<note from="songngu">glossary: Bộ Ngoại giao → Ministry of Foreign Affairs [met]</note></trans-unit>\n'
    '<trans-unit id="7"><source>Xin <g id="1">chào</g><x id="2"/>. Tạm biệt.</source>'
    '<seg-source><mrk mtype="seg" mid="1">Xin <g id="1">chào</g><x id="2"/>.</mrk> '
    '<mrk mtype="seg" mid="2">Tạm biệt.</mrk></seg-source>'
    '<target state="needs-review-translation"><mrk mtype="seg" mid="1">Hello<ph id="3">{b}</ph>.</mrk> '
    '<mrk mtype="seg" mid="2">Goodbye.</mrk></target></trans-unit>\n'
    "</body></file></xliff>\n"
)


def tbx_bytes() -> bytes:
    return tbx.dumps(GLOSSARY).encode("utf-8")


def parse_csv(data: bytes) -> object:
    return table.loads(decode_utf8(data, "g.csv"), "g.csv", ",")


def parse_tsv(data: bytes) -> object:
    return table.loads(decode_utf8(data, "g.tsv"), "g.tsv", "\t")


def parse_tbx(data: bytes) -> object:
    return tbx.loads(data, "g.tbx")


def parse_po(data: bytes) -> object:
    return parse_catalog(decode_utf8(data, "bai.po"), "bai.po")


def parse_tmx(data: bytes) -> object:
    return loads_tmx(decode_utf8(data, "m.tmx"), "m.tmx")


def parse_xliff(data: bytes) -> object:
    return loads_xliff(decode_utf8(data, "bai.xlf"), "bai.xlf")


def parse_jsonl(data: bytes) -> object:
    return JsonlFormat().parse(decode_utf8(data, "bai.jsonl"), "bai.jsonl")


PARSERS: dict[str, tuple[Callable[[bytes], object], bytes]] = {
    "csv": (parse_csv, table.dumps(GLOSSARY).encode("utf-8")),
    "tsv": (parse_tsv, table.dumps(GLOSSARY, delimiter="\t").encode("utf-8")),
    "tbx": (parse_tbx, tbx_bytes()),
    "po": (parse_po, PO.encode("utf-8")),
    "tmx": (parse_tmx, TMX.encode("utf-8")),
    "jsonl": (parse_jsonl, JSONL.encode("utf-8")),
    "xliff": (parse_xliff, XLIFF.encode("utf-8")),
}

# Fragments that steer edits towards the parsers' interesting paths.
FRAGMENTS = [
    b"<",
    b">",
    b"</",
    b'"',
    b"\\",
    b"\n",
    b"\r",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"&amp;",
    b"&x;",
    b'<!DOCTYPE x [<!ENTITY a "b">]>',
    b'<!DOCTYPE martif SYSTEM "x.dtd">',
    b"<hi>" * 200,
    b"<hi>" * 3000,
    b"[" * 3000,
    b'{"a":' * 3000,
    b"msgid ",
    b"msgstr[0] ",
    b"#~ ",
    b"#| ",
    b'"\\q"',
    b"{",
    b"}",
    b"[",
    b"null",
    b"1e999",
    b'"terms": {}',
    b",",
    b"\t",
    b"vi,en",
    b"'=",
    b"|",
]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        # Anywhere, or where a line (a record, an entry, a row) starts: most parsers decide there.
        starts = [0] + [i + 1 for i, byte in enumerate(data) if byte == 0x0A]
        at = draw(st.integers(0, len(data)) | st.sampled_from(starts))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        piece = draw(st.sampled_from(FRAGMENTS) | st.binary(min_size=1, max_size=4))
        if kind == "insert":
            data[at:at] = piece
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        elif kind == "replace":
            data[at : at + len(piece)] = piece
        else:
            del data[at:]
    return bytes(data)


def inputs(seed: bytes) -> st.SearchStrategy[bytes]:
    return mutated(seed) | st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8"))


def check(parse: Callable[[bytes], object], data: bytes) -> None:
    try:
        parse(data)
    except InputError as exc:
        message = str(exc)
        assert message and "\n" not in message and "\r" not in message, repr(message)


# Inputs found to break a parser once (each a RecursionError), kept as explicit cases.
HOSTILE = [
    b"[" * 100_000,
    b'{"a":' * 100_000,
    b"<a>" * 100_000,
    b"<martif>" + b"<a>" * 100_000,
    XLIFF.split("<trans-unit")[0].encode("utf-8") + b"<trans-unit id='1'><source>" + b"<g>" * 100_000,
]


DEPTH = 10_000  # issue #23: 5,000 nested <group>s or <g>s ended in RecursionError in review import
XLIFF_HEAD, XLIFF_TAIL = XLIFF.split("<trans-unit")[0], "</body></file></xliff>\n"
DEEP = {
    "xliff-groups": (
        XLIFF_HEAD
        + '<group id="g">' * DEPTH
        + '<trans-unit id="1"><source>Xin chào.</source><target state="final">Hello.</target></trans-unit>'
        + "</group>" * DEPTH
        + XLIFF_TAIL
    ),
    "xliff-inline": (
        XLIFF_HEAD
        + '<trans-unit id="1"><source>'
        + '<g id="1">' * DEPTH
        + "Xin chào."
        + "</g>" * DEPTH
        + '</source><target state="final">'
        + '<mrk mtype="x-b">' * DEPTH
        + "Hello."
        + "</mrk>" * DEPTH
        + "</target></trans-unit>"
        + XLIFF_TAIL
    ),
    "tmx-inline": TMX.replace(
        "<seg>Ministry</seg>", "<seg>" + "<hi>" * DEPTH + "Ministry" + "</hi>" * DEPTH + "</seg>"
    ),
    "tmx-body": TMX.replace("<body>", "<body>" + "<hi>" * DEPTH).replace(
        "</body>", "</hi>" * DEPTH + "</body>"
    ),
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_well_formed_documents_nested_10000_deep_are_read(name: str) -> None:
    parse = parse_xliff if name.startswith("xliff") else parse_tmx
    document = parse(DEEP[name].encode("utf-8"))
    # An XLIFF unit keeps <g id> as tags in its text (a document's inline codes); the reviewed unit
    # reads the plain sentence.
    units = [u.reviewed() for u in document.units] if name.startswith("xliff") else document
    assert [(u.source, u.target) for u in units] == (
        [("Xin chào.", "Hello.")] if name.startswith("xliff") else [("Bộ Ngoại giao", "Ministry")]
    )


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_documents_with_random_edits_parse_or_give_one_line(name: str) -> None:
    parse = parse_xliff if name.startswith("xliff") else parse_tmx

    @settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")) // 5,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(mutated(DEEP[name].encode("utf-8")))
    def run(data: bytes) -> None:
        check(parse, data)

    run()


@pytest.mark.parametrize("data", HOSTILE, ids=["json-array", "json-object", "xml", "tbx", "xliff"])
@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_deep_nesting_gives_one_line(kind: str, data: bytes) -> None:
    check(PARSERS[kind][0], data)


# What the fuzzer found, kept as explicit cases: a header field continued on a line of its own put a
# line break into the message; an unknown encoding in the XML declaration escaped as LookupError.
FOUND = [
    ("po", PO.replace('"Content-Type', '" text/plain\\n"\n"Content-Type').encode("utf-8")),
    ("tbx", tbx_bytes().replace(b'encoding="UTF-8"', b'encoding="TF-8"')),
]


@pytest.mark.parametrize(("kind", "data"), FOUND, ids=[kind for kind, _ in FOUND])
def test_what_the_fuzzer_found_gives_one_line(kind: str, data: bytes) -> None:
    with pytest.raises(InputError):
        PARSERS[kind][0](data)
    check(PARSERS[kind][0], data)


@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_the_seed_documents_parse(kind: str) -> None:
    parse, seed = PARSERS[kind]
    parse(seed)  # the mutations start from valid documents


@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_any_bytes_parse_or_give_one_line(kind: str) -> None:
    parse, seed = PARSERS[kind]

    @settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(inputs(seed))
    def run(data: bytes) -> None:
        check(parse, data)

    run()
