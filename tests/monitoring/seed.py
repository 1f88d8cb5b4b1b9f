"""Monitoring data in the ``world`` plan: daily metrics, rules, alerts, and snapshots of
what a recompute stores (to compare two runs)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from channels.models import Channel
from kpis.models import KpiActual
from monitoring import services
from monitoring.models import (
    METRIC_FIELDS,
    Alert,
    AlertRule,
    AlertSource,
    ChannelGrade,
    DailyMetric,
    MetricRollup,
)

D = Decimal


def channel(world: Any, code: str = "douyin") -> Channel:
    return Channel.objects.get(plan=world.plan, code=code)


def metric(
    world: Any,
    day: date,
    code: str = "douyin",
    campaign: Any = None,
    **values: Any,
) -> DailyMetric:
    """One day of one channel (and campaign); the metrics not given are 0."""
    money = {k: D(str(values.pop(k))) for k in ("spend", "revenue") if k in values}
    return DailyMetric.objects.create(
        plan=world.plan,
        date=day,
        channel=channel(world, code),
        campaign=campaign,
        **values,
        **money,
    )


def days(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def steady(world: Any, start: date, n: int, code: str = "douyin", **values: Any) -> None:
    """``n`` days with the same values from ``start``."""
    for day in days(start, n):
        metric(world, day, code, **values)


def rule(world: Any, **fields: Any) -> AlertRule:
    values: dict[str, Any] = {
        "name": "Spend above 1,000",
        "metric": "spend",
        "kind": "bounds",
        "upper": 1000.0,
        "severity": "warning",
    }
    values.update(fields)
    return services.rule_create(plan=world.plan, actor=world.users["editor"], **values)


def alert(world: Any, **fields: Any) -> Alert:
    """An open alert as the recompute would raise it."""
    now = timezone.now()
    values: dict[str, Any] = {
        "plan": world.plan,
        "source": AlertSource.RULE,
        "channel": channel(world),
        "metric": "spend",
        "window_start": date(2027, 3, 1),
        "window_end": date(2027, 3, 2),
        "expected_low": None,
        "expected_high": 1000.0,
        "observed": 2500.0,
        "severity": "warning",
        "message": "Spend above 1,000",
        "dedup_key": f"test:{Alert.objects.count()}",
        "opened_at": now,
        "last_seen_at": now,
    }
    values.update(fields)
    return Alert.objects.create(**values)


def rollups(world: Any, period: str, *, channel_code: str | None = None, campaign: Any = None):
    """``{start: {metric: value}}`` of the stored rollups of one period and grouping."""
    found = MetricRollup.objects.filter(plan=world.plan, period=period)
    if channel_code:
        found = found.filter(channel__code=channel_code)
    elif campaign is not None:
        found = found.filter(campaign=campaign)
    else:
        found = found.filter(channel__isnull=True, campaign__isnull=True)
    return {r.start: {k: getattr(r, k) for k in METRIC_FIELDS} for r in found}


def snapshot(plan: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a recompute stores for the plan, as sorted comparable rows."""
    rollup_rows = MetricRollup.objects.filter(plan=plan).values_list(
        "period", "start", "channel_id", "campaign_id", *METRIC_FIELDS
    )
    grade_rows = ChannelGrade.objects.filter(plan=plan).values_list(
        "channel_id",
        "grade",
        "score",
        "quality",
        "cost",
        "volume",
        "conversions",
        "spend",
        "cvr",
        "cpa",
        "suggested_shift",
    )
    alert_rows = Alert.objects.filter(plan=plan).values_list(
        "pk",
        "dedup_key",
        "status",
        "window_start",
        "window_end",
        "observed",
        "expected_low",
        "expected_high",
        "severity",
        "version",
        "opened_at",
        "last_seen_at",
    )
    actual_rows = KpiActual.objects.filter(kpi__plan=plan).values_list("kpi_id", "month", "value")

    def key(row: tuple[Any, ...]) -> tuple[str, ...]:
        return tuple(str(v) for v in row)

    return {
        "rollups": sorted(rollup_rows, key=key),
        "grades": sorted(grade_rows, key=key),
        "alerts": sorted(alert_rows, key=key),
        "kpi_actuals": sorted(actual_rows, key=key),
    }
