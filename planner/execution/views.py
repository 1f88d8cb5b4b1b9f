"""Pages of the execution section: milestones by quarter (with their derived status and
the run-time status form), the risk register with its heat map, the crisis playbooks
with their drill log, and the acknowledgement of a playbook's escalation steps on an
alert (from the alert inbox)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.auth import actor_of
from core.errors import DomainError, InvalidInput, StaleVersion
from core.forms import attach_error, posted_version, raise_if_forbidden
from core.htmx import render_page
from planner.access import Action, object_for_user, plan_for_user
from planner.execution import queries, services
from planner.execution.forms import (
    DrillForm,
    MilestoneForm,
    MilestoneStatusForm,
    PlaybookForm,
    RiskFilterForm,
    RiskForm,
)
from planner.execution.models import (
    EscalationStep,
    Milestone,
    MilestoneStatus,
    Playbook,
    Risk,
    RiskCategory,
    RiskStatus,
)
from planner.execution.pages import STALE, base_context, save_or_delete
from planner.models import Plan

# --- milestones ------------------------------------------------------------------------------


@login_required
@require_GET
def milestones(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    rows = queries.milestone_rows(plan)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    context = base_context(
        request,
        plan,
        "milestones",
        quarters=queries.by_quarter(rows),
        total=len(rows),
        status_counts=[(s, label, counts.get(s, 0)) for s, label in MilestoneStatus.choices],
        statuses=MilestoneStatus.choices,
    )
    return render_page(request, "planner/execution/milestones.html", context)


def _milestone(request: HttpRequest, plan_id: int, milestone_id: int, action: Action) -> Milestone:
    return object_for_user(
        Milestone.objects.select_related("plan__workspace"),
        request.user,
        action,
        pk=milestone_id,
        plan_id=plan_id,
    )


def _milestone_page(
    request: HttpRequest,
    plan: Plan,
    milestone: Milestone | None,
    form: MilestoneForm,
    *,
    status_form: MilestoneStatusForm | None = None,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    row = queries.Derivation(plan).row(milestone) if milestone is not None else None
    if milestone is not None and status_form is None:
        status_form = MilestoneStatusForm(
            initial={
                "version": milestone.version,
                "status": milestone.override_status,
                "reason": milestone.override_reason,
                "progress": (
                    None
                    if milestone.entered_progress is None
                    else (milestone.entered_progress * 100).normalize()
                ),
            }
        )
    history = (
        list(milestone.history.select_related("history_user").order_by("-history_date")[:10])
        if milestone is not None
        else []
    )
    context = base_context(
        request,
        plan,
        "milestones",
        milestone=milestone,
        row=row,
        form=form,
        status_form=status_form,
        error_text=error_text,
        history=history,
    )
    return render_page(request, "planner/execution/milestone.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    if request.method == "GET":
        quarter = request.GET.get("quarter", "1")
        form = MilestoneForm(
            plan=plan, initial={"quarter": int(quarter) if quarter in "1234" else 1}
        )
        return _milestone_page(request, plan, None, form)
    form = MilestoneForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            found = services.milestone_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Milestone “%(title)s” added.") % {"title": found.title})
            return redirect(f"{reverse('planner:execution', args=[plan.pk])}#q{found.quarter}")
    return _milestone_page(request, plan, None, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, plan_id: int, milestone_id: int) -> HttpResponse:
    if request.method == "GET":
        found = _milestone(request, plan_id, milestone_id, Action.VIEW)
        form = MilestoneForm(instance=found, plan=found.plan, initial={"version": found.version})
        return _milestone_page(request, found.plan, found, form)
    found = _milestone(request, plan_id, milestone_id, Action.EDIT)
    plan = found.plan
    form = MilestoneForm(request.POST, instance=found, plan=plan)
    actor = actor_of(request)
    return save_or_delete(
        request,
        found=found,
        form=form,
        fresh_form=lambda: MilestoneForm(
            instance=found, plan=plan, initial={"version": found.version}
        ),
        render=lambda f, **kw: _milestone_page(request, plan, found, f, **kw),
        update=lambda v, changes: services.milestone_update(
            milestone=found, expected_version=v, changes=changes, actor=actor
        ),
        delete=lambda v: services.milestone_delete(
            milestone=found, expected_version=v, actor=actor
        ),
        saved=_("Milestone saved."),
        removed=_("Milestone removed."),
        after_save=lambda: redirect(
            "planner:milestone-edit", plan_id=plan.pk, milestone_id=found.pk
        ),
        after_delete=lambda: redirect("planner:execution", plan_id=plan.pk),
    )


@login_required
@require_POST
def milestone_status(request: HttpRequest, plan_id: int, milestone_id: int) -> HttpResponse:
    """Running the plan: record progress by hand, or override the derived status."""
    found = _milestone(request, plan_id, milestone_id, Action.EDIT)
    plan = found.plan
    status_form = MilestoneStatusForm(request.POST)
    form = MilestoneForm(instance=found, plan=plan, initial={"version": found.version})
    try:
        if not status_form.is_valid():
            raise InvalidInput(_("Check the fields."))
        data = status_form.cleaned_data
        if data["action"] == "progress":
            services.milestone_set_progress(
                milestone=found,
                expected_version=data["version"],
                entered_progress=status_form.fraction(),
                actor=actor_of(request),
            )
            messages.success(request, _("Progress recorded."))
        else:
            services.milestone_override(
                milestone=found,
                expected_version=data["version"],
                status=data["status"],
                reason=data["reason"],
                actor=actor_of(request),
            )
            messages.success(request, _("Status saved."))
    except StaleVersion:
        found.refresh_from_db()
        form = MilestoneForm(instance=found, plan=plan, initial={"version": found.version})
        return _milestone_page(request, plan, found, form, error_text=str(STALE), status=409)
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(status_form, error, {"entered_progress": "progress"})
        return _milestone_page(request, plan, found, form, status_form=status_form, status=400)
    return redirect("planner:milestone-edit", plan_id=plan.pk, milestone_id=found.pk)


# --- risks -----------------------------------------------------------------------------------


@login_required
@require_GET
def risks(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    filters = RiskFilterForm(request.GET)
    found = queries.risks(plan)
    chosen: dict[str, Any] = {}
    if filters.is_valid():
        for name in ("impact", "likelihood"):
            if filters.cleaned_data.get(name):
                chosen[name] = filters.cleaned_data[name]
        if filters.cleaned_data.get("status") in RiskStatus.values:
            chosen["status"] = filters.cleaned_data["status"]
    if chosen:
        found = found.filter(**chosen)
    items = list(found)
    context = base_context(
        request,
        plan,
        "risks",
        risks=[(r, queries.band(r.impact, r.likelihood)) for r in items],
        heat=queries.heat_map(plan),
        chosen=chosen,
        levels=queries.LEVELS,
    )
    return render_page(request, "planner/execution/risks.html", context)


def _risk(request: HttpRequest, plan_id: int, risk_id: int, action: Action) -> Risk:
    return object_for_user(
        Risk.objects.select_related("plan__workspace"),
        request.user,
        action,
        pk=risk_id,
        plan_id=plan_id,
    )


def _risk_page(
    request: HttpRequest,
    plan: Plan,
    risk: Risk | None,
    form: RiskForm,
    *,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    context = base_context(
        request,
        plan,
        "risks",
        risk=risk,
        form=form,
        error_text=error_text,
        categories=RiskCategory.choices,
    )
    return render_page(request, "planner/execution/risk.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    if request.method == "GET":
        initial = {"impact": 3, "likelihood": 3, "status": RiskStatus.OPEN}
        return _risk_page(request, plan, None, RiskForm(plan=plan, initial=initial))
    form = RiskForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.risk_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Risk added to the register."))
            return redirect("planner:execution-risks", plan_id=plan.pk)
    return _risk_page(request, plan, None, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, plan_id: int, risk_id: int) -> HttpResponse:
    if request.method == "GET":
        found = _risk(request, plan_id, risk_id, Action.VIEW)
        return _risk_page(request, found.plan, found, RiskForm(instance=found, plan=found.plan))
    found = _risk(request, plan_id, risk_id, Action.EDIT)
    plan = found.plan
    form = RiskForm(request.POST, instance=found, plan=plan)
    actor = actor_of(request)
    return save_or_delete(
        request,
        found=found,
        form=form,
        fresh_form=lambda: RiskForm(instance=found, plan=plan),
        render=lambda f, **kw: _risk_page(request, plan, found, f, **kw),
        update=lambda v, changes: services.risk_update(
            risk=found, expected_version=v, changes=changes, actor=actor
        ),
        delete=lambda v: services.risk_delete(risk=found, expected_version=v, actor=actor),
        saved=_("Risk saved."),
        removed=_("Risk removed from the register."),
        after_save=lambda: redirect("planner:execution-risks", plan_id=plan.pk),
        after_delete=lambda: redirect("planner:execution-risks", plan_id=plan.pk),
    )


# --- playbooks -------------------------------------------------------------------------------


@login_required
@require_GET
def playbooks(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    context = base_context(request, plan, "playbooks", playbooks=list(queries.playbooks(plan)))
    return render_page(request, "planner/execution/playbooks.html", context)


def _playbook(request: HttpRequest, plan_id: int, playbook_id: int, action: Action) -> Playbook:
    return object_for_user(
        Playbook.objects.select_related("plan__workspace"),
        request.user,
        action,
        pk=playbook_id,
        plan_id=plan_id,
    )


def _playbook_page(
    request: HttpRequest,
    plan: Plan,
    playbook: Playbook | None,
    *,
    form: PlaybookForm | None = None,
    drill_form: DrillForm | None = None,
    editing: bool = False,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    if playbook is not None:
        playbook = queries.playbooks(plan).get(pk=playbook.pk)
    context = base_context(
        request,
        plan,
        "playbooks",
        playbook=playbook,
        form=form,
        drill_form=drill_form or DrillForm(),
        editing=editing or playbook is None,
        error_text=error_text,
    )
    return render_page(request, "planner/execution/playbook.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def playbook_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    if request.method == "GET":
        return _playbook_page(request, plan, None, form=PlaybookForm(plan=plan))
    form = PlaybookForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            found = services.playbook_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Playbook “%(title)s” added.") % {"title": found.title})
            return redirect("planner:playbook", plan_id=plan.pk, playbook_id=found.pk)
    return _playbook_page(request, plan, None, form=form, status=400)


@login_required
@require_GET
def playbook(request: HttpRequest, plan_id: int, playbook_id: int) -> HttpResponse:
    found = _playbook(request, plan_id, playbook_id, Action.VIEW)
    return _playbook_page(request, found.plan, found)


@login_required
@require_http_methods(["GET", "POST"])
def playbook_edit(request: HttpRequest, plan_id: int, playbook_id: int) -> HttpResponse:
    if request.method == "GET":
        found = _playbook(request, plan_id, playbook_id, Action.EDIT)
        return _playbook_page(
            request,
            found.plan,
            found,
            form=PlaybookForm(instance=found, plan=found.plan),
            editing=True,
        )
    found = _playbook(request, plan_id, playbook_id, Action.EDIT)
    plan = found.plan
    form = PlaybookForm(request.POST, instance=found, plan=plan)
    try:
        if request.POST.get("delete"):
            services.playbook_delete(
                playbook=found, expected_version=posted_version(request), actor=actor_of(request)
            )
            messages.success(request, _("Playbook removed."))
            return redirect("planner:execution-playbooks", plan_id=plan.pk)
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        services.playbook_update(
            playbook=found,
            expected_version=posted_version(request),
            changes=form.changes(),
            actor=actor_of(request),
        )
    except StaleVersion:
        found.refresh_from_db()
        return _playbook_page(
            request,
            plan,
            found,
            form=PlaybookForm(instance=found, plan=found.plan),
            editing=True,
            error_text=str(STALE),
            status=409,
        )
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return _playbook_page(request, plan, found, form=form, editing=True, status=400)
    messages.success(request, _("Playbook saved."))
    return redirect("planner:playbook", plan_id=plan.pk, playbook_id=found.pk)


@login_required
@require_POST
def drill_add(request: HttpRequest, plan_id: int, playbook_id: int) -> HttpResponse:
    found = _playbook(request, plan_id, playbook_id, Action.EDIT)
    form = DrillForm(request.POST)
    if form.is_valid():
        try:
            services.drill_add(playbook=found, actor=actor_of(request), **form.cleaned_data)
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Drill logged."))
            return redirect(f"{reverse('planner:playbook', args=[found.plan_id, found.pk])}#drills")
    return _playbook_page(request, found.plan, found, drill_form=form, status=400)


# --- alerts ----------------------------------------------------------------------------------


@login_required
@require_POST
def step_ack(request: HttpRequest, plan_id: int, alert_id: int, step_id: int) -> HttpResponse:
    """Acknowledge one escalation step of the playbook an alert triggers (alert inbox)."""
    from monitoring.models import Alert

    alert = object_for_user(
        Alert.objects.select_related("plan__workspace", "rule"),
        request.user,
        Action.EDIT,
        pk=alert_id,
        plan_id=plan_id,
    )
    step = object_for_user(
        EscalationStep.objects.select_related("playbook"),
        request.user,
        Action.EDIT,
        pk=step_id,
        playbook__plan_id=plan_id,
    )
    back = reverse("monitoring:alerts", args=[plan_id])
    try:
        services.step_acknowledge(alert=alert, step=step, actor=actor_of(request))
    except DomainError as error:
        raise_if_forbidden(error)
        messages.error(request, error.describe())
        return redirect(f"{back}#alert-{alert.pk}")
    messages.success(
        request, _("Step %(n)s acknowledged: %(role)s.") % {"n": step.order, "role": step.role}
    )
    return redirect(f"{back}#alert-{alert.pk}")
