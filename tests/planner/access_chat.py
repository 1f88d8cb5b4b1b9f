"""Access cases of the chat channels (pages and API): admins manage, managers read,
editors and viewers 403, outsiders 404; see tests/access_cases.py."""

from __future__ import annotations

from typing import Any

from planner.models import ChatChannel
from tests.access_cases import ADMIN_WRITE_REDIRECT, API_ADMIN_ONLY, Case, expect, if_match_of

# A literal public address: saving it needs no DNS (the matrix runs as production).
URL = "https://93.184.216.34/hook?key=0123456789abcdef"
ADMIN_AND_MANAGER_READ = expect(200, 200, 403, 403, 404, 302)
API_ADMIN_AND_MANAGER_READ = expect(200, 200, 403, 403, 404, 401)


def chat_channel(w: Any) -> ChatChannel:
    found = ChatChannel.objects.filter(workspace=w.workspace).first()
    if found is None:
        found = ChatChannel.objects.create(
            workspace=w.workspace, name="Team chat", platform="slack", url=URL, language="en"
        )
    return found


def _page(suffix: str = "") -> Any:
    return lambda w: f"/w/lumi/chat-channels/{chat_channel(w).pk}/{suffix}"


def _api(suffix: str = "") -> Any:
    return lambda w: f"/api/v1/chat-channels/{chat_channel(w).pk}/{suffix}"


FORM = {
    "name": "Growth squad",
    "platform": "wecom",
    "url": URL,
    "alert_severities": ["critical"],
    "language": "zh-hans",
    "is_active": "on",
}

CASES: list[Case] = [
    Case(
        "planner:chat-channels", "get", lambda w: "/w/lumi/chat-channels/", ADMIN_AND_MANAGER_READ
    ),
    Case(
        "planner:chat-channels",
        "post",
        lambda w: "/w/lumi/chat-channels/",
        ADMIN_WRITE_REDIRECT,
        data=lambda w: FORM,
    ),
    Case("planner:chat-channel", "get", _page(), ADMIN_AND_MANAGER_READ),
    Case(
        "planner:chat-channel",
        "post",
        _page(),
        ADMIN_WRITE_REDIRECT,
        data=lambda w: {**FORM, "url": "", "version": chat_channel(w).version},
    ),
    Case("planner:chat-channel-test", "post", _page("test/"), ADMIN_WRITE_REDIRECT),
    # API
    Case(
        "chat-channel-list",
        "get",
        lambda w: "/api/v1/chat-channels/",
        expect(200, 200, 200, 200, 200, 401),
        api=True,
    ),
    Case(
        "chat-channel-list",
        "post",
        lambda w: "/api/v1/chat-channels/",
        expect(201, 403, 403, 403, 400, 401),
        data=lambda w: {
            "workspace": w.workspace.pk,
            "name": "Growth squad",
            "platform": "dingtalk",
            "url": URL,
            "secret": "SEC0123456789",
        },
        api=True,
    ),
    Case("chat-channel-detail", "get", _api(), API_ADMIN_AND_MANAGER_READ, api=True),
    Case(
        "chat-channel-detail",
        "patch",
        _api(),
        API_ADMIN_ONLY,
        data=lambda w: {"is_active": False},
        headers=if_match_of(chat_channel),
        api=True,
    ),
    Case(
        "chat-channel-detail",
        "put",
        _api(),
        API_ADMIN_ONLY,
        data=lambda w: {
            "name": "Renamed",
            "platform": "slack",
            "alert_severities": ["warning"],
            "language": "en",
            "is_active": True,
        },
        headers=if_match_of(chat_channel),
        api=True,
    ),
    Case(
        "chat-channel-detail",
        "delete",
        _api(),
        expect(204, 403, 403, 403, 404, 401),
        headers=if_match_of(chat_channel),
        api=True,
    ),
    Case(
        "chat-channel-test",
        "post",
        _api("test/"),
        expect(202, 403, 403, 403, 404, 401),
        api=True,
    ),
]
