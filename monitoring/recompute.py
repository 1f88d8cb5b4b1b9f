"""The recompute job: everything the monitoring pages and API read, computed from
the stored daily metrics and written back in one transaction.

Steps, for one plan:

1. **Rollups** — the metric sums per day, week (from Monday), month, quarter and year,
   for the plan, per channel and per campaign (exact decimal sums, in SQL).
2. **KPI actuals** — KPIs whose source is "monitoring" get their monthly actuals from
   the month rollups (:data:`KPI_MEASURES` says how each kind is measured).
3. **Channel grades** — year-to-date totals per channel graded A/B/C
   (``monitoring.analytics.grading``) with a suggested budget shift.
4. **Alerts** — every active rule on every channel it covers, and "behind plan" from the
   KPIs' attainment. An alert is one *incident*: its dedup key names the rule, channel and
   first day of the run of flagged days, so re-running never raises it twice; a running
   incident is extended (last day, observed value), never duplicated.
5. **Attribution** — every model on the stored journeys (``monitoring.attribution``).

Runs of one plan are serialised (an advisory lock on PostgreSQL); results are replaced
for their natural keys, so a run repeated after a retry or a lost worker gives the same
tables. The job (``recompute_requested``) coalesces: each request is counted on the
plan's ``ComputeState``, a run records the count it began with, and a job finds nothing
to do when a later run already covered it. Runs start ``RECOMPUTE_MIN_INTERVAL`` apart
at least, so a stream of imports costs one run per interval, not one per import.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import F, Sum
from django.db.models.functions import (
    Greatest,
    TruncDay,
    TruncMonth,
    TruncQuarter,
    TruncWeek,
    TruncYear,
)
from django.utils import timezone

from kpis.models import Kpi, KpiActual, Source
from kpis.queries import AT_RISK, OFF_TRACK, attainment
from monitoring.analytics import anomaly, funnel, grading
from monitoring.attribution import recompute_attribution
from monitoring.models import (
    METRIC_FIELDS,
    Alert,
    AlertRule,
    AlertSource,
    AlertStatus,
    ChannelGrade,
    ComputeState,
    DailyMetric,
    MetricRollup,
    Period,
    RuleKind,
    Severity,
)
from monitoring.queries import SEVERITY_ORDER  # most severe first
from monitoring.roi import fits as roi_fits
from monitoring.services import next_run_at, schedule_recompute, settings_for
from planner.models import Plan
from planner.notify.fanout import alerts_escalated, alerts_opened

RECOMPUTE_LOCK = 0x414C4D31  # the advisory-lock namespace of plan recomputes ("ALM1")

TRUNC = {
    Period.DAY: TruncDay,
    Period.WEEK: TruncWeek,
    Period.MONTH: TruncMonth,
    Period.QUARTER: TruncQuarter,
    Period.YEAR: TruncYear,
}

# How a KPI of a catalogue kind is measured from a month's sums (None: not measurable).
KPI_MEASURES: dict[str, Callable[[dict[str, float]], float | None]] = {
    "impressions": lambda m: m["impressions"],
    "visits": lambda m: m["visits"],
    "orders": lambda m: m["conversions"],
    "new_users": lambda m: m["new_users"],
    "revenue": lambda m: m["revenue"],
    "budget": lambda m: m["spend"],
    # The KPI tree's own definitions: visits = impressions × CTR, orders = visits × CVR.
    "ctr": lambda m: funnel.ratio_or_none(m["clicks"], m["impressions"]),
    "cvr": lambda m: funnel.ratio_or_none(m["conversions"], m["visits"]),
    "aov": lambda m: funnel.ratio_or_none(m["revenue"], m["conversions"]),
    "cpm": lambda m: _times(funnel.ratio_or_none(m["spend"], m["impressions"]), 1000),
    "cpa": lambda m: funnel.ratio_or_none(m["spend"], m["conversions"]),
    "cac": lambda m: funnel.ratio_or_none(m["spend"], m["new_users"]),
    "roas": lambda m: funnel.ratio_or_none(m["revenue"], m["spend"]),
    "roi": lambda m: funnel.ratio_or_none(m["revenue"], m["spend"]),
}


def _times(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


@dataclass(frozen=True)
class Summary:
    metric_rows: int
    rollups: int
    grades: int
    kpi_actuals: int
    alerts_opened: int
    alerts_updated: int
    duration_ms: int


def recompute_requested(plan_id: int) -> Summary | None:
    """The recompute job's run: recompute when a request came after the last run began,
    but not before ``RECOMPUTE_MIN_INTERVAL`` after that run (the job is then put off
    to the end of the interval); None when nothing was run now."""
    with transaction.atomic():
        _serialise(plan_id)
        state, _created = ComputeState.objects.get_or_create(plan_id=plan_id)
        if state.covered >= state.requests:
            # A run since began after every request, unless one is committing now
            # (it may have joined this job): wait for it on the row lock, held only
            # until this job ends.
            state = ComputeState.objects.select_for_update().get(pk=state.pk)
            if state.covered >= state.requests:
                return None
            schedule_recompute(plan_id, next_run_at(state.finished_at, timezone.now()))
            return None
        when = next_run_at(state.finished_at, timezone.now())
        if when is not None:
            schedule_recompute(plan_id, when)
            return None
        return recompute_plan(plan_id)


def recompute_plan(plan_id: int) -> Summary:
    """Recompute everything stored for one plan (idempotent; one run per plan at a time)."""
    clock = time.perf_counter()
    with transaction.atomic():
        _serialise(plan_id)
        # The requests this run covers: those committed before it began reading.
        seen = (
            ComputeState.objects.filter(plan_id=plan_id).values_list("requests", flat=True).first()
            or 0
        )
        plan = Plan.objects.get(pk=plan_id)
        now = timezone.now()
        metric_rows = DailyMetric.objects.filter(plan=plan).count()
        rollups = _write_rollups(plan)
        actuals = _write_kpi_actuals(plan)
        grades = _write_grades(plan, now)
        opened, updated = _write_alerts(plan, now)
        recompute_attribution(plan)  # 5. attribution: every model on the stored journeys
        roi_fits.store_curves(plan, now)  # the ROI model's response curves
        duration = int((time.perf_counter() - clock) * 1000)
        # Written last, so its row lock (which request_recompute also takes) is short.
        state, _created = ComputeState.objects.get_or_create(plan_id=plan_id)
        finished = timezone.now()
        ComputeState.objects.filter(pk=state.pk).update(
            started_at=now,
            finished_at=finished,
            duration_ms=duration,
            runs=F("runs") + 1,
            covered=Greatest(F("covered"), seen),
            last_error="",
        )
        # A request that came while this run read the data (it waited for the row lock
        # just taken, so it has committed now) gets a run of its own.
        if ComputeState.objects.filter(pk=state.pk, requests__gt=seen).exists():
            schedule_recompute(plan_id, next_run_at(finished, timezone.now()))
    return Summary(metric_rows, rollups, grades, actuals, opened, updated, duration)


def _serialise(plan_id: int) -> None:
    """Hold the plan's recompute lock until the transaction ends.

    On PostgreSQL a transaction-scoped advisory lock, so runs of one plan queue up
    without blocking anything else (imports, edits, the plan row); SQLite allows one
    writing transaction at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RECOMPUTE_LOCK, plan_id])


