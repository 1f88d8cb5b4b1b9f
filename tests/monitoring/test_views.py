"""The monitoring pages: the overview (totals, funnel, trend with campaign bands, grades,
open alerts, the funnel table), the alert inbox and its lifecycle buttons, the rules and
settings, the imports with their progress card, and the grades on the channel rows."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.models import Channel
from monitoring import services
from monitoring.models import (
    Alert,
    AlertRule,
    AlertStatus,
    ChannelGrade,
    ComputeState,
    DailyMetric,
    MetricImport,
    MonitoringSettings,
)
from monitoring.recompute import recompute_plan
from planner.models import PlanStatus
from tests.content.helpers import campaign
from tests.monitoring.seed import alert, channel, rule

HTMX = {"HTTP_HX_REQUEST": "true"}
CHANNELS = ("douyin", "wechat", "tmall", "weibo")
INCIDENT = (date(2027, 2, 20), date(2027, 2, 22))  # Douyin's CTR collapses


def url(world, suffix=""):
    return f"/plans/{world.plan.pk}/monitoring/{suffix}"


def fill(world, *, start=date(2027, 1, 4), days=56, channels=CHANNELS):
    """``days`` of metrics for ``channels``: steady, with a weekly rhythm; Weibo never
    converts (so its CPA is undefined) and Douyin's CTR collapses on the incident days."""
    rows = []
    for i in range(days):
        day = start + timedelta(days=i)
        for k, code in enumerate(channels):
            impressions = 20000 + 2000 * k + 300 * (day.weekday())
            clicks = impressions * (3 + k) // 100
            if code == "douyin" and INCIDENT[0] <= day <= INCIDENT[1]:
                clicks = impressions // 500  # 0.2%
            conversions = 0 if code == "weibo" else clicks * (5 + 3 * k) // 100
            rows.append(
                DailyMetric(
                    plan=world.plan,
                    date=day,
                    channel=channel(world, code),
                    impressions=impressions,
                    clicks=clicks,
                    visits=clicks * 9 // 10,
                    signups=clicks // 5,
                    conversions=conversions,
                    new_users=conversions // 2,
                    spend=Decimal(400 + 150 * k),
                    revenue=Decimal(conversions * (60 + 10 * k)),
                )
            )
    DailyMetric.objects.bulk_create(rows)


def ctr_rule(world):
    return rule(
        world,
        name="Douyin CTR below 1%",
        metric="ctr",
        kind="bounds",
        lower=0.01,
        upper=None,
        channel=channel(world, "douyin"),
        severity="critical",
    )


@pytest.fixture
def data(world):
    """Eight weeks of four channels, a campaign, a CTR rule, and the recompute's results."""
    campaign(world)
    fill(world)
    ctr_rule(world)
    recompute_plan(world.plan.pk)
    return world


def figure(content, element_id):
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', content, re.S
    )
    assert found, f"no figure {element_id}"
    return json.loads(unescape(found.group(1)))


# --- overview ------------------------------------------------------------------------------------


def test_overview_shows_year_totals_funnel_grades_and_open_alerts(data, client_for):
    # given eight weeks of data, recomputed
    # when a viewer opens the overview
    response = client_for("viewer").get(url(data))
    content = response.content.decode()
    # then the year totals are there (Weibo's and everyone's impressions summed)
    total = sum(DailyMetric.objects.values_list("impressions", flat=True))
    assert response.status_code == 200
    assert f"{total:,}" in content
    # the funnel has the configured stages, from exposure to purchase
    funnel = figure(content, "funnel-figure")
    assert funnel["data"][0]["type"] == "funnel"
    assert funnel["data"][0]["y"] == ["Impressions", "Clicks", "Visits", "Sign-ups", "Conversions"]
    assert funnel["data"][0]["x"][0] == total
    assert 'id="funnel-stages"' in content and "Drop-off" in content
    # graded channels with their grade badge and the budget shift in money
    grades = ChannelGrade.objects.filter(plan=data.plan)
    assert grades.count() >= 3
    for g in grades.select_related("channel"):
        assert f'id="grade-{g.channel.code}"' in content
        assert f'class="grade grade-{g.grade}"' in content
    # the CTR incident is one open critical alert, linked to the inbox
    assert Alert.objects.filter(plan=data.plan, severity="critical", status="open").count() == 1
    assert re.search(r'data-severity="critical">1<', content)
    assert f'href="/plans/{data.plan.pk}/monitoring/alerts/?severity=critical"' in content
    # the last recompute and no "recompute now" for a viewer
    assert "Figures computed" in content
    assert "Recompute now" not in content


