"""The competitor pages: render in both languages, forms, htmx cell edits, stale saves."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring.competitors import Competitor, CompetitorObservation, Feature, FeatureValue
from tests.monitoring.competitors.helpers import competitor, creative, feature, voice

pytestmark = pytest.mark.django_db


def base(world) -> str:
    return f"/plans/{world.plan.pk}/monitoring/competitors/"


def test_list_shows_last_observation_and_share_of_voice(world, client_for):
    hey = competitor(world, "HeyTea")
    voice(world, None, 2, 25)
    voice(world, hey, 2, 75)
    creative(world, observed_on=__import__("datetime").date(2027, 5, 28))
    html = client_for("viewer").get(base(world)).content.decode()
    assert "HeyTea" in html and "618 key visual" in html
    assert "25.0%" in html and "75.0%" in html
    assert 'aria-current="page">Competitors' in html


def test_list_page_queries_do_not_grow_with_competitors(world, client_for):
    client = client_for("viewer")
    competitor(world, "A")
    client.get(base(world))
    with CaptureQueriesContext(connection) as few:
        client.get(base(world))
    for name in "BCDEF":
        voice(world, competitor(world, name), 1, 10)
    with CaptureQueriesContext(connection) as many:
        client.get(base(world))
    assert len(many) == len(few)


def test_timeline_filters_by_kind_and_shows_thumbnails(world, client_for):
    hey = competitor(world)
    voice(world, hey, 1, 10)
    obs = creative(world)
    client = client_for("viewer")
    html = client.get(f"{base(world)}{hey.pk}/").content.decode()
    assert f"observations/{obs.pk}/screenshot/" in html and "Sentiment and voice volume" in html
    only = client.get(f"{base(world)}{hey.pk}/?kind=voice", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="timeline"' in only and "618 key visual" not in only and "<html" not in only


def test_chinese_pages_render(world, client_for):
    hey = competitor(world)
    feature(world)
    voice(world, None, 1, 10)
    client = client_for("editor")
    client.cookies["django_language"] = "zh-hans"
    for path in (
        "",
        f"{hey.pk}/",
        "us/",
        "matrix/",
        "share-of-voice/",
        "import/",
        "observations/new/?kind=voice",
    ):
        response = client.get(base(world) + path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, path


def test_observation_form_records_traffic_in_percent(world, client_for):
    response = client_for("editor").post(
        f"{base(world)}observations/new/",
        {
            "kind": "traffic_share",
            "competitor": "",
            "observed_on": "2027-03-01",
            "share_search": "31",
            "share_social": "27.5",
            "more_sources": "mini-program: 4",
        },
    )
    assert response.status_code == 302
    obs = CompetitorObservation.objects.get()
    assert obs.competitor is None
    assert obs.traffic == {"search": "0.3100", "social": "0.2750", "mini-program": "0.0400"}


def test_observation_form_shows_the_services_problems(world, client_for):
    response = client_for("editor").post(
        f"{base(world)}observations/new/",
        {
            "kind": "voice",
            "competitor": competitor(world).pk,
            "observed_on": "2027-03-01",
            "mentions": "10",
            "positive": "50",
            "neutral": "30",
            "negative": "30",
        },
    )
    assert response.status_code == 400
    assert "add up to 1.1000" in response.content.decode()


def test_stale_observation_edit_shows_the_saved_values(world, client_for):
    obs = creative(world)
    response = client_for("editor").post(
        f"{base(world)}observations/{obs.pk}/",
        {
            "competitor": obs.competitor_id,
            "observed_on": "2027-05-28",
            "title": "Mine",
            "version": 99,
        },
    )
    assert response.status_code == 409
    assert "618 key visual" in response.content.decode()
    obs.refresh_from_db()
    assert obs.title == "618 key visual"


def test_matrix_cell_edit_in_place(world, client_for):
    feat, hey = feature(world, is_differentiator=True, differentiator_note="QR"), competitor(world)
    client = client_for("editor")
    url = f"{base(world)}matrix/features/{feat.pk}/{hey.pk}/"
    editor = client.get(url + "?edit=1", HTTP_HX_REQUEST="true").content.decode()
    assert "<select" in editor and 'name="version"' in editor and "<html" not in editor
    saved = client.post(
        url, {"level": "partial", "note": "since April", "version": 0}, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200 and "since April" in saved.content.decode()
    # the product's coverage comes along out of band: one feature, partly → 50 %
    assert f'<td class="cov" id="cov-{hey.pk}" hx-swap-oob="true"><strong>50%</strong>' in (
        saved.content.decode()
    )
    cell = FeatureValue.objects.get()
    assert (cell.level, cell.competitor, cell.version) == ("partial", hey, 1)
    stale = client.post(url, {"level": "no", "note": "", "version": 0}, HTTP_HX_REQUEST="true")
    assert "in the meantime" in stale.content.decode()
    assert "hx-swap-oob" not in stale.content.decode()  # still editing: nothing saved
    assert FeatureValue.objects.get().level == "partial"
    page = client.get(f"{base(world)}matrix/").content.decode()
    assert 'class="differentiator"' in page and "QR" in page


def test_viewer_sees_the_matrix_but_cannot_open_a_cell_editor(world, client_for):
    feat = feature(world)
    client = client_for("viewer")
    assert "cell-link" not in client.get(f"{base(world)}matrix/").content.decode()
    assert client.get(f"{base(world)}matrix/features/{feat.pk}/us/?edit=1").status_code == 403


def test_import_page_lists_problems_and_writes_nothing(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    competitor(world)
    body = b"month,competitor,mentions,positive,neutral,negative\n2027-13,us,1,1,0,0\n"
    response = client_for("editor").post(
        f"{base(world)}import/", {"kind": "voice", "file": SimpleUploadedFile("v.csv", body)}
    )
    assert response.status_code == 400
    assert "is not a month written YYYY-MM" in response.content.decode()
    assert not CompetitorObservation.objects.exists()


def test_template_csv_uses_the_plans_competitors(world, client_for):
    competitor(world, "Nayuki")
    body = client_for("viewer").get(f"{base(world)}import/traffic-template.csv").content.decode()
    assert body.splitlines()[0] == "date,competitor,source,share" and "Nayuki" in body


def test_the_demo_tracks_three_competitors_with_a_year_of_voice(demo):
    # (tests/planner/test_demo.py: loading the demo twice changes nothing)
    plan = demo
    assert list(Competitor.objects.filter(plan=plan).values_list("name", flat=True)) == [
        "HeyTea",
        "Nayuki",
        "Chagee",
    ]
    observations = CompetitorObservation.objects.filter(plan=plan)
    assert observations.filter(kind="voice").count() == 48
    assert observations.exclude(kind="voice").count() >= 20
    assert observations.exclude(screenshot="").count() == 3
    assert Feature.objects.filter(plan=plan).count() == 12
    assert Feature.objects.filter(plan=plan, is_differentiator=True).count() == 3
    from monitoring import competitor_queries

    months = competitor_queries.share_of_voice(plan)["months"]
    # January's share of voice is the KPI actual of kpis/demo.py (20 %), June's is under goal
    assert round(months[0]["our_share"], 3) == 0.2
    assert months[5]["our_share"] < months[5]["goal"] == 0.18
    assert months[11]["our_share"] > 0.18
