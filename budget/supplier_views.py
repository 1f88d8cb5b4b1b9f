"""Pages of the supplier area (the "Suppliers" tab of resource coordination): the supplier
list with tiers and flags, a supplier's scorecard (scores over time, reviews, clauses, flag
history, projects), the forms for suppliers, reviews, clauses and flags, the plan's
supplier policy, and the joint-innovation fund with its projects.

Views stay thin: parse → service or query → render. A stale save shows the row as saved
now (409) instead of overwriting it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget import supplier_charts as charts
from budget import supplier_queries as queries
from budget import supplier_services as services
from budget.models import (
    ClauseKind,
    InnovationProject,
    RiskClause,
    Supplier,
    SupplierFlag,
    SupplierReview,
)
from budget.pages import base_context
from budget.supplier_forms import (
    ClauseForm,
    FlagForm,
    FundForm,
    PolicyForm,
    ProjectForm,
    ReviewForm,
    SupplierFilterForm,
    SupplierForm,
)
from core.auth import actor_of
from core.errors import DomainError, InvalidInput, StaleVersion
from core.forms import attach_error, posted_version, raise_if_forbidden, save_or_delete
from core.htmx import render_page
from planner.access import Action, object_for_user, plan_for_user
from planner.models import Plan

TAB = "suppliers"


def _context(request: HttpRequest, plan: Plan, page: str, **extra: Any) -> dict[str, Any]:
    return base_context(request, plan, TAB, sup_page=page, **extra)


def _supplier(request: HttpRequest, plan: Plan, supplier_id: int, action: Action) -> Supplier:
    return object_for_user(
        Supplier.objects.select_related("workspace"),
        request.user,
        action,
        pk=supplier_id,
        workspace_id=plan.workspace_id,
    )


def _scorecard_url(plan: Plan, supplier_id: int) -> str:
    return reverse("budget:supplier", args=[plan.pk, supplier_id])


# --- the list ------------------------------------------------------------------------------------


def _list_page(
    request: HttpRequest, plan: Plan, form: SupplierForm | None = None, status: int = 200
) -> HttpResponse:
    filters = SupplierFilterForm(request.GET or None)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    rows = queries.supplier_list(
        plan,
        category=wanted.get("category", ""),
        tier=wanted.get("tier", ""),
        flagged=bool(wanted.get("flagged")),
    )
    everyone = queries.supplier_list(plan) if wanted else rows
    context = _context(
        request,
        plan,
        "list",
        rows=rows,
        filters=filters,
        tier_counts=queries.tier_counts(everyone),
        flagged_count=sum(1 for s in everyone if s.open_flag is not None),
        supplier_total=sum(1 for s in everyone if s.supplier.is_active),
        policy=services.policy_for(plan),
        form=form
        or SupplierForm(auto_id="sup_%s", initial={"is_active": True, "category": "creative"}),
        **queries.flagged_card_context(plan),
    )
    return render_page(request, "budget/suppliers/list.html", context, status=status)


@login_required
@require_GET
def suppliers(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _list_page(request, plan_for_user(request.user, plan_id))


@login_required
@require_POST
def supplier_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = SupplierForm(request.POST, auto_id="sup_%s")
    if form.is_valid():
        try:
            found = services.supplier_create(
                workspace=plan.workspace, actor=actor_of(request), **form.changes()
            )
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Supplier “%(name)s” added.") % {"name": found.name})
            return redirect(_scorecard_url(plan, found.pk))
    return _list_page(request, plan, form, status=400)


# --- the scorecard -------------------------------------------------------------------------------


def _scorecard_page(
    request: HttpRequest,
    plan: Plan,
    supplier: Supplier,
    *,
    review_form: ReviewForm | None = None,
    flag_form: FlagForm | None = None,
    flag_id: int | None = None,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    card = queries.scorecard(plan, supplier)
    free = [q for q in range(1, 5) if q not in card.taken_quarters]
    context = _context(
        request,
        plan,
        "scorecard",
        supplier=supplier,
        card=card,
        chart=charts.scores_over_time(card.history, card.policy.pass_mark),
        review_form=review_form
        or ReviewForm(
            plan=plan,
            auto_id="rev_%s",
            initial={"quarter": free[0] if free else 1, "reviewer": request.user.pk},
        ),
        flag_form=flag_form,
        flag_form_id=flag_id,
        clause_kinds=ClauseKind.choices,
        error_text=error_text,
    )
    return render_page(request, "budget/suppliers/scorecard.html", context, status=status)


@login_required
@require_GET
def supplier(request: HttpRequest, plan_id: int, supplier_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    return _scorecard_page(request, plan, _supplier(request, plan, supplier_id, Action.VIEW))


def _supplier_form_page(
    request: HttpRequest,
    plan: Plan,
    found: Supplier,
    form: SupplierForm,
    *,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _context(
        request, plan, "supplier-form", supplier=found, form=form, error_text=error_text
    )
    return render_page(request, "budget/suppliers/supplier_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def supplier_edit(request: HttpRequest, plan_id: int, supplier_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    found = _supplier(request, plan, supplier_id, Action.EDIT)
    if request.method == "GET":
        return _supplier_form_page(
            request,
            plan,
            found,
            SupplierForm(instance=found, auto_id="sup_%s", initial={"version": found.version}),
        )
    form = SupplierForm(request.POST, instance=found, auto_id="sup_%s")
    actor = actor_of(request)
    return save_or_delete(
        request,
        found=found,
        form=form,
        fresh_form=lambda: SupplierForm(
            instance=found, auto_id="sup_%s", initial={"version": found.version}
        ),
        render=lambda f, **kw: _supplier_form_page(request, plan, found, f, **kw),
        update=lambda v, changes: services.supplier_update(
            supplier=found, expected_version=v, changes=changes, actor=actor
        ),
        delete=lambda v: services.supplier_delete(supplier=found, expected_version=v, actor=actor),
        saved=_("Supplier saved."),
        removed=_("Supplier removed."),
        after_save=lambda: redirect(_scorecard_url(plan, found.pk)),
        after_delete=lambda: redirect("budget:suppliers", plan_id=plan.pk),
        stale_text=_("Someone changed this supplier in the meantime; here it is as saved now."),
    )


# --- reviews -------------------------------------------------------------------------------------


@login_required
@require_POST
def review_create(request: HttpRequest, plan_id: int, supplier_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    found = _supplier(request, plan, supplier_id, Action.EDIT)
    form = ReviewForm(request.POST, plan=plan, auto_id="rev_%s")
    if form.is_valid():
        try:
            review = services.review_create(
                supplier=found, plan=plan, actor=actor_of(request), **form.changes()
            )
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            if review.passed:
                messages.success(request, _("Review saved: passed."))
            else:
                messages.warning(request, _("Review saved: below the pass mark."))
            return redirect(_scorecard_url(plan, found.pk) + "#reviews")
    return _scorecard_page(request, plan, found, review_form=form, status=400)


def _review_page(
    request: HttpRequest,
    plan: Plan,
    review: SupplierReview,
    form: ReviewForm,
    *,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _context(
        request,
        plan,
        "review",
        review=review,
        supplier=review.supplier,
        form=form,
        policy=services.policy_for(plan),
        error_text=error_text,
    )
    return render_page(request, "budget/suppliers/review_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, plan_id: int, review_id: int) -> HttpResponse:
    review: SupplierReview = object_for_user(
        SupplierReview.objects.select_related("plan__workspace", "supplier"),
        request.user,
        Action.EDIT,
        pk=review_id,
        plan_id=plan_id,
    )
    plan = review.plan

    def fresh_form(r: SupplierReview) -> ReviewForm:
        return ReviewForm(instance=r, plan=plan, auto_id="rev_%s", initial={"version": r.version})

    if request.method == "GET":
        return _review_page(request, plan, review, fresh_form(review))
    version = posted_version(request)
    form = ReviewForm(request.POST, instance=review, plan=plan, auto_id="rev_%s")
    back = _scorecard_url(plan, review.supplier_id) + "#reviews"
    try:
        if request.POST.get("delete"):
            services.review_delete(review=review, expected_version=version, actor=actor_of(request))
            messages.success(request, _("Review removed; the supplier's flag was recomputed."))
            return redirect(back)
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        services.review_update(
            review=review, expected_version=version, changes=form.changes(), actor=actor_of(request)
        )
    except StaleVersion:
        review.refresh_from_db()
        return _review_page(
            request,
            plan,
            review,
            fresh_form(review),
            error_text=_("Someone changed this review in the meantime; here it is as saved now."),
            status=409,
        )
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return _review_page(request, plan, review, form, status=400)
    messages.success(request, _("Review saved; the supplier's flag was recomputed."))
    return redirect(back)


# --- flags ---------------------------------------------------------------------------------------


@login_required
@require_POST
def flag_edit(request: HttpRequest, plan_id: int, flag_id: int) -> HttpResponse:
    """A manager records the action chosen for a flag (``decide``) or resolves it."""
    flag: SupplierFlag = object_for_user(
        SupplierFlag.objects.select_related("plan__workspace", "supplier"),
        request.user,
        Action.APPROVE,
        pk=flag_id,
        plan_id=plan_id,
    )
    plan = flag.plan
    form = FlagForm(request.POST, auto_id=f"flag{flag.pk}_%s")
    try:
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        data = form.cleaned_data
        if request.POST.get("resolve"):
            services.flag_resolve(
                flag=flag,
                expected_version=data["version"],
                actor=actor_of(request),
                action=data["action"],
                action_note=data["action_note"],
                resolution=data["resolution"],
            )
            messages.success(request, _("Flag resolved."))
        else:
            services.flag_decide(
                flag=flag,
                expected_version=data["version"],
                changes={"action": data["action"], "action_note": data["action_note"]},
                actor=actor_of(request),
            )
            messages.success(request, _("Decision saved; the flag stays open until resolved."))
    except StaleVersion:
        return _scorecard_page(
            request,
            plan,
            flag.supplier,
            error_text=_("Someone changed this flag in the meantime; here it is as saved now."),
            status=409,
        )
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return _scorecard_page(
            request, plan, flag.supplier, flag_form=form, flag_id=flag.pk, status=400
        )
    return redirect(_scorecard_url(plan, flag.supplier_id) + "#flags")


# --- clauses -------------------------------------------------------------------------------------


def _clause_kind(raw: str | None) -> str:
    return raw if raw in ClauseKind.values else ClauseKind.PRICE_INDEX


def _clause_page(
    request: HttpRequest,
    plan: Plan,
    supplier: Supplier,
    form: ClauseForm,
    kind: str,
    *,
    clause: RiskClause | None = None,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _context(
        request,
        plan,
        "clause",
        supplier=supplier,
        clause=clause,
        form=form,
        kind=kind,
        kind_label=ClauseKind(kind).label,
        shown=services.CLAUSE_BY_KIND[kind],
        error_text=error_text,
    )
    return render_page(request, "budget/suppliers/clause_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def clause_create(request: HttpRequest, plan_id: int, supplier_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    found = _supplier(request, plan, supplier_id, Action.EDIT)
    source = request.POST if request.method == "POST" else request.GET
    kind = _clause_kind(source.get("kind"))
    if request.method == "GET":
        form = ClauseForm(supplier=found, auto_id="cl_%s", initial={"kind": kind})
        return _clause_page(request, plan, found, form, kind)
    form = ClauseForm(request.POST, supplier=found, auto_id="cl_%s")
    if form.is_valid():
        try:
            services.clause_create(supplier=found, actor=actor_of(request), **form.changes())
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Clause added to the contract."))
            return redirect(_scorecard_url(plan, found.pk) + "#clauses")
    return _clause_page(request, plan, found, form, kind, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def clause_edit(request: HttpRequest, plan_id: int, clause_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    clause: RiskClause = object_for_user(
        RiskClause.objects.select_related("supplier__workspace", "backup"),
        request.user,
        Action.EDIT,
        pk=clause_id,
        supplier__workspace_id=plan.workspace_id,
    )
    found = clause.supplier

    def fresh_form() -> ClauseForm:
        return ClauseForm(
            instance=clause, supplier=found, auto_id="cl_%s", initial={"version": clause.version}
        )

    if request.method == "GET":
        return _clause_page(request, plan, found, fresh_form(), clause.kind, clause=clause)
    version = posted_version(request)
    form = ClauseForm(request.POST, instance=clause, supplier=found, auto_id="cl_%s")
    back = _scorecard_url(plan, found.pk) + "#clauses"
    try:
        if request.POST.get("delete"):
            services.clause_delete(clause=clause, expected_version=version, actor=actor_of(request))
            messages.success(request, _("Clause removed."))
            return redirect(back)
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        changes = form.changes()
        changes["kind"] = clause.kind  # the kind of a clause does not change; add another
        services.clause_update(
            clause=clause, expected_version=version, changes=changes, actor=actor_of(request)
        )
    except StaleVersion:
        clause.refresh_from_db()
        return _clause_page(
            request,
            plan,
            found,
            fresh_form(),
            clause.kind,
            clause=clause,
            error_text=_("Someone changed this clause in the meantime; here it is as saved now."),
            status=409,
        )
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return _clause_page(request, plan, found, form, clause.kind, clause=clause, status=400)
    messages.success(request, _("Clause saved."))
    return redirect(back)


# --- policy --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest, plan_id: int) -> HttpResponse:
    action = Action.EDIT if request.method == "POST" else Action.VIEW
    plan = plan_for_user(request.user, plan_id, action)
    current = services.policy_for(plan)
    error_text = ""
    status = 200
    if request.method == "POST":
        form = PolicyForm(request.POST, instance=current, auto_id="pol_%s")
        try:
            if not form.is_valid():
                raise InvalidInput(_("Check the fields."))
            services.policy_update(
                plan=plan,
                expected_version=posted_version(request),
                actor=actor_of(request),
                **form.changes(),
            )
        except StaleVersion:
            current.refresh_from_db()
            form = PolicyForm(
                instance=current, auto_id="pol_%s", initial={"version": current.version}
            )
            error_text = _("Someone changed the policy in the meantime; here it is as saved now.")
            status = 409
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
            status = 400
        else:
            messages.success(
                request, _("Policy saved; every review was scored again and flags recomputed.")
            )
            return redirect("budget:supplier-policy", plan_id=plan.pk)
    else:
        form = PolicyForm(instance=current, auto_id="pol_%s", initial={"version": current.version})
    context = _context(request, plan, "policy", form=form, policy=current, error_text=error_text)
    return render_page(request, "budget/suppliers/policy.html", context, status=status)


# --- joint-innovation fund -------------------------------------------------------------------


def _fund_page(
    request: HttpRequest,
    plan: Plan,
    *,
    fund_form: FundForm | None = None,
    project_form: ProjectForm | None = None,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    fund = services.fund_for(plan)
    context = _context(
        request,
        plan,
        "fund",
        fund=fund,
        summary=queries.fund_summary(plan),
        fund_form=fund_form
        or FundForm(instance=fund, auto_id="fund_%s", initial={"version": fund.version}),
        project_form=project_form
        or ProjectForm(plan=plan, auto_id="prj_%s", initial={"status": "idea"}),
        error_text=error_text,
    )
    return render_page(request, "budget/suppliers/innovation.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def innovation_fund(request: HttpRequest, plan_id: int) -> HttpResponse:
    action = Action.EDIT if request.method == "POST" else Action.VIEW
    plan = plan_for_user(request.user, plan_id, action)
    if request.method == "GET":
        return _fund_page(request, plan)
    fund = services.fund_for(plan)
    form = FundForm(request.POST, instance=fund, auto_id="fund_%s")
    try:
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        services.fund_update(
            plan=plan,
            expected_version=posted_version(request),
            actor=actor_of(request),
            **form.changes(),
        )
    except StaleVersion:
        return _fund_page(
            request,
            plan,
            error_text=_("Someone changed the fund in the meantime; here it is as saved now."),
            status=409,
        )
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return _fund_page(request, plan, fund_form=form, status=400)
    messages.success(request, _("Innovation fund saved."))
    return redirect("budget:innovation-fund", plan_id=plan.pk)


@login_required
@require_POST
def project_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = ProjectForm(request.POST, plan=plan, auto_id="prj_%s")
    if form.is_valid():
        try:
            services.project_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Innovation project added."))
            return redirect("budget:innovation-fund", plan_id=plan.pk)
    return _fund_page(request, plan, project_form=form, status=400)


def _project_page(
    request: HttpRequest,
    plan: Plan,
    project: InnovationProject,
    form: ProjectForm,
    *,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _context(
        request,
        plan,
        "project",
        project=project,
        form=form,
        summary=queries.fund_summary(plan),
        error_text=error_text,
    )
    return render_page(request, "budget/suppliers/project_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, plan_id: int, project_id: int) -> HttpResponse:
    project: InnovationProject = object_for_user(
        InnovationProject.objects.select_related("plan__workspace"),
        request.user,
        Action.EDIT,
        pk=project_id,
        plan_id=plan_id,
    )
    plan = project.plan

    def fresh_form() -> ProjectForm:
        return ProjectForm(
            instance=project, plan=plan, auto_id="prj_%s", initial={"version": project.version}
        )

    if request.method == "GET":
        return _project_page(request, plan, project, fresh_form())
    version = posted_version(request)
    form = ProjectForm(request.POST, instance=project, plan=plan, auto_id="prj_%s")
    try:
        if request.POST.get("delete"):
            services.project_delete(
                project=project, expected_version=version, actor=actor_of(request)
            )
            messages.success(request, _("Innovation project removed."))
            return redirect("budget:innovation-fund", plan_id=plan.pk)
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        services.project_update(
            project=project,
            expected_version=version,
            changes=form.changes(),
            actor=actor_of(request),
        )
    except StaleVersion:
        project.refresh_from_db()
        return _project_page(
            request,
            plan,
            project,
            fresh_form(),
            error_text=_("Someone changed this project in the meantime; here it is as saved now."),
            status=409,
        )
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return _project_page(request, plan, project, form, status=400)
    messages.success(request, _("Innovation project saved."))
    return redirect("budget:innovation-fund", plan_id=plan.pk)
