"""Access cases of attribution (see tests/access_cases.py): the Attribution tab, its
journeys upload, settings and template, and the attribution API."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring import attribution as service
from monitoring.models import JourneyImport
from tests.access_cases import (
    API_EDITORS_WRITE,
    API_MEMBERS_READ,
    EDITORS_WRITE_REDIRECT,
    MEMBERS_READ,
    Case,
    api_plan,
    expect,
    plan_url,
)

API_LIST = expect(200, 200, 200, 200, 200, 401)


def a_journey_import(w: Any) -> JourneyImport:
    return JourneyImport.objects.filter(plan=w.plan).first() or JourneyImport.objects.create(
        plan=w.plan, filename="paths.csv", status="succeeded", rows_total=1, journeys=3
    )


def journeys_file(w: Any) -> dict[str, Any]:
    content = b"path,conversions,conversion_value,nulls\ndouyin > tmall,2,300,5\n"
    return {
        "file": SimpleUploadedFile("paths.csv", content, content_type="text/csv"),
        "mode": "replace",
    }


def settings_form(w: Any) -> dict[str, Any]:
    found = service.settings_for(w.plan)
    return {
        "version": found.version,
        "half_life_days": "5",
        "first_share": "30",
        "last_share": "50",
    }


def settings_version(w: Any) -> dict[str, str]:
    return {"HTTP_IF_MATCH": f'"{service.settings_for(w.plan).version}"'}


CASES: list[Case] = [
    Case("monitoring:attribution", "get", plan_url("monitoring/attribution/"), MEMBERS_READ),
    Case(
        "monitoring:journeys-upload",
        "post",
        plan_url("monitoring/attribution/import/"),
        EDITORS_WRITE_REDIRECT,
        data=journeys_file,
    ),
    Case(
        "monitoring:attribution-settings",
        "post",
        plan_url("monitoring/attribution/settings/"),
        EDITORS_WRITE_REDIRECT,
        data=settings_form,
    ),
    Case(
        "monitoring:journeys-template",
        "get",
        plan_url("monitoring/attribution/template.csv"),
        MEMBERS_READ,
    ),
    Case(
        "plan-journeys-import",
        "post",
        api_plan("journeys/import/"),
        API_EDITORS_WRITE,
        data=lambda w: {
            "rows": [{"path": "douyin>tmall", "conversions": 1, "conversion_value": 5, "nulls": 2}]
        },
        api=True,
    ),
    Case("journey-import-list", "get", lambda w: "/api/v1/journey-imports/", API_LIST, api=True),
    Case(
        "journey-import-detail",
        "get",
        lambda w: f"/api/v1/journey-imports/{a_journey_import(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case("plan-attribution", "get", api_plan("attribution/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-attribution-settings",
        "get",
        api_plan("attribution-settings/"),
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "plan-attribution-settings",
        "put",
        api_plan("attribution-settings/"),
        API_EDITORS_WRITE,
        data=lambda w: {"half_life_days": 10},
        headers=settings_version,
        api=True,
    ),
]
