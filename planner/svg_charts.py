"""Static SVG charts for printed documents (the plan document, its PDF).

Pure: numbers and labels in, an ``<svg>`` string out; no Django, no scripts, no
external resources, so the charts render the same in a browser, in print and in
WeasyPrint. Colours are presentation attributes (no ``style`` attributes, so the
page's CSP holds). Every text is XML-escaped here: callers pass plain strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 640
FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"
INK = "#1f2933"
MUTED = "#6b7785"
GRID = "#d9dee5"
PALETTE = ("#2f4b7c", "#4e9f8f", "#e0a030", "#c8553d", "#7a5195", "#8c9aa8")
RAG = {"green": "#2e8b57", "amber": "#e0a030", "red": "#c8553d", "grey": "#a0aab4"}
GRADE_COLOURS = {"A": "#2e8b57", "B": "#e0a030", "C": "#c8553d"}


def esc(text: object) -> str:
    """Text for an SVG text node or attribute."""
    return escape(str(text), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(height: float, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="svg-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {_num(height)}" width="{WIDTH}" height="{_num(height)}" '
        f'font-family="{esc(FONT)}" font-size="12">'
        f"<title>{esc(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK, size: int = 12
) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{fill}" '
        f'font-size="{size}">{esc(text)}</text>'
    )


def _truncate(text: str, limit: int) -> str:
    width, out = 0, list[str]()
    for ch in text:
        width += 2 if ord(ch) > 0x2E80 else 1
        if width > limit:
            return "".join(out) + "…"
        out.append(ch)
    return text


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no data (drawn as an empty row)
    text: str = ""  # the figure written after the bar; defaults to the value
    colour: str = PALETTE[0]


def hbars(
    bars: Sequence[Bar],
    *,
    title: str,
    maximum: float | None = None,
    markers: Sequence[tuple[float, str]] = (),
    empty: str = "—",
) -> str:
    """Horizontal bars, one per row, with optional vertical markers (value, label)
    such as the 100 % target or the at-risk threshold."""
    label_w, text_w, row_h, top = 190, 110, 24, 22 if markers else 8
    plot_w = WIDTH - label_w - text_w
    values = [b.value for b in bars if b.value is not None]
    top_value = maximum or max([*values, *(m for m, _ in markers), 0.0]) or 1.0
    height = top + row_h * max(len(bars), 1) + 8
    body: list[str] = []
    for index, (value, label) in enumerate(sorted(markers)):
        x = label_w + plot_w * min(value / top_value, 1.0)
        body.append(
            f'<line x1="{_num(x)}" y1="{top - 4}" x2="{_num(x)}" y2="{_num(height - 6)}" '
            f'stroke="{MUTED}" stroke-dasharray="3 3" stroke-width="1"/>'
        )
        # Neighbouring markers: the lower one's label to the left, the next to the right.
        last = index == len(markers) - 1 and len(markers) > 1
        anchor, dx = ("start", 3) if last else ("end", -3) if len(markers) > 1 else ("middle", 0)
        body.append(_text(x + dx, top - 8, label, anchor=anchor, fill=MUTED, size=10))
    if not bars:
        body.append(_text(WIDTH / 2, top + 16, empty, anchor="middle", fill=MUTED))
    for i, bar in enumerate(bars):
        y = top + i * row_h
        body.append(_text(label_w - 8, y + 16, _truncate(bar.label, 26), anchor="end"))
        body.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{plot_w}" height="{row_h - 10}" '
            f'fill="{GRID}" opacity="0.35"/>'
        )
        if bar.value is not None and bar.value > 0:
            w = plot_w * min(bar.value / top_value, 1.0)
            body.append(
                f'<rect x="{label_w}" y="{y + 5}" width="{_num(w)}" height="{row_h - 10}" '
                f'fill="{esc(bar.colour)}" rx="2"/>'
            )
        figure = bar.text or (empty if bar.value is None else _num(bar.value))
        body.append(_text(label_w + plot_w + 8, y + 16, figure, fill=INK))
    return _svg(height, body, title)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]  # one per category
    colour: str


def _legend(series: Sequence[Series], y: float) -> list[str]:
    body, x = [], 60.0
    for s in series:
        body.append(
            f'<rect x="{_num(x)}" y="{_num(y - 9)}" width="10" height="10" fill="{s.colour}"/>'
        )
        body.append(_text(x + 14, y, s.label, size=11))
        x += 24 + sum(2 if ord(ch) > 0x2E80 else 1 for ch in s.label) * 6.5
    return body


def _axis(max_value: float, top: float, plot_h: float, left: float, right: float, fmt) -> list[str]:
    body = []
    for step in range(5):
        value = max_value * step / 4
        y = top + plot_h - plot_h * step / 4
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{right}" y2="{_num(y)}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, fmt(value), anchor="end", fill=MUTED, size=10))
    return body


def _compact(value: float) -> str:
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return _num(value / limit) + suffix
    return _num(value)


def columns(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    stacked: bool = False,
    fmt=_compact,
) -> str:
    """Vertical bars per category (e.g. quarters): grouped side by side, or stacked."""
    left, right, top, plot_h = 70.0, WIDTH - 20.0, 16.0, 180.0
    n = max(len(categories), 1)
    slot = (right - left) / n
    if stacked:
        totals = [sum(max(s.values[i], 0) for s in series) for i in range(len(categories))]
    else:
        totals = [max((s.values[i] for s in series), default=0) for i in range(len(categories))]
    max_value = max([*totals, 0.0]) or 1.0
    body = _axis(max_value, top, plot_h, left, right, fmt)
    group = slot * 0.7
    for i, category in enumerate(categories):
        x0 = left + slot * i + (slot - group) / 2
        base = top + plot_h
        for j, s in enumerate(series):
            value = max(s.values[i], 0)
            h = plot_h * value / max_value
            if stacked:
                x, w, y = x0, group, base - h
                base -= h
            else:
                w = group / max(len(series), 1)
                x, y = x0 + j * w, top + plot_h - h
            if h > 0:
                body.append(
                    f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w - 2, 1))}" '
                    f'height="{_num(h)}" fill="{s.colour}"/>'
                )
        body.append(_text(left + slot * i + slot / 2, top + plot_h + 16, category, anchor="middle"))
    body += _legend(series, top + plot_h + 40)
    return _svg(top + plot_h + 50, body, title)


def lines(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    fmt=_compact,
) -> str:
    """Lines over categories (e.g. months): cumulative planned against actual spend.
    A series may be shorter than the categories (actuals so far)."""
    left, right, top, plot_h = 70.0, WIDTH - 20.0, 16.0, 180.0
    n = max(len(categories), 1)
    step = (right - left) / max(n - 1, 1)
    max_value = max([v for s in series for v in s.values] + [0.0]) or 1.0
    body = _axis(max_value, top, plot_h, left, right, fmt)
    for i, category in enumerate(categories):
        body.append(_text(left + step * i, top + plot_h + 16, category, anchor="middle", size=10))
    for s in series:
        points = [
            (left + step * i, top + plot_h - plot_h * max(v, 0) / max_value)
            for i, v in enumerate(s.values)
        ]
        if not points:
            continue
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{s.colour}" stroke-width="2.5"/>'
        )
        for x, y in points:
            body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2.5" fill="{s.colour}"/>')
    body += _legend(series, top + plot_h + 40)
    return _svg(top + plot_h + 50, body, title)


@dataclass(frozen=True)
class Span:
    label: str
    start: float  # 0–1: the share of the period elapsed at the start
    end: float  # 0–1
    colour: str = PALETTE[1]


def timeline(
    spans: Sequence[Span],
    *,
    title: str,
    ticks: Sequence[str],
    markers: Sequence[tuple[float, str]] = (),
) -> str:
    """A Gantt-like calendar: one bar per span over a period divided into ``ticks``
    (e.g. months), with optional marker lines (e.g. festival peaks)."""
    label_w, right, row_h, top = 190.0, WIDTH - 12.0, 20.0, 30.0
    plot_w = right - label_w
    height = top + row_h * max(len(spans), 1) + 10
    body: list[str] = []
    n = max(len(ticks), 1)
    for i, tick in enumerate(ticks):
        x = label_w + plot_w * i / n
        body.append(
            f'<line x1="{_num(x)}" y1="{top - 6}" x2="{_num(x)}" y2="{_num(height - 4)}" '
            f'stroke="{GRID}"/>'
        )
        body.append(_text(x + plot_w / n / 2, top - 12, tick, anchor="middle", fill=MUTED, size=10))
    for position, label in markers:
        x = label_w + plot_w * min(max(position, 0.0), 1.0)
        body.append(
            f'<line x1="{_num(x)}" y1="{top - 4}" x2="{_num(x)}" y2="{_num(height - 4)}" '
            f'stroke="{PALETTE[3]}" stroke-dasharray="2 3" stroke-width="1">'
            f"<title>{esc(label)}</title></line>"
        )
    for i, span in enumerate(spans):
        y = top + i * row_h
        body.append(_text(label_w - 8, y + 14, _truncate(span.label, 26), anchor="end"))
        start = min(max(span.start, 0.0), 1.0)
        end = min(max(span.end, start), 1.0)
        w = max(plot_w * (end - start), 2.0)
        body.append(
            f'<rect x="{_num(label_w + plot_w * start)}" y="{_num(y + 4)}" width="{_num(w)}" '
            f'height="{_num(row_h - 8)}" fill="{esc(span.colour)}" rx="2"/>'
        )
    return _svg(height, body, title)
