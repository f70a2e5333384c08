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

    @property
    def needs_review(self) -> bool:
        """Whether the finding keeps a sentence for review (errors and warnings; not information)."""
        return self.severity is not Severity.INFO


def worst(findings: tuple[Finding, ...] | list[Finding]) -> Severity | None:
    """The most severe severity among ``findings`` (None for none)."""
    return max((f.severity for f in findings), key=lambda s: s.rank, default=None)
