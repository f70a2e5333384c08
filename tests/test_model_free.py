"""Commands that need no model never import torch or transformers (seconds of start-up each).

Each command runs in a fresh process under ``python -X importtime``, which records every module the
process imports; the model stack must not be among them. Inputs are the seeds and the files a real
``songngu translate`` run wrote (text, PO, TMX, JSONL).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from model_factory import SEEDS
from songngu_process import TranslateRun, imported_modules, other_lines, run_songngu

MODEL_STACK = {"torch", "transformers"}
# The server's stack (songngu[serve]) is imported by `songngu serve` only, once it runs.
SERVER_STACK = {"starlette", "uvicorn"}
ARTICLE = SEEDS / "000_8d105ddd42d75641.txt"
REFERENCE = SEEDS / "reference" / "000_8d105ddd42d75641"
GLOSSARY = str(SEEDS / "glossary.csv")

# Each scenario: commands run in order in one directory (later ones may read what earlier wrote);
# "{out}" is the translate run's output directory.
SCENARIOS: dict[str, list[list[str]]] = {
    "help": [["--help"], ["glossary", "--help"], ["evaluate", "--help"], ["serve", "--help"]],
    "glossary check": [["glossary", "check", GLOSSARY]],
    "glossary match": [["glossary", "match", str(ARTICLE), "-g", GLOSSARY, "--json"]],
    "glossary extract": [["glossary", "extract", str(ARTICLE), "-g", GLOSSARY]],
    "glossary convert": [
        ["glossary", "convert", GLOSSARY, "g.tbx"],
        ["glossary", "convert", "g.tbx", "g.tsv"],
    ],
    "segment": [["segment", str(ARTICLE)]],
    "review import, export-tm": [
        ["review", "import", f"{REFERENCE}.po", "{out}/bai.po", "--tm", "tm.sqlite"],
        ["export-tm", "--format", "tmx", "--tm", "tm.sqlite", "-o", "memory.tmx"],
        ["export-tm", "--format", "tsv", "--tm", "tm.sqlite", "-o", "memory.tsv"],
    ],
    "evaluate text and PO": [
        ["evaluate", "--hyp", f"{REFERENCE}.en", "--ref", f"{REFERENCE}.po"],
        ["evaluate", "--post-edit", f"{REFERENCE}.po"],
    ],
    "qa": [
        [
            "qa",
            "{out}/bai.po",
            "{out}/bai.jsonl",
            "{out}/bai.xlf",
            "-g",
            GLOSSARY,
            "--format",
            "html",
            "-o",
            "qa.html",
        ],
    ],
    "evaluate JSONL": [
        ["evaluate", "--hyp", "{out}/bai.jsonl", "--ref", "{out}/bai.jsonl", "-g", GLOSSARY, "--json"],
        ["evaluate", "--hyp", "{out}/bai.en", "--ref", "{out}/bai.jsonl", "--report", "r.html"],
    ],
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_model_free_commands_import_neither_torch_nor_transformers(
    scenario: str, translate_run: TranslateRun, tmp_path: Path
) -> None:
    for command in SCENARIOS[scenario]:
        args = [arg.replace("{out}", str(translate_run.out)) for arg in command]
        done = run_songngu(args, cwd=tmp_path, importtime=True)
        # `qa` exits 1 when it finds an error (the tiny model's output is gibberish): still a clean run.
        assert done.returncode in ((0, 1) if args[0] == "qa" else (0,)), (args, other_lines(done.stderr))
        modules = imported_modules(done.stderr)
        assert "songngu" in modules  # the record is there, so its absences mean something
        assert not modules & (MODEL_STACK | SERVER_STACK), (
            args,
            sorted(modules & (MODEL_STACK | SERVER_STACK)),
        )
        assert not any(
            m.startswith(("torch.", "transformers.", "starlette.", "uvicorn.")) for m in modules
        ), args


def test_the_import_record_shows_the_model_stack_where_it_is_loaded(
    translate_run: TranslateRun, tiny_model_dir: Path
) -> None:
    # The other side of the test above, so that its absences mean something: translate imports it.
    args = ["translate", "bai.txt", "--out", "import-record", "--model", str(tiny_model_dir)]
    done = run_songngu(
        [*args, "--beam", "1", "--max-length", "8"], cwd=translate_run.directory, importtime=True
    )
    assert done.returncode == 0, other_lines(done.stderr)
    assert imported_modules(done.stderr) >= MODEL_STACK


def test_the_import_record_shows_the_server_stack_where_it_is_used(tmp_path: Path) -> None:
    # The other side for the server: `songngu serve` imports Starlette and uvicorn (here it then
    # stops at a keys file without keys, before loading any model).
    keys = tmp_path / "keys.txt"
    keys.write_text("# none yet\n", encoding="utf-8")
    done = run_songngu(["serve", "--api-keys", str(keys)], cwd=tmp_path, importtime=True)
    assert done.returncode == 2
    assert other_lines(done.stderr)[-1] == f"songngu: {keys}: no API keys in the file (one key per line)"
    assert imported_modules(done.stderr) >= SERVER_STACK
