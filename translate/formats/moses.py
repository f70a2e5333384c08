"""Moses-style line-aligned bitext: ``<name>.vi`` and ``<name>.en``, line N of one is line N of the other.

Line alignment is the whole contract, so a segment must be exactly one line: every character that
some reader treats as a line break (``\\n``, ``\\r``, ``\\r\\n``, vertical tab, form feed, the
information separators U+001C..U+001E, NEL, U+2028, U+2029, all of which Python's ``splitlines``
honours) is written as one space. This is lossy by design; the TSV and JSONL files keep the exact text.
"""

from __future__ import annotations

import os
import re

from songngu.errors import InputError
from songngu.textfile import read_text
from songngu.translate.formats.base import OutputFormat
from songngu.translate.records import ArticleTranslation

_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def line_breaks_to_spaces(text: str) -> str:
    """``text`` with each line break replaced by a space, so it fills exactly one line."""
    return _LINE_BREAK.sub(" ", text)


def dumps_lines(lines: list[str]) -> str:
    """One line per item, each ending in ``\\n`` (an empty list gives an empty file)."""
    return "".join(line_breaks_to_spaces(line) + "\n" for line in lines)


def loads_lines(text: str) -> list[str]:
    """The lines of a line-aligned file: split on ``\\n`` only, a CRLF's ``\\r`` dropped."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final line end (or an empty file)
    return [line.removesuffix("\r") for line in lines]


def read_moses(
    source_path: str | os.PathLike[str], target_path: str | os.PathLike[str]
) -> list[tuple[str, str]]:
    """Read a ``.vi``/``.en`` pair into (Vietnamese, English) pairs; unequal line counts are an error."""
    sources = loads_lines(read_text(source_path))
    targets = loads_lines(read_text(target_path))
    if len(sources) != len(targets):
        shorter, count = (
            (source_path, len(sources)) if len(sources) < len(targets) else (target_path, len(targets))
        )
        raise InputError(
            f"{shorter}:{count + 1}: missing line: {source_path} has {len(sources)} lines, "
            f"{target_path} has {len(targets)}; line-aligned files must have as many lines"
        )
    return list(zip(sources, targets, strict=True))


class MosesSourceFormat(OutputFormat):
    """``<name>.vi``: the Vietnamese segments, one per line."""

    suffix = ".vi"

    def render(self, article: ArticleTranslation, existing: str | None, *, name: str = "") -> str:
        return dumps_lines([r.source for r in article.results])


class MosesTargetFormat(OutputFormat):
    """``<name>.en``: the English segments, one per line, aligned with ``<name>.vi``."""

    suffix = ".en"

    def render(self, article: ArticleTranslation, existing: str | None, *, name: str = "") -> str:
        return dumps_lines([r.target for r in article.results])
