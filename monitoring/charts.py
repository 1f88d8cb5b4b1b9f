"""Plotly figures for the monitoring pages (JSON for static/js/charts.js)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.templatetags.almanac import CURRENCY_SYMBOLS
from monitoring.models import Metric
from planner.charts import figure_data

if TYPE_CHECKING:
    from content.models import Campaign

#: How each metric reads: a count, money, a rate (a fraction) or a ratio.
METRIC_UNITS: dict[str, str] = {
    "impressions": "count",
    "clicks": "count",
    "visits": "count",
    "signups": "count",
    "conversions": "count",
    "new_users": "count",
    "spend": "money",
    "revenue": "money",
    "cpc": "money",
    "cpa": "money",
    "ctr": "percent",
    "cvr": "percent",
    "roas": "ratio",
}

# The campaign themes' colours (the calendar's, see static/css/content.css).
THEME_COLOURS = {
    "festival": "#db2777",
    "seasonal": "#0d9488",
    "ip_tie_in": "#7c3aed",
    "csr": "#65a30d",
    "product_launch": "#0284c7",
    "always_on": "#64748b",
}
FUNNEL_COLOURS = ["#3b49df", "#4f5fe6", "#6675ea", "#7f8cee", "#98a3f2", "#b3bbf6"]
PRIMARY = "#3b49df"
SECONDARY = "#d97706"
GRID = "#e5e7eb"


def metric_label(code: str) -> str:
    """A metric's short name: "CTR", not "CTR (clicks / impressions)"."""
    try:
        label = str(Metric(code).label)
    except ValueError:
        return code
    return label.split(" (", 1)[0]


def _date_ticks() -> list[dict[str, Any]]:
    """Date ticks in the reader's language: days up to a month apart, then months."""
    month_ms = 28 * 24 * 3600 * 1000
    return [
        {
            "dtickrange": [None, month_ms],
            # Translators: a d3 time format for a day on a chart axis ("Mar 5"; "3月5日").
            "value": pgettext("chart axis", "%b %-d"),
        },
        {
            "dtickrange": [month_ms, None],
            # Translators: a d3 time format for a month on a chart axis ("Mar 2027"; "2027年3月").
            "value": pgettext("chart axis", "%b %Y"),
        },
    ]


def _axis(unit: str, currency: str) -> dict[str, Any]:
    if unit == "percent":
        return {"tickformat": ".1%"}
    if unit == "money":
        return {"tickprefix": CURRENCY_SYMBOLS.get(currency, currency + " "), "tickformat": ",.0f"}
    if unit == "ratio":
        return {"tickformat": ".2f", "ticksuffix": "×"}
    return {"tickformat": ",.0f"}


def _hover_value(unit: str, currency: str) -> str:
    if unit == "percent":
        return "%{y:.2%}"
    if unit == "money":
        return CURRENCY_SYMBOLS.get(currency, currency + " ") + "%{y:,.2f}"
    if unit == "ratio":
        return "%{y:.2f}×"
    return "%{y:,.0f}"


def funnel(stages: Sequence[dict[str, Any]], first: tuple[str, float]) -> dict[str, Any]:
    """The funnel of the configured stages: counts, with the conversion from the stage
    before and from the first stage on each bar.

    ``first`` is the first stage (code, count); ``stages`` the following ones as
    :func:`monitoring.queries.funnel` gives them (stage, count, conversion, drop_off)."""
    names = [metric_label(first[0])] + [metric_label(s["stage"]) for s in stages]
    counts = [first[1]] + [s["count"] or 0 for s in stages]
    drop_text = [""] + [
        _("Drop-off from the stage before: %(pct)s")
        % {"pct": "—" if s["drop_off"] is None else f"{s['drop_off']:.1%}"}
        for s in stages
    ]
    figure = go.Figure(
        go.Funnel(
            y=names,
            x=counts,
            textinfo="value+percent previous",
            texttemplate="%{value:,.0f}<br>%{percentPrevious:.1%}",
            # Inside a wide bar, beside a narrow one (exposure often dwarfs the rest).
            textposition=["inside" if c >= 0.3 * max(counts[0], 1) else "outside" for c in counts],
            customdata=drop_text,
            hovertemplate=(
                "<b>%{y}</b>: %{x:,.0f}<br>"
                + _("From the stage before")
                + ": %{percentPrevious:.1%}<br>"
                + _("From the first stage")
                + ": %{percentInitial:.1%}<br>%{customdata}<extra></extra>"
            ),
            marker={"color": FUNNEL_COLOURS[: len(names)]},
            connector={"line": {"color": GRID, "width": 1}, "fillcolor": "#eef0ff"},
        )
    )
    figure.update_layout(
        height=320,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        yaxis={"automargin": True},
        showlegend=False,
    )
    return figure_data(figure)


