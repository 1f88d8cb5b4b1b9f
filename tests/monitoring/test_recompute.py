"""The recompute job: rollups, KPI actuals, grades and alerts stored from the daily metrics,
idempotent, and one alert per incident however often it runs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from core.models import OutboxMessage
from kpis import services as kpi_services
from kpis.models import KpiActual, Source
from monitoring import services
from monitoring.models import (
    Alert,
    AlertSource,
    AlertStatus,
    ChannelGrade,
    ComputeState,
    DailyMetric,
    MetricRollup,
)
from monitoring.recompute import recompute_plan
from tests.content.helpers import campaign
from tests.monitoring.seed import D, channel, days, metric, rollups, rule, snapshot, steady

pytestmark = pytest.mark.django_db


def recompute(world):
    return recompute_plan(world.plan.pk)


# --- rollups --------------------------------------------------------------------------------


@pytest.fixture
def sample(world):
    """Five days over two weeks, two months and two quarters; two channels; one campaign."""
    spring = campaign(world)  # 15 Jan – 12 Feb on douyin and wechat
    metric(world, date(2027, 1, 1), "douyin", impressions=1000, clicks=50, spend="10.10")
    metric(world, date(2027, 1, 3), "tmall", impressions=400, clicks=20, conversions=4, spend=5)
    metric(world, date(2027, 1, 4), "douyin", impressions=600, clicks=30, revenue="99.99")
    metric(
        world,
        date(2027, 1, 20),
        "douyin",
        spring,
        impressions=2000,
        clicks=80,
        visits=70,
        signups=9,
        conversions=3,
        new_users=2,
        spend="20.25",
        revenue="300.00",
    )
    metric(world, date(2027, 1, 20), "douyin", impressions=500, clicks=10, spend="1.00")
    metric(world, date(2027, 4, 1), "tmall", impressions=100, clicks=1, spend="0.01")
    return spring


def test_day_rollups_are_the_sums_of_each_day(world, sample):
    # when the plan is recomputed
    recompute(world)
    # then each day of the plan sums its channels and campaigns
    plan_days = rollups(world, "day")
    assert set(plan_days) == {
        date(2027, 1, 1),
        date(2027, 1, 3),
        date(2027, 1, 4),
        date(2027, 1, 20),
        date(2027, 4, 1),
    }
    assert plan_days[date(2027, 1, 20)]["impressions"] == 2500
    assert plan_days[date(2027, 1, 20)]["clicks"] == 90
    assert plan_days[date(2027, 1, 20)]["spend"] == D("21.25")
    assert plan_days[date(2027, 1, 20)]["revenue"] == D("300.00")
    assert plan_days[date(2027, 1, 3)]["conversions"] == 4


def test_week_rollups_start_on_monday(world, sample):
    recompute(world)
    weeks = rollups(world, "week")
    # 1 Jan 2027 is a Friday: its week starts on Monday 28 December 2026 and ends on Sunday 3 Jan
    assert set(weeks) == {
        date(2026, 12, 28),
        date(2027, 1, 4),
        date(2027, 1, 18),
        date(2027, 3, 29),
    }
    assert weeks[date(2026, 12, 28)]["impressions"] == 1000 + 400
    assert weeks[date(2026, 12, 28)]["spend"] == D("15.10")
    assert weeks[date(2027, 1, 4)]["impressions"] == 600
    assert weeks[date(2027, 3, 29)]["spend"] == D("0.01")  # Thursday 1 April


def test_month_quarter_and_year_rollups_for_plan_channel_and_campaign(world, sample):
    recompute(world)
    # the plan
    months = rollups(world, "month")
    assert months[date(2027, 1, 1)]["impressions"] == 1000 + 400 + 600 + 2000 + 500
    assert months[date(2027, 1, 1)]["spend"] == D("36.35")
    assert months[date(2027, 4, 1)]["clicks"] == 1
    quarters = rollups(world, "quarter")
    assert set(quarters) == {date(2027, 1, 1), date(2027, 4, 1)}
    assert quarters[date(2027, 1, 1)]["clicks"] == 50 + 20 + 30 + 80 + 10
    year = rollups(world, "year")
    assert year == {
        date(2027, 1, 1): {
            "impressions": 4600,
            "clicks": 191,
            "visits": 70,
            "signups": 9,
            "conversions": 7,
            "new_users": 2,
            "spend": D("36.36"),
            "revenue": D("399.99"),
        }
    }
    # per channel: douyin has its own rows and the campaign's
    douyin = rollups(world, "year", channel_code="douyin")[date(2027, 1, 1)]
    assert douyin["impressions"] == 1000 + 600 + 2000 + 500
    assert douyin["spend"] == D("31.35")
    tmall_quarters = rollups(world, "quarter", channel_code="tmall")
    assert {k: v["spend"] for k, v in tmall_quarters.items()} == {
        date(2027, 1, 1): D("5.00"),
        date(2027, 4, 1): D("0.01"),
    }
    # per campaign: only the rows booked on it
    spring = rollups(world, "month", campaign=sample)
    assert spring == {
        date(2027, 1, 1): {
            "impressions": 2000,
            "clicks": 80,
            "visits": 70,
            "signups": 9,
            "conversions": 3,
            "new_users": 2,
            "spend": D("20.25"),
            "revenue": D("300.00"),
        }
    }
    # and a channel rollup never carries a campaign (nor the reverse)
    assert not MetricRollup.objects.filter(channel__isnull=False, campaign__isnull=False).exists()


def test_rollups_follow_deleted_data(world, sample):
    recompute(world)
    DailyMetric.objects.filter(plan=world.plan, date=date(2027, 4, 1)).delete()
    recompute(world)
    assert date(2027, 4, 1) not in rollups(world, "quarter")
    assert rollups(world, "quarter", channel_code="tmall").keys() == {date(2027, 1, 1)}


# --- grades ---------------------------------------------------------------------------------


def test_grades_are_stored_for_graded_channels_only(world):
    # given three channels with spend and orders, and one with traffic but no spend or orders
    metric(
        world,
        date(2027, 3, 1),
        "tmall",
        clicks=1000,
        impressions=10000,
        conversions=100,
        spend=1000,
    )
    metric(
        world,
        date(2027, 3, 1),
        "douyin",
        clicks=1000,
        impressions=20000,
        conversions=50,
        spend=2000,
    )
    metric(
        world, date(2027, 3, 1), "weibo", clicks=1000, impressions=50000, conversions=2, spend=2000
    )
    metric(world, date(2027, 3, 1), "wechat", clicks=300, impressions=5000)
    # when recomputed
    recompute(world)
    # then the three are graded and the fourth is not
    grades = {g.channel.code: g for g in ChannelGrade.objects.filter(plan=world.plan)}
    assert set(grades) == {"tmall", "douyin", "weibo"}
    assert grades["tmall"].grade == "A"
    assert grades["weibo"].grade == "C"
    assert grades["tmall"].cpa == pytest.approx(10.0)
    assert grades["douyin"].cvr == pytest.approx(0.05)
    # the C channel gives 20 % of its spend to the A channel
    assert grades["weibo"].suggested_shift == D("-400.00")
    assert grades["tmall"].suggested_shift == D("400.00")
    assert grades["douyin"].suggested_shift == 0
    # and once the weibo data goes, its grade goes too
    DailyMetric.objects.filter(channel__code="weibo").delete()
    recompute(world)
    assert not ChannelGrade.objects.filter(plan=world.plan, channel__code="weibo").exists()


# --- KPI actuals ---------------------------------------------------------------------------


def monitoring_kpi(world, kind, target):
    return kpi_services.kpi_create(
        plan=world.plan,
        actor=world.users["editor"],
        kind=kind,
        source=Source.MONITORING,
        annual_target=Decimal(target),
    )


def actuals(kpi) -> dict[int, Decimal]:
    return dict(KpiActual.objects.filter(kpi=kpi).values_list("month", "value"))


def test_kpi_actuals_are_written_for_monitoring_kpis_and_removed_with_the_data(world):
    # given three KPIs measured from monitoring and one entered by hand
    orders = monitoring_kpi(world, "orders", "1200")
    ctr = monitoring_kpi(world, "ctr", "0.02")
    cvr = monitoring_kpi(world, "cvr", "0.05")
    manual = kpi_services.kpi_create(
        plan=world.plan, actor=world.users["editor"], kind="visits", annual_target=Decimal(9000)
    )
    metric(
        world, date(2027, 1, 5), "douyin", impressions=10000, clicks=200, visits=150, conversions=6
    )
    metric(world, date(2027, 1, 9), "tmall", impressions=5000, clicks=100, visits=90, conversions=9)
    metric(world, date(2027, 2, 2), "tmall", impressions=1000, clicks=0, visits=0, conversions=0)
    # when recomputed
    recompute(world)
    # then orders = conversions, ctr = clicks / impressions, cvr = conversions / visits per month
    assert actuals(orders) == {1: D("15"), 2: D("0")}
    assert actuals(ctr) == {1: D("0.02"), 2: D("0")}
    assert actuals(cvr) == {1: D("0.0625")}  # February has no visits: no CVR
    assert actuals(manual) == {}  # a KPI entered by hand is left alone
    # when January's data goes
    DailyMetric.objects.filter(plan=world.plan, date__month=1).delete()
    recompute(world)
    # then January's actuals go too
    assert actuals(orders) == {2: D("0")}
    assert actuals(ctr) == {2: D("0")}
    assert actuals(cvr) == {}


# --- idempotence and the outbox -------------------------------------------------------------


def test_recomputing_twice_gives_identical_tables(world, sample):
    # given data, a rule that fires, a KPI from monitoring and a KPI behind plan
    monitoring_kpi(world, "orders", "1200")
    rule(world, upper=15.0)
    first = recompute(world)
    before = snapshot(world.plan)
    assert before["rollups"] and before["grades"] and before["alerts"] and before["kpi_actuals"]
    # when it runs again on the same data
    second = recompute(world)
    # then every stored row is the same, and no alert was opened or updated
    assert snapshot(world.plan) == before
    assert (second.alerts_opened, second.alerts_updated) == (0, 0)
    assert first.alerts_opened == len(before["alerts"])
    assert ComputeState.objects.get(plan=world.plan).runs == 2


def test_a_burst_of_requests_in_one_transaction_is_one_message_and_one_run(
    world, django_capture_on_commit_callbacks
):
    steady(world, date(2027, 3, 1), 3, impressions=100, clicks=5, spend=50)
    # when ten uploads ask for a recompute in one transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for _ in range(10):
            services.request_recompute(world.plan)
    # then one outbox message was written and published, and the plan was computed once
    messages = OutboxMessage.objects.filter(task_name=services.RECOMPUTE_TASK)
    assert messages.count() == 1
    assert messages.get().dedup_key == f"recompute:{world.plan.pk}"
    assert messages.get().done_at is not None
    assert len(callbacks) == 1
    state = ComputeState.objects.get(plan=world.plan)
    assert state.runs == 1 and state.requested_at is not None
    assert MetricRollup.objects.filter(plan=world.plan, period="day").exists()


# --- one alert per incident ----------------------------------------------------------------


def spend_day(world, day: date, spend: float, code: str = "douyin"):
    DailyMetric.objects.filter(plan=world.plan, date=day, channel__code=code).delete()
    return metric(world, day, code, impressions=1000, clicks=20, spend=spend)


def rule_alerts(world):
    return list(Alert.objects.filter(plan=world.plan, source=AlertSource.RULE).order_by("pk"))


def test_an_incident_that_continues_extends_its_alert(world):
    # given a spend bound of 1,000 and ten normal days, then one day above
    spend_rule = rule(world)
    for day in days(date(2027, 3, 1), 10):
        spend_day(world, day, 500)
    spend_day(world, date(2027, 3, 11), 2000)
    recompute(world)
    (alert,) = rule_alerts(world)
    assert (alert.window_start, alert.window_end) == (date(2027, 3, 11), date(2027, 3, 11))
    assert alert.observed == 2000.0 and alert.expected_high == 1000.0
    assert alert.rule == spend_rule and alert.channel == channel(world)
    assert alert.status == AlertStatus.OPEN and alert.severity == "warning"
    # when the next day is above too
    spend_day(world, date(2027, 3, 12), 2500)
    recompute(world)
    # then the same alert covers both days, with the latest value
    (extended,) = rule_alerts(world)
    assert extended.pk == alert.pk
    assert (extended.window_start, extended.window_end) == (date(2027, 3, 11), date(2027, 3, 12))
    assert extended.observed == 2500.0
    assert extended.version == alert.version + 1
    assert extended.opened_at == alert.opened_at


def test_a_resolved_alert_whose_incident_continues_stays_resolved(world):
    rule(world)
    for day in days(date(2027, 3, 1), 10):
        spend_day(world, day, 500)
    spend_day(world, date(2027, 3, 11), 2000)
    recompute(world)
    (alert,) = rule_alerts(world)
    resolved = services.alert_resolve(
        alert=alert, expected_version=alert.version, actor=world.users["editor"], note="Known"
    )
    # when the incident goes on the next day
    spend_day(world, date(2027, 3, 12), 3000)
    recompute(world)
    # then there is still one alert, still resolved, by the same person
    (after,) = rule_alerts(world)
    assert after.pk == alert.pk
    assert after.status == AlertStatus.RESOLVED
    assert after.resolved_by == world.users["editor"]
    assert after.resolved_at == resolved.resolved_at
    assert after.window_end == date(2027, 3, 12)


def test_a_new_incident_after_a_gap_is_a_new_alert(world):
    rule(world)
    for day in days(date(2027, 3, 1), 10):
        spend_day(world, day, 500)
    spend_day(world, date(2027, 3, 11), 2000)
    recompute(world)
    # when a normal day follows and then another day above
    spend_day(world, date(2027, 3, 12), 400)
    spend_day(world, date(2027, 3, 13), 1800)
    recompute(world)
    # then two alerts, one per incident
    first, second = rule_alerts(world)
    assert (first.window_start, first.window_end) == (date(2027, 3, 11), date(2027, 3, 11))
    assert (second.window_start, second.window_end) == (date(2027, 3, 13), date(2027, 3, 13))
    assert first.dedup_key != second.dedup_key
    # and recomputing again changes nothing
    recompute(world)
    assert [a.pk for a in rule_alerts(world)] == [first.pk, second.pk]


def test_a_rule_for_all_channels_raises_one_alert_per_channel(world):
    rule(world, name="Spend above 1,000 anywhere")
    spend_day(world, date(2027, 3, 1), 1500, "douyin")
    spend_day(world, date(2027, 3, 1), 1200, "tmall")
    spend_day(world, date(2027, 3, 1), 900, "jd")
    recompute(world)
    assert sorted(a.channel.code for a in rule_alerts(world)) == ["douyin", "tmall"]


def test_a_rule_on_one_channel_ignores_the_others(world):
    rule(world, channel=channel(world, "tmall"))
    spend_day(world, date(2027, 3, 1), 1500, "douyin")
    spend_day(world, date(2027, 3, 1), 1200, "tmall")
    recompute(world)
    assert [a.channel.code for a in rule_alerts(world)] == ["tmall"]


def test_an_inactive_rule_raises_nothing(world):
    rule(world, is_active=False)
    spend_day(world, date(2027, 3, 1), 1500)
    recompute(world)
    assert rule_alerts(world) == []


def test_a_change_rule_flags_a_spike_against_its_baseline(world):
    rule(world, name="Spend +80 %", kind="change", upper=None, change_pct=80.0, baseline_days=7)
    for day in days(date(2027, 3, 1), 14):
        spend_day(world, day, 1000)
    spend_day(world, date(2027, 3, 15), 1700)  # +70 %: inside
    spend_day(world, date(2027, 3, 16), 1900)  # +90 %: a spike
    recompute(world)
    (alert,) = rule_alerts(world)
    assert (alert.window_start, alert.window_end) == (date(2027, 3, 16), date(2027, 3, 16))
    assert alert.expected_low == pytest.approx(200.0)
    assert alert.expected_high == pytest.approx(1800.0)
    assert alert.observed == 1900.0


def test_a_statistical_rule_flags_a_ctr_collapse(world):
    # given ten weeks of a CTR with a weekly rhythm (weekends 3 %, weekdays 2 %, small wobble)
    wobble = [0, 3, -2, 1, -1, 2, -3]
    for i, day in enumerate(days(date(2027, 1, 4), 70)):
        base = 300 if day.weekday() >= 5 else 200
        metric(world, day, "douyin", impressions=10000, clicks=base + wobble[i % 7] + i % 3)
    # and then three days at half the clicks
    for day in days(date(2027, 3, 15), 3):
        metric(world, day, "douyin", impressions=10000, clicks=100)
    rule(world, name="CTR", metric="ctr", kind="statistical", upper=None, threshold=3.5)
    recompute(world)
    (alert,) = rule_alerts(world)
    assert alert.window_start == date(2027, 3, 15)
    assert alert.observed == pytest.approx(0.01)
    assert alert.expected_low is not None and alert.expected_low > 0.01


# --- behind plan ----------------------------------------------------------------------------


def test_a_kpi_behind_plan_raises_one_alert_per_run_of_months(world):
    # given an orders KPI from monitoring with 100 orders a month as target
    orders = monitoring_kpi(world, "orders", "1200")
    # and January on target, February at 90 (at risk), March at 50 (off track), April on target
    for month, conversions in ((1, 100), (2, 90), (3, 50), (4, 120)):
        metric(world, date(2027, month, 10), "tmall", conversions=conversions, spend=100)
    # when recomputed
    recompute(world)
    # then one alert for February–March, critical because one month was off track
    (alert,) = Alert.objects.filter(plan=world.plan, source=AlertSource.BEHIND_PLAN)
    assert alert.kpi == orders
    assert (alert.window_start, alert.window_end) == (date(2027, 2, 1), date(2027, 3, 31))
    assert alert.severity == "critical"
    assert alert.observed == 50.0
    assert alert.expected_low == pytest.approx(100.0)
    # when March is fixed, the run shrinks to February, still one alert, now only at risk
    DailyMetric.objects.filter(date=date(2027, 3, 10)).update(conversions=100)
    recompute(world)
    (same,) = Alert.objects.filter(plan=world.plan, source=AlertSource.BEHIND_PLAN)
    assert same.pk == alert.pk
    assert same.window_end == date(2027, 2, 28)
    assert same.severity == "warning"


@pytest.mark.parametrize(
    ("at_risk", "off_track", "expected"),
    [
        ("0.95", "0.85", ["warning"]),  # the default policy: 90 % is at risk
        ("0.99", "0.95", ["critical"]),  # a strict policy: 90 % is off track
        ("0.85", "0.70", []),  # a loose policy: 90 % is on track
    ],
)
def test_the_attainment_policy_decides_when_a_kpi_is_behind(world, at_risk, off_track, expected):
    # given the plan's attainment thresholds and a month at 90 % of its orders target
    policy = kpi_services.policy_for(world.plan)
    kpi_services.policy_update(
        plan=world.plan,
        expected_version=policy.version,
        at_risk_below=Decimal(at_risk),
        off_track_below=Decimal(off_track),
        actor=world.users["editor"],
    )
    orders = monitoring_kpi(world, "orders", "1200")
    metric(world, date(2027, 1, 10), "tmall", conversions=90, spend=100)
    # when recomputed
    recompute(world)
    # then the alert (if any) has the severity of the policy's verdict
    found = Alert.objects.filter(plan=world.plan, kpi=orders)
    assert [a.severity for a in found] == expected
