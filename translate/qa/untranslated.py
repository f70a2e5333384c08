"""Untranslated text: an empty target, a target equal to its source, or Vietnamese words in the English.

- **Empty**: an error, except in a unit nobody has reviewed yet (an empty PO msgstr waiting for a
  translator is information, not a mistake).
- **Equal to the source** (compared folded: case, Unicode form, tone placement, spaces), where the
  source has letters: an error (a sentence of only numbers or a name may stay as it is).
- **Vietnamese words** (:func:`~songngu.translate.qa.vietnamese.vietnamese_word`) in the target:
  capitalised ones that the source has too are names kept with their diacritics, which some desks
  prefer, and are left alone. Half the target's words or more: an error (a sentence left in
  Vietnamese); fewer: a warning naming them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from songngu.glossary.normalize import fold
from songngu.translate.qa.base import Check
from songngu.translate.qa.findings import Finding, Severity
from songngu.translate.qa.segment import QaSegment
from songngu.translate.qa.vietnamese import vietnamese_word

_WORD = re.compile(r"[^\W\d_]+")


class UntranslatedCheck(Check):
    """The target is English: not empty, not the source, no Vietnamese words."""

    name = "untranslated"
    family = "untranslated"
    description = "empty translations, the source left as it is, Vietnamese words in the English"

    def applies(self, segment: QaSegment) -> bool:
        """Every segment with a source."""
        return bool(segment.source.strip())

    def inspect(self, segment: QaSegment) -> Iterator[Finding]:
        """At most one finding: empty, equal to the source, or Vietnamese words."""
        target = segment.target
        if not target.strip():
            if segment.reviewed:
                yield self.finding(Severity.ERROR, "the translation is empty")
            else:
                yield self.finding(Severity.INFO, "not translated yet")
            return
        if fold(target) == fold(segment.source) and _WORD.search(segment.source):
            yield self.finding(
                Severity.ERROR,
                "the translation is the source text, untranslated",
                source=[(0, len(segment.source))],
                target=[(0, len(target))],
            )
            return
        # Capitalised inside the source (not merely its first word): a name.
        names = {
            fold(m.group())
            for m in _WORD.finditer(segment.source)
            if m.group()[0].isupper() and m.start() > 0
        }
        words = list(_WORD.finditer(target))
        vietnamese = [
            m
            for m in words
            if vietnamese_word(m.group()) and not (m.group()[0].isupper() and fold(m.group()) in names)
        ]
        if not vietnamese:
            return
        shown = ", ".join(dict.fromkeys(repr(m.group()) for m in vietnamese[:8]))
        if 2 * len(vietnamese) >= len(words):
            yield self.finding(
                Severity.ERROR,
                f"mostly Vietnamese: {len(vietnamese)} of {len(words)} words ({shown}, ...)",
                target=[m.span() for m in vietnamese],
            )
        else:
            yield self.finding(
                Severity.WARNING,
                f"Vietnamese words in the translation: {shown}",
                target=[m.span() for m in vietnamese],
            )
