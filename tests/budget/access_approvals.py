"""Access cases of the budget section's approvals (pages and API; see tests/access_cases.py).

Every case builds what it needs on the persona's fresh world: a draft or submitted request
by the editor, a pending draw, a proposed review. Objects are made once per world.
"""

from __future__ import annotations

from typing import Any

from budget.models import BudgetRequest, ReallocationMove, ReallocationReview, ReserveDraw
from tests.access_cases import (
    API_CREATE,
    API_EDITORS_WRITE,
    API_MEMBERS_READ,
    EDITORS_WRITE_REDIRECT,
    MEMBERS_READ,
    Case,
    api_plan,
    expect,
    plan_url,
)
from tests.budget.approvals_helpers import (
    channel,
    draft,
    fund,
    line,
    pending_draw,
    review_world,
    submitted,
)

API_LIST = expect(200, 200, 200, 200, 200, 401)
MANAGERS_REDIRECT = expect(302, 302, 403, 403, 404, 302)
API_MANAGERS = expect(200, 200, 403, 403, 404, 401)
API_AUTHOR_ONLY = expect(403, 403, 200, 403, 404, 401)  # the editor wrote the request
API_PLAN_CREATE = expect(201, 201, 201, 403, 404, 401)


def _once(w: Any, key: str, make: Any) -> Any:
    if not hasattr(w, key):
        setattr(w, key, make(w))
    return getattr(w, key)


def a_draft(w: Any) -> BudgetRequest:
    return _once(w, "_appr_draft", draft)


def a_submitted(w: Any) -> BudgetRequest:
    def make(w: Any) -> BudgetRequest:
        fund(w)
        return submitted(w)

    return _once(w, "_appr_submitted", make)


def a_draw(w: Any) -> ReserveDraw:
    def make(w: Any) -> ReserveDraw:
        fund(w)
        return pending_draw(w)

    return _once(w, "_appr_draw", make)


def a_review(w: Any) -> ReallocationReview:
    return _once(w, "_appr_review", review_world)


def a_move(w: Any) -> ReallocationMove:
    return a_review(w).moves.get()


def a_line(w: Any) -> Any:
    def make(w: Any) -> Any:
        fund(w)
        return line(w, "tmall", 3)

    return _once(w, "_appr_line", make)


def version_of(fetch: Any) -> Any:
    return lambda w: {"HTTP_IF_MATCH": f'"{type(fetch(w)).objects.get(pk=fetch(w).pk).version}"'}


def sheet_body(w: Any) -> dict[str, Any]:
    return {
        "channel": channel(w).pk,
        "quarter": 2,
        "title": "Douyin live-stream push",
        "amount": "50000",
        "expected_users": 2000,
        "expected_revenue": "150000",
        "assumptions": "CPA 25 yuan.",
    }


def page_url(fetch: Any, suffix: str) -> Any:
    return lambda w: f"/plans/{w.plan.pk}/budget/{suffix.format(pk=fetch(w).pk)}"


