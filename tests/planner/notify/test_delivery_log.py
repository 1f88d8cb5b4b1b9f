"""The delivery log (page and API) and the "send me a test" button."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.utils import timezone

from planner.models import Delivery, DeliveryKind, DeliveryStatus
from planner.notify import sample
from tests.planner.notify.helpers import html_of, register_renderers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _renderers():
    register_renderers()


def log_url(world) -> str:
    return f"/w/{world.workspace.slug}/deliveries/"


def _delivery(workspace, user, key: str, **fields) -> Delivery:
    values = {
        "workspace": workspace,
        "kind": DeliveryKind.ALERT_EMAIL,
        "recipient": user,
        "address": user.email,
        "period": "2027-03-11T10:00",
        "dedup_key": key,
        "subject": f"Subject {key}",
    }
    values.update(fields)
    return Delivery.objects.create(**values)


@pytest.fixture
def log(world):
    """One delivery per member of the workspace, one in the other workspace."""
    rows = {}
    for persona in ("admin", "manager", "editor", "viewer"):
        rows[persona] = _delivery(world.workspace, world.users[persona], f"k-{persona}")
    rows["failed"] = _delivery(
        world.workspace,
        world.users["viewer"],
        "k-failed",
        attempts=3,
        last_error="SMTPServerDisconnected: gone",
    )
    rows["outsider"] = _delivery(world.other_workspace, world.users["outsider"], "k-outsider")
    return rows


def shown(response) -> set[str]:
    page = response.content.decode()
    return {
        key
        for key in ("admin", "manager", "editor", "viewer", "failed", "outsider")
        if f"Subject k-{key}" in page
    }


@pytest.mark.parametrize("persona", ["admin", "manager"])
def test_admins_and_managers_see_every_delivery_of_the_workspace(world, log, client_for, persona):
    response = client_for(persona).get(log_url(world))
    assert response.status_code == 200
    assert shown(response) == {"admin", "manager", "editor", "viewer", "failed"}


@pytest.mark.parametrize("persona", ["editor", "viewer"])
def test_members_see_only_their_own(world, log, client_for, persona):
    response = client_for(persona).get(log_url(world))
    expected = {"viewer", "failed"} if persona == "viewer" else {"editor"}
    assert shown(response) == expected


def test_the_log_shows_attempts_and_the_last_error(world, log, client_for):
    page = client_for("viewer").get(log_url(world)).content.decode()
    assert "SMTPServerDisconnected: gone" in page


def test_the_log_filters_by_status_and_kind(world, log, client_for):
    Delivery.objects.filter(pk=log["admin"].pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    Delivery.objects.filter(pk=log["manager"].pk).update(kind=DeliveryKind.TEST_EMAIL)
    client = client_for("admin")
    assert shown(client.get(log_url(world) + "?status=sent")) == {"admin"}
    assert shown(client.get(log_url(world) + "?kind=test_email")) == {"manager"}


def test_the_log_is_paginated(world, client_for):
    user = world.users["admin"]
    for i in range(55):
        _delivery(world.workspace, user, f"bulk-{i}")
    page = client_for("admin").get(log_url(world)).content.decode()
    assert page.count('class="delivery status-') == 50
    assert "page=2" in page


def test_another_workspaces_log_is_404(world, log, client_for):
    assert client_for("outsider").get(log_url(world)).status_code == 404


# --- the API -------------------------------------------------------------------------------


def api_subjects(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["subject"].removeprefix("Subject k-") for row in response.json()["results"]}


def test_api_scopes_like_the_page(world, log, api_for):
    assert api_subjects(api_for("manager").get("/api/v1/deliveries/")) == {
        "admin",
        "manager",
        "editor",
        "viewer",
        "failed",
    }
    assert api_subjects(api_for("viewer").get("/api/v1/deliveries/")) == {"viewer", "failed"}
    assert api_subjects(api_for("outsider").get("/api/v1/deliveries/")) == {"outsider"}
    other = f"/api/v1/deliveries/?workspace={world.workspace.pk}"
    assert api_subjects(api_for("outsider").get(other)) == set()


def test_api_filters(world, log, api_for):
    Delivery.objects.filter(pk=log["admin"].pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    client = api_for("admin")
    ws = world.workspace.pk
    assert api_subjects(client.get(f"/api/v1/deliveries/?workspace={ws}&status=sent")) == {"admin"}
    assert api_subjects(client.get("/api/v1/deliveries/?kind=test_email")) == set()
    row = client.get(f"/api/v1/deliveries/?workspace={ws}&status=pending").json()["results"][0]
    assert {"kind", "recipient", "status", "attempts", "last_error", "sent_at", "period"} <= set(
        row
    )


# --- send me a test ------------------------------------------------------------------------------


def test_send_me_a_test_twice_in_a_minute_sends_one_email(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("viewer")
    test_url = f"/w/{world.workspace.slug}/deliveries/test/"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(test_url)
        second = client.post(test_url)
    assert first.status_code == 302 and second.status_code == 302
    (delivery,) = Delivery.objects.filter(kind=DeliveryKind.TEST_EMAIL)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.dedup_key.startswith(f"test:{world.users['viewer'].pk}:")
    (email,) = mail.outbox
    assert email.to == [world.users["viewer"].email]
    assert email.subject == "[Almanac] Test email — Lumi Tea"
    assert "List-Unsubscribe" in email.extra_headers
    assert "<script" not in html_of(email)


def test_test_emails_of_different_minutes_are_different_deliveries(world):
    user = world.users["editor"]
    a = sample.request_test(
        user=user, workspace=world.workspace, now=datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    )
    b = sample.request_test(
        user=user, workspace=world.workspace, now=datetime(2027, 1, 1, 9, 0, 40, tzinfo=UTC)
    )
    c = sample.request_test(
        user=user, workspace=world.workspace, now=datetime(2027, 1, 1, 9, 1, tzinfo=UTC)
    )
    assert a is not None and b is None and c is not None


def test_a_member_without_an_email_address_is_told_so(world, client_for):
    user = world.users["viewer"]
    user.email = ""
    user.save(update_fields=["email"])
    response = client_for("viewer").post(f"/w/{world.workspace.slug}/deliveries/test/", follow=True)
    assert "no email address" in response.content.decode()
    assert not Delivery.objects.exists()
