"""JSON Lines records: the lossless output every other format and the evaluator can read back.

Line 1 is ``{"run": {...}}`` (model, revision, glossary checksum, decoding settings, tool version);
each further line is one segment's record.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict

from songngu.errors import InputError
from songngu.textfile import read_text
from songngu.translate.formats.base import OutputFormat
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
    if result.violated:
        record["violated"] = True
    if result.unconstrained is not None:
        record["unconstrained"] = result.unconstrained
    if result.memory_kind is not None:
        record["memory_kind"] = result.memory_kind
        record["memory_source"] = result.memory_source
    if result.suggestion is not None:
        record["suggestion"] = result.suggestion
        record["suggestion_similarity"] = result.suggestion_similarity
    return record


def dumps(article: ArticleTranslation) -> str:
    """The whole JSONL file for one article."""
    lines = [json.dumps({"run": asdict(article.run)}, ensure_ascii=False)]
    lines.extend(json.dumps(record_to_dict(r), ensure_ascii=False) for r in article.results)
    return "\n".join(lines) + "\n"


class JsonlFormat(OutputFormat):
    """``<name>.jsonl``: run metadata, then one record per segment."""

    suffix = ".jsonl"

    def render(self, article: ArticleTranslation, existing: str | None, *, name: str = "") -> str:
        return dumps(article)


def loads(text: str, name: str | os.PathLike[str] = "<jsonl>") -> tuple[RunInfo | None, list[SegmentResult]]:
    """Parse a JSONL file written by :func:`dumps`; errors name the file and line."""
    run: RunInfo | None = None
    results: list[SegmentResult] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("expected a JSON object")
            if "run" in obj:
                run = RunInfo(**obj["run"])
                continue
            results.append(
                SegmentResult(
                    id=str(obj["id"]),
                    source=str(obj["source"]),
                    target=str(obj["target"]),
                    paragraph=int(obj.get("paragraph") or _paragraph_of(str(obj["id"]))),
                    terms=[TermOutcome(**term) for term in obj.get("terms", [])],
                    method=Method(obj.get("method", "unconstrained")),
                    score=obj.get("score"),
                    violated=bool(obj.get("violated", False)),
                    unconstrained=obj.get("unconstrained"),
                    suggestion=obj.get("suggestion"),
                    suggestion_similarity=obj.get("suggestion_similarity"),
                    memory_kind=obj.get("memory_kind"),
                    memory_source=obj.get("memory_source"),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{name}:{number}: not a songngu JSONL record ({exc})") from None
    return run, results


def load(path: str | os.PathLike[str]) -> tuple[RunInfo | None, list[SegmentResult]]:
    """Read a JSONL records file."""
    return loads(read_text(path), path)


def _paragraph_of(segment_id: str) -> int:
    parts = segment_id.rsplit(":", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0
