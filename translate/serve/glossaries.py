"""DeepL glossaries: created through the API, checked like ``songngu glossary check``, kept on disk,
and enforced on top of the server's own glossary.

A DeepL glossary is a list of (source, target) pairs, sent as TSV (``source<TAB>target``, one per
line, what the ``deepl`` client's ``create_glossary`` and Weblate send) or CSV (``source,target``,
optionally ``,source_lang,target_lang``, as DeepL's website exports). Each pair becomes a
:class:`~songngu.glossary.model.GlossaryEntry` (``vi`` → ``en``), and the glossary goes through
:func:`songngu.glossary.check.check_glossary`: one with problems (empty terms, duplicates, one term
with two translations, an acronym of one entry colliding with another's term) is refused with every
problem listed by line, as the command would print them; nothing is stored.

A request that names a glossary is held to the union of that glossary and the server's own
(``--glossary``). Where both have a term (the same Vietnamese form, as the matcher folds it), the
request's glossary wins: it is the more specific choice, as a DeepL glossary overrides the model.

Glossaries are immutable (DeepL's v2 API has no update) and persisted one JSON file per glossary in
the store's directory (by default beside the translation memory, ``<memory>.glossaries/``), written
atomically; a server started again finds them all. Without a directory they last as long as the
process, which ``songngu serve`` says when it starts.
"""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from songngu.errors import InputError
from songngu.glossary.check import check_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.glossary.model import Glossary, GlossaryEntry
from songngu.glossary.normalize import fold
from songngu.textfile import check_writable_dir, read_text, write_atomic
from songngu.translate.serve import languages
from songngu.translate.serve.failures import ApiError, bad_request, not_found

ENTRY_FORMATS = ("tsv", "csv")
_FILE_VERSION = 1


@dataclass(frozen=True)
class StoredGlossary:
    """A glossary created through the DeepL API: what DeepL's ``GlossaryInfo`` shows, and its pairs."""

    glossary_id: str
    name: str
    creation_time: str  # ISO 8601, UTC, milliseconds, as DeepL writes it: 2026-01-30T09:12:44.512Z
    entries: tuple[tuple[str, str], ...]
    source_lang: str = languages.SOURCE
    target_lang: str = languages.TARGET

    def info(self) -> dict[str, object]:
        """DeepL's ``GlossaryInfo`` JSON object."""
        return {
            "glossary_id": self.glossary_id,
            "name": self.name,
            "ready": True,
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "creation_time": self.creation_time,
            "entry_count": len(self.entries),
        }

    def tsv(self) -> str:
        """The entries as DeepL returns them: ``source<TAB>target`` lines."""
        return "".join(f"{source}\t{target}\n" for source, target in self.entries)

    def glossary(self) -> Glossary:
        """The entries as a songngu glossary (``vi`` → ``en``)."""
        return Glossary(
            [
                GlossaryEntry(vi=source, en=target, line=number)
                for number, (source, target) in enumerate(self.entries, start=1)
            ],
            source=f"glossary {self.glossary_id}",
        )


def parse_entries(text: str, entries_format: str) -> list[GlossaryEntry]:
    """The entries of a DeepL glossary in ``tsv`` or ``csv``, each with its line; ApiError (400) for
    a line that is not a pair, or languages other than Vietnamese → English in a CSV row."""
    if entries_format == "tsv":
        entries = []
        for number, line in enumerate(text.split("\n"), start=1):
            line = line.removesuffix("\r")
            if not line.strip():
                continue
            cells = line.split("\t")
            if len(cells) != 2:
                raise bad_request(
                    "Invalid glossary entries",
                    f"line {number}: expected source<TAB>target, found {len(cells)} column(s)",
                )
            entries.append(GlossaryEntry(vi=cells[0].strip(), en=cells[1].strip(), line=number))
        return entries
    if entries_format == "csv":
        reader = csv.reader(io.StringIO(text, newline=""))
        entries = []
        try:
            for cells in reader:
                number = reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) not in (2, 4):
                    raise bad_request(
                        "Invalid glossary entries",
                        f"line {number}: expected source,target[,source_lang,target_lang], "
                        f"found {len(cells)} column(s)",
                    )
                if len(cells) == 4 and not (languages.is_source(cells[2]) and languages.is_target(cells[3])):
                    raise bad_request(
                        "Invalid glossary entries",
                        f"line {number}: languages {cells[2]!r} → {cells[3]!r}; this server's glossaries "
                        "are Vietnamese (vi) → English (en)",
                    )
                entries.append(GlossaryEntry(vi=cells[0].strip(), en=cells[1].strip(), line=number))
        except csv.Error as error:
            raise bad_request("Invalid glossary entries", f"line {reader.line_num}: {error}") from None
        return entries
    raise bad_request(f"Invalid request: entries_format {entries_format!r}; use tsv or csv")


def combined(request: Glossary, server: Glossary | None) -> Glossary:
    """``request``'s entries, then the server's entries whose Vietnamese forms ``request`` does not
    have (folded as the matcher folds them): the request's glossary wins where both have a term."""
    if server is None:
        return request
    taken = {fold(form) for entry in request for form in (*entry.vi_forms, *entry.source_acronyms)}
    kept = [
        entry
        for entry in server
        if not any(fold(form) in taken for form in (*entry.vi_forms, *entry.source_acronyms))
    ]
    return Glossary([*request.entries, *kept], source=f"{request.source} + {server.source}")


