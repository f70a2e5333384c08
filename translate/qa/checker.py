"""The registry of checks, and the checker that runs a selection of them on each segment.

Every check class is listed once in :data:`CHECK_CLASSES`; ``--checks`` names checks or families
(``form`` is ``repeated``, ``spacing``, ``brackets`` and ``punctuation``).

>>> from songngu.translate.qa.segment import QaSegment
>>> checker = QualityChecker(build_checks(["numbers"]))
>>> [f.message for f in checker.check(QaSegment("a:1:1", "Có 1.500 người.", "There were 1,600 people."))]
["'1.500' (1,500) is not in the translation", "'1,600' (1,600) is not in the source"]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from songngu.errors import InputError
from songngu.translate.qa.base import Check
from songngu.translate.qa.dates import DatesCheck
from songngu.translate.qa.findings import Finding
from songngu.translate.qa.form import BracketsCheck, PunctuationCheck, RepeatedWordsCheck, SpacingCheck
from songngu.translate.qa.ignore import IgnoreRule, accepted
from songngu.translate.qa.length import FLORES_MODEL, LengthCheck, LengthModel
from songngu.translate.qa.names import NamesCheck
from songngu.translate.qa.numbers import NumbersCheck
from songngu.translate.qa.segment import QaSegment
from songngu.translate.qa.terms import TermsCheck
from songngu.translate.qa.untranslated import UntranslatedCheck

CHECK_CLASSES: tuple[type[Check], ...] = (
    NumbersCheck,
    DatesCheck,
    TermsCheck,
    NamesCheck,
    UntranslatedCheck,
    LengthCheck,
    RepeatedWordsCheck,
    SpacingCheck,
    BracketsCheck,
    PunctuationCheck,
)
CHECK_NAMES = tuple(cls.name for cls in CHECK_CLASSES)


def selectors() -> dict[str, frozenset[str]]:
    """Every name ``--checks`` and ignore files accept (checks, families, ``*``) → the checks it means."""
    names: dict[str, frozenset[str]] = {"*": frozenset(CHECK_NAMES)}
    for cls in CHECK_CLASSES:
        names[cls.family] = names.get(cls.family, frozenset()) | {cls.name}
        names[cls.name] = frozenset({cls.name})
    return names


def select(names: Iterable[str]) -> list[str]:
    """The check names meant by check or family names, in registry order (InputError for an unknown one)."""
    known = selectors()
    chosen: set[str] = set()
    for name in names:
        if name not in known:
            raise InputError(f"--checks: unknown check {name!r} (known: {', '.join(sorted(known))})")
        chosen |= known[name]
    return [name for name in CHECK_NAMES if name in chosen]


def build_checks(names: Iterable[str] = CHECK_NAMES, length_model: LengthModel = FLORES_MODEL) -> list[Check]:
    """Instances of the selected checks (see :func:`select`), the length check on ``length_model``."""
    chosen = set(select(names))
    checks: list[Check] = []
    for cls in CHECK_CLASSES:
        if cls.name not in chosen:
            continue
        checks.append(LengthCheck(length_model) if cls is LengthCheck else cls())
    return checks


class QualityChecker:
    """Runs checks on segments and leaves out the findings an ignore file accepts."""

    def __init__(self, checks: Sequence[Check], ignore: Sequence[IgnoreRule] = ()) -> None:
        self.checks = tuple(checks)
        self.ignore = tuple(ignore)

    def check(self, segment: QaSegment) -> tuple[Finding, ...]:
        """The findings in ``segment``, worst first (in check order within a severity)."""
        findings = [
            finding
            for check in self.checks
            for finding in check.run(segment)
            if not (self.ignore and accepted(self.ignore, segment, finding))
        ]
        return tuple(sorted(findings, key=lambda f: -f.severity.rank))
