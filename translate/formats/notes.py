"""The wording of songngu's notes: written beside each unit of a review file, and read back.

songngu tells the reviewer what it knows about a sentence in notes: the ``#.`` extracted comments
of a PO entry, the ``<note from="songngu">`` elements of an XLIFF unit, one note per line. This
module is the only one that spells them; the PO and XLIFF writers write what :func:`notes_for`
gives, and every reader reads them with :func:`read_notes`. The notes, in the order written:

- ``glossary: <vi> → <en> [met]`` (or ``[NOT MET]``) for each required term, followed by
  ``; also accepted: <form> | <form>`` when other renderings count as the term (the entry's
  variants, the forms with and without the acronym); older files have no such tail;
- ``constraints could not be met``; ``too long for the model: translated in N pieces, …``;
  ``TRUNCATED: …``;
- ``unconstrained: <text>`` where the glossary changed the translation;
- ``memory suggestion (87%): <text>``;
- ``reused: reviewed translation from <file> <segment id>`` for a memory reuse;
- ``alignment: 2-1, score 0.62, low confidence: check the pairing`` for an aligned sentence;
- ``qa: error numbers: '1.500' (1,500) is not in the translation``, one line per finding of the
  quality checks (:mod:`songngu.translate.qa`) on the target written; an entry with an error or a
  warning among them also carries the flag :data:`QA_FLAG` (PO) so that an editor can filter on it;
- ``inline elements not placed: b, a (…)`` for a document's sentence whose inline elements the
  aligner could not place (put around the best span; the unit stays fuzzy);
- last, the **baseline**, the text songngu put in the target: ``machine translation: <text>``,
  ``translation memory: <text>`` or ``aligned translation: <text>`` (a document's sentence: with
  its inline codes' tags, as the target holds them).

Every value is one line (whitespace runs made one space). Tools wrap long comment lines (polib
and msgcat at 78 or 79 columns, unless told not to), so a line that starts with no known label
continues the note before it: a wrapped note reads back whole. (A wrap that happens to put one of
these labels at the start of a line cannot be told from a new note.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from songngu.translate.formats.characters import portable_text
from songngu.translate.qa.findings import Finding, Severity
from songngu.translate.records import Method, SegmentResult
from songngu.translate.reviewed import Baseline, BaselineSource, UnitTerm, one_line

GLOSSARY = "glossary:"
VIOLATED = "constraints could not be met"
PIECES = "too long for the model: translated in"
TRUNCATED = "TRUNCATED:"
UNCONSTRAINED = "unconstrained:"
SUGGESTION = "memory suggestion"
REUSED = "reused:"
ALIGNMENT = "alignment:"
QA = "qa:"
# The flag of a PO entry the quality checks found something in (an error or a warning): PO editors
# filter on flags, and a ``#, songngu-qa`` line is kept by msgfmt, msgmerge and Translate Toolkit.
QA_FLAG = "songngu-qa"
UNPLACED = "inline elements not placed:"
# The baseline's label by where it came from; the first found is the baseline (one is written).
BASELINES = {
    BaselineSource.MACHINE: "machine translation:",
    BaselineSource.MEMORY: "translation memory:",
    BaselineSource.ALIGNED: "aligned translation:",
}
LABELS = (
    GLOSSARY,
    VIOLATED,
    PIECES,
    TRUNCATED,
    UNCONSTRAINED,
    SUGGESTION,
    REUSED,
    ALIGNMENT,
    QA,
    UNPLACED,
    *BASELINES.values(),
)

ARROW = " → "
MET, NOT_MET = "[met]", "[NOT MET]"
ALSO_ACCEPTED = "; also accepted: "
FORM_SEPARATOR = " | "  # glossary cells separate forms with "|", so no form holds it
_TERM = re.compile(
    r"(?P<vi>.+?)" + re.escape(ARROW) + r"(?P<en>.+) (?P<mark>\[met\]|\[NOT MET\])"
    r"(?:" + re.escape(ALSO_ACCEPTED) + r"(?P<also>.+))?"
)
_QA = re.compile(r"(?P<severity>error|warning|info) (?P<check>[\w-]+): (?P<message>.*)")


@dataclass(frozen=True)
class Notes:
    """What songngu's notes of one unit say: the baseline, the glossary terms, and the quality
    findings on the target songngu wrote (read back without their spans, which notes do not hold)."""

    baseline: Baseline | None
    terms: tuple[UnitTerm, ...]
    qa: tuple[Finding, ...] = ()

    @property
    def flagged(self) -> bool:
        """Whether a finding needs review (an error or a warning): what :data:`QA_FLAG` marks."""
        return any(finding.needs_review for finding in self.qa)


def notes_for(result: SegmentResult) -> list[str]:
    """The notes of one record, one line each, in the fixed order of the module docstring."""
    lines = [_term_note(term.vi, term.en, term.met, term.alternatives) for term in result.terms]
    if result.violated:
        lines.append(VIOLATED)
    if result.pieces > 1:
        lines.append(f"{PIECES} {result.pieces} pieces, split at clause boundaries; check the joins")
    if result.truncated:
        lines.append(
            f"{TRUNCATED} part of the sentence is longer than the model reads and was cut; "
            "translate it by hand"
        )
    if result.unconstrained is not None and _value(result.unconstrained) != _value(result.target):
        lines.append(f"{UNCONSTRAINED} {_value(result.unconstrained)}")
    if result.suggestion is not None:
        similarity = result.suggestion_similarity
        percent = f" ({round(similarity * 100)}%)" if similarity is not None else ""
        lines.append(f"{SUGGESTION}{percent}: {_value(result.suggestion)}")
    if result.method is Method.MEMORY and result.memory_kind:
        doubt = "; not confirmed by a reviewer: check it" if result.memory_kind == "aligned" else ""
        origin = f" from {result.memory_source}" if result.memory_source else ""
        lines.append(f"{REUSED} {result.memory_kind} translation{origin}{doubt}")
    if result.method is Method.ALIGNED:
        score = f", score {result.score:.2f}" if result.score is not None else ""
        doubt = ", low confidence: check the pairing" if result.uncertain else ""
        lines.append(f"{ALIGNMENT} {result.alignment or '1-1'}{score}{doubt}")
    lines.extend(qa_note(finding) for finding in result.qa)
    if result.unplaced:
        labels = ", ".join(dict.fromkeys(result.unplaced))
        lines.append(f"{UNPLACED} {labels} (put around the best span; check where they belong)")
    lines.append(baseline_note(Baseline(result.catalog_target, baseline_source(result.method))))
    return lines


def qa_note(finding: Finding) -> str:
    """``qa: error numbers: '1.500' (1,500) is not in the translation``: one finding as a note."""
    return f"{QA} {finding.severity} {finding.check}: {_value(finding.message)}"


def qa_flagged(result: SegmentResult) -> bool:
    """Whether the entry of ``result`` carries :data:`QA_FLAG`: a finding that needs review."""
    return any(finding.needs_review for finding in result.qa)


def without_qa(lines: Iterable[str]) -> list[str]:
    """``lines`` (notes, one a line) less the quality findings: what a merge keeps when the target
    shown is a reviewer's, not the one the findings were about."""
    return [line for line in lines if not line.startswith(QA)]


