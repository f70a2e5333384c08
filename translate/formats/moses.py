"""Moses-style line-aligned bitext: ``<name>.vi`` and ``<name>.en``, line N of one is line N of the other.

Line alignment is the whole contract, so a segment must be exactly one line. Each text is put under
the character policy (:mod:`songngu.translate.formats.characters`), which turns every line break a
reader might honour (CR, VT, FF, NEL, U+2028, U+2029; ``str.splitlines`` also breaks at U+001C to
U+001E, which the policy replaces) into ``\\n``, and each ``\\n`` is then written as one space. This
is lossy by design; the TSV and JSONL files keep the line breaks.

Each file is one side of the bitext: reading ``<name>.vi`` gives units with a source and no target,
``<name>.en`` the reverse; :func:`read_moses` reads the pair. Read as reviewed units, either file
of a pair reads both (``<name>.vi`` and ``<name>.en`` beside it): one unit per line, its id the
line number, a translation as the file gives it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path

from songngu.errors import InputError
from songngu.textfile import read_records
from songngu.translate.formats.base import OutputFormat, UnitReader
from songngu.translate.formats.characters import portable_text
from songngu.translate.records import ArticleTranslation, SegmentResult
from songngu.translate.reviewed import Origin, ReviewedUnit, UnitState

SOURCE_SUFFIX, TARGET_SUFFIX = ".vi", ".en"


def line_breaks_to_spaces(text: str) -> str:
    """``text`` under the character policy, each line break then a space, so it fills exactly one line."""
    return portable_text(text).replace("\n", " ")


def dumps_lines(lines: list[str]) -> str:
    """One line per item, each ending in ``\\n`` (an empty list gives an empty file)."""
    return "".join(line_breaks_to_spaces(line) + "\n" for line in lines)


def loads_lines(text: str) -> list[str]:
    """The lines of a line-aligned file: split on ``\\n`` only, a CRLF's ``\\r`` dropped."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final line end (or an empty file)
    return [line.removesuffix("\r") for line in lines]


class _MosesPair(UnitReader):
    """Either file of a Moses pair, read with the other as units (line numbers, not segment ids)."""

    carries_ids = False

    def units(self, path: str | os.PathLike[str]) -> Iterator[ReviewedUnit]:
        """One unit per line of ``<name>.vi`` and ``<name>.en`` together."""
        given = Path(path)
        stem = given.name[: -len(given.suffix)] if given.suffix else given.name
        source_path = given.with_name(stem + SOURCE_SUFFIX)
        target_path = given.with_name(stem + TARGET_SUFFIX)
        sources, targets = _stream_lines(source_path), _stream_lines(target_path)
        for number, (vi, en) in enumerate(zip_longest(sources, targets), start=1):
            if vi is None or en is None:
                # The longer file has this line and the rest; the shorter one line fewer.
                total = number + sum(1 for _ in (sources if en is None else targets))
                counts = (total, number - 1) if en is None else (number - 1, total)
                raise _unequal(source_path, target_path, *counts)
            state = UnitState.CONFIRMED if en.strip() else UnitState.NEW
            yield ReviewedUnit(
                id=str(number), source=vi, target=en, state=state, origin=Origin(os.fspath(path), number)
            )


class MosesSourceFormat(OutputFormat, _MosesPair):
    """``<name>.vi``: the Vietnamese segments, one per line."""

    suffix = SOURCE_SUFFIX

    def render(self, article: ArticleTranslation, existing: str | None = None, *, name: str = "") -> str:
        return dumps_lines([r.source for r in article.results])

    def parse(self, text: str, name: str = "<vi>") -> ArticleTranslation:
        """One unit per line (id: the line number), the line as its source."""
        results = [
            SegmentResult(id=str(number), source=line, target="", paragraph=0, line=number)
            for number, line in enumerate(loads_lines(text), start=1)
        ]
        return ArticleTranslation(self.article_name(name), name, None, results)


class MosesTargetFormat(OutputFormat, _MosesPair):
    """``<name>.en``: the English segments, one per line, aligned with ``<name>.vi``."""

    suffix = TARGET_SUFFIX

    def render(self, article: ArticleTranslation, existing: str | None = None, *, name: str = "") -> str:
        return dumps_lines([r.target for r in article.results])

    def parse(self, text: str, name: str = "<en>") -> ArticleTranslation:
        """One unit per line (id: the line number), the line as its target."""
        results = [
            SegmentResult(id=str(number), source="", target=line, paragraph=0, line=number)
            for number, line in enumerate(loads_lines(text), start=1)
        ]
        return ArticleTranslation(self.article_name(name), name, None, results)


def read_moses(
    source_path: str | os.PathLike[str], target_path: str | os.PathLike[str]
) -> list[tuple[str, str]]:
    """Read a ``.vi``/``.en`` pair into (Vietnamese, English) pairs; unequal line counts are an error."""
    sources = [r.source for r in MosesSourceFormat().read(source_path).results]
    targets = [r.target for r in MosesTargetFormat().read(target_path).results]
    if len(sources) != len(targets):
        raise _unequal(source_path, target_path, len(sources), len(targets))
    return list(zip(sources, targets, strict=True))


def _unequal(
    source_path: str | os.PathLike[str], target_path: str | os.PathLike[str], sources: int, targets: int
) -> InputError:
    shorter, count = (source_path, sources) if sources < targets else (target_path, targets)
    return InputError(
        f"{shorter}:{count + 1}: missing line: {source_path} has {sources} lines, "
        f"{target_path} has {targets}; line-aligned files must have as many lines"
    )


def _stream_lines(path: str | os.PathLike[str]) -> Iterator[str]:
    """:func:`loads_lines` of a file, read as a stream."""
    pending: str | None = None
    for piece in read_records(path):
        if pending is not None:
            yield pending.removesuffix("\r")
        pending = piece
    if pending:  # the final line end leaves an empty last piece (so does an empty file)
        yield pending.removesuffix("\r")
