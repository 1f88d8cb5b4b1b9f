"""Access cases of the budget section's approvals (pages and API; see tests/access_cases.py)."""

from __future__ import annotations

from tests.access_cases import MEMBERS_READ, Case, plan_url

CASES: list[Case] = [
    Case("budget:requests", "get", plan_url("budget/requests/"), MEMBERS_READ),
    Case("budget:reallocation", "get", plan_url("budget/review/"), MEMBERS_READ),
    Case("budget:reserve", "get", plan_url("budget/reserve/"), MEMBERS_READ),
]
