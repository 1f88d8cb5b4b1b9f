"""Access cases of the notification pages and API (subscriptions, delivery log, "send me a
test", unsubscribe); see tests/access_cases.py."""

from __future__ import annotations

from typing import Any

from planner.notify.unsubscribe import make_token
from tests.access_cases import API_MEMBERS_READ, MEMBERS_READ, Case, expect

SUBSCRIPTION_FORM = {
    "alert_severities": ["critical"],
    "alert_sections": ["monitoring"],
    "digest": "daily",
    "digest_hour": "8",
    "language": "en",
    "timezone": "Asia/Shanghai",
    # every persona's subscription is created (version 1) by the request itself
    "version": 1,
}


def _unsubscribe(w: Any) -> str:
    """The viewer's link: the token is the credential, whoever follows it."""
    return f"/unsubscribe/{make_token(w.users['viewer'], w.workspace, 'alerts')}/"


MEMBERS_POST_REDIRECT = expect(302, 302, 302, 302, 404, 302)
ANYONE = expect(200, 200, 200, 200, 200, 200)

CASES: list[Case] = [
    Case("planner:notifications", "get", lambda w: "/w/lumi/notifications/", MEMBERS_READ),
    Case(
        "planner:notifications",
        "post",
        lambda w: "/w/lumi/notifications/",
        MEMBERS_POST_REDIRECT,
        data=lambda w: SUBSCRIPTION_FORM,
    ),
    Case("planner:deliveries", "get", lambda w: "/w/lumi/deliveries/", MEMBERS_READ),
    Case(
        "planner:delivery-test", "post", lambda w: "/w/lumi/deliveries/test/", MEMBERS_POST_REDIRECT
    ),
    Case("planner:unsubscribe", "get", _unsubscribe, ANYONE),
    Case("planner:unsubscribe", "post", _unsubscribe, ANYONE),
    # --- API ---
    Case(
        "workspace-notifications-me",
        "get",
        lambda w: f"/api/v1/workspaces/{w.workspace.pk}/notifications/me/",
        API_MEMBERS_READ,
        api=True,
    ),
    Case(
        "workspace-notifications-me",
        "put",
        lambda w: f"/api/v1/workspaces/{w.workspace.pk}/notifications/me/",
        API_MEMBERS_READ,
        data=lambda w: {"digest": "none"},
        headers=lambda w: {"HTTP_IF_MATCH": '"1"'},
        api=True,
    ),
    Case(
        "delivery-list",
        "get",
        lambda w: f"/api/v1/deliveries/?workspace={w.workspace.pk}",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
]
