"""Form: repeated words, spacing, unbalanced brackets and quotes, final punctuation that differs.

Four small checks of the ``form`` family, each with one job:

- ``repeated``: a word or a phrase of up to eight words written twice in a row ("the the", "in the
  city in the city"; a warning: MT loops when it goes wrong), except the few English doubles that
  are grammar ("had had", "that that") and what the source doubles too ("Pago Pago");
- ``spacing``: two spaces in a row, a space before ``, . ; : ! ?``, space at either end
  (information);
- ``brackets``: ``( )``, ``[ ]``, ``{ }``, ``“ ”``, ``« »`` and straight double quotes that do not pair
  up in the target, where the source's do (a warning; a source that is itself unbalanced is
  followed);
- ``punctuation``: the target ends differently from the source (a question as a statement is a
  warning; a full stop against none, information). Closing quotes and brackets are looked through.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from songngu.translate.qa.base import Check
from songngu.translate.qa.findings import Finding, Severity
from songngu.translate.qa.segment import QaSegment

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_GRAMMATICAL_DOUBLES = frozenset({"had", "that", "bye", "ha", "no", "very", "so", "yeah", "knock", "tut"})
_SPACING = re.compile(r"(?P<double>(?<=\S) {2,}(?=\S))|(?P<before> +(?=[,.;:!?](?:\s|$)))")
_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"), ("“", "”"), ("«", "»"))
_CLOSERS = "\"'”’»)]}"


class RepeatedWordsCheck(Check):
    """No word, and no phrase of up to eight words, twice in a row."""

    name = "repeated"
    family = "form"
    description = "a word or phrase repeated ('the the', 'in the city in the city')"

    def inspect(self, segment: QaSegment) -> Iterator[Finding]:
        """One warning per run of a repeated word or phrase (the shortest repeating unit)."""
        words = list(_WORD.finditer(segment.target))
        keys = [w.group().lower() for w in words]
        source = " ".join(w.group().lower() for w in _WORD.finditer(segment.source))
        k = 0
        while k < len(words):
            found = _repeat_at(keys, words, segment.target, k)
            if found is None:
                k += 1
                continue
            size, times = found
            phrase = " ".join(keys[k : k + size])
            span = (words[k].start(), words[k + size * times - 1].end())
            repeated = " ".join([phrase] * times)
            if not (size == 1 and phrase in _GRAMMATICAL_DOUBLES) and repeated not in source:
                text = segment.target[span[0] : span[1]]
                yield self.finding(Severity.WARNING, f"{phrase!r} repeated: {text!r}", target=[span])
            k += size * times


def _repeat_at(keys: list[str], words: list[re.Match[str]], text: str, k: int) -> tuple[int, int] | None:
    """(phrase length, times) of a phrase of 1-8 words starting at ``k`` and repeated right after it;
    a single word only with nothing but spaces between the copies ("it, it" is a correction, not a
    loop)."""
    for size in range(1, 9):
        times = 1
        while keys[k : k + size] == keys[k + size * times : k + size * (times + 1)]:
            gap = text[words[k + size * times - 1].end() : words[k + size * times].start()]
            if size == 1 and gap.strip():
                break
            times += 1
        if times > 1 and k + size <= len(keys):
            return size, times
    return None


class SpacingCheck(Check):
    """Single spaces, none before punctuation, none at the ends."""

    name = "spacing"
    family = "form"
    description = "double spaces, a space before punctuation, spaces at the ends"

    def inspect(self, segment: QaSegment) -> Iterator[Finding]:
        """Information findings, one per kind."""
        target = segment.target
        doubles = [m.span() for m in _SPACING.finditer(target) if m["double"]]
        before = [m.span() for m in _SPACING.finditer(target) if m["before"]]
        if doubles:
            yield self.finding(Severity.INFO, "double space", target=doubles)
        if before:
            yield self.finding(Severity.INFO, "space before punctuation", target=before)
        ends = []
        if target[:1].isspace():
            ends.append((0, len(target) - len(target.lstrip())))
        if target[-1:].isspace():
            ends.append((len(target.rstrip()), len(target)))
        if ends and "\n" not in target.strip():
            yield self.finding(Severity.INFO, "space at the start or end", target=ends)


def _imbalance(text: str) -> tuple[tuple[str, int], ...]:
    """What does not pair up: for each pair, opened minus closed (and straight quotes counted odd)."""
    counts = Counter(text)
    unbalanced = [(opening, counts[opening] - counts[closing]) for opening, closing in _PAIRS]
    unbalanced.append(('"', counts['"'] % 2))
    return tuple((mark, n) for mark, n in unbalanced if n)


def _misnested(text: str) -> bool:
    stack: list[str] = []
    closing_of = {closing: opening for opening, closing in _PAIRS if opening != "“"}
    for char in text:
        if char in "([{":
            stack.append(char)
        elif char in closing_of and (not stack or stack.pop() != closing_of[char]):
            return True
    return False


class BracketsCheck(Check):
    """Brackets and quotes pair up in the target as they do in the source."""

    name = "brackets"
    family = "form"
    description = "brackets and quotes that do not pair up"

    def inspect(self, segment: QaSegment) -> Iterator[Finding]:
        """One warning when the target's brackets or quotes pair up worse than the source's."""
        target = _imbalance(segment.target)
        if not target and not _misnested(segment.target):
            return
        if target == _imbalance(segment.source) and _misnested(segment.target) == _misnested(segment.source):
            return  # the translation follows its source
        marks = {mark for mark, _ in target} | ({"(", ")"} if _misnested(segment.target) else set())
        spans = [(k, k + 1) for k, char in enumerate(segment.target) if _belongs(char, marks)]
        shown = " ".join(sorted({segment.target[a] for a, _ in spans}))
        yield self.finding(Severity.WARNING, f"brackets or quotes do not pair up: {shown}", target=spans)


def _belongs(char: str, marks: set[str]) -> bool:
    return any(char == mark or (mark, char) in _PAIRS for mark in marks) or char in marks


def _final(text: str) -> str:
    """The final punctuation of ``text``, looking through closing quotes and brackets ('' for none)."""
    stripped = text.rstrip().rstrip(_CLOSERS).rstrip()
    if stripped.endswith(("...", "…")):
        return "…"
    last = stripped[-1:]
    return last if last in ".?!:;" else ""


class PunctuationCheck(Check):
    """The target ends as its source does (a question stays a question)."""

    name = "punctuation"
    family = "form"
    description = "final punctuation that differs from the source's"

    def inspect(self, segment: QaSegment) -> Iterator[Finding]:
        """A warning when one side asks and the other does not; information for other differences."""
        source, target = _final(segment.source), _final(segment.target)
        if source == target:
            return
        severity = Severity.WARNING if "?" in (source, target) else Severity.INFO
        end = len(segment.target.rstrip())
        yield self.finding(
            severity,
            f"ends with {target or 'no punctuation'!r}, the source with {source or 'no punctuation'!r}",
            source=[(max(0, len(segment.source.rstrip()) - 1), len(segment.source.rstrip()))],
            target=[(max(0, end - 1), end)],
        )
