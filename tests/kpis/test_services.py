"""Writes to the annual goals: validation of the whole tree, breakdowns, locking."""

from decimal import Decimal

import pytest

from core.errors import InvalidInput, Locked, StaleVersion
from kpis import services
from kpis.models import Kpi, KpiActual
from planner.services import plan_transition
from tests.kpis.trees import small_tree


def test_catalogue_kind_fills_code_unit_direction_and_rule(world):
    kpi = services.kpi_create(
        plan=world.plan, actor=world.users["editor"], kind="cac", annual_target=Decimal("60")
    )
    assert (kpi.code, kpi.unit, kpi.direction, kpi.aggregation) == (
        "cac",
        "money",
        "lower",
        "weighted",
    )


def test_new_input_is_split_over_the_months_and_reconciles(world):
    kpi = small_tree(world)["budget"]
    assert len(kpi.months) == 12
    assert sum(kpi.month_values()) == Decimal("1200000")


def test_rate_breakdown_keeps_the_rate_every_month(world):
    kpi = services.kpi_create(
        plan=world.plan, actor=world.users["editor"], kind="ctr", annual_target=Decimal("0.015")
    )
    assert set(kpi.month_values()) == {Decimal("0.0150")}


def test_seasonal_profile_peaks_in_double_11(world):
    kpi = services.kpi_create(
        plan=world.plan,
        actor=world.users["editor"],
        kind="revenue",
        annual_target=Decimal("1200000"),
        profile="china_retail",
    )
    values = kpi.month_values()
    assert values.index(max(values)) == 10  # November
    assert sum(values) == Decimal("1200000")


def test_formula_with_unknown_code_is_refused_naming_it(world):
    with pytest.raises(InvalidInput) as caught:
        services.kpi_create(
            plan=world.plan,
            actor=world.users["editor"],
            code="orders",
            name="Orders",
            source="formula",
            formula="visits * cvr",
        )
    assert "visits" in str(caught.value.fields["formula"][0])


def test_cycle_is_refused_naming_it(world):
    tree = small_tree(world)
    with pytest.raises(InvalidInput) as caught:
        services.kpi_update(
            kpi=tree["cac"],
            expected_version=tree["cac"].version,
            changes={"source": "formula", "formula": "budget / new_users"},
            actor=world.users["editor"],
        )
    message = str(caught.value.fields["formula"][0])
    assert "cac" in message and "new_users" in message
    assert Kpi.objects.get(pk=tree["cac"].pk).source == "manual"


def test_unit_mismatch_is_refused(world):
    small_tree(world)
    with pytest.raises(InvalidInput) as caught:
        services.kpi_create(
            plan=world.plan,
            actor=world.users["editor"],
            code="odd",
            name="Odd",
            unit="count",
            source="formula",
            formula="budget + new_users",
        )
    assert "formula" in caught.value.fields


def test_formula_kpi_goal_is_compared_with_its_computed_value(world):
    # given new users = budget / cac = 20,000, and a goal of 30,000
    from kpis.queries import kpi_tree

    tree = small_tree(world)
    new_users = services.kpi_update(
        kpi=tree["new_users"],
        expected_version=tree["new_users"].version,
        changes={"annual_target": Decimal(30000)},
        actor=world.users["editor"],
    )
    # then the tree computes 20,000 and the gap is 10,000 short
    node = kpi_tree(world.plan).nodes["new_users"]
    assert (node.annual, node.goal, node.gap, node.gap_ok) == (
        Decimal(20000),
        Decimal(30000),
        Decimal(-10000),
        False,
    )
    # and the goal is not an input: the formula still decides the value
    assert new_users.months == []


def test_kpi_used_by_a_formula_cannot_be_deleted(world):
    tree = small_tree(world)
    with pytest.raises(InvalidInput) as caught:
        services.kpi_delete(
            kpi=tree["budget"], expected_version=tree["budget"].version, actor=world.users["editor"]
        )
    assert "new_users" in str(caught.value.message)


def test_duplicate_code_is_a_field_error(world):
    small_tree(world)
    with pytest.raises(InvalidInput) as caught:
        services.kpi_create(
            plan=world.plan, actor=world.users["editor"], kind="budget", annual_target=Decimal(1)
        )
    assert "code" in caught.value.fields


def test_stale_kpi_update_is_refused(world):
    budget = small_tree(world)["budget"]
    services.kpi_update(
        kpi=budget,
        expected_version=budget.version,
        changes={"name": "A"},
        actor=world.users["editor"],
    )
    with pytest.raises(StaleVersion):
        services.kpi_update(
            kpi=budget,
            expected_version=budget.version,
            changes={"name": "B"},
            actor=world.users["manager"],
        )
    assert Kpi.objects.get(pk=budget.pk).name == "A"


