"""Fault: file patterns that cannot match. ``--glob ''`` (and ``--glob .``) ended in ``ValueError:
empty pattern`` from deep inside the folder walk; an absolute pattern silently matched nothing.
argparse now refuses both in one line, exit 2, before any file is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from songngu.translate.cli import main


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("", "argument --glob: '' is an empty pattern; give one such as '*.txt'"),
        (".", "argument --glob: '.' is an empty pattern"),
        ("/*.txt", "argument --glob: '/*.txt' is absolute, and it is matched on paths inside the folder"),
    ],
)
def test_a_pattern_that_cannot_match_is_refused_by_argparse(
    pattern: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Xin chào.\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["translate", str(tmp_path / "in"), "--glob", pattern, "--out", str(tmp_path / "out")])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and says in err.splitlines()[-1]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("pattern", ["*.txt", "2024/*.txt", "**", "*/"])
def test_patterns_that_can_match_are_taken(pattern: str) -> None:
    from songngu.translate.cli.arguments import file_pattern

    assert file_pattern(pattern) == pattern
