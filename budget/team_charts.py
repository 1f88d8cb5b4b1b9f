"""Plotly figures of the collaboration pages (JSON for static/js/charts.js)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from budget.models.teams import CollaborationScore
from planner.charts import figure_data

LINE = "#3b49df"


def score_trend(scores: list[CollaborationScore]) -> dict[str, Any]:
    """The department's collaboration score per quarter (0–100)."""
    quarters = [f"Q{q}" for q in (1, 2, 3, 4)]
    by_quarter = {f"Q{s.quarter}": float(s.score) for s in scores}
    figure = go.Figure(
        go.Scatter(
            x=quarters,
            y=[by_quarter.get(q) for q in quarters],
            mode="lines+markers+text",
            text=[f"{by_quarter[q]:.1f}" if q in by_quarter else "" for q in quarters],
            textposition="top center",
            line={"color": LINE, "width": 3},
            marker={"size": 9},
            connectgaps=True,
            name=_("Collaboration score"),
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        )
    )
    figure.update_layout(
        height=240,
        margin={"l": 36, "r": 12, "t": 16, "b": 28},
        yaxis={"range": [0, 105], "title": None, "dtick": 25},
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": quarters},
        showlegend=False,
    )
    return figure_data(figure)
