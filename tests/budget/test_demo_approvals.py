"""The approvals demo: requests in flight, two reserve draws, the Q1 review; safe twice."""

from __future__ import annotations

import pytest

from budget import demo_approvals
from budget.models import BudgetRequest, ReallocationReview, ReserveDraw
from tests.budget.approvals_helpers import fund, grade, line

pytestmark = pytest.mark.django_db


def test_the_demo_loads_requests_draws_and_a_review_and_is_safe_to_run_again(world):
    fund(world, total="50000000")
    line(world, "xiaohongshu", 2, "800000")
    line(world, "tmall", 2, "1200000")
    grade(world, "xiaohongshu", "C")
    grade(world, "tmall", "A")
    users = {"editor": world.users["editor"], "manager": world.users["manager"]}
    demo_approvals.load(plan=world.plan, **users)
    statuses = sorted(
        BudgetRequest.objects.filter(plan=world.plan).values_list("status", flat=True)
    )
    assert statuses == ["approved", "draft", "rejected", "submitted"]
    rejected = BudgetRequest.objects.get(plan=world.plan, status="rejected")
    assert rejected.decisions.get(action="reject").comment
    draws = sorted(ReserveDraw.objects.filter(plan=world.plan).values_list("status", flat=True))
    assert draws == ["approved", "pending"]
    review = ReallocationReview.objects.get(plan=world.plan, quarter=1)
    assert review.moves.filter(from_line__channel__code="xiaohongshu").exists()
    demo_approvals.load(plan=world.plan, **users)
    assert BudgetRequest.objects.filter(plan=world.plan).count() == 4
    assert ReserveDraw.objects.filter(plan=world.plan).count() == 2
    assert ReallocationReview.objects.filter(plan=world.plan).count() == 1
