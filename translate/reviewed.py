"""One reviewed unit, whatever file it was read from: what a reviewer was given and what they did.

Every reader of a reviewed file (PO, XLIFF, TMX, JSONL records, TSV and Moses bitexts; see the
registry in :mod:`songngu.translate.formats`) yields :class:`ReviewedUnit`, and everything that acts
on reviewed work (``review import``, ``evaluate``, the PO and XLIFF merges, ``glossary extract
--parallel``, ``finetune``) reads only that. So the rules below are written once:

- **State** (:func:`unit_state`): obsolete first; then a target that is empty or only whitespace is
  ``new`` (nothing to review, in every consumer); then a unit the file marks confirmed is
  ``confirmed`` (PO: not fuzzy; XLIFF: ``approved="yes"`` or a confirmed state); otherwise it is
  ``machine`` when its target is still exactly the baseline songngu wrote, and ``fuzzy`` (a human's
  draft, or a tool's unconfirmed translation) when it is not.
- **Baseline**: the translation the reviewer started from, with where it came from: the machine
  (the model's output), the translation memory, or sentence alignment. It is what ``edited`` and
  HTER compare with. A unit without one (a catalog songngu did not write, a CAT tool's memory) is a
  human translation: edited.
- **Edited**: the target differs from the baseline other than in whitespace (:func:`one_line`).
- **Terms**: each glossary term required in the sentence, with every rendering that counts as the
  term (``en`` first, then the entry's other accepted forms) and whether the baseline met it.

The unit is frozen and format-neutral, in the manner of Translate Toolkit's ``storage/base.py``
unit (it knows its state and notes; the store, here the reader, knows its format).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from songngu.translate.memory import UnitKind
from songngu.translate.phrase import contains_phrase


class UnitState(enum.StrEnum):
    """Where a unit stands in review."""

    NEW = "new"  # no translation yet (empty or whitespace only)
    MACHINE = "machine"  # songngu's translation, untouched and unconfirmed
    FUZZY = "fuzzy"  # unconfirmed, and not (or no longer) songngu's text: a draft, or a tool's guess
    CONFIRMED = "confirmed"  # a reviewer confirmed it
    OBSOLETE = "obsolete"  # its sentence is no longer in the article


class BaselineSource(enum.StrEnum):
    """Where the translation a reviewer started from came from."""

    MACHINE = "machine"  # the model
    MEMORY = "memory"  # a human translation reused from the translation memory
    ALIGNED = "aligned"  # the English sentence alignment paired with it


@dataclass(frozen=True)
class Baseline:
    """The translation a reviewer was given, and where it came from."""

    text: str
    source: BaselineSource


@dataclass(frozen=True)
class UnitTerm:
    """A glossary term required in the unit's sentence.

    ``en`` is the required rendering (the preferred one); ``accepted`` every rendering that counts
    as the term, ``en`` first (older files record only ``en``). ``met``: the baseline had one.
    """

    vi: str
    en: str
    accepted: tuple[str, ...]
    met: bool

    def rendered_in(self, text: str) -> bool:
        """Whether ``text`` has one of the accepted renderings, as a whole phrase (the engine's rule)."""
        return any(contains_phrase(text, form) for form in self.accepted or (self.en,))


@dataclass(frozen=True)
class Origin:
    """Where a unit was read: the reviewed file and the line the unit starts on (0 when unknown)."""

    file: str
    line: int = 0


@dataclass(frozen=True)
class ReviewedUnit:
    """One unit of a reviewed file.

    ``id`` is the segment id the file records (PO ``msgctxt``, XLIFF ``resname``, TMX ``tuid``, the
    JSONL or TSV ``id``; "" when it records none). ``reference`` is where the sentence is in the
    source article when the file says so (a PO ``#:`` reference). ``notes`` are the notes of people
    and other tools (PO translator comments, XLIFF notes not from songngu). ``created`` is when the
    reviewer's tool saved it, ISO 8601 (None when the file does not say). ``kind`` and ``score``: a
    unit songngu's own memory export marked aligned stays aligned, with its alignment score.
    """

    id: str
    source: str
    target: str
    state: UnitState
    baseline: Baseline | None = None
    terms: tuple[UnitTerm, ...] = ()
    notes: tuple[str, ...] = ()
    origin: Origin = Origin("")
    reference: str = ""
    created: str | None = None
    kind: UnitKind = UnitKind.REVIEWED
    score: float | None = None
    # A sentence of a document: the file's text with its inline codes' tags (source, target and
    # baseline above are the plain text; formats/markup.py). "" where it has none.
    source_markup: str = ""
    target_markup: str = ""

    @property
    def markup_source(self) -> str:
        """The source as the file holds it, with its inline codes' tags (the plain text if none)."""
        return self.source_markup or self.source

    @property
    def markup_target(self) -> str:
        """The target as the file holds it, with its inline codes' tags (the plain text if none)."""
        return self.target_markup or self.target

    @property
    def confirmed(self) -> bool:
        """Whether a reviewer confirmed it."""
        return self.state is UnitState.CONFIRMED

    @property
    def edited(self) -> bool:
        """Whether the target differs from the baseline (True when there is none: a human's text)."""
        return self.baseline is None or one_line(self.target) != one_line(self.baseline.text)

    @property
    def carries_review(self) -> bool:
        """Whether the target is a person's work that a merge must keep: confirmed, or a draft."""
        return self.state in (UnitState.CONFIRMED, UnitState.FUZZY)

    @property
    def starting_text(self) -> str:
        """What the reviewer started from: the baseline, else the target itself."""
        return self.baseline.text if self.baseline is not None else self.target

    def term_changes(self) -> tuple[UnitTerm, ...]:
        """The terms the baseline met and the target no longer renders in any accepted form."""
        return tuple(term for term in self.terms if term.met and not term.rendered_in(self.target))


def unit_state(
    target: str, baseline: Baseline | None, *, confirmed: bool, obsolete: bool = False
) -> UnitState:
    """The one rule for a unit's state (see the module docstring); ``confirmed`` is what the file
    says (PO: not fuzzy; XLIFF: approved or a confirmed state)."""
    if obsolete:
        return UnitState.OBSOLETE
    if not target.strip():
        return UnitState.NEW
    if confirmed:
        return UnitState.CONFIRMED
    if baseline is not None and one_line(target) == one_line(baseline.text):
        return UnitState.MACHINE
    return UnitState.FUZZY


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (line breaks included) made one space, stripped.

    Notes are single lines; a reviewed text is compared with them in this form, so whitespace-only
    differences (an editor's wrapping) are no edit.
    """
    return " ".join(text.split())
