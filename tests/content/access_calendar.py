"""Access cases for the campaign calendar (see tests/access_cases.py): the year, quarter,
month and timeline pages, the campaign editor and spawning a campaign from a festival."""

from __future__ import annotations

from typing import Any

from tests.access_cases import (
    EDITORS_MAY,
    EDITORS_WRITE_REDIRECT,
    MEMBERS_READ,
    Case,
    plan_url,
)
from tests.content.helpers import campaign


def campaign_url(w: Any) -> str:
    return f"/plans/{w.plan.pk}/content/campaigns/{campaign(w).pk}/"


def campaign_form(w: Any) -> dict[str, Any]:
    c = campaign(w)
    return {
        "code": c.code,
        "name": "Spring Festival reunion (renamed)",
        "theme": c.theme,
        "festival": c.festival,
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "channels": [ch.pk for ch in c.channels.all()],
        "audience": c.audience,
        "budget": str(c.budget),
        "status": c.status,
        "key_message": c.key_message,
        "version": c.version,
    }


def new_campaign_form(w: Any) -> dict[str, Any]:
    return {
        "code": "qixi-2027",
        "name": "Qixi tea for two",
        "theme": "festival",
        "festival": "qixi",
        "start": "2027-07-25",
        "end": "2027-08-08",
        "budget": "200000",
        "status": "idea",
    }


CASES: list[Case] = [
    Case("content:section", "get", plan_url("content/"), MEMBERS_READ),
    Case("content:quarter", "get", plan_url("content/calendar/q3/"), MEMBERS_READ),
    Case("content:month", "get", plan_url("content/calendar/9/"), MEMBERS_READ),
    Case("content:timeline", "get", plan_url("content/timeline/"), MEMBERS_READ),
    Case("content:campaign-create", "get", plan_url("content/campaigns/new/"), EDITORS_MAY),
    Case(
        "content:campaign-create",
        "post",
        plan_url("content/campaigns/new/"),
        EDITORS_WRITE_REDIRECT,
        data=new_campaign_form,
    ),
    # readers open a campaign to read it; writing it takes an editor
    Case("content:campaign-edit", "get", campaign_url, MEMBERS_READ),
    Case(
        "content:campaign-edit",
        "post",
        campaign_url,
        EDITORS_WRITE_REDIRECT,
        data=campaign_form,
    ),
    Case(
        "content:campaign-from-festival",
        "post",
        plan_url("content/festivals/mid_autumn/campaign/"),
        EDITORS_WRITE_REDIRECT,
    ),
]
