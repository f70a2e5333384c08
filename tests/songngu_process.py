"""Run ``songngu`` in a fresh Python process, as a user's shell would, and read what it imported.

Some properties only exist per process: which modules a command imports, what reaches stderr
(warnings are shown once per process), what huggingface_hub read from the environment when it was
imported. The tests that check them run the command here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# `python -X importtime` writes "import time: self | cumulative | <indent>module" per first import.
_IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+\d+ \|\s*(\S+)")


def run_songngu(
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str | None] | None = None,
    importtime: bool = False,
    python_options: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """``python [-X importtime] -m songngu ARGS`` in ``cwd`` with this interpreter (the test venv).

    ``cwd`` should not be the checkout: ``-m`` puts the working directory first on ``sys.path``,
    where its ``translate/`` folder would shadow Translate Toolkit. ``env`` adds variables to this
    process's environment; a value of None removes one.
    """
    environment = dict(os.environ)
    environment.pop("PYTHONPATH", None)
    for key, value in (env or {}).items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    options = [*python_options, *(["-X", "importtime"] if importtime else [])]
    return subprocess.run(
        [sys.executable, *options, "-m", "songngu", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
        check=False,
    )


def imported_modules(stderr: str) -> set[str]:
    """The modules a ``-X importtime`` run imported, from its stderr."""
    return {match.group(1) for match in _IMPORT_LINE.finditer(stderr)}


def other_lines(stderr: str) -> list[str]:
    """The stderr lines that are not ``-X importtime`` records."""
    return [line for line in stderr.splitlines() if not _IMPORT_LINE.match(line)]


@dataclass(frozen=True)
class TranslateRun:
    """``songngu translate`` run once in its own process, as a user runs it: inputs and outputs."""

    directory: Path  # the working directory: bai.txt, out/
    article: Path
    out: Path
    process: subprocess.CompletedProcess[str]
