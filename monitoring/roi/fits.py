"""The recompute job's ROI step: fit each channel's response curve to the plan's weekly
history and store it (with its bootstrap resamples and the weekly spend the scenarios
start from). Called once from ``monitoring.recompute.recompute_plan``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd

from channels.models import Channel
from monitoring.analytics import response
from monitoring.models import MetricRollup, Period
from monitoring.roi.models import ResponseCurve
from monitoring.roi.queries import channel_revenue
from monitoring.roi.services import definition_for
from planner.models import Plan


def weekly_history(plan: Plan) -> tuple[list[Any], dict[int, tuple[list[float], list[float]]]]:
    """Full weeks (Monday to Sunday inside the days with data) of the plan's year, and
    per channel its weekly spend and revenue in those weeks (0 where it had none)."""
    rows = list(
        MetricRollup.objects.filter(
            plan=plan, period=Period.DAY, channel__isnull=False, start__year=plan.year
        ).values("start", "channel_id", "spend", "revenue")
    )
    if not rows:
        return [], {}
    frame = pd.DataFrame(rows)
    frame["spend"] = frame["spend"].astype(float)
    frame["revenue"] = frame["revenue"].astype(float)
    first, last = frame["start"].min(), frame["start"].max()
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    weeks = []
    while monday + timedelta(days=6) <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    if not weeks:
        return [], {}
    frame["week"] = frame["start"].map(lambda d: d - timedelta(days=d.weekday()))
    frame = frame[frame["week"].isin(weeks)]
    sums = frame.groupby(["channel_id", "week"])[["spend", "revenue"]].sum()
    history = {}
    for channel_id in frame["channel_id"].unique():
        part = sums.loc[channel_id].reindex(weeks, fill_value=0.0)
        history[int(channel_id)] = (
            [round(float(v), 2) for v in part["spend"]],
            [round(float(v), 2) for v in part["revenue"]],
        )
    return weeks, history


def store_curves(plan: Plan, now: Any) -> int:
    """Replace the plan's response curves (one per channel with data in full weeks)."""
    ResponseCurve.objects.filter(plan=plan).delete()
    _weeks, history = weekly_history(plan)
    if not history:
        return 0
    definition = definition_for(plan)
    # The definition's revenue per channel (the same as the ROI tables): each week's
    # reported revenue times the channel's credited ÷ reported revenue of the year
    # (exactly 1 for platform revenue), so the curves answer in the definition's revenue.
    credited = channel_revenue(plan, definition)
    channels = Channel.objects.in_bulk(list(history))
    rows = []
    for channel_id, (spend, revenue) in sorted(history.items()):
        scale = credited.scale(channel_id)
        if scale != 1.0:
            revenue = [round(v * scale, 2) for v in revenue]
        fit = response.fit_channel(spend, revenue, seed=response.SEED + channel_id)
        rows.append(
            ResponseCurve(
                plan=plan,
                channel=channels[channel_id],
                status=fit.status,
                kind=fit.curve.kind,
                params=fit.curve.as_list(),
                samples=[[round(v, 6) for v in c.as_list()] for c in fit.samples],
                weekly_spend=spend,
                weekly_revenue=revenue,
                weeks=fit.weeks,
                r2=fit.r2,
                computed_at=now,
            )
        )
    ResponseCurve.objects.bulk_create(rows)
    return len(rows)
