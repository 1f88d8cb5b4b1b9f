"""The channel section in a real browser: planning a quarter in the channels ×
quarters matrix, editing a channel's names in both languages, the all-or-nothing
roster import, the KOL/KOC cost and return figures, what a viewer may do, the
diversification chart, and a phone-sized screen."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect

from channels.models import ChannelPlan, Creator
from tests.channels.helpers import cell, channel, cooperation, creator

PHONE = {"width": 390, "height": 844}
QUARTERS = 4


def yuan(digits, *, whole=True):
    """``¥250,000`` or ``¥250,000.00``: money may be shown with or without cents
    (large amounts drop them), so a test accepts both."""
    pattern = "¥" + re.escape(digits) + r"(\.00)?"
    return re.compile(f"^{pattern}$" if whole else pattern)


def mark_document(page):
    """A full navigation wipes this marker; an htmx swap keeps it."""
    page.evaluate("window.__e2eNoReload = 'still here'")


def document_kept(page):
    return page.evaluate("window.__e2eNoReload") == "still here"


# --------------------------------------------------------------------------- matrix


def matrix_row(page, code):
    """The channel's row in the matrix, found by its code (``douyin`` is not ``douyin_store``)."""
    return page.locator("#channel-matrix tbody tr").filter(
        has=page.locator("code", has_text=re.compile(f"^{re.escape(code)}$"))
    )


def quarter_cell(page, code, quarter):
    return matrix_row(page, code).locator("td.cell").nth(quarter - 1)


def year_cell(page, code):
    return matrix_row(page, code).locator("td").last


def family_subtotals(page, family_label):
    """Q1..Q4 and year cells of a family's subtotal row."""
    return (
        page.locator("#channel-matrix tr.subtotal")
        .filter(has=page.locator("th", has_text=f"Total, {family_label}"))
        .locator("td")
    )


def grand_totals(page):
    """Q1..Q4 and year cells of the all-channels row in the table foot."""
    return page.locator("#channel-matrix tfoot tr.total td")


def plan_quarter(page, code, quarter, *, budget, role=None, formats=()):
    """Open a cell's form in place, fill it and save (the page reloads)."""
    mark_document(page)
    quarter_cell(page, code, quarter).locator("a.cell-link").click()
    editor = page.locator("#cell-editor #cell-form")
    expect(editor).to_be_visible()
    assert document_kept(page), "opening a cell navigated instead of loading the form in place"
    if role is not None:
        editor.get_by_label("Role in the mix").fill(role)
    editor.get_by_label("Planned budget").fill(str(budget))
    for label in formats:
        editor.get_by_label(label, exact=True).check()
    return editor


def test_editor_plans_a_quarter_in_the_matrix(page, world, login, plan_url, shot):
    douyin = channel(world, "douyin")
    assert not ChannelPlan.objects.filter(channel__plan=world.plan).exists()
    login(page, "editor")
    page.goto(plan_url("channels/matrix/"))

    # An empty matrix: every total is zero, Douyin's Q2 offers "+ Plan".
    expect(grand_totals(page)).to_have_count(QUARTERS + 1)
    for n in range(QUARTERS + 1):
        expect(grand_totals(page).nth(n)).to_have_text(yuan("0"))
    q2 = quarter_cell(page, "douyin", 2)
    expect(q2).to_have_text("+ Plan")
    expect(q2.locator("a.cell-link.empty-cell")).to_have_count(1)
    shot(page, "empty-matrix")

    url_before = page.url
    editor = plan_quarter(
        page,
        "douyin",
        2,
        budget=250000,
        role="Reach and live sales",
        formats=("Short video",),
    )
    assert page.url == url_before
    expect(editor.get_by_role("heading", level=2)).to_have_text("Douyin · Q2")
    expect(editor.get_by_label("Short video", exact=True)).to_be_checked()
    shot(page, "editor-open")

    editor.get_by_role("button", name="Save").click()
    # Saved: HX-Refresh reloads the page, which has the new totals.
    q2 = quarter_cell(page, "douyin", 2)
    expect(q2.locator("strong")).to_have_text(yuan("250,000"))
    expect(q2.locator("small")).to_have_text("Reach and live sales")
    assert not document_kept(page), "the totals need a reload after saving a cell"
    expect(page.locator("#cell-editor")).to_be_empty()
    expect(year_cell(page, "douyin")).to_have_text(yuan("250,000"))
    online = family_subtotals(page, "Online platforms")
    expect(online.nth(1)).to_have_text(yuan("250,000"))
    expect(online.nth(0)).to_have_text(yuan("0"))
    expect(online.last).to_have_text(yuan("250,000"))
    expect(family_subtotals(page, "Offline scenes").nth(1)).to_have_text(yuan("0"))
    expect(grand_totals(page).nth(1)).to_have_text(yuan("250,000"))
    expect(grand_totals(page).last).to_have_text(yuan("250,000"))
    saved = ChannelPlan.objects.get(channel=douyin, quarter=2)
    assert saved.budget == Decimal(250000)
    assert saved.role == "Reach and live sales"
    assert saved.formats == ["short_video"]
    shot(page, "saved")

    # Edit the planned quarter again: the form shows what was saved.
    editor = plan_quarter(page, "douyin", 2, budget=300000)
    expect(editor.get_by_label("Role in the mix")).to_have_value("Reach and live sales")
    expect(editor.get_by_label("Short video", exact=True)).to_be_checked()
    editor.get_by_role("button", name="Save").click()
    expect(quarter_cell(page, "douyin", 2).locator("strong")).to_have_text(yuan("300,000"))
    expect(year_cell(page, "douyin")).to_have_text(yuan("300,000"))
    expect(family_subtotals(page, "Online platforms").nth(1)).to_have_text(yuan("300,000"))
    expect(grand_totals(page).nth(1)).to_have_text(yuan("300,000"))
    expect(grand_totals(page).last).to_have_text(yuan("300,000"))
    assert ChannelPlan.objects.get(channel=douyin, quarter=2).budget == Decimal(300000)
    shot(page, "edited")


