"""``--api-keys FILE``: who may use the server.

The file holds one key per line; anything after the key on its line (separated by whitespace) is a
label for the operator (the desk it was given to), and blank lines and lines starting with ``#`` are
ignored. A file without a single key is refused: every request would be. Keys are compared in
constant time. Without ``--api-keys`` every request is allowed: the server binds to 127.0.0.1
unless told otherwise, so only this machine reaches it.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass

from songngu.errors import InputError
from songngu.textfile import read_text


@dataclass(frozen=True)
class ApiKeys:
    """The keys the server accepts; ``required`` is False when the server was started without any."""

    keys: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        """Whether requests must carry a key."""
        return bool(self.keys)

    def accepts(self, key: str | None) -> bool:
        """Whether a request carrying ``key`` (None: none) may go on."""
        if not self.keys:
            return True
        if not key:
            return False
        given = key.encode("utf-8")
        # Every key is compared, so the time taken says nothing about which one came close.
        found = False
        for known in self.keys:
            found |= hmac.compare_digest(given, known.encode("utf-8"))
        return found

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ApiKeys:
        """The keys in ``path``; InputError (one line) for an unreadable or empty file."""
        keys = []
        for line in read_text(path).splitlines():
            fields = line.split()
            if fields and not fields[0].startswith("#"):
                keys.append(fields[0])
        if not keys:
            raise InputError(f"{os.fspath(path)}: no API keys in the file (one key per line)")
        return cls(tuple(dict.fromkeys(keys)))
