"""The demo's monitoring data: a year of metrics, its incidents caught as alerts, grades A to
C and funnels, loaded by ``manage.py load_demo`` and safe to load twice."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from channels.models import ChannelPlan
from monitoring import demo, queries
from monitoring.models import (
    Alert,
    AlertRule,
    AlertStatus,
    ChannelGrade,
    DailyMetric,
    MetricImport,
)
from planner.models import Plan
from tests.monitoring.seed import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_plan(demo_module, settings):
    settings.DEBUG = True  # a test loads the demo a second time
    return Plan.objects.get(pk=demo_module.pk)


def test_the_demo_has_a_year_of_metrics_for_every_budgeted_channel(demo_plan):
    budgeted = set(
        ChannelPlan.objects.filter(channel__plan=demo_plan, budget__gt=0).values_list(
            "channel__code", flat=True
        )
    )
    rows = DailyMetric.objects.filter(plan=demo_plan)
    # one row a day per channel for the campaign-less part of the traffic …
    plain = rows.filter(campaign__isnull=True)
    assert set(plain.values_list("channel__code", flat=True)) == budgeted
    assert plain.count() == 365 * len(budgeted)
    assert plain.dates("date", "day").first() == date(2027, 1, 1)
    assert plain.dates("date", "day").last() == date(2027, 12, 31)
    # … and rows booked on the campaigns running on the channel that day
    spring = rows.filter(campaign__code="spring-festival-2027")
    assert set(spring.values_list("channel__code", flat=True)) <= {
        "douyin",
        "wechat",
        "tmall",
        "jd",
        "xiaohongshu",
    }
    assert spring.filter(date__lt=date(2027, 1, 8)).count() == 0
    assert spring.filter(date=date(2027, 1, 20), channel__code="tmall").count() == 1


def test_the_metrics_came_in_through_the_importer(demo_plan):
    history = list(MetricImport.objects.filter(plan=demo_plan).order_by("pk"))
    assert [(r.filename, r.status) for r in history] == [
        ("daily-metrics-2027-q1.csv", "succeeded"),
        ("daily-metrics-2027-q2.csv", "succeeded"),
        ("daily-metrics-2027-q3.csv", "succeeded"),
        ("daily-metrics-2027-q4.csv", "succeeded"),
        ("corrections-january.csv", "failed"),
    ]
    assert (
        sum(r.rows_inserted for r in history) == DailyMetric.objects.filter(plan=demo_plan).count()
    )
    refused = history[-1]
    assert refused.rows_inserted == 0
    assert [(e["row"], e["column"]) for e in refused.errors] == [(1, "channel"), (3, "clicks")]
    assert {r.created_by.username for r in history if r.created_by} == {"demo-editor"}


def test_spend_follows_the_quarterly_budgets_weeks_and_festivals(demo_plan):
    tmall = DailyMetric.objects.filter(plan=demo_plan, channel__code="tmall")
    budgets = dict(
        ChannelPlan.objects.filter(channel__plan=demo_plan, channel__code="tmall").values_list(
            "quarter", "budget"
        )
    )
    for quarter, budget in budgets.items():
        months = range(3 * quarter - 2, 3 * quarter + 1)
        spent = tmall.filter(date__month__in=months).aggregate(s=Sum("spend"))["s"]
        assert abs(spent - budget) <= budget * Decimal("0.001"), quarter

    def daily(start: date, end: date, code: str = "tmall") -> float:
        found = DailyMetric.objects.filter(
            plan=demo_plan, channel__code=code, date__range=(start, end)
        ).aggregate(s=Sum("spend"))["s"]
        return float(found) / ((end - start).days + 1)

    # the run-up to Double 11 spends far more a day than the start of October
    assert daily(date(2027, 11, 8), date(2027, 11, 11)) > 1.5 * daily(
        date(2027, 10, 4), date(2027, 10, 10)
    )
    # the official account is read on workdays: weekdays spend more than weekends
    wechat = DailyMetric.objects.filter(plan=demo_plan, channel__code="wechat", date__month=3)
    weekday = [float(r.spend) for r in wechat.filter(campaign__isnull=True) if r.date.weekday() < 5]
    weekend = [
        float(r.spend) for r in wechat.filter(campaign__isnull=True) if r.date.weekday() >= 5
    ]
    assert sum(weekday) / len(weekday) > sum(weekend) / len(weekend)


def test_the_injected_incidents_are_open_alerts(demo_plan):
    assert AlertRule.objects.filter(plan=demo_plan).count() == len(demo.RULES)
    open_alerts = {
        (a.channel.code if a.channel else None, a.metric, a.window_start)
        for a in Alert.objects.filter(plan=demo_plan, status=AlertStatus.OPEN)
    }
    assert ("sem_baidu", "spend", date(2027, 4, 13)) in open_alerts  # bids ran away
    assert ("jd", "cpa", date(2027, 7, 19)) in open_alerts  # checkout fault
    assert ("douyin", "ctr", date(2027, 9, 21)) in open_alerts  # CTR collapse
    jd = Alert.objects.get(plan=demo_plan, channel__code="jd", metric="cpa")
    assert jd.window_end == date(2027, 7, 23) and jd.observed > 40
    # only the CTR rule's statistical alerts may come from noise: no spend spike but the incident
    spend_alerts = Alert.objects.filter(plan=demo_plan, metric="spend")
    assert [a.channel.code for a in spend_alerts] == ["sem_baidu"]


def test_grades_and_funnels(demo_plan):
    grades = {g.channel.code: g.grade for g in ChannelGrade.objects.filter(plan=demo_plan)}
    assert len(grades) == len(demo.PROFILES)
    assert {"A", "B", "C"} <= set(grades.values())
    assert grades["tmall"] == "A" and grades["weibo"] == "C"
    table = queries.funnel(demo_plan, group_by="channel", period="month")
    assert len(table.rows) == 12 * len(grades)
    totals = queries.totals(demo_plan)
    assert totals is not None
    assert 0.01 < totals["ctr"] < 0.05
    assert 2 < totals["roas"] < 6
    campaigns = queries.funnel(demo_plan, group_by="campaign", period="year")
    assert "double-11-2027" in {r["key"] for r in campaigns.rows}


def test_loading_the_demo_twice_changes_nothing(demo_plan):
    before = snapshot(demo_plan)
    rows = DailyMetric.objects.filter(plan=demo_plan).count()
    call_command("load_demo", stdout=io.StringIO())
    assert DailyMetric.objects.filter(plan=demo_plan).count() == rows
    assert AlertRule.objects.filter(plan=demo_plan).count() == len(demo.RULES)
    assert snapshot(demo_plan) == before


def test_the_demo_roi_tells_a_coherent_ltv_story(demo_plan):
    from monitoring.roi import queries as roi_queries

    report = roi_queries.report(demo_plan)
    rows = {r.key: r.figures for r in report.channels}
    for row in [*rows.values(), report.total.figures]:
        assert row.roi_ltv is not None and row.roi is not None
        assert row.roi_ltv >= row.roi  # the correction only adds the value after the year
    # retention-heavy channels gain most; weak brand channels stay low
    for code in ("tmall", "wechat"):
        assert rows[code].roi_ltv > rows[code].roi + 1.0
    for code in ("weibo", "bilibili"):
        assert rows[code].roi_ltv < 0
    assert report.total.figures.roi < report.total.figures.roi_ltv < 1.5


def test_the_demo_roi_definition_is_agreed_by_finance_and_operations(demo_plan):
    from monitoring.roi import queries as roi_queries
    from monitoring.roi.models import RoiSignoff

    signed = RoiSignoff.objects.filter(
        definition__plan=demo_plan, cleared_at__isnull=True
    ).values_list("department", "signed_by__username")
    assert sorted(signed) == [("finance", "demo-manager"), ("operations", "demo-admin")]
    assert "not yet agreed" not in roi_queries.definition_view(demo_plan).summary
