"""The competitor API: If-Match, cross-workspace ids, screenshots, share of voice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpis.models import Kpi
from monitoring.competitors import Competitor, CompetitorObservation, FeatureValue
from tests.monitoring.competitors.helpers import competitor, creative, feature, image, voice

pytestmark = pytest.mark.django_db
D = Decimal


def test_competitor_update_needs_if_match(world, api_for):
    rival = competitor(world)
    client = api_for("editor")
    url = f"/api/v1/competitors/{rival.pk}/"
    assert client.patch(url, {"notes": "x"}, format="json").status_code == 428
    stale = client.patch(url, {"notes": "x"}, format="json", HTTP_IF_MATCH='"9"')
    assert stale.status_code == 412
    ok = client.patch(url, {"notes": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok["ETag"] == '"2"' and ok.json()["notes"] == "x"


def test_list_is_filtered_by_plan_and_kind(world, api_for):
    rival = competitor(world)
    voice(world, rival, 1, 100)
    creative(world)
    client = api_for("viewer")
    rows = client.get(f"/api/v1/competitor-observations/?plan={world.plan.pk}&kind=voice").json()[
        "results"
    ]
    assert [r["kind"] for r in rows] == ["voice"]
    assert rows[0]["positive"] == 0.6 and rows[0]["competitor"] == rival.pk
    shot = client.get(f"/api/v1/competitor-observations/?competitor={rival.pk}&kind=ad_creative")
    assert shot.json()["results"][0]["screenshot_url"].endswith("/screenshot/")


def test_an_observation_with_a_screenshot_is_posted_as_multipart(world, api_for):
    rival = competitor(world)
    response = api_for("editor").post(
        "/api/v1/competitor-observations/",
        {
            "plan": world.plan.pk,
            "competitor": rival.pk,
            "kind": "landing_page",
            "observed_on": "2027-04-10",
            "title": "Light range page",
            "link": "https://www.naixue.com/light",
            "screenshot": image(40, 30, "page.webp"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["screenshot_type"], body["screenshot_width"]) == ("image/png", 40)
    download = api_for("viewer").get(body["screenshot_url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_renamed_binary_is_refused_by_the_api(world, api_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_for("editor").post(
        "/api/v1/competitor-observations/",
        {
            "plan": world.plan.pk,
            "competitor": competitor(world).pk,
            "kind": "ad_creative",
            "observed_on": "2027-04-10",
            "title": "x",
            "screenshot": SimpleUploadedFile("x.png", b"MZ" + b"\0" * 99, "image/png"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "is not a PNG, JPEG or WebP" in response.json()["fields"]["screenshot"][0]
    assert CompetitorObservation.objects.count() == 0


def test_screenshot_of_another_workspace_is_not_found(world, api_for, client_for):
    obs = creative(world)
    assert (
        api_for("outsider").get(f"/api/v1/competitor-observations/{obs.pk}/screenshot/").status_code
        == 404
    )
    page = f"/plans/{world.plan.pk}/monitoring/competitors/observations/{obs.pk}/screenshot/"
    assert client_for("outsider").get(page).status_code == 404
    response = client_for("viewer").get(page)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    # the file is never reachable through a public media URL
    assert client_for("viewer").get("/media/" + obs.screenshot.name).status_code == 404


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (
            "/api/v1/competitor-observations/",
            lambda w, rival: {
                "plan": w.plan.pk,
                "competitor": rival.pk,
                "kind": "voice",
                "observed_on": "2027-01-01",
                "mentions": 1,
                "positive": 1,
                "neutral": 0,
                "negative": 0,
            },
        ),
        (
            "/api/v1/matrix-cells/",
            lambda w, rival: {
                "feature": feature(w).pk,
                "competitor": rival.pk,
                "level": "has",
            },
        ),
    ],
)
def test_another_workspaces_competitor_id_is_refused(world, api_for, url, body):
    rival = competitor(world, "Rival", plan=world.other_plan)
    response = api_for("editor").post(url, body(world, rival), format="json")
    assert response.status_code == 400
    assert "competitor" in response.json()["fields"]
    assert CompetitorObservation.objects.filter(plan=world.plan).count() == 0
    assert FeatureValue.objects.filter(feature__plan=world.plan).count() == 0


def test_matrix_cell_one_per_product(world, api_for):
    feat = feature(world)
    client = api_for("editor")
    first = client.post(
        "/api/v1/matrix-cells/",
        {"feature": feat.pk, "competitor": None, "level": "has"},
        format="json",
    )
    assert first.status_code == 201 and first.json()["competitor"] is None
    again = client.post("/api/v1/matrix-cells/", {"feature": feat.pk, "level": "no"}, format="json")
    assert again.status_code == 400


def test_share_of_voice_api_reports_shares_and_the_kpi_goal(world, api_for):
    hey = competitor(world, "HeyTea")
    voice(world, None, 1, 20)
    voice(world, hey, 1, 80)
    voice(world, None, 2, 30)
    voice(world, hey, 2, 70)
    Kpi.objects.create(
        plan=world.plan,
        code="sov",
        name="Share of voice",
        kind="share_of_voice",
        unit="percent",
        annual_target=D("0.25"),
    )
    body = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/share-of-voice/").json()
    assert body["goal_annual"] == 0.25
    jan, feb = body["months"]
    assert (jan["month"], jan["total_mentions"], jan["our_share"], jan["goal"]) == (
        "2027-01-01",
        100,
        0.2,
        0.25,
    )
    assert {b["name"]: b["share"] for b in feb["brands"]} == {"": 0.3, "HeyTea": 0.7}


def test_share_of_voice_without_a_kpi_has_no_goal(world, api_for):
    voice(world, None, 1, 20)
    body = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/share-of-voice/").json()
    assert body["goal_kpi"] is None and body["months"][0]["goal"] is None
    assert body["months"][0]["our_share"] == 1.0


def test_import_api_refuses_a_bad_file_with_problems(world, api_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    competitor(world)
    body = b"date,competitor,source,share\n2027-03-01,Nobody,search,0.3\n"
    response = api_for("editor").post(
        f"/api/v1/plans/{world.plan.pk}/competitor-import/",
        {"kind": "traffic", "file": SimpleUploadedFile("t.csv", body)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["problems"][0]["row"] == 2
    assert response.json()["problems"][0]["column"] == "competitor"


def test_delete_of_a_competitor_needs_if_match_and_removes_its_observations(world, api_for):
    rival = competitor(world)
    voice(world, rival, 1, 10)
    client = api_for("editor")
    assert client.delete(f"/api/v1/competitors/{rival.pk}/").status_code == 428
    assert client.delete(f"/api/v1/competitors/{rival.pk}/", HTTP_IF_MATCH='"1"').status_code == 204
    assert not Competitor.objects.exists() and not CompetitorObservation.objects.exists()