class GlossaryStore:
    """The DeepL glossaries of one server, and the matcher each request is held to."""

    def __init__(self, server: Glossary | None, directory: Path | None = None) -> None:
        """``server``: the server's own glossary (None: none); ``directory``: where glossaries are
        kept (None: in this process only). Use :meth:`open` to read the ones already there."""
        self.server = server
        self.directory = directory
        self._glossaries: dict[str, StoredGlossary] = {}
        self._matchers: dict[str | None, GlossaryMatcher | None] = {
            None: GlossaryMatcher(server) if server is not None else None
        }

    @classmethod
    def open(cls, server: Glossary | None, directory: str | os.PathLike[str] | None) -> GlossaryStore:
        """The store in ``directory`` (created if missing), with every glossary kept there; an
        unwritable directory or a damaged file is an InputError naming it."""
        if directory is None:
            return cls(server)
        path = Path(directory)
        check_writable_dir(path)
        store = cls(server, path)
        for file in sorted(path.glob("*.json")):
            stored = _read_stored(file)
            store._glossaries[stored.glossary_id] = stored
        return store

    def all(self) -> list[StoredGlossary]:
        """Every glossary, oldest first."""
        return sorted(self._glossaries.values(), key=lambda g: (g.creation_time, g.glossary_id))

    def get(self, glossary_id: str) -> StoredGlossary:
        """The glossary ``glossary_id``; ApiError 404 if there is none."""
        stored = self._glossaries.get(glossary_id)
        if stored is None:
            raise not_found(f"Glossary not found: {glossary_id}")
        return stored

    def create(
        self, name: str, source_lang: str, target_lang: str, entries: str, entries_format: str
    ) -> StoredGlossary:
        """Check and keep a new glossary; ApiError 400 with every problem when it has any."""
        if not name.strip():
            raise bad_request("Invalid request: the glossary needs a name")
        if not (languages.is_source(source_lang) and languages.is_target(target_lang)):
            raise bad_request(
                f"Unsupported glossary language pair {source_lang} → {target_lang}; "
                "this server has Vietnamese (vi) → English (en) only"
            )
        parsed = parse_entries(entries, entries_format)
        if not parsed:
            raise bad_request("Invalid glossary entries", "the glossary has no entries")
        findings = check_glossary(Glossary(parsed))
        if findings:
            noun = "problem" if len(findings) == 1 else "problems"
            raise bad_request(
                f"Invalid glossary entries: {len(findings)} {noun} (as songngu glossary check reports them)",
                "; ".join(f"line {finding.line}: {finding.message}" for finding in findings),
            )
        now = datetime.now(UTC)
        stored = StoredGlossary(
            glossary_id=str(uuid.uuid4()),
            name=name,
            creation_time=now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            entries=tuple((entry.vi, entry.en) for entry in parsed),
        )
        if self.directory is not None:
            try:
                write_atomic(self._path(stored.glossary_id), _dump_stored(stored))
            except InputError as error:
                raise ApiError(500, f"Cannot keep the glossary: {error}") from None
        self._glossaries[stored.glossary_id] = stored
        return stored

    def delete(self, glossary_id: str) -> None:
        """Remove a glossary (ApiError 404 if there is none)."""
        self.get(glossary_id)
        if self.directory is not None:
            try:
                self._path(glossary_id).unlink(missing_ok=True)
            except OSError as error:
                raise ApiError(500, f"Cannot delete the glossary: {error.strerror or error}") from None
        del self._glossaries[glossary_id]
        self._matchers.pop(glossary_id, None)

    def matcher(self, glossary_id: str | None) -> GlossaryMatcher | None:
        """The matcher a request naming ``glossary_id`` (None: none) is held to, built once."""
        if glossary_id not in self._matchers:
            stored = self.get(glossary_id) if glossary_id is not None else None
            assert stored is not None
            self._matchers[glossary_id] = GlossaryMatcher(combined(stored.glossary(), self.server))
        return self._matchers[glossary_id]

    def _path(self, glossary_id: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{glossary_id}.json"


def _dump_stored(stored: StoredGlossary) -> str:
    record = {
        "songngu_glossary": _FILE_VERSION,
        "glossary_id": stored.glossary_id,
        "name": stored.name,
        "source_lang": stored.source_lang,
        "target_lang": stored.target_lang,
        "creation_time": stored.creation_time,
        "entries": [list(pair) for pair in stored.entries],
    }
    return json.dumps(record, ensure_ascii=False, indent=1) + "\n"


def _read_stored(path: Path) -> StoredGlossary:
    try:
        record = json.loads(read_text(path))
        if not isinstance(record, dict) or record.get("songngu_glossary") != _FILE_VERSION:
            raise ValueError("not a glossary songngu serve wrote")
        entries = tuple((str(source), str(target)) for source, target in record["entries"])
        stored = StoredGlossary(
            glossary_id=str(record["glossary_id"]),
            name=str(record["name"]),
            creation_time=str(record["creation_time"]),
            entries=entries,
            source_lang=str(record["source_lang"]),
            target_lang=str(record["target_lang"]),
        )
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        raise InputError(f"{path}: damaged glossary file: {error}") from None
    if path.stem != stored.glossary_id:
        raise InputError(f"{path}: damaged glossary file: it holds glossary {stored.glossary_id}")
    return stored
