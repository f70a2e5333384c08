"""A document's sentences with their inline codes' tags, and a reviewer's tags back into the document.

The review catalogs carry each sentence of a document as markup text
(:mod:`songngu.translate.formats.markup`: ``<b id="2">Bộ Ngoại giao</b>``). Every code of a block
belongs to the sentences it touches (its span clipped to each), and to their sentences its parent
belongs too; a code with no text there (an image, an empty element) belongs to the sentence it
stands in, else to the one before it, as the placement puts it. A sentence's source and target
carry the same codes, so a reviewer sees in the target every tag of the source.

Back from review, a sentence's tags are the reviewer's word (:func:`reviewed_translation`):

- a **moved** tag is respected: the element goes where the reviewer put it, around the words the
  reviewer put it around (siblings may change order; a code that spans sentences starts where its
  first sentence's tag opens and ends where its last sentence's closes);
- a **dropped or broken** tag (missing, given twice, never closed, moved out of the element it
  belongs in, or one the sentence never had) is not refused: the reviewer's text is kept, that
  sentence's elements are put back where the aligner places them in it, and the problem is
  reported in one line per sentence, so the desk can look. Refusing would hold up a whole
  document for one lost ``</b>``; the element is never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from songngu.translate.documents.inline import SentenceTranslation, place_codes
from songngu.translate.documents.model import (
    Block,
    BlockTranslation,
    CodeKind,
    InlineCode,
    Node,
    PlacedCode,
    content_tree,
)
from songngu.translate.formats.markup import MarkupSpan, close_tag, open_tag, parse_markup, point_tag


def code_sentences(block: Block, bounds: Sequence[tuple[int, int]]) -> dict[int, list[int]]:
    """For each code of ``block`` (by id), the sentences it belongs to (indices into ``bounds``,
    the sentences' ``(start, end)`` in the block's text), sorted; see the module docstring."""
    owned: dict[int, set[int]] = {}
    for code in block.codes:
        touched = {
            k
            for k, (start, end) in enumerate(bounds)
            if code.end > code.start and code.start < end and code.end > start
        }
        owned[code.id] = touched or {_owner(code.start, bounds)}
    # Children start after their parents, so their ids are larger: from the last id down, each
    # code's set is complete before it is folded into its parent's.
    for code in sorted(block.codes, key=lambda c: -c.id):
        if code.parent:
            owned[code.parent] |= owned[code.id]
    return {code_id: sorted(sentences) for code_id, sentences in owned.items()}


def _owner(at: int, bounds: Sequence[tuple[int, int]]) -> int:
    for k, (start, end) in enumerate(bounds):
        if start <= at <= end:
            return k
    before = [k for k, (_, end) in enumerate(bounds) if end <= at]
    return before[-1] if before else 0


def sentence_markup(
    text: str, codes: Sequence[InlineCode], spans: Mapping[int, tuple[int, int]], low: int, high: int
) -> str:
    """``text[low:high]`` with the tags of ``codes`` (their ``spans`` clipped to it)."""
    clipped = {
        code.id: (_clip(spans[code.id][0], low, high) - low, _clip(spans[code.id][1], low, high) - low)
        for code in codes
    }
    ids = {code.id for code in codes}
    local = [code if code.parent in ids or code.parent == 0 else _orphan(code) for code in codes]
    return _render(content_tree(text[low:high], local, clipped))


def _orphan(code: InlineCode) -> InlineCode:
    return InlineCode(code.id, code.kind, code.start, code.end, 0, code.label, code.protected)


def _clip(value: int, low: int, high: int) -> int:
    return min(max(value, low), high)


def _render(node: Node) -> str:
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.code is not None and child.code.kind is CodeKind.POINT:
            parts.append(point_tag(child.code.id, child.code.label))
        elif child.code is not None:
            label = child.code.label
            parts.append(open_tag(child.code.id, label) + _render(child) + close_tag(label))
    return "".join(parts)


def target_offsets(sentences: Sequence[SentenceTranslation]) -> list[tuple[int, int]]:
    """Where each sentence's translation is in the block's (as :func:`place_codes` joins them)."""
    offsets: list[tuple[int, int]] = []
    length = 0
    for sentence in sentences:
        target = sentence.target.strip()
        if target and length:
            length += 1
        offsets.append((length, length + len(target)))
        length += len(target)
    return offsets


@dataclass(frozen=True)
class SentenceMarkup:
    """One sentence's source and (machine) target with their tags; both "" when it has no codes."""

    source: str
    target: str


