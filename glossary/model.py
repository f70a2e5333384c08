"""What a term is: glossary entries, the glossary, and a term found in text."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class GlossaryEntry:
    """One concept: its Vietnamese term and the English term a translation must use.

    ``en_variants`` are other acceptable English renderings (any one satisfies a constraint;
    ``en`` is preferred). ``en_forbidden`` renderings must never appear. ``line`` is where the
    entry was read from (1-based; 0 when built in code), for messages.

    Abbreviations are kept per language. ``acronym`` is the English one (UN): what a translation
    must contain where the source abbreviates; Vietnamese text often uses it too, so it is also
    matched in the source. ``vi_acronym`` is the Vietnamese one (LHQ for Liên hợp quốc): matched in
    the source only, and rendered by the English ``acronym`` (or, without one, by the English term).
    """

    vi: str
    en: str
    acronym: str = ""
    vi_variants: tuple[str, ...] = ()
    en_variants: tuple[str, ...] = ()
    en_forbidden: tuple[str, ...] = ()
    note: str = ""
    vi_acronym: str = ""
    line: int = field(default=0, compare=False)

    @property
    def vi_forms(self) -> tuple[str, ...]:
        """The Vietnamese full form followed by its variants."""
        return (self.vi, *self.vi_variants)

    @property
    def source_acronyms(self) -> tuple[str, ...]:
        """The abbreviations matched in Vietnamese text: the English one, then the Vietnamese one."""
        return tuple(dict.fromkeys(a for a in (self.acronym, self.vi_acronym) if a))

    @property
    def en_forms(self) -> tuple[str, ...]:
        """The preferred English term followed by the other acceptable ones."""
        return (self.en, *self.en_variants)


class MatchForm(Enum):
    """How a term appeared in the source, which decides how it must be rendered."""

    FULL = "full"  # the Vietnamese full form or one of its variants
    FULL_WITH_ACRONYM = "full+acronym"  # "Ủy ban ... (AICHR)": one match covering both
    ACRONYM = "acronym"  # the acronym alone


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a text: ``text[start:end]`` is exactly what was matched."""

    start: int
    end: int
    text: str
    entry: GlossaryEntry
    form: MatchForm

    @property
    def targets(self) -> tuple[str, ...]:
        """The English renderings that satisfy this occurrence, preferred first.

        A full form becomes the English term; a full form with its acronym in parentheses becomes
        "English term (ACR)"; an acronym alone becomes the English acronym. The acronym is always
        the English one: "Liên hợp quốc (LHQ)" becomes "United Nations (UN)", "LHQ" alone "UN". An
        entry with only a Vietnamese acronym renders it by the English term.
        """
        acronym = self.entry.acronym
        if self.form is MatchForm.ACRONYM and acronym:
            return (acronym,)
        if self.form is MatchForm.FULL_WITH_ACRONYM and acronym:
            return tuple(f"{en} ({acronym})" for en in self.entry.en_forms)
        return self.entry.en_forms

    @property
    def target(self) -> str:
        """The preferred English rendering."""
        return self.targets[0]

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every English rendering that counts as this term where a reviewer or an archive wrote it:
        this occurrence's :attr:`targets` (preferred first), then the entry's other English forms
        (a full name without the acronym the source gave still names the body).

        The one rule for "is this rendering the glossary's": the glossary usage report, the review
        notes and the candidate glossary rows all ask it here.
        """
        return tuple(dict.fromkeys((*self.targets, *self.entry.en_forms)))


@dataclass
class Glossary:
    """An ordered list of entries, with where they came from."""

    entries: list[GlossaryEntry]
    source: str = ""

    def __iter__(self) -> Iterator[GlossaryEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def checksum(self) -> str:
        """A stable fingerprint of the content (not of the file's bytes): ``sha256:<hex>``.

        Two files holding the same entries in the same order, CSV or TBX, have the same checksum,
        so a run's metadata says which terminology it was held to.
        """
        digest = hashlib.sha256()
        for entry in self.entries:
            for value in _fingerprint_fields(entry):
                digest.update(value.encode("utf-8"))
                digest.update(b"\x1f")
            digest.update(b"\x1e")
        return f"sha256:{digest.hexdigest()}"


def _fingerprint_fields(entry: GlossaryEntry) -> Sequence[str]:
    return (
        entry.vi,
        entry.en,
        entry.acronym,
        "|".join(entry.vi_variants),
        "|".join(entry.en_variants),
        "|".join(entry.en_forbidden),
        entry.note,
        # Only when set, so that the checksum of a glossary without one is what it always was.
        *((f"vi_acronym={entry.vi_acronym}",) if entry.vi_acronym else ()),
    )
