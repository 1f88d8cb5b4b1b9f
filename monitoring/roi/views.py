"""The ROI tab of the monitoring section: the agreed definition with its sign-offs, the
layered ROI (in-period and LTV-corrected), the sensitivity chart and scenarios with the
"what if" form, and the cohort table. Pages read stored results; the scenarios are
evaluations of the stored curves (no refit)."""

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
from core.errors import DomainError, InvalidInput, NotAllowed, StaleVersion
from core.forms import attach_error, posted_version
from core.htmx import is_htmx, refresh_or_redirect, render_page
from monitoring.pages import base_context, submit_versioned
from monitoring.roi import charts, queries, services
from monitoring.roi.forms import (
    WHAT_IF_PREFIX,
    CohortForm,
    DefinitionForm,
    MoveForm,
    SignoffForm,
    WhatIfForm,
)
from monitoring.roi.models import RoiCohort
from planner.access import Action, can, object_for_user, plan_for_user
from planner.models import Plan, PlanStatus

DEFAULT_MOVE_PERCENT = 10


def _move(request: HttpRequest, codes: list[tuple[str, str]]) -> tuple[MoveForm, Any]:
    """The what-if form and the move it asks for (None until it is filled in validly)."""
    if "move_from" in request.GET:
        form = MoveForm(request.GET, channels=codes, auto_id="mv_%s")
        if form.is_valid():
            d = form.cleaned_data
            return form, (d["move_from"], d["move_to"], float(d["percent"]) / 100)
        return form, None
    initial: dict[str, Any] = {"percent": DEFAULT_MOVE_PERCENT}
    if len(codes) >= 2:
        initial.update(move_from=codes[0][0], move_to=codes[1][0])
    return MoveForm(initial=initial, channels=codes, auto_id="mv_%s"), None


def _what_if(
    request: HttpRequest, codes: list[tuple[str, str]]
) -> tuple[WhatIfForm, dict[str, float] | None]:
    """The per-channel what-if form and its changes (None until filled in validly)."""
    if WhatIfForm.submitted(request.GET):
        form = WhatIfForm(request.GET, channels=codes, auto_id="wi_%s")
        if form.is_valid():
            return form, form.changes() or None
        return form, None
    return WhatIfForm(channels=codes, auto_id="wi_%s"), None


def _page(
    request: HttpRequest,
    plan: Plan,
    *,
    definition_form: DefinitionForm | None = None,
    cohort_form: CohortForm | None = None,
    status: int = 200,
) -> HttpResponse:
    found = queries.report(plan)
    definition = found.definition.definition
    stored = queries.curves(plan)
    codes = [(c.channel.code, c.channel.display_name) for c in stored]
    move_form, move = _move(request, codes)
    what_if_form, changes = _what_if(request, codes)
    scen = queries.scenarios(plan, move=move, changes=changes)
    cohorts = list(
        RoiCohort.objects.filter(plan=plan)
        .select_related("channel")
        .order_by("month", "channel__sort_order")
    )
    context = base_context(
        request,
        plan,
        "roi",
        report=found,
        revenue_note=queries.revenue_note(found.credited),
        view=found.definition,
        definition=definition,
        brand=found.layer("brand"),
        performance=found.layer("performance"),
        definition_form=definition_form
        or DefinitionForm(initial=DefinitionForm.initial_of(definition), auto_id="def_%s"),
        can_sign=can(request.user, plan.workspace_id, Action.APPROVE)
        and plan.status != PlanStatus.ARCHIVED,
        # the second sign-off must come from someone else: no button they cannot use
        signed_by_me=any(
            s.signed_by_id == request.user.pk for s in found.definition.signoffs.values()
        ),
        scenarios=scen,
        scenario_chart=charts.scenario_bars(scen, float(definition.roi_floor)),
        curve_chart=charts.response_curves(scen, plan.currency),
        move_form=move_form,
        what_if_form=what_if_form,
        # each of the two what-if forms keeps the other's scenario when it is submitted
        keep_for_move=[
            (k, v) for k, v in request.GET.items() if k.startswith(WHAT_IF_PREFIX) and v
        ],
        keep_for_what_if=[
            (k, request.GET[k])
            for k in ("move_from", "move_to", "percent")
            if "move_from" in request.GET and k in request.GET
        ],
        cohorts=cohorts,
        cohort_form=cohort_form or CohortForm(plan=plan, auto_id="coh_%s"),
    )
    return render_page(request, "monitoring/roi.html", context, status=status)


