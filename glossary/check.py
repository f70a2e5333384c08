"""Validating a glossary: the problems a curator must fix before translation is held to it.

Vietnamese forms are compared with :func:`glossary.normalize.fold` (Unicode form, tone-mark
placement, case, whitespace), the way the matcher sees them: two forms that fold alike are the
same term to the matcher, whatever they look like in the file.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

from songngu.glossary.formats import load_glossary, table
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.glossary.normalize import fold, spells_initials
from songngu.textfile import read_text


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, on the (1-based) line of the entry it concerns."""

    line: int
    message: str

    def format(self, source: str | os.PathLike[str]) -> str:
        """``FILE:LINE: message``, the form editors and CI logs link to."""
        return f"{os.fspath(source)}:{self.line}: {self.message}"


# What each kind of Vietnamese form is called in messages.
_FORM_NAMES = {
    "vi": "term",
    "vi_variants": "variant",
    "acronym": "acronym",
    "vi_acronym": "Vietnamese acronym",
}


def check_glossary(glossary: Glossary) -> list[Finding]:
    """Every problem found in the glossary's entries, ordered by line."""
    findings: list[Finding] = []
    for entry in glossary:
        findings.extend(_empty_cells(entry))
        findings.extend(_required_and_forbidden(entry))
        findings.extend(_acronym_on_the_wrong_side(entry))
    findings.extend(_duplicates_and_conflicts(glossary.entries))
    findings.extend(_variant_collisions(glossary.entries))
    return sorted(findings, key=lambda finding: finding.line)


def check_file(path: str | os.PathLike[str]) -> list[Finding]:
    """Load and check a glossary file (CSV, TSV or TBX); a table's raw cells are checked too."""
    glossary = load_glossary(path)
    findings = check_glossary(glossary)
    if not os.fspath(path).lower().endswith(".tbx"):
        text = read_text(path)
        findings.extend(_empty_list_items(text, path, table.delimiter_for(path, text)))
    return sorted(findings, key=lambda finding: finding.line)


def _empty_cells(entry: GlossaryEntry) -> list[Finding]:
    findings = []
    if not entry.vi:
        findings.append(Finding(entry.line, "empty 'vi' cell: the entry has no Vietnamese term"))
    if not entry.en:
        term = f" for {entry.vi!r}" if entry.vi else ""
        findings.append(Finding(entry.line, f"empty 'en' cell: no English term{term}"))
    return findings


