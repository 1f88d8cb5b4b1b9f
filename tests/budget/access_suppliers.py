"""Access cases of the budget section's suppliers (pages and API; see tests/access_cases.py)."""

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
    api_plan,
    expect,
    if_match_of,
)
from tests.budget.supplier_helpers import (
    clause,
    first_review,
    flag,
    fund,
    policy,
    project,
    supplier,
)

API_LIST = expect(200, 200, 200, 200, 200, 401)
MANAGERS_WRITE_REDIRECT = expect(302, 302, 403, 403, 404, 302)
API_MANAGERS_WRITE = expect(200, 200, 403, 403, 404, 401)
BASE = "budget/suppliers/"


def page(suffix: str = "") -> Any:
    return lambda w: f"/plans/{w.plan.pk}/{BASE}{suffix}"


def supplier_page(suffix: str = "") -> Any:
    return lambda w: f"/plans/{w.plan.pk}/{BASE}{supplier(w).pk}/{suffix}"


def supplier_form(w: Any) -> dict[str, Any]:
    return {
        "name": "Swift Print",
        "category": "printing",
        "qualification_score": 81,
        "capability_score": 77,
        "is_active": "on",
        "version": supplier(w).version,
    }


def review_form(w: Any) -> dict[str, Any]:
    return {"quarter": 3, "quality": 80, "timeliness": 75, "compliance": 90, "comment": "ok"}


def project_body(w: Any) -> dict[str, Any]:
    fund(w)
    return {
        "plan": w.plan.pk,
        "name": "Cold-brew sachet",
        "budget": "30000",
        "status": "idea",
        "suppliers": [supplier(w).pk],
    }


