"""JSON Lines records: the lossless output every other format and the evaluator can read back.

Line 1 is ``{"run": {...}}`` (model, revision, glossary checksum, decoding settings, tool version);
each further line is one segment's record (with ``"qa"``, the findings of the quality checks, when
there are any: ``check``, ``severity``, ``message``, and the ``source``/``target`` spans as
``[start, end]`` offsets).

JSONL keeps the exact text: the control characters that every other format replaces under the
character policy (:mod:`songngu.translate.formats.characters`) are written as ``\\uXXXX`` escapes,
never raw, so each record is one line for any reader (``str.splitlines`` included).

Read as reviewed units (:meth:`JsonlFormat.units`), a ``.jsonl`` file is either ``songngu
translate``'s records (a run line first) or ``songngu align``'s beads (``id``, ``vi``, ``en``,
offsets, ``score``, ``kind``; read by :func:`bead_objects`, which ``align`` uses too). Neither
records a review: a record is a machine's (or the memory's) translation, its target also its
baseline; a bead is an aligned pair, its English its baseline.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from songngu.errors import InputError
from songngu.textfile import open_regular, read_records
from songngu.translate.formats.base import OutputFormat, UnitReader, paragraph_of
from songngu.translate.formats.characters import escape_for_json
from songngu.translate.formats.notes import baseline_source
from songngu.translate.qa.findings import Finding
from songngu.translate.records import ArticleTranslation, Method, RunInfo, SegmentResult, TermOutcome
from songngu.translate.reviewed import Baseline, BaselineSource, Origin, ReviewedUnit, UnitState, UnitTerm


def record_to_dict(result: SegmentResult) -> dict[str, object]:
    """The JSON object of one record (keys in a fixed order; optional fields only when set)."""
    record: dict[str, object] = {
        "id": result.id,
        "source": result.source,
        "target": result.target,
        "terms": [_term_to_dict(term) for term in result.terms],
        "method": result.method.value,
        "score": None if result.score is None else round(result.score, 6),
        "paragraph": result.paragraph,
    }
    if result.line:
        record["line"] = result.line
    if result.violated:
        record["violated"] = True
    if result.pieces > 1:
        record["pieces"] = result.pieces
    if result.truncated:
        record["truncated"] = True
    if result.unplaced:
        record["unplaced"] = list(result.unplaced)
    if result.unconstrained is not None:
        record["unconstrained"] = result.unconstrained
    if result.memory_kind is not None:
        record["memory_kind"] = result.memory_kind
        record["memory_source"] = result.memory_source
    if result.suggestion is not None:
        record["suggestion"] = result.suggestion
        record["suggestion_similarity"] = result.suggestion_similarity
    if result.qa:
        record["qa"] = [finding.to_dict() for finding in result.qa]
    return record


def _term_to_dict(term: TermOutcome) -> dict[str, object]:
    fields = asdict(term)
    if not term.alternatives:
        del fields["alternatives"]  # written only when other renderings count, as older files lack it
    else:
        fields["alternatives"] = list(term.alternatives)
    return fields


class JsonlFormat(OutputFormat, UnitReader):
    """``<name>.jsonl``: run metadata, then one record per segment; reads back everything. Read as
    units: translate's records or align's beads (module docstring)."""

    suffix = ".jsonl"

    def units(self, path: str | os.PathLike[str]) -> Iterator[ReviewedUnit]:
        """The records (or beads) as units, in file order, read line by line: state machine (new
        when the target is empty), the target as baseline, the terms with their accepted
        renderings. A file whose first record is a run line holds records, else beads."""
        name = os.fspath(path)
        beads: bool | None = None
        for number, line in enumerate(read_records(path), start=1):
            if not line.strip():
                continue
            if beads is None:
                beads = not line.lstrip().startswith('{"run"')
            if beads:
                yield _bead_unit(_bead(number, line, name), name, number)
                continue
            item = _record_line(number, line, name)
            if isinstance(item, SegmentResult):
                yield _record_unit(item, name, number)

    def render(self, article: ArticleTranslation, existing: str | None = None, *, name: str = "") -> str:
        objects: list[dict[str, object]] = [] if article.run is None else [{"run": asdict(article.run)}]
        objects.extend(record_to_dict(r) for r in article.results)
        return "".join(escape_for_json(json.dumps(obj, ensure_ascii=False)) + "\n" for obj in objects)

    def parse(self, text: str, name: str = "<jsonl>") -> ArticleTranslation:
        """The records and run of a JSONL file; errors name the file and line.

        Every field is checked for its type (a record the evaluator could not use is refused here, not
        met later as a traceback), and JSON nested too deep for the decoder is refused as well.
        """
        run: RunInfo | None = None
        results: list[SegmentResult] = []
        # Records end at "\n" alone: a raw U+2028 inside a string from another writer is no line end.
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            item = _record_line(number, line, name)
            if isinstance(item, RunInfo):
                run = item
            else:
                results.append(item)
        return ArticleTranslation(self.article_name(name), name, run, results)


def _record_line(number: int, line: str, name: str) -> RunInfo | SegmentResult:
    """One line of a records file: the run, or a record (InputError naming the file and line)."""
    try:
        obj = json.loads(line)
        if not isinstance(obj, dict):
            raise ValueError("expected a JSON object")
        if "run" in obj:
            return RunInfo(**_typed(obj["run"], _RUN_FIELDS, _RUN_REQUIRED))
        return _record(obj)
    except RecursionError:
        raise InputError(f"{name}:{number}: not a songngu JSONL record (JSON nested too deep)") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{name}:{number}: not a songngu JSONL record ({exc})") from None


_NUMBER = (int, float)
_OPTIONAL_TEXT = (str, type(None))
_RUN_FIELDS: dict[str, tuple[type, ...]] = {
    "tool_version": (str,),
    "model": (str,),
    "model_revision": (str,),
    "glossary": _OPTIONAL_TEXT,
    "glossary_checksum": _OPTIONAL_TEXT,
    "beam": (int,),
    "max_length": (int,),
    "batch_size": (int,),
    "device": (str,),
    "run_id": (str,),
    "precision": (str,),  # since songngu 0.2: files without it ran at fp32
    # Recorded for resuming since 0.2: absent from older files.
    "source_checksum": _OPTIONAL_TEXT,
    "with_unconstrained": (bool, type(None)),
}
# Every run field but those older files lack: the run id, the precision and what resuming compares.
_OPTIONAL_RUN_FIELDS = ("run_id", "precision", "source_checksum", "with_unconstrained")
_RUN_REQUIRED = tuple(key for key in _RUN_FIELDS if key not in _OPTIONAL_RUN_FIELDS)
_TERM_FIELDS: dict[str, tuple[type, ...]] = {
    "start": (int,),
    "end": (int,),
    "vi": (str,),
    "en": (str,),
    "met": (bool,),
    "alternatives": (list,),
}
_TERM_REQUIRED = ("start", "end", "vi", "en", "met")
_RECORD_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "source": (str,),
    "target": (str,),
    "terms": (list,),
    "method": (str,),
    "score": (*_NUMBER, type(None)),
    "paragraph": (int, type(None)),
    "violated": (bool,),
    "unconstrained": _OPTIONAL_TEXT,
    "suggestion": _OPTIONAL_TEXT,
    "suggestion_similarity": (*_NUMBER, type(None)),
    "memory_kind": _OPTIONAL_TEXT,
    "memory_source": _OPTIONAL_TEXT,
    "line": (int,),
    "pieces": (int,),
    "truncated": (bool,),
    "qa": (list,),
    "unplaced": (list,),
}
_REQUIRED = ("id", "source", "target")


def _typed(obj: object, fields: dict[str, tuple[type, ...]], required: Sequence[str] = ()) -> dict[str, Any]:
    """``obj`` as keyword arguments: a JSON object whose known fields have their types (bool is not a
    number here); unknown fields are dropped (records written by a newer songngu still load)."""
    if not isinstance(obj, dict):
        raise TypeError(f"expected a JSON object, found {type(obj).__name__}")
    for key in required or fields:
        if key not in obj:
            raise KeyError(key)
    typed: dict[str, Any] = {}
    for key, types in fields.items():
        if key not in obj:
            continue
        value = obj[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise TypeError(f"{key!r} is {type(value).__name__}")
        typed[key] = value
    return typed


def _record(obj: dict[str, Any]) -> SegmentResult:
    fields = _typed(obj, _RECORD_FIELDS, _REQUIRED)
    return SegmentResult(
        id=fields["id"],
        source=fields["source"],
        target=fields["target"],
        paragraph=fields.get("paragraph") or paragraph_of(fields["id"]),
        terms=[_term(term) for term in fields.get("terms", [])],
        method=Method(fields.get("method", "unconstrained")),
        score=fields.get("score"),
        violated=fields.get("violated", False),
        unconstrained=fields.get("unconstrained"),
        suggestion=fields.get("suggestion"),
        suggestion_similarity=fields.get("suggestion_similarity"),
        memory_kind=fields.get("memory_kind"),
        memory_source=fields.get("memory_source"),
        line=fields.get("line", 0),
        pieces=fields.get("pieces", 1),
        truncated=fields.get("truncated", False),
        qa=tuple(Finding.from_dict(item) for item in fields.get("qa", [])),
        unplaced=tuple(_labels(fields.get("unplaced", []))),
    )


def _labels(values: list[Any]) -> list[str]:
    """A record's ``unplaced`` labels, each a string."""
    if not all(isinstance(value, str) for value in values):
        raise TypeError("'unplaced' holds a non-string")
    return values


