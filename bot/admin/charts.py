"""Inline SVG bar charts for the report page: no script, no font, no request of any kind.

Each chart is an image with a title and a description that says what it shows in words, and
the page puts the same figures in a table beside it, for screen readers and for print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 640
HEIGHT = 240
LEFT = 40
BOTTOM = 40
TOP = 16


@dataclass(frozen=True, slots=True)
class Series:
    """One stacked part of each bar: its name, its colour, a value per quarter."""

    name: str
    colour: str
    values: Sequence[int]


def stacked_bars(
    chart_id: str, title: str, summary: str, labels: Sequence[str], series: Sequence[Series]
) -> str:
    """A stacked bar chart, one bar per label, as an accessible inline SVG."""
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    highest = max([*totals, 1])
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(labels), 1)
    bar = slot * 0.6
    parts = [
        f'<svg id="{chart_id}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 28 * len(series)}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#333" stroke-width="1"/>',
        f'<text x="{LEFT - 8}" y="{TOP + 4}" text-anchor="end" class="axis">{highest}</text>',
        f'<text x="{LEFT - 8}" y="{HEIGHT - BOTTOM}" text-anchor="end" class="axis">0</text>',
    ]
    for index, label in enumerate(labels):
        x = LEFT + slot * index + (slot - bar) / 2
        base = float(HEIGHT - BOTTOM)
        for part in series:
            value = part.values[index]
            if not value:
                continue
            height = plot_height * value / highest
            base -= height
            tip = f"{escape(label)}: {value} {escape(part.name)}"
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{part.colour}"><title>{tip}</title></rect>'
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
            f'class="axis">{escape(label)}</text>'
        )
        if totals[index]:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle" '
                f'class="total">{totals[index]}</text>'
            )
    for row, part in enumerate(series):
        y = HEIGHT + 8 + 28 * row
        parts.append(f'<rect x="{LEFT}" y="{y}" width="18" height="18" fill="{part.colour}"/>')
        parts.append(
            f'<text x="{LEFT + 26}" y="{y + 15}" class="legend">{escape(part.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def figures_table(caption: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """The chart's figures as a table: quarters in rows, the series in columns."""
    head = "".join(f'<th scope="col">{escape(s.name)}</th>' for s in series)
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(f"<td>{s.values[i]}</td>" for s in series)
        + "</tr>"
        for i, label in enumerate(labels)
    )
    return (
        f'<table class="figures"><caption>{escape(caption)}</caption>'
        f'<thead><tr><th scope="col">Quarter</th>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )
