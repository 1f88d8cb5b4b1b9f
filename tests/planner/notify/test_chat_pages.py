"""The chat-channel pages and API: masked URL and secret, version-checked edits, the
"send test message" button."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from planner.models import ChatChannel, Delivery, DeliveryKind, DeliveryStatus

KEY = "693a91f6-7c1e-4d2a-9b1f-0a1b2c3d1f2e"
URL = f"https://93.184.216.34/cgi-bin/webhook/send?key={KEY}"
SECRET = "SECsupersecret0123456789xy"
LIST = "/w/lumi/chat-channels/"


@pytest.fixture
def channel(world):
    return ChatChannel.objects.create(
        workspace=world.workspace,
        name="Growth squad",
        platform="dingtalk",
        url=URL,
        secret=SECRET,
        language="en",
        alert_severities=["critical"],
    )


def _form(**overrides):
    data = {
        "name": "Growth squad",
        "platform": "dingtalk",
        "url": URL,
        "secret": SECRET,
        "alert_severities": ["warning", "critical"],
        "language": "en",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_an_admin_adds_a_channel_and_the_list_never_shows_its_key_or_secret(world, client_for):
    admin = client_for("admin")
    response = admin.post(LIST, _form())
    assert response.status_code == 302
    saved = ChatChannel.objects.get(workspace=world.workspace)
    assert (saved.url, saved.secret) == (URL, SECRET)
    assert saved.alert_severities == ["warning", "critical"]

    page = admin.get(LIST).content.decode()
    assert "Growth squad" in page
    assert KEY not in page and KEY[:8] not in page
    assert SECRET not in page and SECRET[:10] not in page
    assert "1f2e" in page  # the key's end, to tell channels apart
    assert "Send test message" in page


def test_a_bad_url_is_shown_on_the_form(world, client_for):
    response = client_for("admin").post(LIST, _form(url="http://10.0.0.1/hook"))
    assert response.status_code == 400
    assert "private network" in response.content.decode()
    assert not ChatChannel.objects.exists()


def test_managers_see_the_list_without_forms(world, client_for, channel):
    page = client_for("manager").get(LIST).content.decode()
    assert "Growth squad" in page
    assert "Send test message" not in page and "Add a chat channel" not in page
    detail = client_for("manager").get(f"{LIST}{channel.pk}/").content.decode()
    assert KEY not in detail and SECRET not in detail
    assert 'name="url"' not in detail


def test_an_edit_with_empty_url_and_secret_keeps_them(world, client_for, channel):
    admin = client_for("admin")
    page = admin.get(f"{LIST}{channel.pk}/").content.decode()
    assert KEY not in page and SECRET not in page
    response = admin.post(
        f"{LIST}{channel.pk}/",
        _form(name="Growth", url="", secret="", version=channel.version),
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.url, channel.secret) == ("Growth", URL, SECRET)
    assert channel.version == 2


def test_an_edit_can_remove_the_secret(world, client_for, channel):
    client_for("admin").post(
        f"{LIST}{channel.pk}/",
        _form(url="", secret="", clear_secret="on", version=channel.version),
    )
    channel.refresh_from_db()
    assert channel.secret == "" and channel.url == URL


def test_a_stale_edit_shows_the_saved_channel(world, client_for, channel):
    admin = client_for("admin")
    ChatChannel.objects.filter(pk=channel.pk).update(name="Renamed meanwhile", version=2)
    response = admin.post(f"{LIST}{channel.pk}/", _form(url="", version=1))
    assert response.status_code == 409
    assert "Renamed meanwhile" in response.content.decode()
    channel.refresh_from_db()
    assert channel.name == "Renamed meanwhile"


def test_an_admin_removes_a_channel(world, client_for, channel):
    response = client_for("admin").post(
        f"{LIST}{channel.pk}/", {"delete": "1", "version": channel.version}
    )
    assert response.status_code == 302
    assert not ChatChannel.objects.exists()


def test_the_test_button_queues_one_message_per_minute(world, client_for, channel, monkeypatch):
    from planner.notify import chat_services

    clock = SimpleNamespace(now=lambda: datetime(2027, 3, 2, 9, 0, 30, tzinfo=UTC))
    monkeypatch.setattr(chat_services, "timezone", clock)
    admin = client_for("admin")
    first = admin.post(f"{LIST}{channel.pk}/test/", follow=True)
    assert "Test message queued" in first.content.decode()
    second = admin.post(f"{LIST}{channel.pk}/test/", follow=True)
    assert "already queued this minute" in second.content.decode()
    clock.now = lambda: datetime(2027, 3, 2, 9, 1, 0, tzinfo=UTC)
    admin.post(f"{LIST}{channel.pk}/test/")
    tests = Delivery.objects.filter(kind=DeliveryKind.CHAT_TEST, chat_channel=channel)
    assert sorted(tests.values_list("period", flat=True)) == [
        "2027-03-02T09:00",
        "2027-03-02T09:01",
    ]
    assert {d.status for d in tests} == {DeliveryStatus.PENDING}


def test_the_list_shows_why_the_last_post_failed(world, client_for, channel):
    Delivery.objects.create(
        workspace=world.workspace,
        kind=DeliveryKind.CHAT_ALERT,
        chat_channel=channel,
        period="now",
        dedup_key="x",
        attempts=3,
        last_error="ChatError: dingtalk: error 310000: sign not match",
    )
    page = client_for("admin").get(LIST).content.decode()
    assert "sign not match" in page and "3 attempts failed" in page


# --- API -------------------------------------------------------------------------------------


def test_the_api_never_returns_the_url_or_secret(world, api_for):
    api = api_for("admin")
    created = api.post(
        "/api/v1/chat-channels/",
        {
            "workspace": world.workspace.pk,
            "name": "Ops",
            "platform": "feishu",
            "url": URL,
            "secret": SECRET,
            "alert_severities": ["critical"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert "url" not in body and "secret" not in body
    assert body["has_secret"] is True
    assert KEY not in body["url_masked"] and body["url_masked"].endswith("1f2e")
    assert created["ETag"] == '"1"'
    listed = api.get(f"/api/v1/chat-channels/?workspace={world.workspace.pk}").json()
    assert [row["name"] for row in listed["results"]] == ["Ops"]
    assert SECRET not in str(listed) and KEY not in str(listed)


def test_api_writes_need_if_match_and_keep_the_url_when_omitted(world, api_for, channel):
    api = api_for("admin")
    url = f"/api/v1/chat-channels/{channel.pk}/"
    assert api.patch(url, {"name": "Ops"}, format="json").status_code == 428
    assert api.patch(url, {"name": "Ops"}, format="json", HTTP_IF_MATCH='"7"').status_code == 412
    response = api.patch(url, {"name": "Ops", "secret": ""}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    channel.refresh_from_db()
    assert (channel.name, channel.url, channel.secret) == ("Ops", URL, "")


def test_api_refuses_a_private_url(world, api_for):
    response = api_for("admin").post(
        "/api/v1/chat-channels/",
        {
            "workspace": world.workspace.pk,
            "name": "x",
            "platform": "slack",
            "url": "http://127.0.0.1/x",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "private network" in response.json()["fields"]["url"][0]


def test_api_test_message(world, api_for, channel):
    api = api_for("admin")
    first = api.post(f"/api/v1/chat-channels/{channel.pk}/test/")
    assert first.status_code == 202
    assert first.json()["queued"] is True
    delivery = Delivery.objects.get(pk=first.json()["delivery"])
    assert delivery.kind == DeliveryKind.CHAT_TEST and delivery.chat_channel_id == channel.pk


def test_outsiders_cannot_see_or_use_another_workspaces_channel(
    world, api_for, client_for, channel
):
    assert api_for("outsider").get("/api/v1/chat-channels/").json()["results"] == []
    assert api_for("outsider").post(f"/api/v1/chat-channels/{channel.pk}/test/").status_code == 404
    assert client_for("outsider").get(f"/w/rival/chat-channels/{channel.pk}/").status_code == 404
    assert not Delivery.objects.exists()
