"""The overview's 12-week chart as inline SVG, drawn on the server: no script, no image
file, nothing the Content-Security-Policy (``'self'``, no inline style) would block —
colours are SVG attributes, not ``style``.  The page puts the same numbers in a table
next to it, the chart's text alternative.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from villagehelper.tally.history import WeeklyHistory

WIDTH = 640
HEIGHT = 220
LEFT = 40  # room for the scale's numbers
BOTTOM = 28  # room for the weeks' numbers
TOP = 12
BAR_SHARE = 0.7  # of each week's slot; the rest is the gap between bars
INK = "#1b1f23"
BAR = "#0b5cad"
LINE = "#c9ced6"


@dataclass(frozen=True)
class WeekBar:
    """One week of the chart: its label ("W47"), its dates and its sessions."""

    label: str
    dates: str
    sessions: int


def week_bars(history: WeeklyHistory) -> list[WeekBar]:
    bars = []
    for week, sessions in zip(history.weeks, history.totals(), strict=True):
        number = week.first.isocalendar()[1]
        dates = f"{week.first:%d/%m} – {week.last:%d/%m/%Y}"
        bars.append(WeekBar(f"W{number:02d}", dates, sessions))
    return bars


def _scale_top(highest: int) -> int:
    """A round number at or above the highest bar (1, 2, 5 × a power of ten)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if highest <= step * factor:
                return step * factor
        step *= 10


def chart_svg(bars: list[WeekBar], title_id: str, caption: str) -> Markup:
    """Bars of sessions per week, oldest left; labelled by the element ``title_id``."""
    top = _scale_top(max((bar.sessions for bar in bars), default=0) or 1)
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(len(bars), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(title_id)}" focusable="false">',
        f"<title>{escape(caption)}</title>",
    ]
    for fraction in (0, 0.5, 1):  # the scale: zero, half, top
        y = TOP + plot_height * (1 - fraction)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LINE}"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{round(top * fraction)}</text>'
        )
    for index, bar in enumerate(bars):
        height = plot_height * bar.sessions / top
        x = LEFT + slot * index + slot * (1 - BAR_SHARE) / 2
        y = TOP + plot_height - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * BAR_SHARE:.1f}" '
            f'height="{height:.1f}" fill="{BAR}">'
            f"<title>{escape(bar.label)} ({escape(bar.dates)}): {bar.sessions}</title></rect>"
            f'<text x="{x + slot * BAR_SHARE / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
            f'font-size="11" fill="{INK}">{escape(bar.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
