"""Writes of the approvals area: budget requests, reserve draws and the quarterly review.

They run while the plan runs (draft or approved, not archived: ``plan_for_execution``).
Every write locks in one order — the plan row, then the budget (``locked_budget``),
then the request / draw / move row, then the budget lines — so concurrent approvals
queue instead of deadlocking. Money moves only through ``budget.ledger.transfer``,
in the same transaction as the status change it belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budget import actuals, ledger
from budget import reallocation as pure
from budget.models import (
    Account,
    BudgetLine,
    BudgetRequest,
    DrawStatus,
    MoveStatus,
    ReallocationMove,
    ReallocationReview,
    RequestDecision,
    RequestStatus,
    ReserveDraw,
    TransferKind,
)
from budget.models.money import ZERO
from channels.models import Channel
from content.models import Campaign
from core.errors import InvalidInput, InvalidTransition, NotAllowed, StaleVersion
from core.locking import update_versioned
from monitoring.queries import grades_by_channel
from monitoring.roi.models import RoiBasis, RoiDefinition
from monitoring.roi.queries import report
from planner.access import Action, require
from planner.editing import plan_for_execution, reject_unknown
from planner.models import Plan, PlanStatus

REQUEST_EDITABLE = (
    "channel",
    "campaign",
    "quarter",
    "title",
    "amount",
    "expected_users",
    "expected_revenue",
    "assumptions",
)
ROI_PLACES = Decimal("0.0001")

# --- the cost-benefit sheet ----------------------------------------------------------------------


def value_share(plan: Plan) -> Decimal:
    """What part of revenue the plan's ROI definition counts as value (1, or the margin)."""
    definition = RoiDefinition.objects.filter(plan=plan).first()
    if definition is not None and definition.basis == RoiBasis.MARGIN:
        return Decimal(definition.gross_margin)
    return Decimal(1)


def expected_roi(plan: Plan, *, cost: Decimal, revenue: Decimal) -> Decimal | None:
    """(value − cost) ÷ cost, value = revenue × the definition's value share."""
    if cost is None or cost <= 0 or revenue is None:
        return None
    value = Decimal(revenue) * value_share(plan)
    return ((value - cost) / cost).quantize(ROI_PLACES)


def _clean_request(plan: Plan, req: BudgetRequest) -> None:
    """Check the whole sheet; every problem is reported at once, on its field."""
    errors: dict[str, list[Any]] = {}
    req.title = (req.title or "").strip()
    req.assumptions = (req.assumptions or "").strip()
    if not req.title:
        errors["title"] = [_("Give the request a title.")]
    if not req.assumptions:
        errors["assumptions"] = [_("Write down the assumptions behind the figures.")]
    channel = Channel.objects.filter(pk=req.channel_id).first() if req.channel_id else None
    if channel is None or channel.plan_id != plan.pk:
        errors["channel"] = [_("Choose a channel of this plan.")]
    if req.campaign_id:
        campaign = Campaign.objects.filter(pk=req.campaign_id).first()
        if campaign is None or campaign.plan_id != plan.pk:
            errors["campaign"] = [_("Choose a campaign of this plan.")]
    if req.expected_users in (None, ""):
        req.expected_users = 0
    if req.expected_revenue in (None, ""):
        req.expected_revenue = ZERO
    if req.quarter not in (1, 2, 3, 4):
        errors["quarter"] = [_("Choose a quarter from 1 to 4.")]
    for name in ("amount", "expected_revenue"):
        try:
            setattr(req, name, ledger.money(getattr(req, name), name))
        except InvalidInput as error:
            errors.update(error.fields)
    if "amount" not in errors and req.amount <= 0:
        errors["amount"] = [_("Enter a cost greater than zero.")]
    if req.expected_users is None or int(req.expected_users) < 0:
        errors["expected_users"] = [_("Enter a number of users, zero or more.")]
    if errors:
        raise InvalidInput(_("Check the cost-benefit sheet."), fields=errors)
    req.expected_roi = expected_roi(plan, cost=req.amount, revenue=req.expected_revenue)


def _log(
    req: BudgetRequest, action: str, from_status: str, actor: User | None, comment: str = ""
) -> RequestDecision:
    return RequestDecision.objects.create(
        request=req,
        action=action,
        from_status=from_status,
        to_status=req.status,
        actor=actor,
        comment=comment,
    )


