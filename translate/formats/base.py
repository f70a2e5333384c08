"""The one interface every file format implements, in the manner of Translate Toolkit's stores.

One unit/store model for every format: the unit is :class:`~songngu.translate.records.SegmentResult`
(a segment's id, source, target, and what songngu knows about it), the store an
:class:`~songngu.translate.records.ArticleTranslation` (an article's units, with the run that made
them). Each format both writes a store (:meth:`OutputFormat.render`) and reads one back
(:meth:`OutputFormat.parse`); its class attribute ``suffix`` is what the registry in
:mod:`songngu.translate.formats` picks a format by (:func:`~songngu.translate.formats.format_for`).

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
from pathlib import PurePath
from typing import ClassVar

from songngu.textfile import read_text
from songngu.translate.pairing import MergeSummary
from songngu.translate.records import ArticleTranslation


class OutputFormat(ABC):
    """A file written for each translated article, ``DIR/<name><suffix>``, and read back."""

    suffix: ClassVar[str]  # e.g. ".tsv"; the file is named article.name + suffix

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