# --------------------------------------------------------------------------- catalogue


def test_editor_edits_a_channel_name_in_both_languages(page, world, login, plan_url, shot):
    wechat = channel(world, "wechat")
    login(page, "editor")
    page.goto(plan_url("channels/"))
    row = page.locator(f"#channels-online #channel-{wechat.pk}")
    expect(row.locator("td").first.locator("strong")).to_have_text("WeChat official account")

    mark_document(page)
    row.get_by_role("link", name="Edit").click()
    editor = page.locator("#channel-editor-online")
    expect(editor.get_by_role("heading", name="Edit WeChat official account")).to_be_visible()
    assert document_kept(page), "Edit navigated instead of loading the form in place"
    editor.get_by_label("Name (Chinese)").fill("公众号")
    editor.get_by_label("Name (English)").fill("WeChat OA")
    shot(page, "editor-open")

    editor.get_by_role("button", name="Save").click()
    row = page.locator(f"#channels-online #channel-{wechat.pk}")
    expect(row.locator("td").first.locator("strong")).to_have_text("WeChat OA")
    expect(row.locator("td").first.locator("small")).to_have_text("WeChat OA · 公众号")
    expect(page.locator("#channel-editor-online")).to_be_empty()
    wechat.refresh_from_db()
    assert (wechat.name, wechat.name_zh) == ("WeChat OA", "公众号")
    shot(page, "saved")

    with page.expect_navigation():
        page.locator("#language-select").select_option(label="简体中文")  # app.js submits
    expect(page.locator("html[lang=zh-Hans]")).to_have_count(1)
    assert page.url.endswith(plan_url("channels/"))
    row = page.locator(f"#channels-online #channel-{wechat.pk}")
    expect(row.locator("td").first.locator("strong")).to_have_text("公众号")
    shot(page, "zh")


# --------------------------------------------------------------------------- KOL/KOC


def csv_file(text, name="roster.csv"):
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}


def import_roster(page, file):
    page.get_by_text("Import a roster file").click()
    page.locator("#roster_file").set_input_files(file)
    page.get_by_role("button", name="Import", exact=True).click()


def roster_tier(page, n):
    """The roster's n-th tier block: 0 head, 1 mid, 2 KOC."""
    return page.locator("#roster tbody").nth(n)


