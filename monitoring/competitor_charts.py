"""Plotly figures of competitor tracking (JSON for static/js/charts.js)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from monitoring.analytics import competition
from monitoring.charts import GRID, PRIMARY
from planner.charts import figure_data

RIVAL_COLOURS = ["#d97706", "#0d9488", "#db2777", "#7c3aed", "#65a30d", "#64748b", "#0284c7"]
GOAL_COLOUR = "#111827"


def share_of_voice(data: dict[str, Any]) -> dict[str, Any]:
    """Share of voice per month, stacked to 100 %: us at the bottom, then each competitor,
    with our goal as a dashed line (from the share-of-voice KPI).

    ``data`` is :func:`monitoring.competitor_queries.share_of_voice`."""
    months = data["months"]
    names: dict[str, str] = data["names"]
    xs = [m["month"].isoformat() for m in months]
    rivals = sorted(
        {b["brand"] for m in months for b in m["brands"]} - {competition.US},
        key=lambda key: names.get(key, key),
    )
    brands = [competition.US, *rivals]
    figure = go.Figure()
    for n, brand in enumerate(brands):
        by_month = {m["month"]: {b["brand"]: b for b in m["brands"]} for m in months}
        shares, mentions = [], []
        for m in months:
            found = by_month[m["month"]].get(brand)
            shares.append(found["share"] if found else 0.0)
            mentions.append(found["mentions"] if found else 0)
        is_us = brand == competition.US
        colour = PRIMARY if is_us else RIVAL_COLOURS[(n - 1) % len(RIVAL_COLOURS)]
        figure.add_scatter(
            x=xs,
            y=shares,
            name=_("Us") if is_us else names.get(brand, brand),
            stackgroup="sov",
            mode="lines",
            line={"width": 1.5 if not is_us else 2.5, "color": colour},
            customdata=mentions,
            hovertemplate="%{fullData.name}: %{y:.1%} (%{customdata:,} "
            + _("mentions")
            + ")<extra></extra>",
        )
    goal_points = [m["goal"] for m in months]
    if any(g is not None for g in goal_points):
        figure.add_scatter(
            x=xs,
            y=goal_points,
            name=_("Our goal"),
            mode="lines+markers",
            line={"color": GOAL_COLOUR, "width": 2, "dash": "dash"},
            marker={"size": 5},
            hovertemplate="%{fullData.name}: %{y:.1%}<extra></extra>",
        )
    figure.update_layout(
        height=360,
        margin={"l": 48, "r": 16, "t": 16, "b": 40},
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.15, "x": 0},
        xaxis={"type": "date", "gridcolor": GRID, "dtick": "M1", "tickformat": "%b"},
        yaxis={"tickformat": ".0%", "range": [0, 1], "gridcolor": GRID},
    )
    return figure_data(figure)