# --- budget requests -----------------------------------------------------------------------------


def request_create(
    *, plan: Plan, actor: User, submit: bool = False, **fields: Any
) -> BudgetRequest:
    """Draft a request (an editor); ``submit`` sends it for approval at once."""
    reject_unknown(fields, REQUEST_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        req = BudgetRequest(plan=plan, created_by=actor, **fields)
        _clean_request(plan, req)
        req.save()
        _log(req, RequestDecision.Action.CREATE, RequestStatus.DRAFT, actor)
        if submit:
            req = _move(req, req.version, actor, RequestDecision.Action.SUBMIT, "")
    return req


def request_update(
    *,
    budget_request: BudgetRequest,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: User,
) -> BudgetRequest:
    """Change a draft's sheet (an editor); a submitted request is withdrawn first."""
    reject_unknown(changes, REQUEST_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=budget_request.plan_id, actor=actor)
        current = BudgetRequest.objects.get(pk=budget_request.pk)
        if current.version != expected_version:
            raise StaleVersion(current=current)
        if current.status != RequestStatus.DRAFT:
            raise InvalidTransition(_("Only a draft request can be changed."))
        for name, value in changes.items():
            setattr(current, name, value)
        _clean_request(plan, current)
        fields = {name: getattr(current, name) for name in changes}
        fields["expected_roi"] = current.expected_roi
        return update_versioned(
            budget_request, expected_version=expected_version, changes=fields, actor=actor
        )


# Which step leads from which statuses to which one.
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    RequestDecision.Action.SUBMIT: ((RequestStatus.DRAFT,), RequestStatus.SUBMITTED),
    RequestDecision.Action.WITHDRAW: (
        (RequestStatus.DRAFT, RequestStatus.SUBMITTED),
        RequestStatus.WITHDRAWN,
    ),
    RequestDecision.Action.APPROVE: ((RequestStatus.SUBMITTED,), RequestStatus.APPROVED),
    RequestDecision.Action.REJECT: ((RequestStatus.SUBMITTED,), RequestStatus.REJECTED),
}


def _fresh(req: BudgetRequest, expected_version: int, action: str) -> BudgetRequest:
    """The request as saved now, if still at the version and in a status ``action`` leaves."""
    current = BudgetRequest.objects.select_related("channel", "campaign").get(pk=req.pk)
    if current.version != expected_version:
        raise StaleVersion(current=current)
    sources, target = STEPS[action]
    if current.status not in sources:
        raise InvalidTransition(
            _("A request that is “%(status)s” cannot become “%(target)s”.")
            % {
                "status": RequestStatus(current.status).label,
                "target": RequestStatus(target).label,
            }
        )
    return current


def _move(
    req: BudgetRequest,
    expected_version: int,
    actor: User,
    action: str,
    comment: str,
    **extra: Any,
) -> BudgetRequest:
    from_status = req.status
    changes: dict[str, Any] = {"status": STEPS[action][1], **extra}
    if action == RequestDecision.Action.SUBMIT:
        changes["submitted_at"] = timezone.now()
    if action in (RequestDecision.Action.APPROVE, RequestDecision.Action.REJECT):
        changes.update(decided_by=actor, decided_at=timezone.now())
    updated = update_versioned(
        req, expected_version=expected_version, changes=changes, actor=actor, reason=action
    )
    _log(updated, action, from_status, actor, comment)
    return updated


def request_submit(
    *, budget_request: BudgetRequest, expected_version: int, actor: User, comment: str = ""
) -> BudgetRequest:
    """Send a draft for a manager's approval (any editor of the plan)."""
    with transaction.atomic():
        plan_for_execution(plan_id=budget_request.plan_id, actor=actor)
        current = _fresh(budget_request, expected_version, RequestDecision.Action.SUBMIT)
        return _move(current, expected_version, actor, RequestDecision.Action.SUBMIT, comment)


