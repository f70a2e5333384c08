"""`songngu translate --ray local` writes exactly the files a local run writes; it splits alike.

Ray is an optional extra (`pip install 'songngu[ray]'`); the test extra installs it, so CI runs this.
One tiny model, two short articles, one actor: Ray's start-up is most of the time.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from songngu.translate import pipeline, records
from songngu.translate.cli import main
from songngu.translate.engine import Translator
from songngu.translate.formats import OUTPUT_FORMATS

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "seeds" / "glossary.csv"
# Batches of one: each sentence is then searched alone on an actor and locally, the same arithmetic,
# so the files must be the same bytes. (An actor's batches of several hold other sentences than a
# local run's, and other batch mates may change the last bits: README, "What the tests claim".)
OPTIONS = ("--max-length", "32", "--beam", "2", "--batch-size", "1", "-g", str(GLOSSARY))
CLAUSE = "các đại biểu đã thảo luận về tình hình kinh tế của khu vực trong năm qua"


def translate(model: Path, source: Path, out: Path, *extra: str) -> int:
    return main(["translate", str(source), "--out", str(out), "--model", str(model), *OPTIONS, *extra])


@pytest.mark.ray
def test_ray_local_run_writes_the_same_files_as_a_local_run_long_sentences_split_alike(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install 'songngu[ray]'")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # PO dates equal in both runs
    for module in (records, pipeline):  # and one run id for both runs
        monkeypatch.setattr(module, "new_run_id", lambda: "20260101T000000Z-00000000")
    source = tmp_path / "in"
    (source / "tin").mkdir(parents=True)
    (source / "a.txt").write_text(
        "Bộ Ngoại giao họp báo về UPR.\n\nHơn bốn triệu người đã đến Rome dự đám tang.\n", encoding="utf-8"
    )
    # One sentence of about 600 source tokens, more than the model's 512: split into pieces.
    long = ", ".join([CLAUSE] * 28) + "."
    tokens = len(Translator.load(str(tiny_model_dir), device="cpu").tokenizer(long).input_ids)
    assert 550 <= tokens <= 700
    (source / "tin" / "b.txt").write_text(
        f"Liggins theo chân cha và bước vào nghề y.\n\n{long}\n", encoding="utf-8"
    )
    assert translate(tiny_model_dir, source, tmp_path / "local") == 0
    assert translate(tiny_model_dir, source, tmp_path / "ray", "--ray", "local", "--ray-actors", "1") == 0
    local = {p.relative_to(tmp_path / "local"): p.read_bytes() for p in (tmp_path / "local").rglob("*.*")}
    on_ray = {p.relative_to(tmp_path / "ray"): p.read_bytes() for p in (tmp_path / "ray").rglob("*.*")}
    assert len(local) == 2 * len(OUTPUT_FORMATS) and on_ray == local
    lines = (tmp_path / "ray" / "tin" / "b.jsonl").read_text(encoding="utf-8").splitlines()
    split = json.loads(lines[-1])
    assert split["source"] == long and split["pieces"] == 2 and "truncated" not in split


def test_ray_without_ray_installed_is_one_line_saying_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets where it is not installed
    article = tmp_path / "a.txt"
    article.write_text("Bộ Ngoại giao họp báo.\n", encoding="utf-8")
    code = main(["translate", str(article), "--out", str(tmp_path / "out"), "--ray", "local"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("songngu: --ray needs Ray Data") and "pip install 'songngu[ray]'" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.ray
def test_a_model_the_actors_cannot_load_is_one_line(
    tiny_model_dir: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # The driver finds the directory (it never loads weights); each actor's load fails. Ray wraps
    # that in a remote traceback and Ray Data logs its own stack trace: the user gets one line.
    pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install 'songngu[ray]'")
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    weights = model / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    article = tmp_path / "a.txt"
    article.write_text("Bộ Ngoại giao họp báo.\n", encoding="utf-8")
    capfd.readouterr()
    assert translate(model, article, tmp_path / "out", "--ray", "local", "--ray-actors", "1") == 2
    err = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert err == [
        f"songngu: {model}: cannot load the MarianMT model: Error while deserializing header: "
        "invalid header length (on a Ray actor)"
    ]


@pytest.mark.ray
def test_cuda_on_a_cluster_without_a_gpu_is_one_line_not_a_wait_for_ever(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install 'songngu[ray]'")
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU, which Ray would find")
    article = tmp_path / "a.txt"
    article.write_text("Bộ Ngoại giao họp báo.\n", encoding="utf-8")
    assert translate(tiny_model_dir, article, tmp_path / "out", "--ray", "local", "--device", "cuda") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("songngu: --ray local: --device cuda needs 1 GPU(s) and the cluster has 0")