def test_roster_import_all_or_nothing(page, world, login, plan_url, shot):
    login(page, "editor")
    page.goto(plan_url("channels/kol/"))
    expect(page.locator("#roster")).to_contain_text("No creators in this tier yet.")

    import_roster(
        page,
        csv_file(
            "name,platform,tier,followers,fee\n"
            "Tea Master Lin,Douyin,head,5000000,200000\n"
            "Leaf Diary,Xiaohongshu,koc,8000,-5\n"
        ),
    )
    error = page.locator(".flashes .flash.error")
    expect(error).to_contain_text("Nothing was imported")
    expect(error).to_contain_text(re.compile(r"Row 3, column fee"))
    expect(page.locator(".flashes .flash.success")).to_have_count(0)
    expect(page.locator("#roster")).not_to_contain_text("Tea Master Lin")
    expect(page.locator("#roster").get_by_text("No creators in this tier yet.")).to_have_count(3)
    expect(page.locator(".stats .stat").first.locator(".value")).to_have_text("0")
    assert not Creator.objects.filter(plan=world.plan).exists()
    shot(page, "refused")

    import_roster(
        page,
        csv_file(
            "Name, Platform ,TIER,followers,fee,category\n"
            "Tea Master Lin,Douyin,head,5000000,200000,tea\n"
            "Leaf Diary,小红书,素人,1.2万,¥800,\n"
        ),
    )
    expect(page.locator(".flashes .flash.success")).to_contain_text(
        "Roster imported: 2 added, 0 updated."
    )
    expect(page.locator(".flashes .flash.error")).to_have_count(0)
    head = roster_tier(page, 0)
    expect(head.locator("tr.group-row")).to_have_text("Head creators (sales)")
    expect(head).to_contain_text("Tea Master Lin")
    expect(head.locator("tr").filter(has_text="Tea Master Lin").locator("td")).to_contain_text(
        ["Tea Master Lin", "Douyin", "5,000,000", yuan("200,000")]
    )
    expect(roster_tier(page, 1)).to_contain_text("No creators in this tier yet.")
    koc = roster_tier(page, 2)
    expect(koc.locator("tr.group-row")).to_have_text("KOC and ordinary users (word of mouth)")
    expect(koc.locator("tr").filter(has_text="Leaf Diary").locator("td")).to_contain_text(
        ["Leaf Diary", "小红书", "12,000", yuan("800")]
    )
    expect(page.locator(".stats .stat").first.locator(".value")).to_have_text("2")
    assert Creator.objects.filter(plan=world.plan).count() == 2
    shot(page, "imported")


def test_kol_metrics_shown(page, world, login, plan_url, shot):
    cooperation(world)
    login(page, "editor")
    page.goto(plan_url("channels/kol/"))
    cards = page.locator(".tier-card")
    expect(cards).to_have_count(3)
    head = page.locator(".tier-card.tier-head")
    expect(head.locator("h3")).to_have_text("Head creators (sales)")

    def figure(label):
        return head.locator(f"dt:text-is('{label}') + dd")

    expect(figure("Creators")).to_have_text("1")
    expect(figure("Cooperations")).to_have_text("1")
    expect(figure("Fees")).to_have_text(yuan("200,000"))
    expect(figure("Cost per engagement")).to_have_text("¥5.00")
    expect(figure("Cost per conversion")).to_have_text("¥100.00")
    expect(figure("GMV ÷ fees")).to_have_text("1.30×")
    # A tier without cooperations has no ratios, not zeros.
    expect(page.locator(".tier-card.tier-mid dt:text-is('GMV ÷ fees') + dd")).to_have_text("—")

    chart = page.locator("[data-chart=tier-figure]")
    expect(chart).to_have_attribute("data-chart-drawn", "1")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    expect(chart.locator(".barlayer .trace")).to_have_count(2)  # fees and GMV
    expect(page.locator("#cooperations tbody tr")).to_have_count(1)
    expect(page.locator("#cooperations tbody tr td")).to_contain_text(
        ["Tea Master Lin", "Spring Festival", yuan("200,000")]
    )
    shot(page, "kol")


# --------------------------------------------------------------------------- viewer


