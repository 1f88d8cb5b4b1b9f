"""Supplier data in the ``world`` workspace and plan, made through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from budget import supplier_services as services
from budget.models import (
    InnovationProject,
    RiskClause,
    Supplier,
    SupplierFlag,
    SupplierReview,
)

D = Decimal
FAIL = (50, 50, 50)  # weighted 50 < 70
PASS = (90, 90, 90)  # weighted 90 ≥ 70
FUND = D("100000")
PROJECT_BUDGET = D("40000")


def supplier(
    world: Any, name: str = "Swift Print", *, other: bool = False, **fields: Any
) -> Supplier:
    workspace = world.other_workspace if other else world.workspace
    found = Supplier.objects.filter(workspace=workspace, name=name).first()
    if found:
        return found
    values: dict[str, Any] = {
        "category": "printing",
        "qualification_score": 80,
        "capability_score": 80,
    }
    values.update(fields)
    actor = world.users["outsider"] if other else world.users["editor"]
    return services.supplier_create(workspace=workspace, actor=actor, name=name, **values)


def review(
    world: Any,
    quarter: int,
    scores: tuple[int, int, int] = PASS,
    *,
    who: Supplier | None = None,
    plan: Any = None,
) -> SupplierReview:
    quality, timeliness, compliance = scores
    return services.review_create(
        supplier=who or supplier(world),
        plan=plan or world.plan,
        actor=world.users["editor"],
        quarter=quarter,
        quality=quality,
        timeliness=timeliness,
        compliance=compliance,
    )


def first_review(world: Any) -> SupplierReview:
    found = SupplierReview.objects.filter(plan=world.plan).order_by("pk").first()
    return found or review(world, 1)


def clause(world: Any) -> RiskClause:
    found = RiskClause.objects.filter(supplier__workspace=world.workspace).first()
    if found:
        return found
    return services.clause_create(
        supplier=supplier(world),
        actor=world.users["editor"],
        kind="backup",
        title="Backup printer",
        backup=supplier(world, "Green Leaf"),
    )


def flag(world: Any) -> SupplierFlag:
    """An open flag: two failed reviews in a row (the default policy flags after 2)."""
    found = SupplierFlag.objects.filter(plan=world.plan, status="open").first()
    if found:
        return found
    review(world, 1, FAIL)
    review(world, 2, FAIL)
    return SupplierFlag.objects.get(plan=world.plan, status="open")


def fund(world: Any, amount: Decimal = FUND) -> Any:
    current = services.fund_for(world.plan)
    if current.amount == amount:
        return current
    return services.fund_update(
        plan=world.plan,
        expected_version=current.version,
        actor=world.users["manager"],
        amount=amount,
    )


def project(world: Any, budget: Decimal = PROJECT_BUDGET) -> InnovationProject:
    found = InnovationProject.objects.filter(plan=world.plan).first()
    if found:
        return found
    fund(world)
    return services.project_create(
        plan=world.plan,
        actor=world.users["editor"],
        name="Recyclable lid",
        budget=budget,
        status="running",
        suppliers=[supplier(world)],
    )


def policy(world: Any) -> Any:
    return services.policy_for(world.plan)