def _term(obj: object) -> TermOutcome:
    fields = _typed(obj, _TERM_FIELDS, _TERM_REQUIRED)
    alternatives = fields.pop("alternatives", [])
    if not all(isinstance(form, str) for form in alternatives):
        raise TypeError("'alternatives' holds a value that is not text")
    return TermOutcome(**fields, alternatives=tuple(alternatives))


def _record_unit(result: SegmentResult, name: str, line: int = 0) -> ReviewedUnit:
    baseline = Baseline(result.target, baseline_source(result.method))
    return ReviewedUnit(
        id=result.id,
        source=result.source,
        target=result.target,
        state=UnitState.MACHINE if result.target.strip() else UnitState.NEW,
        baseline=baseline,
        terms=tuple(
            UnitTerm(term.vi, term.en, (term.en, *term.alternatives), term.met) for term in result.terms
        ),
        origin=Origin(name, line),
    )


def _bead_unit(bead: dict[str, Any], name: str, line: int) -> ReviewedUnit:
    vi, en = bead["vi"], bead["en"]
    return ReviewedUnit(
        id=bead["id"],
        source=vi,
        target=en,
        state=UnitState.MACHINE if vi.strip() and en.strip() else UnitState.NEW,
        baseline=Baseline(en, BaselineSource.ALIGNED),
        origin=Origin(name, line),
        score=bead["score"],
    )


