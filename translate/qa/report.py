"""What ``songngu qa`` writes: the findings per segment as text, JSON, CSV or HTML, worst first.

- **text**: one line per finding, ``FILE:LINE: SEGMENT: severity: check: message`` (the form
  compilers use, so editors jump to it), then the summary line;
- **json**: ``{"summary": {...}, "segments": [...]}``, every finding with its spans as ``[start, end]``
  offsets into the segment's source and target (Python string indices);
- **csv**: one row per finding, the offending text beside the whole source and target; cells a
  spreadsheet would run as formulas are neutralised (:func:`songngu.spreadsheet.neutralise`);
- **html**: one self-contained page (no scripts, no network), segments worst first (errors, then
  warnings, then information, more findings first), the offending spans highlighted in source and
  target, each highlight titled with its finding.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

from songngu import __version__
from songngu.spreadsheet import neutralise
from songngu.translate.qa.findings import Finding, Severity, Span
from songngu.translate.qa.segment import QaSegment

FORMATS = ("text", "json", "csv", "html")
_WEIGHT = {Severity.ERROR: 10_000, Severity.WARNING: 100, Severity.INFO: 1}


@dataclass(frozen=True)
class SegmentReport:
    """A segment and what the checks found in it."""

    segment: QaSegment
    findings: tuple[Finding, ...]

    @property
    def weight(self) -> int:
        """Worse first: errors outweigh any number of warnings, warnings any number of notes."""
        return sum(_WEIGHT[f.severity] for f in self.findings)


@dataclass
class QaReport:
    """The outcome of one ``songngu qa`` run: the segments with findings, and how many were checked."""

    checked: int = 0
    segments: list[SegmentReport] = field(default_factory=list)

    def add(self, segment: QaSegment, findings: Sequence[Finding]) -> None:
        """Count a checked segment; keep it when it has findings."""
        self.checked += 1
        if findings:
            self.segments.append(SegmentReport(segment, tuple(findings)))

    @property
    def findings(self) -> list[Finding]:
        """Every finding, in file order."""
        return [f for s in self.segments for f in s.findings]

    @property
    def has_errors(self) -> bool:
        """Whether an error-level finding remains (the command then exits 1)."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    def worst_first(self) -> list[SegmentReport]:
        """The segments with findings, worst first; file order among equals."""
        return sorted(self.segments, key=lambda s: -s.weight)

    def summary(self) -> str:
        """``qa: 120 segments checked, 4 with findings: 2 errors (numbers 1, terms 1), 3 warnings (...)``."""
        parts = []
        for severity in Severity:
            found = [f for f in self.findings if f.severity is severity]
            if found:
                parts.append(f"{_plural(len(found), str(severity))} ({count_by_check(found)})")
        head = f"qa: {_plural(self.checked, 'segment')} checked, {len(self.segments)} with findings"
        return head + (": " + ", ".join(parts) if parts else "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def count_by_check(findings: Iterable[Finding]) -> str:
    """``numbers 2, terms 1``: how many findings of each check, most first."""
    counts = Counter(f.check for f in findings)
    return ", ".join(f"{check} {n}" for check, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _where(segment: QaSegment) -> str:
    place = segment.origin or "-"
    return f"{place}:{segment.line}" if segment.line else place


def render_text(report: QaReport) -> str:
    """One line per finding, worst segments first, then the summary line."""
    lines = [
        f"{_where(s.segment)}: {s.segment.id}: {f.severity}: {f.check}: {f.message}"
        for s in report.worst_first()
        for f in s.findings
    ]
    lines.append(report.summary())
    return "\n".join(lines) + "\n"


def render_json(report: QaReport) -> str:
    """The whole report as one JSON document."""
    document = {
        "summary": {
            "checked": report.checked,
            "with_findings": len(report.segments),
            "by_severity": dict(Counter(str(f.severity) for f in report.findings)),
            "by_check": dict(Counter(f.check for f in report.findings)),
        },
        "segments": [
            {
                "id": s.segment.id,
                "file": s.segment.origin,
                "line": s.segment.line,
                "reviewed": s.segment.reviewed,
                "source": s.segment.source,
                "target": s.segment.target,
                "findings": [f.to_dict() for f in s.findings],
            }
            for s in report.worst_first()
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


CSV_COLUMNS = (
    "file",
    "line",
    "segment",
    "severity",
    "check",
    "message",
    "in source",
    "in target",
    "source",
    "target",
)


def render_csv(report: QaReport) -> str:
    """One row per finding (:data:`CSV_COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in report.worst_first():
        seg = s.segment
        for f in s.findings:
            row = [
                seg.origin,
                str(seg.line or ""),
                seg.id,
                str(f.severity),
                f.check,
                f.message,
                " | ".join(seg.source[x.start : x.end] for x in f.source),
                " | ".join(seg.target[x.start : x.end] for x in f.target),
                seg.source,
                seg.target,
            ]
            writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:64em;padding:0 1em;color:#222}
h1{font-size:1.4em} .summary{color:#444}
section.segment{border:1px solid #ddd;border-left-width:6px;border-radius:4px;margin:1em 0;padding:.6em 1em}
section.error{border-left-color:#c62828}
section.warning{border-left-color:#ef8f00} section.info{border-left-color:#1e6bb8}
.where{color:#666;font-size:.85em} .text{margin:.3em 0}
.label{display:inline-block;width:4.5em;color:#666;font-size:.85em}
mark{border-radius:2px;padding:0 1px} mark.error{background:#ffcdd2}
mark.warning{background:#ffe0a3} mark.info{background:#cfe3fa}
ul.findings{margin:.4em 0 0;padding-left:1.2em}
li.error{color:#a31515} li.warning{color:#8a5300} li.info{color:#1e4f86}
.badge{font-size:.75em;font-weight:600;text-transform:uppercase;margin-right:.5em}
"""


def highlighted(text: str, spans: Sequence[tuple[Span, Finding]]) -> str:
    """``text`` as HTML with each span in a ``<mark>`` of its finding's severity (overlaps take the
    worst), titled with the finding's message."""
    cuts = sorted({0, len(text), *(s.start for s, _ in spans), *(s.end for s, _ in spans)})
    parts = []
    for a, b in itertools.pairwise(cuts):
        if a >= b or b > len(text):
            continue
        covering = [f for s, f in spans if s.start <= a and b <= s.end and s.start < s.end]
        chunk = escape(text[a:b])
        if covering:
            top = max(covering, key=lambda f: f.severity.rank)
            title = escape(" · ".join(dict.fromkeys(f"{f.check}: {f.message}" for f in covering)))
            chunk = f'<mark class="{top.severity}" title="{title}">{chunk}</mark>'
        parts.append(chunk)
    return "".join(parts)


def render_html(report: QaReport, title: str = "Quality assurance") -> str:
    """The report as one self-contained HTML page, segments worst first."""
    sections = []
    for s in report.worst_first():
        seg = s.segment
        worst = max(s.findings, key=lambda f: f.severity.rank).severity
        source = highlighted(seg.source, [(span, f) for f in s.findings for span in f.source])
        target = highlighted(seg.target, [(span, f) for f in s.findings for span in f.target])
        items = "".join(
            f'<li class="{f.severity}"><span class="badge">{f.severity}</span>'
            f"<b>{escape(f.check)}</b>: {escape(f.message)}</li>"
            for f in s.findings
        )
        reviewed = " · reviewed" if seg.reviewed else ""
        sections.append(
            f'<section class="segment {worst}" data-segment="{escape(seg.id)}" data-severity="{worst}">'
            f'<div class="where">{escape(seg.id)} · {escape(_where(seg))}{reviewed}</div>'
            f'<div class="text source" lang="vi"><span class="label">source</span>{source}</div>'
            f'<div class="text target" lang="en"><span class="label">target</span>{target}</div>'
            f'<ul class="findings">{items}</ul></section>'
        )
    body = "".join(sections) or "<p>No findings.</p>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f'<h1>{escape(title)}</h1><p class="summary">{escape(report.summary())}</p>{body}'
        f'<p class="where">songngu {escape(__version__)}</p></body></html>\n'
    )


def render(report: QaReport, fmt: str) -> str:
    """The report in one of :data:`FORMATS`."""
    renderers = {"text": render_text, "json": render_json, "csv": render_csv, "html": render_html}
    return renderers[fmt](report)
