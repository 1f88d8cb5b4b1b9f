"""Access cases of the budget section's money area (pages and API; see tests/access_cases.py)."""

from __future__ import annotations

from typing import Any

from budget import ledger
from budget import money_services as services
from budget.models import AllocationRule, BudgetLine, Invoice, ObjectiveWeight, PurchaseOrder
from kpis.models import Objective
from tests.access_cases import (
    API_CREATE,
    API_DELETE,
    API_EDITORS_WRITE,
    API_MEMBERS_READ,
    EDITORS_WRITE_REDIRECT,
    MEMBERS_READ,
    Case,
    api_plan,
    expect,
    if_match_of,
    plan_url,
)
from tests.budget.money_helpers import channel, fund, line, order

API_LIST = expect(200, 200, 200, 200, 200, 401)


def funded_line(w: Any) -> BudgetLine:
    """A douyin Q1 line holding 100 of a 1,000 budget (made once per test)."""
    found = BudgetLine.objects.filter(plan=w.plan, channel__code="douyin", quarter=1).first()
    if found is None:
        fund(w, "1000", "0")
        found = line(w, "douyin", 1, "100")
    return found


def empty_line(w: Any) -> BudgetLine:
    found = BudgetLine.objects.filter(plan=w.plan, channel__code="tmall", quarter=2).first()
    return found or line(w, "tmall", 2)


def open_order(w: Any) -> PurchaseOrder:
    found = PurchaseOrder.objects.filter(plan=w.plan, number="PO-A").first()
    return found or order(w, funded_line(w), "50", number="PO-A")


def an_invoice(w: Any) -> Invoice:
    found = Invoice.objects.filter(plan=w.plan, number="INV-A").first()
    if found is None:
        from tests.budget.money_helpers import invoice

        found = invoice(w, "20", "INV-A", po=open_order(w))
    return found


def a_rule(w: Any) -> AllocationRule:
    found = AllocationRule.objects.filter(channel=channel(w, "douyin")).first()
    return found or services.rule_create(
        plan=w.plan, actor=w.users["editor"], channel=channel(w, "douyin"), priority=3
    )


def an_objective(w: Any, title: str = "Grow") -> Objective:
    found, _ = Objective.objects.get_or_create(
        plan=w.plan, title=title, defaults={"area": "growth"}
    )
    return found


def a_weight(w: Any) -> ObjectiveWeight:
    found = ObjectiveWeight.objects.filter(objective=an_objective(w)).first()
    return found or services.weight_create(
        plan=w.plan, actor=w.users["editor"], objective=an_objective(w), weight=2
    )


def budget_version(w: Any) -> dict[str, str]:
    return {"HTTP_IF_MATCH": f'"{ledger.budget_of(w.plan).version}"'}


def settings_form(w: Any) -> dict[str, Any]:
    return {
        "total": "2000",
        "reserve_pct": "10",
        "max_move_pct": "20",
        "max_review_pct": "10",
        "q1_share": "25",
        "q2_share": "25",
        "q3_share": "25",
        "q4_share": "25",
        "version": ledger.budget_of(w.plan).version,
    }


def money_url(suffix: str, fetch: Any) -> Any:
    return lambda w: f"/plans/{w.plan.pk}/budget/{suffix.format(fetch(w).pk)}"