BEAD_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "vi": (str,),
    "en": (str,),
    "vi_start": (int, type(None)),
    "vi_end": (int, type(None)),
    "en_start": (int, type(None)),
    "en_end": (int, type(None)),
    "score": _NUMBER,
    "kind": (str,),
    "paragraph": (int,),
    "line": (int,),
}
OPTIONAL_BEAD_FIELDS = ("line",)  # absent from files written before it was recorded


_BEAD_REQUIRED = tuple(key for key in BEAD_FIELDS if key not in OPTIONAL_BEAD_FIELDS)


def bead_objects(text: str, name: str | os.PathLike[str] = "<jsonl>") -> list[tuple[int, dict[str, Any]]]:
    """The beads of ``songngu align``'s ``<name>.jsonl``, each with its line, every field of
    :data:`BEAD_FIELDS` present and of its type; errors name the file and line."""
    return [
        (number, _bead(number, line, name))
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]


def _bead(number: int, line: str, name: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        return _typed(json.loads(line), BEAD_FIELDS, _BEAD_REQUIRED)
    except RecursionError:
        raise InputError(f"{name}:{number}: not a songngu alignment record (JSON nested too deep)") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{name}:{number}: not a songngu alignment record ({exc})") from None


# A run line is well under a kilobyte; one much longer is no run metadata (and is not read on).
_RUN_LINE_LIMIT = 1 << 16


def read_run(path: str | os.PathLike[str]) -> RunInfo | None:
    """The run metadata of a JSONL records file, reading only its first line (None if it has none).

    Raises :class:`InputError` if the file cannot be read (or is no regular file) or the line is not
    songngu metadata; a first line longer than :data:`_RUN_LINE_LIMIT` is not.
    """
    try:
        with open_regular(path) as handle:
            first = handle.readline(_RUN_LINE_LIMIT + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(first) > _RUN_LINE_LIMIT:
        return None
    try:
        obj = json.loads(first.decode("utf-8")) if first.strip() else None
        if not isinstance(obj, dict) or "run" not in obj:
            return None
        return RunInfo(**_typed(obj["run"], _RUN_FIELDS, _RUN_REQUIRED))
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise InputError(f"{path}:1: not songngu run metadata ({exc})") from None
