"""Budget approvals under real concurrency on PostgreSQL: threads with their own
connections approve reallocation moves, draw on the reserve and approve requests on the
same lines at once. No money is lost, no balance goes negative, nobody deadlocks (every
thread ends within the join timeout), and the budget reconciles at the end."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum

from budget import approval_services as services
from budget import ledger
from budget.models import (
    BudgetLine,
    BudgetRequest,
    DrawStatus,
    MoveStatus,
    ReallocationMove,
    ReserveDraw,
    Transfer,
    TransferKind,
)
from core.errors import InvalidInput, InvalidTransition, StaleVersion
from tests.budget.approvals_helpers import fund, grade, line, submitted
from tests.services.support import run_threads

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

D = Decimal
EXPECTED_REFUSALS = (InvalidInput, InvalidTransition, StaleVersion)


def assert_books_balance(plan) -> None:
    budget = ledger.budget_of(plan)
    lines = list(BudgetLine.objects.filter(plan=plan))
    assert sum((x.planned for x in lines), D(0)) == budget.allocated
    assert budget.total == budget.allocated + budget.reserve_balance + budget.unallocated
    assert min([budget.unallocated, budget.reserve_balance, *(x.planned for x in lines)]) >= 0
    drawn = Transfer.objects.filter(plan=plan, kind=TransferKind.DRAW).aggregate(s=Sum("amount"))
    assert budget.reserve_balance == budget.reserve_target - (drawn["s"] or D(0))


def _setup(world):
    fund(world)  # 1,000,000: 100,000 reserve, 900,000 unallocated
    line(world, "douyin", 2, "100000")
    line(world, "weibo", 2, "100000")
    line(world, "wechat", 2, "200000")
    grade(world, "douyin", "C")
    grade(world, "weibo", "C")
    grade(world, "wechat", "A")
    return services.review_propose(plan=world.plan, quarter=1, actor=world.users["manager"])


def test_one_move_approved_by_many_managers_at_once_moves_once(world):
    review = _setup(world)
    move = review.moves.order_by("id").first()
    ids = (move.pk, move.version, world.users["manager"].pk)

    def approver(i: int, barrier: threading.Barrier) -> object:
        move_id, version, manager_id = ids
        mine = ReallocationMove.objects.select_related("review").get(pk=move_id)
        manager = get_user_model().objects.get(pk=manager_id)
        barrier.wait()
        return services.move_approve(move=mine, expected_version=version, actor=manager)

    results = run_threads(6, approver)
    winners = [r for r in results if isinstance(r, ReallocationMove)]
    assert len(winners) == 1, results
    assert all(isinstance(r, EXPECTED_REFUSALS) for r in results if r not in winners), results
    assert Transfer.objects.filter(kind=TransferKind.MOVE).count() == 1
    assert_books_balance(world.plan)


def test_concurrent_moves_draws_and_requests_on_the_same_lines_lose_no_money(world):
    review = _setup(world)
    wechat = BudgetLine.objects.get(plan=world.plan, channel__code="wechat", quarter=2)
    douyin = BudgetLine.objects.get(plan=world.plan, channel__code="douyin", quarter=2)
    # requests whose costs go into the lines the moves touch
    requests = [submitted(world, amount=D("150000"), quarter=2) for _ in range(3)]
    moves = list(review.moves.order_by("id"))
    assert len(moves) == 2
    manager_id, editor_id = world.users["manager"].pk, world.users["admin"].pk
    plan_id = world.plan.pk
    # 12 workers: 2 approve the moves, 3 approve requests, 7 draw 20,000 each from the
    # 100,000 reserve into WeChat or Douyin (only 5 can be paid)
    jobs = (
        [("move", m.pk, m.version) for m in moves]
        + [("request", r.pk, r.version) for r in requests]
        + [("draw", (wechat.pk, douyin.pk)[i % 2], 0) for i in range(7)]
    )

    def worker(i: int, barrier: threading.Barrier) -> object:
        kind, pk, version = jobs[i]
        users = get_user_model().objects
        manager, admin = users.get(pk=manager_id), users.get(pk=editor_id)
        barrier.wait()
        if kind == "move":
            mine = ReallocationMove.objects.select_related("review").get(pk=pk)
            return services.move_approve(move=mine, expected_version=version, actor=manager)
        if kind == "request":
            req = BudgetRequest.objects.get(pk=pk)
            return services.request_approve(
                budget_request=req, expected_version=version, actor=manager, use_reserve=True
            )
        from planner.models import Plan

        return services.draw_request(
            plan=Plan.objects.get(pk=plan_id),
            actor=admin,
            line=BudgetLine.objects.get(pk=pk),
            amount=D("20000"),
            reason=f"Worker {i}",
            approve=True,
        )

    results = run_threads(len(jobs), worker)
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, EXPECTED_REFUSALS)
    ]
    assert unexpected == [], unexpected  # no deadlock error, no constraint violation
    # every move and request was approved (the money was there), 5 of 7 draws were paid
    assert ReallocationMove.objects.filter(review=review, status=MoveStatus.APPROVED).count() == 2
    assert BudgetRequest.objects.filter(status="approved").count() == 3
    paid = ReserveDraw.objects.filter(plan=world.plan, status=DrawStatus.APPROVED)
    assert paid.count() == 5
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(refused) == 2
    budget = ledger.budget_of(world.plan)
    assert budget.reserve_balance == D("0.00")
    # the lines hold exactly what was moved in and out
    wechat.refresh_from_db()
    douyin.refresh_from_db()
    moved_in = sum((m.proposed_amount for m in moves if m.to_line_id == wechat.pk), D(0))
    into = {
        x: sum(
            (d.amount for d in paid if d.line_id == x),
            D(0),
        )
        for x in (wechat.pk, douyin.pk)
    }
    out_douyin = sum((m.proposed_amount for m in moves if m.from_line_id == douyin.pk), D(0))
    assert wechat.planned == D("200000") + moved_in + into[wechat.pk]
    assert douyin.planned == D("100000") - out_douyin + into[douyin.pk] + D("450000")
    assert budget.unallocated == D("900000") - D("400000") - D("450000")
    assert_books_balance(world.plan)
