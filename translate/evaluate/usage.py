"""How the desk actually renders each glossary term: the consistency view before changing an entry.

For every term of the glossary, every memory unit whose Vietnamese source holds it (found by the
Vietnamese-aware matcher, so any spelling counts) is read, and its English classified:

- a **rendering**: the accepted English form the unit uses (``en``, an ``en_variants`` form,
  "English (ACR)" or the acronym, by how the source named it: :attr:`TermMatch.accepted`, the rule
  the review import's term changes use too), checked
  as a whole phrase, case-sensitively, as the decoder checks its constraints; else a forbidden
  form it uses; else, for a term with an acronym, a capitalised run of the English spelling the
  acronym (how an archive names the body when it is not the glossary's name); else none found;
- **missing**: the unit has none of the accepted forms (whatever else it has);
- **forbidden**: the unit has one of ``en_forbidden``.

Counts are kept apart by unit kind: ``reviewed`` (confirmed by a reviewer) and ``aligned`` (from
``songngu align``), with examples (segment ids).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.glossary.parallel import expansion_in
from songngu.translate.evaluate.report import Section
from songngu.translate.memory import MemoryUnit, UnitKind
from songngu.translate.phrase import contains_phrase

NONE_FOUND = "(no accepted rendering found)"
EXAMPLES = 3


@dataclass
class Rendering:
    """One way the term was rendered: how often, by which kind of unit, and where."""

    text: str
    accepted: bool  # one of the glossary's accepted forms
    forbidden: bool
    kinds: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Units rendering the term this way."""
        return sum(self.kinds.values())


@dataclass(frozen=True)
class Problem:
    """A unit that misses the required rendering or uses a forbidden one."""

    segment_id: str
    kind: str
    source: str
    target: str
    detail: str  # the forbidden form, or the accepted forms expected


@dataclass
class TermUsage:
    """What the memory does with one glossary entry."""

    entry: GlossaryEntry
    units: Counter[str] = field(default_factory=Counter)  # units holding the term, by kind
    renderings: dict[str, Rendering] = field(default_factory=dict)
    missing: list[Problem] = field(default_factory=list)
    forbidden: list[Problem] = field(default_factory=list)


def term_usage(units: Iterable[MemoryUnit], glossary: Glossary | Sequence[GlossaryEntry]) -> list[TermUsage]:
    """The usage of every entry in the units, in glossary order (entries never seen included)."""
    entries = list(glossary)
    matcher = GlossaryMatcher(entries)
    usage = {entry: TermUsage(entry) for entry in entries}
    for unit in units:
        kind = str(unit.kind)
        seen: dict[GlossaryEntry, list[tuple[str, ...]]] = defaultdict(list)
        for match in matcher.find(unit.source):
            seen[match.entry].append(match.accepted)
        for entry, forms in seen.items():
            term = usage[entry]
            term.units[kind] += 1
            accepted = tuple(dict.fromkeys(form for each in forms for form in each))
            used = next((form for form in accepted if contains_phrase(unit.target, form)), None)
            forbidden = next(
                (form for form in entry.en_forbidden if contains_phrase(unit.target, form)), None
            )
            if used is None:
                term.missing.append(
                    Problem(unit.segment_id, kind, unit.source, unit.target, " | ".join(accepted))
                )
            if forbidden is not None:
                term.forbidden.append(Problem(unit.segment_id, kind, unit.source, unit.target, forbidden))
            text = used or forbidden or (expansion_in(unit.target, entry.acronym) if entry.acronym else None)
            text = text or NONE_FOUND
            rendering = term.renderings.setdefault(
                text,
                Rendering(text, accepted=used is not None, forbidden=used is None and forbidden is not None),
            )
            rendering.kinds[kind] += 1
            if len(rendering.examples) < EXAMPLES:
                rendering.examples.append(unit.segment_id)
    return [usage[entry] for entry in entries]


def usage_sections(usages: Sequence[TermUsage], units: Counter[str]) -> list[Section]:
    """The report: a summary, the renderings of every term seen, the missing and forbidden cases."""
    seen = [u for u in usages if u.units]
    summary = (
        f"{sum(units.values())} memory units ({units[UnitKind.REVIEWED.value]} reviewed, "
        f"{units[UnitKind.ALIGNED.value]} aligned); "
        f"{len(seen)} of {len(usages)} glossary terms occur in them, "
        f"{sum(1 for u in seen if u.missing)} with units missing the required rendering, "
        f"{sum(1 for u in seen if u.forbidden)} with forbidden renderings."
    )
    rendering_rows = []
    for term in seen:
        for rendering in sorted(term.renderings.values(), key=lambda r: (-r.count, r.text)):
            status = "accepted" if rendering.accepted else "FORBIDDEN" if rendering.forbidden else "other"
            rendering_rows.append(
                (
                    term.entry.vi,
                    term.entry.en,
                    rendering.text,
                    status,
                    str(rendering.count),
                    _kinds(rendering.kinds),
                    ", ".join(rendering.examples),
                )
            )
    missing_rows = [
        (term.entry.vi, problem.detail, problem.segment_id, problem.kind, problem.target)
        for term in seen
        for problem in term.missing
    ]
    forbidden_rows = [
        (term.entry.vi, problem.detail, problem.segment_id, problem.kind, problem.target)
        for term in seen
        for problem in term.forbidden
    ]
    unseen = ", ".join(u.entry.vi for u in usages if not u.units)
    return [
        Section("Summary", summary),
        Section(
            "Renderings",
            "Each way the memory renders each term, by unit kind, with example segment ids.",
            ("term", "glossary English", "rendering", "status", "units", "by kind", "examples"),
            tuple(rendering_rows),
        ),
        Section(
            "Required rendering missing",
            "Units whose English has none of the accepted forms of a term their Vietnamese holds.",
            ("term", "accepted forms", "segment", "kind", "English"),
            tuple(missing_rows),
        ),
        Section(
            "Forbidden renderings",
            "Units whose English uses a rendering the glossary forbids.",
            ("term", "forbidden", "segment", "kind", "English"),
            tuple(forbidden_rows),
        ),
        Section("Terms not in the memory", unseen or "none"),
    ]


def _kinds(kinds: Counter[str]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
