"""Accepted exceptions (``songngu qa --ignore FILE``): findings a reviewer has looked at and accepted.

One rule a line; ``#`` starts a comment; fields are separated by whitespace::

    # CHECK     SEGMENT              [TEXT]
    numbers     bai:3:2                          every numbers finding of segment bai:3:2
    names       *            Hà Nội              a names finding about "Hà Nội", anywhere
    length      2024/*                           length findings of every segment id starting 2024/
    *           bai:7:1                          everything in bai:7:1

CHECK is a check's name, a family's (``form``) or ``*``; SEGMENT a segment id, where ``*`` and
``?`` match as in file names; TEXT (the rest of the line), when given, must occur in the finding's
message or in the text of one of its spans. A line that is not a rule is an InputError naming the
file and the line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from songngu.errors import InputError
from songngu.textfile import read_text
from songngu.translate.qa.findings import Finding
from songngu.translate.qa.segment import QaSegment


@dataclass(frozen=True)
class IgnoreRule:
    """One accepted exception (module docstring); ``checks`` are the check names it covers."""

    checks: frozenset[str]
    segment: str
    text: str = ""
    line: int = 0

    def covers(self, segment: QaSegment, finding: Finding) -> bool:
        """Whether this rule accepts ``finding`` of ``segment``."""
        if finding.check not in self.checks or not fnmatchcase(segment.id, self.segment):
            return False
        if not self.text:
            return True
        texts = [finding.message]
        texts += [segment.source[s.start : s.end] for s in finding.source]
        texts += [segment.target[s.start : s.end] for s in finding.target]
        return any(self.text in text for text in texts)


def parse_ignore(text: str, name: str, families: dict[str, frozenset[str]]) -> list[IgnoreRule]:
    """The rules of an ignore file's text; ``families`` maps each check and family name (and
    ``*``) to the check names it stands for."""
    rules: list[IgnoreRule] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        fields = line.split(None, 2)
        if len(fields) < 2:
            raise InputError(f"{name}:{number}: expected CHECK SEGMENT [TEXT], found {line!r}")
        check, segment = fields[0], fields[1]
        if check not in families:
            known = ", ".join(sorted(families))
            raise InputError(f"{name}:{number}: unknown check {check!r} (known: {known})")
        rules.append(
            IgnoreRule(families[check], segment, fields[2].strip() if len(fields) > 2 else "", number)
        )
    return rules


def read_ignore(path: str | os.PathLike[str], families: dict[str, frozenset[str]]) -> list[IgnoreRule]:
    """Read an ignore file (UTF-8); see :func:`parse_ignore`."""
    return parse_ignore(read_text(path), os.fspath(path), families)


def accepted(rules: Iterable[IgnoreRule], segment: QaSegment, finding: Finding) -> bool:
    """Whether some rule accepts ``finding``."""
    return any(rule.covers(segment, finding) for rule in rules)
