"""Pages of the budget's money (the "Budget" tab of resource coordination): the budget
tree with its settings, burn chart and ledger; the allocation rules with their proposal
beside the current lines; a line's adjustment; purchase orders and invoices.

Views stay thin: parse → budget/money_services.py or budget/money_queries.py → render.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budget import approval_queries, ledger, supplier_queries
from budget import money_charts as charts
from budget import money_queries as queries
from budget import money_services as services
from budget.models import BudgetLine, Invoice, PurchaseOrder
from budget.money_forms import (
    InvoiceForm,
    LineCreateForm,
    LineForm,
    PurchaseOrderForm,
    SettingsForm,
)
from budget.pages import base_context
from core.auth import actor_of
from core.errors import DomainError, StaleVersion
from core.forms import attach_error, posted_version, raise_if_forbidden
from core.htmx import render_page
from core.locking import parse_version
from core.templatetags.almanac import CURRENCY_SYMBOLS
from planner.access import Action, object_for_user, plan_for_user
from planner.models import Plan

TAB = "budget"


def _context(request: HttpRequest, plan: Plan, page: str, **extra: Any) -> dict[str, Any]:
    return base_context(request, plan, TAB, money_page=page, **extra)


# --- the budget tree ---------------------------------------------------------------------------


def _tree_page(
    request: HttpRequest,
    plan: Plan,
    form: SettingsForm | None = None,
    *,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    tree = queries.tree(plan)
    budget = tree.budget
    if form is None:
        form = SettingsForm(instance=budget, initial={"version": budget.version}, auto_id="bs_%s")
    burn = queries.burn(plan, tree)
    has_money = budget.total > 0 or tree.total.planned > 0
    context = _context(
        request,
        plan,
        "tree",
        tree=tree,
        budget=budget,
        form=form,
        error_text=error_text,
        chart=(
            charts.burn_chart(plan.year, burn, CURRENCY_SYMBOLS.get(plan.currency, ""))
            if has_money
            else None
        ),
        ledger_rows=queries.recent_ledger(plan),
        reserve=approval_queries.reserve_summary(plan),
        **supplier_queries.flagged_card_context(plan),
    )
    return render_page(request, "budget/money/tree.html", context, status=status)


@login_required
@require_GET
def section(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _tree_page(request, plan_for_user(request.user, plan_id))


@login_required
@require_POST
def settings(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    budget = ledger.budget_of(plan)
    form = SettingsForm(request.POST, instance=budget, auto_id="bs_%s")
    if form.is_valid():
        try:
            services.settings_update(
                plan=plan,
                expected_version=posted_version(request),
                changes=form.changes(),
                actor=actor_of(request),
            )
        except StaleVersion:
            return _tree_page(
                request,
                plan,
                error_text=_(
                    "Someone changed the budget settings in the meantime; here they are as "
                    "saved now. Enter your change again."
                ),
                status=409,
            )
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Budget settings saved."))
            return redirect("budget:section", plan_id=plan.pk)
    return _tree_page(request, plan, form, status=400)


# --- allocation --------------------------------------------------------------------------------


def _allocation_page(
    request: HttpRequest,
    plan: Plan,
    *,
    errors: list[str] | None = None,
    line_form: LineCreateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _context(
        request,
        plan,
        "allocation",
        view=queries.allocation_view(plan),
        errors=errors or [],
        line_form=line_form or LineCreateForm(plan=plan, auto_id="nl_%s"),
    )
    return render_page(request, "budget/money/allocation.html", context, status=status)


@login_required
@require_GET
def allocation(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _allocation_page(request, plan_for_user(request.user, plan_id))


def _number(raw: str | None, name: str, problems: list[str]) -> Decimal:
    try:
        value = Decimal((raw or "").strip() or "0")
    except InvalidOperation:
        problems.append(_("%(name)s: enter a number.") % {"name": name})
        return Decimal(0)
    if not value.is_finite():
        problems.append(_("%(name)s: enter a number.") % {"name": name})
        return Decimal(0)
    return value


@login_required
@require_POST
def rules(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Save the channels' priorities and objectives and the objectives' weights."""
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    view = queries.allocation_view(plan)
    objectives = {o.pk: o for o, _w in view.objectives}
    problems: list[str] = []
    rule_inputs = []
    for row in view.rows:
        key = f"priority-{row.channel.pk}"
        if key not in request.POST:
            continue
        raw_objective = request.POST.get(f"objective-{row.channel.pk}") or ""
        objective = objectives.get(int(raw_objective)) if raw_objective.isdigit() else None
        rule_inputs.append(
            services.RuleInput(
                channel=row.channel,
                priority=_number(request.POST.get(key), str(row.channel), problems),
                objective=objective,
                version=parse_version(request.POST.get(f"rv-{row.channel.pk}")) or 0,
            )
        )
    weight_inputs = [
        services.WeightInput(
            objective=objective,
            weight=_number(request.POST.get(f"weight-{objective.pk}"), objective.title, problems),
            version=parse_version(request.POST.get(f"wv-{objective.pk}")) or 0,
        )
        for objective, _w in view.objectives
        if f"weight-{objective.pk}" in request.POST
    ]
    if not problems:
        try:
            services.rules_save(
                plan=plan, actor=actor_of(request), rules=rule_inputs, weights=weight_inputs
            )
        except StaleVersion:
            return _allocation_page(
                request,
                plan,
                errors=[
                    _(
                        "Someone changed the allocation rules in the meantime; here they are "
                        "as saved now. Enter your change again."
                    )
                ],
                status=409,
            )
        except DomainError as error:
            raise_if_forbidden(error)
            problems.append(error.describe())
        else:
            messages.success(request, _("Allocation rules saved; the proposal follows them."))
            return redirect("budget:allocation", plan_id=plan.pk)
    return _allocation_page(request, plan, errors=problems, status=400)


