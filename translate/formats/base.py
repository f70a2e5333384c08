"""The one interface every output format implements, in the manner of Translate Toolkit's storage.

A format renders an article's records to the text of one file. Rendering never touches the disk;
:func:`translate.formats.write_outputs` renders every format first and only then writes each file
atomically, so a failure leaves the previous files intact.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from songngu.translate.records import ArticleTranslation


class OutputFormat(ABC):
    """A file written for each translated article: ``DIR/<name><suffix>``."""

    suffix: ClassVar[str]  # e.g. ".tsv"; the file is named article.name + suffix

    @abstractmethod
    def render(self, article: ArticleTranslation, existing: str | None, *, name: str = "") -> str:
        """The file's new content. ``existing`` is the current file's text, if there is one
        (formats that keep a reviewer's work, like PO, merge with it; others ignore it); ``name`` is
        the file's path, for messages about it."""


class MergingFormat(OutputFormat):
    """A format whose file carries a reviewer's work, which :meth:`render` merges into.

    Its existing files are checked before a run does any work (:meth:`check_existing`), so a broken
    one stops the run before any file of any article is written.
    """

    @abstractmethod
    def check_existing(self, existing: str, *, name: str) -> None:
        """Raise InputError (naming ``name`` and the line) if ``existing`` cannot be merged into."""
