"""Access cases of competitor tracking (pages and API; see tests/access_cases.py)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

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
)
from tests.monitoring.competitors.helpers import cell, competitor, creative, feature

API_LIST = expect(200, 200, 200, 200, 200, 401)
BASE = "monitoring/competitors/"


def page(suffix: str = "") -> Any:
    return lambda w: f"/plans/{w.plan.pk}/{BASE}{suffix}"


def traffic_csv(w: Any) -> dict[str, Any]:
    competitor(w)
    body = b"date,competitor,source,share\n2027-03-01,HeyTea,search,0.4\n2027-03-01,us,search,0.3\n"
    return {"kind": "traffic", "file": SimpleUploadedFile("t.csv", body, content_type="text/csv")}


def observation_body(w: Any) -> dict[str, Any]:
    return {
        "plan": w.plan.pk,
        "competitor": competitor(w).pk,
        "kind": "product_update",
        "observed_on": "2027-04-08",
        "title": "Light range",
        "impact": "high",
    }


CASES: list[Case] = [
    # --- pages ------------------------------------------------------------------------------
    Case("monitoring:competitors", "get", page(), MEMBERS_READ),
    Case(
        "monitoring:competitor-create",
        "post",
        page("new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"name": "Chagee", "is_active": "on", "sort_order": 0},
    ),
    Case("monitoring:our-brand", "get", page("us/"), MEMBERS_READ),
    Case("monitoring:competitor", "get", lambda w: page(f"{competitor(w).pk}/")(w), MEMBERS_READ),
    Case(
        "monitoring:competitor-edit",
        "post",
        lambda w: page(f"{competitor(w).pk}/edit/")(w),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "name": "HeyTea",
            "website": "",
            "positioning": "Leader",
            "is_active": "on",
            "sort_order": 1,
            "version": competitor(w).version,
        },
    ),
    Case(
        "monitoring:observation-create",
        "get",
        page("observations/new/?kind=promotion"),
        EDITORS_MAY,
    ),
    Case(
        "monitoring:observation-create",
        "post",
        page("observations/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "kind": "product_update",
            "competitor": competitor(w).pk,
            "observed_on": "2027-04-08",
            "title": "Light range",
            "impact": "high",
        },
    ),
    Case(
        "monitoring:observation-edit",
        "get",
        lambda w: page(f"observations/{creative(w).pk}/")(w),
        EDITORS_MAY,
    ),
    Case(
        "monitoring:observation-edit",
        "post",
        lambda w: page(f"observations/{creative(w).pk}/")(w),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"delete": "1", "version": creative(w).version},
    ),
    Case(
        "monitoring:observation-screenshot",
        "get",
        lambda w: page(f"observations/{creative(w).pk}/screenshot/")(w),
        MEMBERS_READ,
    ),
    Case("monitoring:feature-matrix", "get", page("matrix/"), MEMBERS_READ),
    Case(
        "monitoring:feature-create",
        "post",
        page("matrix/features/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"name": "Delivery in 30 minutes", "group": "Channels", "weight": "2"},
    ),
    Case(
        "monitoring:feature-edit",
        "get",
        lambda w: page(f"matrix/features/{feature(w).pk}/")(w),
        EDITORS_MAY,
    ),
    Case(
        "monitoring:feature-edit",
        "post",
        lambda w: page(f"matrix/features/{feature(w).pk}/")(w),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"name": "Low sugar", "weight": "3", "version": feature(w).version},
    ),
    Case(
        "monitoring:matrix-cell",
        "get",
        lambda w: page(f"matrix/features/{feature(w).pk}/us/")(w),
        MEMBERS_READ,
    ),
    Case(
        "monitoring:matrix-cell",
        "post",
        lambda w: page(f"matrix/features/{feature(w).pk}/{competitor(w).pk}/")(w),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"level": "partial", "note": "since April", "version": 0},
    ),
    Case("monitoring:share-of-voice", "get", page("share-of-voice/"), MEMBERS_READ),
    Case("monitoring:competitor-import", "get", page("import/"), MEMBERS_READ),
    Case(
        "monitoring:competitor-import",
        "post",
        page("import/"),
        EDITORS_WRITE_REDIRECT,
        data=traffic_csv,
    ),
    Case(
        "monitoring:competitor-import-template",
        "get",
        page("import/voice-template.csv"),
        MEMBERS_READ,
    ),
    # --- API --------------------------------------------------------------------------------
    Case("competitor-list", "get", lambda w: "/api/v1/competitors/", API_LIST, api=True),
    Case(
        "competitor-list",
        "post",
        lambda w: "/api/v1/competitors/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk, "name": "Mixue", "website": "https://mixue.com"},
        api=True,
    ),
    Case(
        "competitor-detail",
        "get",
        lambda w: f"/api/v1/competitors/{competitor(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "competitor-detail",
        "patch",
        lambda w: f"/api/v1/competitors/{competitor(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"positioning": "Leader"},
        headers=if_match_of(competitor),
        api=True,
    ),
    Case(
        "competitor-detail",
        "put",
        lambda w: f"/api/v1/competitors/{competitor(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {
            "name": "HeyTea",
            "website": "",
            "positioning": "Leader",
            "notes": "",
            "is_active": True,
            "sort_order": 0,
        },
        headers=if_match_of(competitor),
        api=True,
    ),
    Case(
        "competitor-detail",
        "delete",
        lambda w: f"/api/v1/competitors/{competitor(w).pk}/",
        API_DELETE,
        headers=if_match_of(competitor),
        api=True,
    ),
    Case(
        "competitor-observation-list",
        "get",
        lambda w: "/api/v1/competitor-observations/",
        API_LIST,
        api=True,
    ),
    Case(
        "competitor-observation-list",
        "post",
        lambda w: "/api/v1/competitor-observations/",
        API_CREATE,
        data=observation_body,
        api=True,
    ),
    Case(
        "competitor-observation-detail",
        "get",
        lambda w: f"/api/v1/competitor-observations/{creative(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "competitor-observation-detail",
        "patch",
        lambda w: f"/api/v1/competitor-observations/{creative(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"title": "618 key visual, second wave"},
        headers=if_match_of(creative),
        api=True,
    ),
    Case(
        "competitor-observation-detail",
        "put",
        lambda w: f"/api/v1/competitor-observations/{creative(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {
            "competitor": competitor(w).pk,
            "kind": "ad_creative",
            "observed_on": "2027-05-29",
            "title": "618 key visual",
        },
        headers=if_match_of(creative),
        api=True,
    ),
    Case(
        "competitor-observation-detail",
        "delete",
        lambda w: f"/api/v1/competitor-observations/{creative(w).pk}/",
        API_DELETE,
        headers=if_match_of(creative),
        api=True,
    ),
    Case(
        "competitor-observation-screenshot",
        "get",
        lambda w: f"/api/v1/competitor-observations/{creative(w).pk}/screenshot/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case("feature-list", "get", lambda w: "/api/v1/features/", API_LIST, api=True),
    Case(
        "feature-list",
        "post",
        lambda w: "/api/v1/features/",
        API_CREATE,
        data=lambda w: {"plan": w.plan.pk, "name": "Delivery", "group": "Channels", "weight": 2},
        api=True,
    ),
    Case(
        "feature-detail",
        "get",
        lambda w: f"/api/v1/features/{feature(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "feature-detail",
        "patch",
        lambda w: f"/api/v1/features/{feature(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"weight": 3},
        headers=if_match_of(feature),
        api=True,
    ),
    Case(
        "feature-detail",
        "put",
        lambda w: f"/api/v1/features/{feature(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {
            "name": "Low sugar",
            "group": "Product",
            "weight": 3,
            "is_differentiator": True,
            "differentiator_note": "On every drink",
        },
        headers=if_match_of(feature),
        api=True,
    ),
    Case(
        "feature-detail",
        "delete",
        lambda w: f"/api/v1/features/{feature(w).pk}/",
        API_DELETE,
        headers=if_match_of(feature),
        api=True,
    ),
    Case("matrix-cell-list", "get", lambda w: "/api/v1/matrix-cells/", API_LIST, api=True),
    Case(
        "matrix-cell-list",
        "post",
        lambda w: "/api/v1/matrix-cells/",
        API_CREATE,
        data=lambda w: {"feature": feature(w).pk, "competitor": competitor(w).pk, "level": "no"},
        api=True,
    ),
    Case(
        "matrix-cell-detail",
        "get",
        lambda w: f"/api/v1/matrix-cells/{cell(w).pk}/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "matrix-cell-detail",
        "patch",
        lambda w: f"/api/v1/matrix-cells/{cell(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"level": "partial"},
        headers=if_match_of(cell),
        api=True,
    ),
    Case(
        "matrix-cell-detail",
        "put",
        lambda w: f"/api/v1/matrix-cells/{cell(w).pk}/",
        API_EDITORS_WRITE,
        data=lambda w: {"level": "no", "note": "not yet"},
        headers=if_match_of(cell),
        api=True,
    ),
    Case(
        "matrix-cell-detail",
        "delete",
        lambda w: f"/api/v1/matrix-cells/{cell(w).pk}/",
        API_DELETE,
        headers=if_match_of(cell),
        api=True,
    ),
    Case("plan-share-of-voice", "get", api_plan("share-of-voice/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-competitor-import",
        "post",
        api_plan("competitor-import/"),
        API_EDITORS_WRITE,
        data=traffic_csv,
        api=True,
    ),
]
