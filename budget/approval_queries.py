"""Reads of the approvals area shared by pages, the API and other sections (the reserve
card on the budget overview and the manager dashboard)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from budget import ledger
from budget.models import (
    BudgetLine,
    BudgetRequest,
    DrawStatus,
    MoveStatus,
    ReallocationMove,
    ReallocationReview,
    RequestDecision,
    RequestStatus,
    ReserveDraw,
)
from budget.models.money import ZERO
from planner.access import Action, AnyUser, can
from planner.models import Plan

REQUEST_RELATED = ("channel", "campaign", "created_by", "decided_by", "line")


def requests(plan: Plan, status: str | None = None) -> QuerySet[BudgetRequest]:
    found = BudgetRequest.objects.filter(plan=plan).select_related(*REQUEST_RELATED)
    if status:
        found = found.filter(status=status)
    return found.order_by("-created_at", "-id")


def pending_total(plan: Plan) -> int:
    """Requests waiting for a manager's decision (the count on the Requests tab)."""
    return BudgetRequest.objects.filter(plan=plan, status=RequestStatus.SUBMITTED).count()


@dataclass
class Inbox:
    """The request inbox as one person sees it: what waits for them first."""

    first: list[BudgetRequest]
    first_title: str  # "waiting" (a manager) or "mine" (an editor); "" for nobody
    others: list[BudgetRequest]
    counts: dict[str, int] = field(default_factory=dict)


def inbox(plan: Plan, user: AnyUser, status: str | None = None) -> Inbox:
    rows = list(requests(plan, status))
    counts = dict(
        BudgetRequest.objects.filter(plan=plan)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts = {s.value: counts.get(s.value, 0) for s in RequestStatus}
    if can(user, plan.workspace_id, Action.APPROVE):
        first = [
            r for r in rows if r.status == RequestStatus.SUBMITTED and r.created_by_id != user.pk
        ]
        kind = "waiting"
    elif can(user, plan.workspace_id, Action.EDIT):
        first = [r for r in rows if r.created_by_id == user.pk]
        kind = "mine"
    else:
        first, kind = [], ""
    chosen = {r.pk for r in first}
    # the oldest submission first: it has waited longest
    if kind == "waiting":
        first.sort(key=lambda r: (r.submitted_at or r.created_at, r.pk))
    return Inbox(first, kind, [r for r in rows if r.pk not in chosen], counts)


def decisions(req: BudgetRequest) -> list[RequestDecision]:
    return list(req.decisions.select_related("actor").order_by("-created_at", "-id"))


# --- the reserve fund ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReserveSummary:
    currency: str
    total: Decimal
    reserve_pct: Decimal
    target: Decimal  # the percentage of the total
    drawn: Decimal  # everything approved so far
    balance: Decimal
    unallocated: Decimal
    pending_count: int
    pending_amount: Decimal
    plan_id: int

    @property
    def used_share(self) -> float:
        """How much of the target was drawn, 0–1 (for a bar)."""
        return float(min(self.drawn / self.target, Decimal(1))) if self.target else 0.0


def reserve_summary(plan: Plan) -> ReserveSummary:
    """Balance, target, drawn and the pending draws of the plan's reserve fund, in three
    queries (for the reserve page, the budget overview and the manager dashboard)."""
    budget = ledger.budget_of(plan)
    pending = ReserveDraw.objects.filter(plan=plan, status=DrawStatus.PENDING).aggregate(
        n=Count("id"), s=Sum("amount")
    )
    return ReserveSummary(
        currency=plan.currency,
        total=budget.total,
        reserve_pct=budget.reserve_pct,
        target=budget.reserve_target,
        drawn=ledger.drawn_from_reserve(plan),
        balance=budget.reserve_balance,
        unallocated=budget.unallocated,
        pending_count=pending["n"] or 0,
        pending_amount=pending["s"] or ZERO,
        plan_id=plan.pk,
    )


def draws(plan: Plan) -> tuple[list[ReserveDraw], list[ReserveDraw]]:
    """(pending, decided) draws, the oldest pending and the latest decided first."""
    rows = list(
        ReserveDraw.objects.filter(plan=plan)
        .select_related("line__channel", "line__campaign", "requested_by", "decided_by", "request")
        .order_by("-created_at", "-id")
    )
    pending = [d for d in rows if d.status == DrawStatus.PENDING]
    pending.reverse()
    return pending, [d for d in rows if d.status != DrawStatus.PENDING]


def lines(plan: Plan) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.filter(plan=plan).select_related("channel", "campaign")


# --- the quarterly review ------------------------------------------------------------------------


def default_quarter(plan: Plan, today: date | None = None) -> int:
    """The quarter a "propose now" reviews: the current one of the plan's year (1 before
    the year starts, 3 from the fourth quarter on: Q4 has no quarter after it)."""
    today = today or timezone.localdate()
    if today.year < plan.year:
        return 1
    if today.year > plan.year:
        return 3
    return min((today.month - 1) // 3 + 1, 3)


def reviews(plan: Plan) -> list[ReallocationReview]:
    return list(
        ReallocationReview.objects.filter(plan=plan)
        .select_related("created_by")
        .annotate(
            open_moves=Count("moves", filter=Q(moves__status=MoveStatus.PROPOSED)),
            n_moves=Count("moves"),
        )
        .order_by("-quarter")
    )


def review(plan: Plan, quarter: int | None = None) -> ReallocationReview | None:
    """The review of ``quarter``, else the latest one."""
    found = ReallocationReview.objects.filter(plan=plan).select_related("created_by")
    if quarter is not None:
        return found.filter(quarter=quarter).first()
    return found.order_by("-quarter").first()


def moves(review: ReallocationReview) -> list[ReallocationMove]:
    return list(
        review.moves.select_related(
            "from_line__channel",
            "from_line__campaign",
            "to_line__channel",
            "to_line__campaign",
            "decided_by",
        ).order_by("id")
    )


@dataclass(frozen=True)
class ReviewTotals:
    proposed: Decimal
    approved: Decimal
    open: int


def review_totals(rows: list[ReallocationMove]) -> ReviewTotals:
    return ReviewTotals(
        proposed=sum((m.proposed_amount for m in rows), ZERO),
        approved=sum(
            (m.approved_amount or ZERO for m in rows if m.status == MoveStatus.APPROVED), ZERO
        ),
        open=sum(1 for m in rows if m.status == MoveStatus.PROPOSED),
    )