# --- rollups ---------------------------------------------------------------------------------


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in METRIC_FIELDS}


def _write_rollups(plan: Plan) -> int:
    MetricRollup.objects.filter(plan=plan).delete()
    base = DailyMetric.objects.filter(plan=plan)
    rows: list[MetricRollup] = []
    for period, trunc in TRUNC.items():
        start = trunc("date")
        groupings: tuple[tuple[Any, tuple[str, ...]], ...] = (
            (base, ()),
            (base, ("channel_id",)),
            (base.filter(campaign__isnull=False), ("campaign_id",)),
        )
        for queryset, keys in groupings:
            grouped = (
                queryset.annotate(start=start).values("start", *keys).annotate(**_sums()).order_by()
            )
            for row in grouped:
                first = row["start"]
                rows.append(
                    MetricRollup(
                        plan=plan,
                        period=period,
                        start=first.date() if hasattr(first, "date") else first,
                        channel_id=row.get("channel_id"),
                        campaign_id=row.get("campaign_id"),
                        **{name: row[name] or 0 for name in METRIC_FIELDS},
                    )
                )
    MetricRollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _month_sums(plan: Plan) -> dict[int, dict[str, float]]:
    rows = MetricRollup.objects.filter(
        plan=plan, period=Period.MONTH, channel__isnull=True, campaign__isnull=True
    )
    return {
        r.start.month: {name: float(getattr(r, name)) for name in METRIC_FIELDS}
        for r in rows
        if r.start.year == plan.year
    }


# --- KPI actuals ---------------------------------------------------------------------------------


def _write_kpi_actuals(plan: Plan) -> int:
    """Monthly actuals of the plan's monitoring-sourced KPIs (months with data only)."""
    kpis = [
        k for k in Kpi.objects.filter(plan=plan, source=Source.MONITORING) if k.kind in KPI_MEASURES
    ]
    if not kpis:
        return 0
    months = _month_sums(plan)
    written = 0
    for kpi in kpis:
        measure = KPI_MEASURES[kpi.kind]
        for month, sums in months.items():
            value = measure(sums)
            if value is None or not np.isfinite(value):
                KpiActual.objects.filter(kpi=kpi, month=month).delete()
                continue
            KpiActual.objects.update_or_create(
                kpi=kpi, month=month, defaults={"value": Decimal(str(round(value, 6)))}
            )
            written += 1
        KpiActual.objects.filter(kpi=kpi).exclude(month__in=list(months)).delete()
    return written


