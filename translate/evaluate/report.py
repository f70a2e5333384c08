"""Reports a person reads: self-contained HTML (tables, inline SVG bar charts, the per-segment view
with its filters; no network resources, one small inline script for the filters) or Markdown tables.

Charts: each has one scale that suits what it shows. BLEU, chrF, chrF++ and the term success rate
lie between 0 and 100 and share one chart; TER (and HTER) is unbounded above (a hypothesis longer
than its reference can score several hundred), so it has a chart of its own rather than flattening
the others.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from songngu import __version__
from songngu.errors import InputError
from songngu.textfile import write_atomic
from songngu.translate.evaluate.bootstrap import Estimate
from songngu.translate.evaluate.evaluation import Evaluation, Scores
from songngu.translate.evaluate.postedit import PostEdit
from songngu.translate.evaluate.segments import SENTENCE_SCORE, SegmentView, worst_first
from songngu.translate.evaluate.terminology import TermBreakdown

METRIC_LABELS = {"bleu": "BLEU", "chrf": "chrF", "chrf++": "chrF++", "ter": "TER"}
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f")
TERM_ROWS = 30  # the per-term table shows the terms that fail most
MARKDOWN_SEGMENTS = 30  # the Markdown report lists the worst segments; the HTML one all, with filters
BOUNDED = ("bleu", "chrf", "chrf++")  # 0–100, one chart with the term success rate; TER apart


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _score_rows(evaluation: Evaluation) -> list[Scores]:
    # The total row only adds information when there are several articles.
    return [*evaluation.articles, evaluation.total] if len(evaluation.articles) > 1 else [evaluation.total]


def _article_table(evaluation: Evaluation) -> tuple[list[str], list[list[str]]]:
    header = ["article", "segments", *METRIC_LABELS.values()]
    if evaluation.has_terms:
        header += ["terms met", "inflection-tolerant", "consistency", "forbidden"]
    rows = []
    for scores in _score_rows(evaluation):
        row = [scores.name, str(scores.segments), *(_num(scores.quality[k].score) for k in METRIC_LABELS)]
        if evaluation.has_terms and scores.terms is not None:
            t = scores.terms
            row += [
                f"{_pct(t.success_rate)} ({t.met}/{t.required})",
                _pct(t.inflected_rate),
                _pct(t.consistency),
                str(t.forbidden),
            ]
        elif evaluation.has_terms:
            row += ["–"] * 4
        rows.append(row)
    return header, rows


def _term_table(evaluation: Evaluation) -> tuple[list[str], list[list[str]]]:
    header = [
        "term",
        "required",
        "met",
        "failed",
        "inflection-tolerant",
        "forbidden",
        "inconsistent in",
        "renderings",
    ]
    rows = []
    for row in _failed_terms(evaluation)[:TERM_ROWS]:
        renderings = "; ".join(f"{form} ×{n}" for form, n in row.renderings.most_common())
        rows.append(
            [
                row.key,
                str(row.required),
                str(row.met),
                str(row.failed),
                str(row.met_inflected),
                str(row.forbidden),
                f"{row.inconsistent_articles} article(s)",
                renderings,
            ]
        )
    return header, rows


def _failed_terms(evaluation: Evaluation) -> list[TermBreakdown]:
    """The terms missed at least once, most often missed first (a term always met is not listed)."""
    return [row for row in evaluation.term_breakdown if row.failed > 0]


def _comparison_table(evaluation: Evaluation) -> tuple[list[str], list[list[str]]]:
    header = ["metric", "baseline (mean ± 95% CI)", "system (mean ± 95% CI)", "p-value"]
    rows = []
    for c in evaluation.comparison:
        scale = 100 if c.metric == "term_success_rate" else 1
        label = "term success (%)" if scale == 100 else METRIC_LABELS.get(c.metric, c.metric)
        rows.append(
            [
                label,
                _estimate_cell(c.baseline, scale),
                _estimate_cell(c.system, scale),
                "no difference" if c.p_value is None else f"{c.p_value:.4f}",
            ]
        )
    return header, rows


def _estimate_cell(e: Estimate, scale: float) -> str:
    """``score (mean ± ci)``, as sacrebleu prints a paired test's result."""
    return f"{e.score * scale:.2f} ({e.mean * scale:.2f} ± {e.ci * scale:.2f})"


