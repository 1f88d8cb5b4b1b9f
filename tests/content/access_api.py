"""Access cases of the content API (see tests/access_cases.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from tests.content.helpers import asset, campaign, licence, mechanism, spec

API_LIST = expect(200, 200, 200, 200, 200, 401)


def detail(resource: str, fetch: Callable[[Any], Any]) -> Callable[[Any], str]:
    return lambda w: f"/api/v1/{resource}/{fetch(w).pk}/"


def crud(
    route: str,
    resource: str,
    fetch: Callable[[Any], Any],
    create: Callable[[Any], dict[str, Any]],
    change: Callable[[Any], dict[str, Any]],
    replace: Callable[[Any], dict[str, Any]] | None = None,
) -> list[Case]:
    """List, create, read, patch and delete cases of one versioned resource."""
    return [
        Case(f"{route}-list", "get", lambda w: f"/api/v1/{resource}/", API_LIST, api=True),
        Case(
            f"{route}-list",
            "post",
            lambda w: f"/api/v1/{resource}/",
            API_CREATE,
            api=True,
            data=create,
        ),
        Case(f"{route}-detail", "get", detail(resource, fetch), API_MEMBERS_READ, api=True),
        Case(
            f"{route}-detail",
            "patch",
            detail(resource, fetch),
            API_EDITORS_WRITE,
            api=True,
            data=change,
            headers=if_match_of(fetch),
        ),
        Case(
            f"{route}-detail",
            "put",
            detail(resource, fetch),
            API_EDITORS_WRITE,
            api=True,
            data=replace or change,
            headers=if_match_of(fetch),
        ),
        Case(
            f"{route}-detail",
            "delete",
            detail(resource, fetch),
            API_DELETE,
            api=True,
            headers=if_match_of(fetch),
        ),
    ]


def unused_licence(w: Any) -> Any:
    return licence(w, name="Stock photo 4411", kind="image", source="VCG")


def campaign_body(w: Any) -> dict[str, Any]:
    return {
        "plan": w.plan.pk,
        "code": "qixi-2027",
        "name": "Qixi",
        "theme": "festival",
        "start": "2027-07-29",
        "end": "2027-08-08",
    }


CASES: list[Case] = [
    *crud(
        "campaign",
        "campaigns",
        campaign,
        campaign_body,
        lambda w: {**campaign_body(w), "code": "spring-2027", "name": "Spring reunion"},
    ),
    *crud(
        "size-spec",
        "size-specs",
        spec,
        lambda w: {
            "plan": w.plan.pk,
            "name": "Story",
            "kind": "image",
            "width": 1080,
            "height": 1920,
        },
        lambda w: {"name": "Cover", "kind": "image", "width": 900, "height": 383},
    ),
    *crud(
        "licence",
        "licences",
        unused_licence,
        lambda w: {
            "plan": w.plan.pk,
            "name": "Tea field footage",
            "kind": "footage",
            "source": "Own shoot",
            "scope": "All media",
            "document_ref": "PO-2027-001",
        },
        lambda w: {
            "name": "Stock photo 4411",
            "kind": "image",
            "source": "VCG",
            "scope": "Online",
            "document_ref": "VCG-4411",
        },
    ),
    *crud(
        "asset",
        "assets",
        asset,
        lambda w: {"campaign": campaign(w).pk, "name": "Douyin teaser"},
        lambda w: {"name": "Reunion poster (v2)"},
    ),
    Case(
        "asset-publish",
        "post",
        lambda w: f"/api/v1/assets/{asset(w, name='Unpublished poster').pk}/publish/",
        expect(200, 200, 200, 403, 404, 401),
        api=True,
        headers=if_match_of(lambda w: asset(w, name="Unpublished poster")),
    ),
    *crud(
        "interaction-mechanism",
        "interaction-mechanisms",
        mechanism,
        lambda w: {
            "plan": w.plan.pk,
            "kind": "feedback_channel",
            "name": "Service chat",
            "sla_hours": 2,
        },
        lambda w: {"name": "Tea moments challenge (extended)"},
        lambda w: {
            "kind": "community_tier",
            "name": "KOC circle",
            "level": "koc",
            "members": 120,
        },
    ),
    Case("plan-festivals", "get", api_plan("festivals/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-festival-campaigns",
        "post",
        api_plan("festival-campaigns/"),
        expect(201, 201, 201, 403, 404, 401),
        api=True,
        data=lambda w: {"festival": "mid_autumn"},
    ),
    Case("plan-brand-standard", "get", api_plan("brand-standard/"), API_MEMBERS_READ, api=True),
    Case(
        "plan-brand-standard",
        "put",
        api_plan("brand-standard/"),
        API_EDITORS_WRITE,
        api=True,
        data=lambda w: {"fonts": ["Source Han Sans"], "vi_review_required": True},
        headers=lambda w: {"HTTP_IF_MATCH": '"1"'},
    ),
    Case("plan-licence-expiry", "get", api_plan("licence-expiry/"), API_MEMBERS_READ, api=True),
]