def request_withdraw(
    *, budget_request: BudgetRequest, expected_version: int, actor: User, comment: str = ""
) -> BudgetRequest:
    """Take a draft or submitted request back (its author only)."""
    with transaction.atomic():
        plan_for_execution(plan_id=budget_request.plan_id, actor=actor)
        current = _fresh(budget_request, expected_version, RequestDecision.Action.WITHDRAW)
        if current.created_by_id != actor.pk:
            raise NotAllowed(_("Only the author of a request can withdraw it."))
        return _move(
            current, expected_version, actor, RequestDecision.Action.WITHDRAW, comment.strip()
        )


def _manager_of(plan_id: int, actor: User) -> Plan:
    plan = plan_for_execution(plan_id=plan_id, actor=actor)
    require(actor, plan.workspace_id, Action.APPROVE)
    return plan


def request_approve(
    *,
    budget_request: BudgetRequest,
    expected_version: int,
    actor: User,
    comment: str = "",
    use_reserve: bool = False,
) -> BudgetRequest:
    """Approve a submitted request (a manager, never its author): its cost moves from the
    unallocated pool into its line (created if missing) in this transaction. When the pool
    is short, ``use_reserve`` draws the rest from the reserve fund (a draw approved with
    the request as its reason); otherwise the approval is refused and nothing changes."""
    with transaction.atomic():
        plan = _manager_of(budget_request.plan_id, actor)
        budget = ledger.locked_budget(plan)
        current = _fresh(budget_request, expected_version, RequestDecision.Action.APPROVE)
        if current.created_by_id == actor.pk:
            raise NotAllowed(_("Nobody approves their own request; ask another manager."))
        line = ledger.line_for(
            plan, channel=current.channel, campaign=current.campaign, quarter=current.quarter
        )
        short = current.amount - budget.unallocated
        from_reserve = ZERO
        if short > 0:
            if not use_reserve:
                raise InvalidInput(
                    _(
                        "Only %(free)s is unallocated, %(short)s short of the cost. Fund the "
                        "rest from the reserve fund (%(reserve)s left) or refuse the request."
                    )
                    % {
                        "free": f"{budget.unallocated:,.2f}",
                        "short": f"{short:,.2f}",
                        "reserve": f"{budget.reserve_balance:,.2f}",
                    },
                    fields={"use_reserve": [_("The unallocated money does not cover the cost.")]},
                )
            if short > budget.reserve_balance:
                raise InvalidInput(
                    _(
                        "The unallocated money and the reserve fund together are "
                        "%(short)s short of the cost."
                    )
                    % {"short": f"{short - budget.reserve_balance:,.2f}"},
                    fields={"use_reserve": [_("The reserve fund does not cover the rest.")]},
                )
            from_reserve = short
        approved = _move(
            current,
            expected_version,
            actor,
            RequestDecision.Action.APPROVE,
            comment.strip(),
            line=line,
            from_reserve=from_reserve,
        )
        pooled = current.amount - from_reserve
        if pooled > 0:
            ledger.transfer(
                budget,
                kind=TransferKind.REQUEST,
                source=Account.UNALLOCATED,
                target=line,
                amount=pooled,
                actor=actor,
                reason=_("Request: %(title)s") % {"title": current.title},
            )
        if from_reserve > 0:
            made = ledger.transfer(
                budget,
                kind=TransferKind.DRAW,
                source=Account.RESERVE,
                target=line,
                amount=from_reserve,
                actor=actor,
                reason=_("Request: %(title)s") % {"title": current.title},
            )
            now = timezone.now()
            ReserveDraw.objects.create(
                plan=plan,
                line=line,
                amount=from_reserve,
                reason=_("To fund the approved request “%(title)s”.") % {"title": current.title},
                status=DrawStatus.APPROVED,
                request=approved,
                requested_by=actor,
                decided_by=actor,
                decided_at=now,
                comment=comment.strip(),
                transfer=made,
            )
        return approved


def request_reject(
    *, budget_request: BudgetRequest, expected_version: int, actor: User, comment: str
) -> BudgetRequest:
    """Refuse a submitted request (a manager, never its author), saying why."""
    comment = (comment or "").strip()
    with transaction.atomic():
        plan = _manager_of(budget_request.plan_id, actor)
        ledger.locked_budget(plan)
        current = _fresh(budget_request, expected_version, RequestDecision.Action.REJECT)
        if current.created_by_id == actor.pk:
            raise NotAllowed(_("Nobody decides on their own request; ask another manager."))
        if not comment:
            raise InvalidInput(fields={"comment": [_("Say why the request is rejected.")]})
        return _move(current, expected_version, actor, RequestDecision.Action.REJECT, comment)