def _label_rows(bands: Sequence[Campaign], first: date, last: date) -> dict[int, int]:
    """The row of each band's number above the plot, so that the numbers of campaigns
    starting close together do not print over each other."""
    room = max((last - first).days, 1) / 25
    ends: list[float] = []
    rows: dict[int, int] = {}
    for c in bands:
        start = (max(c.start, first) - first).days
        row = next((n for n, end in enumerate(ends) if end <= start), len(ends))
        if row == len(ends):
            ends.append(start + room)
        else:
            ends[row] = start + room
        rows[c.pk] = row
    return rows


def shown_bands(bands: Sequence[Campaign], first: date, last: date) -> list[Campaign]:
    """The campaigns that overlap the days from ``first`` to ``last``, in the order given."""
    return [c for c in bands if c.end >= first and c.start <= last]


def window(starts: Sequence[date], every: str) -> tuple[date, date]:
    """The first and the last day a trend's points cover."""
    step = timedelta(days=7 if every == "week" else 1)
    return starts[0], starts[-1] + step - timedelta(days=1)


def band_legend(bands: Sequence[Campaign], first: date, last: date) -> list[dict[str, Any]]:
    """The numbered list under a trend chart: number, campaign and colour of each band."""
    shown = {c.pk for c in shown_bands(bands, first, last)}
    return [
        {"number": n, "campaign": c, "colour": THEME_COLOURS.get(c.theme, "#64748b")}
        for n, c in enumerate(bands, start=1)
        if c.pk in shown
    ]


