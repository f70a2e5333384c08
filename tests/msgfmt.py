"""``msgfmt --check`` on the PO files the tests write: the real tool reviewers' pipelines use."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

MSGFMT = shutil.which("msgfmt")


def msgfmt_check(path: Path) -> None:
    """``msgfmt --check`` must accept the file without a single warning (gettext is required)."""
    assert MSGFMT, "msgfmt (GNU gettext) is required for these tests; install gettext"
    done = subprocess.run(
        [MSGFMT, "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr, done.stderr