# --- reserve draws -------------------------------------------------------------------------------


def _clean_draw(plan: Plan, line: BudgetLine | None, amount: Any, reason: str) -> Decimal:
    errors: dict[str, list[Any]] = {}
    if line is None or line.plan_id != plan.pk:
        errors["line"] = [_("Choose a budget line of this plan.")]
    value = ZERO
    try:
        value = ledger.money(amount)
    except InvalidInput as error:
        errors.update(error.fields)
    else:
        if value <= 0:
            errors["amount"] = [_("Enter an amount greater than zero.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the draw.")]
    if errors:
        raise InvalidInput(_("Check the draw."), fields=errors)
    return value


def _draw_transfer(budget: Any, draw: ReserveDraw, actor: User) -> Any:
    if draw.amount > budget.reserve_balance:
        message = _("Only %(amount)s is left in the reserve fund.") % {
            "amount": f"{budget.reserve_balance:,.2f}"
        }
        raise InvalidInput(message, fields={"amount": [message]})
    return ledger.transfer(
        budget,
        kind=TransferKind.DRAW,
        source=Account.RESERVE,
        target=draw.line,
        amount=draw.amount,
        actor=actor,
        reason=draw.reason,
    )


def draw_request(
    *,
    plan: Plan,
    actor: User,
    line: BudgetLine | None,
    amount: Any,
    reason: str,
    approve: bool = False,
) -> ReserveDraw:
    """Ask for a draw on the reserve (an editor or a manager); with ``approve`` a manager
    draws at once (asked and approved in one step, the reason still required)."""
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        if approve:
            require(actor, plan.workspace_id, Action.APPROVE)
        budget = ledger.locked_budget(plan)
        value = _clean_draw(plan, line, amount, reason)
        assert line is not None
        if value > budget.reserve_balance:
            message = _("Only %(amount)s is left in the reserve fund.") % {
                "amount": f"{budget.reserve_balance:,.2f}"
            }
            raise InvalidInput(message, fields={"amount": [message]})
        draw = ReserveDraw(
            plan=plan, line=line, amount=value, reason=reason.strip(), requested_by=actor
        )
        if approve:
            draw.transfer = _draw_transfer(budget, draw, actor)
            draw.status = DrawStatus.APPROVED
            draw.decided_by = actor
            draw.decided_at = timezone.now()
        draw.save()
        return draw


def _fresh_draw(draw: ReserveDraw, expected_version: int) -> ReserveDraw:
    current = ReserveDraw.objects.select_related("line").get(pk=draw.pk)
    if current.version != expected_version:
        raise StaleVersion(current=current)
    if current.status != DrawStatus.PENDING:
        raise InvalidTransition(
            _("This draw was already decided (%(status)s).")
            % {"status": DrawStatus(current.status).label}
        )
    return current


def draw_approve(
    *, draw: ReserveDraw, expected_version: int, actor: User, comment: str = ""
) -> ReserveDraw:
    """Approve a pending draw (a manager): the reserve pays the line; never below zero."""
    with transaction.atomic():
        plan = _manager_of(draw.plan_id, actor)
        budget = ledger.locked_budget(plan)
        current = _fresh_draw(draw, expected_version)
        made = _draw_transfer(budget, current, actor)
        return update_versioned(
            current,
            expected_version=expected_version,
            changes={
                "status": DrawStatus.APPROVED,
                "decided_by": actor,
                "decided_at": timezone.now(),
                "comment": comment.strip(),
                "transfer": made,
            },
            actor=actor,
        )


def draw_reject(
    *, draw: ReserveDraw, expected_version: int, actor: User, comment: str
) -> ReserveDraw:
    """Refuse a pending draw (a manager), saying why."""
    comment = (comment or "").strip()
    with transaction.atomic():
        plan = _manager_of(draw.plan_id, actor)
        ledger.locked_budget(plan)
        current = _fresh_draw(draw, expected_version)
        if not comment:
            raise InvalidInput(fields={"comment": [_("Say why the draw is rejected.")]})
        return update_versioned(
            current,
            expected_version=expected_version,
            changes={
                "status": DrawStatus.REJECTED,
                "decided_by": actor,
                "decided_at": timezone.now(),
                "comment": comment,
            },
            actor=actor,
        )


