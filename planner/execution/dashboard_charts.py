"""Plotly figures of the manager's dashboard (JSON for static/js/charts.js).

Written as plain figure dicts rather than ``plotly.graph_objects``: building and
validating a Figure costs tens of milliseconds, which alone would blow the dashboard's
time budget; the JSON drawn by plotly.js is the same.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kpis.charts import STATUS_COLOURS
from planner.execution.dashboard import BudgetBurn, KpiLine


def _vline(x: float, colour: str, dash: str = "solid") -> dict[str, Any]:
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "width": 1, "dash": dash},
    }


def kpi_attainment(kpis: list[KpiLine], at_risk: float, off_track: float) -> dict[str, Any] | None:
    """Quarter-to-date attainment per KPI against 100 %, coloured by the plan's thresholds."""
    shown = [k for k in kpis if k.ratio is not None]
    if not shown:
        return None
    percents = [float(k.ratio or 0) * 100 for k in shown]
    bar = {
        "type": "bar",
        "orientation": "h",
        "x": [min(p, 200.0) for p in percents],
        "y": [k.name for k in shown],
        "marker": {"color": [STATUS_COLOURS.get(k.status, "#9ca3af") for k in shown]},
        "text": [f"{p:.0f}%" for p in percents],
        "textposition": "auto",
        "hovertemplate": "%{y}: %{text}<extra></extra>",
    }
    layout = {
        "height": max(160, 30 * len(shown) + 50),
        "margin": {"l": 8, "r": 12, "t": 8, "b": 28},
        "xaxis": {"ticksuffix": "%", "gridcolor": "#e5e7eb", "rangemode": "tozero"},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "showlegend": False,
        "shapes": [
            _vline(100, "#111827", "dot"),
            _vline(at_risk * 100, STATUS_COLOURS["at_risk"]),
            _vline(off_track * 100, STATUS_COLOURS["off_track"]),
        ],
    }
    return {"data": [bar], "layout": layout}


def budget_by_quarter(burn: BudgetBurn, quarter: int, symbol: str = "¥") -> dict[str, Any] | None:
    """Planned against spent (actual) and committed per quarter; the chosen quarter stands out."""
    if not any(f.planned or f.actual or f.committed for f in burn.by_quarter):
        return None
    labels = [_("Q%(q)s") % {"q": q} for q in (1, 2, 3, 4)]
    opacity = [1.0 if q == quarter else 0.45 for q in (1, 2, 3, 4)]
    hover = "%{x}: " + symbol + "%{y:,.0f}<extra>%{fullData.name}</extra>"
    actual = [float(f.actual) for f in burn.by_quarter]

    def bar(
        name: str, values: list[float], colour: str, group: str, **extra: Any
    ) -> dict[str, Any]:
        return {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": values,
            "marker": {"color": colour, "opacity": opacity},
            "hovertemplate": hover,
            "offsetgroup": group,
            **extra,
        }

    data = [
        bar(
            pgettext("budget money", "Planned"),
            [float(f.planned) for f in burn.by_quarter],
            "#94a3b8",
            "planned",
        ),
        bar(pgettext("budget money", "Actual"), actual, "#2563eb", "spent"),
        bar(
            pgettext("budget money", "Committed"),
            [float(f.committed) for f in burn.by_quarter],
            "#93c5fd",
            "spent",
            base=actual,
        ),
    ]
    layout = {
        "height": 260,
        "barmode": "group",
        "margin": {"l": 56, "r": 8, "t": 28, "b": 28},
        "legend": {"orientation": "h", "y": 1.18, "x": 0},
        "yaxis": {"gridcolor": "#e5e7eb", "tickprefix": symbol, "rangemode": "tozero"},
    }
    return {"data": data, "layout": layout}
