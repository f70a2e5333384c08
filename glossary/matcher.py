"""Finding glossary terms in Vietnamese text: whole words, leftmost-longest, any spelling.

Terms and text are compared through :func:`glossary.normalize.fold` (Unicode form, tone-mark
placement, case, whitespace), as sequences of tokens: a token is a run of letters and digits or a
single other character, and whitespace only separates tokens. So a term matches only whole words
("ASEAN" never matches inside "ASEANAPOL"), a line break inside a term is just a space, and
"ASEAN-EU" also matches "ASEAN - EU".

The glossary becomes a trie keyed by tokens, built once; scanning a text is one pass over its
tokens with a dictionary look-up each, whatever the size of the glossary. At each position the
longest term wins, and scanning resumes after it.

Decisions:

* Vietnamese forms (``vi`` and ``vi_variants``) match in any case. Acronyms, the English one
  (``acronym``, which Vietnamese text uses too) and the Vietnamese one (``vi_acronym``), match only
  with the exact letters of the glossary ("UPR", not "upr" or "Upr"): acronyms are written in capitals, and
  a lowercase acronym is far more likely to be an ordinary word ("commit", "iom").
* A full form directly followed by its acronym in parentheses, "... về Nhân quyền (AICHR)", is one
  match (``MatchForm.FULL_WITH_ACRONYM``). The parentheses may also list other glossary terms
  beside the acronym, as in "Chương trình Phát triển Liên hiệp quốc (LHQ, UNDP)", where "LHQ"
  names the parent organisation: the whole parenthesis belongs to the term, because the English
  rendering "United Nations Development Programme (UNDP)" already says all of it.
* Offsets are indices into the text exactly as given (an NFD text gets NFD offsets).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, compress
from typing import Any

from songngu.glossary.model import Glossary, GlossaryEntry, MatchForm, TermMatch
from songngu.glossary.normalize import NormalizedText, fold, normalize_with_offsets

# Letters, digits and the combining marks that belong to them form words; anything else that is
# not whitespace is a token of its own.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = f"[^\\W_]+(?:[{_MARKS}]+[^\\W_]*)*|[{_MARKS}]+"
_TOKEN = re.compile(f"{_WORD}|\\s+|.", re.DOTALL)
_SPACE = " "  # folded text has single spaces only
_END = ""  # trie key of a node's terminals: never a token (tokens are non-empty)
_PAREN_MAX_TOKENS = 24  # "(LHQ, UNDP)" is short; never swallow a whole parenthetical sentence
_LIST_SEPARATORS = frozenset({",", ";", "/"})
_STREAM_WINDOW = 1 << 16  # characters scanned at a time when streaming


def tokenize(folded: str) -> tuple[str, ...]:
    """The non-space tokens of a folded string."""
    return tuple(token for token in _TOKEN.findall(folded) if not token.isspace())


@dataclass(frozen=True)
class _Terminal:
    entry: GlossaryEntry
    acronym: str  # the exact spelling an acronym must have; "" for a Vietnamese form


class GlossaryMatcher:
    """Finds the terms of a glossary in texts. Build it once; :meth:`find` is cheap per sentence."""

    def __init__(self, glossary: Glossary | Iterable[GlossaryEntry]) -> None:
        # A token trie: token → child node, and _END → the list of _Terminal ending there.
        self._root: dict[str, Any] = {}
        self._forms: set[tuple[str, ...]] = set()  # every form of every entry, as tokens
        self._longest = 1
        entries = list(glossary)
        for entry in entries:
            for form in entry.vi_forms:
                self._add(form, _Terminal(entry, ""))
        # Acronyms after all Vietnamese forms: when a form is both, the full reading wins.
        for entry in entries:
            for acronym in entry.source_acronyms:
                self._add(acronym, _Terminal(entry, _squeeze(acronym)))
        self._horizon = 2 * (self._longest + _PAREN_MAX_TOKENS) + 8  # raw tokens, spaces included

    def _add(self, form: str, terminal: _Terminal) -> None:
        tokens = tokenize(fold(form))
        if not tokens:
            return
        self._forms.add(tokens)
        self._longest = max(self._longest, len(tokens))
        node = self._root
        for token in tokens:
            node = node.setdefault(token, {})
        node.setdefault(_END, []).append(terminal)

    def find(self, text: str) -> list[TermMatch]:
        """All matches in ``text``, left to right, non-overlapping; offsets index ``text``."""
        matches, _ = self._scan(text, final=True)
        return matches

    def iter_matches(self, chunks: Iterable[str], window: int = _STREAM_WINDOW) -> Iterator[TermMatch]:
        """Matches in the concatenation of ``chunks``, yielded as the text streams by.

        The same matches as :meth:`find` on the whole text, with offsets into it; memory holds
        about ``window`` characters plus one chunk, however long the stream is.
        """
        buffer = ""
        base = 0  # offset of buffer[0] in the whole text
        for chunk in chunks:
            buffer += chunk
            if len(buffer) < window:
                continue
            matches, consumed = self._scan(buffer, final=False)
            for match in matches:
                yield _shifted(match, base)
            base += consumed
            buffer = buffer[consumed:]
        matches, _ = self._scan(buffer, final=True)
        for match in matches:
            yield _shifted(match, base)

    def _scan(self, text: str, final: bool) -> tuple[list[TermMatch], int]:
        """Matches in ``text`` and how much of it is settled.

        Unless ``final``, only matches starting before the last ``horizon`` tokens are returned
        (a later one could still grow with text not seen yet), and the settled length is where
        the next scan must start.
        """
        normalized = normalize_with_offsets(text)
        tokens = _TOKEN.findall(normalized.text)
        positions = [0, *accumulate(map(len, tokens))]
        count = len(tokens)
        limit = count if final else max(0, count - self._horizon)
        root = self._root
        matches: list[TermMatch] = []
        resume = 0  # first token not covered by a match
        starts = compress(range(limit), map(root.__contains__, tokens[:limit]))  # C speed
        for index in starts:
            if index < resume:
                continue
            # Most candidates fail at once: not a term by themselves, next word not in the trie.
            node = root[tokens[index]]
            following = index + 1
            if following < count and tokens[following] == _SPACE:
                following += 1
            if _END not in node and (following >= count or tokens[following] not in node):
                continue
            found = self._longest_at(tokens, index, text, normalized, positions)
            if found is None:
                continue
            last, terminal = found
            form = MatchForm.ACRONYM if terminal.acronym else MatchForm.FULL
            if not terminal.acronym:
                closing = self._parenthesised_acronym(
                    tokens, last, terminal.entry, text, normalized, positions
                )
                if closing is not None:
                    last, form = closing, MatchForm.FULL_WITH_ACRONYM
            start, end = normalized.original_span(positions[index], positions[last + 1])
            matches.append(TermMatch(start, end, text[start:end], terminal.entry, form))
            resume = last + 1
        if final:
            return matches, len(text)
        settled = max(limit, resume)
        return matches, normalized.original_start(positions[settled])

    def _longest_at(
        self, tokens: list[str], index: int, text: str, normalized: NormalizedText, positions: list[int]
    ) -> tuple[int, _Terminal] | None:
        """The longest form starting at token ``index``: (its last token, terminal)."""
        node = self._root[tokens[index]]
        candidates: list[tuple[int, list[_Terminal]]] = []
        if _END in node:
            candidates.append((index, node[_END]))
        k = index + 1
        count = len(tokens)
        while k < count:
            token = tokens[k]
            if token == _SPACE:
                k += 1
                continue
            child = node.get(token)
            if child is None:
                break
            node = child
            if _END in node:
                candidates.append((k, node[_END]))
            k += 1
        for last, terminals in reversed(candidates):
            for terminal in terminals:
                if not terminal.acronym:
                    return last, terminal
                start, end = normalized.original_span(positions[index], positions[last + 1])
                if _squeeze(text[start:end]) == terminal.acronym:
                    return last, terminal
        return None

    def _parenthesised_acronym(
        self,
        tokens: list[str],
        last: int,
        entry: GlossaryEntry,
        text: str,
        normalized: NormalizedText,
        positions: list[int],
    ) -> int | None:
        """If "(ACR)" (or "(OTHER, ACR)") follows token ``last``, the index of its ")"."""
        if not entry.source_acronyms:
            return None
        k = _next_word(tokens, last + 1)
        if k is None or tokens[k] != "(":
            return None
        items: list[tuple[int, int]] = []  # (first token, last token) of each listed item
        item_start: int | None = None
        item_end = 0
        k += 1
        stop = min(len(tokens), k + _PAREN_MAX_TOKENS)
        while k < stop:
            token = tokens[k]
            if token == ")" or token in _LIST_SEPARATORS:
                if item_start is None:
                    return None
                items.append((item_start, item_end))
                item_start = None
                if token == ")":
                    break
            elif token == "(":
                return None
            elif token != _SPACE:
                if item_start is None:
                    item_start = k
                item_end = k
            k += 1
        else:
            return None
        acronyms = {_squeeze(acronym) for acronym in entry.source_acronyms}
        has_acronym = False
        for first, final in items:
            start, end = normalized.original_span(positions[first], positions[final + 1])
            if _squeeze(text[start:end]) in acronyms:
                has_acronym = True
            elif tuple(t for t in tokens[first : final + 1] if t != _SPACE) not in self._forms:
                return None  # something other than glossary terms: an ordinary parenthesis
        return k if has_acronym else None


def _next_word(tokens: list[str], k: int) -> int | None:
    while k < len(tokens) and tokens[k] == _SPACE:
        k += 1
    return k if k < len(tokens) else None


def _squeeze(text: str) -> str:
    """An acronym as compared: NFC, no whitespace, case kept."""
    return "".join(unicodedata.normalize("NFC", text).split())


def _shifted(match: TermMatch, offset: int) -> TermMatch:
    if offset == 0:
        return match
    return TermMatch(match.start + offset, match.end + offset, match.text, match.entry, match.form)
