"""Pages: the plan's versions, a readable diff of two versions, scenarios side by side.

Thin: parse → service/query → render. Access through ``planner.access``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.auth import actor_of
from core.errors import DomainError, NotAllowed
from core.htmx import render_page
from planner.access import Action, can, plan_for_user, role_in
from planner.models import Plan
from planner.sections import SECTIONS
from planner.versions import queries, services
from planner.versions.forms import ScenarioForm, SnapshotForm


def _context(request: HttpRequest, plan: Plan, **extra: Any) -> dict[str, Any]:
    return {
        "plan": plan,
        "workspace": plan.workspace,
        "role": role_in(request.user, plan.workspace_id),
        "sections": SECTIONS,
        "nav": "versions",
        "can_save": can(request.user, plan.workspace_id, Action.EDIT),
        **extra,
    }


@login_required
@require_GET
def versions(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    baseline = queries.baseline_of(plan)
    context = _context(
        request,
        plan,
        versions=list(queries.versions_of(plan)),
        baseline=baseline,
        scenarios=queries.related_scenarios(plan),
        snapshot_form=SnapshotForm(),
        scenario_form=ScenarioForm(),
    )
    return render_page(request, "planner/versions/list.html", context)


@login_required
@require_POST
def version_save(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = SnapshotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long."))
        return redirect("planner:versions", plan_id=plan.pk)
    note = form.cleaned_data["note"]
    version = services.snapshot_save(plan=plan, actor=actor_of(request), note=note)
    messages.success(request, _("Version %(number)s saved.") % {"number": version.number})
    return redirect("planner:versions", plan_id=plan.pk)


@login_required
@require_GET
def compare(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    try:
        old_ref = queries.parse_ref(request.GET.get("from"), field="from")
        new_ref = queries.parse_ref(request.GET.get("to") or queries.NOW, field="to")
    except ValueError:
        context = _context(request, plan, error=_("Choose two versions to compare."))
        return render_page(request, "planner/versions/compare.html", context, status=400)
    comparison = queries.compare(plan, old_ref, new_ref)
    context = _context(
        request,
        plan,
        comparison=comparison,
        versions=list(queries.versions_of(plan)),
    )
    return render_page(request, "planner/versions/compare.html", context)


@login_required
@require_POST
def scenario_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = ScenarioForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the scenario a name."))
        return redirect("planner:versions", plan_id=plan.pk)
    try:
        scenario = services.scenario_create(
            plan=plan, name=form.cleaned_data["name"], actor=actor_of(request)
        )
    except NotAllowed:
        raise
    except DomainError as error:
        messages.error(request, error.describe())
        return redirect("planner:versions", plan_id=plan.pk)
    messages.success(request, _("Scenario “%(name)s” created.") % {"name": scenario.name})
    return redirect("planner:plan", plan_id=scenario.pk)


@login_required
@require_GET
def scenario_compare(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    raw = request.GET.get("with", "")
    candidates = list(queries.workspace_plans(plan))
    if not raw.isdigit():
        error = _("Choose a plan to compare with.")
        context = _context(request, plan, error=error, candidates=candidates)
        return render_page(request, "planner/versions/scenarios.html", context, status=400)
    other = plan_for_user(request.user, int(raw))
    if other.workspace_id != plan.workspace_id:
        raise Http404(_("Not found."))
    context = _context(
        request,
        plan,
        other=other,
        groups=queries.scenario_comparison(plan, other),
        candidates=candidates,
    )
    return render_page(request, "planner/versions/scenarios.html", context)
