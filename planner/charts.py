"""Plotly figures for planner pages, as JSON for static/js/charts.js."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from channels.models import ChannelFamily


def figure_data(figure: go.Figure) -> dict[str, Any]:
    """A figure as plain JSON data, for the ``json_script`` filter (which escapes it)."""
    data: dict[str, Any] = json.loads(figure.to_json())
    return data


PALETTE = {"online": "#2563eb", "offline": "#0d9488", "crossover": "#d97706"}


def channel_mix(counts: dict[str, int]) -> dict[str, Any]:
    """Active channels per family, as a horizontal bar chart."""
    families = list(ChannelFamily)
    figure = go.Figure(
        go.Bar(
            x=[counts.get(f.value, 0) for f in families],
            y=[str(f.label) for f in families],
            orientation="h",
            marker={"color": [PALETTE[f.value] for f in families]},
            hovertemplate="%{y}: %{x}<extra></extra>",
            text=[counts.get(f.value, 0) for f in families],
            textposition="auto",
        )
    )
    figure.update_layout(
        height=180,
        margin={"l": 8, "r": 8, "t": 8, "b": 24},
        xaxis={
            "title": {"text": _("Active channels")},
            "tickformat": "d",
            "rangemode": "tozero",
            "gridcolor": "#e5e7eb",
        },
        yaxis={"autorange": "reversed", "automargin": True},
        showlegend=False,
    )
    return figure_data(figure)
