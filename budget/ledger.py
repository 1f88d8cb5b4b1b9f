"""Moving money: the only code that changes a budget's balances or a line's planned amount.

Every movement is a ``transfer`` between two accounts inside the caller's
transaction, after ``locked_budget`` took the budget's row lock. Locks are always
taken in the same order — the plan row (``plan_for_edit`` / ``plan_for_execution``),
then the budget row — so two concurrent moves queue instead of deadlocking, and
the balance a move checks is the balance it changes (no lost update, no negative
balance). The CHECK constraints on ``Budget`` and ``BudgetLine`` are the last line
of defence behind these checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from budget.models import Account, Budget, BudgetLine, Transfer, TransferKind
from budget.models.money import ZERO
from channels.models import Channel
from content.models import Campaign
from core.errors import InvalidInput, StaleVersion
from planner.models import Plan

CENT = Decimal("0.01")


def money(value: Any, field: str = "amount") -> Decimal:
    """A non-negative amount rounded to cents, or ``InvalidInput`` naming ``field``."""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise InvalidInput(fields={field: [_("Enter an amount of money.")]}) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(fields={field: [_("The amount cannot be negative.")]})
    if amount >= Decimal("1e14"):
        raise InvalidInput(fields={field: [_("The amount is too large.")]})
    return amount


def budget_of(plan: Plan) -> Budget:
    """The plan's budget, created empty on first use."""
    try:
        return Budget.objects.get(plan=plan)
    except Budget.DoesNotExist:
        try:
            with transaction.atomic():
                return Budget.objects.create(plan=plan)
        except IntegrityError:  # created concurrently
            return Budget.objects.get(plan=plan)


def locked_budget(plan: Plan) -> Budget:
    """The plan's budget, row-locked until the caller's transaction ends.

    Call it after locking the plan row and before touching any line.
    """
    budget_of(plan)
    return Budget.objects.select_for_update().get(plan=plan)


@dataclass(frozen=True)
class Side:
    """One side of a transfer: an account, and the line when the account is a line."""

    account: str
    line: BudgetLine | None = None

    @classmethod
    def of(cls, where: str | BudgetLine) -> Side:
        if isinstance(where, BudgetLine):
            return cls(Account.LINE, where)
        return cls(where)


def _balance(budget: Budget, side: Side) -> Decimal | None:
    if side.account == Account.UNALLOCATED:
        return budget.unallocated
    if side.account == Account.RESERVE:
        return budget.reserve_balance
    return None


def _shortfall(side: Side, available: Decimal) -> InvalidInput:
    names = {
        Account.UNALLOCATED: _("Only %(amount)s is unallocated."),
        Account.RESERVE: _("Only %(amount)s is left in the reserve fund."),
        Account.LINE: _("Only %(amount)s of this line is neither committed nor spent."),
    }
    return InvalidInput(
        names[Account(side.account)] % {"amount": f"{available:,.2f}"},
        fields={"amount": [names[Account(side.account)] % {"amount": f"{available:,.2f}"}]},
    )


def _apply(budget: Budget, side: Side, delta: Decimal) -> None:
    if side.account == Account.UNALLOCATED:
        budget.unallocated += delta
    elif side.account == Account.RESERVE:
        budget.reserve_balance += delta
    elif side.account == Account.OUTSIDE:
        budget.total -= delta  # taking from outside (delta < 0) grows the total
    else:
        assert side.line is not None
        budget.allocated += delta
        BudgetLine.objects.filter(pk=side.line.pk).update(
            planned=F("planned") + delta, version=F("version") + 1
        )
        side.line.refresh_from_db(fields=["planned", "version"])


