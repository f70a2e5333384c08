"""Numeric options are checked by argparse before any work: one error line, exit 2, no traceback."""

from __future__ import annotations

import pytest

from songngu.translate.cli import main


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["translate", "a.txt", "--max-length", "1"], "argument --max-length: must be at least 2, not 1"),
        (["translate", "a.txt", "--beam", "0"], "argument --beam: must be at least 1, not 0"),
        (["translate", "a.txt", "--batch-size", "x"], "argument --batch-size: invalid integer value: 'x'"),
        (["evaluate", "--testset", "flores200", "--max-length", "0"], "must be at least 2, not 0"),
        (["finetune", "--max-length", "1"], "argument --max-length: must be at least 2, not 1"),
    ],
)
def test_out_of_range_numbers_are_one_error_line(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # --max-length 1 used to reach the engine and end in a ValueError traceback.
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert says in err[-1] and "Traceback" not in "\n".join(err)
