"""Channel-section API: the same numbers as the pages, locking, scoping, imports."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.models import Channel, Creator
from tests.channels.helpers import cell, cooperation, creator


def test_channel_codes_are_unique_per_plan(world, api_for):
    response = api_for("editor").post(
        "/api/v1/channels/",
        {
            "plan": world.plan.pk,
            "code": "douyin",
            "name": "Again",
            "family": "online",
            "group": "social",
        },
        format="json",
    )
    assert response.status_code == 400 and "code" in response.json()["fields"]


def test_channel_list_filters_by_plan_and_counts_queries(world, api_for):
    client = api_for("editor")
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/api/v1/channels/?plan={world.plan.pk}&limit=500").json()
    assert body["count"] == Channel.objects.filter(plan=world.plan).count()
    assert all(row["plan"] == world.plan.pk for row in body["results"])
    assert body["results"][0]["grade"] is None
    assert len(queries) <= 6


def test_matrix_totals_api_agrees_with_the_cells(world, api_for):
    cell(world, "douyin", 1)
    cell(world, "popup", 4)
    body = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/channel-matrix/").json()
    assert body["quarters"] == [100000, 0, 0, 100000]
    assert body["total"] == 200000
    assert body["families"]["offline"] == [0, 0, 0, 100000, 100000]


def test_cell_update_needs_if_match(world, api_for):
    c = cell(world)
    client = api_for("editor")
    assert (
        client.patch(f"/api/v1/channel-plans/{c.pk}/", {"budget": "1"}, format="json").status_code
        == 428
    )
    ok = client.patch(
        f"/api/v1/channel-plans/{c.pk}/",
        {"budget": "1"},
        format="json",
        HTTP_IF_MATCH=f'"{c.version}"',
    )
    assert ok.status_code == 200 and ok.json()["budget"] == 1
    stale = client.patch(
        f"/api/v1/channel-plans/{c.pk}/",
        {"budget": "2"},
        format="json",
        HTTP_IF_MATCH=f'"{c.version}"',
    )
    assert stale.status_code == 412


def test_cell_cannot_point_at_another_workspaces_channel_or_kpi(world, api_for):
    foreign = Channel.objects.get(plan=world.other_plan, code="douyin")
    response = api_for("editor").post(
        "/api/v1/channel-plans/",
        {"channel": foreign.pk, "quarter": 1, "budget": "5"},
        format="json",
    )
    assert response.status_code == 400 and "channel" in response.json()["fields"]


def test_programme_api_reports_tier_metrics(world, api_for):
    cooperation(world)
    body = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/kol-programme/").json()
    head = next(t for t in body["tiers"] if t["tier"] == "head")
    assert head["creators"] == 1
    assert head["results"]["cost_per_engagement"] == 5
    assert head["results"]["cost_per_conversion"] == 100
    assert head["results"]["roi"] == 1.3
    koc = next(t for t in body["tiers"] if t["tier"] == "koc")
    assert koc["results"]["roi"] is None


def test_roster_import_through_the_api_is_all_or_nothing(world, api_for):
    client = api_for("editor")
    bad = SimpleUploadedFile(
        "roster.csv", b"name,platform,tier,fee\nA,Weibo,koc,10\nB,Weibo,kol,10\n"
    )
    response = client.post(
        "/api/v1/creators/import/", {"plan": world.plan.pk, "file": bad}, format="multipart"
    )
    assert response.status_code == 400
    assert "Row 3" in " ".join(response.json()["fields"]["file"])
    assert not Creator.objects.filter(plan=world.plan).exists()
    good = SimpleUploadedFile(
        "roster.csv", b"name,platform,tier,fee\nA,Weibo,koc,10\nB,Weibo,mid,1000\n"
    )
    response = client.post(
        "/api/v1/creators/import/", {"plan": world.plan.pk, "file": good}, format="multipart"
    )
    assert response.json() == {"created": 2, "updated": 0}


def test_creator_update_with_if_match(world, api_for):
    c = creator(world)
    response = api_for("editor").patch(
        f"/api/v1/creators/{c.pk}/",
        {"fee": "210000.50"},
        format="json",
        HTTP_IF_MATCH=f'"{c.version}"',
    )
    assert response.status_code == 200
    assert Creator.objects.get(pk=c.pk).fee == Decimal("210000.50")
