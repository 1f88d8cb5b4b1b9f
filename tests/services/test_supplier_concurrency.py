"""Suppliers under real concurrency on PostgreSQL: concurrent innovation projects never
take more than the fund, and concurrent failed reviews raise exactly one flag."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from budget import supplier_services as services
from budget.models import InnovationProject, Supplier, SupplierFlag
from core.errors import InvalidInput
from tests.budget.supplier_helpers import fund, supplier
from tests.services.support import run_threads

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

N_WRITERS = 6


def test_concurrent_projects_never_exceed_the_fund(world):
    # given a fund of 100,000 and six editors each adding a 30,000 project at once
    fund(world, Decimal("100000"))
    ids = (world.plan.pk, world.users["editor"].pk)

    def writer(i: int, barrier: threading.Barrier) -> object:
        plan_id, editor_id = ids
        editor = get_user_model().objects.get(pk=editor_id)
        plan = world.plan.__class__.objects.get(pk=plan_id)
        barrier.wait()
        return services.project_create(
            plan=plan, actor=editor, name=f"Project {i}", budget=Decimal("30000"), status="idea"
        )

    results = run_threads(N_WRITERS, writer)
    # then three fit, the others are refused with the fund's message, none fails otherwise
    made = [r for r in results if isinstance(r, InnovationProject)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(made) == 3 and len(refused) == N_WRITERS - 3, results
    assert all("budget" in r.fields for r in refused)
    total = sum(p.budget for p in InnovationProject.objects.filter(plan=world.plan))
    assert total == Decimal("90000")


def test_concurrent_failed_reviews_raise_exactly_one_flag(world):
    # given a supplier and four failed reviews for four quarters entered at once
    who = supplier(world)
    ids = (world.plan.pk, world.users["editor"].pk, who.pk)

    def writer(i: int, barrier: threading.Barrier) -> object:
        plan_id, editor_id, supplier_id = ids
        editor = get_user_model().objects.get(pk=editor_id)
        plan = world.plan.__class__.objects.get(pk=plan_id)
        found = Supplier.objects.get(pk=supplier_id)
        barrier.wait()
        return services.review_create(
            supplier=found,
            plan=plan,
            actor=editor,
            quarter=i + 1,
            quality=40,
            timeliness=40,
            compliance=40,
        )

    results = run_threads(4, writer)
    assert not [r for r in results if isinstance(r, Exception)], results
    # then the flag is one, open, and covers the four quarters
    flag = SupplierFlag.objects.get(supplier=who, plan=world.plan)
    assert flag.status == "open" and flag.quarters == [1, 2, 3, 4]


def test_concurrent_suppliers_of_the_same_name_one_wins(world):
    ids = (world.workspace.pk, world.users["editor"].pk)

    def writer(i: int, barrier: threading.Barrier) -> object:
        workspace_id, editor_id = ids
        editor = get_user_model().objects.get(pk=editor_id)
        workspace = world.workspace.__class__.objects.get(pk=workspace_id)
        barrier.wait()
        return services.supplier_create(
            workspace=workspace,
            actor=editor,
            name="Swift Print",
            category="printing",
            qualification_score=80,
            capability_score=80,
        )

    results = run_threads(N_WRITERS, writer)
    made = [r for r in results if isinstance(r, Supplier)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(made) == 1 and len(refused) == N_WRITERS - 1, results
    assert all("name" in r.fields for r in refused)