# --- the quarterly reallocation review -----------------------------------------------------------


def review_inputs(plan: Plan, quarter: int) -> tuple[list[pure.Line], pure.Limits]:
    """The lines of the quarters after ``quarter`` with their channel's grade and ROI and
    their movable amount, and the plan's limits, as the pure proposal takes them."""
    budget = ledger.budget_of(plan)
    all_lines = list(BudgetLine.objects.filter(plan=plan))
    spent = actuals.spent_by_line(plan, all_lines)
    grades = grades_by_channel(plan)
    roi = report(plan)
    roi_by_channel = {row.id: row.figures.roi for row in roi.channels if row.id is not None}
    floor = float(roi.definition.definition.roi_floor)
    lines = []
    for line in all_lines:
        if line.quarter <= quarter:
            continue
        used = spent[line.pk].used if line.pk in spent else ZERO
        grade = grades.get(line.channel_id)
        lines.append(
            pure.Line(
                id=line.pk,
                quarter=line.quarter,
                planned=line.planned,
                movable=max(line.planned - used, ZERO),
                grade=grade.grade if grade is not None else None,
                roi=roi_by_channel.get(line.channel_id),
            )
        )
    limits = pure.Limits(
        total=budget.total,
        max_move_pct=budget.max_move_pct,
        max_review_pct=budget.max_review_pct,
        roi_floor=floor,
    )
    return lines, limits


def _create_review(plan: Plan, quarter: int, actor: User | None) -> ReallocationReview:
    existing = ReallocationReview.objects.filter(plan=plan, quarter=quarter).first()
    if existing is not None:
        return existing
    lines, limits = review_inputs(plan, quarter)
    moves = pure.propose(lines, limits)
    by_id = {x.id: x for x in lines}
    review = ReallocationReview.objects.create(
        plan=plan,
        quarter=quarter,
        created_by=actor,
        roi_floor=Decimal(str(limits.roi_floor or 0)).quantize(ROI_PLACES),
        max_move_pct=limits.max_move_pct,
        max_review_pct=limits.max_review_pct,
        limit=pure.cents_down(limits.total * limits.max_review_pct / 100),
    )
    ReallocationMove.objects.bulk_create(
        ReallocationMove(
            review=review,
            from_line_id=move.source,
            to_line_id=move.target,
            proposed_amount=move.amount,
            from_grade=by_id[move.source].grade or "",
            from_roi=by_id[move.source].roi,
            to_grade=by_id[move.target].grade or "",
            to_roi=by_id[move.target].roi,
            reasons=list(move.reasons),
        )
        for move in moves
    )
    return review


def review_propose(*, plan: Plan, quarter: int, actor: User) -> ReallocationReview:
    """The review at the end of ``quarter`` (1–3), proposed now if the plan has none yet
    (idempotent: a second call returns the first review unchanged)."""
    if quarter not in (1, 2, 3):
        raise InvalidInput(
            fields={
                "quarter": [_("Choose the quarter that ends: 1, 2 or 3 (Q4 has none after it).")]
            }
        )
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        return _create_review(plan, quarter, actor)


def quarter_ended(today: Any) -> tuple[int, int] | None:
    """(year, quarter) of the quarter that ended just before ``today`` if it is one of the
    first three (those have quarters after them), else None."""
    quarter = (today.month - 1) // 3  # the quarter before today's
    if quarter == 0:
        return None
    return today.year, quarter


