"""Public test sets a user scores a model on before trusting it: FLORES-200 devtest, Vietnamese→English.

The files ship in ``data/flores200`` (CC BY-SA 4.0, attribution and licence beside them); ``data_dir``
points elsewhere (e.g. ``../shared/data/flores200``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from songngu.errors import InputError
from songngu.translate.records import Segment

if TYPE_CHECKING:
    from songngu.translate.evaluate.inputs import Article

# `inputs` (and the file formats under it) is imported where a test set is read, not here: the
# command line lists TESTSETS in its help, which must stay quick.

REPO_DATA = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class TestSetFiles:
    """Where a test set's line-aligned source and reference live, relative to its directory."""

    name: str
    directory: str  # default directory name under data/
    source: str
    reference: str
    citation: str


TESTSETS = {
    "flores200": TestSetFiles(
        "flores200",
        "flores200",
        "vie_Latn.devtest",
        "eng_Latn.devtest",
        "FLORES-200 devtest (NLLB Team et al., 2022), CC BY-SA 4.0; "
        "OPUS-MT vie-eng (opus+bt-2021-04-30) scores BLEU 27.3 on it",
    ),
}


@dataclass
class TestSet:
    """Source sentences and their references, line-aligned."""

    __test__ = False  # not a pytest class, despite its name

    name: str
    sources: list[str]
    references: list[str]
    source_path: str
    reference_path: str
    citation: str

    def segments(self) -> list[Segment]:
        """One segment per line: id ``<name>:<line>:1``, each line its own paragraph."""
        segments, offset = [], 0
        for number, line in enumerate(self.sources, start=1):
            segments.append(
                Segment(f"{self.name}:{number}:1", line, number, 1, offset, offset + len(line), number)
            )
            offset += len(line) + 1
        return segments

    def article(self, hypotheses: Sequence[str]) -> Article:
        """The test set with a system's translations, ready to score."""
        from songngu.translate.evaluate.inputs import Article, Pair

        pairs = [
            Pair(f"{self.name}:{i}:1", hyp, ref, src)
            for i, (hyp, ref, src) in enumerate(
                zip(hypotheses, self.references, self.sources, strict=True), 1
            )
        ]
        return Article(self.name, "(translated)", self.reference_path, pairs)


def load_testset(
    name: str, data_dir: str | os.PathLike[str] | None = None, limit: int | None = None
) -> TestSet:
    """Read a test set by name; ``limit`` keeps its first N lines."""
    from songngu.translate.evaluate.inputs import read_lines

    files = TESTSETS.get(name)
    if files is None:
        raise InputError(f"unknown test set {name!r}; known: {', '.join(sorted(TESTSETS))}")
    directory = Path(data_dir) if data_dir is not None else REPO_DATA / files.directory
    source_path, reference_path = directory / files.source, directory / files.reference
    for path in (source_path, reference_path):
        if not path.is_file():
            raise InputError(f"{path}: test set file not found; point --data at the {name} directory")
    sources, references = read_lines(source_path), read_lines(reference_path)
    if len(sources) != len(references):
        raise InputError(f"{source_path}: {len(sources)} lines, but {reference_path} has {len(references)}")
    if limit is not None:
        sources, references = sources[:limit], references[:limit]
    return TestSet(name, sources, references, str(source_path), str(reference_path), files.citation)
