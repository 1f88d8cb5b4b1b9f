"""The ROI model through its services, API and page: definition and sign-offs, layered ROI
on hand-checked numbers, cohorts, stored curves and scenarios."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.errors import InvalidInput, InvalidTransition, NotAllowed, StaleVersion
from monitoring.recompute import recompute_plan
from monitoring.roi import queries, services
from monitoring.roi.models import ResponseCurve, RoiCohort, RoiSignoff
from tests.content.helpers import campaign
from tests.monitoring.seed import channel, metric

pytestmark = pytest.mark.django_db
D = Decimal


def _year(world, code="douyin", weeks=20, base=1000.0):
    """``weeks`` weeks from Monday 2027-01-04 with spend rising week by week and
    diminishing revenue (revenue = 40 × √spend per day)."""
    start = date(2027, 1, 4)
    for w in range(weeks):
        spend = base * (1 + 0.25 * (w % 8))
        for d in range(7):
            metric(
                world,
                start + timedelta(days=7 * w + d),
                code,
                impressions=int(spend * 40),
                clicks=int(spend),
                visits=int(spend * 0.8),
                conversions=int(spend / 50),
                new_users=int(spend / 100),
                spend=round(spend, 2),
                revenue=round(40 * spend**0.5, 2),
            )


def test_definition_change_clears_sign_offs_and_keeps_them(world):
    plan, manager, admin = world.plan, world.users["manager"], world.users["admin"]
    d = services.definition_for(plan)
    services.sign_off(plan=plan, department="finance", expected_version=d.version, actor=manager)
    services.sign_off(plan=plan, department="operations", expected_version=d.version, actor=admin)
    assert services.is_agreed(d)
    fresh = services.definition_update(
        plan=plan,
        expected_version=d.version,
        changes={"basis": "margin", "gross_margin": D("0.35")},
        actor=world.users["editor"],
    )
    assert fresh.version == d.version + 1
    assert not services.is_agreed(fresh)
    assert RoiSignoff.objects.filter(definition=fresh, cleared_at__isnull=False).count() == 2
    assert "not yet agreed" in queries.definition_view(plan).summary


def test_sign_off_rules(world):
    plan, manager = world.plan, world.users["manager"]
    d = services.definition_for(plan)
    with pytest.raises(NotAllowed):
        services.sign_off(
            plan=plan, department="finance", expected_version=1, actor=world.users["editor"]
        )
    with pytest.raises(StaleVersion):
        services.sign_off(plan=plan, department="finance", expected_version=9, actor=manager)
    with pytest.raises(InvalidInput):
        services.sign_off(plan=plan, department="legal", expected_version=1, actor=manager)
    services.sign_off(plan=plan, department="finance", expected_version=d.version, actor=manager)
    with pytest.raises(InvalidTransition):  # one person cannot sign for both departments
        services.sign_off(plan=plan, department="operations", expected_version=1, actor=manager)
    with pytest.raises(InvalidTransition):
        services.sign_off(
            plan=plan, department="finance", expected_version=1, actor=world.users["admin"]
        )


def test_definition_validation_names_each_field(world):
    d = services.definition_for(world.plan)
    with pytest.raises(InvalidInput) as caught:
        services.definition_update(
            plan=world.plan,
            expected_version=d.version,
            changes={"basis": "margin", "gross_margin": D("1.5"), "ltv_horizon_months": 0},
            actor=world.users["editor"],
        )
    assert set(caught.value.fields) == {"gross_margin", "ltv_horizon_months"}


def test_layered_roi_on_hand_checked_numbers(world):
    douyin = channel(world, "douyin")
    metric(
        world,
        date(2027, 3, 1),
        "douyin",
        impressions=100000,
        clicks=2000,
        visits=1500,
        conversions=40,
        new_users=20,
        spend=1000,
        revenue=3000,
    )
    metric(
        world,
        date(2027, 3, 1),
        "sem_baidu",
        impressions=5000,
        clicks=500,
        visits=400,
        conversions=50,
        new_users=30,
        spend=500,
        revenue=2500,
    )
    camp = campaign(world)  # budget 300,000 on douyin and wechat
    recompute_plan(world.plan.pk)
    report = queries.report(world.plan)
    rows = {r.key: r for r in report.channels}
    assert douyin.layer == "brand" and rows["sem_baidu"].layer == "performance"
    assert rows["douyin"].figures.roi == pytest.approx(2.0)
    assert rows["douyin"].figures.cpm == pytest.approx(10.0)
    assert rows["sem_baidu"].figures.roas == pytest.approx(5.0)
    assert rows["sem_baidu"].figures.cpa == pytest.approx(10.0)
    assert report.total.figures.roi == pytest.approx((5500 - 1500) / 1500)
    # margin basis with campaign budgets: the campaign has no metrics, so its budget is
    # shared evenly over its two channels
    d = services.definition_for(world.plan)
    services.definition_update(
        plan=world.plan,
        expected_version=d.version,
        changes={"basis": "margin", "gross_margin": D("0.4"), "include_production": True},
        actor=world.users["editor"],
    )
    report = queries.report(world.plan)
    rows = {r.key: r for r in report.channels}
    assert rows["douyin"].figures.cost == D("1000") + camp.budget / 2
    assert report.total.figures.cost == D("1500") + camp.budget
    assert report.total.figures.roi == pytest.approx((5500 * 0.4 - 301500) / 301500)


def test_ltv_corrected_roi_uses_the_channel_cohorts_else_the_plan_wide(world):
    metric(world, date(2027, 3, 1), "douyin", new_users=10, spend=1000, revenue=500)
    metric(world, date(2027, 3, 1), "sem_baidu", new_users=5, spend=100, revenue=50)
    editor = world.users["editor"]
    services.cohort_create(
        plan=world.plan,
        actor=editor,
        month=date(2027, 1, 1),
        channel=channel(world, "douyin"),
        users=100,
        retention=[0.5],
        arpu=D("100"),
    )
    services.cohort_create(
        plan=world.plan,
        actor=editor,
        month=date(2027, 1, 1),
        channel=None,
        users=100,
        retention=[],
        arpu=D("30"),
    )
    d = services.definition_for(world.plan)
    services.definition_update(
        plan=world.plan,
        expected_version=d.version,
        changes={"ltv_horizon_months": 2, "discount_rate": D("0")},
        actor=editor,
    )
    recompute_plan(world.plan.pk)
    rows = {r.key: r for r in queries.report(world.plan).channels}
    assert rows["douyin"].figures.ltv_per_user == pytest.approx(150.0)  # 100 × (1 + .5)
    assert rows["douyin"].figures.roi_ltv == pytest.approx((1500 - 1000) / 1000)
    assert rows["sem_baidu"].ltv_source == "plan"
    assert rows["sem_baidu"].figures.ltv_per_user == pytest.approx(30.0)


def test_cohort_validation(world):
    with pytest.raises(InvalidInput) as caught:
        services.cohort_create(
            plan=world.plan,
            actor=world.users["editor"],
            month=date(2020, 1, 1),
            channel=None,
            users=0,
            retention=[0.5, 1.4],
            arpu=D("-1"),
        )
    assert set(caught.value.fields) == {"month", "users", "retention", "arpu"}
    assert "Month 2" in str(caught.value.fields["retention"][0])
    other = channel(world, "douyin").__class__.objects.filter(plan=world.other_plan).first()
    with pytest.raises(InvalidInput) as caught:
        services.cohort_create(
            plan=world.plan,
            actor=world.users["editor"],
            month=date(2027, 1, 1),
            channel=other,
            users=5,
            retention=[],
            arpu=D("1"),
        )
    assert "channel" in caught.value.fields
    assert not RoiCohort.objects.exists()


def test_recompute_stores_curves_and_scenarios_follow_them(world):
    _year(world, "douyin", weeks=20)
    _year(world, "sem_baidu", weeks=3, base=400)
    recompute_plan(world.plan.pk)
    curves = {c.channel.code: c for c in ResponseCurve.objects.filter(plan=world.plan)}
    assert curves["douyin"].status == "fitted" and len(curves["douyin"].samples) == 200
    assert curves["sem_baidu"].status == "few_weeks" and curves["sem_baidu"].kind == "linear"
    found = queries.scenarios(world.plan, move=("douyin", "sem_baidu", 0.1))
    by_key = {s.key: s for s in found.rows}
    assert by_key["total_+10"].outcome.revenue > found.baseline.outcome.revenue
    assert by_key["total_-10"].outcome.revenue < found.baseline.outcome.revenue
    assert by_key["remove_douyin"].outcome.spend == pytest.approx(
        sum(curves["sem_baidu"].weekly_spend)
    )
    assert found.custom[0].outcome.spend == pytest.approx(found.baseline.outcome.spend)
    with pytest.raises(KeyError):
        queries.scenarios(world.plan, move=("douyin", "tiktok", 0.1))


# --- API ----------------------------------------------------------------------------------------


def test_definition_api_needs_if_match_and_reports_sign_offs(world, api_for):
    api = api_for("editor")
    url = f"/api/v1/plans/{world.plan.pk}/roi-definition/"
    got = api.get(url)
    assert got.status_code == 200 and got["ETag"] == '"1"' and got.json()["agreed"] is False
    assert api.put(url, {"basis": "margin", "gross_margin": 0.3}, format="json").status_code == 428
    stale = api.put(url, {"basis": "margin"}, format="json", HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    bad = api.put(url, {"basis": "margin", "gross_margin": 0}, format="json", HTTP_IF_MATCH='"1"')
    assert bad.status_code == 400 and "gross_margin" in bad.json()["fields"]
    ok = api.put(url, {"basis": "margin", "gross_margin": 0.3}, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok["ETag"] == '"2"' and "30 %" in ok.json()["summary"]
    sign = api_for("manager").post(
        url + "sign-off/", {"department": "finance"}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert sign.status_code == 200
    assert [s["department"] for s in sign.json()["signoffs"]] == ["finance"]
    assert (
        api.post(
            url + "sign-off/", {"department": "operations"}, format="json", HTTP_IF_MATCH='"2"'
        ).status_code
        == 403
    )


def test_roi_and_scenario_api(world, api_for):
    _year(world, "douyin", weeks=12)
    recompute_plan(world.plan.pk)
    api = api_for("viewer")
    body = api.get(f"/api/v1/plans/{world.plan.pk}/roi/").json()
    assert body["definition"]["summary"].startswith("ROI = ")
    assert [r["key"] for r in body["layers"]["brand"]["channels"]] == ["douyin"]
    url = f"/api/v1/plans/{world.plan.pk}/roi/scenarios/"
    ok = api.get(url, {"change": ["douyin:-10"]})
    assert (
        ok.status_code == 200 and ok.json()["custom"][0]["spend"] < ok.json()["baseline"]["spend"]
    )
    bad = api.get(url, {"move_from": "tiktok", "move_to": "douyin", "percent": 10})
    assert bad.status_code == 400 and "move_from" in bad.json()["fields"]
    bad = api.get(url, {"change": ["nope:5"]})
    assert bad.status_code == 400 and "change" in bad.json()["fields"]


def test_cohort_api_refuses_another_workspaces_channel(world, api_for):
    foreign = channel(world, "douyin").__class__.objects.filter(plan=world.other_plan).first()
    got = api_for("editor").post(
        "/api/v1/roi-cohorts/",
        {
            "plan": world.plan.pk,
            "month": "2027-02-01",
            "channel": foreign.pk,
            "users": 10,
            "retention": [0.4],
            "arpu": 20,
        },
        format="json",
    )
    assert got.status_code == 400 and "channel" in got.json()["fields"]
    assert not RoiCohort.objects.exists()


# --- page ---------------------------------------------------------------------------------------


def test_page_shows_pending_sign_off_tables_and_forms(world, client_for):
    _year(world, "douyin", weeks=12)
    recompute_plan(world.plan.pk)
    page = client_for("manager").get(
        f"/plans/{world.plan.pk}/monitoring/roi/?move_from=douyin&move_to=douyin&percent=10"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "Not yet agreed" in html and 'id="signoff-finance"' in html and "Sign for Finance" in html
    )
    assert 'id="roi-channel-douyin"' in html and 'id="scenario-baseline"' in html
    assert "scenario-figure" in html and "curve-figure" in html


def test_page_definition_form_and_cohort_form(world, client_for):
    editor = client_for("editor")
    base = f"/plans/{world.plan.pk}/monitoring/roi/"
    saved = editor.post(
        base + "definition/",
        {
            "version": 1,
            "basis": "margin",
            "gross_margin": "35",
            "attribution_model": "platform",
            "roi_floor": "10",
            "ltv_horizon_months": 12,
            "discount_rate": "10",
            "include_production": "on",
        },
    )
    assert saved.status_code == 302
    d = services.definition_for(world.plan)
    assert d.gross_margin == D("0.35") and d.include_production and d.roi_floor == D("0.1")
    stale = editor.post(
        base + "definition/",
        {
            "version": 1,
            "basis": "revenue",
            "attribution_model": "platform",
            "roi_floor": "0",
            "ltv_horizon_months": 12,
            "discount_rate": "10",
        },
    )
    assert stale.status_code == 409
    bad = editor.post(
        base + "cohorts/", {"month": "2027-03", "users": 10, "retention": "40, abc", "arpu": "5"}
    )
    assert bad.status_code == 400 and "Month 2" in bad.content.decode()
    ok = editor.post(
        base + "cohorts/", {"month": "2027-03", "users": 10, "retention": "40, 30", "arpu": "5"}
    )
    assert ok.status_code == 302
    cohort = RoiCohort.objects.get()
    assert cohort.retention == [0.4, 0.3] and cohort.month == date(2027, 3, 1)
    form = editor.get(base + f"cohorts/{cohort.pk}/", HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'value="40, 30"' in form.content.decode()


def test_page_offers_no_second_sign_off_to_whoever_signed_the_first(world, client_for):
    definition = services.definition_for(world.plan)
    services.sign_off(
        plan=world.plan,
        department="finance",
        expected_version=definition.version,
        actor=world.users["manager"],
    )
    url = f"/plans/{world.plan.pk}/monitoring/roi/"
    mine = client_for("manager").get(url).content.decode()
    assert "Sign for Operations" not in mine
    assert "the second sign-off must come from someone else" in mine
    theirs = client_for("admin").get(url).content.decode()
    assert "Sign for Operations" in theirs and "must come from someone else" not in theirs
