"""What a check reports: a finding, with its severity and the offending spans in source and target."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How sure a check is that the translation is wrong.

    ``error``: the translation says something else (a number, a date or a required term differs, or
    it is not English); ``songngu qa`` exits 1 while one remains. ``warning``: likely wrong, worth a
    look (a name missing, a length far from the usual ratio). ``info``: typography.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """2 for an error, 1 for a warning, 0 for information: larger is worse."""
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, order=True)
class Span:
    """``text[start:end]`` of the source or the target (Python string offsets)."""

    start: int
    end: int


@dataclass(frozen=True)
class Finding:
    """One problem a check found in one segment.

    ``check`` is the check's name (``numbers``, ``dates``, ...); ``source`` and ``target`` are the
    offending spans on either side (either may be empty: a number that appears from nowhere has no
    source span).
    """

    check: str
    severity: Severity
    message: str
    source: tuple[Span, ...] = ()
    target: tuple[Span, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The finding as a JSON object (``songngu qa --format json``, the JSONL records)."""
        return {
            "check": self.check,
            "severity": str(self.severity),
            "message": self.message,
            "source": [[s.start, s.end] for s in self.source],
            "target": [[s.start, s.end] for s in self.target],
        }

    @classmethod
    def from_dict(cls, obj: object) -> Finding:
        """The finding of :meth:`to_dict`'s object; ValueError or TypeError when it is not one."""
        if not isinstance(obj, dict):
            raise TypeError("a qa finding must be a JSON object")
        check, severity, message = obj.get("check"), obj.get("severity"), obj.get("message")
        if not isinstance(check, str) or not isinstance(message, str) or not isinstance(severity, str):
            raise TypeError("a qa finding needs string check, severity and message")
        return cls(
            check, Severity(severity), message, _spans(obj.get("source", [])), _spans(obj.get("target", []))
        )

    @property
    def needs_review(self) -> bool:
        """Whether the finding keeps a sentence for review (errors and warnings; not information)."""
        return self.severity is not Severity.INFO


def worst(findings: tuple[Finding, ...] | list[Finding]) -> Severity | None:
    """The most severe severity among ``findings`` (None for none)."""
    return max((f.severity for f in findings), key=lambda s: s.rank, default=None)


def _spans(value: object) -> tuple[Span, ...]:
    if not isinstance(value, list):
        raise TypeError("qa finding spans must be a list of [start, end]")
    spans = []
    for item in value:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in item)
        ):
            raise TypeError("qa finding spans must be a list of [start, end]")
        spans.append(Span(item[0], item[1]))
    return tuple(spans)