def trend(
    points: Sequence[tuple[date, float | None, float | None]],
    *,
    metric: str,
    compare: str | None,
    currency: str,
    bands: Sequence[Campaign],
    every: str,
) -> dict[str, Any]:
    """A metric over time (bars for amounts, a line for rates), optionally a second one
    on its own axis, with the campaigns shaded as bands behind.

    ``points`` are (period start, metric value, compare value); a band covers a campaign's
    days (its last day included), is named after it and labelled with its number in
    ``bands`` (1, 2, …; the page lists the numbers with the names and dates)."""
    unit = METRIC_UNITS.get(metric, "count")
    xs = [p[0].isoformat() for p in points]
    step = timedelta(days=7 if every == "week" else 1)
    # Each value spans its period (a week's bar covers Monday to Sunday), like the bands.
    period = {
        "xperiod": int(step.total_seconds() * 1000),
        "xperiod0": xs[0] if xs else None,
        "xperiodalignment": "middle",
    }
    when = [
        _("Week of %(day)s") % {"day": date_format(p[0], "SHORT_DATE_FORMAT")}
        if every == "week"
        else date_format(p[0], "SHORT_DATE_FORMAT")
        for p in points
    ]
    figure = go.Figure()
    primary: dict[str, Any] = {
        **period,
        "x": xs,
        "y": [p[1] for p in points],
        "customdata": when,
        "name": metric_label(metric),
        "hovertemplate": "%{customdata}<br>%{fullData.name}: "
        + _hover_value(unit, currency)
        + "<extra></extra>",
    }
    if unit in ("count", "money"):
        figure.add_bar(**primary, marker={"color": PRIMARY}, opacity=0.85)
    else:
        figure.add_scatter(**primary, mode="lines", line={"color": PRIMARY, "width": 2})
    layout: dict[str, Any] = {
        "height": 340,
        "bargap": 0.15,
        "margin": {"l": 56, "r": 56 if compare else 16, "t": 16, "b": 40},
        "legend": {"orientation": "h", "y": -0.15, "x": 0},
        "hovermode": "x",
        "xaxis": {"type": "date", "gridcolor": GRID, "tickformatstops": _date_ticks()},
        "yaxis": {"gridcolor": GRID, "rangemode": "tozero", **_axis(unit, currency)},
    }
    if compare:
        second = METRIC_UNITS.get(compare, "count")
        figure.add_scatter(
            **period,
            x=xs,
            y=[p[2] for p in points],
            name=metric_label(compare),
            yaxis="y2",
            mode="lines",
            line={"color": SECONDARY, "width": 2},
            customdata=when,
            hovertemplate="%{customdata}<br>%{fullData.name}: "
            + _hover_value(second, currency)
            + "<extra></extra>",
        )
        layout["yaxis2"] = {
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
            **_axis(second, currency),
        }
    if points:
        first, last = window([p[0] for p in points], every)
        number = {c.pk: n for n, c in enumerate(bands, start=1)}
        shown = shown_bands(bands, first, last)
        rows = _label_rows(shown, first, last)
        shapes, annotations = [], []
        for c in shown:
            colour = THEME_COLOURS.get(c.theme, "#64748b")
            start, end = max(c.start, first), min(c.end, last) + timedelta(days=1)
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": start.isoformat(),
                    "x1": end.isoformat(),
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": colour,
                    "opacity": 0.13,
                    "line": {"width": 0},
                    "layer": "below",
                    "name": c.name,
                }
            )
            annotations.append(
                {
                    "xref": "x",
                    "yref": "paper",
                    "x": start.isoformat(),
                    "y": 1,
                    "yshift": 2 + 14 * rows[c.pk],
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "text": f"<b>{number[c.pk]}</b>",
                    "hovertext": f"{c.name}: {date_format(c.start, 'SHORT_DATE_FORMAT')}"
                    f" – {date_format(c.end, 'SHORT_DATE_FORMAT')}",
                    "font": {"size": 11, "color": colour},
                }
            )
        layout["shapes"] = shapes
        layout["annotations"] = annotations
        layout["margin"]["t"] = 20 + 14 * (max(rows.values()) + 1 if rows else 0)
        layout["xaxis"]["range"] = [first.isoformat(), (last + timedelta(days=1)).isoformat()]
        layout["height"] = 340 + 14 * (max(rows.values()) if rows else 0)
    figure.update_layout(**layout)
    return figure_data(figure)


#: The attribution models' colours: the rule-based ones in greys and blues, the
#: data-driven one in the accent colour.
MODEL_COLOURS = {
    "last_click": "#94a3b8",
    "first_click": "#64748b",
    "linear": "#7f8cee",
    "time_decay": "#4f5fe6",
    "position_based": "#2a36a8",
    "markov": SECONDARY,
}


def attribution(
    channels: Sequence[str], models: Sequence[tuple[str, str, Sequence[float]]]
) -> dict[str, Any]:
    """Attributed conversions per channel (x) under each model (one bar per model).

    ``models``: (key, label, conversions in the order of ``channels``)."""
    figure = go.Figure(
        [
            go.Bar(
                name=label,
                y=list(channels),
                x=list(values),
                orientation="h",
                marker={"color": MODEL_COLOURS.get(key, PRIMARY)},
                hovertemplate="<b>%{y}</b><br>" + label + ": %{x:,.1f}<extra></extra>",
            )
            for key, label, values in models
        ]
    )
    figure.update_layout(
        barmode="group",
        height=max(360, 150 + 7 * len(channels) * max(len(models), 1)),
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        bargap=0.22,
        bargroupgap=0.03,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "traceorder": "normal"},
        xaxis={
            "title": {"text": _("Attributed conversions")},
            "tickformat": ",~f",  # conversions are shared: 0.5 ticks read "0.5", not "1"
            "rangemode": "tozero",
            "gridcolor": GRID,
        },
        yaxis={"automargin": True, "autorange": "reversed"},
    )
    return figure_data(figure)
