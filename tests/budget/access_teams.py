"""Access cases of the budget section's teams area (pages and API; see tests/access_cases.py)."""

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
from tests.budget.teams_helpers import (
    conflict,
    department,
    departments,
    group,
    rule,
    score,
    step,
    workstream,
)

API_LIST = expect(200, 200, 200, 200, 200, 401)
MANAGERS_MAY = expect(200, 200, 403, 403, 404, 302)
MANAGERS_WRITE_REDIRECT = expect(302, 302, 403, 403, 404, 302)
API_MANAGERS_CREATE = expect(201, 201, 403, 403, 400, 401)
API_MANAGERS_WRITE = expect(200, 200, 403, 403, 404, 401)
API_MANAGERS_DELETE = expect(204, 204, 403, 403, 404, 401)
TEAMS = "budget/collaboration/"


def page(suffix: Any = "") -> Any:
    """A page of the area; ``suffix`` is text or a function of the world."""
    return lambda w: plan_url(TEAMS + (suffix(w) if callable(suffix) else suffix))(w)


def cells(w: Any) -> list[dict[str, Any]]:
    brand, growth, fin = departments(w)
    return [
        {"department": brand.pk, "role": "A"},
        {"department": growth.pk, "role": "R"},
        {"department": fin.pk, "role": "I"},
    ]


def cell_form(w: Any) -> dict[str, Any]:
    brand, growth, fin = departments(w)
    return {f"cell_{brand.pk}": "A", f"cell_{growth.pk}": "R", f"cell_{fin.pk}": "C"}


def workstream_form(w: Any, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "milestone",
        "name": "Double 11 go-live",
        "decides_alone": "Pre-sale calendar",
        "escalation": "",
        "spend_limit": "50000",
        "sort_order": 0,
        **cell_form(w),
        **extra,
    }


def rule_form(w: Any, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "messaging",
        "name": "War room",
        "tool": "wecom",
        "group": "Lumi launch",
        "owner": department(w).pk,
        "participants": [d.pk for d in departments(w)],
        **extra,
    }


def score_form(w: Any) -> dict[str, Any]:
    return {"responsiveness": 5, "delivery": 4, "communication": 4, "conflict_handling": 3}


def spare_department(w: Any) -> Any:
    """A department nothing refers to, so that it can be deleted."""
    return department(w, "SPARE")


def spare_step(w: Any) -> Any:
    """A step no conflict has reached, so that it can be deleted."""
    return step(w, 3)


def api(suffix: Any) -> Any:
    return lambda w: "/api/v1/" + (suffix(w) if callable(suffix) else suffix)


