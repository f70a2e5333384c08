"""Keeping our test sets out of training: FLORES-200 devtest and NTREX-128 refused by checksum.

The package ships ``testset_hashes.txt``: one line per distinct sentence of FLORES-200 devtest
(Vietnamese and English) and NTREX-128 (``newstest2019``, Vietnamese and English), each the first
:data:`HASH_HEX` hex digits of the SHA-256 of the sentence's **key**: NFC, case-folded, every
character that is not a letter or digit removed (so spacing, punctuation and case changes do not
hide a copy). Keys shorter than :data:`MIN_KEY_CHARS` are not listed and never checked: a date or a
two-word heading may occur anywhere, and is no evidence of a copied test set. 48 bits keep the list
small (about 80 kB) with a negligible chance of a false match (a million training sentences against
six thousand test sentences: about one in 50,000).

A training pair **overlaps** when its Vietnamese or its English sentence is listed. Overlapping
pairs are never trained on. When they are **substantial** — at least :data:`REFUSE_AT` pairs, or at
least :data:`REFUSE_SHARE` of the candidate pairs — the data plainly contain a test set (or much
of one) and fine-tuning is refused outright, since any score on that test set would then be
meaningless; fewer are dropped and reported.

``scripts/testset_hashes.py`` rebuilds the list from the test sets' files (:func:`build_hash_list`).
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

HASH_HEX = 12
MIN_KEY_CHARS = 20
REFUSE_AT = 5
REFUSE_SHARE = 0.01
HASH_FILE = Path(__file__).resolve().parent / "testset_hashes.txt"
HEADER = "# songngu test-set sentence hashes"


def sentence_key(text: str) -> str:
    """The form a sentence is compared in: NFC, case-folded, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFC", text).casefold() if c.isalnum())


def sentence_hash(text: str) -> str | None:
    """The truncated SHA-256 of ``text``'s key, or None when the key is too short to count."""
    key = sentence_key(text)
    if len(key) < MIN_KEY_CHARS:
        return None
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:HASH_HEX]


def build_hash_list(files: Iterable[str | os.PathLike[str]]) -> str:
    """The content of ``testset_hashes.txt`` for line-per-sentence test-set files: sorted, distinct."""
    hashes: set[str] = set()
    names: list[str] = []
    for path in files:
        names.append(Path(path).name)
        for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
            digest = sentence_hash(line)
            if digest is not None:
                hashes.add(digest)
    header = [f"{HEADER} ({HASH_HEX} hex digits of sha256, keys of at least {MIN_KEY_CHARS} characters)"]
    header.append("# from: " + " ".join(names))
    return "\n".join([*header, *sorted(hashes)]) + "\n"


@cache
def known_hashes() -> frozenset[str]:
    """The shipped test-set hashes."""
    lines = HASH_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def overlaps(source: str, target: str) -> bool:
    """Whether a pair's Vietnamese or English sentence belongs to one of our test sets."""
    hashes = known_hashes()
    return any((digest := sentence_hash(text)) is not None and digest in hashes for text in (source, target))


def is_substantial(overlapping: int, candidates: int) -> bool:
    """Whether ``overlapping`` of ``candidates`` pairs is too much test-set data to just drop."""
    return overlapping >= REFUSE_AT or (candidates > 0 and overlapping / candidates >= REFUSE_SHARE)
