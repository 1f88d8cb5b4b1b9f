"""The annual-goals API returns the same numbers as the pages, with locking."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis import services
from tests.kpis.trees import small_tree


def test_kpi_tree_evaluates_formulas(world, api_for):
    small_tree(world)
    body = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/kpi-tree/").json()
    nodes = {n["code"]: n for n in body["nodes"]}
    assert nodes["new_users"]["annual"] == 20000  # 1,200,000 / 60
    assert nodes["new_users"]["inputs"] == ["budget", "cac"]
    assert nodes["budget"]["used_by"] == ["new_users"]
    assert sum(nodes["new_users"]["months"]) == pytest.approx(
        20000, abs=12
    )  # each month is whole users


def test_goal_seek_answers_what_budget_reaches_the_goal(world, api_for):
    small_tree(world)
    response = api_for("viewer").post(
        f"/api/v1/plans/{world.plan.pk}/goal-seek/",
        {"kpi": "new_users", "target": 2_000_000, "solve_for": "budget"},
        format="json",
    )
    body = response.json()
    assert response.status_code == 200, body
    assert body["value"] == pytest.approx(120_000_000)  # 2,000,000 users × ¥60
    assert body["method"] == "linear"
    assert body["kpis"]["new_users"] == pytest.approx(2_000_000)


def test_goal_seek_without_solution_says_why(world, api_for):
    small_tree(world)
    response = api_for("editor").post(
        f"/api/v1/plans/{world.plan.pk}/goal-seek/",
        {"kpi": "budget", "target": 5, "solve_for": "cac"},
        format="json",
    )
    assert response.status_code == 400
    assert "budget" in response.json()["detail"]


def test_changing_an_input_recomputes_the_tree(world, api_for):
    tree = small_tree(world)
    client = api_for("editor")
    response = client.patch(
        f"/api/v1/kpis/{tree['cac'].pk}/",
        {"annual_target": "48"},
        format="json",
        HTTP_IF_MATCH=f'"{tree["cac"].version}"',
    )
    assert response.status_code == 200
    new_users = client.get(f"/api/v1/kpis/{tree['new_users'].pk}/").json()
    assert Decimal(str(new_users["target"])) == Decimal(25000)


def test_kpi_patch_needs_if_match_and_refuses_stale(world, api_for):
    budget = small_tree(world)["budget"]
    client = api_for("editor")
    assert (
        client.patch(f"/api/v1/kpis/{budget.pk}/", {"name": "x"}, format="json").status_code == 428
    )
    assert (
        client.patch(
            f"/api/v1/kpis/{budget.pk}/", {"name": "x"}, format="json", HTTP_IF_MATCH='"99"'
        ).status_code
        == 412
    )


def test_breakdown_put_reports_reconciliation(world, api_for):
    budget = small_tree(world)["budget"]
    client = api_for("editor")
    response = client.put(
        f"/api/v1/kpis/{budget.pk}/breakdown/",
        {"months": [100000] * 11 + [50000]},
        format="json",
        HTTP_IF_MATCH=f'"{budget.version}"',
    )
    body = response.json()
    assert response.status_code == 200, body
    months = body["parts"][0]
    assert (months["dimension"], months["ok"], months["aggregate"]) == ("months", False, 1150000)
    assert body["quarters"] == [300000, 300000, 300000, 250000]
    assert response["ETag"] == f'"{budget.version + 1}"'
    # a stale write is refused and the breakdown stays
    stale = client.put(
        f"/api/v1/kpis/{budget.pk}/breakdown/",
        {"months": [1] * 12},
        format="json",
        HTTP_IF_MATCH=f'"{budget.version}"',
    )
    assert stale.status_code == 412


def test_breakdown_put_names_the_bad_field(world, api_for):
    budget = small_tree(world)["budget"]
    response = api_for("editor").put(
        f"/api/v1/kpis/{budget.pk}/breakdown/",
        {"months": [1, 2]},
        format="json",
        HTTP_IF_MATCH=f'"{budget.version}"',
    )
    assert response.status_code == 400 and "months" in response.json()["fields"]


def test_attainment_per_month_and_year_to_date(world, api_for):
    tree = small_tree(world)
    services.actuals_set(
        kpi=tree["budget"], values={1: 90000, 2: 100000}, actor=world.users["editor"]
    )
    services.actuals_set(kpi=tree["cac"], values={1: 60, 2: 80}, actor=world.users["editor"])
    rows = {
        r["code"]: r
        for r in api_for("viewer")
        .get(f"/api/v1/plans/{world.plan.pk}/attainment/?through=2")
        .json()
    }
    budget = rows["budget"]
    # lower is better for a budget: target ÷ actual
    assert budget["months"][0]["ratio"] == pytest.approx(100000 / 90000, abs=1e-4)
    assert budget["year_to_date"]["target"] == 200000 and budget["year_to_date"]["actual"] == 190000
    # new users actual = budget actual / cac actual, month by month
    new_users = rows["new_users"]
    assert new_users["months"][0]["actual"] == 1500 and new_users["months"][1]["actual"] == 1250
    assert new_users["months"][1]["status"] == "off_track"  # 1,250 of 1,667 = 75 %
    assert new_users["months"][2]["status"] == "no_data"


def test_kpi_list_query_count_does_not_grow_with_kpis(world, api_for):
    small_tree(world)
    client = api_for("editor")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/v1/kpis/?plan={world.plan.pk}")
    for i in range(10):
        services.kpi_create(
            plan=world.plan,
            actor=world.users["editor"],
            code=f"extra_{i}",
            name=f"Extra {i}",
            annual_target=Decimal(i),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/api/v1/kpis/?plan={world.plan.pk}")
    assert response.json()["count"] == 13
    assert len(many) == len(few) <= 10, [q["sql"] for q in many.captured_queries]


def test_policy_thresholds_drive_the_status(world, api_for):
    tree = small_tree(world)
    services.actuals_set(kpi=tree["cac"], values={1: 66}, actor=world.users["editor"])
    client = api_for("editor")
    status = lambda: client.get(f"/api/v1/plans/{world.plan.pk}/attainment/?through=1").json()  # noqa: E731
    assert (
        next(r for r in status() if r["code"] == "cac")["months"][0]["status"] == "at_risk"
    )  # 60/66 = 91 %
    client.put(
        f"/api/v1/plans/{world.plan.pk}/attainment-policy/",
        {"at_risk_below": "0.9", "off_track_below": "0.8"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert next(r for r in status() if r["code"] == "cac")["months"][0]["status"] == "on_track"


def test_behind_plan_thresholds_for_monitoring(world):
    from kpis.queries import behind_plan_thresholds

    small_tree(world)
    thresholds = behind_plan_thresholds(world.plan)
    cac = thresholds["cac"]
    assert (cac.direction, cac.at_risk, cac.off_track) == (
        "lower",
        Decimal("0.95"),
        Decimal("0.85"),
    )
    assert thresholds["new_users"].annual_target == Decimal(20000)
    assert len(thresholds["budget"].monthly_targets) == 12
