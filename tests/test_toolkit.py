"""songngu beside Translate Toolkit: both import in one process, the toolkit reads what songngu writes,
and the built wheel ships no top-level package but ``songngu``.

Translate Toolkit's import name is ``translate``, the name of this checkout's ``translate/`` folder:
songngu installs that folder as ``songngu.translate`` so that the two never collide (DESIGN.md,
"Folders and import names"). Run the tests with ``.venv/bin/pytest``: ``python -m pytest`` puts the
checkout on ``sys.path``, where ``translate/`` would shadow the toolkit.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from model_factory import ROOT, SEEDS
from songngu_process import TranslateRun
from translate.storage import po, tbx, tmx

from songngu import __version__
from songngu.glossary.formats import load_glossary
from songngu.translate.cli import main
from songngu.translate.memory import TranslationMemory

COEXIST = textwrap.dedent(
    """
    import json, sys
    import translate, translate.storage.po, translate.storage.tmx, translate.storage.xliff
    import songngu, songngu.translate.cli, songngu.translate.formats.po, songngu.glossary.formats.tbx

    store = translate.storage.xliff.xlifffile()
    store.addsourceunit("Xin chào").target = "Hello"
    print(json.dumps({
        "toolkit": translate.__file__,
        "toolkit_version": translate.__version__.sver,
        "songngu_translate": songngu.translate.__name__,
        "songngu_version": songngu.__version__,
        "translate_is_toolkit": sys.modules["translate"] is translate,
        "xliff_units": len(translate.storage.xliff.xlifffile(bytes(store)).units),
    }))
    """
)


def test_toolkit_stores_and_songngu_import_in_one_process(tmp_path: Path) -> None:
    # A fresh process outside the checkout, as a user's script would run.
    done = subprocess.run(
        [sys.executable, "-c", COEXIST], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    # the toolkit, not our translate/ folder (a venv inside the checkout is fine)
    assert not Path(found["toolkit"]).resolve().is_relative_to((ROOT / "translate").resolve())
    assert found["toolkit_version"].count(".") >= 2
    assert found["songngu_translate"] == "songngu.translate"
    assert found["songngu_version"] == __version__
    assert found["translate_is_toolkit"] and found["xliff_units"] == 1


def records(run: TranslateRun) -> list[dict[str, str]]:
    lines = (run.out / "bai.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[1:]]


def test_toolkit_reads_the_po_catalog_translate_wrote(translate_run: TranslateRun) -> None:
    store = po.pofile((translate_run.out / "bai.po").read_bytes())
    units = [unit for unit in store.units if not unit.isheader()]
    expected = records(translate_run)
    assert [(u.getcontext(), u.source, u.target) for u in units] == [
        (r["id"], r["source"], r["target"]) for r in expected
    ]
    assert all(unit.isfuzzy() for unit in units)  # machine output waits for a reviewer


def test_toolkit_reads_the_tmx_translate_wrote(translate_run: TranslateRun) -> None:
    store = tmx.tmxfile((translate_run.out / "bai.tmx").read_bytes())
    assert [(u.getid(), u.source, u.target) for u in store.units] == [
        (r["id"], r["source"], r["target"]) for r in records(translate_run)
    ]


def test_toolkit_reads_the_tmx_export_of_the_memory(tmp_path: Path) -> None:
    reviewed = SEEDS / "reference" / "000_8d105ddd42d75641.po"
    db, exported = tmp_path / "tm.sqlite", tmp_path / "memory.tmx"
    assert main(["review", "import", str(reviewed), "--tm", str(db)]) == 0
    assert main(["export-tm", "--format", "tmx", "--tm", str(db), "-o", str(exported)]) == 0
    confirmed = {
        (u.source, u.target)
        for u in po.pofile(reviewed.read_bytes()).units
        if not u.isheader() and u.istranslated()
    }
    units = tmx.tmxfile(exported.read_bytes()).units
    with TranslationMemory(db) as memory:
        assert len(units) == len(memory)
    assert {(u.source, u.target) for u in units} == confirmed


def test_toolkit_reads_the_tbx_glossary_convert_wrote(tmp_path: Path) -> None:
    converted = tmp_path / "glossary.tbx"
    assert main(["glossary", "convert", str(SEEDS / "glossary.csv"), str(converted)]) == 0
    units = tbx.tbxfile(converted.read_bytes()).units
    entries = list(load_glossary(SEEDS / "glossary.csv"))
    # The toolkit's TBX unit: the first Vietnamese term as source, the first English as target.
    assert [(u.source, u.target) for u in units] == [(e.vi, e.en) for e in entries]


def test_the_wheel_ships_only_the_songngu_package(tmp_path: Path) -> None:
    # Built from a copy (links kept as links), so the build leaves nothing in the checkout; with
    # build isolation, since the build needs setuptools >= 77 (the licence fields), which a fresh
    # venv does not have: pip fetches it from the configured index once and caches it.
    source = tmp_path / "source"
    ignored = shutil.ignore_patterns(".*", "*.egg-info", "__pycache__", "build", "out", "*.sqlite")
    shutil.copytree(ROOT, source, symlinks=True, ignore=ignored)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("songngu-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"songngu", f"songngu-{__version__}.dist-info"}
    # The linked folders are inside, as modules of songngu.
    for module in ("translate/engine.py", "translate/cli/__init__.py", "glossary/matcher.py", "errors.py"):
        assert f"songngu/{module}" in names
    assert f"songngu-{__version__}.dist-info/licenses/LICENSE" in names
