"""A model directory whose files are damaged is refused in one line naming it, exit 2.

Each case used to end in a traceback (a truncated safetensors file, a SentencePiece model that does
not parse, weights of another shape than config.json gives); the last one also printed transformers'
table of every mismatched weight first. Run in a fresh process: stderr is read whole.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from songngu_process import run_songngu


def truncate_weights(directory: Path) -> None:
    weights = directory / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])


def truncate_source_spm(directory: Path) -> None:
    spm = directory / "source.spm"
    spm.write_bytes(spm.read_bytes()[:300])


def widen_config(directory: Path) -> None:
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    config["d_model"] *= 2
    (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (truncate_weights, "Error while deserializing header"),
        (truncate_source_spm, "could not parse ModelProto"),
        (widen_config, "its weights do not have the shapes its config.json gives"),
    ],
    ids=["weights", "sentencepiece", "shapes"],
)
def test_a_damaged_model_directory_is_one_line(
    tiny_model_dir: Path, tmp_path: Path, damage: Callable[[Path], None], says: str
) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    damage(model)
    (tmp_path / "bai.txt").write_text("Bộ Ngoại giao họp báo.\n", encoding="utf-8")
    done = run_songngu(["translate", "bai.txt", "--model", str(model), "--out", "out"], cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"songngu: {model}: cannot load the MarianMT model: ")
    assert says in done.stderr
    assert not any((tmp_path / "out").glob("*"))  # checked writable before the model loads, left empty
