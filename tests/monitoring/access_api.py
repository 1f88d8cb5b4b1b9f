"""Access cases of the monitoring API (see tests/access_cases.py): every route and method."""

from __future__ import annotations

from typing import Any

from monitoring import services
from monitoring.models import Alert, AlertRule, AlertStatus, MetricImport
from tests.access_cases import (
    API_CREATE,
    API_DELETE,
    API_EDITORS_WRITE,
    API_MEMBERS_READ,
    Case,
    api_plan,
    expect,
    if_match_of,
)
from tests.monitoring.seed import alert, channel, rule

API_LIST = expect(200, 200, 200, 200, 200, 401)
API_ACCEPTED = expect(202, 202, 202, 403, 404, 401)


def a_rule(w: Any) -> AlertRule:
    return AlertRule.objects.filter(plan=w.plan).first() or rule(w)


def an_import(w: Any) -> MetricImport:
    return MetricImport.objects.filter(plan=w.plan).first() or MetricImport.objects.create(
        plan=w.plan, filename="march.csv", status="succeeded", rows_total=3, rows_inserted=3
    )


def open_alert(w: Any) -> Alert:
    return Alert.objects.filter(plan=w.plan, status=AlertStatus.OPEN).first() or alert(w)


def resolved_alert(w: Any) -> Alert:
    found = Alert.objects.filter(plan=w.plan, status=AlertStatus.RESOLVED).first()
    return found or alert(w, status=AlertStatus.RESOLVED, dedup_key="test:resolved")


def settings_version(w: Any) -> dict[str, str]:
    return {"HTTP_IF_MATCH": f'"{services.settings_for(w.plan).version}"'}


def metric_rows(w: Any) -> dict[str, Any]:
    return {
        "rows": [
            {
                "date": "2027-03-01",
                "channel": "douyin",
                "impressions": 1000,
                "clicks": 40,
                "visits": 30,
                "signups": 4,
                "conversions": 2,
                "new_users": 1,
                "spend": "120.00",
                "revenue": "256.00",
            }
        ]
    }


def rule_body(w: Any) -> dict[str, Any]:
    return {
        "name": "Douyin spend above 5,000",
        "metric": "spend",
        "channel": channel(w, "douyin").pk,
        "kind": "bounds",
        "lower": None,
        "upper": 5000,
        "change_pct": None,
        "baseline_days": 28,
        "threshold": 3.5,
        "severity": "critical",
        "is_active": True,
    }


CASES: list[Case] = [
    # imports
    Case(
        "plan-metrics-import",
        "post",
        api_plan("metrics/import/"),
        API_EDITORS_WRITE,
        data=metric_rows,
        api=True,
    ),
    Case("metric-import-list", "get", lambda w: "/api/v1/metric-imports/", API_LIST, api=True),
    Case(
        "metric-import-detail",
        "get",
        lambda w: f"/api/v1/metric-imports/{an_import(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    # funnel, grades, recompute, settings
    Case("plan-funnel", "get", api_plan("funnel/?group_by=channel"), API_MEMBERS_READ, api=True),
    Case("plan-channel-grades", "get", api_plan("channel-grades/"), API_MEMBERS_READ, api=True),
    Case("plan-recompute", "post", api_plan("recompute/"), API_ACCEPTED, api=True),
    Case(
        "plan-monitoring-settings",
        "get",
        api_plan("monitoring-settings/"),
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "plan-monitoring-settings",
        "put",
        api_plan("monitoring-settings/"),
        API_EDITORS_WRITE,
        data=lambda w: {"max_shift": 0.15, "grade_cutoffs": {"a": 75, "b": 45}},
        headers=settings_version,
        api=True,
    ),
    # alert rules
    Case("alert-rule-list", "get", lambda w: "/api/v1/alert-rules/", API_LIST, api=True),
    Case(
        "alert-rule-list",
        "post",
        lambda w: "/api/v1/alert-rules/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk, **rule_body(w)},
        api=True,
    ),
    Case(
        "alert-rule-detail",
        "get",
        lambda w: f"/api/v1/alert-rules/{a_rule(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "alert-rule-detail",
        "patch",
        lambda w: f"/api/v1/alert-rules/{a_rule(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"upper": 2000},
        headers=if_match_of(a_rule),
        api=True,
    ),
    Case(
        "alert-rule-detail",
        "put",
        lambda w: f"/api/v1/alert-rules/{a_rule(w).pk}/",
        API_EDITORS_WRITE,
        data=rule_body,
        headers=if_match_of(a_rule),
        api=True,
    ),
    Case(
        "alert-rule-detail",
        "delete",
        lambda w: f"/api/v1/alert-rules/{a_rule(w).pk}/",
        API_DELETE,
        headers=if_match_of(a_rule),
        api=True,
    ),
    # alerts
    Case("alert-list", "get", lambda w: "/api/v1/alerts/?status=open", API_LIST, api=True),
    Case(
        "alert-detail",
        "get",
        lambda w: f"/api/v1/alerts/{open_alert(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "alert-acknowledge",
        "post",
        lambda w: f"/api/v1/alerts/{open_alert(w).pk}/acknowledge/",
        API_EDITORS_WRITE,
        data=lambda w: {"note": "Looking into it"},
        headers=if_match_of(open_alert),
        api=True,
    ),
    Case(
        "alert-resolve",
        "post",
        lambda w: f"/api/v1/alerts/{open_alert(w).pk}/resolve/",
        API_EDITORS_WRITE,
        data=lambda w: {"note": "Fixed"},
        headers=if_match_of(open_alert),
        api=True,
    ),
    Case(
        "alert-reopen",
        "post",
        lambda w: f"/api/v1/alerts/{resolved_alert(w).pk}/reopen/",
        API_EDITORS_WRITE,
        headers=if_match_of(resolved_alert),
        api=True,
    ),
]