def test_trend_chart_shades_the_campaigns_as_bands(data, client_for):
    spring = campaign(data)
    content = client_for("editor").get(url(data)).content.decode()
    trend = figure(content, "trend-figure")
    # the default trend: weekly spend bars with the CTR on a second axis
    assert [t["type"] for t in trend["data"]] == ["bar", "scatter"]
    assert trend["data"][1]["yaxis"] == "y2"
    # the campaign is a shaded band over its days (last day included), with a label
    band = next(s for s in trend["layout"]["shapes"] if s.get("name") == spring.name)
    assert band["type"] == "rect" and band["xref"] == "x" and band["yref"] == "paper"
    assert (band["x0"], band["x1"]) == ("2027-01-15", "2027-02-13")
    assert (band["y0"], band["y1"]) == (0, 1)
    label = trend["layout"]["annotations"][0]
    assert label["x"] == "2027-01-15" and spring.name in label["hovertext"]
    # and the list under the chart names it with its dates
    assert 'id="band-legend"' in content and spring.name in content


def test_trend_of_one_channel_day_by_day(data, client_for):
    douyin = channel(data, "douyin")
    response = client_for("viewer").get(
        url(data), {"channel": douyin.pk, "metric": "ctr", "compare": "", "every": "day"}
    )
    content = response.content.decode()
    trend = figure(content, "trend-figure")
    # one line (a rate), a point a day, no second metric
    assert [t["type"] for t in trend["data"]] == ["scatter"]
    assert len(trend["data"][0]["x"]) == 56
    collapse = dict(zip(trend["data"][0]["x"], trend["data"][0]["y"], strict=True))
    assert collapse["2027-02-21"] == pytest.approx(0.002, abs=1e-4)
    assert trend["layout"]["yaxis"]["tickformat"] == ".1%"
    # the totals and the funnel are Douyin's
    assert "2027 so far: Douyin" in content
    douyin_total = sum(
        DailyMetric.objects.filter(channel=douyin).values_list("impressions", flat=True)
    )
    assert figure(content, "funnel-figure")["data"][0]["x"][0] == douyin_total


def test_a_bad_choice_falls_back_to_its_default(data, client_for):
    response = client_for("viewer").get(url(data), {"metric": "nonsense", "channel": "99999"})
    assert response.status_code == 200
    trend = figure(response.content.decode(), "trend-figure")
    assert trend["data"][0]["name"] == "Spend"


def test_funnel_table_per_channel_for_a_chosen_week(data, client_for):
    # when the table is asked for the week of 15 February
    content = (
        client_for("viewer")
        .get(url(data), {"period": "week", "start": "2027-02-15"})
        .content.decode()
    )
    table = content[content.index('id="channel-funnel"') :]
    table = table[: table.index("</table>")]
    # then each channel has its row, and the plan's total is the foot
    for code in CHANNELS:
        assert f'data-channel="{code}"' in table
    assert "All channels" in table
    # Weibo converts nothing: its CPA is "—", not a division by zero
    weibo = table[table.index('data-channel="weibo"') :]
    weibo = weibo[: weibo.index("</tr>")]
    cells = re.findall(r'<td class="num">([^<]*)</td>', weibo)
    assert cells[-2:] == ["—", "0.00×"]  # CPA undefined; ROAS is a real 0
    # the chosen week is selected among the weeks with data
    assert '<option value="2027-02-15" selected>' in content
    assert "Week of" in content


def test_overview_without_data_invites_an_import(world, client_for):
    content = client_for("editor").get(url(world)).content.decode()
    assert 'id="no-data"' in content
    assert f'href="/plans/{world.plan.pk}/monitoring/imports/"' in content
    assert "funnel-figure" not in content and "trend-figure" not in content
    assert "Not computed yet" in content


