"""Headless Chromium for the tests that check what a reader sees: reports, the server's page, and
translated HTML articles.

Debian's ``chromium`` (``/usr/bin/chromium``; ``.ci/run`` installs it) driven by Playwright, which
is told where that browser is and so never downloads one of its own. The flags keep Chromium off the
network: this machine's closed network refuses its background connections.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Where Chromium is (``SONGNGU_CHROMIUM`` overrides), or None."""
    return os.environ.get("SONGNGU_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A Playwright ``Browser`` on Debian's Chromium, for the whole session; the test is skipped, with
    the reason, where Chromium is missing (``.ci/run`` installs it, so CI never skips)."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("headless Chromium not installed (apt-get install chromium); .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()
