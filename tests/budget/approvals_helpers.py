"""Builders shared by the approvals tests and their access cases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from budget import approval_services as services
from budget import ledger
from budget.models import BudgetLine, BudgetRequest, ReallocationReview, ReserveDraw
from channels.models import Channel
from monitoring.models import ChannelGrade

D = Decimal


def channel(world: Any, code: str = "douyin", plan: Any = None) -> Channel:
    return Channel.objects.get(plan=plan or world.plan, code=code)


def fund(world: Any, total: str = "1000000", reserve_pct: str = "10", plan: Any = None) -> None:
    """Set the plan's total (the reserve takes its percentage, the rest is unallocated)."""
    with transaction.atomic():
        budget = ledger.locked_budget(plan or world.plan)
        ledger.set_total(budget, total=D(total), reserve_pct=D(reserve_pct))


def line(world: Any, code: str, quarter: int, planned: str = "0") -> BudgetLine:
    """A line of the plan with ``planned`` moved in from the unallocated pool."""
    found = ledger.line_for(
        world.plan, channel=channel(world, code), campaign=None, quarter=quarter
    )
    if D(planned):
        with transaction.atomic():
            budget = ledger.locked_budget(world.plan)
            ledger.set_planned(budget, found, planned=D(planned))
    found.refresh_from_db()
    return found


def sheet(world: Any, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "channel": channel(world, "douyin"),
        "campaign": None,
        "quarter": 2,
        "title": "Douyin live-stream push",
        "amount": D("50000"),
        "expected_users": 2000,
        "expected_revenue": D("150000"),
        "assumptions": "CPA 25 yuan; 30 % of new users buy twice.",
    }
    fields.update(overrides)
    return fields


def submitted(world: Any, by: str = "editor", **overrides: Any) -> BudgetRequest:
    return services.request_create(
        plan=world.plan, actor=world.users[by], submit=True, **sheet(world, **overrides)
    )


def draft(world: Any, by: str = "editor", **overrides: Any) -> BudgetRequest:
    return services.request_create(
        plan=world.plan, actor=world.users[by], **sheet(world, **overrides)
    )


def grade(world: Any, code: str, letter: str) -> ChannelGrade:
    found, _created = ChannelGrade.objects.update_or_create(
        plan=world.plan,
        channel=channel(world, code),
        defaults={
            "grade": letter,
            "score": {"A": 80.0, "B": 50.0, "C": 20.0}[letter],
            "quality": 0.5,
            "cost": 0.5,
            "volume": 0.5,
            "computed_at": timezone.now(),
        },
    )
    return found


def review_world(world: Any) -> ReallocationReview:
    """A funded plan with a C-graded Douyin line and an A-graded WeChat line in Q2, and the
    review at the end of Q1 proposed."""
    fund(world)
    line(world, "douyin", 2, "100000")
    line(world, "wechat", 2, "200000")
    grade(world, "douyin", "C")
    grade(world, "wechat", "A")
    return services.review_propose(plan=world.plan, quarter=1, actor=world.users["editor"])


def pending_draw(world: Any, amount: str = "10000") -> ReserveDraw:
    target = line(world, "tmall", 3)
    return services.draw_request(
        plan=world.plan,
        actor=world.users["editor"],
        line=target,
        amount=D(amount),
        reason="Double 11 pre-sale needs more search budget.",
    )
