"""Access cases of the monitoring pages (see tests/access_cases.py): every route and method.

Reading a page needs membership; every write (and a rule's edit form) needs an editor.
Alerts, rules and imports are looked up within the URL's plan (outsiders get 404).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring import services
from monitoring.models import Alert, AlertRule, AlertStatus, MetricImport
from tests.access_cases import (
    EDITORS_MAY,
    EDITORS_WRITE_REDIRECT,
    MEMBERS_READ,
    Case,
    plan_url,
)
from tests.monitoring.seed import alert, rule


def a_rule(w: Any) -> AlertRule:
    return AlertRule.objects.filter(plan=w.plan).first() or rule(w)


def an_alert(w: Any) -> Alert:
    return Alert.objects.filter(plan=w.plan, status=AlertStatus.OPEN).first() or alert(w)


def an_import(w: Any) -> MetricImport:
    return MetricImport.objects.filter(plan=w.plan).first() or MetricImport.objects.create(
        plan=w.plan, filename="march.csv", status="running", progress=40
    )


def metrics_file(w: Any) -> dict[str, Any]:
    body = (
        b"date,channel,impressions,clicks,visits,signups,conversions,new_users,spend,revenue\n"
        b"2027-03-01,douyin,10000,300,250,40,12,10,800.00,2400.00\n"
    )
    return {"file": SimpleUploadedFile("march.csv", body, content_type="text/csv")}


def _rule_form(w: Any) -> dict[str, Any]:
    return {
        "name": "CTR below 1%",
        "metric": "ctr",
        "channel": "",
        "kind": "bounds",
        "lower": "0.01",
        "severity": "warning",
        "is_active": "on",
    }


def _settings_form(w: Any) -> dict[str, Any]:
    return {
        "version": services.settings_for(w.plan).version,
        "stage_1": "impressions",
        "stage_2": "clicks",
        "stage_3": "conversions",
        "weight_quality": "0.5",
        "weight_cost": "0.3",
        "weight_volume": "0.2",
        "cutoff_a": "70",
        "cutoff_b": "40",
        "max_shift": "20",
    }


def _monitoring(suffix: str = "") -> Any:
    return plan_url(f"monitoring/{suffix}")


CASES: list[Case] = [
    Case("monitoring:section", "get", _monitoring(), MEMBERS_READ),
    Case("monitoring:recompute", "post", _monitoring("recompute/"), EDITORS_WRITE_REDIRECT),
    Case("monitoring:alerts", "get", _monitoring("alerts/"), MEMBERS_READ),
    Case(
        "monitoring:alert-action",
        "post",
        lambda w: f"/plans/{w.plan.pk}/monitoring/alerts/{an_alert(w).pk}/",
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"action": "acknowledge", "version": an_alert(w).version, "note": ""},
    ),
    Case("monitoring:rules", "get", _monitoring("rules/"), MEMBERS_READ),
    Case(
        "monitoring:rule-create",
        "post",
        _monitoring("rules/new/"),
        EDITORS_WRITE_REDIRECT,
        data=_rule_form,
    ),
    Case(
        "monitoring:rule-edit",
        "get",
        lambda w: f"/plans/{w.plan.pk}/monitoring/rules/{a_rule(w).pk}/",
        EDITORS_MAY,
    ),
    Case(
        "monitoring:rule-edit",
        "post",
        lambda w: f"/plans/{w.plan.pk}/monitoring/rules/{a_rule(w).pk}/",
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"delete": "1", "version": a_rule(w).version},
    ),
    Case(
        "monitoring:settings",
        "post",
        _monitoring("settings/"),
        EDITORS_WRITE_REDIRECT,
        data=_settings_form,
    ),
    Case("monitoring:imports", "get", _monitoring("imports/"), MEMBERS_READ),
    Case(
        "monitoring:import-upload",
        "post",
        _monitoring("imports/new/"),
        EDITORS_WRITE_REDIRECT,
        data=metrics_file,
    ),
    Case(
        "monitoring:import-progress",
        "get",
        lambda w: f"/plans/{w.plan.pk}/monitoring/imports/{an_import(w).pk}/progress/",
        MEMBERS_READ,
    ),
    Case("monitoring:import-template", "get", _monitoring("imports/template.csv"), MEMBERS_READ),
]
