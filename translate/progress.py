"""One progress bar for a whole run: articles and sentences done, rate, time left.

Drawn on stderr only when it is a terminal (tqdm); on anything else nothing is drawn and the
per-article summary lines are printed as they are.
"""

from __future__ import annotations

import sys

from tqdm import tqdm


class CorpusProgress:
    """The bar of a run over ``articles`` articles holding ``sentences`` sentences."""

    def __init__(self, articles: int, sentences: int, *, enabled: bool | None = None) -> None:
        self.articles = articles
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._done = 0.0
        self._bar = tqdm(
            total=sentences,
            desc="translating",
            unit="sent",
            file=sys.stderr,
            disable=not self.enabled,
            smoothing=0.1,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} sentences"
            "{postfix} [{elapsed}<{remaining}, {rate_fmt}]",
        )
        self._bar.set_postfix_str(f"0/{articles} articles", refresh=False)

    def update(self, articles: int, sentences: float) -> None:
        """Articles finished so far and sentences done (estimates within the batch under way)."""
        if not self.enabled or sentences < self._done:
            return
        self._bar.set_postfix_str(f"{articles}/{self.articles} articles", refresh=False)
        self._bar.update(sentences - self._done)
        self._done = sentences

    def write(self, line: str) -> None:
        """Print a line on stderr above the bar."""
        if self.enabled:
            self._bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr)

    def close(self) -> None:
        """Leave the finished bar on screen."""
        self._bar.close()
