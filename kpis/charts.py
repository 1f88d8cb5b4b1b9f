"""Plotly figures for the annual-goals pages (JSON for static/js/charts.js)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from planner.charts import figure_data

if TYPE_CHECKING:
    from kpis.models import Kpi
    from kpis.queries import KpiAttainment, TreeNode

STATUS_COLOURS = {
    "on_track": "#059669",
    "at_risk": "#d97706",
    "off_track": "#dc2626",
    "no_data": "#9ca3af",
}
MONTH_LABELS = [str(m) for m in range(1, 13)]


def _scale(unit: str) -> float:
    return 100.0 if unit == "percent" else 1.0


def target_vs_actual(kpi: Kpi, node: TreeNode, row: KpiAttainment) -> dict[str, Any]:
    """Monthly target (bars) and actual (line with markers coloured by status)."""
    scale = _scale(kpi.unit)
    months = [_("M%(n)s") % {"n": m} for m in range(1, 13)]
    targets = [float(v) * scale if v is not None else None for v in node.months]
    actuals = [float(a.actual) * scale if a.actual is not None else None for a in row.months]
    colours = [STATUS_COLOURS[a.status] for a in row.months]
    figure = go.Figure()
    figure.add_bar(x=months, y=targets, name=_("Target"), marker={"color": "#c7d2fe"})
    figure.add_scatter(
        x=months,
        y=actuals,
        name=_("Actual"),
        mode="lines+markers",
        line={"color": "#3b49df", "width": 2},
        marker={"color": colours, "size": 9, "line": {"color": "#fff", "width": 1}},
        connectgaps=False,
    )
    figure.update_layout(
        height=300,
        margin={"l": 48, "r": 16, "t": 16, "b": 36},
        legend={"orientation": "h", "y": 1.12, "x": 0},
        yaxis={
            "ticksuffix": "%" if kpi.unit == "percent" else "",
            "gridcolor": "#e5e7eb",
            "rangemode": "tozero",
        },
        bargap=0.35,
    )
    return figure_data(figure)


def attainment_overview(rows: list[KpiAttainment], through: int) -> dict[str, Any]:
    """Year-to-date attainment per KPI as bars against the 100 % line."""
    shown = [r for r in rows if r.year_to_date.ratio is not None]
    names = [r.kpi.name for r in shown]
    values = [float(r.year_to_date.ratio or 0) * 100 for r in shown]
    figure = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            marker={"color": [STATUS_COLOURS[r.year_to_date.status] for r in shown]},
            text=[f"{v:.0f}%" for v in values],
            textposition="auto",
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    figure.add_vline(x=100, line={"color": "#111827", "width": 1, "dash": "dot"})
    figure.update_layout(
        height=max(160, 34 * len(shown) + 60),
        margin={"l": 8, "r": 16, "t": 8, "b": 32},
        xaxis={"ticksuffix": "%", "gridcolor": "#e5e7eb", "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "automargin": True},
        showlegend=False,
    )
    return figure_data(figure)
