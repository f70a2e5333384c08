"""Terminology metrics: were the glossary's terms used, used consistently, and forbidden ones avoided?

Definitions (what the report and ``--json`` mean):

- Every glossary match in a source sentence is one *required term*. It is *met* when the hypothesis
  contains an accepted English rendering as a whole phrase (:mod:`songngu.translate.phrase`, the rule
  the engine uses too: case-sensitive, any whitespace between words): for a full-form
  match (with or without the acronym in parentheses) any of the entry's English forms (its term or
  an accepted alternative); for an acronym-only match, the acronym.
  ``term_success_rate`` = met / required, from 0 to 1.
- ``term_success_rate_inflected`` also accepts English inflection of the head noun: a plural
  (``Councils``, ``Ministries``) or a possessive (``Ministry's``, ``Commissions'``), on the last word
  and on the word before the first ``of`` (``Ministries of Foreign Affairs``).
- ``term_consistency``: within one article, a glossary entry that occurs in full form at least twice
  is *consistent* when every one of those occurrences is rendered with the same English form
  (inflection aside). The rate is consistent / checked over every (article, entry) checked;
  ``None`` when no entry occurs twice. A missing rendering is never consistent; acronym-only
  occurrences are left out, since the source decides their rendering.
- ``forbidden``: in the hypothesis of a sentence whose source holds an entry, each occurrence of one
  of that entry's forbidden renderings (whole words, case-sensitive) that is not part of an accepted
  rendering counts once; an entry found several times in one sentence is counted once there.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from songngu.glossary.model import MatchForm, TermMatch
from songngu.translate.phrase import contains_phrase, phrase_spans
from songngu.translate.reviewed import UnitTerm


class Matcher(Protocol):
    """What finds glossary terms in a source sentence (``glossary.matcher.GlossaryMatcher``)."""

    def find(self, text: str) -> list[TermMatch]: ...


@dataclass(frozen=True)
class RequiredTerm:
    """A term a translation must contain. ``key`` names the concept (the glossary's English term)."""

    key: str
    vi: str
    accepted: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    acronym_only: bool = False


def required_terms(matches: Iterable[TermMatch]) -> list[RequiredTerm]:
    """The required terms of a sentence from its glossary matches."""
    terms = []
    for match in matches:
        entry = match.entry
        # A Vietnamese abbreviation without an English one is rendered by the English term.
        acronym_only = match.form is MatchForm.ACRONYM and bool(entry.acronym)
        accepted = (entry.acronym,) if acronym_only else entry.en_forms
        terms.append(RequiredTerm(entry.en, match.text, accepted, entry.en_forbidden, acronym_only))
    return terms


_WITH_ACRONYM = re.compile(r"(.+) \(([^()]+)\)")


def terms_from_outcomes(outcomes: Iterable[UnitTerm]) -> list[RequiredTerm]:
    """Required terms as the hypothesis file records them (no glossary at hand): the required
    English rendering and the others it records as accepted, each with an acronym in parentheses
    not required, and no forbidden renderings known."""
    terms = []
    for outcome in outcomes:
        forms = [_without_acronym(form) for form in (outcome.en, *outcome.accepted)]
        full = forms[0]
        acronym_only = " " not in full and full.isupper()
        terms.append(RequiredTerm(full, outcome.vi, tuple(dict.fromkeys(forms)), (), acronym_only))
    return terms


def _without_acronym(form: str) -> str:
    with_acronym = _WITH_ACRONYM.fullmatch(form)
    return with_acronym.group(1) if with_acronym else form


def find_rendering(hypothesis: str, forms: Sequence[str], inflected: bool = False) -> str | None:
    """The accepted form the hypothesis uses (the longest found), or None."""
    found = [form for form in forms if contains_phrase(hypothesis, form, inflected=inflected)]
    return max(found, key=len) if found else None


def count_forbidden(hypothesis: str, term: RequiredTerm) -> Counter[str]:
    """Forbidden renderings of ``term`` in ``hypothesis``, outside any accepted rendering."""
    allowed = [span for form in term.accepted for span in phrase_spans(hypothesis, form, inflected=True)]
    found: Counter[str] = Counter()
    for form in term.forbidden:
        for start, end in phrase_spans(hypothesis, form):
            if not any(lo <= start and end <= hi for lo, hi in allowed):
                found[form] += 1
    return found


@dataclass(frozen=True)
class TermCheck:
    """One required term checked in one hypothesis."""

    term: RequiredTerm
    met: bool
    met_inflected: bool
    rendering: str | None  # the accepted form used (inflection-tolerant), for consistency


@dataclass(frozen=True)
class SentenceTerms:
    """The terminology verdict of one hypothesis sentence."""

    checks: tuple[TermCheck, ...]
    forbidden: Counter[str]  # forbidden rendering → occurrences
    forbidden_by_key: Counter[str]  # concept → forbidden occurrences

    @property
    def required(self) -> int:
        return len(self.checks)

    @property
    def met(self) -> int:
        return sum(c.met for c in self.checks)


def check_sentence(hypothesis: str, terms: Sequence[RequiredTerm]) -> SentenceTerms:
    """Check every required term of a sentence against its hypothesis."""
    checks = []
    forbidden: Counter[str] = Counter()
    by_key: Counter[str] = Counter()
    seen: set[str] = set()
    for term in terms:
        met = find_rendering(hypothesis, term.accepted) is not None
        rendering = find_rendering(hypothesis, term.accepted, inflected=True)
        checks.append(TermCheck(term, met, rendering is not None, rendering))
        if term.key not in seen:  # an entry found twice in a sentence: its forbidden forms count once
            seen.add(term.key)
            found = count_forbidden(hypothesis, term)
            forbidden.update(found)
            by_key[term.key] += sum(found.values())
    return SentenceTerms(tuple(checks), forbidden, by_key)


@dataclass
class TermStats:
    """Terminology totals over some sentences (an article, or all)."""

    required: int = 0
    met: int = 0
    met_inflected: int = 0
    forbidden: int = 0
    consistency_checked: int = 0
    consistent: int = 0

    @property
    def success_rate(self) -> float | None:
        return self.met / self.required if self.required else None

    @property
    def inflected_rate(self) -> float | None:
        return self.met_inflected / self.required if self.required else None

    @property
    def consistency(self) -> float | None:
        return self.consistent / self.consistency_checked if self.consistency_checked else None

    def add(self, other: TermStats) -> None:
        self.required += other.required
        self.met += other.met
        self.met_inflected += other.met_inflected
        self.forbidden += other.forbidden
        self.consistency_checked += other.consistency_checked
        self.consistent += other.consistent

    def to_json(self) -> dict[str, object]:
        return {
            "term_success_rate": self.success_rate,
            "term_success_rate_inflected": self.inflected_rate,
            "term_consistency": self.consistency,
            "forbidden": self.forbidden,
            "terms_required": self.required,
            "terms_met": self.met,
            "terms_met_inflected": self.met_inflected,
            "consistency_checked": self.consistency_checked,
            "consistent": self.consistent,
        }


@dataclass
class TermBreakdown:
    """One glossary concept over the whole evaluation: how often required, met, and rendered how."""

    key: str
    required: int = 0
    met: int = 0
    met_inflected: int = 0
    forbidden: int = 0
    inconsistent_articles: int = 0
    renderings: Counter[str] = field(default_factory=Counter)  # form used (or "(missing)") → count

    @property
    def failed(self) -> int:
        return self.required - self.met

    def to_json(self) -> dict[str, object]:
        return {
            "term": self.key,
            "required": self.required,
            "met": self.met,
            "met_inflected": self.met_inflected,
            "failed": self.failed,
            "forbidden": self.forbidden,
            "inconsistent_articles": self.inconsistent_articles,
            "renderings": dict(self.renderings.most_common()),
        }


MISSING = "(missing)"


def article_stats(
    sentences: Sequence[SentenceTerms], breakdown: dict[str, TermBreakdown] | None = None
) -> TermStats:
    """Totals for one article's sentences, consistency included; updates ``breakdown`` if given."""
    stats = TermStats()
    renderings: dict[str, list[str | None]] = defaultdict(list)
    for sentence in sentences:
        stats.forbidden += sum(sentence.forbidden.values())
        for check in sentence.checks:
            stats.required += 1
            stats.met += check.met
            stats.met_inflected += check.met_inflected
            if not check.term.acronym_only:
                renderings[check.term.key].append(check.rendering)
            if breakdown is not None:
                row = breakdown.setdefault(check.term.key, TermBreakdown(check.term.key))
                row.required += 1
                row.met += check.met
                row.met_inflected += check.met_inflected
                row.renderings[check.rendering or MISSING] += 1
        if breakdown is not None:
            for key, count in sentence.forbidden_by_key.items():
                breakdown.setdefault(key, TermBreakdown(key)).forbidden += count
    for key, used in renderings.items():
        if len(used) < 2:
            continue
        stats.consistency_checked += 1
        if None not in used and len(set(used)) == 1:
            stats.consistent += 1
        elif breakdown is not None:
            breakdown[key].inconsistent_articles += 1
    return stats


def worst_first(breakdown: dict[str, TermBreakdown]) -> list[TermBreakdown]:
    """Terms ordered by how often they failed (then forbidden uses, inconsistency, name)."""
    return sorted(
        breakdown.values(), key=lambda r: (-r.failed, -r.forbidden, -r.inconsistent_articles, r.key)
    )
