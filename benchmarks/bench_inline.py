"""How well inline elements land in the translation: songngu's lexical aligner against a hand-marked set.

    .venv/bin/python benchmarks/bench_inline.py [--gold FILE...]

Each line of a gold set marks one span in a Vietnamese sentence and its counterpart in the
reference English, by kind: glossary terms, names, numbers and dates, and ordinary phrases. Two
sets: ``inline_gold.tsv`` on the seed articles and their references (``seeds/reference``), which the
aligner's rules were developed on, and ``inline_heldout.tsv`` on FLORES-200 devtest sentences,
marked after the rules were fixed and never tuned on. The span is placed as a bold element would be
(:func:`translate.documents.inline.place_codes`) into the *reference* translation, which is what a
reviewed catalog gives ``songngu build``; with the model's output the anchors are the same kinds
(the glossary's terms are guaranteed there).

Reported per kind and overall, for songngu's aligner (glossary anchors from ``seeds/glossary.csv``),
the same without the glossary, and a baseline that maps word positions proportionally:

- exact: the placed span is the gold span (spaces at the edges aside);
- F1: word overlap of placed and gold span (the mean over spans);
- flagged: the share songngu marks for the reviewer (its place not found), and how often the spans
  it did *not* flag are exactly right.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from songngu.glossary.formats import load_glossary
from songngu.glossary.matcher import GlossaryMatcher
from songngu.translate.documents.inline import SentenceTranslation, place_codes
from songngu.translate.documents.model import Block, CodeKind, InlineCode
from songngu.translate.documents.wordalign import TermSpan

ROOT = Path(__file__).resolve().parent.parent
_MARKED = re.compile(r"⟦(.*?)⟧")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class GoldSpan:
    kind: str
    vi: str
    vi_span: tuple[int, int]
    en: str
    en_span: tuple[int, int]


def unmark(text: str) -> tuple[str, tuple[int, int]]:
    match = _MARKED.search(text)
    if match is None:
        raise ValueError(f"no ⟦span⟧ in {text!r}")
    plain = text[: match.start()] + match.group(1) + text[match.end() :]
    return plain, (match.start(), match.start() + len(match.group(1)))


def read_gold(path: Path) -> list[GoldSpan]:
    spans = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("kind\t"):
            continue
        kind, vi, en = line.split("\t")
        (vi_plain, vi_span), (en_plain, en_span) = unmark(vi), unmark(en)
        spans.append(GoldSpan(kind, vi_plain, vi_span, en_plain, en_span))
    return spans


Placer = Callable[[GoldSpan], tuple[tuple[int, int], bool]]


def songngu(matcher: GlossaryMatcher | None) -> Placer:
    def place(gold: GoldSpan) -> tuple[tuple[int, int], bool]:
        terms = [TermSpan(m.start, m.end, m.targets) for m in matcher.find(gold.vi)] if matcher else []
        block = Block(gold.vi, (InlineCode(1, CodeKind.WRAP, *gold.vi_span, label="b"),))
        (placed,) = place_codes(block, [SentenceTranslation(0, len(gold.vi), gold.en, tuple(terms))]).codes
        return (placed.start, placed.end), placed.exact

    return place


def proportional(gold: GoldSpan) -> tuple[tuple[int, int], bool]:
    """Word positions mapped by the sentences' length ratio: what placement without anchors gives."""
    source = list(_WORD.finditer(gold.vi))
    target = list(_WORD.finditer(gold.en))
    inside = [i for i, w in enumerate(source) if w.start() < gold.vi_span[1] and w.end() > gold.vi_span[0]]
    ratio = len(target) / max(len(source), 1)
    first = min(int(inside[0] * ratio), len(target) - 1)
    last = max(min(round((inside[-1] + 1) * ratio), len(target)), first + 1)
    return (target[first].start(), target[last - 1].end()), False


def words(text: str, span: tuple[int, int]) -> list[str]:
    return _WORD.findall(text[span[0] : span[1]])


def f1(placed: Sequence[str], gold: Sequence[str]) -> float:
    common = sum(min(placed.count(w), gold.count(w)) for w in set(placed))
    if not common:
        return 0.0
    precision, recall = common / len(placed), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def measure(gold: Sequence[GoldSpan], placer: Placer) -> dict[str, dict[str, float]]:
    by_kind: dict[str, list[tuple[bool, float, bool]]] = defaultdict(list)
    for span in gold:
        placed, exact_flag = placer(span)
        got = span.en[placed[0] : placed[1]].strip()
        want = span.en[span.en_span[0] : span.en_span[1]].strip()
        by_kind[span.kind].append(
            (got == want, f1(words(span.en, placed), words(span.en, span.en_span)), exact_flag)
        )
        by_kind["all"].append(by_kind[span.kind][-1])
    table = {}
    for kind, rows in by_kind.items():
        unflagged = [right for right, _, exact in rows if exact]
        table[kind] = {
            "n": len(rows),
            "exact": sum(right for right, _, _ in rows) / len(rows),
            "f1": sum(score for _, score, _ in rows) / len(rows),
            "flagged": 1 - len(unflagged) / len(rows),
            "unflagged right": sum(unflagged) / len(unflagged) if unflagged else float("nan"),
        }
    return table


def report(path: Path, matcher: GlossaryMatcher) -> None:
    gold = read_gold(path)
    systems = {
        "songngu (glossary + same tokens + interpolation)": songngu(matcher),
        "songngu without the glossary": songngu(None),
        "proportional positions (baseline)": proportional,
    }
    present = {span.kind for span in gold}
    kinds = [k for k in ("term", "name", "number", "phrase") if k in present] + ["all"]
    results = {name: measure(gold, placer) for name, placer in systems.items()}
    ours = results["songngu (glossary + same tokens + interpolation)"]
    print(
        f"{path.name}: {len(gold)} hand-marked spans ("
        + ", ".join(f"{k} {int(ours[k]['n'])}" for k in kinds)
        + ")"
    )
    print("exact / word F1:")
    print("| system | " + " | ".join(kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for name, table in results.items():
        cells = [f"{table[k]['exact']:.2f} / {table[k]['f1']:.2f}" for k in kinds]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(
        "songngu flags "
        + ", ".join(f"{k} {ours[k]['flagged']:.0%}" for k in kinds)
        + "; of the spans it does not flag, "
        + ", ".join(f"{k} {ours[k]['unflagged right']:.0%}" for k in kinds)
        + " are exactly right"
    )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    data = ROOT / "benchmarks" / "data"
    parser.add_argument(
        "--gold", type=Path, nargs="+", default=[data / "inline_gold.tsv", data / "inline_heldout.tsv"]
    )
    parser.add_argument("--glossary", type=Path, default=ROOT / "seeds" / "glossary.csv")
    args = parser.parse_args()
    matcher = GlossaryMatcher(load_glossary(args.glossary))
    for path in args.gold:
        report(path, matcher)


if __name__ == "__main__":
    main()
