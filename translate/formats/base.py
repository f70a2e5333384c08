"""The interfaces every file format implements, in the manner of Translate Toolkit's stores.

Writing: the unit is :class:`~songngu.translate.records.SegmentResult` (a segment's id, source,
target, and what songngu knows about it), the store an
:class:`~songngu.translate.records.ArticleTranslation` (an article's units, with the run that made
them). Each output format both writes a store (:meth:`OutputFormat.render`) and reads one back
(:meth:`OutputFormat.parse`).

Reading reviewed work: a :class:`UnitReader` streams a file's units as
:class:`~songngu.translate.reviewed.ReviewedUnit` (what a reviewer was given and what they did);
every command that reads reviewed files reads them through one. A format may be both.

Class attributes drive the one registry in :mod:`songngu.translate.formats`: ``suffixes`` (every
file name ending the format reads; an output format's first is the ``suffix`` it writes) pick the
format of a path (:func:`~songngu.translate.formats.format_for`,
:func:`~songngu.translate.formats.reader_for`), by the longest that ends the file name.

A format reads back what it carries and nothing more; every other field keeps its default, and a
unit's ``paragraph`` comes from its segment id when the format does not carry it. Only JSONL
carries everything (and the run); a Moses file carries one side of the bitext; the English text
carries paragraphs, not sentences.

Rendering never touches the disk; :func:`songngu.translate.formats.write_outputs` renders every
format first and only then writes the files as one set, so a failure leaves the previous files intact.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import PurePath
from typing import ClassVar

from songngu.textfile import read_text
from songngu.translate.pairing import MergeSummary
from songngu.translate.records import ArticleTranslation
from songngu.translate.reviewed import ReviewedUnit


class FileFormat(ABC):
    """A file format the registry knows, by the endings of the file names it reads."""

    suffixes: ClassVar[tuple[str, ...]]  # e.g. (".xlf", ".xliff"); compared case-insensitively


class UnitReader(FileFormat):
    """A format whose files are read as reviewed units, one at a time.

    ``records_review``: its files say which units a reviewer confirmed (PO, XLIFF); in the others
    (records, bitexts, memories) every translated unit stands as the file gives it.
    ``reviewed_work``: its files hold people's reviewed translations, what ``review import`` takes
    (PO and XLIFF unit by unit, a TMX memory as a whole); songngu's records and bitexts do not.
    ``carries_ids``: its units have segment ids (Moses files have only line numbers, so evaluation
    pairs them by position, as plain text).
    """

    records_review: ClassVar[bool] = False
    reviewed_work: ClassVar[bool] = False
    carries_ids: ClassVar[bool] = True

    @abstractmethod
    def units(self, path: str | os.PathLike[str]) -> Iterator[ReviewedUnit]:
        """The units of the file at ``path``, in file order, read as a stream where the format allows
        (InputError ``FILE:LINE: ...`` when the reader reaches a fault: a caller that must refuse
        before acting reads to the end first)."""


class OutputFormat(FileFormat):
    """A file written for each translated article, ``DIR/<name><suffix>``, and read back."""

    suffix: ClassVar[str]  # e.g. ".tsv"; the file is named article.name + suffix

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "suffix" in cls.__dict__ and "suffixes" not in cls.__dict__:
            cls.suffixes = (cls.suffix,)

    @abstractmethod
    def render(self, article: ArticleTranslation, existing: str | None, *, name: str = "") -> str:
        """The file's new content. ``existing`` is the current file's text, if there is one
        (formats that keep a reviewer's work, like PO, merge with it; others ignore it); ``name`` is
        the file's path, for messages about it."""

    @abstractmethod
    def parse(self, text: str, name: str = "") -> ArticleTranslation:
        """The article a file's text holds, as far as this format carries it. ``name`` is the file's
        path: the article is named after it, and errors (InputError ``NAME:LINE: ...``) name it."""

    def read(self, path: str | os.PathLike[str]) -> ArticleTranslation:
        """Read and parse a file of this format (UTF-8; errors name the file and line)."""
        return self.parse(read_text(path), os.fspath(path))

    def article_name(self, name: str) -> str:
        """The article a file is of: its file name without this format's suffix."""
        file_name = PurePath(name).name
        return file_name.removesuffix(self.suffix) if file_name != self.suffix else file_name


class MergingFormat(OutputFormat):
    """A format whose file carries a reviewer's work, which :meth:`render` merges into (through
    :mod:`songngu.translate.pairing`).

    Its existing files are checked before a run does any work (:meth:`check_existing`), so a broken
    one stops the run before any file of any article is written.
    """

    @abstractmethod
    def check_existing(self, existing: str, *, name: str) -> None:
        """Raise InputError (naming ``name`` and the line) if ``existing`` cannot be merged into."""

    @abstractmethod
    def summarise(self, article: ArticleTranslation, existing: str, *, name: str = "") -> MergeSummary:
        """What merging ``article`` into the ``existing`` file's text does (kept, moved, changed,
        new, obsolete), without rendering anything."""


def paragraph_of(segment_id: str) -> int:
    """The paragraph number of a segment id ``<name>:<paragraph>:<sentence>`` (0 if it has none)."""
    parts = segment_id.rsplit(":", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0