def _en_key(text: str) -> str:
    """English renderings compare case-insensitively, in NFC, with whitespace runs as one space."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _required_and_forbidden(entry: GlossaryEntry) -> list[Finding]:
    forbidden = {_en_key(text): text for text in entry.en_forbidden}
    findings = []
    for column, texts in (("en", (entry.en,)), ("en_variants", entry.en_variants)):
        for text in texts:
            if text and _en_key(text) in forbidden:
                findings.append(
                    Finding(
                        entry.line,
                        f"{text!r} is both required ({column}) and forbidden "
                        f"(en_forbidden {forbidden[_en_key(text)]!r})",
                    )
                )
    return findings


def _duplicates_and_conflicts(entries: list[GlossaryEntry]) -> list[Finding]:
    """Entries whose Vietnamese terms fold alike: duplicates, or conflicting translations."""
    seen: dict[str, list[GlossaryEntry]] = {}
    findings = []
    for entry in entries:
        if not entry.vi:
            continue
        earlier = seen.setdefault(fold(entry.vi), [])
        findings.extend(_against_earlier(entry, earlier))
        earlier.append(entry)
    return findings


def _against_earlier(entry: GlossaryEntry, earlier: list[GlossaryEntry]) -> list[Finding]:
    if not earlier:
        return []
    same = next((other for other in earlier if other == entry), None)
    if same is not None:
        return [Finding(entry.line, f"duplicate entry: {entry.vi!r} is the same as on line {same.line}")]
    same_en = next((other for other in earlier if other.en == entry.en), None)
    if same_en is not None:
        return [
            Finding(
                entry.line,
                f"duplicate entry: {entry.vi!r} → {entry.en!r} is already on line {same_en.line} "
                "(other columns differ; merge them)",
            )
        ]
    first = earlier[0]
    spelled = (
        ""
        if first.vi == entry.vi
        else f" (spelled {first.vi!r} there: the forms differ only in case, Unicode form or tone marks)"
    )
    return [
        Finding(
            entry.line,
            f"conflicting translations of {entry.vi!r}: {entry.en!r} here, "
            f"{first.en!r} on line {first.line}{spelled}",
        )
    ]


def _variant_collisions(entries: list[GlossaryEntry]) -> list[Finding]:
    """A variant or acronym of one entry that folds like a form of another: the matcher cannot tell."""
    owners: dict[str, list[tuple[int, str, str]]] = {}  # folded form -> (entry index, kind, text)
    for index, entry in enumerate(entries):
        forms = [("vi", entry.vi), *(("vi_variants", v) for v in entry.vi_variants)]
        if entry.acronym:
            forms.append(("acronym", entry.acronym))
        if entry.vi_acronym and entry.vi_acronym != entry.acronym:
            forms.append(("vi_acronym", entry.vi_acronym))
        for kind, text in forms:
            if text:
                owners.setdefault(fold(text), []).append((index, kind, text))

    findings = []
    reported: set[tuple[int, int, str]] = set()
    for key, holders in owners.items():
        for position, (later, later_kind, later_text) in enumerate(holders):
            for earlier, earlier_kind, earlier_text in holders[:position]:
                if earlier == later or (earlier_kind == later_kind == "vi"):
                    continue  # same entry, or the duplicate/conflict check's business
                if (earlier, later, key) in reported:
                    continue
                reported.add((earlier, later, key))
                line = entries[later].line
                findings.append(
                    Finding(
                        line,
                        f"{_FORM_NAMES[later_kind]} {later_text!r} collides with the "
                        f"{_FORM_NAMES[earlier_kind]} {earlier_text!r} of the entry on line "
                        f"{entries[earlier].line} ({entries[earlier].vi!r})",
                    )
                )
    return findings


def _acronym_on_the_wrong_side(entry: GlossaryEntry) -> list[Finding]:
    """An abbreviation in the other language's column, told by whose initials it spells.

    The English ``acronym`` is what a translation must contain, so one that spells the Vietnamese
    term's initials and no English form's ("LHQ" for Liên hợp quốc / United Nations) would put a
    Vietnamese abbreviation into the English text; a ``vi_acronym`` that spells the English
    initials and not the Vietnamese ones ("UN") belongs in ``acronym``. An abbreviation that spells
    both, or neither (ASEAN), is left alone: the initials cannot tell.
    """
    findings = []
    vi_fit = any(spells_initials(entry.acronym, form) for form in entry.vi_forms) if entry.acronym else False
    if vi_fit and not any(spells_initials(entry.acronym, form) for form in entry.en_forms):
        findings.append(
            Finding(
                entry.line,
                f"acronym {entry.acronym!r} spells the Vietnamese term {entry.vi!r}, not the English "
                f"{entry.en!r}: a Vietnamese abbreviation goes in 'vi_acronym' ('acronym' is the "
                "English one a translation must contain)",
            )
        )
    vi_acronym = entry.vi_acronym
    en_fit = any(spells_initials(vi_acronym, form) for form in entry.en_forms) if vi_acronym else False
    if en_fit and not any(spells_initials(vi_acronym, form) for form in entry.vi_forms):
        findings.append(
            Finding(
                entry.line,
                f"Vietnamese acronym {vi_acronym!r} spells the English term {entry.en!r}, not the "
                f"Vietnamese {entry.vi!r}: an English abbreviation goes in 'acronym'",
            )
        )
    return findings


def _empty_list_items(text: str, name: str | os.PathLike[str], delimiter: str) -> list[Finding]:
    """``a||b`` or a trailing ``|`` in a list column: usually a lost item, silently dropped on load."""
    findings = []
    for line, column, cell in table.list_cells(text, name, delimiter):
        items = cell.split(table.LIST_SEPARATOR)
        if len(items) > 1 and any(not item.strip() for item in items):
            findings.append(Finding(line, f"empty item in the {column!r} list {cell.strip()!r}"))
    return findings
