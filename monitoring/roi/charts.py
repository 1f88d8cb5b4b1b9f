"""Plotly figures of the ROI page: scenario ROI with its range, and the response curves."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from django.utils.translation import gettext as _

from core.templatetags.almanac import CURRENCY_SYMBOLS
from monitoring.roi.queries import Scenarios
from planner.charts import figure_data

PRIMARY = "#3b49df"
MUTED = "#94a3b8"
CUSTOM = "#d97706"
BAD = "#dc2626"
GRID = "#e5e7eb"
PALETTE = [
    "#3b49df",
    "#0d9488",
    "#d97706",
    "#db2777",
    "#7c3aed",
    "#65a30d",
    "#0284c7",
    "#b45309",
    "#be123c",
    "#4d7c0f",
    "#6d28d9",
    "#475569",
]


def scenario_bars(found: Scenarios, floor: float) -> dict[str, Any] | None:
    """ROI per scenario with the 10th–90th percentile as error bars; the floor as a line."""
    if found.baseline is None:
        return None
    rows = [found.baseline, *found.rows, *found.custom]
    rows = [r for r in rows if r.outcome.roi is not None]
    if not rows:
        return None
    custom = {s.key for s in found.custom}
    rois = [r.outcome.roi or 0.0 for r in rows]
    figure = go.Figure(
        go.Bar(
            x=[r.label for r in rows],
            y=rois,
            marker={
                "color": [
                    PRIMARY if r.key == "baseline" else CUSTOM if r.key in custom else MUTED
                    for r in rows
                ]
            },
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [max((r.outcome.roi_high or 0) - (r.outcome.roi or 0), 0) for r in rows],
                "arrayminus": [
                    max((r.outcome.roi or 0) - (r.outcome.roi_low or 0), 0) for r in rows
                ],
                "color": "#334155",
                "thickness": 1.2,
            },
            customdata=[[r.outcome.roi_low, r.outcome.roi_high] for r in rows],
            hovertemplate=(
                "<b>%{x}</b><br>ROI %{y:.1%}<br>"
                + _("range")
                + " %{customdata[0]:.1%} – %{customdata[1]:.1%}<extra></extra>"
            ),
        )
    )
    figure.add_hline(y=floor, line={"color": BAD, "dash": "dot", "width": 1})
    # The line's label sits above the plot area, like a legend: on the line it would
    # cover the first bars whatever their height.
    figure.add_annotation(
        text=_("┄ ROI floor %(floor)s") % {"floor": f"{floor * 100:.0f} %"},
        xref="paper",
        yref="paper",
        x=0,
        y=1,
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        font={"color": BAD, "size": 12},
    )
    figure.update_layout(
        height=360,
        margin={"l": 8, "r": 8, "t": 28, "b": 8},
        yaxis={"tickformat": ".0%", "gridcolor": GRID, "zerolinecolor": "#94a3b8"},
        xaxis={"automargin": True, "tickangle": -35},
        showlegend=False,
    )
    return figure_data(figure)


def response_curves(found: Scenarios, currency: str) -> dict[str, Any] | None:
    """Weekly revenue against weekly spend per channel: the fitted curve up to 1.5× the
    largest week, the weeks observed as dots, and the current mean spend marked."""
    if not found.curves:
        return None
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    figure = go.Figure()
    for n, curve in enumerate(found.curves):
        code = curve.channel.code
        colour = PALETTE[n % len(PALETTE)]
        fit = found.fits[code]
        spend = np.asarray(curve.weekly_spend, dtype=float)
        top = float(spend.max()) * 1.5 if len(spend) and spend.max() > 0 else 1.0
        xs = np.linspace(0, top, 60)
        name = found.names[code]
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=fit.curve.revenue(xs),
                mode="lines",
                name=name,
                legendgroup=code,
                line={
                    "color": colour,
                    "width": 2,
                    "dash": "solid" if curve.status == "fitted" else "dash",
                },
                hovertemplate=(
                    f"<b>{name}</b><br>{symbol}%{{x:,.0f}} → {symbol}%{{y:,.0f}}<extra></extra>"
                ),
            )
        )
        mean = float(spend.mean()) if len(spend) else 0.0
        figure.add_trace(
            go.Scatter(
                x=[mean],
                y=fit.curve.revenue(np.array([mean])),
                mode="markers",
                name=name,
                legendgroup=code,
                showlegend=False,
                marker={
                    "color": colour,
                    "size": 11,
                    "symbol": "diamond",
                    "line": {"color": "#fff", "width": 1},
                },
                hovertemplate=(
                    f"<b>{name}</b><br>"
                    + _("current weekly spend")
                    + f" {symbol}%{{x:,.0f}}<br>"
                    + _("revenue per extra unit of spend")
                    + f" {fit.curve.marginal(mean):.2f}<extra></extra>"
                ),
            )
        )
    figure.update_layout(
        height=420,
        margin={"l": 8, "r": 8, "t": 16, "b": 8},
        xaxis={
            "title": {"text": _("Weekly spend")},
            "tickprefix": symbol,
            "tickformat": "~s",
            "gridcolor": GRID,
            "rangemode": "tozero",
        },
        yaxis={
            "title": {"text": _("Weekly revenue")},
            "tickprefix": symbol,
            "tickformat": "~s",
            "gridcolor": GRID,
            "rangemode": "tozero",
        },
        legend={"orientation": "h", "y": -0.2},
    )
    return figure_data(figure)
