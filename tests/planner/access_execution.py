"""Access cases of the execution section (milestones, risks, playbooks, the alert → playbook
steps) — pages and API, every route and method; see tests/access_cases.py."""

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
from tests.planner.execution.helpers import milestone, playbook, playbook_alert, risk, step


def _ms(suffix: str = "") -> Any:
    return lambda w: f"/plans/{w.plan.pk}/execution/milestones/{milestone(w).pk}/{suffix}"


def _risk(w: Any) -> str:
    return f"/plans/{w.plan.pk}/execution/risks/{risk(w).pk}/"


def _pb(suffix: str = "") -> Any:
    return lambda w: f"/plans/{w.plan.pk}/execution/playbooks/{playbook(w).pk}/{suffix}"


def _ack(w: Any) -> str:
    alert = playbook_alert(w)
    return f"/plans/{w.plan.pk}/execution/alerts/{alert.pk}/steps/{step(w).pk}/ack/"


MILESTONE_FORM = {
    "title": "Spring Festival members",
    "quarter": "1",
    "start": "2027-01-01",
    "due": "2027-03-31",
    "description": "",
    "sort_order": "0",
}
RISK_FORM = {
    "title": "Key supplier misses delivery",
    "category": "supplier",
    "impact": "3",
    "likelihood": "2",
    "status": "open",
    "response": "",
    "triggers": "",
    "trigger_metrics": "",
}
PLAYBOOK_FORM = {
    "title": "Stock-out",
    "scenario": "A best-seller sells out during 618.",
    "statement_zh": "",
    "statement_en": "",
    "legal_contact": "",
    "pr_contact": "",
    "steps": "Supply lead | Liu | 60",
}

