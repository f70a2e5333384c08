"""The files of an aligned article (read back, as every bitext, by ``formats.read_bitext``).

``songngu align`` writes, for ``<name>`` the Vietnamese file's name without its last suffix:

- ``<name>.jsonl``: one record per bead: ``id``, ``vi``, ``en``, ``vi_start``, ``vi_end``,
  ``en_start``, ``en_end`` (offsets into each file as read, BOM dropped; null for an empty side),
  ``score``, ``kind`` ("1-1", "2-1", "0-1", ...), ``paragraph``, ``line`` (of the Vietnamese file,
  0 for an empty side; files written before it read as 0);
- ``<name>.tsv`` and ``<name>.tmx``: the beads with text on both sides, through translate's own
  TSV and TMX writers (:mod:`translate.formats`);
- ``<name>.po``: a review catalog through translate's PO writer, so re-aligning merges with a
  reviewed catalog without losing the reviewer's work. Every bead with Vietnamese text is an entry;
  beads scoring below the threshold are fuzzy, a Vietnamese sentence with no English counterpart is
  untranslated, and notes give the bead's kind and score. Its ``#:`` references give the line of
  the Vietnamese file each bead starts on, and its header what the run used (:class:`AlignmentRun`).

Every file is rendered before any is written, and they are written as one set
(:func:`songngu.textfile.write_all`); :func:`prepare_aligned` checks a run's outputs before any work.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from songngu import __version__
from songngu.errors import InputError
from songngu.textfile import read_text, write_all
from songngu.translate.align.article import AlignedArticle, AlignedBead
from songngu.translate.formats import prepare_outputs
from songngu.translate.formats.base import OutputFormat
from songngu.translate.formats.characters import escape_for_json
from songngu.translate.formats.jsonl import BEAD_FIELDS, OPTIONAL_BEAD_FIELDS, bead_objects
from songngu.translate.formats.po import PoFormat
from songngu.translate.formats.tmx import TmxFormat
from songngu.translate.formats.tsv import TsvFormat
from songngu.translate.records import ArticleTranslation, Method, RunInfo, SegmentResult

ALIGNED_FORMATS: tuple[OutputFormat, ...] = (TsvFormat(), TmxFormat(), PoFormat())
BEAD_KEYS = tuple(key for key in BEAD_FIELDS if key not in OPTIONAL_BEAD_FIELDS)
RECORD_KEYS = tuple(BEAD_FIELDS)  # what each record holds, in this order
#: What the PO header says for the precision of a run that used no model (there was no arithmetic).
NO_MODEL = "none"


@dataclass(frozen=True)
class AlignmentRun:
    """What one ``songngu align`` command used, recorded in the PO header and the TMX header.

    ``run_id`` is shared by every file of the command. ``glossary_checksum`` is the glossary's content
    checksum (:meth:`Glossary.checksum`, as ``translate`` records it). Without ``--model`` no model
    ran: ``model`` is None and the precision is recorded as :data:`NO_MODEL`.
    """

    run_id: str
    glossary: str | None = None
    glossary_checksum: str | None = None
    model: str | None = None
    model_revision: str = ""
    precision: str = NO_MODEL
    device: str = ""

    def info(self) -> RunInfo:
        """The run as translate's writers take it (no beam, length limit or batch: no search ran)."""
        return RunInfo(
            tool_version=__version__,
            model=f"songngu align{' + ' + self.model if self.model else ''}",
            model_revision=self.model_revision,
            glossary=self.glossary,
            glossary_checksum=self.glossary_checksum,
            beam=0,
            max_length=0,
            batch_size=0,
            device=self.device,
            run_id=self.run_id,
            precision=self.precision if self.model else NO_MODEL,
        )


def dumps_beads(beads: Sequence[AlignedBead]) -> str:
    """``<name>.jsonl``: one JSON object per bead."""
    return "".join(
        # Control characters as \uXXXX escapes (the character policy's JSONL rule): one line per bead.
        escape_for_json(json.dumps({k: getattr(bead, k) for k in RECORD_KEYS}, ensure_ascii=False)) + "\n"
        for bead in beads
    )


def loads_beads(text: str, name: str | os.PathLike[str] = "<jsonl>") -> list[AlignedBead]:
    """Parse ``<name>.jsonl`` (through the JSONL reader's :func:`bead_objects`); errors name the
    file and line."""
    return [AlignedBead(**obj) for _, obj in bead_objects(text, name)]


def translation_of(
    article: AlignedArticle, beads: Sequence[AlignedBead], run: AlignmentRun
) -> ArticleTranslation:
    """The beads as translation records, for translate's writers (method ``aligned``)."""
    results = [
        SegmentResult(
            id=bead.id,
            source=bead.vi,
            target=bead.en,
            paragraph=bead.paragraph,
            method=Method.ALIGNED,
            score=bead.score,
            alignment=bead.kind,
            uncertain=bead.score < article.min_score,
            line=bead.line,
        )
        for bead in beads
    ]
    return ArticleTranslation(name=article.name, path=article.vi_path, run=run.info(), results=results)


def write_aligned(article: AlignedArticle, out_dir: str | os.PathLike[str], run: AlignmentRun) -> list[Path]:
    """Write ``<name>.jsonl``, ``.tsv``, ``.tmx`` and ``.po`` into ``out_dir`` (the PO merged with the
    one already there); every file is rendered before any is written. Returns the paths."""
    out = Path(out_dir)
    bitext = translation_of(article, [bead for bead in article.beads if bead.bitext], run)
    catalog = translation_of(article, [bead for bead in article.beads if bead.vi], run)
    rendered: list[tuple[Path, str]] = [(out / f"{article.name}.jsonl", dumps_beads(article.beads))]
    for fmt in ALIGNED_FORMATS:
        records = catalog if isinstance(fmt, PoFormat) else bitext
        path = out / f"{article.name}{fmt.suffix}"
        existing = read_text(path) if path.exists() else None
        rendered.append((path, fmt.render(records, existing, name=os.fspath(path))))
    write_all(rendered)
    return [path for path, _ in rendered]


def prepare_aligned(names: Sequence[str], out_dir: str | os.PathLike[str]) -> None:
    """Check, before any work, that every aligned article of a run can be written (see
    :func:`translate.formats.prepare_outputs`; the reviewed PO already there must parse)."""
    prepare_outputs(names, out_dir, ALIGNED_FORMATS)
    for name in names:
        path = Path(out_dir) / f"{name}.jsonl"
        if path.is_dir():
            raise InputError(f"{path}: is a directory, where songngu writes a file")
