"""Unsubscribe: signed per recipient, workspace and category; GET only asks, POST (the
page's button or a mail client's RFC 8058 one-click POST) applies; bad tokens change
nothing."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from planner.models import Subscription
from planner.notify import unsubscribe as links
from planner.notify.models import DigestCadence
from tests.planner.notify.helpers import (
    emails_to,
    open_alert,
    register_renderers,
    send_all_alerts,
    subscribe,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _renderers():
    register_renderers()


@pytest.fixture
def viewer_sub(world):
    return subscribe(world, "viewer", alert_severities=["warning", "critical"], digest="weekly")


def path_of(world, category: str, persona: str = "viewer") -> str:
    url = links.unsubscribe_url(world.users[persona], world.workspace, category)
    return url.removeprefix("http://127.0.0.1:8000")


def fresh(sub: Subscription) -> Subscription:
    sub.refresh_from_db()
    return sub


def test_a_token_reads_back_what_it_carries(world):
    token = links.make_token(world.users["viewer"], world.workspace, "digest")
    assert links.read_token(token) == links.Unsubscribe(
        world.users["viewer"].pk, world.workspace.pk, "digest"
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # the signature
        lambda t: "x" + t,  # the payload
        lambda t: "not-a-token",
        lambda t: t.split(":")[0],  # no signature at all
    ],
)
def test_a_tampered_token_is_refused(world, tamper):
    token = links.make_token(world.users["viewer"], world.workspace, "alerts")
    with pytest.raises(links.BadToken):
        links.read_token(tamper(token))


def test_a_token_of_another_purpose_is_refused(world, settings):
    from django.core import signing

    forged = signing.dumps({"u": world.users["viewer"].pk, "w": world.workspace.pk, "c": "all"})
    with pytest.raises(links.BadToken):
        links.read_token(forged)


def test_an_expired_token_is_refused(world, monkeypatch, settings):
    settings.NOTIFY_UNSUBSCRIBE_MAX_AGE_DAYS = 30
    token = links.make_token(world.users["viewer"], world.workspace, "alerts")
    later = time.time() + 31 * 86400
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    with pytest.raises(links.BadToken):
        links.read_token(token)


def test_the_get_page_asks_and_changes_nothing(world, viewer_sub):
    before = viewer_sub.version
    response = Client().get(path_of(world, "alerts"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="confirm"' in page
    assert "<form" in page and 'method="post"' in page
    assert world.users["viewer"].email in page
    after = fresh(viewer_sub)
    assert after.alert_severities == ["warning", "critical"]
    assert after.version == before


@pytest.mark.parametrize(
    ("category", "severities", "digest"),
    [
        ("alerts", [], DigestCadence.WEEKLY),
        ("digest", ["warning", "critical"], DigestCadence.NONE),
        ("all", [], DigestCadence.NONE),
    ],
)
def test_the_post_applies_its_category(world, viewer_sub, category, severities, digest):
    before = viewer_sub.version
    response = Client().post(path_of(world, category))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="done"' in page
    assert "/w/lumi/notifications/" in page  # a way back to the settings
    after = fresh(viewer_sub)
    assert after.alert_severities == severities
    assert after.digest == digest
    assert after.version == before + 1


def test_the_one_click_post_needs_no_login_and_no_csrf_token(world, viewer_sub):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        path_of(world, "alerts"),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert fresh(viewer_sub).alert_severities == []


def test_only_the_token_owner_is_unsubscribed(world, viewer_sub):
    admin_sub = subscribe(world, "admin", digest="daily")
    Client().post(path_of(world, "all"))
    assert fresh(admin_sub).digest == DigestCadence.DAILY
    assert fresh(admin_sub).alert_severities == ["warning", "critical"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_shows_a_clear_400_and_changes_nothing(world, viewer_sub, method):
    path = path_of(world, "all")
    bad = path[:-3] + ("x" if path[-3] != "x" else "y") + path[-2:]
    response = getattr(Client(), method)(bad)
    assert response.status_code == 400
    assert 'data-state="invalid"' in response.content.decode()
    after = fresh(viewer_sub)
    assert (after.alert_severities, after.digest) == (["warning", "critical"], "weekly")


def test_a_link_of_a_former_member_is_refused(world, viewer_sub):
    path = path_of(world, "alerts")
    viewer_sub.membership.delete()
    assert Client().post(path).status_code == 400


def test_the_link_in_an_alert_email_unsubscribes_its_recipient(world):
    subscribe(world, "admin", language="en")
    open_alert(world, severity="warning")
    send_all_alerts()
    (email,) = emails_to(world.users["admin"].email)
    url = email.extra_headers["List-Unsubscribe"][1:-1]
    response = Client().post(
        url.removeprefix("http://127.0.0.1:8000"),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    admin_sub = Subscription.objects.get(membership__user=world.users["admin"])
    assert admin_sub.alert_severities == []
    assert admin_sub.digest == DigestCadence.WEEKLY  # alerts only


def test_headers_name_the_link_and_one_click(world):
    headers = links.unsubscribe_headers(world.users["viewer"], world.workspace, "digest")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert links.read_token(token).category == "digest"
