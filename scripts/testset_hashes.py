"""Rebuild translate/finetune/testset_hashes.txt from FLORES-200 devtest and NTREX-128.

    .venv/bin/python scripts/testset_hashes.py [--flores DIR] [--ntrex DIR]

Defaults: data/flores200 and ../shared/data/ntrex128 (the team's shared data folder).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from songngu.textfile import write_atomic
from songngu.translate.finetune.testsets import HASH_FILE, build_hash_list

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--flores", type=Path, default=ROOT / "data" / "flores200")
    parser.add_argument("--ntrex", type=Path, default=ROOT.parent / "shared" / "data" / "ntrex128")
    args = parser.parse_args()
    files = [
        args.flores / "vie_Latn.devtest",
        args.flores / "eng_Latn.devtest",
        args.ntrex / "newstest2019-ref.vie.txt",
        args.ntrex / "newstest2019-src.eng.txt",
    ]
    write_atomic(HASH_FILE, build_hash_list(files))
    print(f"{HASH_FILE}: {len(HASH_FILE.read_text(encoding='utf-8').splitlines()) - 2} hashes")


if __name__ == "__main__":
    main()
