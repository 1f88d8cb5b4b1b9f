"""Plotly figures for the channel pages (JSON for static/js/charts.js)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from planner.charts import PALETTE, figure_data

if TYPE_CHECKING:
    from channels.queries import Share, TierBlock

TIER_COLOURS = {"head": "#3b49df", "mid": "#0d9488", "koc": "#d97706"}


def budget_mix(families: list[Share], channels: list[Share]) -> dict[str, Any]:
    """Planned budget by family (inner ring) and channel (outer ring)."""
    family_key = {share.label: share.key for share in families}
    ids, labels, parents, values, colours = [], [], [], [], []
    for share in families:
        if share.budget:
            ids.append(f"family:{share.key}")
            labels.append(share.label)
            parents.append("")
            values.append(float(share.budget))
            colours.append(PALETTE.get(share.key, "#6b7280"))
    for share in channels:
        key = family_key.get(share.family_label, "")
        ids.append(f"channel:{share.key}")
        labels.append(share.label)
        parents.append(f"family:{key}")
        values.append(float(share.budget))
        colours.append(PALETTE.get(key, "#6b7280"))
    figure = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": colours, "line": {"color": "#ffffff", "width": 1}},
            hovertemplate="%{label}: %{value:,.0f} (%{percentRoot:.1%})<extra></extra>",
            insidetextorientation="radial",
        )
    )
    figure.update_layout(height=380, margin={"l": 8, "r": 8, "t": 8, "b": 8})
    return figure_data(figure)


def tier_results(blocks: list[TierBlock]) -> dict[str, Any]:
    """Fees and GMV per creator tier, side by side."""
    names = [str(b.tier.label) for b in blocks]
    figure = go.Figure()
    figure.add_bar(
        x=names,
        y=[float(b.results.fee) for b in blocks],
        name=_("Fees"),
        marker={"color": "#c7d2fe"},
    )
    figure.add_bar(
        x=names,
        y=[float(b.results.gmv) for b in blocks],
        name=_("GMV"),
        marker={"color": [TIER_COLOURS[b.tier.value] for b in blocks]},
    )
    figure.update_layout(
        height=280,
        barmode="group",
        margin={"l": 56, "r": 8, "t": 24, "b": 40},
        legend={"orientation": "h", "y": 1.15, "x": 0},
        yaxis={"gridcolor": "#e5e7eb", "tickprefix": "¥"},
    )
    return figure_data(figure)