@login_required
@require_GET
def roi(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _page(request, plan_for_user(request.user, plan_id))


@login_required
@require_POST
def definition_save(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = DefinitionForm(request.POST, auto_id="def_%s")
    outcome = submit_versioned(
        request,
        form,
        lambda data: services.definition_update(
            plan=plan,
            expected_version=data["version"],
            changes=form.changes(),
            actor=actor_of(request),
        ),
        stale_message=_("Someone saved the definition in the meantime; here it is as saved now."),
    )
    if outcome == "stale":
        return _page(request, plan, status=409)
    if outcome == "saved":
        messages.success(
            request, _("Definition saved; finance and operations need to sign it again.")
        )
        return redirect(reverse("monitoring:roi", args=[plan.pk]) + "#definition")
    return _page(request, plan, definition_form=form, status=400)


@login_required
@require_POST
def sign_off(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.APPROVE)
    form = SignoffForm(request.POST)
    url = reverse("monitoring:roi", args=[plan.pk]) + "#definition"
    if not form.is_valid():
        messages.error(request, _("Choose finance or operations."))
        return redirect(url)
    try:
        services.sign_off(
            plan=plan,
            department=form.cleaned_data["department"],
            expected_version=form.cleaned_data["version"],
            actor=actor_of(request),
        )
    except StaleVersion:
        messages.error(
            request,
            _("The definition changed since you read it; review this version before signing."),
        )
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        messages.error(request, error.describe())
    else:
        messages.success(request, _("Signed."))
    return redirect(url)


@login_required
@require_POST
def cohort_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = CohortForm(request.POST, plan=plan, auto_id="coh_%s")
    if form.is_valid():
        try:
            services.cohort_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            attach_error(form, error)
        else:
            messages.success(request, _("Cohort added."))
            return redirect(reverse("monitoring:roi", args=[plan.pk]) + "#cohorts")
    return _page(request, plan, cohort_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_edit(request: HttpRequest, plan_id: int, cohort_id: int) -> HttpResponse:
    cohort: RoiCohort = object_for_user(
        RoiCohort.objects.select_related("plan__workspace", "channel"),
        request.user,
        Action.EDIT,
        pk=cohort_id,
        plan_id=plan_id,
    )
    plan = cohort.plan
    auto_id = f"coh{cohort.pk}_%s"

    def form_page(form: CohortForm, status: int = 200, error_text: str = "") -> HttpResponse:
        context = base_context(
            request, plan, "roi", form=form, cohort=cohort, error_text=error_text
        )
        return render_page(
            request,
            "monitoring/roi_cohort_form.html",
            context,
            partial="cohort-form",
            status=status,
        )

    if request.method == "GET":
        return form_page(
            CohortForm(initial=CohortForm.initial_of(cohort), plan=plan, auto_id=auto_id)
        )
    version = posted_version(request)
    form = CohortForm(request.POST, plan=plan, auto_id=auto_id)
    try:
        if request.POST.get("delete"):
            services.cohort_delete(cohort=cohort, expected_version=version, actor=actor_of(request))
            messages.success(request, _("Cohort removed."))
        elif form.is_valid():
            services.cohort_update(
                cohort=cohort,
                expected_version=version,
                changes=form.changes(),
                actor=actor_of(request),
            )
            messages.success(request, _("Cohort saved."))
        else:
            raise InvalidInput(_("Check the fields."))
    except StaleVersion:
        cohort.refresh_from_db()
        fresh = CohortForm(initial=CohortForm.initial_of(cohort), plan=plan, auto_id=auto_id)
        return form_page(
            fresh,
            status=200 if is_htmx(request) else 409,
            error_text=_("Someone changed this cohort in the meantime; here it is as saved now."),
        )
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        attach_error(form, error)
        return form_page(form, status=200 if is_htmx(request) else 400)
    return refresh_or_redirect(request, reverse("monitoring:roi", args=[plan.pk]) + "#cohorts")
