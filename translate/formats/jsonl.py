"""JSON Lines records: the lossless output every other format and the evaluator can read back.

Line 1 is ``{"run": {...}}`` (model, revision, glossary checksum, decoding settings, tool version);
each further line is one segment's record.

JSONL keeps the exact text: the control characters that every other format replaces under the
character policy (:mod:`songngu.translate.formats.characters`) are written as ``\\uXXXX`` escapes,
never raw, so each record is one line for any reader (``str.splitlines`` included).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from songngu.errors import InputError
from songngu.translate.formats.base import OutputFormat, paragraph_of
from songngu.translate.formats.characters import escape_for_json
from songngu.translate.records import ArticleTranslation, Method, RunInfo, SegmentResult, TermOutcome


def record_to_dict(result: SegmentResult) -> dict[str, object]:
    """The JSON object of one record (keys in a fixed order; optional fields only when set)."""
    record: dict[str, object] = {
        "id": result.id,
        "source": result.source,
        "target": result.target,
        "terms": [asdict(term) for term in result.terms],
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
    return record


class JsonlFormat(OutputFormat):
    """``<name>.jsonl``: run metadata, then one record per segment; reads back everything."""

    suffix = ".jsonl"

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
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("expected a JSON object")
                if "run" in obj:
                    run = RunInfo(**_typed(obj["run"], _RUN_FIELDS, _RUN_REQUIRED))
                else:
                    results.append(_record(obj))
            except RecursionError:
                raise InputError(
                    f"{name}:{number}: not a songngu JSONL record (JSON nested too deep)"
                ) from None
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(f"{name}:{number}: not a songngu JSONL record ({exc})") from None
        return ArticleTranslation(self.article_name(name), name, run, results)


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
}
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
        terms=[TermOutcome(**_typed(term, _TERM_FIELDS)) for term in fields.get("terms", [])],
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
        unplaced=tuple(_labels(fields.get("unplaced", []))),
    )


def _labels(values: list[Any]) -> list[str]:
    """A record's ``unplaced`` labels, each a string."""
    if not all(isinstance(value, str) for value in values):
        raise TypeError("'unplaced' holds a non-string")
    return values


def read_run(path: str | os.PathLike[str]) -> RunInfo | None:
    """The run metadata of a JSONL records file, reading only its first line (None if it has none).

    Raises :class:`InputError` if the file cannot be read or the line is not songngu metadata.
    """
    try:
        with open(path, "rb") as handle:
            first = handle.readline()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        obj = json.loads(first.decode("utf-8")) if first.strip() else None
        if not isinstance(obj, dict) or "run" not in obj:
            return None
        return RunInfo(**_typed(obj["run"], _RUN_FIELDS, _RUN_REQUIRED))
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise InputError(f"{path}:1: not songngu run metadata ({exc})") from None