CASES: list[Case] = [
    # --- pages ---------------------------------------------------------------------------
    Case("planner:execution", "get", plan_url("execution/"), MEMBERS_READ),
    Case("planner:milestone-create", "get", plan_url("execution/milestones/new/"), EDITORS_MAY),
    Case(
        "planner:milestone-create",
        "post",
        plan_url("execution/milestones/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: MILESTONE_FORM,
    ),
    Case("planner:milestone-edit", "get", _ms(), MEMBERS_READ),
    Case(
        "planner:milestone-edit",
        "post",
        _ms(),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: MILESTONE_FORM | {"version": milestone(w).version},
    ),
    Case(
        "planner:milestone-status",
        "post",
        _ms("status/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "action": "override",
            "status": "at_risk",
            "reason": "Supplier delay",
            "version": milestone(w).version,
        },
    ),
    Case("planner:execution-risks", "get", plan_url("execution/risks/"), MEMBERS_READ),
    Case("planner:risk-create", "get", plan_url("execution/risks/new/"), EDITORS_MAY),
    Case(
        "planner:risk-create",
        "post",
        plan_url("execution/risks/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: RISK_FORM,
    ),
    Case("planner:risk-edit", "get", _risk, MEMBERS_READ),
    Case(
        "planner:risk-edit",
        "post",
        _risk,
        EDITORS_WRITE_REDIRECT,
        data=lambda w: RISK_FORM | {"version": risk(w).version},
    ),
    Case("planner:execution-playbooks", "get", plan_url("execution/playbooks/"), MEMBERS_READ),
    Case("planner:playbook-create", "get", plan_url("execution/playbooks/new/"), EDITORS_MAY),
    Case(
        "planner:playbook-create",
        "post",
        plan_url("execution/playbooks/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: PLAYBOOK_FORM,
    ),
    Case("planner:playbook", "get", _pb(), MEMBERS_READ),
    Case("planner:playbook-edit", "get", _pb("edit/"), EDITORS_MAY),
    Case(
        "planner:playbook-edit",
        "post",
        _pb("edit/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: PLAYBOOK_FORM | {"version": playbook(w).version},
    ),
    Case(
        "planner:playbook-drill",
        "post",
        _pb("drills/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"held_on": "2026-10-01", "participants": "PR, legal", "findings": ""},
    ),
    Case("planner:playbook-step-ack", "post", _ack, EDITORS_WRITE_REDIRECT),
    # --- API -----------------------------------------------------------------------------
    Case(
        "milestone-list",
        "get",
        lambda w: f"/api/v1/milestones/?plan={w.plan.pk}&quarter=2",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "milestone-list",
        "post",
        lambda w: "/api/v1/milestones/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk} | MILESTONE_FORM | {"quarter": 1, "sort_order": 0},
        api=True,
    ),
    Case(
        "milestone-detail",
        "get",
        lambda w: f"/api/v1/milestones/{milestone(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "milestone-detail",
        "patch",
        lambda w: f"/api/v1/milestones/{milestone(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"title": "618 pre-sale: 32,000 members"},
        headers=if_match_of(milestone),
        api=True,
    ),
    Case(
        "milestone-detail",
        "put",
        lambda w: f"/api/v1/milestones/{milestone(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: MILESTONE_FORM | {"quarter": 1, "sort_order": 0, "kpis": []},
        headers=if_match_of(milestone),
        api=True,
    ),
    Case(
        "milestone-detail",
        "delete",
        lambda w: f"/api/v1/milestones/{milestone(w).pk}/",
        API_DELETE,
        headers=if_match_of(milestone),
        api=True,
    ),
    Case(
        "milestone-override",
        "post",
        lambda w: f"/api/v1/milestones/{milestone(w).pk}/override/",
        API_EDITORS_WRITE,
        data=lambda w: {"status": "at_risk", "reason": "Supplier delay"},
        headers=if_match_of(milestone),
        api=True,
    ),
    Case(
        "milestone-progress",
        "post",
        lambda w: f"/api/v1/milestones/{milestone(w).pk}/progress/",
        API_EDITORS_WRITE,
        data=lambda w: {"entered_progress": "0.4"},
        headers=if_match_of(milestone),
        api=True,
    ),
    Case(
        "risk-list",
        "get",
        lambda w: "/api/v1/risks/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "risk-list",
        "post",
        lambda w: "/api/v1/risks/",
        API_CREATE,
        data=lambda w: (
            {"plan": w.plan.pk}
            | RISK_FORM
            | {"impact": 3, "likelihood": 2}
            | {"trigger_metrics": ["cvr"]}
        ),
        api=True,
    ),
    Case(
        "risk-detail", "get", lambda w: f"/api/v1/risks/{risk(w).pk}/", API_MEMBERS_READ, api=True
    ),
    Case(
        "risk-detail",
        "patch",
        lambda w: f"/api/v1/risks/{risk(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"status": "mitigated"},
        headers=if_match_of(risk),
        api=True,
    ),
    Case(
        "risk-detail",
        "put",
        lambda w: f"/api/v1/risks/{risk(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: RISK_FORM | {"impact": 3, "likelihood": 2, "trigger_metrics": []},
        headers=if_match_of(risk),
        api=True,
    ),
    Case(
        "risk-detail",
        "delete",
        lambda w: f"/api/v1/risks/{risk(w).pk}/",
        API_DELETE,
        headers=if_match_of(risk),
        api=True,
    ),
    Case(
        "playbook-list",
        "get",
        lambda w: "/api/v1/playbooks/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "playbook-list",
        "post",
        lambda w: "/api/v1/playbooks/",
        API_CREATE,
        data=lambda w: {
            "plan": w.plan.pk,
            "title": "Stock-out",
            "scenario": "A best-seller sells out.",
            "steps": [{"role": "Supply lead", "person": "Liu", "response_minutes": 60}],
        },
        api=True,
    ),
    Case(
        "playbook-detail",
        "get",
        lambda w: f"/api/v1/playbooks/{playbook(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "playbook-detail",
        "patch",
        lambda w: f"/api/v1/playbooks/{playbook(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"pr_contact": "Chen Jing, 138 0000 0000"},
        headers=if_match_of(playbook),
        api=True,
    ),
    Case(
        "playbook-detail",
        "put",
        lambda w: f"/api/v1/playbooks/{playbook(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {
            "title": "PR crisis",
            "scenario": "A post goes viral.",
            "statement_zh": "",
            "statement_en": "",
            "legal_contact": "",
            "pr_contact": "",
            "steps": [],
        },
        headers=if_match_of(playbook),
        api=True,
    ),
    Case(
        "playbook-detail",
        "delete",
        lambda w: f"/api/v1/playbooks/{playbook(w).pk}/",
        API_DELETE,
        headers=if_match_of(playbook),
        api=True,
    ),
    Case(
        "playbook-drills",
        "post",
        lambda w: f"/api/v1/playbooks/{playbook(w).pk}/drills/",
        expect(201, 201, 201, 403, 404, 401),
        data=lambda w: {"held_on": "2026-10-01", "participants": "PR, legal"},
        api=True,
    ),
]