# --- grades ---------------------------------------------------------------------------------------


def _write_grades(plan: Plan, now: Any) -> int:
    settings = settings_for(plan)
    totals = MetricRollup.objects.filter(
        plan=plan, period=Period.YEAR, channel__isnull=False, start__year=plan.year
    ).select_related("channel")
    by_code = {r.channel.code: r for r in totals if r.channel is not None}
    channels = {r.channel.code: r.channel for r in totals if r.channel is not None}
    inputs = [
        grading.ChannelTotals(
            code=code,
            conversions=float(r.conversions),
            clicks=float(r.clicks),
            spend=r.spend,
            new_users=float(r.new_users),
        )
        for code, r in sorted(by_code.items())
    ]
    graded = grading.grade_channels(inputs, settings.weights(), settings.cutoffs())
    shifts = grading.budget_shift(graded, float(settings.max_shift))
    ChannelGrade.objects.filter(plan=plan).delete()
    rows = [
        ChannelGrade(
            plan=plan,
            channel=channels[g.code],
            grade=str(g.grade),
            score=g.total or 0.0,
            quality=g.quality or 0.0,
            cost=g.cost or 0.0,
            volume=g.volume or 0.0,
            conversions=int(g.conversions),
            spend=g.spend,
            cvr=g.cvr,
            cpa=g.cpa,
            retention=g.retention,
            suggested_shift=shifts.get(g.code, Decimal(0)),
            computed_at=now,
        )
        for g in graded
        if g.graded
    ]
    ChannelGrade.objects.bulk_create(rows)
    return len(rows)


# --- alerts --------------------------------------------------------------------------------------


def daily_frame(plan: Plan) -> pd.DataFrame:
    """The plan's daily sums per channel, every day from the first to the last with data
    (missing days as NaN), with the rate columns; empty without data."""
    rows = list(
        MetricRollup.objects.filter(plan=plan, period=Period.DAY, channel__isnull=False).values(
            "start", "channel_id", *METRIC_FIELDS
        )
    )
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows)
    for name in METRIC_FIELDS:
        frame[name] = frame[name].astype(float)
    frame["date"] = pd.to_datetime(frame.pop("start"))
    days = pd.date_range(frame["date"].min(), frame["date"].max(), freq="D")
    full = (
        frame.set_index(["channel_id", "date"])
        .reindex(pd.MultiIndex.from_product([frame["channel_id"].unique(), days]))
        .rename_axis(["channel_id", "date"])
        .reset_index()
    )
    full["ctr"] = funnel.ctr(full["clicks"], full["impressions"])
    full["cvr"] = funnel.cvr(full["conversions"], full["clicks"])
    full["cpc"] = funnel.cpc(full["spend"], full["clicks"])
    full["cpa"] = funnel.cpa(full["spend"], full["conversions"])
    full["roas"] = funnel.roas(full["revenue"], full["spend"])
    return full


@dataclass(frozen=True)
class Finding:
    """An incident found in one series, before it is stored as an alert."""

    dedup_key: str
    rule: AlertRule | None
    channel_id: int | None
    kpi: Kpi | None
    metric: str
    start: date
    end: date
    low: float | None
    high: float | None
    observed: float | None
    severity: str
    message: str


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def _rule_findings(plan: Plan, frame: pd.DataFrame) -> list[Finding]:
    rules = list(AlertRule.objects.filter(plan=plan, is_active=True))
    if frame.empty or not rules:
        return []
    findings: list[Finding] = []
    for rule in rules:
        part = frame if rule.channel_id is None else frame[frame["channel_id"] == rule.channel_id]
        if part.empty:
            continue
        result = _detect(rule, part)
        flagged = result[result["flag"]]
        if flagged.empty:
            continue
        for channel_id, runs in flagged.groupby("channel_id"):
            days = runs["date"].to_numpy()
            for incident in anomaly.incidents(np.ones(len(days), dtype=bool), days):
                last = runs[runs["date"] == pd.Timestamp(incident.end)].iloc[0]
                findings.append(
                    Finding(
                        dedup_key=f"rule:{rule.pk}:channel:{channel_id}:{incident.start}",
                        rule=rule,
                        channel_id=int(channel_id),
                        kpi=None,
                        metric=rule.metric,
                        start=incident.start,
                        end=incident.end,
                        low=_finite(last["low"]),
                        high=_finite(last["high"]),
                        observed=_finite(last["value"]),
                        severity=rule.severity,
                        message=rule.name,
                    )
                )
    return findings


