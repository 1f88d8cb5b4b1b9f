"""The planner in a real browser: login, in-place editing, conflicts, language,
the plan lifecycle, roles, the chart, and every main page under the CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from planner import services
from planner.models import Plan
from tests.factories import PASSWORD

SECTION_PAGES = ("goals/", "channels/", "content/", "monitoring/", "budget/", "execution/")


def plan_card(page):
    return page.locator("#plan-card")


def status_badge(page):
    """The plan's status badge in the sidebar chip (present on every plan page)."""
    return page.locator(".plan-chip .badge")


def test_login_page_renders_and_demo_style_login_works(page, world, shot):
    page.goto("/")  # anonymous → redirected to the login form
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "login")

    page.locator("#id_username").fill("editor-user")
    page.locator("#id_password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".form-errors[role=alert]")).to_contain_text(
        "The username or password is not right"
    )
    expect(page.locator("#id_username")).to_have_value("editor-user")  # kept for the retry
    shot(page, "login-error")

    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()
    expect(page.get_by_role("link", name="Lumi Tea")).to_be_visible()
    expect(page.get_by_role("link", name="Annual plan")).to_have_attribute(
        "href", f"/plans/{world.plan.pk}/"
    )
    # Only the editor's own workspace is listed.
    expect(page.get_by_text("Rival Coffee")).to_have_count(0)
    shot(page, "workspaces")


def test_editor_edits_plan_name_in_place(page, world, login, plan_url, shot):
    login(page, "editor")
    page.goto(plan_url())
    card = plan_card(page)
    expect(card.locator("dd").first).to_have_text("Annual plan")

    # A full navigation would wipe this; an htmx swap keeps it.
    page.evaluate("window.__e2eNoReload = 'still here'")
    card.get_by_role("link", name="Edit").click()
    expect(card.get_by_role("heading", name="Edit plan details")).to_be_visible()
    name = card.locator("#id_name")
    expect(name).to_have_value("Annual plan")
    assert page.evaluate("window.__e2eNoReload") == "still here"
    assert page.url.endswith(plan_url())  # the address bar did not move either
    shot(page, "edit-form")

    name.fill("Annual plan 2027 — tea")
    card.get_by_role("button", name="Save").click()
    expect(card.locator("dd").first).to_have_text("Annual plan 2027 — tea")
    expect(card.locator(".saved-note")).to_have_text("Saved")
    expect(card.locator("form")).to_have_count(0)
    assert page.evaluate("window.__e2eNoReload") == "still here"
    shot(page, "saved")

    page.reload()
    expect(plan_card(page).locator("dd").first).to_have_text("Annual plan 2027 — tea")
    expect(plan_card(page).locator(".saved-note")).to_have_count(0)  # only right after a save
    assert Plan.objects.get(pk=world.plan.pk).name == "Annual plan 2027 — tea"


def test_stale_edit_shows_conflict_and_keeps_other_users_value(page, world, login, plan_url, shot):
    login(page, "editor")
    page.goto(plan_url())
    card = plan_card(page)
    card.get_by_role("link", name="Edit").click()
    expect(card.locator("#id_name")).to_have_value("Annual plan")

    # Meanwhile the manager renames the plan (the browser's form is now stale).
    plan = Plan.objects.get(pk=world.plan.pk)
    services.plan_update(
        plan=plan,
        expected_version=plan.version,
        changes={"name": "Changed elsewhere"},
        actor=world.users["manager"],
    )

    card.locator("#id_name").fill("My own name")
    with page.expect_response(
        lambda r: r.url.endswith(plan_url("fields/")) and r.request.method == "POST"
    ) as save:
        card.get_by_role("button", name="Save").click()
    # htmx swaps only 2xx; the view answers a stale save with 200 + the form.
    assert save.value.status == 200, f"stale save answered HTTP {save.value.status}"

    conflict = card.locator(".conflict[role=alert]")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("changed by someone else")
    expect(conflict.locator("thead")).to_contain_text("Your value")
    row = conflict.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["Name", "My own name", "Changed elsewhere"])
    # The form now holds the saved value, ready for a deliberate second try.
    expect(card.locator("#id_name")).to_have_value("Changed elsewhere")
    shot(page, "conflict")

    assert Plan.objects.get(pk=world.plan.pk).name == "Changed elsewhere"


