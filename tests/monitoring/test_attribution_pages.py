"""The Attribution tab and the attribution API: what they show, their forms, their errors."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring import attribution as service
from monitoring.models import JourneyImport, JourneyPath
from monitoring.recompute import recompute_plan

PATHS = (
    b"path,conversions,conversion_value,nulls\ndouyin > sem_baidu > tmall,3,450,10\ntmall,1,100,4\n"
)
TOUCHES = (
    b"journey_id,timestamp,channel,conversion,conversion_value\n"
    b"j1,2027-03-01 10:00,douyin,0,\nj1,2027-03-04 10:00,tmall,1,99.00\n"
    b"j2,2027-03-02 10:00,weibo,0,\n"
)


def load(world, content=PATHS) -> None:
    service.import_journeys(
        plan=world.plan,
        actor=world.users["editor"],
        source=io.BytesIO(content),
        filename="paths.csv",
        size=len(content),
    )
    recompute_plan(world.plan.pk)


def test_the_empty_tab_explains_the_formats_and_links_to_the_import(world, client_for):
    page = client_for("editor").get(f"/plans/{world.plan.pk}/monitoring/attribution/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="no-journeys"' in html and 'href="#journeys-upload"' in html
    assert "journey_id,timestamp,channel,conversion,conversion_value" in html
    assert "path,conversions,conversion_value,nulls" in html


def test_a_viewer_sees_the_models_side_by_side_without_the_forms(world, client_for):
    load(world, TOUCHES)
    html = (
        client_for("viewer").get(f"/plans/{world.plan.pk}/monitoring/attribution/").content.decode()
    )
    assert 'id="attribution-figure"' in html  # the plotly figure
    assert 'id="att-tmall"' in html and 'id="att-douyin"' in html
    for label in (
        "Last click",
        "First click",
        "Linear",
        "Time decay",
        "Position based",
        "Data-driven (Markov)",
    ):
        assert label in html
    assert (
        "a touch 7 days earlier counts half as much" in html
    )  # the definition, with the half-life
    assert 'id="journeys-upload"' not in html and 'name="half_life_days"' not in html


def test_path_rows_show_time_decay_as_not_available(world, client_for):
    load(world)
    html = (
        client_for("editor").get(f"/plans/{world.plan.pk}/monitoring/attribution/").content.decode()
    )
    assert "time decay is not available" in html
    assert "Not available: the journeys have no timestamps." in html


def test_the_page_speaks_chinese(world, client_for):
    load(world, TOUCHES)
    client = client_for("editor")
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/plans/{world.plan.pk}/monitoring/attribution/")
    assert page.status_code == 200


def test_an_upload_redirects_to_its_result_and_a_refused_one_lists_the_problems(world, client_for):
    client = client_for("editor")
    url = f"/plans/{world.plan.pk}/monitoring/attribution/import/"
    done = client.post(url, {"file": SimpleUploadedFile("p.csv", PATHS), "mode": "replace"})
    assert done.status_code == 302 and "import=" in done["Location"]
    assert JourneyPath.objects.filter(plan=world.plan).count() == 2
    bad = b"path,conversions,conversion_value,nulls\ndouyin > tiktok,1,5,0\n"
    refused = client.post(url, {"file": SimpleUploadedFile("bad.csv", bad), "mode": "append"})
    page = client.get(refused["Location"])
    html = page.content.decode()
    assert 'id="journeys-problems"' in html and "tiktok" in html
    assert JourneyPath.objects.filter(plan=world.plan).count() == 2
    missing = client.post(url, {"mode": "replace"})
    assert missing.status_code == 400


def test_a_stale_settings_form_shows_the_saved_values(world, client_for):
    client = client_for("editor")
    url = f"/plans/{world.plan.pk}/monitoring/attribution/settings/"
    version = service.settings_for(world.plan).version
    form = {"version": version, "half_life_days": "3", "first_share": "30", "last_share": "50"}
    assert client.post(url, form).status_code == 302
    stale = client.post(url, {**form, "half_life_days": "9"})
    assert stale.status_code == 409
    assert 'value="3"' in stale.content.decode()
    wrong = client.post(
        url, {**form, "version": version + 1, "first_share": "70", "last_share": "50"}
    )
    assert wrong.status_code == 400


def test_the_template_is_a_valid_touchpoint_file(world, client_for):
    response = client_for("viewer").get(
        f"/plans/{world.plan.pk}/monitoring/attribution/template.csv"
    )
    record = service.import_journeys(
        plan=world.plan,
        actor=world.users["editor"],
        source=io.BytesIO(response.content),
        filename="template.csv",
        size=len(response.content),
        dry_run=True,
    )
    assert record.status == "checked", record.errors
    assert record.journeys == 2


# --- API ---------------------------------------------------------------------------------


def test_the_api_gives_every_model_with_totals_and_parameters(world, api_for):
    load(world, TOUCHES)
    data = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/attribution/").json()
    assert data["parameters"] == {"half_life_days": 7.0, "first_share": 0.4, "last_share": 0.4}
    assert data["dataset"]["journeys"] == 2 and data["total_conversions"] == 1
    assert [m["model"] for m in data["models"]] == [
        "last_click",
        "first_click",
        "linear",
        "time_decay",
        "position_based",
        "markov",
    ]
    for model in data["models"]:
        assert sum(c["conversions"] for c in model["channels"]) == pytest.approx(1)
        assert sum(c["value"] for c in model["channels"]) == pytest.approx(99.0)
    last = next(m for m in data["models"] if m["model"] == "last_click")
    assert {c["channel"]: c["conversions"] for c in last["channels"]}["tmall"] == 1


def test_the_api_gives_one_model_and_accepts_position_for_position_based(world, api_for):
    load(world)
    client = api_for("viewer")
    one = client.get(f"/api/v1/plans/{world.plan.pk}/attribution/?model=position").json()
    assert one["model"] == "position_based" and one["total_conversions"] == pytest.approx(4)
    assert {"channel", "conversions", "value", "share"} <= set(one["channels"][0])
    decay = client.get(f"/api/v1/plans/{world.plan.pk}/attribution/?model=time_decay").json()
    assert decay["available"] is False and decay["channels"] == []
    bad = client.get(f"/api/v1/plans/{world.plan.pk}/attribution/?model=shapley")
    assert bad.status_code == 400 and "model" in bad.json()["fields"]


def test_the_import_api_takes_files_and_rows_and_refuses_bad_ones(world, api_for):
    client = api_for("editor")
    url = f"/api/v1/plans/{world.plan.pk}/journeys/import/"
    done = client.post(url, {"file": SimpleUploadedFile("p.csv", PATHS)}, format="multipart")
    assert done.status_code == 200 and done.json()["paths"] == 2
    refused = client.post(
        url,
        {
            "rows": [
                {"path": "douyin > tiktok", "conversions": 1, "conversion_value": 5, "nulls": 0}
            ]
        },
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["problems"][0] == {
        "row": 1,
        "column": "path",
        "message": "no channel with the code “tiktok” in this plan",
    }
    history = client.get(f"/api/v1/journey-imports/?plan={world.plan.pk}").json()
    assert [i["status"] for i in history["results"]] == ["failed", "succeeded"]
    assert JourneyImport.objects.filter(plan=world.plan).count() == 2


def test_the_settings_api_needs_if_match(world, api_for):
    client = api_for("editor")
    url = f"/api/v1/plans/{world.plan.pk}/attribution-settings/"
    got = client.get(url)
    etag = got["ETag"]
    assert client.put(url, {"half_life_days": 3}, format="json").status_code == 428
    ok = client.put(url, {"half_life_days": 3}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["half_life_days"] == 3
    assert (
        client.put(url, {"half_life_days": 4}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    )
    bad = client.put(
        url, {"first_share": 0.9}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"]
    )
    assert bad.status_code == 400


def test_the_schema_documents_the_attribution_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/plans/{id}/attribution/" in schema["paths"]
    assert "/api/v1/plans/{id}/journeys/import/" in schema["paths"]
