"""Access cases of the budget section's suppliers (pages and API; see tests/access_cases.py)."""

from __future__ import annotations

from tests.access_cases import MEMBERS_READ, Case, plan_url

CASES: list[Case] = [
    Case("budget:suppliers", "get", plan_url("budget/suppliers/"), MEMBERS_READ),
]
