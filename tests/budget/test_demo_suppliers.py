"""The demo's suppliers: varied tiers and categories, exactly one flagged supplier,
clauses with a backup on the strategic ones, a fund the projects fit in; loads twice."""

from __future__ import annotations

import pytest

from budget import demo_suppliers
from budget import supplier_queries as queries
from budget.models import RiskClause, Supplier, SupplierFlag, SupplierReview

pytestmark = pytest.mark.django_db


def test_demo_suppliers_tell_the_story_and_load_twice(world):
    for _ in range(2):
        demo_suppliers.load(
            plan=world.plan, editor=world.users["editor"], manager=world.users["manager"]
        )
    assert Supplier.objects.filter(workspace=world.workspace).count() == 15
    assert len({s.category for s in Supplier.objects.all()}) >= 7
    assert set(SupplierReview.objects.values_list("quarter", flat=True)) == {1, 2, 3}
    flagged = SupplierFlag.objects.get(status="open")
    assert (flagged.supplier.name, flagged.quarters, flagged.action) == (
        "Swift Print Co.",
        [2, 3],
        "correction",
    )
    rows = queries.supplier_list(world.plan)
    assert {s.tier for s in rows} == {"strategic", "priority", "basic"}
    for standing in rows:
        if standing.tier == "strategic":
            kinds = set(
                RiskClause.objects.filter(supplier=standing.supplier).values_list("kind", flat=True)
            )
            assert kinds, standing.supplier.name
    assert RiskClause.objects.filter(kind="backup").count() >= 4
    summary = queries.fund_summary(world.plan)
    assert len(summary.projects) == 3 and summary.committed <= summary.amount
