"""Building one block while a format walks its markup: text goes in, codes open and close around it.

Every format reads a block the same way, whatever its markup looks like: text pieces in document
order, a code opened where an inline element starts and closed where it ends, a point where an
element without text stands. The builder keeps the offsets right, including when whitespace is
collapsed (HTML and ODF show a run of spaces and line breaks as one space) and when the block's
leading and trailing spaces are cut off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from songngu.translate.documents.model import Block, CodeKind, InlineCode

# What HTML and ODF treat as collapsible white space (not U+00A0, which is a character of the text).
_MARKUP_SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass
class _OpenCode:
    id: int
    kind: CodeKind
    start: int
    end: int
    parent: int
    label: str
    protected: bool


class BlockBuilder:
    """Accumulates one block's text and codes.

    ``collapse`` turns every run of markup white space into one space and drops a space that
    follows a space, as HTML and ODF rendering do; without it text is taken as it is, but a line
    break still becomes a space (a block is one paragraph: its text has no line breaks).
    """

    def __init__(self, *, collapse: bool) -> None:
        self.collapse = collapse
        self._parts: list[str] = []
        self._length = 0
        self._last_space = True  # at the start, a space would be leading space
        self._codes: list[_OpenCode] = []
        self._open: list[_OpenCode] = []

    def text(self, text: str | None) -> None:
        """Append text."""
        if not text:
            return
        if self.collapse:
            text = _MARKUP_SPACE.sub(" ", text)
            if self._last_space:
                text = text.lstrip(" ")
        else:
            text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        if text:
            self._parts.append(text)
            self._length += len(text)
            self._last_space = text.endswith(" ")

    def space(self) -> None:
        """Keep the words on either side apart (a line break): a space, unless there is one."""
        if self._length and not self._last_space:
            self._parts.append(" ")
            self._length += 1
            self._last_space = True

    def open(self, label: str, *, protected: bool = False) -> int:
        """Start a WRAP code here; returns its id."""
        code = self._new(CodeKind.WRAP, label, protected)
        self._open.append(code)
        return code.id

    def close(self, code_id: int) -> None:
        """End the innermost open code, which must be ``code_id``."""
        code = self._open.pop()
        if code.id != code_id:
            raise ValueError(f"code {code_id} closed while code {code.id} is open")
        code.end = self._length

    def point(self, label: str) -> int:
        """A POINT code here; returns its id."""
        return self._new(CodeKind.POINT, label, False).id

    @property
    def empty(self) -> bool:
        """Whether no text has been added yet."""
        return self._length == 0

    def build(self, kind: str = "text", line: int = 0) -> Block:
        """The block: its text without leading and trailing white space (a no-break space at a
        paragraph's edge included: it is layout, not text), every code inside it."""
        if self._open:
            raise ValueError(f"code {self._open[-1].id} was never closed")
        text = "".join(self._parts)
        lead = len(text) - len(text.lstrip())
        stripped = text.strip()
        codes = tuple(
            InlineCode(
                id=c.id,
                kind=c.kind,
                start=min(max(c.start - lead, 0), len(stripped)),
                end=min(max(c.end - lead, 0), len(stripped)),
                parent=c.parent,
                label=c.label,
                protected=c.protected,
            )
            for c in self._codes
        )
        return Block(stripped, codes, kind, line)

    def _new(self, kind: CodeKind, label: str, protected: bool) -> _OpenCode:
        parent = self._open[-1].id if self._open else 0
        code = _OpenCode(len(self._codes) + 1, kind, self._length, self._length, parent, label, protected)
        self._codes.append(code)
        return code