CASES: list[Case] = [
    # --- pages ------------------------------------------------------------------------------
    Case("budget:suppliers", "get", page(), MEMBERS_READ),
    Case(
        "budget:supplier-create",
        "post",
        page("new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "name": "Jade Lantern",
            "category": "creative",
            "qualification_score": 90,
            "capability_score": 88,
            "is_active": "on",
        },
    ),
    Case("budget:supplier", "get", supplier_page(), MEMBERS_READ),
    Case("budget:supplier-edit", "get", supplier_page("edit/"), EDITORS_MAY),
    Case(
        "budget:supplier-edit",
        "post",
        supplier_page("edit/"),
        EDITORS_WRITE_REDIRECT,
        data=supplier_form,
    ),
    Case(
        "budget:supplier-review-create",
        "post",
        supplier_page("reviews/new/"),
        EDITORS_WRITE_REDIRECT,
        data=review_form,
    ),
    Case(
        "budget:supplier-review",
        "get",
        lambda w: page(f"reviews/{first_review(w).pk}/")(w),
        EDITORS_MAY,
    ),
    Case(
        "budget:supplier-review",
        "post",
        lambda w: page(f"reviews/{first_review(w).pk}/")(w),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"delete": "1", "version": first_review(w).version},
    ),
    Case(
        "budget:supplier-clause-create",
        "get",
        supplier_page("clauses/new/?kind=force_majeure"),
        EDITORS_MAY,
    ),
    Case(
        "budget:supplier-clause-create",
        "post",
        supplier_page("clauses/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"kind": "force_majeure", "events": "Typhoons", "notice_days": 3},
    ),
    Case(
        "budget:supplier-clause",
        "get",
        lambda w: page(f"clauses/{clause(w).pk}/")(w),
        EDITORS_MAY,
    ),
    Case(
        "budget:supplier-clause",
        "post",
        lambda w: page(f"clauses/{clause(w).pk}/")(w),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "kind": "backup",
            "title": "Backup",
            "backup": clause(w).backup_id,
            "version": clause(w).version,
        },
    ),
    Case(
        "budget:supplier-flag",
        "post",
        lambda w: page(f"flags/{flag(w).pk}/")(w),
        MANAGERS_WRITE_REDIRECT,
        data=lambda w: {
            "action": "correction",
            "action_note": "Proofs before each run",
            "resolution": "",
            "version": flag(w).version,
        },
    ),
    Case("budget:supplier-policy", "get", page("policy/"), MEMBERS_READ),
    Case(
        "budget:supplier-policy",
        "post",
        page("policy/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "failures_to_flag": 3,
            "pass_mark": 72,
            "weight_quality": 50,
            "weight_timeliness": 25,
            "weight_compliance": 25,
            "strategic_min": 85,
            "priority_min": 70,
            "performance_window": 4,
            "version": policy(w).version,
        },
    ),
    Case("budget:innovation-fund", "get", page("innovation/"), MEMBERS_READ),
    Case(
        "budget:innovation-fund",
        "post",
        page("innovation/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "amount": "500000",
            "purpose": "Co-development",
            "version": fund(w).version,
        },
    ),
    Case(
        "budget:innovation-project-create",
        "post",
        page("innovation/projects/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {**project_body(w), "plan": ""},
    ),
    Case(
        "budget:innovation-project",
        "get",
        lambda w: page(f"innovation/projects/{project(w).pk}/")(w),
        EDITORS_MAY,
    ),
    Case(
        "budget:innovation-project",
        "post",
        lambda w: page(f"innovation/projects/{project(w).pk}/")(w),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "name": "Recyclable lid",
            "budget": "45000",
            "status": "done",
            "results": "Shared design",
            "version": project(w).version,
        },
    ),
    # --- API --------------------------------------------------------------------------------
    Case("supplier-list", "get", lambda w: "/api/v1/suppliers/", API_LIST, api=True),
    Case(
        "supplier-list",
        "post",
        lambda w: "/api/v1/suppliers/",
        API_CREATE,
        data=lambda w: {
            "workspace": w.workspace.pk,
            "name": "DataLoom",
            "category": "technology",
            "qualification_score": 90,
            "capability_score": 86,
        },
        api=True,
    ),
    Case(
        "supplier-detail",
        "get",
        lambda w: f"/api/v1/suppliers/{supplier(w).pk}/?plan={w.plan.pk}",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "supplier-detail",
        "patch",
        lambda w: f"/api/v1/suppliers/{supplier(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"capability_score": 85},
        headers=if_match_of(supplier),
        api=True,
    ),
    Case(
        "supplier-detail",
        "put",
        lambda w: f"/api/v1/suppliers/{supplier(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {
            "name": "Swift Print",
            "category": "printing",
            "qualification_score": 70,
            "capability_score": 70,
        },
        headers=if_match_of(supplier),
        api=True,
    ),
    Case(
        "supplier-detail",
        "delete",
        lambda w: f"/api/v1/suppliers/{supplier(w).pk}/",
        API_DELETE,
        headers=if_match_of(supplier),
        api=True,
    ),
    Case("supplier-review-list", "get", lambda w: "/api/v1/supplier-reviews/", API_LIST, api=True),
    Case(
        "supplier-review-list",
        "post",
        lambda w: "/api/v1/supplier-reviews/",
        API_CREATE,
        data=lambda w: {"supplier": supplier(w).pk, "plan": w.plan.pk, **review_form(w)},
        api=True,
    ),
    Case(
        "supplier-review-detail",
        "get",
        lambda w: f"/api/v1/supplier-reviews/{first_review(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "supplier-review-detail",
        "patch",
        lambda w: f"/api/v1/supplier-reviews/{first_review(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"quality": 40},
        headers=if_match_of(first_review),
        api=True,
    ),
    Case(
        "supplier-review-detail",
        "put",
        lambda w: f"/api/v1/supplier-reviews/{first_review(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"quarter": 1, "quality": 60, "timeliness": 60, "compliance": 60},
        headers=if_match_of(first_review),
        api=True,
    ),
    Case(
        "supplier-review-detail",
        "delete",
        lambda w: f"/api/v1/supplier-reviews/{first_review(w).pk}/",
        API_DELETE,
        headers=if_match_of(first_review),
        api=True,
    ),
    Case("supplier-flag-list", "get", lambda w: "/api/v1/supplier-flags/", API_LIST, api=True),
    Case(
        "supplier-flag-detail",
        "get",
        lambda w: f"/api/v1/supplier-flags/{flag(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "supplier-flag-detail",
        "patch",
        lambda w: f"/api/v1/supplier-flags/{flag(w).pk}/",
        API_MANAGERS_WRITE,
        data=lambda w: {"action": "replacement", "action_note": "Tender in Q4"},
        headers=if_match_of(flag),
        api=True,
    ),
    Case(
        "supplier-flag-resolve",
        "post",
        lambda w: f"/api/v1/supplier-flags/{flag(w).pk}/resolve/",
        API_MANAGERS_WRITE,
        data=lambda w: {"action": "correction", "resolution": "Second press line added"},
        headers=if_match_of(flag),
        api=True,
    ),
    Case("supplier-clause-list", "get", lambda w: "/api/v1/supplier-clauses/", API_LIST, api=True),
    Case(
        "supplier-clause-list",
        "post",
        lambda w: "/api/v1/supplier-clauses/",
        API_CREATE,
        data=lambda w: {
            "supplier": supplier(w).pk,
            "kind": "price_index",
            "index_name": "Pulp price index",
            "threshold_pct": 8,
            "supplier_share_pct": 40,
        },
        api=True,
    ),
    Case(
        "supplier-clause-detail",
        "get",
        lambda w: f"/api/v1/supplier-clauses/{clause(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "supplier-clause-detail",
        "patch",
        lambda w: f"/api/v1/supplier-clauses/{clause(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"title": "Backup printer (Shanghai)"},
        headers=if_match_of(clause),
        api=True,
    ),
    Case(
        "supplier-clause-detail",
        "put",
        lambda w: f"/api/v1/supplier-clauses/{clause(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"kind": "other", "text": "Exclusivity in tea for 30 days"},
        headers=if_match_of(clause),
        api=True,
    ),
    Case(
        "supplier-clause-detail",
        "delete",
        lambda w: f"/api/v1/supplier-clauses/{clause(w).pk}/",
        API_DELETE,
        headers=if_match_of(clause),
        api=True,
    ),
    Case(
        "innovation-project-list",
        "get",
        lambda w: "/api/v1/innovation-projects/",
        API_LIST,
        api=True,
    ),
    Case(
        "innovation-project-list",
        "post",
        lambda w: "/api/v1/innovation-projects/",
        API_CREATE,
        data=project_body,
        api=True,
    ),
    Case(
        "innovation-project-detail",
        "get",
        lambda w: f"/api/v1/innovation-projects/{project(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "innovation-project-detail",
        "patch",
        lambda w: f"/api/v1/innovation-projects/{project(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"status": "done", "results": "Lid design shared"},
        headers=if_match_of(project),
        api=True,
    ),
    Case(
        "innovation-project-detail",
        "put",
        lambda w: f"/api/v1/innovation-projects/{project(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"name": "Recyclable lid", "budget": "50000", "status": "running"},
        headers=if_match_of(project),
        api=True,
    ),
    Case(
        "innovation-project-detail",
        "delete",
        lambda w: f"/api/v1/innovation-projects/{project(w).pk}/",
        API_DELETE,
        headers=if_match_of(project),
        api=True,
    ),
    Case("plan-supplier-policy", "get", api_plan("supplier-policy/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-supplier-policy",
        "put",
        api_plan("supplier-policy/"),
        API_EDITORS_WRITE,
        data=lambda w: {
            "failures_to_flag": 3,
            "pass_mark": 65,
            "weight_quality": 40,
            "weight_timeliness": 30,
            "weight_compliance": 30,
            "strategic_min": 85,
            "priority_min": 70,
            "performance_window": 4,
        },
        headers=if_match_of(policy),
        api=True,
    ),
    Case("plan-innovation-fund", "get", api_plan("innovation-fund/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-innovation-fund",
        "put",
        api_plan("innovation-fund/"),
        API_EDITORS_WRITE,
        data=lambda w: {"amount": "800000", "purpose": "Co-development"},
        headers=if_match_of(fund),
        api=True,
    ),
]