CASES: list[Case] = [
    # --- pages ----------------------------------------------------------------------------
    Case("budget:section", "get", plan_url("budget/"), MEMBERS_READ),
    Case(
        "budget:settings",
        "post",
        plan_url("budget/settings/"),
        EDITORS_WRITE_REDIRECT,
        data=settings_form,
    ),
    Case("budget:allocation", "get", plan_url("budget/allocation/"), MEMBERS_READ),
    Case(
        "budget:rules",
        "post",
        plan_url("budget/allocation/rules/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {f"priority-{channel(w).pk}": "3", f"rv-{channel(w).pk}": "0"},
    ),
    Case(
        "budget:accept",
        "post",
        plan_url("budget/allocation/accept/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: fund(w, "1000", "10") or {},
    ),
    Case(
        "budget:line-create",
        "post",
        plan_url("budget/lines/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"channel": channel(w, "weibo").pk, "quarter": "3", "planned": "0"},
    ),
    Case("budget:line", "get", money_url("lines/{}/", funded_line), MEMBERS_READ),
    Case(
        "budget:line",
        "post",
        money_url("lines/{}/", funded_line),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"planned": "80", "note": "less", "version": funded_line(w).version},
    ),
    Case("budget:orders", "get", plan_url("budget/orders/"), MEMBERS_READ),
    Case(
        "budget:po-create",
        "post",
        plan_url("budget/orders/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "line": funded_line(w).pk,
            "number": "PO-9",
            "supplier_name": "Yiran",
            "amount": "10",
            "issued_on": "2027-02-01",
        },
    ),
    Case(
        "budget:po-cancel",
        "post",
        money_url("orders/{}/cancel/", open_order),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"version": open_order(w).version},
    ),
    Case(
        "budget:invoice-create",
        "post",
        plan_url("budget/invoices/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "purchase_order": open_order(w).pk,
            "number": "INV-9",
            "amount": "10",
            "invoiced_on": "2027-02-03",
        },
    ),
    Case(
        "budget:invoice-delete",
        "post",
        money_url("invoices/{}/delete/", an_invoice),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"version": an_invoice(w).version},
    ),
    # --- API ------------------------------------------------------------------------------
    Case("budget-line-list", "get", lambda w: "/api/v1/budget-lines/", API_LIST, api=True),
    Case(
        "budget-line-list",
        "post",
        lambda w: "/api/v1/budget-lines/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk, "channel": channel(w, "weibo").pk, "quarter": 2},
        api=True,
    ),
    Case(
        "budget-line-detail",
        "get",
        lambda w: f"/api/v1/budget-lines/{funded_line(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "budget-line-detail",
        "patch",
        lambda w: f"/api/v1/budget-lines/{funded_line(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"planned": "90.00"},
        headers=if_match_of(funded_line),
        api=True,
    ),
    Case(
        "budget-line-detail",
        "put",
        lambda w: f"/api/v1/budget-lines/{funded_line(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"planned": "90.00", "note": "trim"},
        headers=if_match_of(funded_line),
        api=True,
    ),
    Case(
        "budget-line-detail",
        "delete",
        lambda w: f"/api/v1/budget-lines/{empty_line(w).pk}/",
        API_DELETE,
        headers=if_match_of(empty_line),
        api=True,
    ),
    Case("plan-budget", "get", api_plan("budget/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-budget",
        "put",
        api_plan("budget/"),
        API_EDITORS_WRITE,
        data=lambda w: {"total": "5000.00", "reserve_pct": "5.00"},
        headers=budget_version,
        api=True,
    ),
    Case("plan-allocation", "get", api_plan("allocation/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-allocation",
        "post",
        api_plan("allocation/"),
        API_EDITORS_WRITE,
        data=lambda w: fund(w, "1000", "10") or {},
        api=True,
    ),
    Case("purchase-order-list", "get", lambda w: "/api/v1/purchase-orders/", API_LIST, api=True),
    Case(
        "purchase-order-list",
        "post",
        lambda w: "/api/v1/purchase-orders/",
        API_CREATE,
        data=lambda w: {
            "plan": w.plan.pk,
            "line": funded_line(w).pk,
            "number": "PO-9",
            "supplier_name": "Yiran",
            "amount": "10.00",
            "issued_on": "2027-02-01",
        },
        api=True,
    ),
    Case(
        "purchase-order-detail",
        "get",
        lambda w: f"/api/v1/purchase-orders/{open_order(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "purchase-order-detail",
        "patch",
        lambda w: f"/api/v1/purchase-orders/{open_order(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"status": "cancelled"},
        headers=if_match_of(open_order),
        api=True,
    ),
    Case(
        "purchase-order-detail",
        "put",
        lambda w: f"/api/v1/purchase-orders/{open_order(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"supplier_name": "Yiran Exhibition", "description": "Build-out"},
        headers=if_match_of(open_order),
        api=True,
    ),
    Case("invoice-list", "get", lambda w: "/api/v1/invoices/", API_LIST, api=True),
    Case(
        "invoice-list",
        "post",
        lambda w: "/api/v1/invoices/",
        API_CREATE,
        data=lambda w: {
            "plan": w.plan.pk,
            "purchase_order": open_order(w).pk,
            "number": "INV-9",
            "amount": "10.00",
            "invoiced_on": "2027-02-03",
        },
        api=True,
    ),
    Case(
        "invoice-detail",
        "get",
        lambda w: f"/api/v1/invoices/{an_invoice(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "invoice-detail",
        "delete",
        lambda w: f"/api/v1/invoices/{an_invoice(w).pk}/",
        API_DELETE,
        headers=if_match_of(an_invoice),
        api=True,
    ),
    Case("allocation-rule-list", "get", lambda w: "/api/v1/allocation-rules/", API_LIST, api=True),
    Case(
        "allocation-rule-list",
        "post",
        lambda w: "/api/v1/allocation-rules/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk, "channel": channel(w, "tmall").pk, "priority": "2.00"},
        api=True,
    ),
    Case(
        "allocation-rule-detail",
        "get",
        lambda w: f"/api/v1/allocation-rules/{a_rule(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "allocation-rule-detail",
        "patch",
        lambda w: f"/api/v1/allocation-rules/{a_rule(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"priority": "4.00"},
        headers=if_match_of(a_rule),
        api=True,
    ),
    Case(
        "allocation-rule-detail",
        "put",
        lambda w: f"/api/v1/allocation-rules/{a_rule(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"priority": "4.00", "objective": an_objective(w).pk},
        headers=if_match_of(a_rule),
        api=True,
    ),
    Case(
        "allocation-rule-detail",
        "delete",
        lambda w: f"/api/v1/allocation-rules/{a_rule(w).pk}/",
        API_DELETE,
        headers=if_match_of(a_rule),
        api=True,
    ),
    Case(
        "objective-weight-list", "get", lambda w: "/api/v1/objective-weights/", API_LIST, api=True
    ),
    Case(
        "objective-weight-list",
        "post",
        lambda w: "/api/v1/objective-weights/",
        API_CREATE,
        data=lambda w: {
            "plan": w.plan.pk,
            "objective": an_objective(w, "Be loved").pk,
            "weight": "3",
        },
        api=True,
    ),
    Case(
        "objective-weight-detail",
        "get",
        lambda w: f"/api/v1/objective-weights/{a_weight(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "objective-weight-detail",
        "patch",
        lambda w: f"/api/v1/objective-weights/{a_weight(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"weight": "1.50"},
        headers=if_match_of(a_weight),
        api=True,
    ),
    Case(
        "objective-weight-detail",
        "put",
        lambda w: f"/api/v1/objective-weights/{a_weight(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"weight": "1.50"},
        headers=if_match_of(a_weight),
        api=True,
    ),
    Case(
        "objective-weight-detail",
        "delete",
        lambda w: f"/api/v1/objective-weights/{a_weight(w).pk}/",
        API_DELETE,
        headers=if_match_of(a_weight),
        api=True,
    ),
]
