"""The run's progress bar: drawn on a terminal with articles, sentences, rate and time left; silent
elsewhere (the per-article lines are printed as they are)."""

from __future__ import annotations

import pytest

from songngu.translate.progress import CorpusProgress


def test_bar_shows_articles_and_sentences_when_enabled(capsys: pytest.CaptureFixture[str]) -> None:
    progress = CorpusProgress(articles=3, sentences=40, enabled=True)
    progress.update(1, 12.5)
    progress.update(1, 10)  # an estimate never moves the bar back
    progress.write("a.txt: done")
    progress.update(3, 40)
    progress.close()
    err = capsys.readouterr().err
    assert "a.txt: done\n" in err
    final = err.replace("\r", "\n").strip().splitlines()[-1]
    assert final.startswith("translating: 100%") and "40/40 sentences, 3/3 articles" in final
    assert "sent/s" in final


def test_nothing_is_drawn_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    progress = CorpusProgress(articles=2, sentences=10)  # stderr is captured: not a terminal
    progress.update(1, 5)
    progress.write("a.txt: done")
    progress.close()
    assert capsys.readouterr().err == "a.txt: done\n"
