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


def test_ltv_corrected_roi_adds_the_value_after_the_period(world):
    """In-period value + the LTV tail of the year's new users after the period's end."""
    metric(world, date(2027, 2, 1), "douyin", new_users=4)
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
        changes={"ltv_horizon_months": 3, "discount_rate": D("0")},
        actor=editor,
    )
    recompute_plan(world.plan.pk)
    report = queries.report(world.plan)
    rows = {r.key: r for r in report.channels}
    douyin = rows["douyin"].figures
    # retention 1, .5, then .25 (one observed month decays geometrically); ARPU 100:
    # T(0) = 175, T(1) = 75, T(2) = 25. The period ends in March: the 10 March users
    # spent 1 month in it (75 each after it), the 4 February users 2 months (25 each).
    assert douyin.ltv_per_user == pytest.approx(175.0)
    assert douyin.future_value == D("850.00")
    assert douyin.ltv_value == D("1350.00")  # 500 in period + 850 after it
    assert douyin.roi == pytest.approx(-0.5)
    assert douyin.roi_ltv == pytest.approx((1350 - 1000) / 1000)
    # plan-wide cohorts without retention: nothing after month 0, so no correction
    assert rows["sem_baidu"].ltv_source == "plan"
    assert rows["sem_baidu"].figures.ltv_per_user == pytest.approx(30.0)
    assert rows["sem_baidu"].figures.future_value == D("0.00")
    assert rows["sem_baidu"].figures.roi_ltv == rows["sem_baidu"].figures.roi
    total = report.total.figures
    assert total.future_value == D("850.00")
    assert total.roi_ltv == pytest.approx((550 + 850 - 1100) / 1100)
    assert total.ltv_per_user == pytest.approx((175 * 14 + 30 * 5) / 19)


def _attributed(world, model, values, conversions=1.0):
    from monitoring.models import AttributionResult

    for code, value in values.items():
        AttributionResult.objects.create(
            plan=world.plan,
            model=model,
            channel=channel(world, code),
            conversions=conversions,
            value=value,
        )


def _use(world, model):
    d = services.definition_for(world.plan)
    return services.definition_update(
        plan=world.plan,
        expected_version=d.version,
        changes={"attribution_model": model},
        actor=world.users["editor"],
    )


def test_attributed_revenue_shares_the_reported_total_by_the_models_value(world):
    metric(world, date(2027, 3, 1), "douyin", spend=1000, revenue=3000, new_users=10)
    metric(world, date(2027, 3, 1), "sem_baidu", spend=500, revenue=2000)
    metric(world, date(2027, 3, 1), "tmall", spend=800, revenue=5000)
    recompute_plan(world.plan.pk)
    # tmall is in no journey: it keeps its 5,000; the other 5,000 (douyin + sem_baidu)
    # goes 100 : 300 : 100 to douyin, sem_baidu and wechat (journeys only, no metrics)
    _attributed(world, "markov", {"douyin": 100, "sem_baidu": 300, "wechat": 100})
    _attributed(world, "last_click", {"douyin": 0, "sem_baidu": 0}, conversions=0)  # no credit
    # journeys without values: the attributed conversions share it (1 : 1 here)
    _attributed(world, "first_click", {"douyin": 0, "sem_baidu": 0})
    _use(world, "first_click")
    report = queries.report(world.plan)
    assert {r.key: r.figures.revenue for r in report.channels} == {
        "douyin": D("2500.00"),
        "sem_baidu": D("2500.00"),
        "tmall": D("5000.00"),
    }
    _use(world, "markov")
    credited = queries.channel_revenue(world.plan, services.definition_for(world.plan))
    by_code = {channel(world, c).pk: c for c in ("douyin", "sem_baidu", "tmall", "wechat")}
    assert {by_code[k]: v for k, v in credited.by_channel.items()} == {
        "douyin": D("1000.00"),
        "sem_baidu": D("3000.00"),
        "wechat": D("1000.00"),
        "tmall": D("5000.00"),
    }
    assert credited.source == "markov" and not credited.fallback
    report = queries.report(world.plan)
    rows = {r.key: r for r in report.channels}
    assert rows["douyin"].figures.roi == pytest.approx((1000 - 1000) / 1000)
    assert rows["tmall"].figures.revenue == D("5000.00")
    assert rows["douyin"].figures.roas == pytest.approx(1.0)
    assert rows["wechat"].figures.revenue == D("1000.00")  # shown, without cost
    assert rows["wechat"].figures.cost == 0 and rows["wechat"].figures.roi is None
    assert report.total.figures.revenue == D("10000.00")  # reconciles with the metrics
    assert "no results of this model" not in report.definition.summary
    # a model whose results give no credit: the reported revenue, flagged
    _use(world, "last_click")
    report = queries.report(world.plan)
    assert report.credited.fallback and report.credited.source == "platform"
    assert {r.key: r.figures.revenue for r in report.channels} == {
        "douyin": D("3000"),
        "sem_baidu": D("2000"),
        "tmall": D("5000"),
    }
    assert "no results of this model yet" in report.definition.summary


