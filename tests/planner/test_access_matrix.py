"""The access matrix: every route and every persona → the status it must get.

A meta-test walks the URL resolver and fails when a named route has no case
here, so a new page or endpoint cannot ship without its access rules tested.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from planner.models import Role
from tests.access_cases import (
    ADMIN_WRITE_REDIRECT,
    API_ADMIN_ONLY,
    API_CREATE,
    API_DELETE,
    API_EDITORS_WRITE,
    API_MEMBERS_READ,
    EDITORS_MAY,
    EDITORS_WRITE_REDIRECT,
    MEMBERS_READ,
    PERSONAS,
    Case,
    api_kpi,
    api_plan,
    expect,
    if_match_kpi,
    if_match_membership,
    if_match_of,
    if_match_plan,
    kpi_form,
    kpi_url,
    new_user_name,
    plan_url,
    viewer_membership,
)
from tests.budget.access_approvals import CASES as BUDGET_APPROVAL_CASES
from tests.budget.access_money import CASES as BUDGET_MONEY_CASES
from tests.budget.access_suppliers import CASES as BUDGET_SUPPLIER_CASES
from tests.budget.access_teams import CASES as BUDGET_TEAM_CASES
from tests.channels.helpers import cell, channel, cooperation, creator
from tests.content.access_cases import CASES as CONTENT_CASES
from tests.factories import PASSWORD
from tests.kpis.trees import goal, objective, small_tree
from tests.monitoring.access_api import CASES as MONITORING_API_CASES
from tests.monitoring.access_attribution import CASES as ATTRIBUTION_CASES
from tests.monitoring.access_pages import CASES as MONITORING_PAGE_CASES
from tests.monitoring.access_roi import CASES as ROI_CASES
from tests.monitoring.competitors.access import CASES as COMPETITOR_CASES
from tests.planner.access_activities import CASES as ACTIVITY_CASES
from tests.planner.access_chat import CASES as CHAT_CASES
from tests.planner.access_dashboard import CASES as DASHBOARD_CASES
from tests.planner.access_digest import CASES as DIGEST_CASES
from tests.planner.access_execution import CASES as EXECUTION_CASES
from tests.planner.access_export import CASES as EXPORT_CASES
from tests.planner.access_notify import CASES as NOTIFY_CASES
from tests.planner.access_versions import CASES as VERSION_CASES

CASES: list[Case] = [
    # --- public and account pages ---------------------------------------------------
    Case("healthz", "get", lambda w: "/healthz", expect(200, 200, 200, 200, 200, 200)),
    Case("login", "get", lambda w: "/accounts/login/", expect(302, 302, 302, 302, 302, 200)),
    Case("logout", "post", lambda w: "/accounts/logout/", expect(302, 302, 302, 302, 302, 302)),
    Case(
        "set_language",
        "post",
        lambda w: "/i18n/setlang/",
        expect(302, 302, 302, 302, 302, 302),
        data=lambda w: {"language": "zh-hans", "next": "/"},
    ),
    # --- workspaces -------------------------------------------------------------------
    Case("planner:home", "get", lambda w: "/", expect(200, 200, 200, 200, 200, 302)),
    Case(
        "planner:workspace-create",
        "post",
        lambda w: "/workspaces/new/",
        expect(302, 302, 302, 302, 302, 302),
        data=lambda w: {"name": "New brand team"},
    ),
    Case("planner:workspace", "get", lambda w: "/w/lumi/", MEMBERS_READ),
    Case(
        "planner:plan-create",
        "get",
        lambda w: "/w/lumi/plans/new/",
        expect(200, 200, 200, 403, 404, 302),
    ),
    Case(
        "planner:plan-create",
        "post",
        lambda w: "/w/lumi/plans/new/",
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"name": "Scenario B", "year": 2028, "currency": "CNY"},
    ),
    Case(
        "planner:member-add",
        "post",
        lambda w: "/w/lumi/members/",
        ADMIN_WRITE_REDIRECT,
        data=lambda w: {"username": new_user_name(w), "role": "viewer"},
    ),
    Case(
        "planner:member-change",
        "post",
        lambda w: f"/w/lumi/members/{viewer_membership(w).pk}/",
        ADMIN_WRITE_REDIRECT,
        data=lambda w: {"role": "editor", "version": viewer_membership(w).version},
    ),
    # --- plan pages -----------------------------------------------------------------------
    Case("planner:plan", "get", plan_url(), MEMBERS_READ),
    Case("planner:plan-fields", "get", plan_url("fields/"), MEMBERS_READ),
    Case(
        "planner:plan-fields",
        "post",
        plan_url("fields/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "name": "Renamed",
            "year": 2027,
            "currency": "CNY",
            "description": "",
            "version": w.plan.version,
        },
    ),
    Case(
        "planner:plan-transition",
        "post",
        plan_url("transition/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"action": "submit", "comment": "", "version": w.plan.version},
    ),
    Case("planner:plan-history", "get", plan_url("history/"), MEMBERS_READ),
    Case("kpis:section", "get", plan_url("goals/"), MEMBERS_READ),
    Case("channels:section", "get", plan_url("channels/"), MEMBERS_READ),
    Case("content:section", "get", plan_url("content/"), MEMBERS_READ),
    Case("monitoring:section", "get", plan_url("monitoring/"), MEMBERS_READ),
    # --- API ---------------------------------------------------------------------------------
    Case(
        "api-token",
        "post",
        lambda w: "/api/v1/auth/token/",
        expect(200, 200, 200, 200, 200, 400),
        api=True,
    ),
    Case(
        "api-schema",
        "get",
        lambda w: "/api/schema/",
        expect(200, 200, 200, 200, 200, 200),
        api=True,
    ),
    Case("api-docs", "get", lambda w: "/api/docs/", expect(200, 200, 200, 200, 200, 200), api=True),
    Case("api-root", "get", lambda w: "/api/v1/", expect(200, 200, 200, 200, 200, 401), api=True),
    Case(
        "workspace-list",
        "get",
        lambda w: "/api/v1/workspaces/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "workspace-detail",
        "get",
        lambda w: f"/api/v1/workspaces/{w.workspace.pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "plan-list",
        "get",
        lambda w: "/api/v1/plans/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "plan-list",
        "post",
        lambda w: "/api/v1/plans/",
        expect(201, 201, 201, 403, 400, 401),
        data=lambda w: {"workspace": w.workspace.pk, "year": 2028, "name": "Scenario B"},
        api=True,
    ),
    Case("plan-detail", "get", api_plan(), API_MEMBERS_READ, api=True),
    Case(
        "plan-detail",
        "patch",
        api_plan(),
        API_EDITORS_WRITE,
        data=lambda w: {"name": "Renamed"},
        headers=if_match_plan,
        api=True,
    ),
    Case(
        "plan-detail",
        "put",
        api_plan(),
        API_EDITORS_WRITE,
        data=lambda w: {"name": "Renamed", "year": 2027, "currency": "CNY", "description": "x"},
        headers=if_match_plan,
        api=True,
    ),
    Case(
        "plan-detail",
        "delete",
        api_plan(),
        expect(204, 403, 403, 403, 404, 401),
        headers=if_match_plan,
        api=True,
    ),
    Case(
        "plan-transition",
        "post",
        api_plan("transition/"),
        API_EDITORS_WRITE,
        data=lambda w: {"action": "submit"},
        api=True,
    ),
    Case("plan-transitions", "get", api_plan("transitions/"), API_MEMBERS_READ, api=True),
    Case("plan-history", "get", api_plan("history/"), API_MEMBERS_READ, api=True),
    Case(
        "membership-list",
        "get",
        lambda w: "/api/v1/memberships/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "membership-list",
        "post",
        lambda w: "/api/v1/memberships/",
        expect(201, 403, 403, 403, 400, 401),
        data=lambda w: {
            "workspace": w.workspace.pk,
            "username": new_user_name(w),
            "role": "viewer",
        },
        api=True,
    ),
    Case(
        "membership-detail",
        "get",
        lambda w: f"/api/v1/memberships/{viewer_membership(w).pk}/",
        API_ADMIN_ONLY,
        api=True,
    ),
    Case(
        "membership-detail",
        "patch",
        lambda w: f"/api/v1/memberships/{viewer_membership(w).pk}/",
        API_ADMIN_ONLY,
        data=lambda w: {"role": "editor"},
        headers=if_match_membership,
        api=True,
    ),
    Case(
        "membership-detail",
        "put",
        lambda w: f"/api/v1/memberships/{viewer_membership(w).pk}/",
        API_ADMIN_ONLY,
        data=lambda w: {"role": "editor"},
        headers=if_match_membership,
        api=True,
    ),
    Case(
        "membership-detail",
        "delete",
        lambda w: f"/api/v1/memberships/{viewer_membership(w).pk}/",
        expect(204, 403, 403, 403, 404, 401),
        headers=if_match_membership,
        api=True,
    ),
]

# --- annual goals (kpis) ------------------------------------------------------------------


MONTHS = [str(100000)] * 12

CASES += [
    Case("kpis:kpi-create", "get", plan_url("goals/kpis/new/"), EDITORS_MAY),
    Case(
        "kpis:kpi-create",
        "post",
        plan_url("goals/kpis/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "kind": "ctr",
            "unit": "percent",
            "direction": "higher",
            "source": "manual",
            "annual_target": "1.5",
            "profile": "even",
        },
    ),
    Case("kpis:kpi", "get", kpi_url(), MEMBERS_READ),
    Case("kpis:kpi-edit", "get", kpi_url("edit/", "budget"), EDITORS_MAY),
    Case(
        "kpis:kpi-edit", "post", kpi_url("edit/", "budget"), EDITORS_WRITE_REDIRECT, data=kpi_form
    ),
    Case(
        "kpis:kpi-delete",
        "post",
        kpi_url("delete/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"version": small_tree(w)["new_users"].version},
    ),
    Case(
        "kpis:kpi-breakdown",
        "post",
        kpi_url("breakdown/", "budget"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: (
            {"action": "save", "version": small_tree(w)["budget"].version}
            | {f"m{m}": "100000" for m in range(1, 13)}
        ),
    ),
    Case(
        "kpis:kpi-actuals",
        "post",
        kpi_url("actuals/", "budget"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"a1": "90000", "a2": "110000"},
    ),
    Case(
        "kpis:goal-seek",
        "post",
        plan_url("goals/goal-seek/"),
        expect(200, 200, 200, 200, 404, 302),
        data=lambda w: (
            small_tree(w) and {"kpi": "new_users", "target": "30000", "solve_for": "budget"}
        ),
    ),
    Case(
        "kpis:objective-create",
        "post",
        plan_url("goals/objectives/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"area": "brand", "title": "Be talked about"},
    ),
    Case(
        "kpis:objective-save",
        "post",
        lambda w: f"/plans/{w.plan.pk}/goals/objectives/{objective(w).pk}/",
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"area": "growth", "title": "Grow faster", "version": objective(w).version},
    ),
    Case(
        "kpis:goal-create",
        "post",
        plan_url("goals/targets/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "family": "brand",
            "kind": "pr",
            "subject": "Summit",
            "indicator": "Reports",
            "unit": "count",
            "target": "30",
        },
    ),
    Case(
        "kpis:goal-save",
        "post",
        lambda w: f"/plans/{w.plan.pk}/goals/targets/{goal(w).pk}/",
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"delete": "1", "version": goal(w).version},
    ),
    Case(
        "kpis:policy",
        "post",
        plan_url("goals/policy/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"version": 1, "at_risk_below": "90", "off_track_below": "80"},
    ),
    # API
    Case(
        "objective-list",
        "get",
        lambda w: "/api/v1/objectives/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "objective-list",
        "post",
        lambda w: "/api/v1/objectives/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk, "area": "brand", "title": "Be talked about"},
        api=True,
    ),
    Case(
        "objective-detail",
        "get",
        lambda w: f"/api/v1/objectives/{objective(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "objective-detail",
        "patch",
        lambda w: f"/api/v1/objectives/{objective(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"title": "Grow faster"},
        headers=if_match_of(objective),
        api=True,
    ),
    Case(
        "objective-detail",
        "put",
        lambda w: f"/api/v1/objectives/{objective(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {
            "area": "growth",
            "title": "Grow faster",
            "description": "",
            "sort_order": 0,
        },
        headers=if_match_of(objective),
        api=True,
    ),
    Case(
        "objective-detail",
        "delete",
        lambda w: f"/api/v1/objectives/{objective(w).pk}/",
        API_DELETE,
        headers=if_match_of(objective),
        api=True,
    ),
    Case(
        "kpi-list", "get", lambda w: "/api/v1/kpis/", expect(200, 200, 200, 200, 200, 401), api=True
    ),
    Case(
        "kpi-list",
        "post",
        lambda w: "/api/v1/kpis/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk, "kind": "ctr", "annual_target": "0.015"},
        api=True,
    ),
    Case("kpi-detail", "get", api_kpi(), API_MEMBERS_READ, api=True),
    Case(
        "kpi-detail",
        "patch",
        api_kpi("", "budget"),
        API_EDITORS_WRITE,
        data=lambda w: {"annual_target": "1500000"},
        headers=if_match_kpi("budget"),
        api=True,
    ),
    Case(
        "kpi-detail",
        "put",
        api_kpi("", "budget"),
        API_EDITORS_WRITE,
        data=lambda w: {
            "code": "budget",
            "name": "Budget",
            "kind": "budget",
            "unit": "money",
            "direction": "lower",
            "source": "manual",
            "formula": "",
            "annual_target": "1500000",
            "profile": "even",
            "sort_order": 0,
        },
        headers=if_match_kpi("budget"),
        api=True,
    ),
    Case(
        "kpi-detail", "delete", api_kpi(), API_DELETE, headers=if_match_kpi("new_users"), api=True
    ),
    Case("kpi-breakdown", "get", api_kpi("breakdown/", "budget"), API_MEMBERS_READ, api=True),
    Case(
        "kpi-breakdown",
        "put",
        api_kpi("breakdown/", "budget"),
        API_EDITORS_WRITE,
        data=lambda w: {"months": MONTHS},
        headers=if_match_kpi("budget"),
        api=True,
    ),
    Case("kpi-actuals", "get", api_kpi("actuals/", "budget"), API_MEMBERS_READ, api=True),
    Case(
        "kpi-actuals",
        "put",
        api_kpi("actuals/", "budget"),
        API_EDITORS_WRITE,
        data=lambda w: {"actuals": {"1": "95000", "2": None}},
        api=True,
    ),
    Case(
        "strategic-goal-list",
        "get",
        lambda w: "/api/v1/strategic-goals/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "strategic-goal-list",
        "post",
        lambda w: "/api/v1/strategic-goals/",
        API_CREATE,
        data=lambda w: {
            "plan": w.plan.pk,
            "family": "brand",
            "kind": "pr",
            "subject": "Summit",
            "indicator": "Reports",
            "unit": "count",
            "target": "30",
        },
        api=True,
    ),
    Case(
        "strategic-goal-detail",
        "get",
        lambda w: f"/api/v1/strategic-goals/{goal(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "strategic-goal-detail",
        "patch",
        lambda w: f"/api/v1/strategic-goals/{goal(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"target": "0.09"},
        headers=if_match_of(goal),
        api=True,
    ),
    Case(
        "strategic-goal-detail",
        "put",
        lambda w: f"/api/v1/strategic-goals/{goal(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {
            "family": "market",
            "kind": "competitor",
            "subject": "HeyTea",
            "indicator": "Share",
            "unit": "percent",
            "target": "0.09",
            "notes": "",
        },
        headers=if_match_of(goal),
        api=True,
    ),
    Case(
        "strategic-goal-detail",
        "delete",
        lambda w: f"/api/v1/strategic-goals/{goal(w).pk}/",
        API_DELETE,
        headers=if_match_of(goal),
        api=True,
    ),
    Case("plan-kpi-tree", "get", api_plan("kpi-tree/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-goal-seek",
        "post",
        api_plan("goal-seek/"),
        API_MEMBERS_READ,
        data=lambda w: (
            small_tree(w) and {"kpi": "new_users", "target": 30000, "solve_for": "budget"}
        ),
        api=True,
    ),
    Case("plan-attainment", "get", api_plan("attainment/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-attainment-policy", "get", api_plan("attainment-policy/"), API_MEMBERS_READ, api=True
    ),
    Case(
        "plan-attainment-policy",
        "put",
        api_plan("attainment-policy/"),
        API_EDITORS_WRITE,
        data=lambda w: {"at_risk_below": "0.9", "off_track_below": "0.8"},
        headers=lambda w: {"HTTP_IF_MATCH": '"1"'},
        api=True,
    ),
]

# --- channel strategy -----------------------------------------------------------------------


def roster_csv(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"name,platform,tier,followers,fee\nLeaf Li,Xiaohongshu,koc,12000,800\n"
    return {"file": SimpleUploadedFile("roster.csv", body, content_type="text/csv")}


CASES += [
    Case(
        "channels:channel-create",
        "post",
        plan_url("channels/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "code": "kuaishou",
            "name": "Kuaishou",
            "family": "online",
            "group": "social",
            "formats": ["short_video"],
        },
    ),
    Case(
        "channels:channel-edit",
        "get",
        lambda w: f"/plans/{w.plan.pk}/channels/{channel(w).pk}/edit/",
        EDITORS_MAY,
    ),
    Case(
        "channels:channel-edit",
        "post",
        lambda w: f"/plans/{w.plan.pk}/channels/{channel(w).pk}/edit/",
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "code": "douyin",
            "name": "Douyin",
            "name_zh": "抖音",
            "family": "online",
            "group": "social",
            "platform": "Douyin",
            "formats": ["short_video"],
            "is_active": "on",
            "version": channel(w).version,
        },
    ),
    Case("channels:matrix", "get", plan_url("channels/matrix/"), MEMBERS_READ),
    Case(
        "channels:cell",
        "get",
        lambda w: f"/plans/{w.plan.pk}/channels/matrix/{channel(w).pk}/q2/",
        MEMBERS_READ,
    ),
    Case(
        "channels:cell",
        "post",
        lambda w: f"/plans/{w.plan.pk}/channels/matrix/{channel(w).pk}/q2/",
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"role": "Reach", "budget": "50000", "version": 0},
    ),
    Case("channels:kol", "get", plan_url("channels/kol/"), MEMBERS_READ),
    Case(
        "channels:creator-create",
        "post",
        plan_url("channels/kol/creators/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "name": "Leaf Li",
            "platform": "Xiaohongshu",
            "tier": "koc",
            "followers": "12000",
            "fee": "800",
        },
    ),
    Case(
        "channels:creator-save",
        "post",
        lambda w: f"/plans/{w.plan.pk}/channels/kol/creators/{creator(w).pk}/",
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"delete": "1", "version": creator(w).version},
    ),
    Case(
        "channels:cooperation-create",
        "post",
        plan_url("channels/kol/cooperations/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "creator": creator(w).pk,
            "campaign": "618",
            "date": "2027-06-01",
            "fee": "1000",
            "views": "10",
            "engagements": "1",
            "clicks": "0",
            "conversions": "0",
            "gmv": "0",
        },
    ),
    Case(
        "channels:cooperation-save",
        "post",
        lambda w: f"/plans/{w.plan.pk}/channels/kol/cooperations/{cooperation(w).pk}/",
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"delete": "1", "version": cooperation(w).version},
    ),
    Case(
        "channels:roster-import",
        "post",
        plan_url("channels/kol/import/"),
        EDITORS_WRITE_REDIRECT,
        data=roster_csv,
    ),
    Case("channels:mix", "get", plan_url("channels/mix/"), MEMBERS_READ),
    # API
    Case(
        "channel-list",
        "get",
        lambda w: "/api/v1/channels/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "channel-list",
        "post",
        lambda w: "/api/v1/channels/",
        API_CREATE,
        api=True,
        data=lambda w: {
            "plan": w.plan.pk,
            "code": "kuaishou",
            "name": "Kuaishou",
            "family": "online",
            "group": "social",
        },
    ),
    Case(
        "channel-detail",
        "get",
        lambda w: f"/api/v1/channels/{channel(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "channel-detail",
        "patch",
        lambda w: f"/api/v1/channels/{channel(w).pk}/",
        API_EDITORS_WRITE,
        api=True,
        data=lambda w: {"name_zh": "抖音"},
        headers=if_match_of(channel),
    ),
    Case(
        "channel-detail",
        "put",
        lambda w: f"/api/v1/channels/{channel(w).pk}/",
        API_EDITORS_WRITE,
        api=True,
        data=lambda w: {
            "code": "douyin",
            "name": "Douyin",
            "name_zh": "抖音",
            "family": "online",
            "group": "social",
            "platform": "Douyin",
            "formats": ["short_video"],
            "is_active": True,
            "sort_order": 40,
        },
        headers=if_match_of(channel),
    ),
    Case(
        "channel-detail",
        "delete",
        lambda w: f"/api/v1/channels/{channel(w).pk}/",
        API_DELETE,
        api=True,
        headers=if_match_of(channel),
    ),
    Case(
        "channel-plan-list",
        "get",
        lambda w: "/api/v1/channel-plans/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "channel-plan-list",
        "post",
        lambda w: "/api/v1/channel-plans/",
        API_CREATE,
        api=True,
        data=lambda w: {
            "channel": channel(w, "tmall").pk,
            "quarter": 3,
            "budget": "40000",
            "role": "Sales",
        },
    ),
    Case(
        "channel-plan-detail",
        "get",
        lambda w: f"/api/v1/channel-plans/{cell(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "channel-plan-detail",
        "patch",
        lambda w: f"/api/v1/channel-plans/{cell(w).pk}/",
        API_EDITORS_WRITE,
        api=True,
        data=lambda w: {"budget": "120000"},
        headers=if_match_of(cell),
    ),
    Case(
        "channel-plan-detail",
        "put",
        lambda w: f"/api/v1/channel-plans/{cell(w).pk}/",
        API_EDITORS_WRITE,
        api=True,
        data=lambda w: {
            "role": "Reach",
            "formats": [],
            "audience": "",
            "budget": "1",
            "kpis": [],
            "notes": "",
        },
        headers=if_match_of(cell),
    ),
    Case(
        "channel-plan-detail",
        "delete",
        lambda w: f"/api/v1/channel-plans/{cell(w).pk}/",
        API_DELETE,
        api=True,
        headers=if_match_of(cell),
    ),
    Case(
        "creator-list",
        "get",
        lambda w: "/api/v1/creators/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "creator-list",
        "post",
        lambda w: "/api/v1/creators/",
        API_CREATE,
        api=True,
        data=lambda w: {
            "plan": w.plan.pk,
            "name": "Leaf Li",
            "platform": "Xiaohongshu",
            "tier": "koc",
        },
    ),
    Case(
        "creator-detail",
        "get",
        lambda w: f"/api/v1/creators/{creator(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "creator-detail",
        "patch",
        lambda w: f"/api/v1/creators/{creator(w).pk}/",
        API_EDITORS_WRITE,
        api=True,
        data=lambda w: {"followers": 6000000},
        headers=if_match_of(creator),
    ),
    Case(
        "creator-detail",
        "put",
        lambda w: f"/api/v1/creators/{creator(w).pk}/",
        API_EDITORS_WRITE,
        api=True,
        data=lambda w: {
            "name": "Tea Master Lin",
            "platform": "Douyin",
            "tier": "head",
            "followers": 1,
            "fee": "1",
            "category": "",
            "profile_url": "",
        },
        headers=if_match_of(creator),
    ),
    Case(
        "creator-detail",
        "delete",
        lambda w: f"/api/v1/creators/{creator(w).pk}/",
        API_DELETE,
        api=True,
        headers=if_match_of(creator),
    ),
    Case(
        "creator-roster-import",
        "post",
        lambda w: "/api/v1/creators/import/",
        expect(200, 200, 200, 403, 400, 401),
        api=True,
        data=lambda w: {"plan": w.plan.pk} | roster_csv(w),
    ),
    Case(
        "cooperation-list",
        "get",
        lambda w: "/api/v1/cooperations/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "cooperation-list",
        "post",
        lambda w: "/api/v1/cooperations/",
        API_CREATE,
        api=True,
        data=lambda w: {"creator": creator(w).pk, "campaign": "618", "date": "2027-06-01"},
    ),
    Case(
        "cooperation-detail",
        "get",
        lambda w: f"/api/v1/cooperations/{cooperation(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "cooperation-detail",
        "patch",
        lambda w: f"/api/v1/cooperations/{cooperation(w).pk}/",
        API_EDITORS_WRITE,
        api=True,
        data=lambda w: {"conversions": 2100},
        headers=if_match_of(cooperation),
    ),
    Case(
        "cooperation-detail",
        "put",
        lambda w: f"/api/v1/cooperations/{cooperation(w).pk}/",
        API_EDITORS_WRITE,
        api=True,
        data=lambda w: {
            "campaign": "Spring",
            "date": "2027-01-20",
            "deliverables": "",
            "fee": "1",
            "views": 1,
            "engagements": 1,
            "clicks": 1,
            "conversions": 1,
            "gmv": "1",
        },
        headers=if_match_of(cooperation),
    ),
    Case(
        "cooperation-detail",
        "delete",
        lambda w: f"/api/v1/cooperations/{cooperation(w).pk}/",
        API_DELETE,
        api=True,
        headers=if_match_of(cooperation),
    ),
    Case("plan-channel-matrix", "get", api_plan("channel-matrix/"), API_MEMBERS_READ, api=True),
    Case("plan-kol-programme", "get", api_plan("kol-programme/"), API_MEMBERS_READ, api=True),
]

# Routes whose access is someone else's business, with the reason.
NOT_IN_MATRIX = {
    "admin": "Django admin: staff-only by Django's own checks, not workspace data",
    "django.contrib.staticfiles": "static files (DEBUG only)",
}


CASES += CONTENT_CASES
CASES += BUDGET_MONEY_CASES
CASES += BUDGET_APPROVAL_CASES
CASES += BUDGET_TEAM_CASES
CASES += BUDGET_SUPPLIER_CASES
CASES += MONITORING_API_CASES
CASES += MONITORING_PAGE_CASES
CASES += ATTRIBUTION_CASES
CASES += ROI_CASES
CASES += COMPETITOR_CASES
CASES += EXECUTION_CASES
CASES += ACTIVITY_CASES
CASES += DASHBOARD_CASES
CASES += EXPORT_CASES
CASES += CHAT_CASES
CASES += VERSION_CASES
CASES += DIGEST_CASES
CASES += NOTIFY_CASES


def _route_names(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in NOT_IN_MATRIX:
                continue
            names |= _route_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            if entry.name:
                names.add(f"{namespace}{entry.name}")
            elif entry.lookup_str.startswith("django.contrib.staticfiles"):
                continue
            else:
                names.add(f"<unnamed {entry.pattern}>")
    return names


def test_every_route_has_an_access_case():
    routes = _route_names(get_resolver().url_patterns)
    covered = {case.route for case in CASES}
    missing = sorted(routes - covered)
    assert not missing, f"routes without a case in the access matrix: {missing}"
    stale = sorted(covered - routes)
    assert not stale, f"cases for routes that no longer exist: {stale}"


def _request(case: Case, persona: str, world: Any, client_for: Any, api_for: Any) -> Any:
    if case.route == "api-token":
        username = world.users[persona].username if persona != "anonymous" else "nobody"
        password = PASSWORD if persona != "anonymous" else "wrong-password"
        return api_for("anonymous").post(
            case.path(world), {"username": username, "password": password}, format="json"
        )
    data = case.data(world)
    headers = case.headers(world)
    url = case.path(world)
    if case.api:
        client = api_for(persona)
        if any(hasattr(v, "read") for v in data.values()):
            return getattr(client, case.method)(url, data, format="multipart", **headers)
        return getattr(client, case.method)(url, data or None, format="json", **headers)
    client = client_for(persona)
    if case.method == "get":
        return client.get(url, **headers)
    return getattr(client, case.method)(url, data, **headers)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_access_matrix(case: Case, persona: str, world, client_for, api_for):
    response = _request(case, persona, world, client_for, api_for)
    assert response.status_code == case.expected[persona], (
        f"{case.id} as {persona}: {response.status_code}, expected {case.expected[persona]}: "
        f"{response.content[:300]!r}"
    )


@pytest.mark.parametrize(
    "url",
    ["/api/v1/plans/", "/api/v1/workspaces/", "/api/v1/memberships/"],
)
def test_outsider_lists_show_no_rows_of_other_workspaces(url, world, api_for):
    # given another workspace's admin
    # when they list plans, workspaces and memberships
    rows = api_for("outsider").get(url).json()["results"]
    # then nothing of the first workspace is there
    assert rows, "the outsider sees their own workspace's rows"
    text = json.dumps(rows)
    assert "Lumi Tea" not in text and "Annual plan" not in text
    for row in rows:
        assert row.get("workspace", row.get("id")) == world.other_workspace.pk


def test_membership_list_shows_only_workspaces_the_user_administers(world, api_for):
    assert api_for("viewer").get("/api/v1/memberships/").json()["results"] == []
    admin_rows = api_for("admin").get("/api/v1/memberships/").json()["results"]
    assert {row["username"] for row in admin_rows} == {
        "admin-user",
        "manager-user",
        "editor-user",
        "viewer-user",
    }


def test_outsider_cannot_reach_plan_through_html_with_a_guessed_id(world, client_for):
    response = client_for("outsider").get(f"/plans/{world.plan.pk}/")
    assert response.status_code == 404
    assert b"Annual plan" not in response.content


def test_roles_are_ordered():
    from planner.access import Action, roles_allowed

    assert roles_allowed(Action.VIEW) == [Role.VIEWER, Role.EDITOR, Role.MANAGER, Role.ADMIN]
    assert roles_allowed(Action.ADMIN) == [Role.ADMIN]
