"""Scenarios: a complete, independent copy of the plan's content, compared side by side."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budget.models import Budget, BudgetLine
from core.errors import InvalidInput
from kpis import services as kpi_services
from kpis.models import Kpi
from monitoring.models import Alert, DailyMetric
from planner.models import Plan, PlanStatus
from planner.plan_data import collect
from planner.versions import queries
from planner.versions.services import scenario_create
from tests.kpis.trees import small_tree


def _sections(plan: Plan) -> list:
    return collect(plan).to_json()["sections"]


def test_a_scenario_of_the_demo_plan_has_the_same_content_in_every_section(demo_plan):
    editor = demo_plan.workspace.memberships.get(user__username="demo-editor").user
    scenario = scenario_create(plan=demo_plan, name="Demo · more social", actor=editor)
    assert scenario.scenario_of == demo_plan and scenario.status == PlanStatus.DRAFT
    assert (scenario.workspace_id, scenario.year) == (demo_plan.workspace_id, demo_plan.year)
    original, copy = _sections(demo_plan), _sections(scenario)
    for before, after in zip(original, copy, strict=True):
        assert before == after, before["key"]
    budget = Budget.objects.get(plan=scenario)
    planned = sum(BudgetLine.objects.filter(plan=scenario).values_list("planned", flat=True))
    assert budget.allocated == planned
    assert budget.total == budget.allocated + budget.reserve_balance + budget.unallocated
    # Live data stays behind.
    assert DailyMetric.objects.filter(plan=demo_plan).exists()
    assert not DailyMetric.objects.filter(plan=scenario).exists()
    assert not Alert.objects.filter(plan=scenario).exists()
    # the demo already has its "Stretch" scenario; the new one joins it
    assert scenario in queries.related_scenarios(demo_plan)
    assert len(queries.related_scenarios(demo_plan)) == 2
    assert queries.related_scenarios(scenario) == [demo_plan]


def test_editing_the_scenario_leaves_the_original_alone(world, client_for):
    small_tree(world)
    editor = world.users["editor"]
    scenario = scenario_create(plan=world.plan, name="Bolder", actor=editor)
    copied = Kpi.objects.get(plan=scenario, code="budget")
    kpi_services.kpi_update(
        kpi=copied,
        expected_version=copied.version,
        changes={"annual_target": Decimal("2000000")},
        actor=editor,
    )
    assert Kpi.objects.get(plan=world.plan, code="budget").annual_target == Decimal("1200000")
    groups = {g["key"]: g for g in queries.scenario_comparison(world.plan, scenario)}
    row = next(r for r in groups["targets"]["rows"] if r["key"] == "budget")
    assert (row["a"], row["b"], row["delta"]) == ("1200000.00", "2000000.00", "800000.00")
    assert row["kind"] == "money"  # the budget KPI is an amount
    page = client_for("viewer").get(f"/plans/{world.plan.pk}/scenarios/compare/?with={scenario.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1,200,000" in html and "2,000,000" in html and "800,000" in html
    overview = client_for("viewer").get(f"/plans/{world.plan.pk}/").content.decode()
    assert 'id="plan-scenarios"' in overview and "Bolder" in overview


def test_scenario_names_are_checked_and_other_workspaces_are_out_of_reach(world, api_for):
    editor = world.users["editor"]
    with pytest.raises(InvalidInput):
        scenario_create(plan=world.plan, name=world.plan.name, actor=editor)
    with pytest.raises(InvalidInput):
        scenario_create(plan=world.plan, name="  ", actor=editor)
    base = f"/api/v1/plans/{world.plan.pk}"
    created = api_for("editor").post(f"{base}/scenarios/", {"name": "Leaner"}, format="json")
    assert created.status_code == 201 and created.json()["name"] == "Leaner"
    assert created["ETag"]
    refused = api_for("viewer").post(f"{base}/scenarios/", {"name": "X"}, format="json")
    assert refused.status_code == 403
    assert api_for("editor").post(f"{base}/scenarios/", {}, format="json").status_code == 400
    compare = api_for("viewer").get(f"{base}/scenarios/compare/?with={created.json()['id']}")
    assert compare.status_code == 200
    assert [g["key"] for g in compare.json()["groups"]] == ["targets", "budget", "roi"]
    # another workspace's plan: not found, whether or not the caller can see it
    other = world.other_plan.pk
    assert api_for("viewer").get(f"{base}/scenarios/compare/?with={other}").status_code == 404
    assert api_for("viewer").get(f"{base}/scenarios/compare/?with=abc").status_code == 400
    outsider = api_for("outsider")
    assert outsider.get(f"{base}/scenarios/compare/?with={other}").status_code == 404
    other_base = f"/api/v1/plans/{other}"
    assert outsider.get(f"{other_base}/scenarios/compare/?with={world.plan.pk}").status_code == 404
