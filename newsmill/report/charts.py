"""Charts as inline SVG, drawn here in Python: stacked columns, lines and horizontal bars.

Every drawn value is an element of class ``mark`` carrying ``data-series`` (its series'
index, matched by the legend's buttons) and ``data-tip`` (the text the page's script shows on
hover). The SVG scales to its container through its ``viewBox``; a value of zero draws
nothing, so a chart's marks are exactly its non-zero values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

#: Okabe and Ito's colour-blind-safe palette, then two greys; series beyond it cycle.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#a08c00",
           "#332288", "#777777", "#b0b0b0")

WIDTH = 640
FONT = 12
#: Rough width of one character of the labels at FONT pixels, for the left margin of bars.
CHAR_WIDTH = 6.6


@dataclass(frozen=True)
class Series:
    """One named series of values, one per category of its chart."""

    name: str
    values: Sequence[float]


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def ticks(top: float) -> list[float]:
    """Axis ticks from 0 to at least ``top`` in 1, 2 or 5 times a power of ten, whole
    numbers only (the charts count things)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1.0, float(math.ceil(step)))
    return [i * step for i in range(math.ceil(top / step) + 1)]


def number(value: float) -> str:
    """A count as people write it: 1,234; a fraction keeps one decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _attrs(**values: object) -> str:
    return " ".join(f'{name.replace("_", "-")}="{escape(str(v), quote=True)}"'
                    for name, v in values.items())


def _mark_rect(x: float, y: float, w: float, h: float, series: int, tip: str) -> str:
    return (f'<rect class="mark" {_attrs(x=f"{x:.1f}", y=f"{y:.1f}", width=f"{w:.1f}")} '
            f'{_attrs(height=f"{h:.1f}", fill=colour(series), data_series=series, data_tip=tip)}'
            "/>")


def _text(x: float, y: float, text: str, *, anchor: str = "middle", cls: str = "label") -> str:
    return (f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">'
            f"{escape(text)}</text>")


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (f'<svg viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
            f'aria-label="{escape(title, quote=True)}" '
            f'xmlns="http://www.w3.org/2000/svg" font-size="{FONT}">' + "".join(body) + "</svg>")


def legend(names: Sequence[str]) -> str:
    """Buttons that hide and show each series of the chart they sit under."""
    keys = "".join(
        f'<button type="button" class="key" data-series="{i}" aria-pressed="true">'
        f'<span class="swatch" style="background:{colour(i)}"></span>{escape(name)}</button>'
        for i, name in enumerate(names))
    return f'<div class="legend" role="group" aria-label="series">{keys}</div>'


def _label_every(count: int, room: float, widest: int) -> int:
    """Show every n-th category label so that labels of ``widest`` characters do not touch."""
    per_label = widest * CHAR_WIDTH + 8
    return max(1, math.ceil(count * per_label / room))


@dataclass(frozen=True)
class _Frame:
    """The plot area of a chart with a vertical value axis."""

    width: float = WIDTH
    left: float = 46.0
    right: float = 12.0
    top: float = 22.0
    bottom: float = 34.0
    height: float = 300.0

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom


def _value_axis(frame: _Frame, scale: list[float], unit: str) -> list[str]:
    top = scale[-1]
    out = []
    for tick in scale:
        y = frame.top + frame.plot_height * (1 - tick / top)
        out.append(f'<line class="grid" x1="{frame.left}" x2="{frame.width - frame.right}" '
                   f'y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(_text(frame.left - 6, y + 4, number(tick), anchor="end", cls="tick"))
    out.append(_text(frame.left - 6, frame.top - 8, unit, anchor="start", cls="unit"))
    return out


def _category_axis(frame: _Frame, categories: Sequence[str], band: float) -> list[str]:
    every = _label_every(len(categories), frame.plot_width, max(map(len, categories)))
    base = frame.top + frame.plot_height
    out = [f'<line class="axis" x1="{frame.left}" x2="{frame.width - frame.right}" '
           f'y1="{base:.1f}" y2="{base:.1f}"/>']
    for i, name in enumerate(categories):
        if i % every == 0:
            out.append(_text(frame.left + band * (i + 0.5), base + 16, name, cls="tick"))
    return out


def stacked_columns(categories: Sequence[str], series: Sequence[Series], *, unit: str,
                    title: str, width: float = WIDTH) -> str:
    """One column per category, its series stacked, the total above it."""
    frame = _Frame(width=width)
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    scale = ticks(max(totals, default=0))
    top = scale[-1]
    band = frame.plot_width / max(1, len(categories))
    column = min(48.0, band * 0.72)
    body = _value_axis(frame, scale, unit) + _category_axis(frame, categories, band)
    for i, category in enumerate(categories):
        x = frame.left + band * i + (band - column) / 2
        base = 0.0
        for index, one in enumerate(series):
            value = one.values[i]
            if value <= 0:
                continue
            y1 = frame.top + frame.plot_height * (1 - (base + value) / top)
            h = frame.plot_height * value / top
            body.append(_mark_rect(x, y1, column, h, index,
                                   f"{one.name} · {category}: {number(value)} {unit}"))
            base += value
        if totals[i] > 0 and len(categories) <= 31:
            y = frame.top + frame.plot_height * (1 - totals[i] / top) - 4
            body.append(_text(x + column / 2, y, number(totals[i]), cls="total"))
    return _svg(frame.width, frame.height, body, title)


def lines(categories: Sequence[str], series: Sequence[Series], *, unit: str,
          title: str, width: float = WIDTH) -> str:
    """One line per series across the categories (zero where it has no value), a point per
    non-zero value."""
    frame = _Frame(width=width)
    scale = ticks(max((v for s in series for v in s.values), default=0))
    top = scale[-1]
    band = frame.plot_width / max(1, len(categories))
    body = _value_axis(frame, scale, unit) + _category_axis(frame, categories, band)

    def at(i: int, value: float) -> tuple[float, float]:
        return (frame.left + band * (i + 0.5),
                frame.top + frame.plot_height * (1 - value / top))

    for index, one in enumerate(series):
        points = [at(i, v) for i, v in enumerate(one.values)]
        if len(points) > 1:
            path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}"
                            for i, (x, y) in enumerate(points))
            body.append(f'<path class="line" d="{path}" stroke="{colour(index)}" '
                        f'data-series="{index}"/>')
        for i, ((x, y), value) in enumerate(zip(points, one.values, strict=True)):
            if value > 0:
                tip = f"{one.name} · {categories[i]}: {number(value)} {unit}"
                body.append(f'<circle class="mark" {_attrs(cx=f"{x:.1f}", cy=f"{y:.1f}")} '
                            f'r="4" {_attrs(fill=colour(index), data_series=index)} '
                            f'{_attrs(data_tip=tip)}/>')
    return _svg(frame.width, frame.height, body, title)


def stacked_bars(labels: Sequence[str], series: Sequence[Series], *, unit: str,
                 title: str, width: float = WIDTH) -> str:
    """One horizontal bar per label, top to bottom, its series stacked, the total after it
    (0 included, so that an empty row still says so)."""
    row, bar, top_margin, bottom = 24.0, 15.0, 8.0, 30.0
    widest = max(map(len, labels), default=1)
    shown = [name if len(name) <= 40 else name[:39] + "…" for name in labels]
    left = min(280.0, max(60.0, min(widest, 40) * CHAR_WIDTH + 12))
    right = 48.0
    room = width - left - right
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    scale = ticks(max(totals, default=0))
    most = scale[-1]
    height = top_margin + row * len(labels) + bottom
    base_y = top_margin + row * len(labels)
    body = []
    for tick in scale:
        x = left + room * tick / most
        body.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top_margin}" '
                    f'y2="{base_y:.1f}"/>')
        body.append(_text(x, base_y + 16, number(tick), cls="tick"))
    body.append(_text(width - right, base_y + 28, unit, anchor="end", cls="unit"))
    for i, name in enumerate(labels):
        y = top_margin + row * i + (row - bar) / 2
        label = _text(left - 8, y + bar - 3, shown[i], anchor="end")
        body.append(label.replace("</text>", f"<title>{escape(name)}</title></text>"))
        start = 0.0
        for index, one in enumerate(series):
            value = one.values[i]
            if value <= 0:
                continue
            x = left + room * start / most
            body.append(_mark_rect(x, y, room * value / most, bar, index,
                                   f"{name} · {one.name}: {number(value)} {unit}"))
            start += value
        body.append(_text(left + room * totals[i] / most + 4, y + bar - 3,
                          number(totals[i]), anchor="start", cls="total"))
    return _svg(width, height, body, title)
