"""Plotly figures of the supplier pages (JSON for static/js/charts.js)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from budget.models import SupplierReview
from planner.charts import figure_data

GRID = "#e5e7eb"
SERIES = (
    ("quality", "#2563eb"),
    ("timeliness", "#0d9488"),
    ("compliance", "#d97706"),
)


def scores_over_time(history: list[SupplierReview], pass_mark: int) -> dict[str, Any] | None:
    """The three scores and the weighted score per reviewed quarter, with the pass mark."""
    if not history:
        return None
    xs = [f"{r.plan.year} Q{r.quarter}" for r in history]
    labels = {
        "quality": _("Quality"),
        "timeliness": _("Timeliness"),
        "compliance": _("Compliance"),
    }
    figure = go.Figure()
    for field, colour in SERIES:
        figure.add_scatter(
            x=xs,
            y=[getattr(r, field) for r in history],
            name=str(labels[field]),
            mode="lines+markers",
            line={"color": colour, "width": 1.5},
            marker={"size": 6},
            hovertemplate="%{fullData.name}: %{y}<extra></extra>",
        )
    figure.add_scatter(
        x=xs,
        y=[float(r.score) for r in history],
        name=_("Weighted score"),
        mode="lines+markers",
        line={"color": "#111827", "width": 3},
        marker={
            "size": 10,
            "color": ["#16a34a" if r.passed else "#dc2626" for r in history],
            "line": {"color": "#111827", "width": 1},
        },
        hovertemplate="%{fullData.name}: %{y:.1f}<extra></extra>",
    )
    figure.add_scatter(
        x=xs,
        y=[pass_mark] * len(xs),
        name=_("Pass mark"),
        mode="lines",
        line={"color": "#dc2626", "width": 1.5, "dash": "dash"},
        hovertemplate="%{fullData.name}: %{y}<extra></extra>",
    )
    figure.update_layout(
        height=320,
        margin={"l": 36, "r": 12, "t": 12, "b": 40},
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.2, "x": 0},
        xaxis={"type": "category", "gridcolor": GRID},
        yaxis={"range": [0, 105], "gridcolor": GRID},
    )
    return figure_data(figure)
