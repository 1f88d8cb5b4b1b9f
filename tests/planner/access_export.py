"""Access cases of the plan exports: the document (HTML, PDF), the tables (XLSX, CSV)
and the export API (see tests/access_cases.py). Members export; outsiders get 404."""

from __future__ import annotations

from tests.access_cases import API_MEMBERS_READ, MEMBERS_READ, Case, api_plan, plan_url

CASES: list[Case] = [
    Case("planner:plan-document", "get", plan_url("document/"), MEMBERS_READ),
    Case("planner:plan-document-pdf", "get", plan_url("document.pdf"), MEMBERS_READ),
    Case("planner:plan-export-xlsx", "get", plan_url("export/plan.xlsx"), MEMBERS_READ),
    Case("planner:plan-export-section", "get", plan_url("export/goals.xlsx"), MEMBERS_READ),
    Case("planner:plan-export-section", "get", plan_url("export/budget.csv"), MEMBERS_READ),
    Case("plan-export", "get", api_plan("export/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-export",
        "get",
        api_plan("export/?type=csv&section=content"),
        API_MEMBERS_READ,
        api=True,
    ),
]
