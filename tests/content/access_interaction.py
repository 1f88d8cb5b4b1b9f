"""Access cases for the user interaction pages (see tests/access_cases.py)."""

from __future__ import annotations

from typing import Any

from channels.models import Channel
from tests.access_cases import (
    EDITORS_MAY,
    EDITORS_WRITE_REDIRECT,
    MEMBERS_READ,
    Case,
    plan_url,
)
from tests.content.helpers import mechanism


def _mechanism_url(w: Any) -> str:
    return f"/plans/{w.plan.pk}/content/interaction/{mechanism(w).pk}/"


def _new_feedback_channel(w: Any) -> dict[str, Any]:
    return {
        "kind": "feedback_channel",
        "name": "Mini-program chat",
        "channel": Channel.objects.get(plan=w.plan, code="wechat").pk,
        "sla_hours": "2",
        "ai_first": "on",
        "response_hours": "0.5, 1, 3",
        "indicators": "CSAT | 4.6 | 4.4 | /5",
    }


def _challenge_update(w: Any) -> dict[str, Any]:
    m = mechanism(w)
    return {
        "name": m.name,
        "goal": m.goal,
        "topic": "#TeaMoments",
        "channel": m.channel_id,
        "start": "2027-04-01",
        "end": "2027-04-30",
        "reward": m.reward,
        "boost_rules": m.boost_rules,
        "indicators": "Videos | 5000 | 800 | videos",
        "version": m.version,
    }


CASES: list[Case] = [
    Case("content:interaction", "get", plan_url("content/interaction/"), MEMBERS_READ),
    Case(
        "content:mechanism-create",
        "get",
        plan_url("content/interaction/new/?kind=community_tier"),
        EDITORS_MAY,
    ),
    Case(
        "content:mechanism-create",
        "post",
        plan_url("content/interaction/new/"),
        EDITORS_WRITE_REDIRECT,
        data=_new_feedback_channel,
    ),
    Case("content:mechanism-save", "get", _mechanism_url, EDITORS_MAY),
    Case(
        "content:mechanism-save",
        "post",
        _mechanism_url,
        EDITORS_WRITE_REDIRECT,
        data=_challenge_update,
    ),
    # deleting is a POST to the same route: the same rules
    Case(
        "content:mechanism-save",
        "post",
        _mechanism_url,
        EDITORS_WRITE_REDIRECT,
        data=lambda w: {"delete": "1", "version": mechanism(w).version},
    ),
]
