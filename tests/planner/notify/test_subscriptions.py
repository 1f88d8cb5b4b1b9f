"""Each member edits their own subscription: the page (version-checked) and the API
(ETag / If-Match)."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from planner.models import Subscription
from planner.notify import subscriptions
from tests.planner.notify.helpers import membership, subscribe

pytestmark = pytest.mark.django_db

FORM = {
    "alert_severities": ["critical"],
    "alert_sections": ["monitoring", "budget"],
    "digest": "daily",
    "digest_hour": "7",
    "language": "en",
    "timezone": "Europe/Berlin",
}


def url(world) -> str:
    return f"/w/{world.workspace.slug}/notifications/"


def api_url(world) -> str:
    return f"/api/v1/workspaces/{world.workspace.pk}/notifications/me/"


def saved(world, persona: str) -> Subscription:
    return Subscription.objects.get(membership=membership(world, persona))


# --- the page -------------------------------------------------------------------------------


def test_the_first_visit_creates_the_defaults_in_the_members_language(world, client_for):
    client = client_for("viewer")
    client.cookies["django_language"] = "zh-hans"
    response = client.get(url(world))
    assert response.status_code == 200
    found = saved(world, "viewer")
    assert found.language == "zh-hans"
    assert found.alert_severities == ["warning", "critical"]
    assert found.digest == "weekly" and found.timezone == "Asia/Shanghai"


def test_the_time_zone_select_starts_with_shanghai(world, client_for):
    page = client_for("viewer").get(url(world)).content.decode()
    options = page[page.index('name="timezone"') :]
    first = options[options.index("<option") :].split("</option>")[0]
    assert 'value="Asia/Shanghai"' in first
    assert 'value="America/New_York"' in options


def test_a_member_saves_their_own_choices(world, client_for):
    client = client_for("editor")
    client.get(url(world))
    response = client.post(url(world), FORM | {"version": 1})
    assert response.status_code == 302
    found = saved(world, "editor")
    assert found.alert_severities == ["critical"]
    assert found.alert_sections == ["monitoring", "budget"]
    assert (found.digest, found.digest_hour) == ("daily", 7)
    assert (found.language, found.timezone) == ("en", "Europe/Berlin")
    assert found.version == 2
    # nobody else's changed
    assert not Subscription.objects.filter(membership=membership(world, "viewer")).exists()


def test_a_stale_save_shows_the_saved_values_and_overwrites_nothing(world, client_for):
    client = client_for("editor")
    client.get(url(world))
    subscriptions.subscription_update(
        subscription=saved(world, "editor"),
        expected_version=1,
        changes={"digest": "quarterly"},
    )
    response = client.post(url(world), FORM | {"version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert 'class="conflict"' in page
    found = saved(world, "editor")
    assert found.digest == "quarterly" and found.alert_severities == ["warning", "critical"]


def test_an_unknown_time_zone_is_refused(world, client_for):
    client = client_for("editor")
    client.get(url(world))
    response = client.post(url(world), FORM | {"timezone": "Mars/Olympus", "version": 1})
    assert response.status_code == 400
    assert saved(world, "editor").timezone == "Asia/Shanghai"


def test_the_service_validates_every_field():
    with pytest.raises(InvalidInput) as caught:
        subscriptions.validate(
            {
                "alert_severities": ["panic"],
                "alert_sections": ["nowhere"],
                "digest": "hourly",
                "digest_hour": 24,
                "language": "fr",
                "timezone": "Nowhere/City",
            }
        )
    assert set(caught.value.fields) == {
        "alert_severities",
        "alert_sections",
        "digest",
        "digest_hour",
        "language",
        "timezone",
    }


def test_an_outsider_gets_404(world, client_for):
    assert client_for("outsider").get(url(world)).status_code == 404


# --- the API --------------------------------------------------------------------------------


def test_api_get_answers_with_an_etag(world, api_for):
    response = api_for("viewer").get(api_url(world))
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body["alert_severities"] == ["warning", "critical"]
    assert body["digest"] == "weekly"


def test_api_put_needs_if_match(world, api_for):
    client = api_for("viewer")
    assert client.put(api_url(world), {"digest": "none"}, format="json").status_code == 428
    response = client.put(api_url(world), {"digest": "none"}, format="json", HTTP_IF_MATCH='"7"')
    assert response.status_code == 412
    response = client.put(
        api_url(world),
        {"digest": "none", "alert_severities": ["critical"], "timezone": "UTC"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"'
    found = saved(world, "viewer")
    assert (found.digest, found.alert_severities, found.timezone) == ("none", ["critical"], "UTC")


def test_api_put_refuses_an_unknown_time_zone(world, api_for):
    client = api_for("viewer")
    client.get(api_url(world))
    response = client.put(
        api_url(world), {"timezone": "Mars/Olympus"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400
    assert "timezone" in response.json()["fields"]


def test_api_outsider_gets_404(world, api_for):
    assert api_for("outsider").get(api_url(world)).status_code == 404


def test_subscribe_helper_and_preview_agree(world):
    sub = subscribe(world, "viewer", digest="none")
    assert subscriptions.preview(membership(world, "viewer")).digest == sub.digest
