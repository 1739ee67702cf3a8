"""Horizontal bar charts drawn on the server as SVG (``templates/reports/_chart.html``).

No chart library and no script: the geometry is worked out here and the template writes
the SVG. Charts do not rely on colour: every series has its own fill pattern (solid,
hatched), shown in a legend, and every bar has its value written beside it. Each chart is
an image with a title and a description for screen readers, and its page shows the same
figures in a table beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH = 640
VALUE_WIDTH = 110
BAR_HEIGHT = 16
BAR_GAP = 4
ROW_GAP = 14
LEGEND_HEIGHT = 34
AXIS_HEIGHT = 28
FONT = "Arial, Helvetica, sans-serif"


@dataclass(frozen=True)
class Series:
    """A set of bars: its name (in the legend) and how its bars are filled."""

    name: str
    style: str = "solid"  # solid (dark blue), hatched (black lines on white), light (pale)


@dataclass(frozen=True)
class Value:
    """One bar's value; ``text`` is written beside it; None draws no bar (suppressed)."""

    number: float | None
    text: str
    style: str | None = None  # instead of the series' fill (a target among counts)


@dataclass(frozen=True)
class Row:
    label: str
    values: list[Value]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    style: str
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass
class Chart:
    """Everything the template needs to draw the chart."""

    id: str
    title: str
    description: str
    width: int
    height: int
    series: list[Series]
    labels: list[tuple[str, float]] = field(default_factory=list)  # (text, y)
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    plot_top: float = 0
    plot_bottom: float = 0
    plot_left: float = 0
    legend: list[tuple[Series, float]] = field(default_factory=list)  # (series, x)
    font: str = FONT


def nice_step(largest: float, steps: int = 4) -> float:
    """Return a round step (1, 2 or 5 times a power of ten) for about ``steps`` gridlines."""
    if largest <= 0:
        return 1
    raw = largest / steps
    power = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return max(1, multiple * power)
    return 10 * power  # pragma: no cover - the loop always returns


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: list[Series],
    rows: list[Row],
) -> Chart:
    """Lay out a horizontal bar chart: a group of bars (one per series) for each row."""
    longest = max((len(r.label) for r in rows), default=0)
    label_width = max(90, min(280, round(7.4 * longest) + 14))
    per_row = len(series) * BAR_HEIGHT + (len(series) - 1) * BAR_GAP
    plot_top = LEGEND_HEIGHT if len(series) > 1 else 8
    height = plot_top + len(rows) * (per_row + ROW_GAP) + AXIS_HEIGHT
    chart = Chart(
        id=chart_id,
        title=title,
        description=description,
        width=WIDTH,
        height=int(height),
        series=series,
        plot_top=plot_top,
        plot_left=label_width,
    )
    numbers = [v.number for r in rows for v in r.values if v.number is not None]
    step = nice_step(max(numbers, default=0))
    top = step * max(1, math.ceil(max(numbers, default=0) / step))
    plot_width = WIDTH - label_width - VALUE_WIDTH
    scale = plot_width / top
    y = plot_top + ROW_GAP / 2
    for row in rows:
        chart.labels.append((row.label, y + per_row / 2))
        for index, (s, value) in enumerate(zip(series, row.values, strict=True)):
            bar_y = y + index * (BAR_HEIGHT + BAR_GAP)
            width = (value.number or 0) * scale
            chart.bars.append(
                Bar(
                    x=label_width,
                    y=bar_y,
                    width=round(width, 1),
                    height=BAR_HEIGHT,
                    style=value.style or s.style,
                    text=value.text,
                    text_x=round(label_width + width + 6, 1),
                    text_y=bar_y + BAR_HEIGHT / 2,
                )
            )
        y += per_row + ROW_GAP
    chart.plot_bottom = y - ROW_GAP / 2
    tick = 0.0
    while tick <= top + 1e-9:
        chart.ticks.append(Tick(round(label_width + tick * scale, 1), f"{tick:,.0f}"))
        tick += step
    if len(series) > 1:
        x = float(label_width)
        for s in series:
            chart.legend.append((s, x))
            x += 40 + 8 * len(s.name)
    return chart
