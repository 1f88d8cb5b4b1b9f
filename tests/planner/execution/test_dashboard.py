"""The manager's quarterly dashboard: numbers against hand-computed values on a small
hand-made plan, the RAG colours from the plan's thresholds, quarter parsing, the page and
the API agreeing, and the query count on the full demo plan."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from core.templatetags.almanac import format_amount
from kpis import services as kpi_services
from planner import quarters
from planner.execution import dashboard, services
from planner.execution.dashboard_api import DashboardSerializer
from tests.budget import approvals_helpers as money
from tests.kpis.trees import small_tree
from tests.monitoring import seed

D = Decimal


def _json(d: dashboard.Dashboard) -> dict:
    """What the API would send for a dashboard built for the page."""
    return json.loads(JSONRenderer().render(DashboardSerializer(dashboard.as_data(d)).data))


TODAY = date(2026, 11, 1)  # before the plan year: the default quarter is Q1
Q2 = quarters.Quarter(2027, 2)


# --- quarters (pure) -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2027Q1", "2027q1", "2027-Q1", " 2027 Q1 "])
def test_quarter_parsing_accepts_the_usual_spellings(text):
    assert quarters.parse(text, plan_year=2027) == quarters.Quarter(2027, 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2027Q5", "format"),
        ("Q1", "format"),
        ("", "format"),
        ("2027", "format"),
        ("2026Q4", "year"),
    ],
)
def test_quarter_parsing_refuses_bad_text_with_a_reason(text, reason):
    with pytest.raises(quarters.BadQuarter) as caught:
        quarters.parse(text, plan_year=2027)
    assert caught.value.reason == reason


def test_default_quarter_and_dates():
    assert quarters.default(2027, date(2026, 12, 31)).number == 1
    assert quarters.default(2027, date(2027, 8, 15)).number == 3
    assert quarters.default(2027, date(2028, 1, 2)).number == 4
    q4 = quarters.Quarter(2027, 4)
    assert (q4.start, q4.end, q4.code) == (date(2027, 10, 1), date(2027, 12, 31), "2027Q4")
    assert quarters.Quarter(2027, 1).end == date(2027, 3, 31)
    # upcoming: from today inside the quarter, else from its start; six weeks
    assert quarters.upcoming_window(Q2, date(2027, 5, 10)) == (date(2027, 5, 10), date(2027, 6, 20))
    assert quarters.upcoming_window(Q2, TODAY) == (date(2027, 4, 1), date(2027, 5, 12))


# --- a small hand-made plan ------------------------------------------------------------------


def _plan(world, *, cac_q2: int = 75):
    """Budget KPI on plan (100,000 a month) Jan–May; CAC 60 in Q1, ``cac_q2`` in Apr–May.
    Q2 so far: budget 200,000 of 200,000; CAC target 60 vs 75 (lower is better: 80 %);
    new users = budget ÷ CAC: 2,666.67 of 3,333.33 (80 %)."""
    tree = small_tree(world)
    editor = world.users["editor"]
    kpi_services.actuals_set(
        kpi=tree["budget"], values=dict.fromkeys(range(1, 6), 100000), actor=editor
    )
    kpi_services.actuals_set(
        kpi=tree["cac"], values={1: 60, 2: 60, 3: 60, 4: cac_q2, 5: cac_q2}, actor=editor
    )
    ms = services.milestone_create(
        plan=world.plan,
        actor=editor,
        quarter=2,
        title="Members up in Q2",
        start=date(2027, 4, 1),
        due=date(2027, 6, 30),
        kpis=[tree["new_users"]],
    )
    services.milestone_create(
        plan=world.plan,
        actor=editor,
        quarter=3,
        title="Q3 one",
        start=date(2027, 7, 1),
        due=date(2027, 9, 30),
    )
    # money: total 1,000,000, reserve 10 %; lines Q1 300,000 (douyin), Q2 200,000 (douyin)
    # and 100,000 (wechat); spend 2,000 a day for 5 January days, 1,000 a day for 10 April
    # days on Douyin (matched to its lines by quarter)
    money.fund(world)
    money.line(world, "douyin", 1, "300000")
    money.line(world, "douyin", 2, "200000")
    money.line(world, "wechat", 2, "100000")
    seed.steady(world, date(2027, 1, 10), 5, spend=2000)
    seed.steady(world, date(2027, 4, 1), 10, spend=1000)
    # monitoring: stored grades and alerts (1 critical, 1 warning open; 1 resolved)
    money.grade(world, "douyin", "A")
    money.grade(world, "wechat", "C")
    seed.alert(world, severity="critical", message="Douyin CPA doubled")
    seed.alert(world, severity="warning")
    seed.alert(world, severity="critical", status="resolved")
    # risks: 4 × 3 = 12 and 2 × 2 = 4 open; a closed 5 × 5 does not count
    for title, impact, likelihood, status in (
        ("Platform rule change", 4, 3, "open"),
        ("Minor delay", 2, 2, "mitigated"),
        ("Old risk", 5, 5, "closed"),
    ):
        services.risk_create(
            plan=world.plan,
            actor=editor,
            title=title,
            category="other",
            impact=impact,
            likelihood=likelihood,
            status=status,
        )
    money.submitted(world)  # a budget request waiting for a manager
    return tree, ms


def test_numbers_against_hand_computed_values(world):
    tree, ms = _plan(world)
    d = dashboard.build(world.plan, Q2, today=TODAY)
    assert d.through_month == 5
    kpis = {k.code: k for k in d.kpis}
    assert kpis["budget"].target == D("200000") and kpis["budget"].actual == D("200000")
    assert kpis["budget"].ratio == D("1") and kpis["budget"].rag == "green"
    assert kpis["cac"].ratio == D("0.8") and kpis["cac"].status == "off_track"
    assert kpis["new_users"].ratio == pytest.approx(D("0.8"), abs=D("0.001"))
    assert kpis["new_users"].rag == "red"
    # milestones of Q2 only, the linked KPI off track makes it at risk
    assert [r.milestone.pk for r in d.milestones] == [ms.pk]
    assert d.milestones[0].status == "at_risk"
    assert d.milestone_counts == {
        "not_started": 0,
        "on_track": 0,
        "at_risk": 1,
        "late": 0,
        "done": 0,
    }
    # budget by the lines' quarter
    assert d.budget.quarter.planned == D("300000") and d.budget.quarter.actual == D("10000")
    assert d.budget.year_to_date.planned == D("600000")
    assert d.budget.year_to_date.actual == D("20000")
    assert d.budget.year.planned == D("600000")
    assert d.reserve.balance == D("100000") and d.reserve.target == D("100000")
    assert d.pending_requests == 1
    # monitoring
    assert d.grade_counts == {"A": 1, "B": 0, "C": 1}
    assert d.open_alerts == {"critical": 1, "warning": 1, "info": 0}
    assert d.top_alerts[0].severity == "critical"
    # risks by impact × likelihood, closed ones left out
    assert [(r.title, r.impact * r.likelihood) for r in d.risks] == [
        ("Platform rule change", 12),
        ("Minor delay", 4),
    ]
    assert d.open_risks == 2
    # what needs a decision
    decisions = {x.kind: x for x in d.decisions}
    assert decisions["milestones"].count == 1 and decisions["milestones"].items == [ms.title]
    assert decisions["kpis"].count == 2
    assert sorted(decisions["kpis"].items) == sorted([tree["cac"].name, tree["new_users"].name])
    assert decisions["alerts"].count == 1
    assert decisions["alerts"].items == ["Douyin CPA doubled"]
    assert decisions["requests"].count == 1
    assert "draws" not in decisions and "suppliers" not in decisions
    # upcoming: 1 April – 12 May 2027 (the quarter has not begun on TODAY)
    assert d.window == (date(2027, 4, 1), date(2027, 5, 12))
    codes = {f.code for f in d.festivals}
    assert {"qingming", "labour_day"} <= codes
    assert all(f.end >= d.window[0] and f.start <= d.window[1] for f in d.festivals)


def test_rag_colours_follow_the_plans_thresholds(world):
    _plan(world, cac_q2=65)  # CAC and new users at 92.3 %
    d = dashboard.build(world.plan, Q2, today=TODAY)
    assert {k.code: k.rag for k in d.kpis}["cac"] == "amber"  # below 95 %, above 85 %
    policy = kpi_services.policy_for(world.plan)
    kpi_services.policy_update(
        plan=world.plan,
        expected_version=policy.version,
        at_risk_below=D("0.90"),
        off_track_below=D("0.80"),
        actor=world.users["editor"],
    )
    d = dashboard.build(world.plan, Q2, today=TODAY)
    rags = {k.code: k.rag for k in d.kpis}
    assert rags["cac"] == "green" and rags["new_users"] == "green"
    assert d.at_risk_below == D("0.9") and d.off_track_below == D("0.8")
    # a quarter without data is grey
    d3 = dashboard.build(world.plan, quarters.Quarter(2027, 3), today=TODAY)
    assert {k.rag for k in d3.kpis} == {"grey"}


def test_page_and_api_show_the_same_numbers(world, client_for, api_for):
    _plan(world)
    page = client_for("manager").get(f"/plans/{world.plan.pk}/execution/dashboard/?quarter=2027Q2")
    assert page.status_code == 200
    api = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/dashboard/?quarter=2027Q2")
    assert api.status_code == 200
    body = api.json()
    assert body == _json(page.context["d"])
    html = page.content.decode()
    assert body["quarter"] == "2027Q2" and body["pending_requests"] == 1
    assert body["budget"]["quarter"]["actual"] == 10000
    assert format_amount(D("10000"), "money", "CNY") in html
    assert body["open_alerts"] == {"critical": 1, "warning": 1, "info": 0}
    assert body["kpis"][0]["rag"] in {"green", "amber", "red", "grey"}
    assert "Platform rule change" in html and "Members up in Q2" in html


def test_a_bad_quarter_is_refused(world, client_for, api_for):
    api = api_for("viewer")
    for bad in ("2027Q7", "2026Q1", "soon"):
        response = api.get(f"/api/v1/plans/{world.plan.pk}/dashboard/?quarter={bad}")
        assert response.status_code == 400
        assert "quarter" in str(response.json())
    page = client_for("viewer").get(f"/plans/{world.plan.pk}/execution/dashboard/?quarter=2026Q1")
    assert page.status_code == 400
    assert "2027" in page.content.decode()


def test_default_quarter_without_a_parameter(world, api_for):
    body = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/dashboard/").json()
    expected = quarters.default(world.plan.year, timezone.localdate())
    assert body["quarter"] == expected.code


def test_the_demo_dashboard_reads_stored_results_in_few_queries(demo, client):
    plan = demo
    manager = User.objects.get(username="demo-manager")
    client.force_login(manager)
    url = f"/plans/{plan.pk}/execution/dashboard/?quarter=2027Q2"
    client.get(url)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(url)
    assert page.status_code == 200
    assert len(page_queries) <= 25, "\n".join(q["sql"][:120] for q in page_queries)
    # stored results only: nothing written while reading the dashboard
    writes = [
        q["sql"] for q in page_queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []
    d = page.context["d"]
    assert d.milestones and d.kpis and d.grades and d.risks
    api_client = APIClient()
    api_client.force_login(manager)
    with CaptureQueriesContext(connection) as api_queries:
        api = api_client.get(f"/api/v1/plans/{plan.pk}/dashboard/?quarter=2027Q2")
    assert api.status_code == 200
    assert len(api_queries) <= 25
    assert api.json() == _json(d)
