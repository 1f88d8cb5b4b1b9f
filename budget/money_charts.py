"""Plotly figures of the budget tree page (JSON for static/js/charts.js)."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from planner.charts import figure_data


def burn_chart(year: int, burn: dict[str, Any], currency_symbol: str = "¥") -> dict[str, Any]:
    """Cumulative actual spend at each month's end against the planned line, which
    rises by each quarter's planned amount to its quarter's end."""
    ends = [date(year, m, calendar.monthrange(year, m)[1]) for m in range(1, 13)]
    planned_x = [date(year, 1, 1), *(ends[q * 3 + 2] for q in range(4))]
    planned_y = [0.0]
    running = Decimal(0)
    for amount in burn["planned"]:
        running += amount
        planned_y.append(float(running))
    last = burn["last_month"]
    actual_x, actual_y = [date(year, 1, 1)], [0.0]
    running = Decimal(0)
    for month in range(1, last + 1):
        running += burn["actual"][month - 1]
        actual_x.append(ends[month - 1])
        actual_y.append(float(running))
    figure = go.Figure()
    figure.add_scatter(
        x=[d.isoformat() for d in planned_x],
        y=planned_y,
        name=_("Planned (by quarter)"),
        mode="lines+markers",
        line={"color": "#94a3b8", "dash": "dash", "width": 2},
        hovertemplate="%{x|%b %Y}: " + currency_symbol + "%{y:,.0f}<extra></extra>",
    )
    figure.add_scatter(
        x=[d.isoformat() for d in actual_x],
        y=actual_y,
        name=_("Actual spend (cumulative)"),
        mode="lines+markers",
        line={"color": "#2563eb", "width": 3},
        fill="tozeroy",
        fillcolor="rgba(37,99,235,0.08)",
        hovertemplate="%{x|%b %Y}: " + currency_symbol + "%{y:,.0f}<extra></extra>",
    )
    figure.update_layout(
        height=300,
        margin={"l": 56, "r": 8, "t": 24, "b": 32},
        legend={"orientation": "h", "y": 1.15, "x": 0},
        xaxis={"type": "date", "tickformat": "%b", "gridcolor": "#f1f5f9"},
        yaxis={"gridcolor": "#e5e7eb", "tickprefix": currency_symbol, "rangemode": "tozero"},
    )
    return figure_data(figure)
