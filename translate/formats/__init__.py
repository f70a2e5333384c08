"""Output and exchange formats for translation records, one module per format, and their registry.

:data:`OUTPUT_FORMATS` lists every file written for a translated article; :func:`write_outputs`
renders all of them before writing any, so a failing format leaves every previous file intact.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from songngu.textfile import read_text, write_atomic
from songngu.translate.formats.base import OutputFormat
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.formats.moses import MosesSourceFormat, MosesTargetFormat
from songngu.translate.formats.po import PoFormat
from songngu.translate.formats.text import EnglishTextFormat
from songngu.translate.formats.tmx import TmxFormat
from songngu.translate.formats.tsv import TsvFormat
from songngu.translate.records import ArticleTranslation

# Every output format, in the order files are written: JSONL, text, TSV, Moses .vi/.en, TMX, PO.
OUTPUT_FORMATS: tuple[OutputFormat, ...] = (
    JsonlFormat(),
    EnglishTextFormat(),
    TsvFormat(),
    MosesSourceFormat(),
    MosesTargetFormat(),
    TmxFormat(),
    PoFormat(),
)


def output_path(article: ArticleTranslation, out_dir: str | os.PathLike[str], fmt: OutputFormat) -> Path:
    """Where ``fmt`` writes ``article``: ``out_dir/<name><suffix>``."""
    return Path(out_dir) / f"{article.name}{fmt.suffix}"


def write_outputs(
    article: ArticleTranslation,
    out_dir: str | os.PathLike[str],
    formats: Sequence[OutputFormat] = OUTPUT_FORMATS,
) -> list[Path]:
    """Write ``article`` in every format (default: :data:`OUTPUT_FORMATS`) into ``out_dir``.

    Every format is rendered first, each given its existing file's text when there is one (PO
    merges with it); only then is each file written atomically. An error while rendering (or
    reading an existing file) therefore leaves every file as it was. Returns the paths written.
    """
    rendered: list[tuple[Path, str]] = []
    for fmt in formats:
        path = output_path(article, out_dir, fmt)
        existing = read_text(path) if path.exists() else None
        rendered.append((path, fmt.render(article, existing, name=os.fspath(path))))
    for path, content in rendered:
        write_atomic(path, content)
    return [path for path, _ in rendered]