def baseline_source(method: Method) -> BaselineSource:
    """Where a record's target comes from, as a baseline."""
    if method is Method.MEMORY:
        return BaselineSource.MEMORY
    if method is Method.ALIGNED:
        return BaselineSource.ALIGNED
    return BaselineSource.MACHINE


def baseline_note(baseline: Baseline) -> str:
    """The note recording a baseline (``machine translation: …``)."""
    return f"{BASELINES[baseline.source]} {_value(baseline.text)}".rstrip()


def _term_note(vi: str, en: str, met: bool, alternatives: Iterable[str]) -> str:
    note = f"{GLOSSARY} {_value(vi)}{ARROW}{_value(en)} {MET if met else NOT_MET}"
    also = [_value(form) for form in alternatives]
    return note + (ALSO_ACCEPTED + FORM_SEPARATOR.join(also) if also else "")


def _value(text: str) -> str:
    # Under the character policy first, so that a note reads as the entry's own text does.
    return one_line(portable_text(text))


def read_notes(text: str) -> Notes:
    """Read songngu's notes from ``text``, one note a line (a PO entry's ``#.`` comment, or an XLIFF
    unit's songngu notes joined by line breaks); wrapped notes are joined again, unknown lines
    ignored, and values read stripped (polib drops the trailing blanks of comment lines)."""
    baseline: Baseline | None = None
    terms: list[UnitTerm] = []
    findings: list[Finding] = []
    for line in note_lines(text):
        if line.startswith(GLOSSARY):
            term = _read_term(line[len(GLOSSARY) :].strip())
            if term is not None:
                terms.append(term)
            continue
        if line.startswith(QA):
            finding = _read_finding(line[len(QA) :].strip())
            if finding is not None:
                findings.append(finding)
            continue
        for source, label in BASELINES.items():
            if baseline is None and line.startswith(label):
                baseline = Baseline(line[len(label) :].strip(), source)
    return Notes(baseline, tuple(terms), tuple(findings))


def note_lines(text: str) -> list[str]:
    """The notes of ``text``, each on one line again (see the module docstring)."""
    lines: list[str] = []
    for line in text.split("\n"):
        if lines and not line.startswith(LABELS):
            lines[-1] = f"{lines[-1]} {line.strip()}".rstrip()
        else:
            lines.append(line)
    return lines


def _read_term(text: str) -> UnitTerm | None:
    match = _TERM.fullmatch(text)
    if match is None:
        return None
    en = match.group("en")
    also = match.group("also")
    others = [form.strip() for form in also.split(FORM_SEPARATOR.strip())] if also else []
    accepted = (en, *(form for form in others if form))
    return UnitTerm(match.group("vi"), en, tuple(dict.fromkeys(accepted)), match.group("mark") == MET)


def _read_finding(text: str) -> Finding | None:
    match = _QA.fullmatch(text)
    if match is None:
        return None
    return Finding(match.group("check"), Severity(match.group("severity")), match.group("message"))