def test_editor_asks_for_a_recompute(world, client_for, django_capture_on_commit_callbacks):
    # given data and no results yet
    fill(world, days=14)
    # when an editor presses "Recompute now" (tasks run in-process in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("editor").post(url(world, "recompute/"), follow=True)
    # then the recompute ran and the grades are there
    assert response.redirect_chain[-1][0] == url(world)
    assert "Recompute requested" in response.content.decode()
    state = ComputeState.objects.get(plan=world.plan)
    assert state.requested_at is not None and state.finished_at is not None
    assert ChannelGrade.objects.filter(plan=world.plan).exists()


def test_viewer_cannot_ask_for_a_recompute(world, client_for):
    assert client_for("viewer").post(url(world, "recompute/")).status_code == 403
    assert not ComputeState.objects.filter(plan=world.plan).exists()


# --- grades on the channel rows ------------------------------------------------------------------


def test_channel_rows_show_the_stored_grade(data, client_for):
    content = client_for("viewer").get(f"/plans/{data.plan.pk}/channels/").content.decode()
    for g in ChannelGrade.objects.filter(plan=data.plan).select_related("channel"):
        row = content[content.index(f'id="channel-{g.channel.pk}"') :]
        row = row[: row.index("</tr>")]
        assert f'<span class="grade grade-{g.grade} small">{g.grade}</span>' in row
    # a channel without results is not graded
    seo = Channel.objects.get(plan=data.plan, code="seo")
    row = content[content.index(f'id="channel-{seo.pk}"') :]
    assert "Not graded yet" in row[: row.index("</tr>")]


def test_channel_api_gives_the_grade_letter_in_one_query_for_the_list(data, api_for):
    client = api_for("viewer")
    path = f"/api/v1/channels/?plan={data.plan.pk}&page_size=100"
    with CaptureQueriesContext(connection) as graded:
        rows = client.get(path).json()["results"]
    by_code = {r["code"]: r["grade"] for r in rows}
    stored = dict(ChannelGrade.objects.filter(plan=data.plan).values_list("channel__code", "grade"))
    assert stored and all(by_code[code] == grade for code, grade in stored.items())
    assert by_code["seo"] is None
    # without grades the list costs the same number of queries
    ChannelGrade.objects.filter(plan=data.plan).delete()
    with CaptureQueriesContext(connection) as ungraded:
        client.get(path)
    assert len(graded) == len(ungraded)


# --- alert inbox ---------------------------------------------------------------------------------


def test_inbox_lists_open_and_acknowledged_alerts_by_default(world, client_for):
    # given an open, an acknowledged and a resolved alert
    opened = alert(world, metric="ctr", expected_low=0.01, expected_high=None, observed=0.002)
    seen = alert(world, status=AlertStatus.ACKNOWLEDGED, severity="critical")
    done = alert(world, status=AlertStatus.RESOLVED)
    # when a viewer opens the inbox
    content = client_for("viewer").get(url(world, "alerts/")).content.decode()
    # then the resolved one is not listed, the others are
    assert f'id="alert-{opened.pk}"' in content and f'id="alert-{seen.pk}"' in content
    assert f'id="alert-{done.pk}"' not in content
    # with the metric, the channel, the localised window and the values in their unit
    card = content[content.index(f'id="alert-{opened.pk}"') :]
    card = card[: card.index("</article>")]
    assert "CTR" in card and "Douyin" in card
    assert "March 1, 2027 – March 2, 2027" in card
    assert "at least 1.0%" in card and "0.2%" in card
    # and a viewer sees no buttons
    assert 'name="action"' not in content


def test_inbox_filters_by_status_and_severity(world, client_for):
    done = alert(world, status=AlertStatus.RESOLVED, severity="critical")
    other = alert(world, status=AlertStatus.RESOLVED, severity="info")
    opened = alert(world, severity="critical")
    content = (
        client_for("viewer")
        .get(url(world, "alerts/"), {"status": "resolved", "severity": "critical"})
        .content.decode()
    )
    assert f'id="alert-{done.pk}"' in content
    assert f'id="alert-{other.pk}"' not in content and f'id="alert-{opened.pk}"' not in content
    assert 'value="resolved" id="af_status_2" checked' in content


def test_inbox_is_in_chinese_too(world, client_for):
    alert(world)
    client = client_for("viewer")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.get(url(world, "alerts/"))
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in response.content.decode()
    assert "2027年3月1日" in response.content.decode()


