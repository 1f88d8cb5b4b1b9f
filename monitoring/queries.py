"""Reads of the monitoring section. Everything comes from what the recompute job
stored (rollups, grades, alerts): a page or an API call never recomputes."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.db.models import Count, QuerySet

from content.models import Campaign
from monitoring.analytics import funnel as funnel_math
from monitoring.models import (
    METRIC_FIELDS,
    Alert,
    AlertStatus,
    ChannelGrade,
    ComputeState,
    MetricImport,
    MetricRollup,
    Period,
    Severity,
)
from monitoring.services import settings_for

if TYPE_CHECKING:
    from planner.models import Plan

GROUPS = ("channel", "campaign")
RATE_CODES = ("ctr", "cvr", "cpc", "cpa", "roas")


def _clean(value: Any) -> Any:
    """NaN (a rate over a zero denominator) becomes None for JSON and templates."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass(frozen=True)
class FunnelTable:
    stages: list[str]
    group_by: str | None
    period: str
    rows: list[dict[str, Any]]  # period_start, group id/code/name, counts, rates, stages


def funnel(
    plan: Plan,
    *,
    group_by: str | None = None,
    period: str = Period.MONTH,
    channel_id: int | None = None,
    campaign_id: int | None = None,
) -> FunnelTable:
    """Counts, stage conversion and drop-off and the rates per period, for the plan, per
    channel or per campaign (optionally one channel or campaign), from the stored rollups."""
    if group_by not in (None, *GROUPS):
        raise ValueError(group_by)
    stages = settings_for(plan).stages()
    rollups = MetricRollup.objects.filter(plan=plan, period=period)
    if group_by == "channel" or channel_id:
        rollups = rollups.filter(channel__isnull=False)
        if channel_id:
            rollups = rollups.filter(channel_id=channel_id)
        rollups = rollups.select_related("channel")
    elif group_by == "campaign" or campaign_id:
        rollups = rollups.filter(campaign__isnull=False)
        if campaign_id:
            rollups = rollups.filter(campaign_id=campaign_id)
        rollups = rollups.select_related("campaign")
    else:
        rollups = rollups.filter(channel__isnull=True, campaign__isnull=True)
    records = []
    for r in rollups.order_by("start", "channel__sort_order", "campaign__start", "pk"):
        row: dict[str, Any] = {"period_start": r.start}
        channel, campaign = r.channel, r.campaign
        if channel is not None:
            row.update(group="channel", key=channel.code, id=channel.pk, name=str(channel))
        elif campaign is not None:
            row.update(group="campaign", key=campaign.code, id=campaign.pk, name=campaign.name)
        for name in METRIC_FIELDS:
            row[name] = float(getattr(r, name))
        records.append(row)
    if not records:
        return FunnelTable(stages, group_by, period, [])
    frame = funnel_math.add_rates(pd.DataFrame(records), stages)
    rows = [{k: _clean(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
    for row in rows:
        row["period_start"] = pd.Timestamp(row["period_start"]).date()
        row["stages"] = [
            {
                "stage": b,
                "previous": a,
                "count": row[b],
                "conversion": row[conv],
                "drop_off": row[drop],
            }
            for (conv, drop), (a, b) in zip(
                funnel_math.stage_columns(stages),
                itertools.pairwise(stages),
                strict=True,
            )
        ]
    return FunnelTable(stages, group_by, period, rows)


def totals(plan: Plan, year: int | None = None) -> dict[str, Any] | None:
    """The plan's year totals with rates (None without data)."""
    table = funnel(plan, period=Period.YEAR)
    year = year or plan.year
    return next((r for r in table.rows if r["period_start"].year == year), None)


def daily_series(
    plan: Plan, metric: str, *, channel_id: int | None = None
) -> list[tuple[date, float | None]]:
    """One metric (or rate) per day, for the plan or one channel."""
    rollups = MetricRollup.objects.filter(plan=plan, period=Period.DAY)
    if channel_id:
        rollups = rollups.filter(channel_id=channel_id)
    else:
        rollups = rollups.filter(channel__isnull=True, campaign__isnull=True)
    rows = list(rollups.order_by("start").values("start", *METRIC_FIELDS))
    if not rows:
        return []
    frame = funnel_math.add_rates(
        pd.DataFrame([{**r, **{k: float(r[k]) for k in METRIC_FIELDS}} for r in rows])
    )
    return [(r["start"], _clean(float(r[metric]))) for r in frame.to_dict("records")]


def campaign_bands(plan: Plan) -> list[Campaign]:
    """The campaigns to shade on trend charts, in date order."""
    return list(Campaign.objects.filter(plan=plan).order_by("start", "code"))


def grades(plan: Plan) -> list[ChannelGrade]:
    return list(
        ChannelGrade.objects.filter(plan=plan)
        .select_related("channel")
        .order_by("grade", "-score", "channel__sort_order")
    )


def grades_by_channel(plan: Plan) -> dict[int, ChannelGrade]:
    return {g.channel_id: g for g in ChannelGrade.objects.filter(plan=plan)}


def alerts(plan: Plan, status: str | None = None) -> QuerySet[Alert]:
    found = (
        Alert.objects.filter(plan=plan)
        .select_related("channel", "kpi", "rule__playbook", "acknowledged_by", "resolved_by")
        .prefetch_related("rule__playbook__steps", "step_acks__acknowledged_by")
    )
    if status:
        found = found.filter(status=status)
    return found.order_by("status", "-window_end", "-id")


SEVERITY_ORDER = (Severity.CRITICAL, Severity.WARNING, Severity.INFO)


def open_alert_counts(plan: Plan) -> dict[str, int]:
    """Open (not yet resolved) alerts per severity, most severe first."""
    counts = dict(
        Alert.objects.filter(plan=plan)
        .exclude(status=AlertStatus.RESOLVED)
        .values_list("severity")
        .annotate(n=Count("id"))
        .values_list("severity", "n")
    )
    return {s.value: counts.get(s.value, 0) for s in SEVERITY_ORDER}


def imports(plan: Plan, limit: int = 50) -> list[MetricImport]:
    return list(
        MetricImport.objects.filter(plan=plan)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def compute_state(plan: Plan) -> ComputeState | None:
    return ComputeState.objects.filter(plan=plan).first()


# --- attribution ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttributionTable:
    """The stored attribution of a plan, channels × models, for the page and the API.

    ``models``: one dict per model (key, label, available, totals); ``rows``: one per
    channel (the channel and, per model in the same order, conversions, value and
    share of the conversions). Channels are ordered by their data-driven credit.
    """

    run: Any
    models: list[dict[str, Any]]
    rows: list[dict[str, Any]]


def attribution(plan: Plan) -> AttributionTable:
    from monitoring.models import AttributionModel, AttributionResult, AttributionRun

    run = AttributionRun.objects.filter(plan=plan).first()
    results = list(
        AttributionResult.objects.filter(plan=plan).select_related("channel").order_by("pk")
    )
    stored = {r.model for r in results}
    by_channel: dict[int, dict[str, Any]] = {}
    for r in results:
        entry = by_channel.setdefault(r.channel_id, {"channel": r.channel, "credits": {}})
        entry["credits"][r.model] = r
    models: list[dict[str, Any]] = []
    for choice in AttributionModel:
        mine = [r for r in results if r.model == choice.value]
        models.append(
            {
                "key": choice.value,
                "label": choice.label,
                "available": choice.value in stored,
                "conversions": sum(r.conversions for r in mine),
                "value": sum((r.value for r in mine), start=Decimal(0)),
            }
        )
    totals = {m["key"]: m["conversions"] for m in models}
    rows: list[dict[str, Any]] = []
    for entry in by_channel.values():
        cells = []
        for m in models:
            found = entry["credits"].get(m["key"])
            total = totals[m["key"]]
            cells.append(
                None
                if found is None
                else {
                    "model": m["key"],
                    "conversions": found.conversions,
                    "value": found.value,
                    "share": found.conversions / total if total else 0.0,
                }
            )
        rows.append({"channel": entry["channel"], "cells": cells})

    def weight(row: dict[str, Any]) -> tuple[float, float, str]:
        values = [c["conversions"] for c in row["cells"] if c]
        markov_cell = row["cells"][-1]
        return (
            -(markov_cell["conversions"] if markov_cell else 0.0),
            -max(values, default=0.0),
            row["channel"].code,
        )

    rows.sort(key=weight)
    rows = [r for r in rows if any(c and (c["conversions"] or c["value"]) for c in r["cells"])]
    return AttributionTable(run=run, models=models, rows=rows)


def journey_imports(plan: Plan, limit: int = 20) -> list[Any]:
    from monitoring.models import JourneyImport

    return list(JourneyImport.objects.filter(plan=plan).select_related("created_by")[:limit])


def journey_dataset(plan: Plan) -> dict[str, Any]:
    """The journeys the plan holds now: counts and days (from the imports they came from)."""
    from django.db.models import Max, Min, Sum

    from monitoring.models import JourneyImport, JourneyPath

    stored = JourneyPath.objects.filter(plan=plan)
    sums = stored.aggregate(
        conversions=Sum("conversions"), nulls=Sum("nulls"), value=Sum("value"), rows=Count("id")
    )
    sources = JourneyImport.objects.filter(pk__in=stored.values("source_import_id").distinct())
    days = sources.aggregate(first=Min("first_date"), last=Max("last_date"))
    last_import = (
        JourneyImport.objects.filter(plan=plan, status="succeeded", dry_run=False)
        .select_related("created_by")
        .first()
    )
    conversions = sums["conversions"] or 0
    return {
        "journeys": conversions + (sums["nulls"] or 0),
        "conversions": conversions,
        "value": sums["value"] or Decimal(0),
        "stored_rows": sums["rows"] or 0,
        "first_date": days["first"],
        "last_date": days["last"],
        "last_import": last_import,
        "imports": sources.count(),
    }
