"""Pages for workspaces, members and plans. Thin: parse → access/service → render."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.auth import actor_of
from core.errors import DomainError, InvalidInput, NotAllowed, StaleVersion
from core.forms import attach_error, conflict_rows
from core.htmx import is_htmx, render_page
from planner import charts, queries, services
from planner.access import (
    Action,
    can,
    object_for_user,
    plan_for_user,
    role_in,
    workspace_for_user,
)
from planner.forms import (
    MemberAddForm,
    MemberRoleForm,
    PlanCreateForm,
    PlanFieldsForm,
    TransitionForm,
    WorkspaceForm,
)
from planner.models import Membership, Plan, PlanTransition, Role
from planner.sections import SECTIONS
from planner.versions import queries as version_queries


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database check for load balancers and compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    workspaces = list(queries.workspaces_with_plans(request.user))
    return render_page(
        request,
        "planner/home.html",
        {"workspaces": workspaces, "workspace_form": WorkspaceForm()},
    )


@login_required
@require_POST
def workspace_create(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST)
    if form.is_valid():
        try:
            workspace = services.workspace_create(
                name=form.cleaned_data["name"], actor=actor_of(request)
            )
        except InvalidInput as error:
            attach_error(form, error)
        else:
            return redirect("planner:workspace", slug=workspace.slug)
    workspaces = list(queries.workspaces_with_plans(request.user))
    return render_page(
        request,
        "planner/home.html",
        {"workspaces": workspaces, "workspace_form": form},
        status=400,
    )


def _workspace_context(request: HttpRequest, slug: str, **extra: Any) -> dict[str, Any]:
    workspace = workspace_for_user(request.user, slug)
    role = role_in(request.user, workspace.pk)
    return {
        "workspace": workspace,
        "role": role,
        "role_label": Role(role).label if role else "",
        "plans": workspace.plans.order_by("-year", "name"),
        "members": queries.workspace_members(workspace),
        "can_edit": can(request.user, workspace.pk, Action.EDIT),
        "roles": Role.choices,
        "is_admin": can(request.user, workspace.pk, Action.ADMIN),
        "plan_form": PlanCreateForm(),
        "member_form": MemberAddForm(),
        **extra,
    }


@login_required
@require_GET
def workspace_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_page(request, "planner/workspace.html", _workspace_context(request, slug))


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_for_user(request.user, slug, Action.EDIT)
    form = PlanCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                workspace=workspace, actor=actor_of(request), **form.cleaned_data
            )
        except InvalidInput as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Plan created from the standard template."))
            return redirect("planner:plan", plan_id=plan.pk)
    return render_page(
        request,
        "planner/plan_create.html",
        {"workspace": workspace, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_for_user(request.user, slug, Action.ADMIN)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            services.membership_add(
                workspace=workspace, actor=actor_of(request), **form.cleaned_data
            )
        except InvalidInput as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Member added."))
            return redirect("planner:workspace", slug=slug)
    context = _workspace_context(request, slug, member_form=form)
    return render_page(request, "planner/workspace.html", context, status=400)


@login_required
@require_POST
def member_change(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    workspace = workspace_for_user(request.user, slug, Action.ADMIN)
    membership = object_for_user(
        Membership.objects.select_related("user"),
        request.user,
        Action.ADMIN,
        pk=membership_id,
        workspace=workspace,
    )
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The change could not be read; try again."))
        return redirect("planner:workspace", slug=slug)
    version = form.cleaned_data["version"]
    try:
        if form.cleaned_data["remove"]:
            services.membership_remove(
                membership=membership, expected_version=version, actor=actor_of(request)
            )
            messages.success(request, _("%(user)s removed.") % {"user": membership.user})
        else:
            services.membership_update(
                membership=membership,
                role=form.cleaned_data["role"],
                expected_version=version,
                actor=actor_of(request),
            )
            messages.success(request, _("Role of %(user)s changed.") % {"user": membership.user})
    except StaleVersion:
        messages.error(
            request, _("Someone changed this membership in the meantime; here is how it is now.")
        )
    except NotAllowed:
        raise
    except DomainError as error:
        messages.error(request, error.describe())
    return redirect("planner:workspace", slug=slug)


def _plan_context(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    role = role_in(request.user, plan.workspace_id)
    return {
        "plan": plan,
        "workspace": plan.workspace,
        "role": role,
        "sections": SECTIONS,
        "can_edit": can(request.user, plan.workspace_id, Action.EDIT) and plan.is_editable,
        "transitions": [
            (name, PlanTransition.Action(name).label)
            for name in services.transitions_available(plan, role)
        ],
    }


@login_required
@require_GET
def plan_overview(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    summary = queries.plan_summary(plan)
    context = {
        **_plan_context(request, plan),
        "nav": "overview",
        "recent_transitions": queries.recent_transitions(plan, limit=5),
        "channel_mix": charts.channel_mix(summary["channel_counts"]),
        "channel_counts": summary["channel_counts"],
        "since_baseline": version_queries.changes_since_baseline(plan),
        "scenarios": version_queries.related_scenarios(plan),
    }
    return render_page(request, "planner/plan_overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_fields(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's own fields: shown, edited in place (htmx) or on their own page.

    GET ?edit=0 returns the read-only card (htmx cancel); GET returns the form;
    POST saves with a version check. A stale save shows the current values and
    what the user typed, and overwrites nothing.
    """
    if request.method == "GET":
        plan = plan_for_user(request.user, plan_id)
        context = _plan_context(request, plan)
        if request.GET.get("edit") == "0" or not context["can_edit"]:
            return render_page(request, "planner/plan_fields.html", context, partial="plan-card")
        form = PlanFieldsForm(instance=plan, initial={"version": plan.version})
        return render_page(
            request, "planner/plan_fields.html", {**context, "form": form}, partial="plan-form"
        )

    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    # The form validates a copy: the page around it keeps showing the saved plan.
    form = PlanFieldsForm(request.POST, instance=copy.copy(plan))
    conflict: list[tuple[str, Any, Any]] = []
    status = 400
    if form.is_valid():
        changes = {name: form.cleaned_data[name] for name in PlanFieldsForm.Meta.fields}
        try:
            plan = services.plan_update(
                plan=plan,
                expected_version=form.cleaned_data["version"],
                changes=changes,
                actor=actor_of(request),
            )
        except StaleVersion as error:
            current = error.current or plan
            conflict = conflict_rows(form, changes, current)
            plan = current
            # An unbound form with the saved values; the conflict box lists the user's.
            form = PlanFieldsForm(instance=current, initial={"version": current.version})
            status = 409
        except DomainError as error:
            attach_error(form, error)
        else:
            if not is_htmx(request):
                messages.success(request, _("Plan saved."))
                return redirect("planner:plan", plan_id=plan.pk)
            context = _plan_context(request, plan)
            context["saved"] = True
            return render_page(request, "planner/plan_fields.html", context, partial="plan-card")
    context = {**_plan_context(request, plan), "form": form, "conflict": conflict}
    # htmx swaps only 2xx responses; the form with its errors is the content to show.
    return render_page(
        request,
        "planner/plan_fields.html",
        context,
        partial="plan-form",
        status=200 if is_htmx(request) else status,
    )


@login_required
@require_POST
def plan_transition(request: HttpRequest, plan_id: int) -> HttpResponse:
    # Every lifecycle move needs at least EDIT; the service checks the move's own rule.
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request could not be read; try again."))
        return redirect("planner:plan", plan_id=plan.pk)
    try:
        plan = services.plan_transition(
            plan=plan,
            action=form.cleaned_data["action"],
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
            actor=actor_of(request),
        )
    except StaleVersion:
        messages.error(request, _("The plan changed in the meantime; review it and try again."))
    except NotAllowed:
        raise
    except DomainError as error:
        messages.error(request, error.describe())
    else:
        messages.success(
            request,
            _("Plan is now “%(status)s”.") % {"status": plan.get_status_display()},
        )
    return redirect("planner:plan", plan_id=plan.pk)


@login_required
@require_GET
def plan_history(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    context = {
        **_plan_context(request, plan),
        "nav": "history",
        "entries": queries.plan_history(plan),
        "lifecycle": queries.recent_transitions(plan, limit=100),
    }
    return render_page(request, "planner/plan_history.html", context)