def _detect(rule: AlertRule, part: pd.DataFrame) -> pd.DataFrame:
    """The rule's detector over each channel's series: value, flag, expected low/high."""
    frame = part[["channel_id", "date", rule.metric]].rename(columns={rule.metric: "value"})
    frame = frame.sort_values(["channel_id", "date"]).reset_index(drop=True)
    if rule.kind == RuleKind.STATISTICAL:
        scanned = anomaly.scan(
            frame, id_col="channel_id", date_col="date", value_col="value", threshold=rule.threshold
        )
        return scanned[["channel_id", "date", "value", "low", "high", "flag"]]
    pieces = []
    for _channel, series in frame.groupby("channel_id", sort=False):
        values = series["value"].to_numpy(dtype=float)
        out = series.copy()
        if rule.kind == RuleKind.BOUNDS:
            out["flag"] = anomaly.bounds(values, rule.lower, rule.upper)
            out["low"], out["high"] = rule.lower, rule.upper
        else:
            pct = (rule.change_pct or 0.0) / 100
            base = anomaly.baseline(values, rule.baseline_days)
            out["flag"] = anomaly.change_vs_baseline(values, pct, rule.baseline_days)
            out["low"], out["high"] = base * (1 - pct), base * (1 + pct)
        pieces.append(out)
    return pd.concat(pieces, ignore_index=True)


def _behind_plan_findings(plan: Plan) -> list[Finding]:
    """A KPI behind plan (at risk / off track) for consecutive months is one incident."""
    months = _month_sums(plan)
    if not months:
        return []
    through = max(months)
    findings = []
    for row in attainment(plan, through_month=through):
        behind = [
            (m, a) for m, a in enumerate(row.months, start=1) if a.status in (AT_RISK, OFF_TRACK)
        ]
        runs: list[list[tuple[int, Any]]] = []
        for month, status in behind:
            if runs and runs[-1][-1][0] == month - 1:
                runs[-1].append((month, status))
            else:
                runs.append([(month, status)])
        for run in runs:
            first, last = run[0][0], run[-1][0]
            latest = run[-1][1]
            worst = any(a.status == OFF_TRACK for _m, a in run)
            findings.append(
                Finding(
                    dedup_key=f"behind:{row.kpi.pk}:{plan.year}-{first:02d}",
                    rule=None,
                    channel_id=None,
                    kpi=row.kpi,
                    metric=row.kpi.code,
                    start=date(plan.year, first, 1),
                    end=_month_end(plan.year, last),
                    low=_finite(float(latest.target)) if latest.target is not None else None,
                    high=None,
                    observed=_finite(float(latest.actual)) if latest.actual is not None else None,
                    severity=Severity.CRITICAL if worst else Severity.WARNING,
                    message=row.kpi.name,
                )
            )
    return findings


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _write_alerts(plan: Plan, now: Any) -> tuple[int, int]:
    findings = _rule_findings(plan, daily_frame(plan)) + _behind_plan_findings(plan)
    existing = {
        a.dedup_key: a
        for a in Alert.objects.filter(plan=plan, dedup_key__in=[f.dedup_key for f in findings])
    }
    opened = updated = 0
    created: list[Alert] = []
    escalated: list[Alert] = []
    for f in findings:
        fields: dict[str, Any] = {
            "window_end": f.end,
            "expected_low": f.low,
            "expected_high": f.high,
            "observed": f.observed,
            "last_seen_at": now,
        }
        alert = existing.get(f.dedup_key)
        if alert is not None:
            if f.severity != alert.severity and alert.status != AlertStatus.RESOLVED:
                fields["severity"] = f.severity
            changed = any(getattr(alert, k) != v for k, v in fields.items() if k != "last_seen_at")
            if changed:
                Alert.objects.filter(pk=alert.pk).update(**fields, version=F("version") + 1)
                updated += 1
                worse = SEVERITY_ORDER.index(f.severity) < SEVERITY_ORDER.index(alert.severity)
                if worse and "severity" in fields:
                    alert.severity, alert.plan = f.severity, plan
                    escalated.append(alert)
            continue
        alert = Alert.objects.create(
            plan=plan,
            source=AlertSource.RULE if f.rule else AlertSource.BEHIND_PLAN,
            rule=f.rule,
            channel_id=f.channel_id,
            kpi=f.kpi,
            metric=f.metric,
            window_start=f.start,
            severity=f.severity,
            message=f.message[:300],
            dedup_key=f.dedup_key,
            opened_at=now,
            **fields,
        )
        created.append(alert)
        opened += 1
    # Emails and chat messages for the new incidents and for the ones that became more
    # severe, in this transaction (the outbox).
    alerts_opened(created, now=now)
    alerts_escalated(escalated, now=now)
    return opened, updated
