"""Access cases for creative standards, assets and licences (see tests/access_cases.py).

Reading the pages needs membership; every write, and the edit forms, need an editor.
Objects are always looked up within the URL's plan (outsiders get 404).
"""

from __future__ import annotations

from typing import Any

from content.models import SizeSpec
from tests.access_cases import (
    EDITORS_MAY,
    EDITORS_WRITE_REDIRECT,
    MEMBERS_READ,
    Case,
    expect,
    plan_url,
)
from tests.content.helpers import asset, campaign, licence

# GET on a "new" URL sends editors back to the page (the form lives there).
EDITORS_REDIRECTED = expect(302, 302, 302, 403, 404, 302)


def _spec(w: Any) -> SizeSpec:
    return SizeSpec.objects.filter(plan=w.plan).order_by("pk").first()  # type: ignore[return-value]


def _spec_url(w: Any) -> str:
    return f"/plans/{w.plan.pk}/content/creative/specs/{_spec(w).pk}/"


def _asset_url(w: Any, suffix: str = "") -> str:
    return f"/plans/{w.plan.pk}/content/assets/{asset(w).pk}/{suffix}"


def _licence_url(w: Any) -> str:
    return f"/plans/{w.plan.pk}/content/licences/{licence(w, 'Spare photo', kind='image').pk}/"


def _new_asset(w: Any) -> dict[str, Any]:
    return {
        "campaign": campaign(w).pk,
        "name": "Teaser",
        "layers": ["selling_point"],
        "review_status": "draft",
        "el-new-TOTAL_FORMS": "1",
        "el-new-INITIAL_FORMS": "0",
        "el-new-0-kind": "font",
        "el-new-0-name": "Source Han Sans",
        "el-new-0-licence": licence(w).pk,
    }


def _new_licence(w: Any) -> dict[str, Any]:
    return {
        "name": "Tea photos",
        "kind": "image",
        "source": "VCG",
        "scope": "Online",
        "territory": "mainland_china",
        "document_ref": "VCG-1",
    }


CASES: list[Case] = [
    # creative standards
    Case("content:creative", "get", plan_url("content/creative/"), MEMBERS_READ),
    Case(
        "content:brand-save",
        "post",
        plan_url("content/creative/brand/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"version": 0, "colours": "Lumi red #C8102E", "fonts": "Source Han Sans"},
    ),
    Case("content:spec-create", "get", plan_url("content/creative/specs/new/"), EDITORS_REDIRECTED),
    Case(
        "content:spec-create",
        "post",
        plan_url("content/creative/specs/new/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"name": "Jingle", "kind": "audio", "max_duration_s": 15},
    ),
    Case("content:spec-save", "get", _spec_url, EDITORS_MAY),
    Case(
        "content:spec-save",
        "post",
        _spec_url,
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"delete": "1", "version": _spec(w).version},
    ),
    Case(
        "content:specs-install",
        "post",
        plan_url("content/creative/specs/install/"),
        EDITORS_WRITE_REDIRECT,
    ),
    # assets
    Case("content:assets", "get", plan_url("content/assets/"), MEMBERS_READ),
    Case("content:asset-create", "get", plan_url("content/assets/new/"), EDITORS_REDIRECTED),
    Case(
        "content:asset-create",
        "post",
        plan_url("content/assets/new/"),
        EDITORS_WRITE_REDIRECT,
        data=_new_asset,
    ),
    Case("content:asset-save", "get", _asset_url, EDITORS_MAY),
    Case(
        "content:asset-save",
        "post",
        _asset_url,
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"delete": "1", "version": asset(w).version},
    ),
    Case(
        "content:asset-publish",
        "post",
        lambda w: _asset_url(w, "publish/"),
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"version": asset(w).version},
    ),
    # licences
    Case("content:licences", "get", plan_url("content/licences/"), MEMBERS_READ),
    Case("content:licence-create", "get", plan_url("content/licences/new/"), EDITORS_REDIRECTED),
    Case(
        "content:licence-create",
        "post",
        plan_url("content/licences/new/"),
        EDITORS_WRITE_REDIRECT,
        data=_new_licence,
    ),
    Case("content:licence-save", "get", _licence_url, EDITORS_MAY),
    Case(
        "content:licence-save",
        "post",
        _licence_url,
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {
            "delete": "1",
            "version": licence(w, "Spare photo", kind="image").version,
        },
    ),
]
