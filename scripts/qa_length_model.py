"""Print the length model ``songngu qa`` ships (``FLORES_MODEL`` in translate/qa/length.py).

    .venv/bin/python scripts/qa_length_model.py

It is :func:`fit_length_model` over FLORES-200 devtest lines 1-506, the part the QA checks were
tuned on (lines 507-1012 and NTREX-128 are held out for benchmarks/bench_qa.py). The wheel ships
these two numbers rather than the corpus; tests/test_qa_checks.py checks that they are what this
prints.
"""

from __future__ import annotations

from pathlib import Path

from songngu.translate.qa.length import FLORES_MODEL, fit_length_model

FLORES = Path(__file__).resolve().parent.parent / "data" / "flores200"
TUNING_LINES = 506


def main() -> None:
    """Fit the model and print it as the source line that ships it."""
    vi = (FLORES / "vie_Latn.devtest").read_text(encoding="utf-8").split("\n")[:TUNING_LINES]
    en = (FLORES / "eng_Latn.devtest").read_text(encoding="utf-8").split("\n")[:TUNING_LINES]
    model = fit_length_model(zip(vi, en, strict=True), FLORES_MODEL.learned_from)
    print(
        f"FLORES_MODEL = LengthModel({model.ratio}, {model.variance}, {model.pairs}, {model.learned_from!r})"
    )
    if model != FLORES_MODEL:
        print("# differs from the shipped FLORES_MODEL: update translate/qa/length.py")


if __name__ == "__main__":
    main()
