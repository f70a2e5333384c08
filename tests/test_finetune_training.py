"""`songngu finetune` trains: on a handful of reviewed seed pairs a tiny random model learns to
translate them, the output loads and translates with constraints, runs are deterministic on CPU,
and an interrupted run resumes to the same weights without ever leaving a half-written model."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
from msgfmt import msgfmt_check
from sacrebleu.metrics import CHRF
from safetensors.torch import load_file

from songngu.translate.cli import main
from songngu.translate.engine import TermConstraint, TranslationRequest, Translator
from songngu.translate.finetune.data import DataSettings
from songngu.translate.finetune.job import FinetuneJob
from songngu.translate.finetune.job import run as run_job
from songngu.translate.finetune.output import checkpoint_dir
from songngu.translate.finetune.training import TrainingSettings

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = sorted((ROOT / "seeds" / "reference").glob("*.po"))
GLOSSARY = ROOT / "seeds" / "glossary.csv"
HANDFUL = 8


@pytest.fixture(scope="module")
def short_memory(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, str]]]:
    """A memory of the seeds' shortest reviewed pairs, imported from PO catalogs as reviewers'
    work is (one catalog per article, msgfmt-checked), and those pairs."""
    work = tmp_path_factory.mktemp("short-memory")
    entries = [(path, e) for path in REFERENCES for e in polib.pofile(str(path)) if e.msgstr]
    chosen = sorted(entries, key=lambda item: len(item[1].msgid))[:HANDFUL]
    catalogs = []
    for path in REFERENCES:
        catalog = polib.pofile(str(path))
        keep = {e.msgctxt for p, e in chosen if p == path}
        for entry in [e for e in catalog if e.msgctxt not in keep]:
            catalog.remove(entry)
        catalog.save(str(work / path.name))
        msgfmt_check(work / path.name)
        catalogs.append(str(work / path.name))
    tm = work / "tm.sqlite"
    assert main(["review", "import", *catalogs, "--tm", str(tm)]) == 0
    return tm, [(e.msgid, e.msgstr) for _, e in chosen]


def chrf_on(model: Path, pairs: list[tuple[str, str]]) -> float:
    translator = Translator.load(str(model), "cpu")
    out = translator.translate([TranslationRequest(s) for s, _ in pairs], beam=1, max_length=64)
    return CHRF().corpus_score([t.text for t in out], [[r for _, r in pairs]]).score


def finetune(tm: Path, model: Path, out: Path, *extra: str) -> int:
    return main(
        ["finetune", "--tm", str(tm), "--model", str(model), "--out", str(out), "--seed", "0", *extra]
    )


@pytest.fixture(scope="module")
def learned(
    short_memory: tuple[Path, list[tuple[str, str]]],
    tiny_model_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    tm, _ = short_memory
    out = tmp_path_factory.mktemp("learned") / "desk-model"
    # Tuned for test time (800 steps, about 12 s of CPU), not weakened: a high learning rate and small
    # batches on short sentences, no label smoothing, no dev split (the pairs are the test).
    options = ["--epochs", "200", "--lr", "5e-3", "--batch-size", "2", "--label-smoothing", "0"]
    assert finetune(tm, tiny_model_dir, out, *options, "--dev-fraction", "0") == 0
    return out


def test_translations_of_the_reviewed_pairs_approach_the_references(
    learned: Path, tiny_model_dir: Path, short_memory: tuple[Path, list[tuple[str, str]]]
) -> None:
    _, pairs = short_memory
    before, after = chrf_on(tiny_model_dir, pairs), chrf_on(learned, pairs)
    assert before < 10
    assert after > 60 and after - before > 50, (before, after)


def test_output_is_a_model_translate_loads_and_holds_to_the_glossary(learned: Path, tmp_path: Path) -> None:
    assert not checkpoint_dir(learned).exists()
    translator = Translator.load(str(learned), "cpu")
    request = TranslationRequest("Bộ Ngoại giao họp.", (TermConstraint(("Ministry of Foreign Affairs",)),))
    (result,) = translator.translate([request], max_length=32)
    assert "Ministry of Foreign Affairs" in result.text and not result.violated

    article = tmp_path / "tin.txt"
    article.write_text("Bộ Ngoại giao tổ chức hội thảo về UPR.\n", encoding="utf-8")
    args = ["translate", str(article), "--out", str(tmp_path / "out"), "--model", str(learned)]
    assert main([*args, "--glossary", str(GLOSSARY), "--max-length", "64"]) == 0
    record = json.loads((tmp_path / "out" / "tin.jsonl").read_text(encoding="utf-8").splitlines()[1])
    assert record["terms"] and all(term["met"] for term in record["terms"])


def test_training_json_records_the_run(learned: Path, tiny_model_dir: Path) -> None:
    record = json.loads((learned / "training.json").read_text(encoding="utf-8"))
    assert record["tool"] == "songngu finetune"
    assert record["base_model"]["id"] == str(tiny_model_dir)
    assert record["base_model"]["revision"].startswith("sha256:")
    assert record["base_model"]["checksum"].startswith("sha256:")
    assert record["memory"]["memory_checksum"].startswith("sha256:")
    assert record["memory"]["counts"]["train_reviewed"] == HANDFUL
    assert record["hyperparameters"]["lr"] == 5e-3 and record["hyperparameters"]["batch_size"] == 2
    assert record["epochs_run"] == 200 and len(record["train_loss"]) == 200
    assert record["train_loss"][-1] < record["train_loss"][0] / 4
    assert record["songngu_version"] and record["date"].endswith("Z")


def job(tm: Path, model: Path, out: Path, *, resume: bool = False) -> FinetuneJob:
    """A short run with a dev split (one of the three articles) and the glossary (its terms are
    training pairs too: about 140 pairs, 9 steps an epoch), saving after every epoch."""
    return FinetuneJob(
        memory=tm,
        model=str(model),
        out=out,
        data=DataSettings(dev_fraction=0.2, seed=5),
        training=TrainingSettings(
            epochs=4, lr=1e-2, batch_size=16, seed=5, max_length=32, beam=2, checkpoint_minutes=0
        ),
        glossary=GLOSSARY,
        device="cpu",
        resume=resume,
    )


class Interrupt(Exception):
    pass


def test_same_seed_same_weights_and_resume_reaches_them(
    short_memory: tuple[Path, list[tuple[str, str]]], tiny_model_dir: Path, tmp_path: Path
) -> None:
    tm, _ = short_memory
    first, second, resumed = tmp_path / "first", tmp_path / "second", tmp_path / "resumed"
    outcome = run_job(job(tm, tiny_model_dir, first), log=lambda line: None)
    run_job(job(tm, tiny_model_dir, second), log=lambda line: None)
    weights = load_file(first / "model.safetensors")
    assert weights.keys() == load_file(second / "model.safetensors").keys()
    assert all(weights[k].equal(v) for k, v in load_file(second / "model.safetensors").items())

    # Dev scores before and after every epoch, and the paired bootstrap comparison.
    state = outcome.result.state
    assert state.before is not None and state.best is not None and len(state.history) == 4
    assert outcome.comparison is not None
    assert {c.metric for c in outcome.comparison.comparison} >= {"bleu", "chrf"}
    record = json.loads((first / "training.json").read_text(encoding="utf-8"))
    assert record["dev"]["before"]["chrf"] == state.before.chrf
    assert record["dev"]["after"]["epoch"] == state.best.epoch

    def stop_in_epoch_3(line: str) -> None:
        if line.startswith("epoch 3:"):
            raise Interrupt

    with pytest.raises(Interrupt):
        run_job(job(tm, tiny_model_dir, resumed), log=stop_in_epoch_3)
    assert not resumed.exists() and not list(tmp_path.glob("resumed.tmp-*"))
    assert (checkpoint_dir(resumed) / "last").is_dir()
    with pytest.raises(Exception, match="pass --resume"):
        run_job(job(tm, tiny_model_dir, resumed), log=lambda line: None)

    lines: list[str] = []
    run_job(job(tm, tiny_model_dir, resumed, resume=True), log=lines.append)
    assert lines[0].startswith("fine-tuning") and lines[1].startswith("resuming after epoch 2 (step ")
    assert not checkpoint_dir(resumed).exists()
    assert all(weights[k].equal(v) for k, v in load_file(resumed / "model.safetensors").items())
    again = json.loads((resumed / "training.json").read_text(encoding="utf-8"))
    assert again["dev"] == record["dev"]


def test_out_in_a_missing_folder_is_created_and_the_glossary_checksum_is_translates(
    short_memory: tuple[Path, list[tuple[str, str]]], tiny_model_dir: Path, tmp_path: Path
) -> None:
    # The README's own example, `--out models/desk`, failed when models/ did not exist; and
    # training.json recorded the glossary file's bytes checksum where translate's JSONL and PO
    # record the checksum of its entries under the same label.
    from songngu.glossary.formats import load_glossary

    tm, _ = short_memory
    out = tmp_path / "models" / "desk"
    options = ["--epochs", "1", "--batch-size", "2", "--dev-fraction", "0", "--glossary", str(GLOSSARY)]
    assert finetune(tm, tiny_model_dir, out, *options) == 0
    assert (out / "model.safetensors").is_file() and not list(out.parent.glob("desk.*"))
    recorded = json.loads((out / "training.json").read_text(encoding="utf-8"))["glossary"]["checksum"]

    article = tmp_path / "tin.txt"
    article.write_text("Bộ Ngoại giao họp.\n", encoding="utf-8")
    args = ["translate", str(article), "--out", str(tmp_path / "out"), "--model", str(out)]
    assert main([*args, "--glossary", str(GLOSSARY), "--max-length", "16", "--beam", "1"]) == 0
    run = json.loads((tmp_path / "out" / "tin.jsonl").read_text(encoding="utf-8").splitlines()[0])["run"]
    header = polib.pofile(str(tmp_path / "out" / "tin.po")).metadata["X-Songngu-Glossary"]
    assert recorded == run["glossary_checksum"] == load_glossary(GLOSSARY).checksum()
    assert header.endswith(recorded)