def test_viewer_sees_channels_read_only(page, world, login, plan_url, shot):
    cell(world, "douyin", 1)
    cooperation(world)
    login(page, "viewer")

    page.goto(plan_url("channels/"))
    expect(page.locator("#channels-online tbody tr").first).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("heading", name="Add a channel")).to_have_count(0)
    expect(page.locator("main form[method=post]")).to_have_count(0)
    expect(page.locator("#channels-online thead th")).to_have_count(7)  # no actions column
    shot(page, "catalogue")

    page.goto(plan_url("channels/matrix/"))
    expect(quarter_cell(page, "douyin", 2)).to_have_text("—")  # no "+ Plan" for a viewer
    mark_document(page)
    quarter_cell(page, "douyin", 1).locator("a.cell-link").click()
    editor = page.locator("#cell-editor #cell-form")
    expect(editor).to_be_visible()
    assert document_kept(page)
    expect(editor.get_by_label("Planned budget")).to_have_value(re.compile(r"^100000(\.00)?$"))
    expect(editor.get_by_label("Planned budget")).to_be_disabled()
    expect(editor.get_by_label("Role in the mix")).to_be_disabled()
    enabled = editor.locator("input:not([type=hidden]), textarea, select")
    assert enabled.count() > 0
    # The fieldset is disabled, so its controls match :disabled (their own property stays false).
    assert (
        enabled.evaluate_all("els => els.filter(e => !e.matches(':disabled')).map(e => e.name)")
        == []
    )
    expect(editor.get_by_role("button", name="Save")).to_have_count(0)
    expect(editor.locator("button")).to_have_count(0)
    shot(page, "matrix-cell")

    page.goto(plan_url("channels/kol/"))
    expect(page.locator("#roster")).to_contain_text("Tea Master Lin")
    for summary in ("Add a creator", "Import a roster file", "Record a cooperation"):
        expect(page.get_by_text(summary, exact=True)).to_have_count(0)
    expect(page.locator("input[type=file]")).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    expect(page.locator("[data-chart=tier-figure]")).to_have_attribute("data-chart-drawn", "1")
    shot(page, "kol")


# --------------------------------------------------------------------------- mix


def test_mix_chart_drawn(page, world, login, plan_url, shot):
    for code, quarter in (("douyin", 1), ("weibo", 2), ("popup", 3)):  # ¥100,000 each
        cell(world, code, quarter)
    login(page, "editor")
    page.goto(plan_url("channels/mix/"))
    head = page.locator(".card-head").filter(has_text="Planned budget by family and channel")
    expect(head.locator("strong")).to_have_text(yuan("300,000"))

    chart = page.locator("[data-chart=mix-figure]")
    expect(chart).to_have_attribute("data-chart-drawn", "1")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    # Two families with budget (inner ring) and three channels (outer ring).
    expect(chart.locator(".sunburstlayer path.surface")).to_have_count(5)

    families = (
        page.locator("section.card")
        .filter(has=page.get_by_role("heading", name="Budget share by family"))
        .locator("table tbody tr")
    )
    expect(families).to_have_count(3)
    shares = {}
    for n in range(3):
        label, _budget, share = families.nth(n).locator("td").all_inner_texts()
        shares[label] = share
    assert shares == {
        "Online platforms": "66.7%",
        "Offline scenes": "33.3%",
        "Cross-border resources": "0.0%",
    }, shares
    total = sum(Decimal(s.rstrip("%")) for s in shares.values())
    assert total == Decimal(100), shares

    channels = (
        page.locator("section.card")
        .filter(has=page.get_by_role("heading", name="Budget share by channel"))
        .locator("tbody tr")
    )
    expect(channels).to_have_count(3)
    channel_total = sum(
        Decimal(channels.nth(n).locator("td").last.inner_text().rstrip("%")) for n in range(3)
    )
    assert abs(channel_total - 100) <= Decimal("0.2"), channel_total
    shot(page, "mix")


# --------------------------------------------------------------------------- phone


def _horizontal_overflow(page):
    return page.evaluate(
        """() => ({
            document: document.documentElement.scrollWidth,
            wide: [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                              && !el.closest('.table-wrap'))
                .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                           + (el.className && typeof el.className === 'string'
                              ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))
                .slice(0, 10),
        })"""
    )


def _assert_fits(page):
    found = _horizontal_overflow(page)
    assert found["document"] <= PHONE["width"] + 1, found


def test_channel_pages_phone_width(new_page, world, login, plan_url, shot):
    cell(world, "douyin", 1)
    cooperation(world)
    creator(world)
    page = new_page(viewport=PHONE)
    login(page, "editor")

    page.goto(plan_url("channels/"))
    expect(page.locator("#channels-online")).to_be_attached()
    _assert_fits(page)
    shot(page, "catalogue-phone")

    page.goto(plan_url("channels/matrix/"))
    expect(page.locator("#channel-matrix")).to_be_attached()
    _assert_fits(page)
    quarter_cell(page, "douyin", 1).locator("a.cell-link").click()
    expect(page.locator("#cell-editor #cell-form")).to_be_visible()
    _assert_fits(page)
    shot(page, "matrix-phone")

    page.goto(plan_url("channels/kol/"))
    expect(page.locator("[data-chart=tier-figure]")).to_have_attribute("data-chart-drawn", "1")
    _assert_fits(page)
    shot(page, "kol-phone")
