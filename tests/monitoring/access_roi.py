"""Access cases of the ROI model's pages and API (see tests/access_cases.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from monitoring.roi import services
from monitoring.roi.models import RoiCohort
from tests.access_cases import (
    API_CREATE,
    API_DELETE,
    API_EDITORS_WRITE,
    API_MEMBERS_READ,
    EDITORS_MAY,
    EDITORS_WRITE_REDIRECT,
    MEMBERS_READ,
    Case,
    api_plan,
    expect,
    if_match_of,
    plan_url,
)

API_LIST = expect(200, 200, 200, 200, 200, 401)
API_MANAGERS_WRITE = expect(200, 200, 403, 403, 404, 401)
MANAGERS_WRITE_REDIRECT = expect(302, 302, 403, 403, 404, 302)


def a_cohort(w: Any) -> RoiCohort:
    return RoiCohort.objects.filter(plan=w.plan).first() or RoiCohort.objects.create(
        plan=w.plan, month=date(2027, 1, 1), users=100, retention=[0.5], arpu=Decimal("10")
    )


def a_curve(w: Any) -> dict[str, Any]:
    """A stored response curve for Douyin (so the sensitivity runs), and a scenario on it."""
    from django.utils import timezone

    from channels.models import Channel
    from monitoring.roi.models import ResponseCurve

    ResponseCurve.objects.get_or_create(
        plan=w.plan,
        channel=Channel.objects.get(plan=w.plan, code="douyin"),
        defaults={
            "status": "few_weeks",
            "kind": "linear",
            "params": [2.0],
            "weekly_spend": [100.0, 100.0],
            "weekly_revenue": [200.0, 200.0],
            "weeks": 2,
            "computed_at": timezone.now(),
        },
    )
    return {"changes": {"douyin": -10}}


def definition_version(w: Any) -> dict[str, str]:
    return {"HTTP_IF_MATCH": f'"{services.definition_for(w.plan).version}"'}


def definition_form(w: Any) -> dict[str, Any]:
    return {
        "version": services.definition_for(w.plan).version,
        "basis": "revenue",
        "gross_margin": "",
        "attribution_model": "platform",
        "roi_floor": "0",
        "ltv_horizon_months": 12,
        "discount_rate": "10",
    }


def cohort_body(w: Any) -> dict[str, Any]:
    return {"month": "2027-02-01", "channel": None, "users": 50, "retention": [0.4], "arpu": 12}


CASES: list[Case] = [
    Case("monitoring:roi", "get", plan_url("monitoring/roi/"), MEMBERS_READ),
    Case(
        "monitoring:roi-definition",
        "post",
        plan_url("monitoring/roi/definition/"),
        EDITORS_WRITE_REDIRECT,
        data=definition_form,
    ),
    Case(
        "monitoring:roi-sign-off",
        "post",
        plan_url("monitoring/roi/sign-off/"),
        MANAGERS_WRITE_REDIRECT,
        data=lambda w: {
            "version": services.definition_for(w.plan).version,
            "department": "finance",
        },
    ),
    Case(
        "monitoring:roi-cohort-create",
        "post",
        plan_url("monitoring/roi/cohorts/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"month": "2027-04", "users": 10, "retention": "40", "arpu": "5"},
    ),
    Case(
        "monitoring:roi-cohort-edit",
        "get",
        lambda w: f"/plans/{w.plan.pk}/monitoring/roi/cohorts/{a_cohort(w).pk}/",
        EDITORS_MAY,
    ),
    Case(
        "monitoring:roi-cohort-edit",
        "post",
        lambda w: f"/plans/{w.plan.pk}/monitoring/roi/cohorts/{a_cohort(w).pk}/",
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "version": a_cohort(w).version,
            "month": "2027-01",
            "users": 120,
            "retention": "45",
            "arpu": "11",
        },
    ),
    # API
    Case("plan-roi-definition", "get", api_plan("roi-definition/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-roi-definition",
        "put",
        api_plan("roi-definition/"),
        API_EDITORS_WRITE,
        data=lambda w: {"roi_floor": 0.15},
        headers=definition_version,
        api=True,
    ),
    Case(
        "plan-roi-sign-off",
        "post",
        api_plan("roi-definition/sign-off/"),
        API_MANAGERS_WRITE,
        data=lambda w: {"department": "operations"},
        headers=definition_version,
        api=True,
    ),
    Case("plan-roi", "get", api_plan("roi/"), API_MEMBERS_READ, api=True),
    Case("plan-roi-scenarios", "get", api_plan("roi/scenarios/"), API_MEMBERS_READ, api=True),
    # a read-only computation: viewers run it too (like goal seek)
    Case(
        "plan-sensitivity",
        "post",
        api_plan("sensitivity/"),
        API_MEMBERS_READ,
        data=a_curve,
        api=True,
    ),
    Case("roi-cohort-list", "get", lambda w: "/api/v1/roi-cohorts/", API_LIST, api=True),
    Case(
        "roi-cohort-list",
        "post",
        lambda w: "/api/v1/roi-cohorts/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk, **cohort_body(w)},
        api=True,
    ),
    Case(
        "roi-cohort-detail",
        "get",
        lambda w: f"/api/v1/roi-cohorts/{a_cohort(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "roi-cohort-detail",
        "patch",
        lambda w: f"/api/v1/roi-cohorts/{a_cohort(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"users": 90},
        headers=if_match_of(a_cohort),
        api=True,
    ),
    Case(
        "roi-cohort-detail",
        "put",
        lambda w: f"/api/v1/roi-cohorts/{a_cohort(w).pk}/",
        API_EDITORS_WRITE,
        data=cohort_body,
        headers=if_match_of(a_cohort),
        api=True,
    ),
    Case(
        "roi-cohort-detail",
        "delete",
        lambda w: f"/api/v1/roi-cohorts/{a_cohort(w).pk}/",
        API_DELETE,
        headers=if_match_of(a_cohort),
        api=True,
    ),
]