def test_language_switch_to_chinese(page, world, login, plan_url, shot):
    login(page, "editor")
    page.goto(plan_url())
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".sidebar")).to_contain_text("Annual goals")
    expect(page.locator("[data-chart]")).to_have_attribute("data-chart-drawn", "1")
    shot(page, "overview-en")

    with page.expect_navigation():
        page.locator("#language-select").select_option(label="简体中文")  # app.js submits
    expect(page.locator("html[lang=zh-Hans]")).to_have_count(1)
    assert page.url.endswith(plan_url())  # set_language came back to the same page
    expect(page.locator("#language-select")).to_have_value("zh-hans")
    # Django's own zh-Hans locale formats the "last saved" date: 2027年1月5日 09:30.
    version = plan_card(page).locator("dd").nth(5)
    expect(version).to_contain_text(re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}"))
    # The chart is drawn with plotly's zh-CN locale loaded, without errors.
    expect(page.locator("[data-chart]")).to_have_attribute("data-chart-drawn", "1")
    # The app's own catalogue (locale/zh_Hans/LC_MESSAGES/django.mo): section titles.
    expect(page.locator(".sidebar")).to_contain_text("年度目标设定")
    expect(page.locator(".sidebar")).not_to_contain_text("Annual goals")
    shot(page, "overview-zh")

    page.goto(plan_url("goals/"))  # the choice sticks across pages
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")


def test_submit_and_approve_lifecycle(page, new_page, world, login, plan_url, shot):
    login(page, "editor")
    page.goto(plan_url())
    expect(status_badge(page)).to_have_text("Draft")
    page.get_by_role("button", name="Submit for review").click()

    expect(status_badge(page)).to_have_text("In review")
    expect(page.locator(".flash")).to_contain_text("In review")
    expect(plan_card(page).get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    expect(page.locator(".stepper li.current")).to_have_text("In review")
    shot(page, "editor-submitted")

    manager = new_page()
    login(manager, "manager")
    manager.goto(plan_url())
    expect(status_badge(manager)).to_have_text("In review")
    manager.get_by_role("button", name="Approve").click()
    expect(status_badge(manager)).to_have_text("Approved")
    expect(manager.locator(".page-head")).to_contain_text("Approved by manager-user")
    expect(manager.locator(".timeline")).to_contain_text("Approve")
    shot(manager, "manager-approved")

    page.reload()
    expect(status_badge(page)).to_have_text("Approved")
    assert Plan.objects.get(pk=world.plan.pk).status == "approved"


def test_viewer_sees_no_edit_controls(page, world, login, plan_url, shot):
    login(page, "viewer")
    page.goto(plan_url())
    expect(plan_card(page).locator("dd").first).to_have_text("Annual plan")
    expect(plan_card(page).get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.locator(".page-head form[action$='/transition/']")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    shot(page, "viewer-overview")

    # The edit URL itself only shows the read-only card to a viewer.
    page.goto(plan_url("fields/"))
    expect(page.locator("#plan-card form")).to_have_count(0)

    page.goto(f"/w/{world.workspace.slug}/")
    expect(page.get_by_role("link", name="New plan")).to_have_count(0)
    expect(page.get_by_role("button", name="Add member")).to_have_count(0)
    expect(page.locator("select[name=role]")).to_have_count(0)
    shot(page, "viewer-workspace")


def test_channel_mix_chart_is_drawn(page, world, login, plan_url, shot):
    login(page, "editor")
    page.goto(plan_url())
    chart = page.locator("[data-chart]")
    expect(chart).to_have_attribute("data-chart-drawn", "1")
    expect(chart).not_to_have_attribute("data-chart-failed", "1")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    expect(chart.locator("g.point")).to_have_count(3)  # one bar per channel family
    shot(page, "chart")
    # No CSP violation or console error: checked for every test by the page fixture.


def test_pages_have_no_console_errors_or_csp_violations(page, world, login, plan_url, shot):
    login(page, "editor")
    pages = {
        "home": "/",
        "workspace": f"/w/{world.workspace.slug}/",
        "overview": plan_url(),
        **{f"section-{s.strip('/')}": plan_url(s) for s in SECTION_PAGES},
        "history": plan_url("history/"),
        "plan-fields": plan_url("fields/"),
    }
    for name, url in pages.items():
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        expect(page.locator("main#main h1")).to_be_visible()
        for chart in page.locator("[data-chart]").all():
            expect(chart).to_have_attribute("data-chart-drawn", "1")
        shot(page, name)


def test_api_docs_render_under_the_csp(page, world, login, shot):
    login(page, "editor")
    response = page.goto("/api/docs/")
    assert response is not None and response.status == 200
    # Swagger UI renders the schema's title and the plan endpoints.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Almanac API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    shot(page, "api-docs")


def test_phone_width_layout(new_page, world, login, plan_url, shot):
    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    login(phone, "editor")
    phone.goto(plan_url())
    expect(phone.locator("[data-chart]")).to_have_attribute("data-chart-drawn", "1")
    expect(plan_card(phone)).to_be_visible()
    widths = phone.evaluate(
        "() => ({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
        " inner: window.innerWidth})"
    )
    shot(phone, "overview-phone")
    assert widths["doc"] <= 390 + 1, widths


@pytest.mark.parametrize("suffix", ["goals/", "history/"])
def test_phone_width_layout_other_pages(new_page, world, login, plan_url, shot, suffix):
    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    login(phone, "editor")
    phone.goto(plan_url(suffix))
    expect(phone.locator("main#main h1")).to_be_visible()
    shot(phone, "phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
