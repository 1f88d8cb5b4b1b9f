"""Pages of the approvals area: the request inbox and a request's sheet and timeline, the
quarterly reallocation review, and the reserve fund. Views parse, call
budget/approval_services.py and render; a refused step shows its reason next to it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from budget import approval_queries as queries
from budget import approval_services as services
from budget.approval_forms import (
    DecisionForm,
    DrawForm,
    MoveForm,
    ProposeForm,
    RequestForm,
    StatusFilter,
    StepForm,
)
from budget.models import (
    BudgetRequest,
    ReallocationMove,
    ReallocationReview,
    RequestDecision,
    RequestStatus,
    ReserveDraw,
)
from budget.pages import base_context
from core.auth import actor_of
from core.errors import DomainError, InvalidInput, NotAllowed, StaleVersion
from core.forms import attach_error, posted_version
from core.htmx import render_page
from planner.access import Action, object_for_user, plan_for_user
from planner.models import Plan


def _refuse(error: DomainError) -> None:
    if isinstance(error, NotAllowed):
        raise error


# --- the request inbox ---------------------------------------------------------------------------


def _inbox_page(
    request: HttpRequest, plan: Plan, form: RequestForm | None = None, status: int = 200
) -> HttpResponse:
    filters = StatusFilter(request.GET or None)
    wanted = filters.cleaned_data["status"] if filters.is_valid() else ""
    context = base_context(
        request,
        plan,
        "requests",
        inbox=queries.inbox(plan, request.user, wanted or None),
        filters=filters,
        wanted=wanted,
        statuses=RequestStatus.choices,
        form=form or RequestForm(plan=plan, auto_id="req_%s"),
        open_form=form is not None,
    )
    return render_page(request, "budget/requests.html", context, status=status)


@login_required
@require_GET
def requests(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _inbox_page(request, plan_for_user(request.user, plan_id))


@login_required
@require_POST
def request_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = RequestForm(request.POST, plan=plan, auto_id="req_%s")
    if form.is_valid():
        try:
            found = services.request_create(
                plan=plan,
                actor=actor_of(request),
                submit=bool(request.POST.get("submit")),
                **form.changes(),
            )
        except DomainError as error:
            _refuse(error)
            attach_error(form, error)
        else:
            if found.status == RequestStatus.SUBMITTED:
                messages.success(request, _("Request submitted for a manager's approval."))
            else:
                messages.success(request, _("Request saved as a draft."))
            return redirect("budget:request", plan_id=plan.pk, request_id=found.pk)
    return _inbox_page(request, plan, form, status=400)


# --- one request ---------------------------------------------------------------------------------


def _request(request: HttpRequest, plan_id: int, request_id: int, action: Action) -> BudgetRequest:
    return object_for_user(
        BudgetRequest.objects.select_related(
            "plan__workspace", "channel", "campaign", "created_by", "decided_by", "line"
        ),
        request.user,
        action,
        pk=request_id,
        plan_id=plan_id,
    )


def _detail_page(
    request: HttpRequest,
    found: BudgetRequest,
    *,
    form: RequestForm | None = None,
    step_form: StepForm | None = None,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    plan = found.plan
    user = request.user
    context = base_context(request, plan, "requests", budget_request=found)
    is_author = found.created_by_id == user.pk
    can_run = context["can_run"]
    steps = {
        "submit": can_run and found.status == RequestStatus.DRAFT,
        "withdraw": can_run
        and is_author
        and found.status in (RequestStatus.DRAFT, RequestStatus.SUBMITTED),
        "decide": can_run
        and context["can_approve"]
        and not is_author
        and found.status == RequestStatus.SUBMITTED,
    }
    if form is None and can_run and found.status == RequestStatus.DRAFT:
        form = RequestForm(
            instance=found, plan=plan, auto_id="req_%s", initial={"version": found.version}
        )
    context.update(
        form=form,
        step_form=step_form or StepForm(initial={"version": found.version}),
        steps=steps,
        is_author=is_author,
        decisions=queries.decisions(found),
        reserve=queries.reserve_summary(plan) if steps["decide"] else None,
        margin_basis=share if (share := services.value_share(plan)) != 1 else None,
        error_text=error_text,
    )
    return render_page(request, "budget/request_detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request: HttpRequest, plan_id: int, request_id: int) -> HttpResponse:
    return _detail_page(request, _request(request, plan_id, request_id, Action.VIEW))


@login_required
@require_POST
def request_edit(request: HttpRequest, plan_id: int, request_id: int) -> HttpResponse:
    found = _request(request, plan_id, request_id, Action.EDIT)
    form = RequestForm(request.POST, instance=found, plan=found.plan, auto_id="req_%s")
    try:
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        services.request_update(
            budget_request=found,
            expected_version=posted_version(request),
            changes=form.changes(),
            actor=actor_of(request),
        )
    except StaleVersion:
        found.refresh_from_db()
        return _detail_page(
            request,
            found,
            error_text=_("Someone changed this request in the meantime; here it is as saved now."),
            status=409,
        )
    except DomainError as error:
        _refuse(error)
        attach_error(form, error)
        return _detail_page(request, found, form=form, status=400)
    messages.success(request, _("Request saved."))
    return redirect("budget:request", plan_id=plan_id, request_id=found.pk)


STEP_MESSAGES: dict[str, Any] = {
    RequestDecision.Action.SUBMIT: _("Request submitted for a manager's approval."),
    RequestDecision.Action.WITHDRAW: _("Request withdrawn."),
    RequestDecision.Action.APPROVE: _("Request approved; its cost is on its budget line."),
    RequestDecision.Action.REJECT: _("Request rejected."),
}


@login_required
@require_POST
def request_step(request: HttpRequest, plan_id: int, request_id: int) -> HttpResponse:
    """Submit, withdraw, approve or reject (``action`` in the form)."""
    action = request.POST.get("action", "")
    needed = (
        Action.APPROVE
        if action in (RequestDecision.Action.APPROVE, RequestDecision.Action.REJECT)
        else Action.EDIT
    )
    found = _request(request, plan_id, request_id, needed)
    form = StepForm(request.POST)
    actor = actor_of(request)
    try:
        if action not in STEP_MESSAGES:
            raise InvalidInput(fields={"action": [_("Unknown action.")]})
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        common: dict[str, Any] = {
            "budget_request": found,
            "expected_version": form.cleaned_data["version"],
            "actor": actor,
            "comment": form.cleaned_data["comment"],
        }
        if action == RequestDecision.Action.SUBMIT:
            services.request_submit(**common)
        elif action == RequestDecision.Action.WITHDRAW:
            services.request_withdraw(**common)
        elif action == RequestDecision.Action.APPROVE:
            services.request_approve(**common, use_reserve=form.cleaned_data["use_reserve"])
        else:
            services.request_reject(**common)
    except StaleVersion:
        found.refresh_from_db()
        return _detail_page(
            request,
            found,
            error_text=_(
                "Someone changed this request in the meantime; check it as saved now and "
                "decide again."
            ),
            status=409,
        )
    except DomainError as error:
        _refuse(error)
        attach_error(form, error)
        return _detail_page(request, found, step_form=form, status=400)
    messages.success(request, str(STEP_MESSAGES[action]))
    return redirect("budget:request", plan_id=plan_id, request_id=found.pk)


# --- the quarterly reallocation review -----------------------------------------------------------


@login_required
@require_GET
def reallocation(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    wanted = request.GET.get("quarter", "")
    review = queries.review(plan, int(wanted) if wanted in ("1", "2", "3") else None)
    rows = queries.moves(review) if review is not None else []
    context = base_context(
        request,
        plan,
        "reallocation",
        review=review,
        reviews=queries.reviews(plan),
        moves=rows,
        totals=queries.review_totals(rows),
        propose_form=ProposeForm(initial={"quarter": queries.default_quarter(plan)}),
    )
    return render_page(request, "budget/reallocation.html", context)


@login_required
@require_POST
def reallocation_propose(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the quarter that ends: 1, 2 or 3."))
        return redirect("budget:reallocation", plan_id=plan.pk)
    quarter = form.cleaned_data["quarter"]
    existed = ReallocationReview.objects.filter(plan=plan, quarter=quarter).exists()
    try:
        review = services.review_propose(plan=plan, quarter=quarter, actor=actor_of(request))
    except DomainError as error:
        _refuse(error)
        messages.error(request, error.describe())
        return redirect("budget:reallocation", plan_id=plan.pk)
    if existed:
        messages.info(request, _("The review of this quarter was already proposed; here it is."))
    else:
        messages.success(request, _("Review proposed."))
    return redirect(f"/plans/{plan.pk}/budget/review/?quarter={review.quarter}")


def _move(request: HttpRequest, plan_id: int, move_id: int) -> ReallocationMove:
    return object_for_user(
        ReallocationMove.objects.select_related("review__plan__workspace"),
        request.user,
        Action.APPROVE,
        pk=move_id,
        review__plan_id=plan_id,
    )


def _review_url(plan_id: int, quarter: int) -> str:
    return f"/plans/{plan_id}/budget/review/?quarter={quarter}"


@login_required
@require_POST
def move_decide(request: HttpRequest, plan_id: int, move_id: int) -> HttpResponse:
    move = _move(request, plan_id, move_id)
    form = MoveForm(request.POST)
    action = request.POST.get("action", "")
    back = _review_url(plan_id, move.review.quarter)
    if not form.is_valid() or action not in ("approve", "reject"):
        messages.error(request, _("Check the amount and try again."))
        return redirect(back)
    try:
        if action == "approve":
            services.move_approve(
                move=move,
                expected_version=form.cleaned_data["version"],
                actor=actor_of(request),
                amount=form.cleaned_data["amount"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Move approved: both lines changed."))
        else:
            services.move_reject(
                move=move,
                expected_version=form.cleaned_data["version"],
                actor=actor_of(request),
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Move rejected."))
    except StaleVersion:
        messages.error(request, _("Someone decided this move in the meantime; check it again."))
    except DomainError as error:
        _refuse(error)
        messages.error(request, error.describe())
    return redirect(back)


@login_required
@require_POST
def reallocation_approve_all(request: HttpRequest, plan_id: int, review_id: int) -> HttpResponse:
    review = object_for_user(
        ReallocationReview.objects.select_related("plan__workspace"),
        request.user,
        Action.APPROVE,
        pk=review_id,
        plan_id=plan_id,
    )
    result = services.review_approve_all(review=review, actor=actor_of(request))
    messages.success(request, _("%(n)s moves approved.") % {"n": result.approved})
    for move, reason in result.refused:
        messages.error(
            request,
            _("%(move)s stays proposed: %(reason)s") % {"move": str(move), "reason": reason},
        )
    return redirect(_review_url(plan_id, review.quarter))


# --- the reserve fund ----------------------------------------------------------------------------


def _reserve_page(
    request: HttpRequest, plan: Plan, form: DrawForm | None = None, status: int = 200
) -> HttpResponse:
    pending, decided = queries.draws(plan)
    context = base_context(
        request,
        plan,
        "reserve",
        reserve=queries.reserve_summary(plan),
        pending=pending,
        decided=decided,
        form=form or DrawForm(plan=plan, auto_id="draw_%s"),
        decision_form=DecisionForm(),
    )
    return render_page(request, "budget/reserve.html", context, status=status)


@login_required
@require_GET
def reserve(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _reserve_page(request, plan_for_user(request.user, plan_id))


@login_required
@require_POST
def draw_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = DrawForm(request.POST, plan=plan, auto_id="draw_%s")
    if form.is_valid():
        try:
            draw = services.draw_request(
                plan=plan,
                actor=actor_of(request),
                line=form.cleaned_data["line"],
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                approve=form.cleaned_data["approve"],
            )
        except DomainError as error:
            _refuse(error)
            attach_error(form, error)
        else:
            if draw.transfer_id:
                messages.success(request, _("Drawn from the reserve fund."))
            else:
                messages.success(request, _("Draw requested; a manager decides on it."))
            return redirect("budget:reserve", plan_id=plan.pk)
    return _reserve_page(request, plan, form, status=400)


@login_required
@require_POST
def draw_decide(request: HttpRequest, plan_id: int, draw_id: int) -> HttpResponse:
    draw = object_for_user(
        ReserveDraw.objects.select_related("plan__workspace"),
        request.user,
        Action.APPROVE,
        pk=draw_id,
        plan_id=plan_id,
    )
    form = DecisionForm(request.POST)
    action = request.POST.get("action", "")
    if not form.is_valid() or action not in ("approve", "reject"):
        messages.error(request, _("Check the decision and try again."))
        return redirect("budget:reserve", plan_id=plan_id)
    step = services.draw_approve if action == "approve" else services.draw_reject
    try:
        step(
            draw=draw,
            expected_version=form.cleaned_data["version"],
            actor=actor_of(request),
            comment=form.cleaned_data["comment"],
        )
    except StaleVersion:
        messages.error(request, _("Someone decided this draw in the meantime; check it again."))
    except DomainError as error:
        _refuse(error)
        messages.error(request, error.describe())
    else:
        if action == "approve":
            messages.success(request, _("Draw approved: the reserve paid the line."))
        else:
            messages.success(request, _("Draw rejected."))
    return redirect("budget:reserve", plan_id=plan_id)
