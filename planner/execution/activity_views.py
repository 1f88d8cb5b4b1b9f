"""Pages of the key activities (a Gantt grid of the plan's year with the milestones on it,
the clash panel, the create/edit form) and of the rapid-response pools (pools per risk
level, their activation form and log)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget.models import Budget
from core.auth import actor_of
from core.errors import DomainError
from core.forms import attach_error, raise_if_forbidden
from core.htmx import render_page
from planner.access import Action, can, object_for_user, plan_for_user
from planner.execution import activity_queries as queries
from planner.execution import activity_services as services
from planner.execution.activity_forms import ActivationForm, ActivityForm, PoolForm
from planner.execution.activity_models import Activity, ResponsePool
from planner.execution.pages import base_context, save_or_delete
from planner.models import Plan, PlanStatus

# --- activities ------------------------------------------------------------------------------


@login_required
@require_GET
def activities(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    found = queries.schedule_of(plan)
    context = base_context(
        request,
        plan,
        "activities",
        items=found.items,
        clashes=found.listed(),
        gantt=queries.gantt(plan, found),
    )
    return render_page(request, "planner/execution/activities.html", context)


def _activity(request: HttpRequest, plan_id: int, activity_id: int, action: Action) -> Activity:
    return object_for_user(
        Activity.objects.select_related("plan__workspace"),
        request.user,
        action,
        pk=activity_id,
        plan_id=plan_id,
    )


def _activity_page(
    request: HttpRequest,
    plan: Plan,
    activity: Activity | None,
    form: ActivityForm,
    *,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    clashes = []
    if activity is not None:
        clashes = [
            c
            for c in queries.schedule_of(plan).listed()
            if activity.pk in [a.pk for a in c.activities]
        ]
    context = base_context(
        request,
        plan,
        "activities",
        activity=activity,
        form=form,
        clashes=clashes,
        error_text=error_text,
    )
    return render_page(request, "planner/execution/activity.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    if request.method == "GET":
        form = ActivityForm(plan=plan, initial={"kind": "festival", "status": "planned"})
        return _activity_page(request, plan, None, form)
    form = ActivityForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            found = services.activity_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Activity “%(title)s” added.") % {"title": found.title})
            return redirect("planner:execution-activities", plan_id=plan.pk)
    return _activity_page(request, plan, None, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, plan_id: int, activity_id: int) -> HttpResponse:
    if request.method == "GET":
        found = _activity(request, plan_id, activity_id, Action.VIEW)
        return _activity_page(
            request, found.plan, found, ActivityForm(instance=found, plan=found.plan)
        )
    found = _activity(request, plan_id, activity_id, Action.EDIT)
    plan = found.plan
    form = ActivityForm(request.POST, instance=found, plan=plan)
    actor = actor_of(request)
    return save_or_delete(
        request,
        found=found,
        form=form,
        fresh_form=lambda: ActivityForm(instance=found, plan=plan),
        render=lambda f, **kw: _activity_page(request, plan, found, f, **kw),
        update=lambda v, changes: services.activity_update(
            activity=found, expected_version=v, changes=changes, actor=actor
        ),
        delete=lambda v: services.activity_delete(activity=found, expected_version=v, actor=actor),
        saved=_("Activity saved."),
        removed=_("Activity removed."),
        after_save=lambda: redirect("planner:execution-activities", plan_id=plan.pk),
        after_delete=lambda: redirect("planner:execution-activities", plan_id=plan.pk),
    )


# --- rapid-response pools --------------------------------------------------------------------


def _response_page(
    request: HttpRequest,
    plan: Plan,
    *,
    activation_form: ActivationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = base_context(
        request,
        plan,
        "response",
        pools=queries.pool_rows(plan),
        activations=list(queries.activations(plan)[:50]),
        activation_form=activation_form or ActivationForm(plan=plan),
        reserve=Budget.objects.filter(plan=plan).values_list("reserve_balance", flat=True).first(),
        can_activate=can(request.user, plan.workspace_id, Action.APPROVE)
        and plan.status != PlanStatus.ARCHIVED,
    )
    return render_page(request, "planner/execution/response.html", context, status=status)


@login_required
@require_GET
def response(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    return _response_page(request, plan)


@login_required
@require_POST
def activate(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.APPROVE)
    form = ActivationForm(request.POST, plan=plan)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.activate(
                pool=data["pool"],
                risk=data["risk"],
                line=data["line"],
                amount=data["amount"],
                people_used=data["people_used"],
                reason=data["reason"],
                actor=actor_of(request),
            )
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Pool activated; the draw on the reserve is recorded."))
            return redirect("planner:execution-response", plan_id=plan.pk)
    return _response_page(request, plan, activation_form=form, status=400)


def _pool_page(
    request: HttpRequest,
    plan: Plan,
    pool: ResponsePool | None,
    form: PoolForm,
    *,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    context = base_context(request, plan, "response", pool=pool, form=form, error_text=error_text)
    return render_page(request, "planner/execution/pool.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def pool_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    if request.method == "GET":
        form = PoolForm(
            plan=plan, initial={"level": 3, "headcount": 0, "authorise_role": "manager"}
        )
        return _pool_page(request, plan, None, form)
    form = PoolForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.pool_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Pool saved."))
            return redirect("planner:execution-response", plan_id=plan.pk)
    return _pool_page(request, plan, None, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def pool_edit(request: HttpRequest, plan_id: int, pool_id: int) -> HttpResponse:
    action = Action.VIEW if request.method == "GET" else Action.EDIT
    found = object_for_user(
        ResponsePool.objects.select_related("plan__workspace"),
        request.user,
        action,
        pk=pool_id,
        plan_id=plan_id,
    )
    plan = found.plan
    if request.method == "GET":
        return _pool_page(request, plan, found, PoolForm(instance=found, plan=plan))
    form = PoolForm(request.POST, instance=found, plan=plan)
    actor = actor_of(request)
    return save_or_delete(
        request,
        found=found,
        form=form,
        fresh_form=lambda: PoolForm(instance=found, plan=plan),
        render=lambda f, **kw: _pool_page(request, plan, found, f, **kw),
        update=lambda v, changes: services.pool_update(
            pool=found, expected_version=v, changes=changes, actor=actor
        ),
        delete=lambda v: services.pool_delete(pool=found, expected_version=v, actor=actor),
        saved=_("Pool saved."),
        removed=_("Pool removed."),
        after_save=lambda: redirect("planner:execution-response", plan_id=plan.pk),
        after_delete=lambda: redirect("planner:execution-response", plan_id=plan.pk),
    )
