"""Access cases of plan versions, diffs and scenarios: pages and API (see tests/access_cases.py)."""

from __future__ import annotations

from typing import Any

from planner.models import Plan, PlanVersion
from tests.access_cases import (
    API_MEMBERS_READ,
    EDITORS_WRITE_REDIRECT,
    MEMBERS_READ,
    Case,
    api_plan,
    expect,
    plan_url,
)
from tests.factories import PlanFactory

API_EDITORS_CREATE = expect(201, 201, 201, 403, 404, 401)


def _with_version(suffix: str, api: bool = False) -> Any:
    """A URL of the world plan once it has version 1."""

    def path(w: Any) -> str:
        if not PlanVersion.objects.filter(plan=w.plan, number=1).exists():
            PlanVersion.objects.create(plan=w.plan, number=1, kind="snapshot", data={})
        return (api_plan(suffix) if api else plan_url(suffix))(w)

    return path


def _sibling(w: Any) -> Plan:
    found = Plan.objects.filter(workspace=w.workspace, scenario_of=w.plan).first()
    return found or PlanFactory(workspace=w.workspace, name="Scenario B", scenario_of=w.plan)


def _compare_with_sibling(api: bool) -> Any:
    def path(w: Any) -> str:
        suffix = f"scenarios/compare/?with={_sibling(w).pk}"
        return (api_plan(suffix) if api else plan_url(suffix))(w)

    return path


CASES: list[Case] = [
    Case("planner:versions", "get", plan_url("versions/"), MEMBERS_READ),
    Case(
        "planner:version-save",
        "post",
        plan_url("versions/save/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"note": "before the review"},
    ),
    Case(
        "planner:versions-compare",
        "get",
        _with_version("versions/compare/?from=1&to=now"),
        MEMBERS_READ,
    ),
    Case(
        "planner:scenario-create",
        "post",
        plan_url("scenarios/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"name": "Bolder social"},
    ),
    Case("planner:scenarios-compare", "get", _compare_with_sibling(api=False), MEMBERS_READ),
    Case("plan-versions", "get", api_plan("versions/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-versions",
        "post",
        api_plan("versions/"),
        API_EDITORS_CREATE,
        data=lambda w: {"note": "API snapshot"},
        api=True,
    ),
    Case("plan-version", "get", _with_version("versions/1/", api=True), API_MEMBERS_READ, api=True),
    Case(
        "plan-diff",
        "get",
        _with_version("diff/?from=1&to=now", api=True),
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "plan-scenarios",
        "post",
        api_plan("scenarios/"),
        API_EDITORS_CREATE,
        data=lambda w: {"name": "Leaner"},
        api=True,
    ),
    Case(
        "plan-scenarios-compare", "get", _compare_with_sibling(api=True), API_MEMBERS_READ, api=True
    ),
]
