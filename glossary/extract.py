"""Proposing glossary entries from "Full name (ACRONYM)" patterns in Vietnamese text.

Vietnamese articles introduce a body once by its full name with the acronym in parentheses,
"Ủy ban liên Chính phủ ASEAN về Nhân quyền (AICHR)", then use the acronym alone. Those first
mentions are the candidates a curator wants to review. Finding where the full name starts is a
heuristic, simple on purpose:

1. walk back from the parenthesis over the words of the same clause: stop at sentence punctuation,
   another parenthesis, a comma that starts a new name (", Ủy ban ...") or a word that introduces a
   noun phrase ("của", "với", "theo", "như", ...);
2. in that run, the name starts at the leftmost institutional head noun ("Ủy ban", "Chương trình",
   "Quỹ", "Tổ chức", ...), or else at the leftmost capitalised word. Lowercase words inside a name
   ("liên", "về", "các") are kept, since Vietnamese names are full of them;
3. an acronym whose letters are the initials of the last words of the name (LHQ for "Liên hiệp
   quốc" in "Chương trình Phát triển Liên hiệp quốc (LHQ, UNDP)") names only those words.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.glossary.normalize import fold
from songngu.textfile import ARTICLE_LIMIT, read_text

_MARKS = "\u0300-\u036f"  # combining marks: NFD text keeps its words whole
_WORD = re.compile(rf"[\w{_MARKS}]+(?:[-'’][\w{_MARKS}]+)*")
_PARENTHESIS = re.compile(r"\(([^()\n]{1,80})\)")
_ACRONYM = re.compile(r"[A-ZĐ][A-Za-zĐđ0-9&\-]{1,14}")
# Punctuation that ends the clause a name can belong to.
_CLAUSE_END = re.compile(r"[.;:!?()\[\]\"“”«»…]|\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*\s+")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")

# Lowercase words that introduce a noun phrase: a name never continues to their left.
_BOUNDARY_WORDS = frozenset(
    {"của", "với", "theo", "như", "tại", "cho", "là", "bởi", "do", "vào", "thuộc", "giữa", "gồm"}
    | {"từ", "đến", "qua", "trên", "dưới", "sang"}
)
# The heads Vietnamese names of bodies, programmes and instruments start with (folded).
_HEAD_NOUNS = tuple(
    tuple(fold(head).split())
    for head in (
        "Ủy ban",
        "Ủy hội",
        "Cao ủy",
        "Cơ chế",
        "Cơ quan",
        "Chương trình",
        "Sáng kiến",
        "Quỹ",
        "Tổ chức",
        "Hội đồng",
        "Đại hội đồng",
        "Bộ",
        "Ban",
        "Văn phòng",
        "Viện",
        "Học viện",
        "Trung tâm",
        "Hiệp hội",
        "Liên minh",
        "Liên đoàn",
        "Diễn đàn",
        "Tuyên bố",
        "Kế hoạch",
        "Chiến lược",
        "Hội nghị",
        "Nhóm",
        "Mạng lưới",
        "Hiệp định",
        "Hiệp ước",
        "Công ước",
        "Hiến chương",
        "Nghị định thư",
        "Thỏa thuận",
        "Tòa án",
        "Ngân hàng",
        "Dự án",
        "Cục",
        "Tổng cục",
        "Vụ",
        "Cộng đồng",
        "Đảng",
        "Mặt trận",
        "Quốc hội",
        "Phái đoàn",
        "Báo cáo",
        "Đối thoại",
        "Tiến trình",
        "Khu vực",
        "Liên hợp quốc",
        "Liên hiệp quốc",
    )
)
MAX_NAME_WORDS = 25


@dataclass(frozen=True)
class AcronymDefinition:
    """``text[start:end]`` is a full name, defined by ``acronym`` in the parentheses after it."""

    name: str
    acronym: str
    start: int
    end: int


@dataclass(frozen=True)
class Occurrence:
    """Where a definition was seen: file, 1-based line, and its sentence (whitespace collapsed)."""

    source: str
    line: int
    sentence: str


@dataclass
class Candidate:
    """A proposed entry: the acronym, the full names seen with it, how often, and where first."""

    acronym: str
    first: Occurrence
    count: int = 0
    # folded name -> [name as first seen, times seen], in first-seen order
    names: dict[str, list[Any]] = field(default_factory=dict)

    def entry(self) -> GlossaryEntry:
        """As a glossary row for the curator: ``en`` left empty, the evidence in ``note``."""
        ranked = sorted(self.names.values(), key=lambda item: -item[1])  # stable: ties keep order
        times = "once" if self.count == 1 else f"{self.count} times"
        first = self.first
        return GlossaryEntry(
            vi=ranked[0][0],
            en="",
            acronym=self.acronym,
            vi_variants=tuple(name for name, _ in ranked[1:]),
            note=f"seen {times}; first at {first.source}:{first.line}: {first.sentence}",
        )


def find_definitions(text: str) -> list[AcronymDefinition]:
    """Every "Full name (ACRONYM)" in ``text``; "(LHQ, UNDP)" gives one definition per acronym."""
    definitions = []
    for paren in _PARENTHESIS.finditer(text):
        acronyms = [item.strip() for item in re.split(r"[,;/]", paren.group(1))]
        acronyms = [item for item in acronyms if _is_acronym(item)]
        if not acronyms:
            continue
        words = _name_words(text, paren.start())
        if not words:
            continue
        for acronym in acronyms:
            chosen = _initials_suffix(words, acronym) or words
            start, end = chosen[0].start(), chosen[-1].end()
            if fold(text[start:end]) == fold(acronym):
                continue
            definitions.append(AcronymDefinition(text[start:end], acronym, start, end))
    return definitions


def extract(documents: Iterable[tuple[str, str]], known: Glossary | None = None) -> list[Candidate]:
    """Candidates from (name, text) documents, counts accumulated, those ``known`` left out.

    Ordered by how often they were seen, then by first appearance.
    """
    known_forms = known_term_forms(known) if known is not None else set()
    candidates: dict[str, Candidate] = {}
    for source, text in documents:
        for definition in find_definitions(text):
            candidate = candidates.get(definition.acronym)
            if candidate is None:
                line = text.count("\n", 0, definition.start) + 1
                occurrence = Occurrence(source, line, _sentence(text, definition.start, definition.end))
                candidate = candidates[definition.acronym] = Candidate(definition.acronym, occurrence)
            candidate.count += 1
            seen = candidate.names.setdefault(fold(definition.name), [definition.name, 0])
            seen[1] += 1
    kept = [
        candidate
        for candidate in candidates.values()
        if fold(candidate.acronym) not in known_forms and not (candidate.names.keys() & known_forms)
    ]
    return sorted(kept, key=lambda candidate: -candidate.count)


def extract_files(paths: Iterable[str | os.PathLike[str]], known: Glossary | None = None) -> list[Candidate]:
    """:func:`extract` over UTF-8 files (bad bytes are an InputError naming the file and byte)."""
    return extract(((os.fspath(path), read_text(path, ARTICLE_LIMIT)) for path in paths), known)


def known_term_forms(glossary: Glossary) -> set[str]:
    """The folded Vietnamese forms and abbreviations of every entry: candidates to leave out as known."""
    forms: set[str] = set()
    for entry in glossary:
        forms.update(fold(form) for form in entry.vi_forms if form)
        forms.update(fold(acronym) for acronym in entry.source_acronyms)
    return forms


def _is_acronym(item: str) -> bool:
    if not _ACRONYM.fullmatch(item):
        return False
    letters = [char for char in item if char.isalpha()]
    upper = sum(char.isupper() for char in letters)
    return upper >= 2 and upper * 2 > len(letters)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _name_words(text: str, paren: int) -> list[re.Match[str]]:
    """The words of the full name ending just before the parenthesis at ``paren``."""
    window_start = max(0, paren - 400)
    words = list(_WORD.finditer(text, window_start, paren))
    run: list[re.Match[str]] = []  # walking back; reversed at the end
    right_edge = paren
    for word in reversed(words):
        gap = text[word.end() : right_edge]
        if _CLAUSE_END.search(gap) or len(run) >= MAX_NAME_WORDS:
            break
        if "," in gap and run and _is_capitalised(run[-1].group()):
            break  # ", Ủy ban ...": a list of names, the comma starts this one
        if unicodedata.normalize("NFC", word.group()).lower() in _BOUNDARY_WORDS:
            break
        run.append(word)
        right_edge = word.start()
    run.reverse()
    if not run:
        return []
    folded = [fold(word.group()) for word in run]
    for index, word in enumerate(run):
        if _is_capitalised(word.group()) and any(
            tuple(folded[index : index + len(head)]) == head for head in _HEAD_NOUNS
        ):
            return run[index:]
    for index, word in enumerate(run):
        if _is_capitalised(word.group()):
            return run[index:]
    return []


def _initial(word: str) -> str:
    first = unicodedata.normalize("NFD", word)[0].upper()
    return "D" if first == "Đ" else first


def _initials_suffix(words: list[re.Match[str]], acronym: str) -> list[re.Match[str]]:
    """The last words of the name whose initials spell the acronym (a shorter name), or nothing."""
    letters = "".join("D" if char in "Đđ" else char.upper() for char in acronym if char.isalpha())
    size = len(letters)
    if size < 2 or size >= len(words):
        return []
    tail = words[-size:]
    return tail if "".join(_initial(word.group()) for word in tail) == letters else []


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]``, on one line."""
    paragraph_start = 0
    for brk in _PARAGRAPH_BREAK.finditer(text, 0, start):
        paragraph_start = brk.end()
    following = _PARAGRAPH_BREAK.search(text, end)
    paragraph_end = following.start() if following else len(text)
    sentence_start = paragraph_start
    for stop in _SENTENCE_END.finditer(text, paragraph_start, start):
        sentence_start = stop.end()
    closing = _SENTENCE_END.search(text, end, paragraph_end)
    sentence_end = closing.start() + len(closing.group().rstrip()) if closing else paragraph_end
    return " ".join(text[sentence_start:sentence_end].split())