def test_attributed_revenue_adds_up_to_the_cent():
    from monitoring.analytics import roi as roi_lib

    parts = roi_lib.split(D("100.00"), {1: D("1"), 2: D("1"), 3: D("1")})
    assert sorted(parts.values()) == [D("33.33"), D("33.33"), D("33.34")]
    assert sum(parts.values()) == D("100.00")


def test_response_curves_fit_the_definitions_revenue(world):
    from django.utils import timezone

    from monitoring.roi import fits

    _year(world, "douyin", weeks=10)
    _year(world, "sem_baidu", weeks=10)
    recompute_plan(world.plan.pk)
    platform = {c.channel.code: list(c.weekly_revenue) for c in queries.curves(world.plan)}
    reported = queries.channel_revenue(world.plan, services.definition_for(world.plan))
    d, s = channel(world, "douyin").pk, channel(world, "sem_baidu").pk
    total = reported.platform[d] + reported.platform[s]
    _attributed(world, "linear", {"douyin": 1, "sem_baidu": 3})
    _use(world, "linear")
    fits.store_curves(world.plan, timezone.now())
    credited = queries.channel_revenue(world.plan, services.definition_for(world.plan))
    assert credited.by_channel[d] == (total / 4).quantize(D("0.01"))
    scale = float(credited.by_channel[d] / reported.platform[d])
    stored = {c.channel.code: list(c.weekly_revenue) for c in queries.curves(world.plan)}
    assert stored["douyin"] == [round(v * scale, 2) for v in platform["douyin"]]
    assert sum(stored["douyin"]) + sum(stored["sem_baidu"]) == pytest.approx(float(total), abs=1)


def test_recompute_stores_attribution_before_it_fits_the_roi_curves(world, monkeypatch):
    from monitoring import recompute

    calls = []
    monkeypatch.setattr(recompute, "recompute_attribution", lambda plan: calls.append("attr"))
    monkeypatch.setattr(
        recompute.roi_fits, "store_curves", lambda plan, now: calls.append("curves")
    )
    recompute_plan(world.plan.pk)
    assert calls == ["attr", "curves"]


def test_fallback_is_flagged_on_the_page_and_in_the_api(world, client_for, api_for):
    metric(world, date(2027, 3, 1), "douyin", spend=1000, revenue=3000)
    recompute_plan(world.plan.pk)
    _use(world, "markov")
    body = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/roi/").json()
    assert body["revenue_source"] == "platform" and body["attribution_fallback"] is True
    assert body["definition"]["attribution_fallback"] is True
    assert "No Data-driven (Markov) attribution results" in body["revenue_note"]
    page = client_for("viewer").get(f"/plans/{world.plan.pk}/monitoring/roi/")
    assert "no results of this model yet" in page.content.decode()
    assert 'id="revenue-source"' in page.content.decode()
    overview = client_for("viewer").get(f"/plans/{world.plan.pk}/monitoring/")
    assert "roi-definition-line" in overview.content.decode()
    funnel = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/funnel/").json()
    assert funnel["roi_definition"].startswith("ROI = ")


def test_roi_page_and_api_take_a_fixed_number_of_queries(
    world, client_for, api_for, django_assert_max_num_queries
):
    for code in ("douyin", "sem_baidu", "tmall", "jd", "weibo", "xiaohongshu"):
        _year(world, code, weeks=10)
    services.cohort_create(
        plan=world.plan,
        actor=world.users["editor"],
        month=date(2027, 1, 1),
        channel=channel(world, "tmall"),
        users=100,
        retention=[0.5, 0.4],
        arpu=D("50"),
    )
    recompute_plan(world.plan.pk)
    _attributed(world, "markov", {"douyin": 1, "tmall": 2})
    _use(world, "markov")
    client, api = client_for("viewer"), api_for("viewer")
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(f"/plans/{world.plan.pk}/monitoring/roi/").status_code == 200
    with django_assert_max_num_queries(API_QUERIES):
        assert api.get(f"/api/v1/plans/{world.plan.pk}/roi/").status_code == 200
    with django_assert_max_num_queries(SCENARIO_QUERIES):
        url = f"/api/v1/plans/{world.plan.pk}/roi/scenarios/"
        assert api.get(url, {"change": ["douyin:-10"]}).status_code == 200


# Measured with six channels, one cohort and attributed revenue (the same as with three):
# 27, 15 and 10; the counts do not grow with channels or cohorts (no query per row).
PAGE_QUERIES = 27
API_QUERIES = 15
SCENARIO_QUERIES = 10


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
