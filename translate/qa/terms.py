"""Glossary terms: each term matched in the source is rendered as the glossary says, no forbidden
rendering is present, and no acronym is doubled.

Whether a rendering is in the target is :func:`songngu.translate.phrase.contains_phrase`, the one
whole-phrase check the decoder and evaluation use, so "UN" is not met by "UNDP" here either. QA is
a little more tolerant than the decoder, because it also reads a reviewer's text, which no constraint
protects: a rendering also counts with its first letter capitalised (a term that opens a sentence)
and inflected (plural, possessive: "Ministries of Foreign Affairs"). A rendering found only in
another case ("prime minister" for "Prime Minister") is a warning, not an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from songngu.translate.phrase import contains_phrase, phrase_spans
from songngu.translate.qa.base import Check
from songngu.translate.qa.findings import Finding, Severity
from songngu.translate.qa.segment import QaSegment, QaTerm

# An acronym right after itself, bare or in parentheses: "UN (UN)", "(AICHR) (AICHR)".
_DOUBLED = re.compile(r"(?<![\w(])\(?(?P<a>[A-Z][A-Z0-9&.-]*[A-Z0-9])\)?\s*\(\s*(?P=a)\s*\)")


def _capitalised(rendering: str) -> str:
    return rendering[:1].upper() + rendering[1:]


def rendered(target: str, rendering: str) -> bool:
    """Whether ``rendering`` is in ``target`` as the terms check counts it (module docstring)."""
    return any(
        contains_phrase(target, form, inflected=True)
        for form in dict.fromkeys((rendering, _capitalised(rendering)))
    )


class TermsCheck(Check):
    """Every glossary term is met, none of its forbidden renderings is present, no acronym doubled."""

    name = "terms"
    family = "terms"
    description = (
        "glossary terms rendered as the glossary says (any variant), nothing forbidden, no doubled acronym"
    )

    def inspect(self, segment: QaSegment) -> Iterator[Finding]:
        """One finding per unmet term, per forbidden rendering present, per doubled acronym."""
        target = segment.target
        reported: set[str] = set()
        for term in segment.terms:
            yield from self._term(term, target, reported)
        for match in _DOUBLED.finditer(target):
            yield self.finding(
                Severity.ERROR,
                f"acronym {match['a']!r} doubled: {match.group()!r}",
                target=[match.span()],
            )

    def _term(self, term: QaTerm, target: str, reported: set[str]) -> Iterator[Finding]:
        source = [(term.start, term.end)]
        if term.accepted and not any(rendered(target, form) for form in term.accepted):
            folded = [form for form in term.accepted if contains_phrase(target.lower(), form.lower())]
            expected = " or ".join(repr(form) for form in term.accepted)
            if folded:
                spans = phrase_spans(target.lower(), folded[0].lower())
                written = target[spans[0][0] : spans[0][1]]
                yield self.finding(
                    Severity.WARNING,
                    f"term {term.vi!r} is written {written!r}; the glossary has {expected}",
                    source=source,
                    target=spans[:1],
                )
            else:
                yield self.finding(
                    Severity.ERROR, f"term {term.vi!r} should be rendered {expected}", source=source
                )
        for forbidden in term.forbidden:
            if forbidden in reported:
                continue
            spans = [
                span
                for form in dict.fromkeys((forbidden, _capitalised(forbidden)))
                for span in phrase_spans(target, form)
            ]
            if spans:
                reported.add(forbidden)
                yield self.finding(
                    Severity.ERROR,
                    f"{forbidden!r} is a forbidden rendering of {term.vi!r} (use {term.accepted[0]!r})"
                    if term.accepted
                    else f"{forbidden!r} is a forbidden rendering of {term.vi!r}",
                    source=source,
                    target=spans,
                )