CASES: list[Case] = [
    # --- pages ------------------------------------------------------------------------------
    Case("budget:requests", "get", plan_url("budget/requests/"), MEMBERS_READ),
    Case(
        "budget:request-create",
        "post",
        plan_url("budget/requests/new/"),
        EDITORS_WRITE_REDIRECT,
        data=sheet_body,
    ),
    Case("budget:request", "get", page_url(a_draft, "requests/{pk}/"), MEMBERS_READ),
    Case(
        "budget:request-edit",
        "post",
        page_url(a_draft, "requests/{pk}/edit/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {**sheet_body(w), "title": "Renamed", "version": a_draft(w).version},
    ),
    Case(
        "budget:request-step",
        "post",
        page_url(a_draft, "requests/{pk}/step/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"action": "submit", "version": a_draft(w).version},
    ),
    Case(
        "budget:request-step",
        "post",
        page_url(a_submitted, "requests/{pk}/step/"),
        MANAGERS_REDIRECT,
        data=lambda w: {"action": "approve", "version": a_submitted(w).version},
    ),
    Case("budget:reallocation", "get", plan_url("budget/review/"), MEMBERS_READ),
    Case(
        "budget:reallocation-propose",
        "post",
        plan_url("budget/review/propose/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"quarter": 1},
    ),
    Case(
        "budget:reallocation-approve-all",
        "post",
        page_url(a_review, "review/{pk}/approve-all/"),
        MANAGERS_REDIRECT,
    ),
    Case(
        "budget:move-decide",
        "post",
        page_url(a_move, "review/moves/{pk}/"),
        MANAGERS_REDIRECT,
        data=lambda w: {"action": "approve", "version": a_move(w).version, "amount": "1000"},
    ),
    Case("budget:reserve", "get", plan_url("budget/reserve/"), MEMBERS_READ),
    Case(
        "budget:draw-create",
        "post",
        plan_url("budget/reserve/draws/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"line": a_line(w).pk, "amount": "500", "reason": "Weibo crisis."},
    ),
    Case(
        "budget:draw-decide",
        "post",
        page_url(a_draw, "reserve/draws/{pk}/"),
        MANAGERS_REDIRECT,
        data=lambda w: {"action": "approve", "version": a_draw(w).version},
    ),
    # --- API: budget requests ---------------------------------------------------------------
    Case(
        "budget-request-list",
        "get",
        lambda w: f"/api/v1/budget-requests/?plan={w.plan.pk}&status=draft",
        API_LIST,
        api=True,
    ),
    Case(
        "budget-request-list",
        "post",
        lambda w: "/api/v1/budget-requests/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk, **sheet_body(w)},
        api=True,
    ),
    Case(
        "budget-request-detail",
        "get",
        lambda w: f"/api/v1/budget-requests/{a_draft(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "budget-request-detail",
        "patch",
        lambda w: f"/api/v1/budget-requests/{a_draft(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"title": "Renamed"},
        headers=version_of(a_draft),
        api=True,
    ),
    Case(
        "budget-request-detail",
        "put",
        lambda w: f"/api/v1/budget-requests/{a_draft(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {**sheet_body(w), "campaign": None},
        headers=version_of(a_draft),
        api=True,
    ),
    Case(
        "budget-request-submit",
        "post",
        lambda w: f"/api/v1/budget-requests/{a_draft(w).pk}/submit/",
        API_EDITORS_WRITE,
        headers=version_of(a_draft),
        api=True,
    ),
    Case(
        "budget-request-withdraw",
        "post",
        lambda w: f"/api/v1/budget-requests/{a_draft(w).pk}/withdraw/",
        API_AUTHOR_ONLY,
        headers=version_of(a_draft),
        api=True,
    ),
    Case(
        "budget-request-approve",
        "post",
        lambda w: f"/api/v1/budget-requests/{a_submitted(w).pk}/approve/",
        API_MANAGERS,
        headers=version_of(a_submitted),
        api=True,
    ),
    Case(
        "budget-request-reject",
        "post",
        lambda w: f"/api/v1/budget-requests/{a_submitted(w).pk}/reject/",
        API_MANAGERS,
        data=lambda w: {"comment": "Not this quarter."},
        headers=version_of(a_submitted),
        api=True,
    ),
    # --- API: the reserve fund and its draws ------------------------------------------------
    Case("plan-reserve", "get", api_plan("reserve/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-reserve",
        "post",
        api_plan("reserve/"),
        API_PLAN_CREATE,
        data=lambda w: {"line": a_line(w).pk, "amount": "500", "reason": "Weibo crisis."},
        api=True,
    ),
    Case(
        "reserve-draw-list",
        "get",
        lambda w: f"/api/v1/reserve-draws/?plan={w.plan.pk}&status=pending",
        API_LIST,
        api=True,
    ),
    Case(
        "reserve-draw-detail",
        "get",
        lambda w: f"/api/v1/reserve-draws/{a_draw(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "reserve-draw-approve",
        "post",
        lambda w: f"/api/v1/reserve-draws/{a_draw(w).pk}/approve/",
        API_MANAGERS,
        headers=version_of(a_draw),
        api=True,
    ),
    Case(
        "reserve-draw-reject",
        "post",
        lambda w: f"/api/v1/reserve-draws/{a_draw(w).pk}/reject/",
        API_MANAGERS,
        data=lambda w: {"comment": "Not now."},
        headers=version_of(a_draw),
        api=True,
    ),
    # --- API: the quarterly review ----------------------------------------------------------
    Case(
        "plan-reallocation",
        "get",
        lambda w: f"/api/v1/plans/{a_review(w).plan_id}/reallocation/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "plan-reallocation",
        "post",
        api_plan("reallocation/"),
        API_PLAN_CREATE,
        data=lambda w: {"quarter": 2},
        api=True,
    ),
    Case(
        "plan-reallocation-move-approve",
        "post",
        lambda w: f"/api/v1/plans/{w.plan.pk}/reallocation/moves/{a_move(w).pk}/approve/",
        API_MANAGERS,
        data=lambda w: {"amount": "1000.00"},
        headers=version_of(a_move),
        api=True,
    ),
    Case(
        "plan-reallocation-move-reject",
        "post",
        lambda w: f"/api/v1/plans/{w.plan.pk}/reallocation/moves/{a_move(w).pk}/reject/",
        API_MANAGERS,
        headers=version_of(a_move),
        api=True,
    ),
]