def transfer(
    budget: Budget,
    *,
    kind: str,
    source: str | BudgetLine,
    target: str | BudgetLine,
    amount: Decimal,
    actor: User | None = None,
    reason: str = "",
    movable: Decimal | None = None,
) -> Transfer:
    """Move ``amount`` from ``source`` to ``target`` and record it; the budget is locked.

    ``movable`` caps what may leave a line (its planned amount minus what is
    committed or spent); without it, a line may give up to its planned amount.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transfer() runs inside the transaction that locked the budget")
    amount = money(amount)
    if amount <= 0:
        raise InvalidInput(fields={"amount": [_("Enter an amount greater than zero.")]})
    src, dst = Side.of(source), Side.of(target)
    if src == dst or (src.line is not None and dst.line is not None and src.line.pk == dst.line.pk):
        raise InvalidInput(fields={"target": [_("Choose a different destination.")]})
    for side in (src, dst):
        if side.line is not None and side.line.plan_id != budget.plan_id:
            raise InvalidInput(fields={"line": [_("The line belongs to another plan.")]})
    available = _balance(budget, src)
    if src.line is not None:
        src.line.refresh_from_db(fields=["planned", "version"])
        available = src.line.planned if movable is None else min(movable, src.line.planned)
    if available is not None and amount > available:
        raise _shortfall(src, max(available, ZERO))
    _apply(budget, src, -amount)
    _apply(budget, dst, amount)
    budget.save(update_fields=["total", "allocated", "reserve_balance", "unallocated"])
    return Transfer.objects.create(
        plan_id=budget.plan_id,
        kind=kind,
        source=src.account,
        source_line=src.line,
        target=dst.account,
        target_line=dst.line,
        amount=amount,
        reason=reason[:300],
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def drawn_from_reserve(plan: Plan) -> Decimal:
    """Everything drawn from the reserve fund so far (approved draws)."""
    total = Transfer.objects.filter(plan=plan, kind=TransferKind.DRAW).aggregate(s=Sum("amount"))
    return total["s"] or ZERO


def set_total(
    budget: Budget,
    *,
    total: Decimal,
    reserve_pct: Decimal | None = None,
    actor: User | None = None,
    reason: str = "",
) -> Budget:
    """Change the total (the difference goes to or comes from the unallocated pool)
    and refill or release the reserve to its percentage, less what was drawn."""
    total = money(total, "total")
    if reserve_pct is not None and reserve_pct != budget.reserve_pct:
        budget.reserve_pct = reserve_pct
        budget.save(update_fields=["reserve_pct"])
    delta = total - budget.total
    if delta > 0:
        transfer(
            budget,
            kind=TransferKind.TOTAL,
            source=Account.OUTSIDE,
            target=Account.UNALLOCATED,
            amount=delta,
            actor=actor,
            reason=reason,
        )
    wanted_reserve = max(
        (total * budget.reserve_pct / 100).quantize(CENT) - drawn_from_reserve(budget.plan), ZERO
    )
    change = wanted_reserve - budget.reserve_balance
    if change > 0:
        if change > budget.unallocated:
            raise InvalidInput(
                fields={
                    "reserve_pct": [
                        _(
                            "The reserve needs %(need)s more than is unallocated; "
                            "release money from lines first."
                        )
                        % {"need": f"{change - budget.unallocated:,.2f}"}
                    ]
                }
            )
        transfer(
            budget,
            kind=TransferKind.RESERVE,
            source=Account.UNALLOCATED,
            target=Account.RESERVE,
            amount=change,
            actor=actor,
            reason=reason,
        )
    elif change < 0:
        transfer(
            budget,
            kind=TransferKind.RESERVE,
            source=Account.RESERVE,
            target=Account.UNALLOCATED,
            amount=-change,
            actor=actor,
            reason=reason,
        )
    if delta < 0:
        if -delta > budget.unallocated:
            raise InvalidInput(
                fields={
                    "total": [
                        _(
                            "Lowering the total needs %(need)s more unallocated money; "
                            "release money from lines first."
                        )
                        % {"need": f"{-delta - budget.unallocated:,.2f}"}
                    ]
                }
            )
        transfer(
            budget,
            kind=TransferKind.TOTAL,
            source=Account.UNALLOCATED,
            target=Account.OUTSIDE,
            amount=-delta,
            actor=actor,
            reason=reason,
        )
    return budget


def line_for(
    plan: Plan, *, channel: Channel, campaign: Campaign | None, quarter: int
) -> BudgetLine:
    """The plan's line for (channel, campaign, quarter), created at zero if missing."""
    problems: dict[str, list[Any]] = {}
    if channel.plan_id != plan.pk:
        problems["channel"] = [_("Choose a channel of this plan.")]
    if campaign is not None and campaign.plan_id != plan.pk:
        problems["campaign"] = [_("Choose a campaign of this plan.")]
    if quarter not in (1, 2, 3, 4):
        problems["quarter"] = [_("Choose a quarter from 1 to 4.")]
    if problems:
        raise InvalidInput(fields=problems)
    line, _created = BudgetLine.objects.get_or_create(
        plan=plan, channel=channel, campaign=campaign, quarter=quarter
    )
    return line


def claim_line(line: BudgetLine, expected_version: int) -> BudgetLine:
    """The line, if still at ``expected_version`` (else ``StaleVersion``)."""
    fresh = BudgetLine.objects.select_for_update().get(pk=line.pk)
    if fresh.version != expected_version:
        raise StaleVersion(current=fresh)
    return fresh


def set_planned(
    budget: Budget,
    line: BudgetLine,
    *,
    planned: Decimal,
    actor: User | None = None,
    reason: str = "",
    movable: Decimal | None = None,
    kind: str = TransferKind.ADJUST,
) -> BudgetLine:
    """Bring the line to ``planned`` through the unallocated pool."""
    planned = money(planned, "planned")
    delta = planned - line.planned
    if delta > 0:
        transfer(
            budget,
            kind=kind,
            source=Account.UNALLOCATED,
            target=line,
            amount=delta,
            actor=actor,
            reason=reason,
        )
    elif delta < 0:
        transfer(
            budget,
            kind=kind,
            source=line,
            target=Account.UNALLOCATED,
            amount=-delta,
            actor=actor,
            reason=reason,
            movable=movable,
        )
    return line
