"""Key activities and rapid-response pools in the ``world`` plan (through the services)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from planner.execution import activity_services as services
from planner.execution.activity_models import Activity, ResponsePool
from tests.budget.approvals_helpers import fund, line
from tests.budget.teams_helpers import department
from tests.planner.execution.helpers import risk


def activity(world: Any, title: str = "CNY creative production", **fields: Any) -> Activity:
    found = Activity.objects.filter(plan=world.plan, title=title).first()
    if found:
        return found
    values: dict[str, Any] = {
        "kind": "production",
        "start": date(2027, 1, 4),
        "end": date(2027, 1, 20),
        "departments": [department(world, "BRAND")],
    }
    values.update(fields)
    return services.activity_create(
        plan=world.plan, actor=world.users["editor"], title=title, **values
    )


def pool(world: Any, level: int = 4, **fields: Any) -> ResponsePool:
    found = ResponsePool.objects.filter(plan=world.plan, level=level).first()
    if found:
        return found
    values: dict[str, Any] = {
        "amount": Decimal("80000"),
        "headcount": 4,
        "people": "PR lead\nSupply planner",
        "authorise_role": "manager",
    }
    values.update(fields)
    return services.pool_create(plan=world.plan, actor=world.users["editor"], level=level, **values)


def ready(world: Any, reserve: str = "100000") -> tuple[ResponsePool, Any, Any]:
    """A level-4 pool, a level-4 risk and a line, with ``reserve`` in the reserve fund."""
    fund(world, total=str(Decimal(reserve) * 10), reserve_pct="10")
    found = risk(world)  # impact 4
    return pool(world, level=found.impact), found, line(world, "douyin", 3)
