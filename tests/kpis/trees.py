"""A small KPI tree in the ``world`` plan: budget ÷ CAC = new users."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kpis import services
from kpis.models import Kpi, Objective, StrategicGoal


def small_tree(world: Any) -> dict[str, Kpi]:
    """Idempotent: create (once) budget, cac and new_users = budget / cac."""
    existing = {k.code: k for k in Kpi.objects.filter(plan=world.plan)}
    if {"budget", "cac", "new_users"} <= set(existing):
        return existing
    editor = world.users["editor"]
    objective = services.objective_create(
        plan=world.plan, actor=editor, area="growth", title="Grow members"
    )
    budget = services.kpi_create(
        plan=world.plan,
        actor=editor,
        kind="budget",
        annual_target=Decimal("1200000"),
        objective=objective,
    )
    cac = services.kpi_create(
        plan=world.plan, actor=editor, kind="cac", annual_target=Decimal("60")
    )
    new_users = services.kpi_create(
        plan=world.plan, actor=editor, kind="new_users", source="formula", formula="budget / cac"
    )
    return {"budget": budget, "cac": cac, "new_users": new_users}


def objective(world: Any) -> Objective:
    small_tree(world)
    return Objective.objects.filter(plan=world.plan).first()


def goal(world: Any) -> StrategicGoal:
    found = StrategicGoal.objects.filter(plan=world.plan).first()
    if found:
        return found
    return services.goal_create(
        plan=world.plan,
        actor=world.users["editor"],
        family="market",
        kind="competitor",
        subject="HeyTea",
        indicator="Share in tier-1 cities",
        unit="percent",
        target=Decimal("0.085"),
    )