def block_markup(
    block: Block, sentences: Sequence[SentenceTranslation], translation: BlockTranslation
) -> list[SentenceMarkup]:
    """The markup of each sentence of ``block`` with its translation placed as ``translation``."""
    bounds = [(s.start, s.end) for s in sentences]
    owners = code_sentences(block, bounds)
    source_spans = {code.id: (code.start, code.end) for code in block.codes}
    target_spans = translation.spans()
    offsets = target_offsets(sentences)
    markups: list[SentenceMarkup] = []
    for k, (start, end) in enumerate(bounds):
        codes = [code for code in block.codes if k in owners[code.id]]
        if not codes:
            markups.append(SentenceMarkup("", ""))
            continue
        low, high = offsets[k]
        markups.append(
            SentenceMarkup(
                sentence_markup(block.text, codes, source_spans, start, end),
                sentence_markup(translation.text, codes, target_spans, low, high),
            )
        )
    return markups


def reviewed_translation(
    block: Block, sentences: Sequence[SentenceTranslation], reviewed: Sequence[str | None]
) -> tuple[BlockTranslation, dict[int, str]]:
    """The block's translation where some sentences' translations are a reviewer's markup text
    (``reviewed[k]``, None where the sentence keeps ``sentences[k].target``, placed by alignment),
    and for each sentence whose tags could not be taken, what was wrong (module docstring)."""
    parsed = [parse_markup(markup) if markup is not None else None for markup in reviewed]
    texts = [
        SentenceTranslation(s.start, s.end, p.text if p is not None else s.target, s.terms)
        for s, p in zip(sentences, parsed, strict=True)
    ]
    machine = place_codes(block, texts)
    bounds = [(s.start, s.end) for s in sentences]
    owners = code_sentences(block, bounds)
    offsets = target_offsets(texts)
    problems: dict[int, str] = {}
    taken: dict[int, dict[int, tuple[int, int]]] = {}  # sentence → code id → span in the block
    for k, result in enumerate(parsed):
        if result is None:
            continue
        expected = [code for code in block.codes if k in owners[code.id]]
        problem = _tag_problem(expected, result.spans, result.problems)
        if problem:
            problems[k] = problem
            continue
        lead = len(result.text) - len(result.text.lstrip())
        low, high = offsets[k]
        taken[k] = {
            span.id: (_clip(low + span.start - lead, low, high), _clip(low + span.end - lead, low, high))
            for span in result.spans
        }
    if not taken:
        return machine, problems
    placed = machine.spans()
    spans: dict[int, tuple[int, int]] = {}
    for code in block.codes:
        first, last = owners[code.id][0], owners[code.id][-1]
        start = taken[first][code.id][0] if first in taken else placed[code.id][0]
        end = taken[last][code.id][1] if last in taken else placed[code.id][1]
        spans[code.id] = (start, max(start, end))
    if not _laminar(block.codes, spans):
        for k in taken:
            problems[k] = "its tags cannot be kept with the sentences around them; placed by alignment"
        return machine, problems
    exact = {code.id: code.exact for code in machine.codes}
    # A tag the reviewer placed is where it belongs; the others are as exact as the aligner says.
    reviewer = {c.id for c in block.codes if owners[c.id][0] in taken and owners[c.id][-1] in taken}
    codes = tuple(
        PlacedCode(code.id, *spans[code.id], exact=code.id in reviewer or exact[code.id])
        for code in block.codes
    )
    return BlockTranslation(machine.text, codes), problems


def _tag_problem(expected: Sequence[InlineCode], spans: Sequence[MarkupSpan], problems: Sequence[str]) -> str:
    """What is wrong with a reviewer's tags for a sentence whose codes are ``expected`` ("": none)."""
    if problems:
        return problems[0]
    found = {span.id: span for span in spans}
    for code in expected:
        span = found.get(code.id)
        tag = point_tag(code.id, code.label) if code.kind is CodeKind.POINT else open_tag(code.id, code.label)
        if span is None:
            return f"drops {tag}"
        if span.point != (code.kind is CodeKind.POINT):
            return f"{tag} is written as the wrong kind of tag"
        if span.parent != code.parent:
            where = f'<{span.label} id="{span.parent}">' if span.parent else "the sentence"
            return f"moves {tag} into {where}, out of the element it belongs in"
    ids = {code.id for code in expected}
    extra = [span for code_id, span in found.items() if code_id not in ids]
    if extra:
        return f'has <{extra[0].label} id="{extra[0].id}">, which this sentence does not have'
    return ""


def _laminar(codes: Sequence[InlineCode], spans: Mapping[int, tuple[int, int]]) -> bool:
    """Whether ``spans`` nest as the codes do: each inside its parent, siblings apart."""
    children: dict[int, list[InlineCode]] = {}
    for code in codes:
        children.setdefault(code.parent, []).append(code)
        if code.parent:
            low, high = spans[code.parent]
            start, end = spans[code.id]
            if not low <= start <= end <= high:
                return False
    for siblings in children.values():
        ordered = sorted(siblings, key=lambda c: spans[c.id])
        for before, after in pairwise(ordered):
            if spans[after.id][0] < spans[before.id][1]:
                return False
    return True