def test_submitted_plan_refuses_kpi_edits(world):
    budget = small_tree(world)["budget"]
    plan_transition(plan=world.plan, action="submit", actor=world.users["editor"])
    with pytest.raises(Locked):
        services.kpi_update(
            kpi=budget,
            expected_version=budget.version,
            changes={"name": "x"},
            actor=world.users["editor"],
        )


def test_manual_breakdown_that_does_not_reconcile_is_kept_and_flagged(world):
    from kpis.queries import breakdown_status

    budget = small_tree(world)["budget"]
    budget = services.breakdown_update(
        kpi=budget,
        expected_version=budget.version,
        actor=world.users["editor"],
        months=[Decimal(90000)] * 12,
    )
    assert budget.profile == "manual"
    months = breakdown_status(budget)["parts"][0]
    assert (months.aggregate, months.ok) == (Decimal(1080000), False)
    # rebalancing with January and February kept moves only the other months
    budget = services.breakdown_rebalance(
        kpi=budget, expected_version=budget.version, actor=world.users["editor"], locked=[1, 2]
    )
    values = budget.month_values()
    assert values[:2] == [Decimal(90000), Decimal(90000)]
    assert sum(values) == Decimal(1200000)
    assert breakdown_status(budget)["parts"][0].ok


def test_setting_a_quarter_keeps_its_months_proportions(world):
    budget = small_tree(world)["budget"]
    budget = services.breakdown_set_quarter(
        kpi=budget,
        expected_version=budget.version,
        actor=world.users["editor"],
        quarter=4,
        total=Decimal(600000),
    )
    assert budget.month_values()[9:] == [Decimal(200000)] * 3


def test_breakdown_by_channel_must_name_plan_channels(world):
    budget = small_tree(world)["budget"]
    with pytest.raises(InvalidInput):
        services.breakdown_update(
            kpi=budget,
            expected_version=budget.version,
            actor=world.users["editor"],
            channels={"myspace": 1},
        )
    budget = services.breakdown_update(
        kpi=budget,
        expected_version=budget.version,
        actor=world.users["editor"],
        channels={"wechat": 700000, "douyin": 500000},
    )
    assert budget.channel_split == {"wechat": "700000.00", "douyin": "500000.00"}


def test_negative_or_non_numeric_months_are_refused_with_the_month(world):
    budget = small_tree(world)["budget"]
    with pytest.raises(InvalidInput) as caught:
        services.breakdown_update(
            kpi=budget,
            expected_version=budget.version,
            actor=world.users["editor"],
            months=[1] * 11 + [-5],
        )
    assert "12" in str(caught.value.fields["months"][0])


def test_actuals_can_be_entered_on_an_approved_plan(world):
    budget = small_tree(world)["budget"]
    plan = plan_transition(plan=world.plan, action="submit", actor=world.users["editor"])
    plan_transition(plan=plan, action="approve", actor=world.users["manager"])
    services.actuals_set(
        kpi=budget, values={1: Decimal(95000), 2: Decimal(101000)}, actor=world.users["editor"]
    )
    services.actuals_set(kpi=budget, values={2: None}, actor=world.users["editor"])
    assert list(KpiActual.objects.filter(kpi=budget).values_list("month", "value")) == [
        (1, Decimal(95000))
    ]


def test_formula_kpis_take_no_actuals(world):
    with pytest.raises(InvalidInput):
        services.actuals_set(
            kpi=small_tree(world)["new_users"], values={1: 1}, actor=world.users["editor"]
        )


def test_objective_owner_must_be_a_member(world):
    with pytest.raises(InvalidInput):
        services.objective_create(
            plan=world.plan,
            actor=world.users["editor"],
            area="growth",
            title="x",
            owner=world.users["outsider"],
        )


def test_goal_kind_must_match_its_family(world):
    with pytest.raises(InvalidInput):
        services.goal_create(
            plan=world.plan,
            actor=world.users["editor"],
            family="brand",
            kind="competitor",
            subject="x",
            indicator="y",
            target=Decimal(1),
        )


def test_goal_cannot_point_at_another_plans_kpi(world):
    other = services.kpi_create(
        plan=world.other_plan,
        actor=world.users["outsider"],
        kind="ctr",
        annual_target=Decimal("0.01"),
    )
    with pytest.raises(InvalidInput) as caught:
        services.goal_create(
            plan=world.plan,
            actor=world.users["editor"],
            family="market",
            kind="competitor",
            subject="x",
            indicator="y",
            target=Decimal(1),
            kpi=other,
        )
    assert "kpi" in caught.value.fields