def test_editor_acknowledges_in_place_then_resolves(world, client_for):
    # given an open alert
    found = alert(world)
    client = client_for("editor")
    # when an editor acknowledges it with a note, in place
    response = client.post(
        url(world, f"alerts/{found.pk}/"),
        {"action": "acknowledge", "version": found.version, "note": "Checking the bids"},
        **HTMX,
    )
    # then the card comes back, acknowledged, with who and the note
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert 'data-status="acknowledged"' in content and "editor-user" in content
    assert "Checking the bids" in content
    found.refresh_from_db()
    assert found.status == AlertStatus.ACKNOWLEDGED
    assert found.acknowledged_by == world.users["editor"] and found.acknowledged_at
    # and resolving it without htmx goes back to the inbox, keeping its filters
    response = client.post(
        url(world, f"alerts/{found.pk}/") + "?severity=warning",
        {"action": "resolve", "version": found.version, "note": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == url(world, "alerts/") + "?severity=warning"
    found.refresh_from_db()
    assert found.status == AlertStatus.RESOLVED and found.resolved_by == world.users["editor"]


def test_reopening_a_resolved_alert(world, client_for):
    found = alert(world, status=AlertStatus.RESOLVED)
    content = client_for("editor").get(url(world, "alerts/"), {"status": "resolved"})
    assert 'value="reopen"' in content.content.decode()
    client_for("editor").post(
        url(world, f"alerts/{found.pk}/"), {"action": "reopen", "version": found.version}
    )
    found.refresh_from_db()
    assert found.status == AlertStatus.OPEN


def test_a_stale_alert_is_shown_as_it_is_now(world, client_for):
    # given an alert someone acknowledged after the page was loaded
    found = alert(world)
    shown_version = found.version
    services.alert_acknowledge(
        alert=found, expected_version=shown_version, actor=world.users["manager"]
    )
    # when the editor resolves it from the old page
    response = client_for("editor").post(
        url(world, f"alerts/{found.pk}/"),
        {"action": "resolve", "version": shown_version},
        **HTMX,
    )
    # then nothing changes and the card says so, showing the acknowledgement
    content = response.content.decode()
    assert "changed this alert in the meantime" in content
    assert 'data-status="acknowledged"' in content and "manager-user" in content
    found.refresh_from_db()
    assert found.status == AlertStatus.ACKNOWLEDGED and found.resolved_at is None


def test_a_step_the_lifecycle_does_not_allow_is_explained(world, client_for):
    found = alert(world, status=AlertStatus.RESOLVED)
    response = client_for("editor").post(
        url(world, f"alerts/{found.pk}/"),
        {"action": "acknowledge", "version": found.version},
        follow=True,
    )
    assert (
        "Only an open alert can be acknowledged; this one is resolved." in response.content.decode()
    )
    found.refresh_from_db()
    assert found.status == AlertStatus.RESOLVED


def test_viewer_cannot_acknowledge(world, client_for):
    found = alert(world)
    response = client_for("viewer").post(
        url(world, f"alerts/{found.pk}/"), {"action": "acknowledge", "version": found.version}
    )
    assert response.status_code == 403
    found.refresh_from_db()
    assert found.status == AlertStatus.OPEN


def test_an_alert_of_another_plan_is_not_found(world, client_for):
    found = alert(world)
    other_url = f"/plans/{world.other_plan.pk}/monitoring/alerts/{found.pk}/"
    response = client_for("outsider").post(other_url, {"action": "acknowledge", "version": 1})
    assert response.status_code == 404


# --- rules and settings --------------------------------------------------------------------------


def test_rules_page_lists_rules_with_what_fires_them(world, client_for):
    ctr_rule(world)
    rule(world, name="Spend swings", metric="spend", kind="change", change_pct=50, upper=None)
    content = client_for("viewer").get(url(world, "rules/")).content.decode()
    assert "Douyin CTR below 1%" in content and "Below 1.0%" in content
    assert "More than ±50% from the 28-day average" in content
    # a viewer sees neither the new-rule form nor an editable settings form
    assert 'id="new-rule"' not in content
    assert "Save settings" not in content and "disabled" in content


def test_editor_adds_a_bounds_rule(world, client_for):
    response = client_for("editor").post(
        url(world, "rules/new/"),
        {
            "name": "CPA above 80",
            "metric": "cpa",
            "channel": channel(world, "tmall").pk,
            "kind": "bounds",
            "upper": "80",
            "change_pct": "30",  # of another kind: cleared
            "severity": "critical",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    saved = AlertRule.objects.get(plan=world.plan)
    assert (saved.metric, saved.upper, saved.lower, saved.change_pct) == ("cpa", 80.0, None, None)
    assert saved.channel.code == "tmall" and saved.threshold == 3.5


def test_a_bounds_rule_needs_a_bound(world, client_for):
    response = client_for("editor").post(
        url(world, "rules/new/"),
        {"name": "No bound", "metric": "ctr", "kind": "bounds", "severity": "info"},
    )
    assert response.status_code == 400
    assert "Give a lower bound, an upper bound or both." in response.content.decode()
    assert not AlertRule.objects.exists()


def test_rule_edit_form_opens_in_place_and_saves(world, client_for):
    found = ctr_rule(world)
    client = client_for("editor")
    fragment = client.get(url(world, f"rules/{found.pk}/"), **HTMX).content.decode()
    assert "<html" not in fragment and 'id="rule-form"' in fragment
    assert 'value="0.01"' in fragment
    response = client.post(
        url(world, f"rules/{found.pk}/"),
        {
            "version": found.version,
            "name": found.name,
            "metric": "ctr",
            "channel": found.channel_id,
            "kind": "statistical",
            "threshold": "4",
            "severity": "warning",
            "is_active": "on",
        },
        **HTMX,
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    found.refresh_from_db()
    assert (found.kind, found.threshold, found.lower) == ("statistical", 4.0, None)


def test_a_stale_rule_edit_shows_the_saved_rule(world, client_for):
    found = ctr_rule(world)
    services.rule_update(
        rule=found,
        expected_version=found.version,
        changes={"name": "Renamed meanwhile"},
        actor=world.users["manager"],
    )
    response = client_for("editor").post(
        url(world, f"rules/{found.pk}/"),
        {
            "version": found.version,
            "name": "Mine",
            "metric": "ctr",
            "kind": "bounds",
            "lower": "0.02",
            "severity": "warning",
        },
    )
    content = response.content.decode()
    assert response.status_code == 409
    assert "changed this rule in the meantime" in content and "Renamed meanwhile" in content
    found.refresh_from_db()
    assert found.name == "Renamed meanwhile" and found.lower == 0.01


def test_editor_removes_a_rule(world, client_for):
    found = ctr_rule(world)
    response = client_for("editor").post(
        url(world, f"rules/{found.pk}/"), {"delete": "1", "version": found.version}
    )
    assert response.status_code == 302
    assert not AlertRule.objects.filter(pk=found.pk).exists()


def _settings(world, **overrides):
    values = {
        "version": services.settings_for(world.plan).version,
        "stage_1": "clicks",
        "stage_2": "visits",
        "stage_3": "conversions",
        "weight_quality": "0.5",
        "weight_cost": "0.3",
        "weight_volume": "0.2",
        "cutoff_a": "75",
        "cutoff_b": "35",
        "max_shift": "10",
    }
    values.update(overrides)
    return values


def test_editor_changes_the_funnel_stages_and_grading(world, client_for):
    response = client_for("editor").post(url(world, "settings/"), _settings(world))
    assert response.status_code == 302
    saved = MonitoringSettings.objects.get(plan=world.plan)
    assert saved.stages() == ["clicks", "visits", "conversions"]
    assert (saved.weights().quality, saved.cutoffs().a) == (0.5, 75.0)
    assert saved.max_shift == Decimal("0.1")
    # and the page shows them back, the shift in percent
    content = client_for("viewer").get(url(world, "rules/")).content.decode()
    assert '<option value="clicks" selected>' in content
    assert 'name="max_shift" value="10"' in content


def test_settings_refuse_a_one_stage_funnel(world, client_for):
    response = client_for("editor").post(
        url(world, "settings/"), _settings(world, stage_2="", stage_3="")
    )
    assert response.status_code == 400
    assert "at least 2 stages" in response.content.decode()
    assert MonitoringSettings.objects.get(plan=world.plan).stages()[0] == "impressions"


def test_stale_settings_are_not_overwritten(world, client_for):
    current = services.settings_for(world.plan)
    services.settings_update(
        plan=world.plan,
        expected_version=current.version,
        changes={"max_shift": Decimal("0.3")},
        actor=world.users["manager"],
    )
    response = client_for("editor").post(
        url(world, "settings/"), _settings(world, version=current.version)
    )
    assert response.status_code == 409
    assert "saved the settings in the meantime" in response.content.decode()
    assert MonitoringSettings.objects.get(plan=world.plan).max_shift == Decimal("0.3")


def test_settings_freeze_with_the_plan(world, client_for):
    world.plan.status = PlanStatus.APPROVED
    world.plan.save(update_fields=["status"])
    content = client_for("editor").get(url(world, "rules/")).content.decode()
    assert "change only while it is a draft" in content and "Save settings" not in content
    response = client_for("editor").post(url(world, "settings/"), _settings(world))
    assert response.status_code == 400
    # alert rules go on after approval
    assert 'id="new-rule"' in content


# --- imports -------------------------------------------------------------------------------------

GOOD_CSV = (
    "date,channel,campaign,impressions,clicks,visits,signups,conversions,new_users,spend,revenue\n"
    "2027-03-01,douyin,,10000,300,250,40,12,10,800.00,2400.00\n"
    "2027-03-01,wechat,,8000,200,180,30,9,8,500.00,1500.00\n"
    "2027-03-02,douyin,,11000,320,260,42,13,11,820.00,2500.00\n"
)


def upload(client, world, body, name="march.csv", dry_run=False):
    data = {"file": SimpleUploadedFile(name, body.encode(), content_type="text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(url(world, "imports/new/"), data, follow=True)


def test_upload_of_a_good_file_imports_it_and_shows_the_counts(world, client_for):
    response = upload(client_for("editor"), world, GOOD_CSV)
    content = response.content.decode()
    record = MetricImport.objects.get(plan=world.plan)
    assert response.redirect_chain[-1][0].endswith(f"?import={record.pk}")
    assert record.status == "succeeded" and record.rows_inserted == 3
    assert DailyMetric.objects.filter(plan=world.plan).count() == 3
    card = content[content.index('id="import-result"') :]
    assert "Imported 3 rows" in card and "3 added, 0 replaced" in card
    assert "hx-trigger" not in card[: card.index("</section>")]
    # the history names who and the file
    history = content[content.index('id="history-table"') :]
    assert "editor-user" in history and "march.csv" in history


def test_a_dry_run_writes_nothing(world, client_for):
    content = upload(client_for("editor"), world, GOOD_CSV, dry_run=True).content.decode()
    assert "The file is valid: 3 rows." in content and "nothing was saved" in content
    assert not DailyMetric.objects.exists()


def test_upload_of_a_bad_file_lists_its_problems_and_writes_nothing(world, client_for):
    bad = (
        "date,channel,impressions,clicks,visits,signups,conversions,new_users,spend,revenue\n"
        "2027-03-01,douyin,100,300,250,40,12,10,800.00,2400.00\n"  # clicks above impressions
        "2026-12-31,douyin,100,10,5,1,1,1,1.00,1.00\n"  # outside the plan year
        "2027-03-02,nowhere,100,10,5,1,1,1,1.00,1.00\n"  # unknown channel
    )
    content = upload(client_for("editor"), world, bad).content.decode()
    record = MetricImport.objects.get(plan=world.plan)
    assert record.status == "failed" and record.error_count >= 3
    assert not DailyMetric.objects.exists()
    problems = content[content.index('id="import-problems"') :]
    problems = problems[: problems.index("</table>")]
    assert "Nothing was saved" in content
    for row in ("2", "3", "4"):
        assert f'<td class="num">{row}</td>' in problems
    assert "<code>clicks</code>" in problems and "<code>channel</code>" in problems


def test_many_problems_are_capped_with_a_count_of_the_rest(world, client_for):
    record = MetricImport.objects.create(
        plan=world.plan,
        filename="big.csv",
        status="failed",
        error_count=75,
        errors=[{"row": n, "column": "date", "message": "bad date"} for n in range(2, 52)],
    )
    content = client_for("viewer").get(url(world, f"imports/?import={record.pk}")).content.decode()
    assert "+25 more problems" in content


def test_a_running_import_polls_its_progress_until_done(world, client_for):
    # given an import a worker is running
    record = MetricImport.objects.create(
        plan=world.plan, filename="year.csv", status="running", progress=40
    )
    client = client_for("viewer")
    # the imports page shows it, polling its small partial
    page = client.get(url(world, "imports/")).content.decode()
    progress_url = url(world, f"imports/{record.pk}/progress/")
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 1s"' in page
    # the partial is a fragment with the bar
    fragment = client.get(progress_url, **HTMX).content.decode()
    assert "<html" not in fragment
    assert '<progress max="100" value="40"' in fragment and 'hx-trigger="every 1s"' in fragment
    # when it has finished, the partial stops polling and shows the result
    MetricImport.objects.filter(pk=record.pk).update(
        status="succeeded", progress=100, rows_total=365, rows_inserted=365
    )
    fragment = client.get(progress_url, **HTMX).content.decode()
    assert "hx-trigger" not in fragment and "Imported 365 rows" in fragment
    # with the history table's row, out of band
    assert f'<template><tr id="import-{record.pk}"' in fragment
    assert 'hx-swap-oob="true"' in fragment and "365 added, 0 replaced" in fragment


def test_progress_of_another_plans_import_is_not_found(world, client_for):
    record = MetricImport.objects.create(plan=world.other_plan, filename="x.csv")
    response = client_for("viewer").get(url(world, f"imports/{record.pk}/progress/"))
    assert response.status_code == 404


def test_csv_template_uses_the_plans_channel_codes(world, client_for):
    response = client_for("viewer").get(url(world, "imports/template.csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "date,channel,campaign,impressions,clicks,visits,signups,conversions,new_users,"
        "spend,revenue"
    )
    codes = set(Channel.objects.filter(plan=world.plan).values_list("code", flat=True))
    assert len(lines) == 3 and all(line.split(",")[1] in codes for line in lines[1:])
    assert all(line.startswith("2027-") for line in lines[1:])


def test_the_template_imports_as_it_is(world, client_for):
    client = client_for("editor")
    body = client.get(url(world, "imports/template.csv")).content.decode()
    upload(client, world, body, name="template.csv", dry_run=True)
    assert MetricImport.objects.get(plan=world.plan).status == "checked"


def test_the_page_documents_the_file_with_the_plans_codes(world, client_for):
    content = client_for("viewer").get(url(world, "imports/")).content.decode()
    assert "YYYY-MM-DD" in content and "<code>new_users</code>" in content
    assert "<code>douyin</code>" in content
    assert 'id="upload"' not in content  # a viewer does not upload


def test_viewer_cannot_upload(world, client_for):
    response = client_for("viewer").post(
        url(world, "imports/new/"),
        {"file": SimpleUploadedFile("m.csv", GOOD_CSV.encode(), content_type="text/csv")},
    )
    assert response.status_code == 403
    assert not MetricImport.objects.exists()


# --- query counts --------------------------------------------------------------------------------


PAGES = ("", "?every=day&period=day", "alerts/", "rules/", "imports/")


@pytest.mark.parametrize("suffix", PAGES)
def test_pages_cost_the_same_queries_as_data_grows(
    world, client_for, suffix, django_assert_max_num_queries
):
    # given a little data, a rule, an alert and an import
    client = client_for("editor")
    campaign(world)
    fill(world, days=14, channels=CHANNELS[:2])
    ctr_rule(world)
    alert(world)
    MetricImport.objects.create(plan=world.plan, filename="a.csv", status="succeeded")
    recompute_plan(world.plan.pk)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(world, suffix)).status_code == 200
    # when there are many more days, channels, rules, alerts and imports
    fill(world, start=date(2027, 3, 1), days=120)
    for n in range(5):
        rule(world, name=f"Spend rule {n}", upper=10000.0 + n)
        alert(world, severity="critical")
        MetricImport.objects.create(plan=world.plan, filename=f"{n}.csv", status="failed")
    campaign(world, code="summer", name="Summer", start=date(2027, 6, 1), end=date(2027, 6, 30))
    recompute_plan(world.plan.pk)
    # then the page makes no more queries than before
    with django_assert_max_num_queries(len(few)):
        assert client.get(url(world, suffix)).status_code == 200
