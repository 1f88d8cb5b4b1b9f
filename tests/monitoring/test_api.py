"""The monitoring API: imports, funnel, grades, recompute, settings, alert rules and alerts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from channels.models import Channel
from core.models import OutboxMessage
from monitoring import services
from monitoring.models import (
    Alert,
    AlertRule,
    AlertStatus,
    DailyMetric,
    ImportStatus,
    MetricImport,
)
from monitoring.recompute import recompute_plan
from tests.content.helpers import campaign
from tests.monitoring.seed import alert, channel, metric, rule

pytestmark = pytest.mark.django_db


def funnel_url(world, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/plans/{world.plan.pk}/funnel/" + (f"?{query}" if query else "")


def if_match(obj) -> dict[str, str]:
    return {"HTTP_IF_MATCH": f'"{obj.version}"'}


# --- funnel -------------------------------------------------------------------------------------


@pytest.fixture
def funnel_data(world):
    """January: douyin with a full funnel, tmall with impressions and spend only; February:
    a campaign day on douyin. Recomputed."""
    spring = campaign(world)  # 15 Jan – 12 Feb, on douyin and wechat
    metric(
        world,
        date(2027, 1, 5),
        "douyin",
        impressions=1000,
        clicks=50,
        visits=40,
        signups=10,
        conversions=5,
        spend=100,
        revenue=500,
    )
    metric(world, date(2027, 1, 6), "tmall", impressions=200, spend=30)
    metric(
        world,
        date(2027, 2, 1),
        "douyin",
        spring,
        impressions=400,
        clicks=20,
        visits=20,
        signups=0,
        conversions=0,
        spend=10,
    )
    recompute_plan(world.plan.pk)
    return spring


def test_funnel_of_the_plan_by_month_with_rates_and_stages(world, api_for, funnel_data):
    # when a viewer reads the plan's monthly funnel
    response = api_for("viewer").get(funnel_url(world))
    # then one row per month, rates on the month's sums, stage conversion and drop-off
    assert response.status_code == 200
    body = response.json()
    assert body["stages"] == ["impressions", "clicks", "visits", "signups", "conversions"]
    january, february = body["rows"]
    assert january["period_start"] == "2027-01-01"
    assert (january["impressions"], january["clicks"], january["spend"]) == (1200, 50, 130)
    assert january["ctr"] == pytest.approx(50 / 1200)
    assert january["cvr"] == pytest.approx(5 / 50)
    assert january["cpc"] == pytest.approx(130 / 50)
    assert january["cpa"] == pytest.approx(130 / 5)
    assert january["roas"] == pytest.approx(500 / 130)
    stages = {s["stage"]: s for s in january["stages"]}
    assert stages["clicks"]["previous"] == "impressions"
    assert stages["visits"]["conversion"] == pytest.approx(40 / 50)
    assert stages["visits"]["drop_off"] == pytest.approx(1 - 40 / 50)
    assert stages["conversions"]["count"] == 5
    # February has no sign-ups, no orders and no revenue: zero denominators give null
    assert february["cvr"] == 0
    assert february["cpa"] is None
    assert february["roas"] == 0
    february_stages = {s["stage"]: s for s in february["stages"]}
    assert february_stages["signups"]["conversion"] == 0
    assert february_stages["conversions"]["conversion"] is None
    assert february_stages["conversions"]["drop_off"] is None


def test_funnel_by_channel_and_by_campaign(world, api_for, funnel_data):
    client = api_for("viewer")
    rows = client.get(funnel_url(world, group_by="channel", period="year")).json()["rows"]
    by_channel = {r["key"]: r for r in rows}
    assert set(by_channel) == {"douyin", "tmall"}
    tmall = by_channel["tmall"]
    assert tmall["group"] == "channel" and tmall["id"] == channel(world, "tmall").pk
    assert tmall["ctr"] == 0  # impressions but no clicks
    assert tmall["cvr"] is None and tmall["cpc"] is None and tmall["cpa"] is None  # no clicks
    assert tmall["roas"] == 0
    assert by_channel["douyin"]["impressions"] == 1400
    # one channel only
    only = client.get(funnel_url(world, channel=channel(world, "tmall").pk, period="year"))
    assert [r["key"] for r in only.json()["rows"]] == ["tmall"]
    # per campaign: only the rows booked on a campaign
    (row,) = client.get(funnel_url(world, group_by="campaign", period="quarter")).json()["rows"]
    assert (row["key"], row["period_start"], row["impressions"]) == (
        "spring-2027",
        "2027-01-01",
        400,
    )
    assert row["name"] == funnel_data.name


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "region"}, "group_by"),
        ({"period": "fortnight"}, "period"),
        ({"channel": "douyin"}, "channel"),
        ({"campaign": "x1"}, "campaign"),
    ],
)
def test_funnel_bad_parameters_are_400_naming_the_field(world, api_for, params, field):
    response = api_for("viewer").get(funnel_url(world, **params))
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_funnel_without_data_is_empty(world, api_for):
    body = api_for("viewer").get(funnel_url(world, period="week")).json()
    assert body["rows"] == []
    assert len(body["stages"]) == 5


# --- grades and recompute -----------------------------------------------------------------------


def test_channel_grades_best_first(world, api_for):
    metric(
        world, date(2027, 3, 1), "tmall", clicks=1000, impressions=9000, conversions=100, spend=1000
    )
    metric(
        world, date(2027, 3, 1), "weibo", clicks=1000, impressions=9000, conversions=2, spend=2000
    )
    recompute_plan(world.plan.pk)
    rows = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/channel-grades/").json()
    assert [(r["channel_code"], r["grade"]) for r in rows] == [("tmall", "A"), ("weibo", "C")]
    assert rows[0]["cpa"] == pytest.approx(10.0)
    assert rows[0]["suggested_shift"] == 400.0 and rows[1]["suggested_shift"] == -400.0
    assert rows[1]["spend"] == 2000.0


def test_recompute_is_accepted_and_queued(world, api_for):
    response = api_for("editor").post(f"/api/v1/plans/{world.plan.pk}/recompute/")
    assert response.status_code == 202
    assert OutboxMessage.objects.filter(task_name=services.RECOMPUTE_TASK).count() == 1


# --- settings -------------------------------------------------------------------------------


def test_settings_get_and_put_with_etags(world, api_for):
    client = api_for("editor")
    url = f"/api/v1/plans/{world.plan.pk}/monitoring-settings/"
    read = client.get(url)
    assert read.status_code == 200 and read["ETag"] == '"1"'
    assert read.json()["grade_cutoffs"] == {"a": 70.0, "b": 40.0}
    assert client.put(url, {"max_shift": 0.1}, format="json").status_code == 428
    changed = client.put(
        url,
        {"max_shift": 0.1, "funnel_stages": ["impressions", "clicks"]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    assert changed.json()["max_shift"] == 0.1
    assert changed.json()["funnel_stages"] == ["impressions", "clicks"]
    stale = client.put(url, {"max_shift": 0.3}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    bad = client.put(url, {"grade_cutoffs": {"a": 10, "b": 50}}, format="json", HTTP_IF_MATCH='"2"')
    assert bad.status_code == 400 and "grade_cutoffs" in bad.json()["fields"]


# --- alert rules ----------------------------------------------------------------------------


def test_alert_rule_crud_with_etags(world, api_for):
    client = api_for("editor")
    # when a rule is created
    created = client.post(
        "/api/v1/alert-rules/",
        {
            "plan": world.plan.pk,
            "name": "JD cost per order above 40",
            "metric": "cpa",
            "channel": channel(world, "jd").pk,
            "kind": "bounds",
            "upper": 40,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created["ETag"] == '"1"'
    url = f"/api/v1/alert-rules/{created.json()['id']}/"
    # then it can be read and listed
    read = client.get(url)
    assert read["ETag"] == '"1"' and read.json()["channel"] == channel(world, "jd").pk
    listed = client.get(f"/api/v1/alert-rules/?plan={world.plan.pk}").json()["results"]
    assert [r["name"] for r in listed] == ["JD cost per order above 40"]
    # and changed with its ETag only
    assert client.patch(url, {"upper": 50}, format="json").status_code == 428
    patched = client.patch(url, {"upper": 50}, format="json", HTTP_IF_MATCH='"1"')
    assert patched.status_code == 200 and patched["ETag"] == '"2"'
    assert patched.json()["upper"] == 50
    assert client.patch(url, {"upper": 60}, format="json", HTTP_IF_MATCH='"1"').status_code == 412
    # an invalid change names the field
    bad = client.patch(url, {"lower": 90}, format="json", HTTP_IF_MATCH='"2"')
    assert bad.status_code == 400 and "upper" in bad.json()["fields"]
    # and it is deleted with its ETag
    assert client.delete(url, HTTP_IF_MATCH='"1"').status_code == 412
    assert client.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    assert not AlertRule.objects.exists()


def test_alert_rule_validation_and_foreign_channels(world, api_for):
    client = api_for("editor")
    body = {"plan": world.plan.pk, "name": "Spend", "metric": "spend", "kind": "change"}
    missing = client.post("/api/v1/alert-rules/", body, format="json")
    assert missing.status_code == 400 and "change_pct" in missing.json()["fields"]
    foreign = Channel.objects.get(plan=world.other_plan, code="douyin")
    other = client.post(
        "/api/v1/alert-rules/", {**body, "change_pct": 50, "channel": foreign.pk}, format="json"
    )
    assert other.status_code == 400 and "channel" in other.json()["fields"]
    assert not AlertRule.objects.exists()


# --- alerts -------------------------------------------------------------------------------------


def test_alerts_list_filters_by_status_and_plan(world, api_for):
    first = alert(world)
    alert(
        world,
        status=AlertStatus.RESOLVED,
        window_start=date(2027, 2, 1),
        window_end=date(2027, 2, 1),
    )
    client = api_for("viewer")
    everything = client.get(f"/api/v1/alerts/?plan={world.plan.pk}").json()["results"]
    assert len(everything) == 2
    open_ = client.get(f"/api/v1/alerts/?plan={world.plan.pk}&status=open").json()["results"]
    assert [a["id"] for a in open_] == [first.pk]
    assert open_[0]["channel_code"] == "douyin" and open_[0]["observed"] == 2500.0
    assert client.get("/api/v1/alerts/?status=acknowledged").json()["results"] == []
    # an outsider sees none of them
    assert api_for("outsider").get("/api/v1/alerts/").json()["results"] == []


def test_acknowledge_and_resolve_need_if_match(world, api_for):
    a = alert(world)
    client = api_for("editor")
    url = f"/api/v1/alerts/{a.pk}/"
    assert client.get(url)["ETag"] == '"1"'
    # without If-Match: 428; with a stale one: 412; nothing changes
    assert client.post(url + "acknowledge/", {}, format="json").status_code == 428
    stale = client.post(url + "acknowledge/", {}, format="json", HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    assert Alert.objects.get(pk=a.pk).status == AlertStatus.OPEN
    # with the ETag: acknowledged, by whom, with the note
    acked = client.post(url + "acknowledge/", {"note": "On it"}, format="json", HTTP_IF_MATCH='"1"')
    assert acked.status_code == 200 and acked["ETag"] == '"2"'
    assert acked.json()["status"] == "acknowledged"
    assert acked.json()["acknowledged_by"] == "editor-user"
    assert acked.json()["note"].endswith("editor-user: On it")
    resolved = client.post(url + "resolve/", {}, format="json", HTTP_IF_MATCH='"2"')
    assert resolved.status_code == 200 and resolved.json()["resolved_by"] == "editor-user"
    # resolving twice is a conflict
    again = client.post(url + "resolve/", {}, format="json", HTTP_IF_MATCH='"3"')
    assert again.status_code == 409
    reopened = client.post(url + "reopen/", {}, format="json", HTTP_IF_MATCH='"3"')
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"


def test_a_viewer_cannot_acknowledge(world, api_for):
    a = alert(world)
    response = api_for("viewer").post(
        f"/api/v1/alerts/{a.pk}/acknowledge/", {}, format="json", **if_match(a)
    )
    assert response.status_code == 403
    assert Alert.objects.get(pk=a.pk).status == AlertStatus.OPEN


# --- imports -------------------------------------------------------------------------------------


def import_url(world) -> str:
    return f"/api/v1/plans/{world.plan.pk}/metrics/import/"


def rows() -> list[dict[str, object]]:
    return [
        {
            "date": "2027-03-01",
            "channel": "douyin",
            "impressions": 1000,
            "clicks": 40,
            "visits": 30,
            "signups": 5,
            "conversions": 2,
            "new_users": 1,
            "spend": "120.50",
            "revenue": "260.00",
        },
        {
            "date": "2027-03-02",
            "channel": "tmall",
            "impressions": 500,
            "clicks": 10,
            "visits": 0,
            "signups": 0,
            "conversions": 0,
            "new_users": 0,
            "spend": 30,
            "revenue": 0,
        },
    ]


def test_import_json_rows_writes_them(world, api_for):
    response = api_for("editor").post(import_url(world), {"rows": rows()}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == ImportStatus.SUCCEEDED
    assert (body["rows_total"], body["rows_inserted"], body["rows_replaced"]) == (2, 2, 0)
    assert (body["first_date"], body["last_date"]) == ("2027-03-01", "2027-03-02")
    assert body["created_by"] == "editor-user" and body["problems"] == []
    douyin = DailyMetric.objects.get(plan=world.plan, channel__code="douyin")
    assert (douyin.impressions, douyin.spend, douyin.revenue) == (1000, Decimal("120.50"), 260)
    assert douyin.source_import_id == body["id"]
    # and a recompute was asked for
    assert OutboxMessage.objects.filter(task_name=services.RECOMPUTE_TASK).exists()


def test_import_with_a_bad_row_writes_nothing_and_names_row_and_column(world, api_for):
    bad = rows()
    bad[1]["clicks"] = "many"
    response = api_for("editor").post(import_url(world), {"rows": bad}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == ImportStatus.FAILED
    assert [(p["row"], p["column"]) for p in body["problems"]] == [(2, "clicks")]
    assert not DailyMetric.objects.exists()
    assert MetricImport.objects.get(pk=body["id"]).error_count >= 1


def test_importing_the_same_days_again_replaces_them(world, api_for):
    client = api_for("editor")
    client.post(import_url(world), {"rows": rows()}, format="json")
    changed = rows()
    changed[0]["spend"] = "99.00"
    again = client.post(import_url(world), {"rows": changed}, format="json").json()
    assert (again["rows_inserted"], again["rows_replaced"]) == (0, 2)
    assert DailyMetric.objects.count() == 2
    assert DailyMetric.objects.get(channel__code="douyin").spend == Decimal("99.00")


def test_a_large_file_is_queued_for_a_worker(world, api_for, monkeypatch):
    # given files above a (lowered) size limit go to a worker
    monkeypatch.setattr(services, "INLINE_IMPORT_BYTES", 10)
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = (
        "date,channel,campaign,impressions,clicks,visits,signups,conversions,new_users,"
        "spend,revenue"
    )
    body = f"{header}\n2027-03-01,douyin,,1000,40,30,4,2,1,120.00,256.00\n".encode()
    upload = SimpleUploadedFile("march.csv", body, content_type="text/csv")
    # when it is uploaded
    response = api_for("editor").post(import_url(world), {"file": upload}, format="multipart")
    # then it is accepted and queued, with where to follow it
    assert response.status_code == 202, response.json()
    record = MetricImport.objects.get(pk=response.json()["id"])
    assert response["Location"] == f"/api/v1/metric-imports/{record.pk}/"
    assert record.status == ImportStatus.QUEUED and not DailyMetric.objects.exists()
    # and when the worker runs it, the rows are written and the stored file removed
    assert services.run_import(record.pk) == ImportStatus.SUCCEEDED
    record.refresh_from_db()
    assert (record.rows_inserted, record.file.name) == (1, "")
    assert DailyMetric.objects.get().clicks == 40
    # a second delivery of the same job does nothing
    assert services.run_import(record.pk) == ImportStatus.SUCCEEDED
    assert DailyMetric.objects.count() == 1


def test_a_dry_run_checks_and_writes_nothing(world, api_for):
    response = api_for("editor").post(
        import_url(world), {"rows": rows(), "dry_run": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == ImportStatus.CHECKED
    assert response.json()["rows_total"] == 2
    assert not DailyMetric.objects.exists()
    assert not OutboxMessage.objects.filter(task_name=services.RECOMPUTE_TASK).exists()


def test_import_needs_a_file_or_rows_but_not_both(world, api_for):
    response = api_for("editor").post(import_url(world), {"dry_run": True}, format="json")
    assert response.status_code == 400
    assert not MetricImport.objects.exists()


def test_import_history_is_scoped_to_the_callers_workspaces(world, api_for):
    # given an import in each workspace
    mine = MetricImport.objects.create(plan=world.plan, filename="march.csv", status="succeeded")
    MetricImport.objects.create(plan=world.other_plan, filename="rival.csv", status="failed")
    # then members see theirs, filtered by plan, and the outsider only their own
    listed = api_for("viewer").get("/api/v1/metric-imports/").json()["results"]
    assert [r["filename"] for r in listed] == ["march.csv"]
    by_plan = api_for("viewer").get(f"/api/v1/metric-imports/?plan={world.plan.pk}").json()
    assert [r["id"] for r in by_plan["results"]] == [mine.pk]
    outsider = api_for("outsider").get(f"/api/v1/metric-imports/?plan={world.plan.pk}").json()
    assert outsider["results"] == []
    assert api_for("outsider").get(f"/api/v1/metric-imports/{mine.pk}/").status_code == 404
    detail = api_for("viewer").get(f"/api/v1/metric-imports/{mine.pk}/").json()
    assert detail["status"] == "succeeded" and detail["more_problems"] == 0


def test_rule_created_through_the_api_raises_alerts_after_a_recompute(world, api_for):
    # an end-to-end check through the stored results
    rule(world, upper=100.0)
    metric(world, date(2027, 3, 1), spend=150)
    recompute_plan(world.plan.pk)
    open_ = api_for("viewer").get("/api/v1/alerts/?status=open").json()["results"]
    assert [(a["metric"], a["window_start"], a["observed"]) for a in open_] == [
        ("spend", "2027-03-01", 150.0)
    ]
