"""Precision and recall of each QA check on real translations with planted errors, beside pofilter.

    .venv/bin/python benchmarks/bench_qa.py [--parts tune flores-heldout ntrex] [--no-pofilter]

The test set (tests/qa_testset.py) takes FLORES-200 and NTREX-128 pairs and plants one error per copy
(a number changed, a date moved, a term swapped for a forbidden rendering, a word dropped, the
sentence left in Vietnamese, an omission of 40% of the words, a phrase looping), with a fixed seed.
For each kind, the positives are its copies and the negatives the untouched pairs they were made
from; a copy counts as caught when the check meant for that kind reports it at its level (error
for numbers, dates, terms and untranslated text; warning for length and repetition), and an
untouched pair flagged by that check is a false alarm. "any check" is the share of copies some
check reports at warning level or above.

Also: the share of untouched pairs flagged at error level by any check (without the glossary, and
with it, where the references use other renderings than the test glossary's), and Translate Toolkit's
``pofilter -t numbers`` on the same number and date sets, written as PO. The checks were tuned on
the ``tune`` part (FLORES-200 devtest lines 1-506) only; the other parts are held out.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from qa_testset import INTENDED, KINDS, PARTS, Case, derive, eligible  # noqa: E402

from songngu.translate.qa.checker import QualityChecker, build_checks  # noqa: E402
from songngu.translate.qa.findings import Finding, Severity  # noqa: E402
from songngu.translate.qa.segment import QaSegment  # noqa: E402

LEVEL = {"numbers": 2, "dates": 2, "terms": 2, "untranslated": 2, "length": 1, "repeated": 1}


@dataclass(frozen=True)
class Row:
    """One kind's figures in one part."""

    kind: str
    check: str
    positives: int
    caught: int
    negatives: int
    false_alarms: int
    caught_by_any: int

    @property
    def recall(self) -> float:
        return self.caught / self.positives if self.positives else float("nan")

    @property
    def precision(self) -> float:
        flagged = self.caught + self.false_alarms
        return self.caught / flagged if flagged else float("nan")


def flagged(findings: Sequence[Finding], check: str) -> bool:
    """Whether ``check`` reports at its level."""
    return any(f.check == check and f.severity.rank >= LEVEL[check] for f in findings)


def evaluate(cases: Sequence[Case], checker: QualityChecker) -> tuple[list[Row], dict[str, float], float]:
    """The rows of one part, the error-level rates on untouched pairs, and segments checked per second."""
    start = time.perf_counter()
    found = {case.id: checker.check(case.segment()) for case in cases}
    rate = len(cases) / (time.perf_counter() - start)
    rows = []
    for kind in KINDS:
        positives, negatives = eligible(cases, kind)
        check = INTENDED[kind]
        rows.append(
            Row(
                kind,
                check,
                len(positives),
                sum(flagged(found[c.id], check) for c in positives),
                len(negatives),
                sum(flagged(found[c.id], check) for c in negatives),
                sum(any(f.severity.rank >= 1 for f in found[c.id]) for c in positives),
            )
        )
    untouched = [case for case in cases if case.kind is None]

    def error_rate(segments: Sequence[QaSegment]) -> float:
        errors = sum(any(f.severity is Severity.ERROR for f in checker.check(s)) for s in segments)
        return errors / len(segments)

    bare = [QaSegment(c.id, c.pair.source, c.target, (), True) for c in untouched]
    rates = {
        "without glossary": error_rate(bare),
        "with the test glossary": error_rate([c.segment() for c in untouched]),
    }
    return rows, rates, rate


def pofilter_numbers(cases: Sequence[Case], kind: str) -> tuple[float, float, int, int] | None:
    """Recall and precision of ``pofilter -t numbers`` on one kind's copies and their originals."""
    pofilter = shutil.which("pofilter") or str(Path(sys.executable).parent / "pofilter")
    if not Path(pofilter).exists():
        return None
    positives, negatives = eligible(cases, kind)
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8"}
    for case in [*positives, *negatives]:
        catalog.append(polib.POEntry(msgctxt=case.id, msgid=case.pair.source, msgstr=case.target))
    with tempfile.TemporaryDirectory() as folder:
        given, failing = Path(folder) / "in.po", Path(folder) / "out.po"
        catalog.save(str(given))
        subprocess.run([pofilter, "-t", "numbers", str(given), str(failing)], check=True, capture_output=True)
        flagged_ids = {entry.msgctxt for entry in polib.pofile(str(failing))} if failing.exists() else set()
    caught = sum(case.id in flagged_ids for case in positives)
    alarms = sum(case.id in flagged_ids for case in negatives)
    recall = caught / len(positives) if positives else float("nan")
    precision = caught / (caught + alarms) if caught + alarms else float("nan")
    return recall, precision, caught, alarms


def main() -> None:
    """Print one table per part, the untouched error rates, and pofilter's numbers check."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--no-pofilter", action="store_true")
    args = parser.parse_args()
    checker = QualityChecker(build_checks())
    for part in args.parts:
        cases = derive(part)
        rows, rates, rate = evaluate(cases, checker)
        pairs = sum(case.kind is None for case in cases)
        print(f"\n## {part}: {pairs} pairs, {len(cases) - pairs} planted copies ({rate:,.0f} segments/s)\n")
        print("| planted | check | copies | recall | precision | false alarms | caught by any check |")
        print("|---|---|---|---|---|---|---|")
        for row in rows:
            print(
                f"| {row.kind} | {row.check} | {row.positives} | {row.recall:.3f} | {row.precision:.3f} | "
                f"{row.false_alarms}/{row.negatives} | {row.caught_by_any / row.positives:.3f} |"
            )
        for label, value in rates.items():
            print(f"\nuntouched pairs flagged at error level, {label}: {100 * value:.2f}%")
        if not args.no_pofilter:
            for kind in ("number", "date"):
                result = pofilter_numbers(cases, kind)
                if result is None:
                    print("pofilter not installed (pip install translate-toolkit): skipped")
                    break
                recall, precision, caught, alarms = result
                print(
                    f"pofilter -t numbers on the {kind} set: recall {recall:.3f}, precision {precision:.3f} "
                    f"({caught} caught, {alarms} false alarms)"
                )


if __name__ == "__main__":
    main()
