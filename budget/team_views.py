"""Pages of cross-department collaboration (the "Departments and RACI" tab of the
resource-coordination section): the RACI matrix with in-place row edits, the
departments, communication rules, the conflict path and log, the quarterly
collaboration scores, and each department's review.

Views stay thin: parse a form, call budget/team_services.py, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget import team_charts as charts
from budget import team_queries as queries
from budget import team_services as services
from budget.collaboration import CRITERIA
from budget.models.teams import (
    ArbitrationStep,
    CollaborationScore,
    CommunicationRule,
    Conflict,
    CoordinatorGroup,
    Department,
    RaciRole,
    RuleKind,
    Workstream,
)
from budget.pages import base_context
from budget.team_forms import (
    ConflictActionForm,
    ConflictEditForm,
    ConflictForm,
    DepartmentForm,
    GroupForm,
    RuleForm,
    ScoreForm,
    StepForm,
    WorkstreamForm,
)
from core.auth import actor_of
from core.errors import DomainError, InvalidInput, NotAllowed, StaleVersion
from core.forms import attach_error, posted_version
from core.htmx import is_htmx, refresh_or_redirect, render_page
from planner.access import Action, object_for_user, plan_for_user
from planner.models import Plan

TAB = "collaboration"
PAGE = "budget/teams/collaboration.html"
EDIT_PAGE = "budget/teams/edit.html"


def _refuse(error: DomainError) -> None:
    if isinstance(error, NotAllowed):
        raise error


def _home(plan: Plan, anchor: str = "") -> str:
    url = reverse("budget:collaboration", args=[plan.pk])
    return f"{url}#{anchor}" if anchor else url


def _page(request: HttpRequest, plan: Plan, status: int = 200, **forms: Any) -> HttpResponse:
    """The collaboration page; ``forms`` replaces a blank form by a bound one with errors."""
    path = queries.conflict_path(plan)
    group = path.group
    rules = queries.rules(plan)
    context = base_context(
        request,
        plan,
        TAB,
        matrix=queries.matrix(plan),
        rules=rules,
        rule_count=sum(len(group) for group in rules.values()),
        rule_kinds=RuleKind.choices,
        path=path,
        scores=queries.score_table(plan),
        roles=RaciRole.choices,
        department_form=forms.get("department_form")
        or DepartmentForm(plan=plan, auto_id="dept_%s", initial={"sort_order": 0}),
        workstream_form=forms.get("workstream_form")
        or WorkstreamForm(plan=plan, auto_id="ws_%s", initial={"sort_order": 0}),
        rule_form=forms.get("rule_form") or RuleForm(plan=plan, auto_id="rule_%s"),
        group_form=forms.get("group_form")
        or GroupForm(
            plan=plan,
            instance=group,
            auto_id="group_%s",
            initial={"version": group.version if group else 0},
        ),
        step_form=forms.get("step_form")
        or StepForm(
            auto_id="step_%s",
            initial={"level": (path.steps[-1].level + 1) if path.steps else 1, "sla_hours": 48},
        ),
        conflict_form=forms.get("conflict_form") or ConflictForm(plan=plan, auto_id="conf_%s"),
        open_form=forms.get("open_form", ""),
        error_text=forms.get("error_text", ""),
    )
    return render_page(request, PAGE, context, status=status)


@login_required
@require_GET
def collaboration(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _page(request, plan_for_user(request.user, plan_id))


def _create(
    request: HttpRequest,
    plan: Plan,
    form: Any,
    form_key: str,
    save: Any,
    done: str,
    anchor: str,
) -> HttpResponse:
    """A "new …" form posted from the collaboration page."""
    if form.is_valid():
        try:
            save(form)
        except DomainError as error:
            _refuse(error)
            attach_error(form, error)
        else:
            messages.success(request, done)
            return redirect(_home(plan, anchor))
    return _page(request, plan, status=400, open_form=form_key, **{form_key: form})


# --- an edit page shared by departments, rules and steps -------------------------------------


def _edit_page(
    request: HttpRequest,
    plan: Plan,
    *,
    title: str,
    form: Any,
    action: str,
    can_delete: bool,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    context = base_context(
        request,
        plan,
        TAB,
        title=title,
        form=form,
        action=action,
        can_delete=can_delete,
        error_text=error_text,
        back=_home(plan),
    )
    return render_page(request, EDIT_PAGE, context, status=status)


def _edit(
    request: HttpRequest,
    plan: Plan,
    obj: Model,
    *,
    title: str,
    make_form: Any,
    update: Any,
    delete: Any | None,
    done: str,
    removed: str,
    anchor: str,
) -> HttpResponse:
    """GET: the form. POST: save (or delete with ``delete``), stale → current values.

    ``delete`` None: the object cannot be removed here."""
    action = request.path
    can_delete = delete is not None
    if request.method == "GET":
        form = make_form(instance=obj, initial={"version": obj.version})  # type: ignore[attr-defined]
        return _edit_page(
            request, plan, title=title, form=form, action=action, can_delete=can_delete
        )
    version = posted_version(request)
    form = make_form(data=request.POST, instance=obj)
    try:
        if request.POST.get("delete") and delete is not None:
            delete(expected_version=version)
            messages.success(request, removed)
            return redirect(_home(plan, anchor))
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        update(expected_version=version, changes=form.changes())
    except StaleVersion:
        obj.refresh_from_db()
        return _edit_page(
            request,
            plan,
            title=title,
            form=make_form(instance=obj, initial={"version": obj.version}),  # type: ignore[attr-defined]
            action=action,
            can_delete=can_delete,
            error_text=_("Someone changed this in the meantime; here it is as saved now."),
            status=409,
        )
    except DomainError as error:
        _refuse(error)
        attach_error(form, error)
        return _edit_page(
            request, plan, title=title, form=form, action=action, can_delete=can_delete, status=400
        )
    messages.success(request, done)
    return redirect(_home(plan, anchor))


# --- departments -----------------------------------------------------------------------------


def _department(request: HttpRequest, plan: Plan, department_id: int, action: Action) -> Department:
    return object_for_user(
        Department.objects.select_related("workspace", "lead"),
        request.user,
        action,
        pk=department_id,
        workspace_id=plan.workspace_id,
    )


@login_required
@require_POST
def department_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = DepartmentForm(request.POST, plan=plan, auto_id="dept_%s")
    return _create(
        request,
        plan,
        form,
        "department_form",
        lambda f: services.department_create(
            workspace=plan.workspace, actor=actor_of(request), **f.changes()
        ),
        _("Department added."),
        "departments",
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request: HttpRequest, plan_id: int, department_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    department = _department(request, plan, department_id, Action.EDIT)
    actor = actor_of(request)
    return _edit(
        request,
        plan,
        department,
        title=_("Department “%(name)s”") % {"name": department.name},
        make_form=lambda **kw: DepartmentForm(plan=plan, auto_id="dept_%s", **kw),
        update=lambda **kw: services.department_update(department=department, actor=actor, **kw),
        delete=lambda **kw: services.department_delete(department=department, actor=actor, **kw),
        done=_("Department saved."),
        removed=_("Department removed."),
        anchor="departments",
    )


@login_required
@require_GET
def department_review(request: HttpRequest, plan_id: int, department_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    department = _department(request, plan, department_id, Action.VIEW)
    review = queries.review(plan, department)
    context = base_context(
        request,
        plan,
        TAB,
        review=review,
        department=department,
        trend=charts.score_trend(review.scores) if review.scores else None,
        criteria=[name for name, _weight in CRITERIA],
        quarters=queries.QUARTERS,
        scored={s.quarter for s in review.scores},
    )
    return render_page(request, "budget/teams/department.html", context)


# --- workstreams: the rows of the RACI matrix ------------------------------------------------


@login_required
@require_POST
def workstream_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = WorkstreamForm(request.POST, plan=plan, auto_id="ws_%s")
    return _create(
        request,
        plan,
        form,
        "workstream_form",
        lambda f: services.workstream_create(
            plan=plan, actor=actor_of(request), cells=f.cells(), **f.changes()
        ),
        _("Workstream added to the RACI matrix."),
        "raci",
    )


def _row(
    request: HttpRequest,
    plan: Plan,
    stream: Workstream,
    *,
    form: WorkstreamForm | None = None,
    editing: bool = False,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    columns = list(queries.departments(plan))
    fresh = queries.workstreams(plan).get(pk=stream.pk)
    if editing and form is None:
        form = WorkstreamForm(
            plan=plan,
            instance=fresh,
            auto_id=f"ws{fresh.pk}_%s",
            initial={"version": fresh.version},
            cells={c.department_id: c.role for c in fresh.cells.all()},
        )
    context = base_context(
        request,
        plan,
        TAB,
        row=queries.matrix_row(fresh, columns),
        columns=columns,
        form=form,
        editing=editing,
        error_text=error_text,
        roles=RaciRole.choices,
    )
    # htmx swaps only 2xx answers: the row with its message comes back as 200 in place.
    status = 200 if is_htmx(request) else status
    return render_page(request, "budget/teams/row.html", context, partial="row", status=status)


@login_required
@require_http_methods(["GET", "POST"])
def workstream_row(request: HttpRequest, plan_id: int, workstream_id: int) -> HttpResponse:
    """One row of the matrix: shown (GET), its editor (GET ?edit=1), saved or removed (POST)."""
    action = Action.EDIT if request.method == "POST" or request.GET.get("edit") else Action.VIEW
    stream: Workstream = object_for_user(
        Workstream.objects.select_related("plan__workspace"),
        request.user,
        action,
        pk=workstream_id,
        plan_id=plan_id,
    )
    plan = stream.plan
    if request.method == "GET":
        return _row(request, plan, stream, editing=bool(request.GET.get("edit")))
    version = posted_version(request)
    form = WorkstreamForm(request.POST, plan=plan, instance=stream, auto_id=f"ws{stream.pk}_%s")
    actor = actor_of(request)
    try:
        if request.POST.get("delete"):
            services.workstream_delete(workstream=stream, expected_version=version, actor=actor)
            messages.success(request, _("Workstream removed from the RACI matrix."))
            return refresh_or_redirect(request, _home(plan, "raci"))
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        services.workstream_update(
            workstream=stream,
            expected_version=version,
            changes={**form.changes(), "cells": form.cells()},
            actor=actor,
        )
    except StaleVersion:
        return _row(
            request,
            plan,
            stream,
            editing=True,
            error_text=_(
                "Someone changed this workstream in the meantime; here it is as saved now."
            ),
            status=409,
        )
    except DomainError as error:
        _refuse(error)
        attach_error(form, error)
        return _row(request, plan, stream, form=form, editing=True, status=400)
    if is_htmx(request):
        return _row(request, plan, stream)
    messages.success(request, _("Workstream saved."))
    return redirect(_home(plan, "raci"))


# --- communication rules ---------------------------------------------------------------------


@login_required
@require_POST
def rule_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = RuleForm(request.POST, plan=plan, auto_id="rule_%s")
    return _create(
        request,
        plan,
        form,
        "rule_form",
        lambda f: services.rule_create(plan=plan, actor=actor_of(request), **f.changes()),
        _("Communication rule added."),
        "communication",
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, plan_id: int, rule_id: int) -> HttpResponse:
    rule: CommunicationRule = object_for_user(
        CommunicationRule.objects.select_related("plan__workspace"),
        request.user,
        Action.EDIT,
        pk=rule_id,
        plan_id=plan_id,
    )
    plan, actor = rule.plan, actor_of(request)
    return _edit(
        request,
        plan,
        rule,
        title=_("Communication rule “%(name)s”") % {"name": rule.name},
        make_form=lambda **kw: RuleForm(plan=plan, auto_id="rule_%s", **kw),
        update=lambda **kw: services.rule_update(rule=rule, actor=actor, **kw),
        delete=lambda **kw: services.rule_delete(rule=rule, actor=actor, **kw),
        done=_("Communication rule saved."),
        removed=_("Communication rule removed."),
        anchor="communication",
    )


# --- the coordinator group and the arbitration steps -----------------------------------------


@login_required
@require_POST
def group_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    group = CoordinatorGroup.objects.filter(plan=plan).first()
    form = GroupForm(request.POST, plan=plan, instance=group, auto_id="group_%s")
    if form.is_valid():
        try:
            services.group_save(
                plan=plan,
                expected_version=form.cleaned_data.get("version") or 0,
                changes=form.changes(),
                actor=actor_of(request),
            )
        except StaleVersion:
            return _page(
                request,
                plan,
                status=409,
                open_form="group_form",
                error_text=_(
                    "Someone changed the coordinator group in the meantime; "
                    "here it is as saved now."
                ),
            )
        except DomainError as error:
            _refuse(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Coordinator group saved."))
            return redirect(_home(plan, "conflicts"))
    return _page(request, plan, status=400, open_form="group_form", group_form=form)


@login_required
@require_POST
def step_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = StepForm(request.POST, auto_id="step_%s")
    return _create(
        request,
        plan,
        form,
        "step_form",
        lambda f: services.step_create(plan=plan, actor=actor_of(request), **f.changes()),
        _("Arbitration step added."),
        "conflicts",
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request: HttpRequest, plan_id: int, step_id: int) -> HttpResponse:
    step: ArbitrationStep = object_for_user(
        ArbitrationStep.objects.select_related("plan__workspace"),
        request.user,
        Action.EDIT,
        pk=step_id,
        plan_id=plan_id,
    )
    plan, actor = step.plan, actor_of(request)
    return _edit(
        request,
        plan,
        step,
        title=_("Arbitration step %(level)s") % {"level": step.level},
        make_form=lambda **kw: StepForm(auto_id="step_%s", **kw),
        update=lambda **kw: services.step_update(step=step, actor=actor, **kw),
        delete=lambda **kw: services.step_delete(step=step, actor=actor, **kw),
        done=_("Arbitration step saved."),
        removed=_("Arbitration step removed."),
        anchor="conflicts",
    )


# --- conflicts --------------------------------------------------------------------------------


@login_required
@require_POST
def conflict_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = ConflictForm(request.POST, plan=plan, auto_id="conf_%s")
    return _create(
        request,
        plan,
        form,
        "conflict_form",
        lambda f: services.conflict_create(
            plan=plan,
            actor=actor_of(request),
            raised_at=f.cleaned_data.get("raised_at"),
            **f.changes(),
        ),
        _("Conflict logged at the first step of the arbitration path."),
        "conflicts",
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflict_edit(request: HttpRequest, plan_id: int, conflict_id: int) -> HttpResponse:
    """Correct what a logged conflict is about (its path moves by escalate and resolve)."""
    found: Conflict = object_for_user(
        Conflict.objects.select_related("plan__workspace"),
        request.user,
        Action.EDIT,
        pk=conflict_id,
        plan_id=plan_id,
    )
    plan, actor = found.plan, actor_of(request)
    return _edit(
        request,
        plan,
        found,
        title=_("Conflict “%(title)s”") % {"title": found.title},
        make_form=lambda **kw: ConflictEditForm(plan=plan, auto_id="conf_%s", **kw),
        update=lambda **kw: services.conflict_update(conflict=found, actor=actor, **kw),
        delete=None,
        done=_("Conflict saved."),
        removed="",
        anchor=f"conflict-{found.pk}",
    )


@login_required
@require_POST
def conflict_action(request: HttpRequest, plan_id: int, conflict_id: int) -> HttpResponse:
    """Escalate an open conflict to the next step, or resolve it with an outcome."""
    conflict: Conflict = object_for_user(
        Conflict.objects.select_related("plan__workspace"),
        request.user,
        Action.EDIT,
        pk=conflict_id,
        plan_id=plan_id,
    )
    plan = conflict.plan
    form = ConflictActionForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Choose to escalate or to resolve."))
        version, actor = form.cleaned_data["version"], actor_of(request)
        if form.cleaned_data["action"] == "escalate":
            services.conflict_escalate(conflict=conflict, expected_version=version, actor=actor)
            messages.success(request, _("Conflict escalated to the next step."))
        else:
            services.conflict_resolve(
                conflict=conflict,
                expected_version=version,
                outcome=form.cleaned_data["outcome"],
                actor=actor,
            )
            messages.success(request, _("Conflict resolved."))
    except StaleVersion:
        messages.error(
            request,
            _("Someone changed “%(title)s” in the meantime; check where it stands now.")
            % {"title": conflict.title},
        )
    except DomainError as error:
        _refuse(error)
        messages.error(request, f"{conflict.title}: {error.describe()}")
    return redirect(_home(plan, f"conflict-{conflict.pk}"))


# --- collaboration scores (managers) ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def score_edit(
    request: HttpRequest, plan_id: int, department_id: int, quarter: int
) -> HttpResponse:
    """A department's score of one quarter: the form (GET), given or changed (POST)."""
    plan = plan_for_user(request.user, plan_id, Action.APPROVE)
    department = _department(request, plan, department_id, Action.VIEW)
    if quarter not in queries.QUARTERS:
        raise Http404(_("Not found."))
    score = CollaborationScore.objects.filter(
        plan=plan, department=department, quarter=quarter
    ).first()
    title = _("Collaboration score of %(department)s, Q%(quarter)s") % {
        "department": department.name,
        "quarter": quarter,
    }
    back = reverse("budget:department", args=[plan.pk, department.pk])

    def page(form: ScoreForm, error_text: str = "", status: int = 200) -> HttpResponse:
        context = base_context(
            request,
            plan,
            TAB,
            title=title,
            form=form,
            action=request.path,
            can_delete=score is not None,
            error_text=error_text,
            back=back,
            weights=CRITERIA,
        )
        return render_page(request, EDIT_PAGE, context, status=status)

    if request.method == "GET":
        return page(
            ScoreForm(
                instance=score,
                auto_id="score_%s",
                initial={"version": score.version}
                if score
                else {"version": 0, **dict.fromkeys(services.SCORE_RATINGS, 3)},
            )
        )
    form = ScoreForm(request.POST, instance=score, auto_id="score_%s")
    version, actor = posted_version(request), actor_of(request)
    try:
        if request.POST.get("delete") and score is not None:
            services.score_delete(score=score, expected_version=version, actor=actor)
            messages.success(request, _("Score removed."))
            return redirect(back)
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        if score is None:
            services.score_create(
                plan=plan, department=department, quarter=quarter, actor=actor, **form.changes()
            )
        else:
            services.score_update(
                score=score, expected_version=version, changes=form.changes(), actor=actor
            )
    except StaleVersion:
        score = CollaborationScore.objects.filter(pk=score.pk).first() if score else None
        return page(
            ScoreForm(
                instance=score,
                auto_id="score_%s",
                initial={"version": score.version if score else 0},
            ),
            _("Someone changed this score in the meantime; here it is as saved now."),
            409,
        )
    except DomainError as error:
        _refuse(error)
        attach_error(form, error)
        return page(form, status=400)
    messages.success(request, _("Score saved."))
    return redirect(back)
