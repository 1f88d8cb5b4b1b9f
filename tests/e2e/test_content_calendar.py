"""The campaign calendar in a real browser: the year with its computed festivals, planning a
campaign from a festival, editing it in place from the month grid, the timeline (Gantt)
with its clash flag, both languages and a phone-sized screen."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from content.models import Campaign

PHONE = {"width": 390, "height": 844}


def mark_document(page):
    """A full navigation wipes this marker; an htmx swap keeps it."""
    page.evaluate("window.__e2eNoReload = 'still here'")


def document_kept(page):
    return page.evaluate("window.__e2eNoReload") == "still here"


def plan_from_festival(page, code):
    with page.expect_navigation():
        page.locator(f"#festival-{code}").get_by_role("button", name="Plan a campaign").click()


def bar(page, campaign):
    return page.locator(f'a.cal-bar[data-campaign="{campaign.pk}"]')


def test_editor_plans_edits_and_schedules_campaigns(page, world, login, plan_url, shot):
    login(page, "editor")
    page.goto(plan_url("content/"))

    # The year: twelve months, the computed festivals marked by kind, nothing planned yet.
    expect(page.locator(".mini-month")).to_have_count(12)
    expect(page.locator('td[data-date="2027-02-06"].peak-lunar')).to_be_visible()
    expect(page.locator('td[data-date="2027-09-15"].peak-lunar')).to_be_visible()
    expect(page.locator('td[data-date="2027-11-11"].peak-commerce')).to_be_visible()
    expect(page.locator("#month-9 .mini-festivals")).to_contain_text("Mid-Autumn Festival")
    expect(page.locator("#stat-campaigns")).to_have_text("0")

    # Planning a campaign from the Mid-Autumn festival opens it, ready to adjust.
    plan_from_festival(page, "mid_autumn")
    mid_autumn = Campaign.objects.get(plan=world.plan, festival="mid_autumn")
    expect(page.locator(".flash.success")).to_contain_text("planned from the festival")
    expect(page.locator("#campaign-form h2")).to_have_text("Mid-Autumn Festival campaign")
    expect(page.locator("#campaign-form #id_start")).to_have_value("2027-08-25")

    # In the September grid, clicking its bar opens the editor in place.
    page.goto(plan_url("content/calendar/9/"))
    expect(page.locator("#day-2027-09-15")).to_contain_text("Mid-Autumn Festival")
    mark_document(page)
    bar(page, mid_autumn).first.click()
    editor = page.locator("#campaign-editor #campaign-form")
    expect(editor).to_be_visible()
    assert document_kept(page), "clicking a campaign navigated instead of editing in place"
    editor.locator("#id_start").fill("2027-09-01")
    editor.locator("#id_end").fill("2027-09-26")
    editor.get_by_label("Bilibili", exact=True).check()
    editor.get_by_label("JD flagship store", exact=True).uncheck()
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays at the top of the picture
    shot(page, "editor-in-place")
    editor.get_by_role("button", name="Save").click()

    # Saved: the page reloads with the bar starting on Wednesday 1 September.
    expect(page.locator("#campaign-editor")).to_be_empty()
    expect(page.locator(".flash.success")).to_contain_text("saved")
    expect(bar(page, mid_autumn).first).to_have_attribute("style", re.compile("^grid-column:3 /"))
    mid_autumn.refresh_from_db()
    assert (mid_autumn.start, mid_autumn.end) == (date(2027, 9, 1), date(2027, 9, 26))
    codes = {c.code for c in mid_autumn.channels.all()}
    assert "bilibili" in codes and "jd" not in codes

    # The timeline has it, without a clash so far.
    page.locator('.cal-views a[data-view="timeline"]').click()
    row = page.locator(f"#gantt-row-{mid_autumn.pk}")
    expect(row).to_be_visible()
    expect(row.locator(".flag.clash")).to_have_count(0)

    # National Day's campaign starts a week before 1 October, on Douyin and Tmall too:
    # both rows now name the clash, the other campaign and the shared channels.
    page.goto(plan_url("content/"))
    plan_from_festival(page, "national_day")
    national = Campaign.objects.get(plan=world.plan, festival="national_day")
    page.goto(plan_url("content/timeline/"))
    expect(page.locator(f"#gantt-row-{mid_autumn.pk} .flag.clash")).to_contain_text(
        "Clashes with National Day campaign on Douyin"
    )
    expect(page.locator(f"#gantt-row-{national.pk} .flag.clash")).to_contain_text(
        "Clashes with Mid-Autumn Festival campaign on Douyin"
    )
    expect(page.locator("#stat-clashes")).to_have_text("2")
    expect(page.locator(f"#gantt-row-{national.pk} .gantt-bar.clashing")).to_be_visible()
    shot(page, "gantt")

    page.goto(plan_url("content/"))
    expect(page.locator("#month-9 .mini-campaigns")).to_contain_text("Mid-Autumn Festival campaign")
    shot(page, "year-calendar")

    # In Chinese: the same pages, month names from Django's catalogue.
    with page.expect_navigation():
        page.locator("#language-select").select_option(label="简体中文")  # app.js submits
    expect(page.locator("html[lang=zh-Hans]")).to_have_count(1)
    expect(page.locator("#month-9 .mini-head h4")).to_have_text("九月")
    shot(page, "year-calendar-zh")
    page.goto(plan_url("content/timeline/"))
    expect(page.locator(f"#gantt-row-{national.pk}")).to_be_visible()
    shot(page, "gantt-zh")


def test_filters_keep_to_the_view_and_across_views(page, world, login, plan_url):
    from tests.content.helpers import campaign

    spring = campaign(world)
    login(page, "viewer")
    page.goto(plan_url("content/calendar/2/"))
    expect(bar(page, spring).first).to_be_visible()
    with page.expect_navigation():
        page.locator("#filter_theme").select_option("csr")  # app.js submits
    expect(bar(page, spring)).to_have_count(0)
    assert "theme=csr" in page.url
    page.locator('.cal-views a[data-view="timeline"]').click()
    assert page.url.endswith("/content/timeline/?theme=csr")
    expect(page.locator("#filter_theme")).to_have_value("csr")
    # a reader opens a campaign to read it, without a save button
    page.goto(plan_url("content/calendar/2/"))
    bar(page, spring).first.click()
    editor = page.locator("#campaign-editor #campaign-form")
    expect(editor).to_be_visible()
    expect(editor.locator("#id_name")).to_be_disabled()
    expect(editor.get_by_role("button", name="Save")).to_have_count(0)


def _document_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_calendar_pages_fit_a_phone(new_page, world, login, plan_url, shot):
    from tests.content.helpers import campaign

    campaign(world)
    page = new_page(viewport=PHONE)
    login(page, "editor")
    for suffix, name in (
        ("content/", "year-phone"),
        ("content/calendar/2/", "month-phone"),
        ("content/calendar/q1/", "quarter-phone"),
        ("content/timeline/", "gantt-phone"),
    ):
        page.goto(plan_url(suffix))
        expect(page.locator(".cal-toolbar")).to_be_visible()
        assert _document_width(page) <= PHONE["width"] + 1, suffix
        shot(page, name)
    # the Gantt scrolls sideways inside its own frame, the campaign names stay put
    scroller = page.locator(".gantt-scroll")
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")


def test_editor_deletes_a_campaign_after_confirming(page, world, login, plan_url):
    from tests.content.helpers import campaign

    spring = campaign(world)
    login(page, "editor")
    page.goto(plan_url("content/calendar/1/?theme=festival"))
    bar(page, spring).first.click()
    editor = page.locator("#campaign-editor #campaign-form")
    expect(editor).to_be_visible()

    # Cancelling the confirmation keeps it.
    page.once("dialog", lambda dialog: dialog.dismiss())
    editor.get_by_role("button", name="Delete").click()
    expect(editor).to_be_visible()
    assert Campaign.objects.filter(pk=spring.pk).exists()

    # Confirming deletes it and returns to the same filtered month.
    page.once("dialog", lambda dialog: dialog.accept())
    editor.get_by_role("button", name="Delete").click()
    expect(page.locator(".flash.success")).to_contain_text("deleted")
    expect(bar(page, spring)).to_have_count(0)
    assert page.url.endswith("/content/calendar/1/?theme=festival")
    assert not Campaign.objects.filter(pk=spring.pk).exists()
