"""Access cases of the digest PDF download (members, like the dashboard; see
tests/access_cases.py)."""

from __future__ import annotations

from tests.access_cases import MEMBERS_READ, Case, expect, plan_url

CASES: list[Case] = [
    Case("planner:digest-pdf", "get", plan_url("dashboard/digest.pdf"), MEMBERS_READ),
    Case(
        "planner:digest-pdf",
        "get",
        plan_url("dashboard/digest.pdf?quarter=2027Q2"),
        MEMBERS_READ,
    ),
    # a quarter of another year: refused for members, still 404 for outsiders
    Case(
        "planner:digest-pdf",
        "get",
        plan_url("dashboard/digest.pdf?quarter=2026Q2"),
        expect(400, 400, 400, 400, 404, 302),
    ),
    Case(
        "planner:digest-pdf",
        "post",
        plan_url("dashboard/digest.pdf"),
        expect(405, 405, 405, 405, 405, 302),
    ),
]