def _post_edit_table(post_edit: Sequence[PostEdit], total: PostEdit) -> tuple[list[str], list[list[str]]]:
    header = ["article", "confirmed", "accepted unchanged", "edited", "pending", "HTER"]
    entries = [*post_edit, total] if len(post_edit) > 1 else [total]
    rows = [
        [
            p.name,
            str(p.segments),
            f"{p.unchanged} ({_pct(p.unchanged_share)})",
            str(p.segments - p.unchanged),
            str(p.pending),
            _num(p.hter.score),
        ]
        for p in entries
    ]
    return header, rows


def _scale(values: Sequence[float]) -> tuple[float, float]:
    """The chart's top and its tick step: 0–100 by 25 for scores, a round top above 100 for TER."""
    high = max([100.0, *values])
    step = 25.0
    while high / step > 8:
        step *= 2
    return step * -(-high // step), step


def bar_chart(groups: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str) -> str:
    """An inline SVG grouped bar chart: one group per label in ``groups``, one bar per series, one
    scale (0 to 100, or to a round number above the largest value)."""
    width, height, left, top, bottom = 760, 320, 48, 36, 60
    plot_h = height - top - bottom
    top_value, step = _scale([v for _, vs in series for v in vs if v is not None])
    group_w = (width - left - 16) / max(1, len(groups))
    bar_w = min(36.0, (group_w - 16) / max(1, len(series)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height + 18 * ((len(series) + 3) // 4)}" viewBox="0 0 {width} '
        f'{height + 18 * ((len(series) + 3) // 4)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    ticks = int(top_value // step)
    for tick in (i * step for i in range(ticks + 1)):
        y = top + plot_h - plot_h * tick / top_value
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{tick:g}</text>')
    for g, group in enumerate(groups):
        x0 = left + g * group_w + (group_w - bar_w * len(series)) / 2
        for s, (name, vals) in enumerate(series):
            value = vals[g]
            if value is None:
                continue
            h = plot_h * value / top_value
            x, y = x0 + s * bar_w, top + plot_h - h
            color = PALETTE[s % len(PALETTE)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{color}">'
                f"<title>{escape(name)} · {escape(group)}: {value:.1f}</title></rect>"
            )
            parts.append(
                f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'font-size="9">{value:.1f}</text>'
            )
        parts.append(
            f'<text x="{left + g * group_w + group_w / 2:.1f}" y="{top + plot_h + 16}" '
            f'text-anchor="middle" font-weight="bold">{escape(group)}</text>'
        )
    for s, (name, _) in enumerate(series):
        x, y = left + (s % 4) * 175, height - 22 + 18 * (s // 4)
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}">{escape(name[:28])}</text>')
    parts.append(
        f'<text x="{left}" y="{top - 14}" font-size="13" font-weight="bold">{escape(title)}</text></svg>'
    )
    return "".join(parts)


def _charts(evaluation: Evaluation) -> str:
    """Scores from 0 to 100 in one chart, TER (unbounded) in its own."""
    groups = [METRIC_LABELS[k] for k in BOUNDED]
    if evaluation.has_terms:
        groups.append("terms met %")
    bounded, ter = [], []
    for scores in _score_rows(evaluation):
        vals: list[float | None] = [scores.quality[k].score for k in BOUNDED]
        if evaluation.has_terms:
            rate = scores.terms.success_rate if scores.terms else None
            vals.append(None if rate is None else 100 * rate)
        bounded.append((scores.name, vals))
        ter.append((scores.name, [scores.quality["ter"].score]))
    return bar_chart(groups, bounded, "Scores (higher is better)") + bar_chart(
        ["TER"], ter, "TER (lower is better)"
    )


def _post_edit_charts(post_edit: Sequence[PostEdit], total: PostEdit) -> str:
    entries = [*post_edit, total] if len(post_edit) > 1 else [total]
    hter = bar_chart(["HTER"], [(p.name, [p.hter.score]) for p in entries], "HTER (lower is better)")
    unchanged = [(p.name, [100 * p.unchanged_share]) for p in entries]
    return hter + bar_chart(["accepted unchanged %"], unchanged, "Accepted unchanged")


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#222;max-width:70em}"
    "table{border-collapse:collapse;margin:1em 0}"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}code{font-size:.85em}"
    "#segments{font-size:.9em}#segments td.score{text-align:right}"
    "mark.met{background:#c8e6c9}mark.missed{background:#ffcdd2}mark.inflected{background:#ffe0b2}"
    ".term{display:inline-block;margin:0 .3em .2em 0;padding:0 .3em;border-radius:3px}"
    ".term.met{background:#c8e6c9}.term.missed{background:#ffcdd2}"
    "#segment-filters label{margin-right:1.2em}"
)

# The per-segment view's filters: plain JavaScript, no library, nothing loaded from elsewhere.
_FILTER_SCRIPT = """(function () {
  var article = document.getElementById("filter-article");
  var term = document.getElementById("filter-term");
  var missed = document.getElementById("filter-missed");
  var count = document.getElementById("segment-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#segments tbody tr"));
  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var terms = JSON.parse(row.getAttribute("data-terms"));
      var lost = JSON.parse(row.getAttribute("data-missed"));
      var keep = (!article.value || row.getAttribute("data-article") === article.value)
        && (!term.value || terms.indexOf(term.value) >= 0)
        && (!missed.checked || (term.value ? lost.indexOf(term.value) >= 0 : lost.length > 0));
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " segments shown";
  }
  [article, term, missed].forEach(function (control) { control.addEventListener("change", apply); });
  apply();
})();"""


def _marked(text: str, spans: Sequence[tuple[int, int, str, str]]) -> str:
    """``text`` escaped, with ``<mark class=... title=...>`` around each (start, end, class, title)
    span; a span overlapping one before it is left unmarked."""
    parts, at = [], 0
    for start, end, kind, title in sorted(spans):
        if start < at:
            continue
        parts.append(escape(text[at:start]))
        parts.append(f'<mark class="{kind}" title="{escape(title)}">{escape(text[start:end])}</mark>')
        at = end
    parts.append(escape(text[at:]))
    return "".join(parts)


def _segment_row(rank: int, view: SegmentView) -> str:
    source_spans, target_spans, badges = [], [], []
    for mark in view.terms:
        kind = "met" if mark.met else "missed"
        if mark.source_span is not None:
            source_spans.append((*mark.source_span, kind, f"{mark.term}: {kind}"))
        if mark.target_span is not None:
            shown = kind if mark.met else "inflected"
            title = mark.term if mark.met else f"{mark.term}: inflected form only"
            target_spans.append((*mark.target_span, shown, title))
        badges.append(f'<span class="term {kind}">{"✓" if mark.met else "✗"} {escape(mark.term)}</span>')
    terms = json.dumps(sorted({mark.term for mark in view.terms}), ensure_ascii=False)
    lost = json.dumps(sorted({mark.term for mark in view.terms if not mark.met}), ensure_ascii=False)
    cells = [
        str(rank),
        escape(view.article),
        escape(view.id or str(view.position)),
        f"{view.score:.1f}",
        _marked(view.source, source_spans) if view.source is not None else "–",
        _marked(view.hypothesis, target_spans),
        escape(view.reference),
        "".join(badges),
    ]
    classes = ("", "", "", "score", "source", "hypothesis", "reference", "terms")
    body = "".join(
        f'<td class="{cls}">{cell}</td>' if cls else f"<td>{cell}</td>"
        for cls, cell in zip(classes, cells, strict=True)
    )
    return (
        f'<tr data-article="{escape(view.article)}" data-terms="{escape(terms)}" '
        f'data-missed="{escape(lost)}">{body}</tr>'
    )


def _segment_section(evaluation: Evaluation) -> str:
    """Every segment, worst first, with filters by article, by term and for missed terms."""
    views = worst_first(evaluation.segments)
    articles = list(dict.fromkeys(view.article for view in evaluation.segments))
    terms = sorted({mark.term for view in views for mark in view.terms})

    def options(values: Sequence[str]) -> str:
        return '<option value="">all</option>' + "".join(
            f'<option value="{escape(v)}">{escape(v)}</option>' for v in values
        )

    controls = [
        f'<label>Article <select id="filter-article">{options(articles)}</select></label>',
        f'<label>Term <select id="filter-term">{options(terms)}</select></label>',
        '<label><input type="checkbox" id="filter-missed"> only where a term was missed</label>',
        f'<span id="segment-count">{len(views)} of {len(views)} segments shown</span>',
    ]
    columns = ("#", "article", "segment", SENTENCE_SCORE, "source", "hypothesis", "reference", "terms")
    head = "".join(f"<th>{escape(h)}</th>" for h in columns)
    rows = "".join(_segment_row(rank, view) for rank, view in enumerate(views, start=1))
    return (
        '<section id="segment-view"><h2>Segments, worst first</h2>'
        f"<p>Ordered by {escape(SENTENCE_SCORE)} (sacrebleu's chrF of the one sentence), lowest first, "
        "then by terms missed. In the source and the hypothesis, glossary terms are marked "
        '<mark class="met">met</mark> or <mark class="missed">missed</mark> '
        '(<mark class="inflected">inflected</mark>: only an inflected form was found).</p>'
        f'<form id="segment-filters">{"".join(controls)}</form>'
        f'<table id="segments"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        f"<script>{_FILTER_SCRIPT}</script></section>"
    )


def render_html(
    evaluation: Evaluation | None = None, post_edit: tuple[list[PostEdit], PostEdit] | None = None
) -> str:
    """A self-contained HTML page: tables, inline SVG charts and the per-segment view (its filters
    are one inline script); nothing loaded from elsewhere."""
    title = evaluation.title if evaluation else "songngu post-editing effort"
    body = [f"<h1>{escape(title)}</h1>"]
    if evaluation is not None:
        body.append(_charts(evaluation))
        body.append("<h2>Scores per article</h2>")
        body.append(_html_table(*_article_table(evaluation)))
        signatures = "".join(
            f"<li>{METRIC_LABELS[k]}: <code>{escape(s.signature)}</code></li>"
            for k, s in evaluation.total.quality.items()
        )
        body.append(f"<p>sacrebleu signatures:</p><ul>{signatures}</ul>")
        if evaluation.has_terms:
            body.append("<h2>Terms that fail most</h2>")
            if _failed_terms(evaluation):
                body.append(_html_table(*_term_table(evaluation)))
            else:
                body.append("<p>Every required term was met.</p>")
        if evaluation.comparison:
            body.append(f"<h2>Against {escape(', '.join(evaluation.compared_with))}</h2>")
            body.append("<p>Paired bootstrap resampling (sacrebleu's <code>--paired-bs</code>).</p>")
            body.append(_html_table(*_comparison_table(evaluation)))
        if evaluation.segments:
            body.append(_segment_section(evaluation))
    if post_edit is not None:
        body.append("<h2>Post-editing effort</h2>")
        body.append(_post_edit_charts(*post_edit))
        body.append(_html_table(*_post_edit_table(*post_edit)))
    body.append(f"<p><small>songngu {escape(__version__)}</small></p>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(
    evaluation: Evaluation | None = None, post_edit: tuple[list[PostEdit], PostEdit] | None = None
) -> str:
    """The same report as Markdown tables."""
    title = evaluation.title if evaluation else "songngu post-editing effort"
    parts = [f"# {title}"]
    if evaluation is not None:
        parts += ["## Scores per article", _md_table(*_article_table(evaluation))]
        parts.append(
            "sacrebleu signatures:\n\n"
            + "\n".join(f"- {METRIC_LABELS[k]}: `{s.signature}`" for k, s in evaluation.total.quality.items())
        )
        if evaluation.has_terms:
            failed = _md_table(*_term_table(evaluation)) if _failed_terms(evaluation) else ""
            parts += ["## Terms that fail most", failed or "Every required term was met."]
        if evaluation.comparison:
            parts += [
                f"## Against {', '.join(evaluation.compared_with)}",
                "Paired bootstrap resampling (sacrebleu's `--paired-bs`).",
                _md_table(*_comparison_table(evaluation)),
            ]
        if evaluation.segments:
            parts += [
                "## Worst segments",
                f"The {MARKDOWN_SEGMENTS} lowest by {SENTENCE_SCORE} (the HTML report lists every segment, "
                "with filters).",
                _md_table(*_worst_table(evaluation)),
            ]
    if post_edit is not None:
        parts += ["## Post-editing effort", _md_table(*_post_edit_table(*post_edit))]
    return "\n\n".join(parts) + "\n"


def _worst_table(evaluation: Evaluation) -> tuple[list[str], list[list[str]]]:
    header = ["article", "segment", SENTENCE_SCORE, "hypothesis", "reference", "terms missed"]
    rows = [
        [
            view.article,
            view.id or str(view.position),
            f"{view.score:.1f}",
            view.hypothesis,
            view.reference,
            ", ".join(mark.term for mark in view.terms if not mark.met),
        ]
        for view in worst_first(evaluation.segments)[:MARKDOWN_SEGMENTS]
    ]
    return header, rows


def write_report(
    path: str | os.PathLike[str],
    evaluation: Evaluation | None = None,
    post_edit: tuple[list[PostEdit], PostEdit] | None = None,
) -> None:
    """Write an HTML (``.html``/``.htm``) or Markdown (``.md``) report, atomically."""
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm"):
        write_atomic(path, render_html(evaluation, post_edit))
    elif suffix in (".md", ".markdown"):
        write_atomic(path, render_markdown(evaluation, post_edit))
    else:
        raise InputError(f"{path}: unknown report format; name it .html or .md")


@dataclass(frozen=True)
class Section:
    """A titled table of a plain report (:func:`write_tables`): an optional paragraph, then the table
    (no table when ``header`` is empty)."""

    heading: str
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def render_tables(title: str, sections: Sequence[Section], *, html: bool) -> str:
    """A report of titled tables, as self-contained HTML or as Markdown, in the style of the
    evaluation report (used by ``songngu glossary usage``)."""
    if html:
        body = [f"<h1>{escape(title)}</h1>"]
        for section in sections:
            body.append(f"<h2>{escape(section.heading)}</h2>")
            if section.text:
                body.append(f"<p>{escape(section.text)}</p>")
            if section.header:
                body.append(_html_table(section.header, section.rows))
        body.append(f"<p><small>songngu {escape(__version__)}</small></p>")
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body>{''.join(body)}</body></html>\n"
        )
    parts = [f"# {title}"]
    for section in sections:
        parts.append(f"## {section.heading}")
        if section.text:
            parts.append(section.text)
        if section.header:
            parts.append(_md_table(section.header, section.rows))
    return "\n\n".join(parts) + "\n"


def write_tables(path: str | os.PathLike[str], title: str, sections: Sequence[Section]) -> None:
    """Write :func:`render_tables` as HTML (``.html``/``.htm``) or Markdown (``.md``), atomically."""
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm"):
        write_atomic(path, render_tables(title, sections, html=True))
    elif suffix in (".md", ".markdown"):
        write_atomic(path, render_tables(title, sections, html=False))
    else:
        raise InputError(f"{path}: unknown report format; name it .html or .md")
