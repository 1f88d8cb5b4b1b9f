"""The campaign calendar pages: the year with its festival layer, quarters, months, the
timeline (Gantt), filters, clash and spill-over flags, the in-place campaign editor and
planning a campaign from a festival."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.models import Channel
from content import services
from content.models import Campaign
from planner.models import Plan
from tests.content.helpers import asset, campaign

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(world, suffix=""):
    return f"/plans/{world.plan.pk}/content/{suffix}"


def edit_url(world, c):
    return url(world, f"campaigns/{c.pk}/")


def channels(world, *codes):
    return list(Channel.objects.filter(plan=world.plan, code__in=codes))


def add(world, code, **fields):
    """A campaign with sensible defaults, through the service."""
    values = {
        "code": code,
        "name": code.replace("-", " ").title(),
        "theme": "seasonal",
        "start": date(2027, 6, 1),
        "end": date(2027, 6, 30),
        "budget": Decimal(10000),
        "status": "idea",
    }
    values.update(fields)
    return services.campaign_create(plan=world.plan, actor=world.users["editor"], **values)


def form_data(c, **overrides):
    data = {
        "code": c.code,
        "name": c.name,
        "theme": c.theme,
        "festival": c.festival,
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "channels": [ch.pk for ch in c.channels.all()],
        "audience": c.audience,
        "owner": c.owner_id or "",
        "budget": str(c.budget),
        "status": c.status,
        "key_message": c.key_message,
        "notes": c.notes,
        "version": c.version,
    }
    data.update(overrides)
    return data


def approve(world):
    Plan.objects.filter(pk=world.plan.pk).update(status="approved")


def day_cell(content, day):
    """The mini-month cell of one day in the year view."""
    found = re.search(rf'<td class="([^"]*)" data-date="{day}"[^>]*>', content)
    assert found, f"no cell for {day}"
    return found.group(0)


# --- the year ---------------------------------------------------------------------------------


def test_year_calendar_shows_computed_festivals_by_kind(world, client_for):
    # when a member opens the section's landing page
    response = client_for("viewer").get(url(world))
    content = response.content.decode()
    # then the twelve months are there with the festival layer of 2027
    assert response.status_code == 200
    assert content.count('class="mini-month"') == 12
    spring = day_cell(content, "2027-02-06")
    assert "peak-lunar" in spring and "Spring Festival" in spring
    assert "span-lunar" in day_cell(content, "2027-02-09")  # inside the 7-day span
    assert "peak-lunar" in day_cell(content, "2027-09-15")  # Mid-Autumn
    assert "peak-commerce" in day_cell(content, "2027-11-11")  # Double 11
    assert "span-commerce" in day_cell(content, "2027-11-03")
    assert "peak-solar" in day_cell(content, "2027-10-01")  # National Day
    assert 'class="cal-legend"' in content and "Shopping festival" in content
    # the festival list names each festival with its dates
    assert 'id="festival-mid_autumn"' in content and "Mid-Autumn Festival" in content


def test_year_calendar_marks_campaign_days_and_sums_up(world, client_for):
    # given a planned Spring Festival campaign (15 Jan – 12 Feb) and an idea in June
    spring = campaign(world)
    add(world, "summer-push", budget=Decimal(50000))
    content = client_for("viewer").get(url(world)).content.decode()
    # then the days it covers show it in its theme colour, the others do not
    assert spring.name in day_cell(content, "2027-01-20")
    assert spring.name not in day_cell(content, "2027-03-01")
    assert 'class="theme-festival"' in content
    # and the summary counts campaigns per status and adds up the budgets
    stats = content[content.index('id="stat-statuses"') :]
    assert re.search(r"Idea</span> <strong>1</strong>", stats)
    assert re.search(r"Planned</span> <strong>1</strong>", stats)
    assert "¥350,000" in content
    assert f'id="campaign-row-{spring.pk}"' in content


def test_editor_sees_plan_buttons_and_new_campaign_reader_does_not(world, client_for):
    editor = client_for("editor").get(url(world)).content.decode()
    viewer = client_for("viewer").get(url(world)).content.decode()
    spawn = url(world, "festivals/mid_autumn/campaign/")
    assert spawn in editor and 'id="new-campaign"' in editor
    assert spawn not in viewer and 'id="new-campaign"' not in viewer


def test_approved_plan_offers_no_festival_spawning(world, client_for):
    approve(world)
    content = client_for("editor").get(url(world)).content.decode()
    assert "festivals/mid_autumn/campaign/" not in content
    assert 'id="new-campaign"' not in content


# --- quarter and month -------------------------------------------------------------------------


def test_campaign_appears_in_its_quarter_and_months_only(world, client_for):
    # given a campaign from 15 January to 12 February
    c = campaign(world)
    client = client_for("viewer")
    marker = f'data-campaign="{c.pk}"'
    # then Q1, January and February draw its bars; Q3 and May do not
    assert marker in client.get(url(world, "calendar/q1/")).content.decode()
    assert marker not in client.get(url(world, "calendar/q3/")).content.decode()
    january = client.get(url(world, "calendar/1/")).content.decode()
    february = client.get(url(world, "calendar/2/")).content.decode()
    assert marker in january and marker in february
    assert marker not in client.get(url(world, "calendar/5/")).content.decode()
    # in February it continues from January and ends on the 12th (a Friday: columns 1–5)
    bars = re.findall(rf'<a class="cal-bar[^"]*"[^>]*style="([^"]*)"[^>]*{marker}', february)
    assert bars == ["grid-column:1 / span 7;grid-row:2", "grid-column:1 / span 5;grid-row:2"]
    assert "from-before" in february


def test_month_view_names_festivals_on_their_days(world, client_for):
    content = client_for("viewer").get(url(world, "calendar/9/")).content.decode()
    day = content[content.index('id="day-2027-09-15"') :][:600]
    assert "Mid-Autumn Festival" in day and "peak" in day
    # February: the Spring Festival span starts on its eve (the 5th), its day is the 6th
    february = client_for("viewer").get(url(world, "calendar/2/")).content.decode()
    assert 'class="cal-date peak-lunar"' in february
    eve = february[february.index('id="day-2027-02-05"') :][:600]
    assert "Spring Festival" in eve


def test_overlapping_campaigns_get_separate_lanes(world, client_for):
    a = add(world, "long-one", start=date(2027, 6, 1), end=date(2027, 6, 30))
    b = add(world, "short-one", start=date(2027, 6, 8), end=date(2027, 6, 10))
    content = client_for("viewer").get(url(world, "calendar/6/")).content.decode()
    week_of_8th = content[content.index('id="day-2027-06-07"') :]
    lane_a = re.search(
        rf'style="grid-column:\d+ / span \d+;grid-row:(\d+)" data-campaign="{a.pk}"', week_of_8th
    )
    lane_b = re.search(
        rf'style="grid-column:\d+ / span \d+;grid-row:(\d+)" data-campaign="{b.pk}"', week_of_8th
    )
    assert lane_a and lane_b and lane_a.group(1) != lane_b.group(1)


def test_month_and_quarter_navigation(world, client_for):
    client = client_for("viewer")
    content = client.get(url(world, "calendar/6/?theme=festival")).content.decode()
    assert f'href="{url(world, "calendar/5/")}?theme=festival"' in content
    assert f'href="{url(world, "calendar/7/")}?theme=festival"' in content
    january = client.get(url(world, "calendar/1/")).content.decode()
    assert 'rel="prev"' not in january and 'rel="next"' in january
    q4 = client.get(url(world, "calendar/q4/")).content.decode()
    assert 'rel="next"' not in q4 and f'href="{url(world, "calendar/q3/")}"' in q4


@pytest.mark.parametrize("suffix", ["calendar/13/", "calendar/0/", "calendar/q5/", "calendar/q0/"])
def test_months_and_quarters_outside_the_year_are_not_found(world, client_for, suffix):
    assert client_for("viewer").get(url(world, suffix)).status_code == 404


# --- filters -------------------------------------------------------------------------------------


def test_filters_narrow_every_view_and_are_kept_in_links(world, client_for):
    # given a festival campaign on Douyin/WeChat and a CSR one on Weibo
    spring = campaign(world)
    csr = add(
        world,
        "tea-farmers",
        theme="csr",
        status="planned",
        start=date(2027, 1, 20),
        end=date(2027, 2, 20),
        channels=channels(world, "weibo"),
    )
    client = client_for("viewer")
    weibo = Channel.objects.get(plan=world.plan, code="weibo")
    for suffix in ("", "calendar/q1/", "calendar/2/", "timeline/"):
        # when filtering by theme, channel or status
        by_theme = client.get(url(world, suffix) + "?theme=csr").content.decode()
        by_channel = client.get(url(world, suffix) + f"?channel={weibo.pk}").content.decode()
        by_status = client.get(
            url(world, suffix) + "?status=planned&theme=festival"
        ).content.decode()
        # then only the matching campaigns are drawn
        assert csr.name in by_theme and spring.name not in by_theme, suffix
        assert csr.name in by_channel and spring.name not in by_channel, suffix
        assert spring.name in by_status and csr.name not in by_status, suffix
        # and the links to the other views keep the filter
        assert f'{url(world, "timeline/")}?theme=csr"' in by_theme
        assert f'{url(world)}?channel={weibo.pk}"' in by_channel


def test_unknown_filter_values_are_ignored(world, client_for):
    spring = campaign(world)
    other = Channel.objects.get(plan=world.other_plan, code="weibo")
    response = client_for("viewer").get(url(world) + f"?channel={other.pk}&theme=nope&status=x")
    assert response.status_code == 200
    assert spring.name in response.content.decode()


# --- the timeline ---------------------------------------------------------------------------------


def test_timeline_places_bars_across_the_year(world, client_for):
    # given a campaign that runs the whole year and one in the second half of June
    year = add(
        world, "always-on", theme="always_on", start=date(2027, 1, 1), end=date(2027, 12, 31)
    )
    add(world, "late-june", start=date(2027, 6, 16), end=date(2027, 6, 30))
    content = client_for("viewer").get(url(world, "timeline/")).content.decode()
    # then each has a row, the whole-year bar spans 100%, months and festivals are on top
    assert f'id="gantt-row-{year.pk}"' in content
    assert 'style="left:0%;width:100%"' in content
    assert content.count('class="gantt-month"') == 12
    assert 'data-festival="spring_festival"' in content
    assert "left:45.479%;width:4.11%" in content  # 16 June is day 166 of 365; 15 days


def test_timeline_flags_clashes_naming_campaign_and_channels(world, client_for):
    # given two campaigns for the same audience, both on Douyin, overlapping in June
    first = add(
        world,
        "618-cold-brew",
        name="618 cold brew",
        theme="festival",
        audience="Young office workers",
        start=date(2027, 5, 20),
        end=date(2027, 6, 20),
        channels=channels(world, "douyin", "tmall"),
    )
    add(
        world,
        "iced-tea",
        name="Summer iced tea",
        theme="seasonal",
        audience="young office workers ",
        start=date(2027, 6, 10),
        end=date(2027, 8, 31),
        channels=channels(world, "douyin", "weibo"),
    )
    # and one with another audience on the same channel (no clash)
    add(world, "families", audience="Families", channels=channels(world, "douyin"))
    content = client_for("viewer").get(url(world, "timeline/")).content.decode()
    # then both clashing campaigns name the other and the shared channel
    assert "Clashes with Summer iced tea on Douyin" in content
    assert "Clashes with 618 cold brew on Douyin" in content
    assert "Families" not in re.findall(r"Clashes with ([^<]*)", content)
    # and the clash still shows when the other campaign is filtered out
    filtered = client_for("viewer").get(url(world, "timeline/?theme=festival")).content.decode()
    assert f'id="gantt-row-{first.pk}"' in filtered
    assert "Clashes with Summer iced tea on Douyin" in filtered
    assert 'id="stat-clashes">1<' in filtered


def test_timeline_flags_campaigns_running_over_the_year(world, client_for):
    add(world, "new-year-run", start=date(2027, 12, 20), end=date(2028, 1, 10))
    add(world, "from-last-year", start=date(2026, 12, 20), end=date(2027, 1, 10))
    content = client_for("viewer").get(url(world, "timeline/")).content.decode()
    assert "Runs into 2028" in content and "Starts in 2026" in content
    assert "goes-on" in content and "from-before" in content


def test_timeline_shows_today_only_inside_the_plan_year(world, client_for, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2027, 7, 2))
    assert 'id="gantt-today"' in client_for("viewer").get(url(world, "timeline/")).content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 7, 2))
    assert (
        'id="gantt-today"' not in client_for("viewer").get(url(world, "timeline/")).content.decode()
    )


# --- the campaign editor -----------------------------------------------------------------------


def test_editor_opens_in_place_with_assets_and_flags(world, client_for):
    # given a campaign with an asset
    a = asset(world)
    c = a.campaign
    # when an editor clicks it (htmx)
    response = client_for("editor").get(edit_url(world, c), **HTMX)
    content = response.content.decode()
    # then the form comes alone, with the version, the assets count and link
    assert response.status_code == 200
    assert "<html" not in content and 'id="campaign-form"' in content
    assert f'name="version" value="{c.version}"' in content
    assert f"{url(world, 'assets/')}?campaign={c.pk}" in content and "1 asset" in content
    assert 'type="date"' in content and 'value="2027-01-15"' in content
    # without htmx the same URL is a whole page
    page = client_for("editor").get(edit_url(world, c)).content.decode()
    assert "<html" in page and 'id="campaign-form"' in page


def test_editor_saves_dates_and_channels(world, client_for):
    c = campaign(world)
    weibo = Channel.objects.get(plan=world.plan, code="weibo")
    back = url(world, "calendar/2/?theme=festival")
    response = client_for("editor").post(
        edit_url(world, c),
        form_data(c, start="2027-01-25", end="2027-02-14", channels=[weibo.pk], next=back),
    )
    assert response.status_code == 302 and response["Location"] == back
    c.refresh_from_db()
    assert (c.start, c.end) == (date(2027, 1, 25), date(2027, 2, 14))
    assert [ch.code for ch in c.channels.all()] == ["weibo"]
    assert c.version == 2


def test_editor_save_in_place_reloads_the_page(world, client_for):
    c = campaign(world)
    response = client_for("editor").post(edit_url(world, c), form_data(c, name="Renamed"), **HTMX)
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert Campaign.objects.get(pk=c.pk).name == "Renamed"


def test_editor_ignores_an_outside_next_address(world, client_for):
    c = campaign(world)
    response = client_for("editor").post(
        edit_url(world, c), form_data(c, next="https://evil.example/plans/")
    )
    assert response["Location"] == url(world)


def test_stale_save_is_refused_with_the_conflict_shown(world, client_for):
    # given an editor who opened the campaign at version 1
    c = campaign(world)
    stale = form_data(c, name="My name for it")
    # and someone else saved it meanwhile
    services.campaign_update(
        campaign=c, expected_version=1, changes={"name": "Their name"}, actor=world.users["manager"]
    )
    # when the first editor saves
    response = client_for("editor").post(edit_url(world, c), stale)
    content = response.content.decode()
    # then nothing is overwritten and the conflict is explained with both values
    assert response.status_code == 409
    assert "Not saved: someone else changed this campaign" in content
    assert "My name for it" in content and "Their name" in content
    assert 'name="version" value="2"' in content
    assert Campaign.objects.get(pk=c.pk).name == "Their name"


def test_field_errors_are_shown_on_their_fields(world, client_for):
    c = campaign(world)
    response = client_for("editor").post(
        edit_url(world, c), form_data(c, start="2027-03-01", end="2027-02-01")
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "The campaign cannot end before it starts." in content
    # the version the editor read is kept, so a second try still detects conflicts
    assert f'name="version" value="{c.version}"' in content


def test_status_moves_one_step_at_a_time(world, client_for):
    c = campaign(world)  # planned
    response = client_for("editor").post(edit_url(world, c), form_data(c, status="live"))
    assert response.status_code == 400
    assert "A campaign moves one step at a time; from Planned: Idea / In production." in (
        response.content.decode()
    )
    assert Campaign.objects.get(pk=c.pk).status == "planned"


def test_viewer_reads_but_cannot_edit(world, client_for):
    c = campaign(world)
    client = client_for("viewer")
    content = client.get(edit_url(world, c)).content.decode()
    assert 'name="name"' in content and re.search(r'<input[^>]*name="name"[^>]*disabled', content)
    assert ">Save<" not in content and 'name="delete"' not in content
    assert client.post(edit_url(world, c), form_data(c, name="Mine")).status_code == 403
    assert client.get(url(world, "campaigns/new/")).status_code == 403
    assert Campaign.objects.get(pk=c.pk).name == c.name


def test_approved_plan_locks_planning_fields_but_moves_status(world, client_for):
    # given an approved plan
    c = campaign(world)  # planned
    approve(world)
    client = client_for("editor")
    # then the form has the planning fields disabled and the status open
    content = client.get(edit_url(world, c)).content.decode()
    assert re.search(r'<input[^>]*name="name"[^>]*disabled', content)
    assert re.search(r'<input[^>]*name="start"[^>]*disabled', content)
    assert not re.search(r'<select[^>]*name="status"[^>]*disabled', content)
    assert 'id="campaign-locked"' in content and 'name="delete"' not in content
    # when the editor moves the status on (and tries to sneak in a new name)
    response = client.post(edit_url(world, c), form_data(c, status="in_production", name="Sneaky"))
    # then the status moved and nothing else changed
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.name) == ("in_production", "Spring Festival reunion")


def test_archived_plan_cannot_change_status(world, client_for):
    c = campaign(world)
    Plan.objects.filter(pk=world.plan.pk).update(status="archived")
    response = client_for("editor").post(edit_url(world, c), form_data(c, status="in_production"))
    assert response.status_code == 400
    assert "The plan is archived; nothing in it can change." in response.content.decode()
    assert Campaign.objects.get(pk=c.pk).status == "planned"


def test_delete_needs_the_current_version(world, client_for):
    c = campaign(world)
    client = client_for("editor")
    refused = client.post(edit_url(world, c), {"delete": "1", "version": c.version + 1})
    assert refused.status_code == 409 and Campaign.objects.filter(pk=c.pk).exists()
    done = client.post(edit_url(world, c), {"delete": "1", "version": c.version}, **HTMX)
    assert done.status_code == 204 and done["HX-Redirect"] == url(world)
    assert not Campaign.objects.filter(pk=c.pk).exists()


def test_new_campaign_prefills_the_day_clicked(world, client_for):
    content = client_for("editor").get(url(world, "campaigns/new/?start=2027-05-03"), **HTMX)
    text = content.content.decode()
    assert 'id="campaign-form"' in text
    assert re.search(r'name="start" value="2027-05-03"', text)
    assert re.search(r'name="end" value="2027-05-09"', text)


def test_new_campaign_is_created(world, client_for):
    douyin = Channel.objects.get(plan=world.plan, code="douyin")
    response = client_for("editor").post(
        url(world, "campaigns/new/"),
        {
            "code": "qixi-2027",
            "name": "Qixi tea for two",
            "theme": "festival",
            "festival": "qixi",
            "start": "2027-07-25",
            "end": "2027-08-08",
            "channels": [douyin.pk],
            "budget": "200000",
            "status": "idea",
            "owner": world.users["editor"].pk,
        },
    )
    assert response.status_code == 302
    created = Campaign.objects.get(plan=world.plan, code="qixi-2027")
    assert created.festival == "qixi" and list(created.channels.all()) == [douyin]


def test_new_campaign_with_a_taken_code_shows_the_error(world, client_for):
    c = campaign(world)
    response = client_for("editor").post(
        url(world, "campaigns/new/"),
        {
            "code": c.code,
            "name": "Again",
            "theme": "festival",
            "start": "2027-07-25",
            "end": "2027-08-08",
            "budget": "0",
            "status": "idea",
        },
    )
    assert response.status_code == 400
    assert "This plan already has a campaign with this code." in response.content.decode()


# --- planning from a festival -------------------------------------------------------------------


def test_editor_plans_a_campaign_from_a_festival(world, client_for):
    # when an editor plans a campaign for Mid-Autumn from the festival layer
    client = client_for("editor")
    response = client.post(url(world, "festivals/mid_autumn/campaign/"))
    # then it exists around the festival and its editor opens with a message
    created = Campaign.objects.get(plan=world.plan, festival="mid_autumn")
    assert response.status_code == 302 and response["Location"] == edit_url(world, created)
    assert created.start < date(2027, 9, 15) <= created.end
    assert created.theme == "festival" and created.status == "idea"
    page = client.get(response["Location"]).content.decode()
    assert "planned from the festival" in page and created.name in page


def test_unknown_festival_is_not_found(world, client_for):
    response = client_for("editor").post(url(world, "festivals/halloween/campaign/"))
    assert response.status_code == 404
    assert not Campaign.objects.filter(plan=world.plan).exists()


def test_festival_spawning_in_an_approved_plan_explains_why_not(world, client_for):
    approve(world)
    response = client_for("editor").post(url(world, "festivals/qixi/campaign/"), follow=True)
    assert "Only a draft plan can be edited" in response.content.decode()
    assert not Campaign.objects.filter(plan=world.plan).exists()


# --- language -----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "calendar/q3/", "calendar/9/", "timeline/"])
def test_chinese_pages_render(world, client_for, suffix):
    campaign(world)
    client = client_for("viewer", HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.get(url(world, suffix))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in content
    assert "九月" in content  # September, from Django's own catalogue


def test_chinese_editor_renders(world, client_for):
    c = campaign(world)
    client = client_for("editor", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.get(edit_url(world, c)).status_code == 200


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "calendar/q2/", "calendar/6/", "timeline/"])
def test_calendar_query_count_does_not_grow_with_campaigns(
    world, client_for, suffix, django_assert_max_num_queries
):
    # given three campaigns, two of them clashing
    douyin = channels(world, "douyin", "wechat")
    for n in range(3):
        add(world, f"c{n}", start=date(2027, 6, 1 + n), end=date(2027, 7, 1 + n), channels=douyin)
    client = client_for("editor")
    client.get(url(world, suffix))
    with CaptureQueriesContext(connection) as few:
        client.get(url(world, suffix) + "?theme=seasonal")
    # when there are thirty
    for n in range(3, 30):
        add(
            world,
            f"c{n}",
            start=date(2027, 1 + n % 12, 1),
            end=date(2027, 1 + n % 12, 20),
            channels=douyin,
        )
    # then the page needs no more queries
    with django_assert_max_num_queries(len(few)):
        response = client.get(url(world, suffix) + "?theme=seasonal")
    assert response.content.decode().count("C29") >= 1
