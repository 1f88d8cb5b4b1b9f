"""Access cases of the manager's dashboard: the page and its API (see tests/access_cases.py)."""

from __future__ import annotations

from tests.access_cases import API_MEMBERS_READ, MEMBERS_READ, Case, api_plan, plan_url

CASES: list[Case] = [
    Case("planner:execution-dashboard", "get", plan_url("execution/dashboard/"), MEMBERS_READ),
    Case(
        "planner:execution-dashboard",
        "get",
        plan_url("execution/dashboard/?quarter=2027Q2"),
        MEMBERS_READ,
    ),
    Case("plan-dashboard", "get", api_plan("dashboard/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-dashboard",
        "get",
        api_plan("dashboard/?quarter=2027Q3"),
        API_MEMBERS_READ,
        api=True,
    ),
]
