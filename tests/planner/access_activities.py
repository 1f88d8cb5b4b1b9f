"""Access cases of the key activities and the rapid-response pools — pages and API, every
route and method; see tests/access_cases.py."""

from __future__ import annotations

from typing import Any

from tests.access_cases import (
    API_CREATE,
    API_DELETE,
    API_EDITORS_WRITE,
    API_MEMBERS_READ,
    EDITORS_MAY,
    EDITORS_WRITE_REDIRECT,
    MEMBERS_READ,
    Case,
    expect,
    if_match_of,
    plan_url,
)
from tests.planner.execution.activity_helpers import activity, pool, ready

MANAGERS_WRITE_REDIRECT = expect(302, 302, 403, 403, 404, 302)


def _act(w: Any) -> str:
    return f"/plans/{w.plan.pk}/execution/activities/{activity(w).pk}/"


def _pool(w: Any) -> str:
    return f"/plans/{w.plan.pk}/execution/response/pools/{pool(w).pk}/"


ACTIVITY_FORM = {
    "title": "Mid-Autumn co-packer run",
    "kind": "production",
    "status": "planned",
    "start": "2027-07-01",
    "end": "2027-08-20",
}
POOL_FORM = {
    "level": "5",
    "amount": "500000",
    "headcount": "6",
    "people": "PR director\nLegal counsel",
    "authorise_role": "manager",
}


def _activation(w: Any) -> dict[str, Any]:
    found_pool, risk, line = ready(w)
    return {
        "pool": found_pool.pk,
        "risk": risk.pk,
        "line": line.pk,
        "amount": "20000",
        "people_used": 1,
        "reason": "Supplier failure before 618",
    }


CASES: list[Case] = [
    # --- pages ---------------------------------------------------------------------------
    Case("planner:execution-activities", "get", plan_url("execution/activities/"), MEMBERS_READ),
    Case("planner:activity-create", "get", plan_url("execution/activities/new/"), EDITORS_MAY),
    Case(
        "planner:activity-create",
        "post",
        plan_url("execution/activities/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: ACTIVITY_FORM,
    ),
    Case("planner:activity-edit", "get", _act, MEMBERS_READ),
    Case(
        "planner:activity-edit",
        "post",
        _act,
        EDITORS_WRITE_REDIRECT,
        data=lambda w: ACTIVITY_FORM | {"version": activity(w).version},
    ),
    Case("planner:execution-response", "get", plan_url("execution/response/"), MEMBERS_READ),
    Case(
        "planner:pool-activate",
        "post",
        plan_url("execution/response/activate/"),
        MANAGERS_WRITE_REDIRECT,
        data=_activation,
    ),
    Case("planner:pool-create", "get", plan_url("execution/response/pools/new/"), EDITORS_MAY),
    Case(
        "planner:pool-create",
        "post",
        plan_url("execution/response/pools/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: POOL_FORM,
    ),
    Case("planner:pool-edit", "get", _pool, MEMBERS_READ),
    Case(
        "planner:pool-edit",
        "post",
        _pool,
        EDITORS_WRITE_REDIRECT,
        data=lambda w: POOL_FORM | {"level": "4", "version": pool(w).version},
    ),
    # --- API -----------------------------------------------------------------------------
    Case(
        "activity-list",
        "get",
        lambda w: f"/api/v1/activities/?plan={w.plan.pk}",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "activity-list",
        "post",
        lambda w: "/api/v1/activities/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk} | ACTIVITY_FORM,
        api=True,
    ),
    Case(
        "activity-detail",
        "get",
        lambda w: f"/api/v1/activities/{activity(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "activity-detail",
        "patch",
        lambda w: f"/api/v1/activities/{activity(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"status": "in_progress"},
        headers=if_match_of(activity),
        api=True,
    ),
    Case(
        "activity-detail",
        "put",
        lambda w: f"/api/v1/activities/{activity(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: (
            ACTIVITY_FORM | {"departments": [], "suppliers": [], "depends_on": [], "campaign": None}
        ),
        headers=if_match_of(activity),
        api=True,
    ),
    Case(
        "activity-detail",
        "delete",
        lambda w: f"/api/v1/activities/{activity(w).pk}/",
        API_DELETE,
        headers=if_match_of(activity),
        api=True,
    ),
    Case(
        "response-pool-list",
        "get",
        lambda w: f"/api/v1/response-pools/?plan={w.plan.pk}",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "response-pool-list",
        "post",
        lambda w: "/api/v1/response-pools/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk} | POOL_FORM | {"level": 5, "headcount": 6},
        api=True,
    ),
    Case(
        "response-pool-detail",
        "get",
        lambda w: f"/api/v1/response-pools/{pool(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "response-pool-detail",
        "patch",
        lambda w: f"/api/v1/response-pools/{pool(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"headcount": 5},
        headers=if_match_of(pool),
        api=True,
    ),
    Case(
        "response-pool-detail",
        "put",
        lambda w: f"/api/v1/response-pools/{pool(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: POOL_FORM | {"level": 4, "headcount": 6, "authorisers": []},
        headers=if_match_of(pool),
        api=True,
    ),
    Case(
        "response-pool-detail",
        "delete",
        lambda w: f"/api/v1/response-pools/{pool(w).pk}/",
        API_DELETE,
        headers=if_match_of(pool),
        api=True,
    ),
    Case(
        "response-pool-activate",
        "post",
        lambda w: f"/api/v1/response-pools/{pool(w).pk}/activate/",
        expect(201, 201, 403, 403, 404, 401),
        data=lambda w: {k: v for k, v in _activation(w).items() if k != "pool"},
        api=True,
    ),
]