@login_required
@require_POST
def accept(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    try:
        done = services.accept_allocation(plan=plan, actor=actor_of(request))
    except DomainError as error:
        raise_if_forbidden(error)
        fields = getattr(error, "fields", {}) or {}
        found = [str(p) for p in fields.get("allocation", [])] or [error.describe()]
        return _allocation_page(request, plan, errors=found, status=400)
    messages.success(
        request,
        _("Allocation accepted: %(n)s lines changed.") % {"n": done.lines_changed},
    )
    return redirect("budget:allocation", plan_id=plan.pk)


@login_required
@require_POST
def line_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = LineCreateForm(request.POST, plan=plan, auto_id="nl_%s")
    if form.is_valid():
        try:
            services.line_create(plan=plan, actor=actor_of(request), **form.cleaned_data)
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Budget line added."))
            return redirect("budget:allocation", plan_id=plan.pk)
    return _allocation_page(request, plan, line_form=form, status=400)


# --- one line ----------------------------------------------------------------------------------


def _line_page(
    request: HttpRequest,
    line: BudgetLine,
    form: LineForm | None = None,
    *,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    plan = line.plan
    spent = queries.actuals.spent_by_line(plan).get(line.pk, queries.actuals.Spent())
    figures = queries.Figures(line.planned, spent.committed, spent.actual)
    if form is None:
        form = LineForm(
            initial={"planned": line.planned, "note": line.note, "version": line.version},
            auto_id="ln_%s",
        )
    context = _context(
        request,
        plan,
        "line",
        line=line,
        figures=figures,
        budget=ledger.budget_of(plan),
        form=form,
        error_text=error_text,
        history=queries.line_ledger(line),
    )
    return render_page(request, "budget/money/line.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def line(request: HttpRequest, plan_id: int, line_id: int) -> HttpResponse:
    action = Action.EDIT if request.method == "POST" else Action.VIEW
    found: BudgetLine = object_for_user(
        BudgetLine.objects.select_related("plan__workspace", "channel", "campaign"),
        request.user,
        action,
        pk=line_id,
        plan_id=plan_id,
    )
    if request.method == "GET":
        return _line_page(request, found)
    form = LineForm(request.POST, auto_id="ln_%s")
    if form.is_valid():
        try:
            services.line_update(
                line=found,
                expected_version=form.cleaned_data["version"],
                changes={
                    "planned": form.cleaned_data["planned"],
                    "note": form.cleaned_data["note"],
                },
                actor=actor_of(request),
            )
        except StaleVersion:
            found.refresh_from_db()
            return _line_page(
                request,
                found,
                error_text=_(
                    "The line changed in the meantime (another adjustment or a move); here it "
                    "is as saved now. Enter your change again."
                ),
                status=409,
            )
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Line adjusted."))
            return redirect("budget:line", plan_id=plan_id, line_id=found.pk)
    return _line_page(request, found, form, status=400)


# --- purchase orders and invoices --------------------------------------------------------------


def _orders_page(
    request: HttpRequest,
    plan: Plan,
    *,
    po_form: PurchaseOrderForm | None = None,
    invoice_form: InvoiceForm | None = None,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _context(
        request,
        plan,
        "orders",
        orders=queries.orders(plan),
        invoices=queries.invoices(plan),
        po_form=po_form or PurchaseOrderForm(plan=plan, auto_id="po_%s"),
        invoice_form=invoice_form or InvoiceForm(plan=plan, auto_id="inv_%s"),
        error_text=error_text,
        open_po=po_form is not None,
        open_invoice=invoice_form is not None,
    )
    return render_page(request, "budget/money/orders.html", context, status=status)


@login_required
@require_GET
def orders(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _orders_page(request, plan_for_user(request.user, plan_id))


@login_required
@require_POST
def po_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = PurchaseOrderForm(request.POST, plan=plan, auto_id="po_%s")
    if form.is_valid():
        try:
            services.po_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Purchase order added."))
            return redirect("budget:orders", plan_id=plan.pk)
    return _orders_page(request, plan, po_form=form, status=400)


@login_required
@require_POST
def po_cancel(request: HttpRequest, plan_id: int, order_id: int) -> HttpResponse:
    order: PurchaseOrder = object_for_user(
        PurchaseOrder.objects.select_related("plan__workspace"),
        request.user,
        Action.EDIT,
        pk=order_id,
        plan_id=plan_id,
    )
    try:
        services.po_cancel(
            purchase_order=order, expected_version=posted_version(request), actor=actor_of(request)
        )
    except StaleVersion:
        return _orders_page(
            request,
            order.plan,
            error_text=_("The order changed in the meantime; here it is as saved now."),
            status=409,
        )
    except DomainError as error:
        raise_if_forbidden(error)
        return _orders_page(request, order.plan, error_text=error.describe(), status=400)
    messages.success(request, _("Purchase order %(n)s cancelled.") % {"n": order.number})
    return redirect("budget:orders", plan_id=plan_id)


@login_required
@require_POST
def invoice_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = InvoiceForm(request.POST, plan=plan, auto_id="inv_%s")
    if form.is_valid():
        try:
            services.invoice_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Invoice entered."))
            return redirect("budget:orders", plan_id=plan.pk)
    return _orders_page(request, plan, invoice_form=form, status=400)


@login_required
@require_POST
def invoice_delete(request: HttpRequest, plan_id: int, invoice_id: int) -> HttpResponse:
    invoice: Invoice = object_for_user(
        Invoice.objects.select_related("plan__workspace"),
        request.user,
        Action.EDIT,
        pk=invoice_id,
        plan_id=plan_id,
    )
    try:
        services.invoice_delete(
            invoice=invoice, expected_version=posted_version(request), actor=actor_of(request)
        )
    except StaleVersion:
        return _orders_page(
            request,
            invoice.plan,
            error_text=_("The invoice changed in the meantime; here it is as saved now."),
            status=409,
        )
    except DomainError as error:
        raise_if_forbidden(error)
        return _orders_page(request, invoice.plan, error_text=error.describe(), status=400)
    messages.success(request, _("Invoice %(n)s removed.") % {"n": invoice.number})
    return redirect("budget:orders", plan_id=plan_id)
