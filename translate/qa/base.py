"""The base of every check, in the manner of sacrebleu's metrics: one class per check, small named hooks.

A :class:`Check` has a ``name`` (what ``--checks`` selects and what findings carry) and a ``family``
(``numbers``, ``form``, ...). :meth:`Check.run` asks :meth:`Check.applies` whether there is anything to
look at, then collects :meth:`Check.inspect`. Checks that compare things found on both sides
(numbers, dates) derive from :class:`MatchingCheck`: they say what each side holds
(:meth:`~MatchingCheck.source_items`, :meth:`~MatchingCheck.target_items`), what the other side may
offer in its place (:meth:`~MatchingCheck.source_supply`, :meth:`~MatchingCheck.target_supply`) and
when two agree (:meth:`~MatchingCheck.agree`); the base pairs them one to one (a maximum bipartite
matching) and words what is left over.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from songngu.translate.qa.findings import Finding, Severity, Span
from songngu.translate.qa.segment import QaSegment


class Check(ABC):
    """One quality check. Subclasses set ``name``, ``family`` and ``description`` and implement
    :meth:`inspect`; :meth:`applies` may skip segments with nothing to look at."""

    name: ClassVar[str]
    family: ClassVar[str]
    description: ClassVar[str]

    def applies(self, segment: QaSegment) -> bool:
        """Whether the segment has anything for this check (default: a non-blank target)."""
        return bool(segment.target.strip())

    @abstractmethod
    def inspect(self, segment: QaSegment) -> Iterable[Finding]:
        """The findings of this check in ``segment``."""

    def run(self, segment: QaSegment) -> list[Finding]:
        """:meth:`inspect` where :meth:`applies`; nothing elsewhere."""
        return list(self.inspect(segment)) if self.applies(segment) else []

    def finding(
        self,
        severity: Severity,
        message: str,
        source: Iterable[tuple[int, int]] = (),
        target: Iterable[tuple[int, int]] = (),
    ) -> Finding:
        """A finding of this check."""
        return Finding(
            self.name,
            severity,
            message,
            tuple(Span(a, b) for a, b in source),
            tuple(Span(a, b) for a, b in target),
        )


Item = TypeVar("Item")
L = TypeVar("L")
R = TypeVar("R")


@dataclass(frozen=True)
class Found(Generic[Item]):
    """Something found in a text: what it means (``value``), where (``start``/``end``), as written."""

    value: Item
    start: int
    end: int
    text: str


def maximum_matching(
    left: Sequence[L], right: Sequence[R], agree: Callable[[L, R], bool]
) -> list[int | None]:
    """A maximum one-to-one pairing of ``left`` with ``right`` items that ``agree``: for each left
    item, the index of its right partner or None (Kuhn's augmenting paths; sentences hold few items)."""
    options = [[j for j, r in enumerate(right) if agree(item, r)] for item in left]
    partner_of_right: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in options[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in partner_of_right or augment(partner_of_right[j], seen):
                partner_of_right[j] = i
                return True
        return False

    # Items with fewer options first: a greedy start that augmenting rarely has to undo.
    for i in sorted(range(len(left)), key=lambda k: len(options[k])):
        augment(i, set())
    pairs: list[int | None] = [None] * len(left)
    for j, i in partner_of_right.items():
        pairs[i] = j
    return pairs


class MatchingCheck(Check, Generic[Item]):
    """A check that demands, for each item of one side, an agreeing item on the other.

    *Items* are what must be carried over (digits, dates): each source item needs an agreeing item
    of the target's *supply*, each target item one of the source's supply (so nothing appears from
    nowhere). The supply is the items plus what may stand for them without being required itself
    (a number written as a word: "five" may carry "5", but "five" need not be written as a digit).
    """

    @abstractmethod
    def source_items(self, segment: QaSegment) -> list[Found[Item]]:
        """What the source holds that the target must carry."""

    @abstractmethod
    def target_items(self, segment: QaSegment) -> list[Found[Item]]:
        """What the target holds that must come from the source."""

    def source_supply(self, segment: QaSegment) -> list[Found[Item]]:
        """What in the source may account for a target item (default: the source items)."""
        return self.source_items(segment)

    def target_supply(self, segment: QaSegment) -> list[Found[Item]]:
        """What in the target may carry a source item (default: the target items)."""
        return self.target_items(segment)

    @abstractmethod
    def agree(self, a: Item, b: Item) -> bool:
        """Whether two items mean the same (symmetric)."""

    @abstractmethod
    def missing(self, item: Found[Item]) -> Finding:
        """The finding for a source item the target does not carry."""

    @abstractmethod
    def extra(self, item: Found[Item]) -> Finding:
        """The finding for a target item that is not in the source."""

    def inspect(self, segment: QaSegment) -> Iterable[Finding]:
        """Pair each side's items with the other side's supply; word what stays unpaired."""

        def agree(a: Found[Item], b: Found[Item]) -> bool:
            return self.agree(a.value, b.value)

        wanted = self.source_items(segment)
        if wanted:
            supply = self.target_supply(segment)
            for item, partner in zip(wanted, maximum_matching(wanted, supply, agree), strict=True):
                if partner is None:
                    yield self.missing(item)
        offered = self.target_items(segment)
        if offered:
            supply = self.source_supply(segment)
            for item, partner in zip(offered, maximum_matching(offered, supply, agree), strict=True):
                if partner is None:
                    yield self.extra(item)
