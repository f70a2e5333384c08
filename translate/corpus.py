"""The articles of a run and where each one's outputs go.

``songngu translate`` takes files and folders. A file given by name writes ``OUT/<name>.*``; a folder
is searched recursively for files matching a pattern (by default text articles, ``*.txt``, and every
document suffix: ``*.md``, ``*.html``, ``*.htm``, ``*.docx``, ``*.odt``), and each one writes
under ``OUT`` at its path relative to that folder: ``in/a/b.txt`` → ``OUT/a/b.jsonl``, ``OUT/a/b.po``…

Decisions:

- A pattern is matched against the path relative to the folder, from the right
  (:meth:`pathlib.PurePath.match`): ``*.txt`` matches at any depth, ``2024/*.txt`` only files directly
  in a folder named 2024.
- Hidden files and folders (name starting with ".") are skipped: version control, editors' and
  songngu's own temporary files live there. Symbolic links to folders are not followed (no cycles).
- songngu's own outputs are never articles, wherever they lie (``--out`` equal to an input folder,
  ``songngu translate out/*.txt``): :func:`is_own_output` recognises them by their run metadata, and
  they are left out (their paths are handed to ``on_own_output``). The output folder is also skipped
  as a whole when it lies inside an input folder.
- Two articles that would write the same ``<name>.*`` files are refused before anything is done,
  with one line naming both.
- Articles are listed in a fixed order: inputs in the order given, each folder's files sorted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from songngu.errors import InputError
from songngu.filenames import printable_path
from songngu.translate.documents import DOCUMENT_SUFFIXES, english_name, is_document
from songngu.translate.formats import OUTPUT_FORMATS
from songngu.translate.formats.jsonl import JsonlFormat, read_run
from songngu.translate.segment import article_name

DEFAULT_PATTERNS: tuple[str, ...] = ("*.txt", *(f"*{suffix}" for suffix in DOCUMENT_SUFFIXES))


@dataclass(frozen=True)
class ArticleJob:
    """One article of a run: its file, and the folder and name its output files get."""

    source: Path
    out_dir: Path
    name: str  # the file name without its last suffix: segment ids and output file names

    @property
    def records(self) -> Path:
        """Its JSONL records file, whose first line says what produced the outputs."""
        return self.out_dir / f"{self.name}{JsonlFormat.suffix}"

    @property
    def english_document(self) -> Path | None:
        """For a document (HTML, DOCX, Markdown, ODT), the English one: ``<name>.en.<ext>``."""
        return self.out_dir / english_name(self.source, self.name) if is_document(self.source) else None

    def outputs(self) -> list[Path]:
        """Every file written for it, one per output format, and the English document."""
        paths = [self.out_dir / f"{self.name}{fmt.suffix}" for fmt in OUTPUT_FORMATS]
        return paths if self.english_document is None else [*paths, self.english_document]


def discover(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    pattern: str | Sequence[str] = DEFAULT_PATTERNS,
    *,
    on_own_output: Callable[[Path], None] | None = None,
) -> list[ArticleJob]:
    """The articles named by ``inputs`` (files, or folders searched for ``pattern``: one, or any of
    several).

    A name that is not a folder is taken as a file (reading it reports a missing one). Files that
    songngu wrote (:func:`is_own_output`) are left out, each handed to ``on_own_output``. Raises
    :class:`InputError` for a folder with no matching file (or only songngu's outputs), for inputs
    that are all songngu's outputs, and for two articles that would write the same output files.
    """
    out = Path(out_dir)
    patterns = (pattern,) if isinstance(pattern, str) else tuple(pattern)
    jobs: list[ArticleJob] = []
    own: list[Path] = []
    for given in inputs:
        path = Path(given)
        if not path.is_dir():
            if is_own_output(path):
                own.append(path)
            else:
                jobs.append(ArticleJob(path, out, article_name(path)))
            continue
        found: list[ArticleJob] = []
        own_here = False
        for file, relative in _walk(path, patterns, skip=out):
            if is_own_output(file):
                own.append(file)
                own_here = True
            else:
                # Folders are named in outputs as article names are: bytes not UTF-8 as escapes.
                found.append(ArticleJob(file, out / printable_path(relative.parent), article_name(file)))
        if not found:
            what = "only songngu's own outputs match" if own_here else "no file matches"
            shown = " ".join(patterns)
            raise InputError(f"{given}: {what} {shown} in this folder (--glob sets the pattern)")
        jobs.extend(found)
    if on_own_output is not None:
        for path in own:
            on_own_output(path)
    if own and not jobs:
        raise InputError(f"{own[0]}: one of songngu's own outputs, not an article; nothing to translate")
    return _without_clashes(jobs)


# Where an English rendering of a document goes: <name>.en.<ext> (.en.txt now; .en.html, .en.docx
# and the like for other document types), beside the formats' own suffixes.
_ENGLISH_RENDERING = re.compile(r"(?P<name>.+)\.en\.[^.]+")


def is_own_output(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a file ``songngu translate`` wrote, wherever it lies.

    It is when its name is ``<name><suffix>``, the suffix that of an output format
    (:data:`OUTPUT_FORMATS`: ``.jsonl``, ``.en.txt``, ``.po``, ...) or any ``.en.<ext>``, and
    ``<name>.jsonl`` beside it (the file itself, for a ``.jsonl``) begins with songngu's run
    metadata: a line every run writes first, which no Vietnamese article begins with. A file whose
    records were deleted is taken for an article again.
    """
    file = Path(path)
    names = {file.name[: -len(fmt.suffix)] for fmt in OUTPUT_FORMATS if file.name.endswith(fmt.suffix)}
    rendering = _ENGLISH_RENDERING.fullmatch(file.name)
    if rendering is not None:
        names.add(rendering.group("name"))
    return any(_records_a_run(file.with_name(name + JsonlFormat.suffix)) for name in names if name)


def _records_a_run(records: Path) -> bool:
    try:
        return records.is_file() and read_run(records) is not None
    except (InputError, OSError):
        return False


def _walk(folder: Path, patterns: Sequence[str], skip: Path) -> list[tuple[Path, PurePath]]:
    """Files under ``folder`` matching any of ``patterns``, sorted, with their paths relative to it."""
    skipped = skip.resolve()
    found: list[tuple[Path, PurePath]] = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != skipped)
        for name in files:
            relative = (here / name).relative_to(folder)
            if not name.startswith(".") and any(relative.match(pattern) for pattern in patterns):
                found.append((here / name, relative))
    return sorted(found, key=lambda item: item[1].parts)


def _without_clashes(jobs: Sequence[ArticleJob]) -> list[ArticleJob]:
    """``jobs`` with repeats of one file dropped; two files writing the same outputs are refused."""
    first: dict[Path, Path] = {}
    unique: list[ArticleJob] = []
    for job in jobs:
        target = job.out_dir / job.name
        if target not in first:
            first[target] = job.source
            unique.append(job)
        elif first[target] != job.source:
            raise InputError(
                f"{first[target]} and {job.source} would both write {target}.*; rename one of them"
            )
    return unique
