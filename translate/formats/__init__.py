"""Output and exchange formats, one module per format, and their one registry.

Every output format is an :class:`~songngu.translate.formats.base.OutputFormat` that writes an
article and reads it back; every format of reviewed work is a
:class:`~songngu.translate.formats.base.UnitReader` that streams its files as
:class:`~songngu.translate.reviewed.ReviewedUnit` (PO, XLIFF, TMX, JSONL, TSV, Moses: most are both).
:data:`FORMATS` is the registry: the format of a path is the one whose class attribute
``suffixes`` has the longest ending of its name (``a.en.txt`` is English text, ``a.en`` Moses),
for writing (:func:`format_for`, :func:`read_article`) and for reading reviewed work
(:func:`reader_for`, :func:`find_reader`, :func:`read_units`). No other module picks a format.

:data:`OUTPUT_FORMATS` lists every file written for a translated article; :func:`write_outputs`
renders all of them, then writes them as one set (:func:`songngu.textfile.write_all`), so a failing
format or a full disk leaves every previous file intact; :func:`prepare_outputs` checks a whole
run's outputs before any work starts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from songngu.errors import InputError
from songngu.textfile import check_writable_dir, read_text, remove_stale_temporaries, write_all
from songngu.translate.formats.base import FileFormat, MergingFormat, OutputFormat, UnitReader
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.formats.moses import MosesSourceFormat, MosesTargetFormat
from songngu.translate.formats.po import PoFormat
from songngu.translate.formats.text import EnglishTextFormat
from songngu.translate.formats.tmx import TmxFormat
from songngu.translate.formats.tsv import TsvFormat
from songngu.translate.formats.xliff import XliffFormat
from songngu.translate.pairing import MergeSummary
from songngu.translate.records import ArticleTranslation
from songngu.translate.reviewed import ReviewedUnit, UnitState

# Every output format, in the order files are written: JSONL, text, TSV, Moses .vi/.en, TMX, PO, XLIFF.
OUTPUT_FORMATS: tuple[OutputFormat, ...] = (
    JsonlFormat(),
    EnglishTextFormat(),
    TsvFormat(),
    MosesSourceFormat(),
    MosesTargetFormat(),
    TmxFormat(),
    PoFormat(),
    XliffFormat(),
)


def output_path(article: ArticleTranslation, out_dir: str | os.PathLike[str], fmt: OutputFormat) -> Path:
    """Where ``fmt`` writes ``article``: ``out_dir/<name><suffix>``."""
    return Path(out_dir) / f"{article.name}{fmt.suffix}"


# The registry: every format songngu writes or reads (each format class once; readers of reviewed
# work are the UnitReaders among them).
FORMATS: tuple[FileFormat, ...] = OUTPUT_FORMATS


def _by_suffix(path: str | os.PathLike[str]) -> FileFormat | None:
    """The registered format with the longest suffix ending the file name (case-insensitive)."""
    file_name = Path(path).name.lower()
    best: tuple[int, FileFormat] | None = None
    for fmt in FORMATS:
        for suffix in fmt.suffixes:
            if file_name.endswith(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), fmt)
    return None if best is None else best[1]


def format_for(path: str | os.PathLike[str]) -> OutputFormat:
    """The output format of a file, by the longest suffix that ends its name (``a.en.txt`` is English
    text, ``a.en`` Moses); InputError if none does."""
    fmt = _by_suffix(path)
    if not isinstance(fmt, OutputFormat) or not Path(path).name.endswith(fmt.suffix):
        known = ", ".join(fmt.suffix for fmt in OUTPUT_FORMATS)
        raise InputError(f"{path}: not a songngu output file (known suffixes: {known})")
    return fmt


def find_reader(path: str | os.PathLike[str]) -> UnitReader | None:
    """The reader of reviewed units for a file, by its suffix, or None when its format has none
    (``a.en.txt``, ``a.txt``)."""
    fmt = _by_suffix(path)
    return fmt if isinstance(fmt, UnitReader) else None


def reader_for(path: str | os.PathLike[str]) -> UnitReader:
    """:func:`find_reader`, or InputError naming the file and the suffixes that have readers."""
    reader = find_reader(path)
    if reader is None:
        known = ", ".join(s for fmt in FORMATS if isinstance(fmt, UnitReader) for s in fmt.suffixes)
        suffix = Path(path).suffix or "(no suffix)"
        raise InputError(f"{path}: songngu reads no reviewed units from a {suffix} file (it reads {known})")
    return reader


def read_units(path: str | os.PathLike[str]) -> Iterator[ReviewedUnit]:
    """The reviewed units of any file the registry reads, as a stream (see :func:`reader_for`)."""
    return reader_for(path).units(path)


def read_article(path: str | os.PathLike[str]) -> ArticleTranslation:
    """Read any songngu output file back into its article (see :func:`format_for`)."""
    return format_for(path).read(path)


def write_outputs(
    article: ArticleTranslation,
    out_dir: str | os.PathLike[str],
    formats: Sequence[OutputFormat] = OUTPUT_FORMATS,
    *,
    extra: Sequence[tuple[Path, bytes]] = (),
) -> list[Path]:
    """Write ``article`` in every format (default: :data:`OUTPUT_FORMATS`) into ``out_dir``, and the
    ``extra`` files already rendered (a document's English version) in the same set.

    Every format is rendered first, each given its existing file's text when there is one (PO
    merges with it); only then is each file written atomically. An error while rendering (or
    reading an existing file) therefore leaves every file as it was. Returns the paths written.
    """
    rendered: list[tuple[Path, str | bytes]] = []
    for fmt in formats:
        path = output_path(article, out_dir, fmt)
        existing = read_text(path) if path.is_file() else None
        rendered.append((path, fmt.render(article, existing, name=os.fspath(path))))
    rendered.extend(extra)
    write_all(rendered)
    return [path for path, _ in rendered]


def prepare_outputs(
    names: Sequence[str],
    out_dir: str | os.PathLike[str],
    formats: Sequence[OutputFormat] = OUTPUT_FORMATS,
) -> None:
    """Check, before any work, that every article of a run can be written: the output folders take
    files, no output path is a directory, and every existing file a format merges into (the
    reviewed PO) parses. A problem with any article stops the whole run before anything is written.
    Temporary files left by a killed earlier run are removed on the way.
    """
    folders = sorted({(Path(out_dir) / name).parent for name in names})
    for folder in folders:
        check_writable_dir(folder)
        remove_stale_temporaries(folder)
    for name in names:
        for fmt in formats:
            path = Path(out_dir) / f"{name}{fmt.suffix}"
            if path.is_dir():
                raise InputError(f"{path}: is a directory, where songngu writes a file")
            if isinstance(fmt, MergingFormat) and path.is_file():
                fmt.check_existing(read_text(path), name=os.fspath(path))


def merge_summaries(
    article: ArticleTranslation,
    out_dir: str | os.PathLike[str],
    formats: Sequence[OutputFormat] = OUTPUT_FORMATS,
) -> list[tuple[Path, MergeSummary]]:
    """What writing ``article`` will do to each reviewed file already in ``out_dir`` (PO, XLIFF):
    call before :func:`write_outputs`, which replaces them."""
    summaries: list[tuple[Path, MergeSummary]] = []
    for fmt in formats:
        path = output_path(article, out_dir, fmt)
        if isinstance(fmt, MergingFormat) and path.exists():
            summaries.append((path, fmt.summarise(article, read_text(path), name=os.fspath(path))))
    return summaries


def read_bitext(path: str | os.PathLike[str]) -> list[tuple[str, str, str]]:
    """(segment id, Vietnamese, English) pairs of any bitext the registry reads (TSV, TMX, Moses,
    JSONL records or beads; PO and XLIFF too, their confirmed units only). Pairs with an empty
    side are left out."""
    reader = reader_for(path)
    wanted = (UnitState.CONFIRMED,) if reader.records_review else (UnitState.CONFIRMED, UnitState.MACHINE)
    return [
        (unit.id or unit.reference, unit.source, unit.target)
        for unit in reader.units(path)
        if unit.state in wanted and unit.source.strip() and unit.target.strip()
    ]