CASES: list[Case] = [
    # --- pages ------------------------------------------------------------------------------
    Case("budget:collaboration", "get", page(), MEMBERS_READ),
    Case(
        "budget:department-create",
        "post",
        page("departments/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"name": "Public relations", "code": "PR", "sort_order": 0},
    ),
    Case(
        "budget:department", "get", page(lambda w: f"departments/{department(w).pk}/"), MEMBERS_READ
    ),
    Case(
        "budget:department-edit",
        "get",
        page(lambda w: f"departments/{department(w).pk}/edit/"),
        EDITORS_MAY,
    ),
    Case(
        "budget:department-edit",
        "post",
        page(lambda w: f"departments/{department(w).pk}/edit/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "name": "Brand",
            "code": "BRAND",
            "sort_order": 1,
            "version": department(w).version,
        },
    ),
    Case(
        "budget:score-edit",
        "get",
        page(lambda w: f"departments/{department(w).pk}/scores/2/"),
        MANAGERS_MAY,
    ),
    Case(
        "budget:score-edit",
        "post",
        page(lambda w: f"departments/{department(w).pk}/scores/2/"),
        MANAGERS_WRITE_REDIRECT,
        data=lambda w: {**score_form(w), "version": 0},
    ),
    Case(
        "budget:workstream-create",
        "post",
        page("workstreams/new/"),
        EDITORS_WRITE_REDIRECT,
        data=workstream_form,
    ),
    Case(
        "budget:workstream", "get", page(lambda w: f"workstreams/{workstream(w).pk}/"), MEMBERS_READ
    ),
    Case(
        "budget:workstream",
        "get",
        page(lambda w: f"workstreams/{workstream(w).pk}/?edit=1"),
        EDITORS_MAY,
    ),
    Case(
        "budget:workstream",
        "post",
        page(lambda w: f"workstreams/{workstream(w).pk}/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: workstream_form(w, version=workstream(w).version),
    ),
    Case(
        "budget:rule-create",
        "post",
        page("rules/new/"),
        EDITORS_WRITE_REDIRECT,
        data=rule_form,
    ),
    Case("budget:rule-edit", "get", page(lambda w: f"rules/{rule(w).pk}/"), EDITORS_MAY),
    Case(
        "budget:rule-edit",
        "post",
        page(lambda w: f"rules/{rule(w).pk}/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: rule_form(w, version=rule(w).version),
    ),
    Case(
        "budget:coordinator-group",
        "post",
        page("group/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "name": "Committee",
            "departments": [d.pk for d in departments(w)],
            "version": 0,
        },
    ),
    Case(
        "budget:step-create",
        "post",
        page("steps/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"level": 1, "name": "Leads", "decider": "Leads", "sla_hours": 24},
    ),
    Case("budget:step-edit", "get", page(lambda w: f"steps/{step(w).pk}/"), EDITORS_MAY),
    Case(
        "budget:step-edit",
        "post",
        page(lambda w: f"steps/{step(w).pk}/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "level": 1,
            "name": "Leads align",
            "decider": "Leads",
            "sla_hours": 24,
            "version": step(w).version,
        },
    ),
    Case(
        "budget:conflict-create",
        "post",
        page("conflicts/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "title": "Same host booked twice",
            "departments": [d.pk for d in departments(w)[:2]] if step(w) else [],
        },
    ),
    Case(
        "budget:conflict-action",
        "post",
        page(lambda w: f"conflicts/{conflict(w).pk}/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"action": "escalate", "version": conflict(w).version},
    ),
    Case(
        "budget:conflict-edit",
        "get",
        page(lambda w: f"conflicts/{conflict(w).pk}/edit/"),
        EDITORS_MAY,
    ),
    Case(
        "budget:conflict-edit",
        "post",
        page(lambda w: f"conflicts/{conflict(w).pk}/edit/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "title": "Douyin budget",
            "description": "Both want the 8 pm slot.",
            "departments": [d.pk for d in departments(w)],
            "version": conflict(w).version,
        },
    ),
    # --- API: departments -------------------------------------------------------------------
    Case("department-list", "get", api("departments/"), API_LIST, api=True),
    Case(
        "department-list",
        "post",
        api("departments/"),
        API_CREATE,
        data=lambda w: {"workspace": w.workspace.pk, "code": "PR", "name": "Public relations"},
        api=True,
    ),
    Case(
        "department-detail",
        "get",
        api(lambda w: f"departments/{department(w).pk}/"),
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "department-detail",
        "patch",
        api(lambda w: f"departments/{department(w).pk}/"),
        API_EDITORS_WRITE,
        data=lambda w: {"description": "Brand platform"},
        headers=if_match_of(department),
        api=True,
    ),
    Case(
        "department-detail",
        "put",
        api(lambda w: f"departments/{department(w).pk}/"),
        API_EDITORS_WRITE,
        data=lambda w: {"name": "Brand", "code": "BRAND", "sort_order": 2},
        headers=if_match_of(department),
        api=True,
    ),
    Case(
        "department-detail",
        "delete",
        api(lambda w: f"departments/{spare_department(w).pk}/"),
        API_DELETE,
        headers=if_match_of(spare_department),
        api=True,
    ),
    # --- API: the RACI matrix ---------------------------------------------------------------
    Case("raci-list", "get", api("raci/"), API_LIST, api=True),
    Case(
        "raci-list",
        "post",
        api("raci/"),
        API_CREATE,
        data=lambda w: {
            "plan": w.plan.pk,
            "kind": "milestone",
            "name": "618 readiness",
            "cells": cells(w),
        },
        api=True,
    ),
    Case(
        "raci-detail",
        "get",
        api(lambda w: f"raci/{workstream(w).pk}/"),
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "raci-detail",
        "patch",
        api(lambda w: f"raci/{workstream(w).pk}/"),
        API_EDITORS_WRITE,
        data=lambda w: {"cells": cells(w)},
        headers=if_match_of(workstream),
        api=True,
    ),
    Case(
        "raci-detail",
        "put",
        api(lambda w: f"raci/{workstream(w).pk}/"),
        API_EDITORS_WRITE,
        data=lambda w: {"kind": "other", "name": "Retail roll-out", "cells": cells(w)},
        headers=if_match_of(workstream),
        api=True,
    ),
    Case(
        "raci-detail",
        "delete",
        api(lambda w: f"raci/{workstream(w).pk}/"),
        API_DELETE,
        headers=if_match_of(workstream),
        api=True,
    ),
    # --- API: communication rules -----------------------------------------------------------
    Case("communication-rule-list", "get", api("communication-rules/"), API_LIST, api=True),
    Case(
        "communication-rule-list",
        "post",
        api("communication-rules/"),
        API_CREATE,
        data=lambda w: {**rule_form(w), "plan": w.plan.pk},
        api=True,
    ),
    Case(
        "communication-rule-detail",
        "get",
        api(lambda w: f"communication-rules/{rule(w).pk}/"),
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "communication-rule-detail",
        "patch",
        api(lambda w: f"communication-rules/{rule(w).pk}/"),
        API_EDITORS_WRITE,
        data=lambda w: {"cadence": "biweekly"},
        headers=if_match_of(rule),
        api=True,
    ),
    Case(
        "communication-rule-detail",
        "put",
        api(lambda w: f"communication-rules/{rule(w).pk}/"),
        API_EDITORS_WRITE,
        data=rule_form,
        headers=if_match_of(rule),
        api=True,
    ),
    Case(
        "communication-rule-detail",
        "delete",
        api(lambda w: f"communication-rules/{rule(w).pk}/"),
        API_DELETE,
        headers=if_match_of(rule),
        api=True,
    ),
    # --- API: coordinator group and arbitration steps -----------------------------------------
    Case("coordinator-group-list", "get", api("coordinator-groups/"), API_LIST, api=True),
    Case(
        "coordinator-group-list",
        "post",
        api("coordinator-groups/"),
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk, "name": "Committee"},
        api=True,
    ),
    Case(
        "coordinator-group-detail",
        "get",
        api(lambda w: f"coordinator-groups/{group(w).pk}/"),
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "coordinator-group-detail",
        "patch",
        api(lambda w: f"coordinator-groups/{group(w).pk}/"),
        API_EDITORS_WRITE,
        data=lambda w: {"mandate": "Arbitrates budget conflicts."},
        headers=if_match_of(group),
        api=True,
    ),
    Case(
        "coordinator-group-detail",
        "put",
        api(lambda w: f"coordinator-groups/{group(w).pk}/"),
        API_EDITORS_WRITE,
        data=lambda w: {"name": "Committee", "departments": [department(w).pk]},
        headers=if_match_of(group),
        api=True,
    ),
    Case("arbitration-step-list", "get", api("arbitration-steps/"), API_LIST, api=True),
    Case(
        "arbitration-step-list",
        "post",
        api("arbitration-steps/"),
        API_CREATE,
        data=lambda w: {
            "plan": w.plan.pk,
            "level": 1,
            "name": "Leads",
            "decider": "Leads",
            "sla_hours": 24,
        },
        api=True,
    ),
    Case(
        "arbitration-step-detail",
        "get",
        api(lambda w: f"arbitration-steps/{step(w).pk}/"),
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "arbitration-step-detail",
        "patch",
        api(lambda w: f"arbitration-steps/{step(w).pk}/"),
        API_EDITORS_WRITE,
        data=lambda w: {"sla_hours": 36},
        headers=if_match_of(step),
        api=True,
    ),
    Case(
        "arbitration-step-detail",
        "put",
        api(lambda w: f"arbitration-steps/{step(w).pk}/"),
        API_EDITORS_WRITE,
        data=lambda w: {"level": 1, "name": "Leads", "decider": "Leads", "sla_hours": 12},
        headers=if_match_of(step),
        api=True,
    ),
    Case(
        "arbitration-step-detail",
        "delete",
        api(lambda w: f"arbitration-steps/{spare_step(w).pk}/"),
        API_DELETE,
        headers=if_match_of(spare_step),
        api=True,
    ),
    # --- API: conflicts ---------------------------------------------------------------------
    Case("conflict-list", "get", api("conflicts/"), API_LIST, api=True),
    Case(
        "conflict-list",
        "post",
        api("conflicts/"),
        API_CREATE,
        data=lambda w: {
            "plan": w.plan.pk,
            "title": "Host booked twice",
            "departments": [d.pk for d in departments(w)[:2]] if step(w) else [],
        },
        api=True,
    ),
    Case(
        "conflict-detail",
        "get",
        api(lambda w: f"conflicts/{conflict(w).pk}/"),
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "conflict-detail",
        "patch",
        api(lambda w: f"conflicts/{conflict(w).pk}/"),
        API_EDITORS_WRITE,
        data=lambda w: {"description": "Both want the 8 pm slot."},
        headers=if_match_of(conflict),
        api=True,
    ),
    Case(
        "conflict-detail",
        "put",
        api(lambda w: f"conflicts/{conflict(w).pk}/"),
        API_EDITORS_WRITE,
        data=lambda w: {
            "title": "Douyin budget",
            "departments": [d.pk for d in departments(w)],
        },
        headers=if_match_of(conflict),
        api=True,
    ),
    Case(
        "conflict-escalate",
        "post",
        api(lambda w: f"conflicts/{conflict(w).pk}/escalate/"),
        API_EDITORS_WRITE,
        headers=if_match_of(conflict),
        api=True,
    ),
    Case(
        "conflict-resolve",
        "post",
        api(lambda w: f"conflicts/{conflict(w).pk}/resolve/"),
        API_EDITORS_WRITE,
        data=lambda w: {"outcome": "Split the budget 60/40."},
        headers=if_match_of(conflict),
        api=True,
    ),
    # --- API: collaboration scores (managers write) -----------------------------------------
    Case("collaboration-score-list", "get", api("collaboration-scores/"), API_LIST, api=True),
    Case(
        "collaboration-score-list",
        "post",
        api("collaboration-scores/"),
        API_MANAGERS_CREATE,
        data=lambda w: {
            "plan": w.plan.pk,
            "department": department(w).pk,
            "quarter": 2,
            **score_form(w),
        },
        api=True,
    ),
    Case(
        "collaboration-score-detail",
        "get",
        api(lambda w: f"collaboration-scores/{score(w).pk}/"),
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "collaboration-score-detail",
        "patch",
        api(lambda w: f"collaboration-scores/{score(w).pk}/"),
        API_MANAGERS_WRITE,
        data=lambda w: {"delivery": 5},
        headers=if_match_of(score),
        api=True,
    ),
    Case(
        "collaboration-score-detail",
        "put",
        api(lambda w: f"collaboration-scores/{score(w).pk}/"),
        API_MANAGERS_WRITE,
        data=lambda w: {**score_form(w), "comment": "Better hand-overs."},
        headers=if_match_of(score),
        api=True,
    ),
    Case(
        "collaboration-score-detail",
        "delete",
        api(lambda w: f"collaboration-scores/{score(w).pk}/"),
        API_MANAGERS_DELETE,
        headers=if_match_of(score),
        api=True,
    ),
]
