"""The monitoring section under real concurrency on PostgreSQL: recomputes of one plan run
one after the other and leave one result; of concurrent steps on one alert, one wins; a
recompute never undoes an acknowledgement."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from core.errors import InvalidTransition, StaleVersion
from kpis import services as kpi_services
from kpis.models import Source
from monitoring import services
from monitoring.models import Alert, AlertStatus, ComputeState, DailyMetric, MetricRollup
from monitoring.recompute import Summary, recompute_plan
from tests.monitoring.seed import days, metric, rule, snapshot
from tests.services.support import run_threads

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

N_RUNS = 4


def seed(world) -> None:
    """Two channels over four weeks, spend above a bound on two runs of days (two incidents
    on douyin, one on tmall), and an orders KPI from monitoring that falls behind plan."""
    rule(world, upper=1000.0)
    kpi_services.kpi_create(
        plan=world.plan,
        actor=world.users["editor"],
        kind="orders",
        source=Source.MONITORING,
        annual_target=Decimal(24000),  # 2,000 a month; February has 1,400
    )
    for i, day in enumerate(days(date(2027, 2, 1), 28)):
        douyin = 1500 if i in (5, 6, 20) else 600
        tmall = 1200 if i == 10 else 700
        metric(world, day, "douyin", impressions=10000, clicks=200, conversions=20, spend=douyin)
        metric(world, day, "tmall", impressions=5000, clicks=150, conversions=30, spend=tmall)


def test_concurrent_recomputes_of_one_plan_leave_one_result(world):
    # given committed data, nothing computed yet, and not even the plan's compute state row
    # (the first runs race to create it)
    seed(world)
    plan_id = world.plan.pk
    ComputeState.objects.filter(plan_id=plan_id).delete()

    def run(i: int, barrier: threading.Barrier) -> Summary:
        barrier.wait()
        return recompute_plan(plan_id)

    # when four recomputes start at the same moment
    results = run_threads(N_RUNS, run)
    # then all of them finish (no deadlock, no unique-key error) …
    assert all(isinstance(r, Summary) for r in results), results
    # … they ran one after the other: the first opened every alert, the others none
    assert sorted(r.alerts_opened for r in results) == [0] * (N_RUNS - 1) + [4]
    assert ComputeState.objects.get(plan_id=plan_id).runs == N_RUNS
    # … and left one result: one alert per incident, one rollup per key
    alerts = Alert.objects.filter(plan_id=plan_id)
    assert alerts.count() == 4  # douyin ×2, tmall ×1, orders behind plan
    assert sorted(
        (a.channel.code if a.channel else a.kpi.code, a.window_start) for a in alerts
    ) == [
        ("douyin", date(2027, 2, 6)),
        ("douyin", date(2027, 2, 21)),
        ("orders", date(2027, 2, 1)),
        ("tmall", date(2027, 2, 11)),
    ]
    assert MetricRollup.objects.filter(plan_id=plan_id, period="day").count() == 28 * 3
    # the same tables as a single run on its own
    after = snapshot(world.plan)
    recompute_plan(plan_id)
    assert snapshot(world.plan) == after


def test_of_concurrent_acknowledgements_of_one_alert_exactly_one_wins(world):
    seed(world)
    recompute_plan(world.plan.pk)
    target = Alert.objects.filter(plan=world.plan, channel__code="tmall").get()
    ids = (target.pk, target.version)
    users = [world.users[p].pk for p in ("admin", "manager", "editor", "editor", "manager")]

    def step(i: int, barrier: threading.Barrier) -> Alert:
        alert_id, v0 = ids
        mine = Alert.objects.get(pk=alert_id)
        actor = get_user_model().objects.get(pk=users[i])
        barrier.wait()
        return services.alert_acknowledge(
            alert=mine, expected_version=v0, actor=actor, note=f"writer {i}"
        )

    results = run_threads(len(users), step)
    winners = [r for r in results if isinstance(r, Alert)]
    assert len(winners) == 1, results
    assert all(isinstance(r, Alert | StaleVersion | InvalidTransition) for r in results), results
    fresh = Alert.objects.get(pk=target.pk)
    assert fresh.status == AlertStatus.ACKNOWLEDGED
    assert fresh.version == target.version + 1
    assert fresh.acknowledged_by_id == winners[0].acknowledged_by_id
    assert fresh.note.count("writer") == 1


def test_a_recompute_extending_an_alert_never_undoes_its_acknowledgement(world):
    # given an open alert whose incident goes on in data that arrives later
    seed(world)
    recompute_plan(world.plan.pk)
    target = Alert.objects.get(plan=world.plan, channel__code="tmall")
    DailyMetric.objects.filter(channel__code="tmall", date=date(2027, 2, 12)).update(
        spend=Decimal(1300)
    )
    ids = (world.plan.pk, target.pk, target.version, world.users["editor"].pk)

    def writer(i: int, barrier: threading.Barrier) -> object:
        plan_id, alert_id, v0, editor_id = ids
        mine = Alert.objects.get(pk=alert_id)
        editor = get_user_model().objects.get(pk=editor_id)
        barrier.wait()
        if i == 0:
            return recompute_plan(plan_id)
        return services.alert_acknowledge(alert=mine, expected_version=v0, actor=editor)

    # when a recompute and an acknowledgement run at once
    recomputed, acknowledged = run_threads(2, writer)
    # then the recompute extended the alert, and the acknowledgement either took effect or
    # was refused as stale (the recompute went first) — never silently lost
    assert isinstance(recomputed, Summary), recomputed
    fresh = Alert.objects.get(pk=target.pk)
    assert fresh.window_end == date(2027, 2, 12)
    if isinstance(acknowledged, Alert):
        assert fresh.status == AlertStatus.ACKNOWLEDGED
    else:
        assert isinstance(acknowledged, StaleVersion), acknowledged
        assert fresh.status == AlertStatus.OPEN
