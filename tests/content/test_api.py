"""Content-section API: campaigns, festivals, assets and the publish rule, licences,
specs, the brand standard and interaction mechanisms — locking, scoping, query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels.models import Channel
from content.models import Asset, Campaign, InteractionMechanism, Licence
from planner.models import PlanStatus
from tests.content.helpers import asset, campaign, licence, mechanism, spec


def channel_id(plan: Any, code: str) -> int:
    return Channel.objects.get(plan=plan, code=code).pk


def etag(obj: Any) -> dict[str, str]:
    obj.refresh_from_db()
    return {"HTTP_IF_MATCH": f'"{obj.version}"'}


# --- campaigns ------------------------------------------------------------------------------


def test_campaign_create_read_update_with_etags(world, api_for):
    client = api_for("editor")
    # given a new campaign posted with two channels
    created = client.post(
        "/api/v1/campaigns/",
        {
            "plan": world.plan.pk,
            "code": "mid-autumn-2027",
            "name": "Mid-Autumn gift boxes",
            "theme": "festival",
            "festival": "mid_autumn",
            "start": "2027-08-25",
            "end": "2027-09-16",
            "channels": [channel_id(world.plan, "tmall"), channel_id(world.plan, "douyin")],
            "budget": 450000,
            "status": "planned",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert created["ETag"] == '"1"'
    assert body["spills_over"] is False and body["overlaps"] == []
    # when it is read and patched with its ETag
    url = f"/api/v1/campaigns/{body['id']}/"
    read = client.get(url)
    assert read["ETag"] == '"1"' and read.json()["budget"] == 450000
    patched = client.patch(url, {"status": "in_production"}, format="json", HTTP_IF_MATCH='"1"')
    # then the change is saved and the version moves on
    assert patched.status_code == 200 and patched["ETag"] == '"2"'
    assert Campaign.objects.get(pk=body["id"]).status == "in_production"
    # and a second writer holding version 1 is refused, nothing written
    stale = client.patch(url, {"name": "Overwritten"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert Campaign.objects.get(pk=body["id"]).name == "Mid-Autumn gift boxes"
    # and a write without If-Match is refused
    assert client.patch(url, {"name": "x"}, format="json").status_code == 428


def test_campaign_validation_names_the_fields(world, api_for):
    response = api_for("editor").post(
        "/api/v1/campaigns/",
        {
            "plan": world.plan.pk,
            "code": "Bad Code",
            "name": "",
            "theme": "festival",
            "start": "2027-03-10",
            "end": "2027-03-01",
        },
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "code" in fields and "name" in fields
    assert not Campaign.objects.filter(plan=world.plan).exists()


def test_campaign_end_before_start_is_refused(world, api_for):
    response = api_for("editor").post(
        "/api/v1/campaigns/",
        {
            "plan": world.plan.pk,
            "code": "backwards",
            "name": "Backwards",
            "theme": "seasonal",
            "start": "2027-03-10",
            "end": "2027-03-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "end" in response.json()["fields"]


def test_campaign_with_another_workspaces_channel_writes_nothing(world, api_for):
    foreign = channel_id(world.other_plan, "douyin")
    response = api_for("editor").post(
        "/api/v1/campaigns/",
        {
            "plan": world.plan.pk,
            "code": "sneaky",
            "name": "Sneaky",
            "theme": "seasonal",
            "start": "2027-03-01",
            "end": "2027-03-10",
            "channels": [foreign],
        },
        format="json",
    )
    assert response.status_code == 400 and "channels" in response.json()["fields"]
    assert not Campaign.objects.filter(code="sneaky").exists()


def test_campaign_list_flags_overlaps_and_spill_over_in_flat_queries(world, api_for):
    # given two campaigns on Douyin for families that share days, and one spilling into 2028
    campaign(world)
    campaign(world, code="cny-live", name="CNY live", start=timezone.datetime(2027, 2, 1).date())
    campaign(
        world,
        code="year-end",
        name="Year end",
        audience="Members",
        start=timezone.datetime(2027, 12, 20).date(),
        end=timezone.datetime(2028, 1, 10).date(),
    )
    client = api_for("viewer")
    # when the plan's campaigns are listed
    with CaptureQueriesContext(connection) as queries:
        rows = client.get(f"/api/v1/campaigns/?plan={world.plan.pk}").json()["results"]
    by_code = {row["code"]: row for row in rows}
    # then the clash is on both sides, with the shared channels and window
    clash = by_code["spring-2027"]["overlaps"]
    assert [(c["code"], sorted(c["channels"])) for c in clash] == [
        ("cny-live", ["douyin", "wechat"])
    ]
    assert clash[0]["start"] == "2027-02-01" and clash[0]["end"] == "2027-02-12"
    assert by_code["cny-live"]["overlaps"][0]["code"] == "spring-2027"
    assert by_code["year-end"]["overlaps"] == [] and by_code["year-end"]["spills_over"] is True
    many = len(queries)
    # and the query count does not grow with the number of campaigns
    for n in range(5):
        campaign(world, code=f"extra-{n}", name=f"Extra {n}", audience=f"Audience {n}")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/api/v1/campaigns/?plan={world.plan.pk}")
    assert len(queries) == many


def test_campaign_filters(world, api_for):
    campaign(world)
    campaign(world, code="launch", name="Launch", theme="product_launch", audience="All")
    client = api_for("viewer")
    rows = client.get(f"/api/v1/campaigns/?plan={world.plan.pk}&theme=product_launch").json()
    assert [r["code"] for r in rows["results"]] == ["launch"]
    wechat = channel_id(world.plan, "wechat")
    rows = client.get(f"/api/v1/campaigns/?plan={world.plan.pk}&channel={wechat}").json()
    assert {r["code"] for r in rows["results"]} == {"spring-2027", "launch"}


def test_approved_plan_allows_only_status_changes(world, api_for):
    c = campaign(world)
    world.plan.status = PlanStatus.APPROVED
    world.plan.save(update_fields=["status"])
    client = api_for("editor")
    url = f"/api/v1/campaigns/{c.pk}/"
    locked = client.patch(url, {"budget": 1}, format="json", **etag(c))
    assert locked.status_code == 409 and locked.json()["code"] == "locked"
    moved = client.patch(url, {"status": "in_production"}, format="json", **etag(c))
    assert moved.status_code == 200 and moved.json()["status"] == "in_production"


def test_status_skipping_a_step_is_refused(world, api_for):
    c = campaign(world)  # planned
    response = api_for("editor").patch(
        f"/api/v1/campaigns/{c.pk}/", {"status": "done"}, format="json", **etag(c)
    )
    assert response.status_code == 400
    assert "one step at a time" in response.json()["fields"]["status"][0]


# --- festivals --------------------------------------------------------------------------------


def test_festivals_of_the_plan_year_are_computed(world, api_for):
    rows = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/festivals/").json()
    by_code = {row["code"]: row for row in rows}
    assert by_code["spring_festival"]["date"] == "2027-02-06"
    assert by_code["spring_festival"]["name"] == "Spring Festival"
    assert by_code["mid_autumn"]["date"] == "2027-09-15"
    assert by_code["double_11"]["date"] == "2027-11-11"
    assert by_code["618"]["start"] == "2027-06-01"
    assert {"code", "name", "date", "start", "end", "kind"} == set(rows[0])


def test_spawning_a_campaign_from_a_festival(world, api_for):
    client = api_for("editor")
    first = client.post(
        f"/api/v1/plans/{world.plan.pk}/festival-campaigns/", {"festival": "qixi"}, format="json"
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["code"] == "qixi-2027" and body["theme"] == "festival"
    assert body["end"] >= "2027-08-08" > body["start"]
    second = client.post(
        f"/api/v1/plans/{world.plan.pk}/festival-campaigns/", {"festival": "qixi"}, format="json"
    )
    assert second.json()["code"] == "qixi-2027-2"
    unknown = client.post(
        f"/api/v1/plans/{world.plan.pk}/festival-campaigns/", {"festival": "easter"}, format="json"
    )
    assert unknown.status_code == 400 and "festival" in unknown.json()["fields"]


# --- assets and the publish rule ---------------------------------------------------------------


def publish(client: Any, a: Asset) -> Any:
    return client.post(f"/api/v1/assets/{a.pk}/publish/", **etag(a))


def test_publish_refused_with_409_when_a_licence_is_missing(world, api_for):
    a = asset(
        world,
        name="Poster without licence",
        elements=[{"kind": "image", "name": "Moon photo", "licence": None}],
    )
    response = publish(api_for("editor"), a)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "publish_blocked"
    assert body["problems"] == ["Moon photo (Image) has no licence."]
    a.refresh_from_db()
    assert a.review_status == "approved" and a.published_at is None and a.version == 1


def test_publish_refused_when_a_licence_expired(world, api_for):
    expired = licence(
        world,
        name="Old music",
        kind="music",
        expires=timezone.localdate() - timedelta(days=1),
    )
    a = asset(
        world,
        name="Video with old music",
        elements=[{"kind": "music", "name": "Old music", "licence": expired}],
    )
    response = publish(api_for("editor"), a)
    assert response.status_code == 409
    assert "expired" in response.json()["problems"][0]
    # the same rule holds when the status is set through a PATCH
    patched = api_for("editor").patch(
        f"/api/v1/assets/{a.pk}/", {"review_status": "published"}, format="json", **etag(a)
    )
    assert patched.status_code == 409
    assert Asset.objects.get(pk=a.pk).review_status == "approved"


def test_publish_succeeds_with_valid_licences(world, api_for):
    a = asset(world)
    response = publish(api_for("editor"), a)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["review_status"] == "published" and body["published_at"]
    assert body["published_by"] == world.users["editor"].pk
    assert body["licence_problems"] == []
    assert response["ETag"] == '"2"'


def test_publish_needs_if_match_and_an_approved_asset(world, api_for):
    a = asset(world, name="Draft", review_status="draft")
    client = api_for("editor")
    assert client.post(f"/api/v1/assets/{a.pk}/publish/").status_code == 428
    response = publish(client, a)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_asset_elements_are_written_whole_and_foreign_licences_refused(world, api_for):
    a = asset(world)
    client = api_for("editor")
    foreign = Licence.objects.create(
        plan=world.other_plan,
        name="Theirs",
        kind="font",
        source="x",
        scope="x",
        document_ref="x",
    )
    refused = client.patch(
        f"/api/v1/assets/{a.pk}/",
        {"elements": [{"kind": "font", "name": "Theirs", "licence": foreign.pk}]},
        format="json",
        **etag(a),
    )
    assert refused.status_code == 400 and "elements" in refused.json()["fields"]
    assert [e.name for e in a.elements.all()] == ["Source Han Sans"]
    music = licence(world, name="Erhu theme", kind="music", source="Own")
    ok = client.patch(
        f"/api/v1/assets/{a.pk}/",
        {
            "elements": [
                {"kind": "font", "name": "Source Han Sans", "licence": licence(world).pk},
                {"kind": "music", "name": "Erhu theme", "licence": music.pk},
            ],
            "layers": ["selling_point"],
        },
        format="json",
        **etag(a),
    )
    assert ok.status_code == 200, ok.content
    assert [e["name"] for e in ok.json()["elements"]] == ["Source Han Sans", "Erhu theme"]
    assert ok.json()["missing_layers"] == ["emotional_story", "call_to_action"]


def test_asset_list_queries_stay_flat(world, api_for):
    asset(world)
    client = api_for("viewer")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/v1/assets/?plan={world.plan.pk}")
    for n in range(6):
        asset(world, name=f"Variant {n}")
    with CaptureQueriesContext(connection) as many:
        rows = client.get(f"/api/v1/assets/?plan={world.plan.pk}").json()
    assert rows["count"] == 7
    assert len(many) == len(few)


# --- licences and the expiry report --------------------------------------------------------


def test_licence_expiry_report(world, api_for):
    today = timezone.localdate()
    soon = licence(world, name="Soon", expires=today + timedelta(days=20))
    later = licence(world, name="Later", expires=today + timedelta(days=75))
    licence(world, name="Far", expires=today + timedelta(days=300))
    asset(world, name="Uses soon", elements=[{"kind": "font", "name": "Soon", "licence": soon}])
    client = api_for("viewer")
    rows = client.get(f"/api/v1/plans/{world.plan.pk}/licence-expiry/?within=30").json()
    assert [(r["licence"]["name"], r["within"], len(r["assets"])) for r in rows] == [
        ("Soon", 30, 1)
    ]
    rows = client.get(f"/api/v1/plans/{world.plan.pk}/licence-expiry/").json()
    assert [(r["licence"]["name"], r["within"]) for r in rows] == [("Soon", 30), ("Later", 90)]
    assert later.pk == rows[1]["licence"]["id"]


def test_licence_in_use_cannot_be_deleted(world, api_for):
    a = asset(world)
    lic = a.elements.get().licence
    response = api_for("editor").delete(f"/api/v1/licences/{lic.pk}/", **etag(lic))
    assert response.status_code == 400
    assert Licence.objects.filter(pk=lic.pk).exists()


# --- brand standard, specs ---------------------------------------------------------------------


def test_brand_standard_get_and_put(world, api_for):
    client = api_for("editor")
    url = f"/api/v1/plans/{world.plan.pk}/brand-standard/"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] == '"1"'
    saved = client.put(
        url,
        {"colours": [{"name": "Tea green", "hex": "#3a7d44"}], "fonts": ["Source Han Sans"]},
        format="json",
        HTTP_IF_MATCH=first["ETag"],
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["colours"] == [{"name": "Tea green", "hex": "#3A7D44"}]
    stale = client.put(url, {"fonts": []}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert stale.status_code == 412
    bad = client.put(
        url, {"colours": [{"name": "x", "hex": "green"}]}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert bad.status_code == 400


def test_standard_specs_are_prefilled_with_aspect_ratios(world, api_for):
    rows = api_for("viewer").get(f"/api/v1/size-specs/?plan={world.plan.pk}&limit=200").json()
    douyin = channel_id(world.plan, "douyin")
    vertical = next(r for r in rows["results"] if r["channel"] == douyin and r["kind"] == "video")
    assert (vertical["width"], vertical["height"], vertical["aspect_ratio"]) == (1080, 1920, "9:16")


# --- interaction mechanisms -------------------------------------------------------------------


def test_feedback_channel_reports_its_sla(world, api_for):
    response = api_for("editor").post(
        "/api/v1/interaction-mechanisms/",
        {
            "plan": world.plan.pk,
            "kind": "feedback_channel",
            "name": "Service chat",
            "ai_first": True,
            "sla_hours": 2,
            "response_hours": [0.5, 1, 1.5, 2, 6],
            "indicators": [{"name": "Satisfaction", "target": 95, "actual": 91, "unit": "%"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sla"]["samples"] == 5 and body["sla"]["median"] == 1.5
    assert body["sla"]["within_sla"] == 0.8 and body["sla"]["breached"] is True
    assert body["indicators"][0]["target"] == 95


def test_fields_of_another_kind_are_refused(world, api_for):
    response = api_for("editor").post(
        "/api/v1/interaction-mechanisms/",
        {"plan": world.plan.pk, "kind": "reward_tier", "name": "Points", "sla_hours": 2},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields == {"sla_hours": ["Does not apply to this kind of mechanism (Tiered rewards)."]}
    assert not InteractionMechanism.objects.filter(name="Points").exists()


# --- scoping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource", ["campaigns", "assets", "licences", "interaction-mechanisms", "size-specs"]
)
def test_outsider_lists_show_no_rows_of_this_workspace(world, api_for, resource):
    campaign(world)
    asset(world)
    mechanism(world)
    rows = api_for("outsider").get(f"/api/v1/{resource}/?limit=500").json()["results"]
    plan_ids = {row["plan"] for row in rows}
    assert world.plan.pk not in plan_ids


def test_asset_on_another_workspaces_campaign_is_refused(world, api_for):
    theirs = Campaign.objects.create(
        plan=world.other_plan,
        code="theirs",
        name="Theirs",
        theme="seasonal",
        start=timezone.datetime(2027, 3, 1).date(),
        end=timezone.datetime(2027, 3, 5).date(),
    )
    response = api_for("editor").post(
        "/api/v1/assets/", {"campaign": theirs.pk, "name": "Mine now"}, format="json"
    )
    assert response.status_code == 400 and "campaign" in response.json()["fields"]
    assert not Asset.objects.filter(name="Mine now").exists()


@pytest.mark.parametrize(
    ("resource", "fetch", "change"),
    [
        ("campaigns", campaign, {"name": "Renamed"}),
        ("assets", asset, {"name": "Renamed"}),
        ("licences", licence, {"scope": "Online only"}),
        ("interaction-mechanisms", mechanism, {"name": "Renamed"}),
        ("size-specs", lambda w: spec(w), {"notes": "Safe zone 150 px"}),
    ],
)
def test_every_content_write_needs_a_current_if_match(world, api_for, resource, fetch, change):
    obj = fetch(world)
    url = f"/api/v1/{resource}/{obj.pk}/"
    client = api_for("editor")
    # without If-Match: 428 and nothing written
    assert client.patch(url, change, format="json").status_code == 428
    assert client.delete(url).status_code == 428
    # with a stale one: 412, the response names the current version
    stale = client.patch(url, change, format="json", HTTP_IF_MATCH=f'"{obj.version + 5}"')
    assert stale.status_code == 412
    obj.refresh_from_db()
    assert obj.version == 1
    # with the current one: saved, and the ETag moves on
    ok = client.patch(url, change, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
