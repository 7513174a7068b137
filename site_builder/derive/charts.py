"""Build-time SVG charts: bar and line charts as one-line inline SVG, no outside requests.

Text comes through `html.escape`; colours use `currentColor` for labels so the chart follows
the page's light or dark scheme.  Pages always show the numbers beside a chart as a table.
"""

from __future__ import annotations

import html
import math

WIDTH, HEIGHT = 560, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 60
BAR = "#3f51b5"
REFERENCE = "#c62828"


def bar_chart(title: str, labels: list[str], values: list, reference: float | None = None, reference_label: str = "",
              unit: str = "") -> str:
    return _chart(title, labels, values, reference, reference_label, unit, line=False)


def line_chart(title: str, labels: list[str], values: list, reference: float | None = None, reference_label: str = "",
               unit: str = "") -> str:
    return _chart(title, labels, values, reference, reference_label, unit, line=True)


TICKS = 4


def nice_max(value: float, integers: bool = False) -> float:
    """A round upper bound for the y axis: TICKS steps of 1, 2, 2.5 or 5 times a power of ten
    (whole steps of 1, 2 or 5 times a power of ten for counts)."""
    raw = max(value, 0) / TICKS
    if raw == 0:
        return TICKS if integers else 1
    power = 10 ** math.floor(math.log10(raw))
    factors = (1, 2, 5, 10) if integers else (1, 2, 2.5, 5, 10)
    step = next(f * power for f in factors if raw <= f * power * (1 + 1e-12))
    if integers:
        step = max(1, round(step))
    return step * TICKS


def _chart(title, labels, values, reference, reference_label, unit, line: bool) -> str:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    integers = all(isinstance(v, int) for v in numbers) and (reference is None or float(reference).is_integer())
    top = nice_max(max(numbers + ([reference] if reference is not None else []), default=0), integers)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(labels), 1)
    step = plot_w / count

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
             f'role="img" aria-label="{_e(title)}" font-size="13"><title>{_e(title)}</title>']
    for i in range(TICKS + 1):
        value = top * i / TICKS
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="currentColor" '
                     f'stroke-opacity="0.15"/><text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" fill="currentColor">'
                     f'{_e(_fmt(value))}</text>')
    every = max(1, math.ceil(count / 12))
    for index, label in enumerate(labels):
        if index % every == 0:
            x = LEFT + step * (index + 0.5)
            parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 14}" text-anchor="end" fill="currentColor" '
                         f'transform="rotate(-35 {x:.1f} {TOP + plot_h + 14})">{_e(label)}</text>')
    show_values = count <= 16
    if line:
        points = [(LEFT + step * (i + 0.5), y(v), v) for i, v in enumerate(values) if _is_number(v)]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2"/>')
        for px, py, v in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{BAR}"/>')
            if show_values:
                parts.append(f'<text x="{px:.1f}" y="{py - 7:.1f}" text-anchor="middle" fill="currentColor">{_e(_fmt(v))}</text>')
    else:
        width = step * 0.7
        for i, v in enumerate(values):
            if not _is_number(v):
                continue
            x = LEFT + step * i + (step - width) / 2
            parts.append(f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{width:.1f}" height="{TOP + plot_h - y(v):.1f}" fill="{BAR}"/>')
            if show_values:
                parts.append(f'<text x="{x + width / 2:.1f}" y="{y(v) - 4:.1f}" text-anchor="middle" fill="currentColor">'
                             f'{_e(_fmt(v))}</text>')
    if reference is not None:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(reference):.1f}" y2="{y(reference):.1f}" stroke="{REFERENCE}" '
                     f'stroke-dasharray="6 4" stroke-width="1.5"/><text x="{WIDTH - RIGHT}" y="{y(reference) - 5:.1f}" '
                     f'text-anchor="end" fill="{REFERENCE}">{_e(reference_label)} {_e(_fmt(reference))}{_e(unit)}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="currentColor" stroke-opacity="0.4"/>')
    parts.append("</svg>")
    return "".join(parts)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _e(text) -> str:
    return html.escape(str(text), quote=True)
