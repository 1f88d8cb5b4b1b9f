"""Annual-goals pages: grid, tree, in-place edits, breakdown editor, goal seek."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis import services
from kpis.models import Kpi
from tests.kpis.trees import small_tree

HTMX = {"HTTP_HX_REQUEST": "true"}


def goals_url(world, suffix=""):
    return f"/plans/{world.plan.pk}/goals/{suffix}"


def test_section_shows_grid_tree_and_computed_targets(world, client_for):
    small_tree(world)
    content = client_for("viewer").get(goals_url(world)).content.decode()
    assert 'id="kpi-grid"' in content and 'class="kpi-tree"' in content
    assert "= budget / cac" in content
    assert "20,000" in content  # new users computed from the formula
    assert "¥1,200,000" in content


def test_section_query_count_does_not_grow_with_kpis(world, client_for):
    small_tree(world)
    client = client_for("editor")
    client.get(goals_url(world))
    with CaptureQueriesContext(connection) as few:
        client.get(goals_url(world))
    for i in range(8):
        services.kpi_create(
            plan=world.plan,
            actor=world.users["editor"],
            code=f"x{i}",
            name=f"X{i}",
            annual_target=Decimal(i),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(goals_url(world))
    assert len(many) == len(few) <= 25, [q["sql"] for q in many.captured_queries]


def test_edit_row_form_comes_as_a_fragment_and_saves_with_refresh(world, client_for):
    cac = small_tree(world)["cac"]
    client = client_for("editor")
    fragment = client.get(goals_url(world, f"kpis/{cac.pk}/edit/"), **HTMX).content.decode()
    assert "<html" not in fragment and 'name="version"' in fragment
    data = {
        "kind": "cac",
        "code": "cac",
        "name": "CAC",
        "unit": "money",
        "direction": "lower",
        "source": "manual",
        "annual_target": "48",
        "profile": "even",
        "aggregation": "weighted",
        "version": cac.version,
    }
    response = client.post(goals_url(world, f"kpis/{cac.pk}/edit/"), data, **HTMX)
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert Kpi.objects.get(pk=cac.pk).annual_target == Decimal(48)


def test_stale_kpi_edit_shows_the_conflict(world, client_for):
    cac = small_tree(world)["cac"]
    services.kpi_update(
        kpi=cac,
        expected_version=cac.version,
        changes={"name": "Cost per member"},
        actor=world.users["manager"],
    )
    data = {
        "kind": "cac",
        "code": "cac",
        "name": "My CAC",
        "unit": "money",
        "direction": "lower",
        "source": "manual",
        "annual_target": "48",
        "profile": "even",
        "version": cac.version,
    }
    content = (
        client_for("editor")
        .post(goals_url(world, f"kpis/{cac.pk}/edit/"), data, **HTMX)
        .content.decode()
    )
    assert 'class="conflict"' in content and "Cost per member" in content
    assert Kpi.objects.get(pk=cac.pk).name == "Cost per member"


def test_percent_targets_are_typed_as_percentages(world, client_for):
    client_for("editor").post(
        goals_url(world, "kpis/new/"),
        {
            "kind": "ctr",
            "unit": "percent",
            "direction": "higher",
            "source": "manual",
            "annual_target": "1.5",
            "profile": "even",
        },
    )
    assert Kpi.objects.get(plan=world.plan, code="ctr").annual_target == Decimal("0.015")


def test_invalid_formula_on_the_page_shows_the_reason(world, client_for):
    small_tree(world)
    response = client_for("editor").post(
        goals_url(world, "kpis/new/"),
        {
            "kind": "custom",
            "code": "x",
            "name": "X",
            "unit": "count",
            "direction": "higher",
            "source": "formula",
            "formula": "budget * (",
            "profile": "even",
        },
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Kpi.objects.filter(plan=world.plan, code="x").exists()


def test_breakdown_editor_saves_and_reports_mismatch(world, client_for):
    budget = small_tree(world)["budget"]
    data = {"action": "save", "version": budget.version} | {f"m{m}": "90000" for m in range(1, 13)}
    content = (
        client_for("editor")
        .post(goals_url(world, f"kpis/{budget.pk}/breakdown/"), data, **HTMX)
        .content.decode()
    )
    assert content.lstrip().startswith('<section class="card" id="breakdown">')
    assert "not reconciled" in content
    data = {"action": "rebalance", "version": budget.version + 1, "locked": ["1"]}
    content = (
        client_for("editor")
        .post(goals_url(world, f"kpis/{budget.pk}/breakdown/"), data, **HTMX)
        .content.decode()
    )
    assert "reconcile with the annual target" in content
    assert sum(Kpi.objects.get(pk=budget.pk).month_values()) == Decimal(1200000)


def test_goal_seek_dialog_answers_in_place(world, client_for):
    small_tree(world)
    content = (
        client_for("viewer")
        .post(
            goals_url(world, "goal-seek/"),
            {"kpi": "new_users", "target": "2000000", "solve_for": "budget"},
            **HTMX,
        )
        .content.decode()
    )
    assert content.lstrip().startswith('<section class="card" id="goal-seek">')
    assert "¥120,000,000" in content and "exact" in content


def test_goal_seek_dialog_explains_no_solution(world, client_for):
    small_tree(world)
    content = (
        client_for("viewer")
        .post(
            goals_url(world, "goal-seek/"),
            {"kpi": "budget", "target": "5", "solve_for": "cac"},
            **HTMX,
        )
        .content.decode()
    )
    assert "form-errors" in content


def test_actuals_form_saves_in_place(world, client_for):
    budget = small_tree(world)["budget"]
    content = (
        client_for("editor")
        .post(goals_url(world, f"kpis/{budget.pk}/actuals/"), {"a1": "95000", "a2": ""}, **HTMX)
        .content.decode()
    )
    assert 'id="actuals"' in content and "Saved" in content
    assert [a.month for a in budget.actuals.all()] == [1]


def test_kpi_detail_has_a_target_vs_actual_chart(world, client_for):
    budget = small_tree(world)["budget"]
    content = client_for("viewer").get(goals_url(world, f"kpis/{budget.pk}/")).content.decode()
    assert (
        'data-chart="kpi-chart"' in content and 'id="kpi-chart" type="application/json"' in content
    )


def test_demo_plan_tree_and_goal_seek(demo):
    from kpis.queries import goal_seek, kpi_tree

    plan = demo
    tree = kpi_tree(plan)
    assert not tree.error
    assert tree.nodes["revenue"].annual == Decimal("276480000.00")
    assert tree.nodes["new_users"].annual == Decimal(1296000)
    result = goal_seek(plan, target="new_users", goal=2_000_000, solve_for="budget")
    assert result.method == "linear"
    assert round(result.value) == round(80_000_000 * 2_000_000 / 1_296_000)


def test_channel_and_region_splits_from_the_page(world, client_for):
    budget = small_tree(world)["budget"]
    data = {
        "action": "splits",
        "version": budget.version,
        "ch_wechat": "700,000",
        "ch_douyin": "400000",
        "regions": "East China = 800000\nSouth China=300000\n",
    }
    content = (
        client_for("editor")
        .post(goals_url(world, f"kpis/{budget.pk}/breakdown/"), data, **HTMX)
        .content.decode()
    )
    budget.refresh_from_db()
    assert budget.channel_split == {"wechat": "700000.00", "douyin": "400000.00"}
    assert budget.region_split == {"East China": "800000.00", "South China": "300000.00"}
    assert content.count("not reconciled") == 2  # 1.1M and 1.1M of 1.2M


def test_region_line_without_a_value_names_the_line(world, client_for):
    budget = small_tree(world)["budget"]
    data = {"action": "splits", "version": budget.version, "regions": "East China = 1\nWest"}
    content = (
        client_for("editor")
        .post(goals_url(world, f"kpis/{budget.pk}/breakdown/"), data, **HTMX)
        .content.decode()
    )
    assert "Line 2" in content
    budget.refresh_from_db()
    assert budget.region_split == {}
