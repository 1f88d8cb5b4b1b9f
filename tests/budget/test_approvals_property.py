"""Any sequence of approvals — requests (with or without the reserve), reserve draws and
reallocation moves, approved or refused — keeps the books: Σ lines = allocated,
total = allocated + reserve + unallocated, nothing negative, and a refused step writes
nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budget import approval_services as services
from budget import ledger
from budget.models import Budget, BudgetLine, MoveStatus, ReallocationMove, Transfer
from core.errors import InvalidInput
from tests.budget.approvals_helpers import fund, grade, line, submitted

pytestmark = pytest.mark.django_db
D = Decimal

amounts = st.integers(min_value=1, max_value=12_000_000).map(lambda c: D(c) / 100)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("request"), amounts, st.booleans(), st.integers(1, 4)),
        st.tuples(st.just("draw"), amounts, st.integers(0, 2)),
        st.tuples(st.just("move"), st.integers(1, 100)),
    ),
    max_size=8,
)


def books(plan):
    budget = Budget.objects.get(plan=plan)
    lines = list(BudgetLine.objects.filter(plan=plan))
    return budget, lines


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_any_sequence_of_approvals_keeps_the_books(world, steps):
    with transaction.atomic():
        fund(world, total="100000")  # 10,000 in reserve, 90,000 unallocated
        targets = [line(world, "douyin", 2, "20000"), line(world, "wechat", 2, "30000")]
        targets.append(line(world, "tmall", 3))
        grade(world, "douyin", "C")
        grade(world, "wechat", "A")
        review = services.review_propose(plan=world.plan, quarter=1, actor=world.users["editor"])
        manager = world.users["manager"]
        for step in steps:
            before = (
                Transfer.objects.count(),
                Budget.objects.filter(plan=world.plan).values().get(),
            )
            try:
                if step[0] == "request":
                    req = submitted(world, amount=step[1], quarter=step[3])
                    before = (Transfer.objects.count(), before[1])
                    services.request_approve(
                        budget_request=req,
                        expected_version=req.version,
                        actor=manager,
                        use_reserve=step[2],
                    )
                elif step[0] == "draw":
                    services.draw_request(
                        plan=world.plan,
                        actor=manager,
                        line=targets[step[2]],
                        amount=step[1],
                        reason="Property test",
                        approve=True,
                    )
                else:
                    move = ReallocationMove.objects.filter(
                        review=review, status=MoveStatus.PROPOSED
                    ).first()
                    if move is None:
                        continue
                    share = (move.proposed_amount * step[1] / 100).quantize(D("0.01"))
                    services.move_approve(
                        move=move,
                        expected_version=move.version,
                        actor=manager,
                        amount=max(share, D("0.01")),
                    )
            except InvalidInput:
                # refused: not a cent moved
                assert Transfer.objects.count() == before[0]
                assert Budget.objects.filter(plan=world.plan).values().get() == before[1]
            budget, lines = books(world.plan)
            assert sum((x.planned for x in lines), D(0)) == budget.allocated
            assert budget.total == budget.allocated + budget.reserve_balance + budget.unallocated
            assert (
                min([budget.unallocated, budget.reserve_balance, *(x.planned for x in lines)]) >= 0
            )
            assert budget.reserve_balance == budget.reserve_target - ledger.drawn_from_reserve(
                world.plan
            )
        transaction.set_rollback(True)