def propose_due_reviews(today: Any = None) -> int:
    """The scheduled job at each quarter's end: a review of the quarter that just ended
    for every plan of that year that is not archived. Safe to run twice (one review per
    plan and quarter). Returns how many reviews it created."""
    today = today or timezone.localdate()
    due = quarter_ended(today)
    if due is None:
        return 0
    year, quarter = due
    created = 0
    plan_ids = list(
        Plan.objects.filter(year=year)
        .exclude(status=PlanStatus.ARCHIVED)
        .exclude(reallocation_reviews__quarter=quarter)
        .values_list("pk", flat=True)
    )
    for plan_id in plan_ids:
        try:
            with transaction.atomic():
                plan = Plan.objects.select_for_update().get(pk=plan_id)
                if plan.status == PlanStatus.ARCHIVED:
                    continue
                before = ReallocationReview.objects.filter(plan=plan, quarter=quarter).exists()
                _create_review(plan, quarter, None)
                created += 0 if before else 1
        except IntegrityError:  # proposed concurrently: the other one stands
            continue
    return created


def _fresh_move(move: ReallocationMove, expected_version: int) -> ReallocationMove:
    current = ReallocationMove.objects.select_related("review", "from_line", "to_line").get(
        pk=move.pk
    )
    if current.version != expected_version:
        raise StaleVersion(current=current)
    if current.status != MoveStatus.PROPOSED:
        raise InvalidTransition(
            _("This move was already decided (%(status)s).")
            % {"status": MoveStatus(current.status).label}
        )
    return current


def move_approve(
    *,
    move: ReallocationMove,
    expected_version: int,
    actor: User,
    amount: Any = None,
    comment: str = "",
) -> ReallocationMove:
    """Approve a proposed move (a manager), at the proposed amount or a smaller one: both
    lines change in this transaction or neither; never more than the source can give."""
    with transaction.atomic():
        plan = _manager_of(move.review.plan_id, actor)
        budget = ledger.locked_budget(plan)
        current = _fresh_move(move, expected_version)
        value = current.proposed_amount if amount in (None, "") else ledger.money(amount)
        if value <= 0:
            raise InvalidInput(fields={"amount": [_("Enter an amount greater than zero.")]})
        if value > current.proposed_amount:
            raise InvalidInput(
                fields={
                    "amount": [
                        _("At most the proposed %(amount)s can move.")
                        % {"amount": f"{current.proposed_amount:,.2f}"}
                    ]
                }
            )
        # both lines row-locked, in id order (after the budget)
        locked = {
            x.pk: x
            for x in BudgetLine.objects.select_for_update()
            .filter(pk__in=[current.from_line_id, current.to_line_id])
            .order_by("pk")
        }
        source, target = locked[current.from_line_id], locked[current.to_line_id]
        made = ledger.transfer(
            budget,
            kind=TransferKind.MOVE,
            source=source,
            target=target,
            amount=value,
            actor=actor,
            reason=_("Quarterly review Q%(quarter)s") % {"quarter": current.review.quarter},
            movable=actuals.movable(source),
        )
        return update_versioned(
            current,
            expected_version=expected_version,
            changes={
                "status": MoveStatus.APPROVED,
                "approved_amount": value,
                "decided_by": actor,
                "decided_at": timezone.now(),
                "comment": comment.strip(),
                "transfer": made,
            },
            actor=actor,
        )


def move_reject(
    *, move: ReallocationMove, expected_version: int, actor: User, comment: str = ""
) -> ReallocationMove:
    """Reject a proposed move (a manager); nothing moves."""
    with transaction.atomic():
        _manager_of(move.review.plan_id, actor)
        current = _fresh_move(move, expected_version)
        return update_versioned(
            current,
            expected_version=expected_version,
            changes={
                "status": MoveStatus.REJECTED,
                "decided_by": actor,
                "decided_at": timezone.now(),
                "comment": (comment or "").strip(),
            },
            actor=actor,
        )


@dataclass
class ApproveAll:
    approved: int
    refused: list[tuple[ReallocationMove, str]]


def review_approve_all(*, review: ReallocationReview, actor: User) -> ApproveAll:
    """Approve every move still proposed, each on its own (a move the source can no longer
    pay stays proposed and is reported)."""
    require(actor, review.plan.workspace_id, Action.APPROVE)
    result = ApproveAll(0, [])
    for move in ReallocationMove.objects.filter(review=review, status=MoveStatus.PROPOSED):
        try:
            move_approve(move=move, expected_version=move.version, actor=actor)
        except (InvalidInput, InvalidTransition, StaleVersion) as error:
            result.refused.append((move, error.describe()))
        else:
            result.approved += 1
    return result
