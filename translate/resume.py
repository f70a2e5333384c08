"""Resuming a run: whether an article's outputs are already up to date, without the model.

An article's outputs are up to date when all of them exist and the run metadata of its JSONL file
(line 1) records the same :class:`OutputKey` as the run about to start: the same text, glossary,
model and decoding settings. The model is compared by identity, its revision (the hub commit, or the
checksum of a directory's files), not by the ``--model`` string: ``--model model`` and ``--model
/abs/path/model`` name one model, and a directory copied elsewhere is still that model. Anything
else that varies between runs is not compared: the batch size (a sentence is computed from its own
row of a batch: the translations agree up to rounding, tested), the tool version, the device.

The translation memory is not part of the key: a memory grows all the time, and re-translating an
archive whenever one review is imported would defeat resuming. ``--force`` redoes every article,
reusing what the memory holds by then.
"""

from __future__ import annotations

from dataclasses import dataclass

from songngu.errors import InputError
from songngu.translate.corpus import ArticleJob
from songngu.translate.formats import jsonl
from songngu.translate.records import RunInfo


@dataclass(frozen=True)
class OutputKey:
    """What decides an article's outputs, as its run metadata records it."""

    source_checksum: str | None
    model_revision: str  # the model's identity; the --model string that named it is not compared
    glossary_checksum: str | None
    beam: int
    max_length: int
    with_unconstrained: bool | None
    precision: str

    @classmethod
    def of(cls, run: RunInfo) -> OutputKey:
        """The key recorded in (or about to be written to) a run's metadata."""
        return cls(
            source_checksum=run.source_checksum,
            model_revision=run.model_revision,
            glossary_checksum=run.glossary_checksum,
            beam=run.beam,
            max_length=run.max_length,
            with_unconstrained=run.with_unconstrained,
            precision=run.precision,
        )


def up_to_date(job: ArticleJob, key: OutputKey) -> bool:
    """Whether every output of ``job`` exists and its records were made with ``key``.

    Records without metadata, or with metadata written before songngu recorded source checksums, or
    that cannot be read as songngu metadata at all, are not up to date: the article is redone.
    """
    if key.source_checksum is None or not all(path.is_file() for path in job.outputs()):
        return False
    try:
        recorded = jsonl.read_run(job.records)
    except InputError:
        return False
    return recorded is not None and OutputKey.of(recorded) == key
