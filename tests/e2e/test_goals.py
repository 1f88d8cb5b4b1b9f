"""The annual-goals section in a real browser: the KPI grid and tree, in-place
KPI editing, goal seek, the monthly breakdown editor, actuals and their chart,
what a viewer may do, a phone-sized screen, and the page in Chinese."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect

from kpis import services
from kpis.models import Kpi
from tests.kpis.trees import small_tree

PHONE = {"width": 390, "height": 844}


def yuan(digits, *, whole=True):
    """``¥1,200,000`` or ``¥1,200,000.00``: money may be shown with or without cents
    (large amounts drop them), so a test accepts both."""
    pattern = "¥" + re.escape(digits) + r"(\.00)?"
    return re.compile(f"^{pattern}$" if whole else pattern)


def with_january_actuals(world):
    """January actuals for budget and CAC, so the goals page has attainment to chart."""
    tree = small_tree(world)
    services.actuals_set(kpi=tree["budget"], values={1: 95000}, actor=world.users["editor"])
    services.actuals_set(kpi=tree["cac"], values={1: 62}, actor=world.users["editor"])


def kpi_row(page, kpi):
    """The KPI's row in the goals grid."""
    return page.locator(f"#kpi-grid #kpi-row-{kpi.pk}")


def annual_cell(page, kpi):
    """Third column of a grid row: the annual target (computed for formula KPIs)."""
    return kpi_row(page, kpi).locator("td").nth(2)


def tree_item(page, name):
    return page.locator(".kpi-tree li").filter(has=page.get_by_role("link", name=name, exact=True))


def month_input(page, month):
    return page.locator(f"#breakdown input[name=m{month}]")


def quarter_total(page, quarter):
    return page.locator("#breakdown .quarter-head span").nth(quarter - 1)


def mark_document(page):
    """A full navigation wipes this marker; an htmx swap keeps it."""
    page.evaluate("window.__e2eNoReload = 'still here'")


def document_kept(page):
    return page.evaluate("window.__e2eNoReload") == "still here"


def goal_cell(page, kpi):
    return kpi_row(page, kpi).locator("td.num").nth(1)


def test_editor_changes_cac_and_new_users_recompute(page, world, login, plan_url, shot):
    tree = small_tree(world)
    # the team committed to 30,000 new users; the tree computes 20,000 from its inputs
    tree["new_users"] = services.kpi_update(
        kpi=tree["new_users"],
        expected_version=tree["new_users"].version,
        changes={"annual_target": Decimal(30000)},
        actor=world.users["editor"],
    )
    login(page, "editor")
    with_january_actuals(world)
    page.goto(plan_url("goals/"))
    expect(annual_cell(page, tree["new_users"])).to_have_text("20,000")
    expect(goal_cell(page, tree["new_users"])).to_contain_text("30,000")
    expect(goal_cell(page, tree["new_users"]).locator(".gap.short")).to_have_text("-10,000")
    expect(annual_cell(page, tree["cac"])).to_have_text("¥60.00")
    expect(kpi_row(page, tree["new_users"])).to_contain_text("= budget / cac")
    expect(tree_item(page, "New users").locator("strong")).to_have_text("20,000")
    expect(page.locator("[data-chart=attainment-figure]")).to_have_attribute(
        "data-chart-drawn", "1"
    )
    shot(page, "goals")

    mark_document(page)
    kpi_row(page, tree["cac"]).get_by_role("link", name="Edit").click()
    editor = page.locator("#kpi-editor")
    expect(
        editor.get_by_role("heading", name="Edit Customer acquisition cost (CAC)")
    ).to_be_visible()
    target = editor.locator("#id_annual_target")
    expect(target).to_have_value("60")
    assert document_kept(page), "the Edit button navigated instead of loading the form in place"
    assert page.url.endswith(plan_url("goals/"))
    shot(page, "cac-editor")

    target.fill("48")
    with page.expect_navigation():  # HX-Refresh: the whole page reloads
        editor.get_by_role("button", name="Save").click()
    expect(annual_cell(page, tree["cac"])).to_have_text("¥48.00")
    expect(annual_cell(page, tree["new_users"])).to_have_text("25,000")
    expect(goal_cell(page, tree["new_users"]).locator(".gap.short")).to_have_text("-5,000")
    expect(tree_item(page, "New users").locator("strong")).to_have_text("25,000")
    expect(tree_item(page, "Customer acquisition cost (CAC)").first.locator("strong")).to_have_text(
        "¥48.00"
    )
    expect(page.locator("#kpi-editor")).to_be_empty()
    assert not document_kept(page)
    page.evaluate("window.scrollTo(0, 0)")  # the reload kept the scroll position
    shot(page, "after-save")

    assert Kpi.objects.get(pk=tree["cac"].pk).annual_target == Decimal(48)


def test_objective_group_rows_span_the_whole_grid(page, world, login, plan_url):
    small_tree(world)
    login(page, "editor")
    page.goto(plan_url("goals/"))
    columns = page.locator("#kpi-grid thead th").count()
    spans = page.locator("#kpi-grid tr.group-row th").evaluate_all(
        "cells => cells.map(c => c.colSpan)"
    )
    assert spans and all(span == columns for span in spans), (columns, spans)


def test_goals_page_cards_do_not_touch(page, world, login, plan_url):
    """Every block of the page (cards and card grids) keeps a gap to the next one."""
    small_tree(world)
    login(page, "editor")
    page.goto(plan_url("goals/"))
    gaps = page.evaluate(
        """() => [...document.querySelectorAll('#main > .card, #main > .grid')]
            .map(el => [el.id || el.className, el.getBoundingClientRect()])
            .map(([name, r], i, all) => i ? [all[i - 1][0] + ' → ' + name,
                                             Math.round(r.top - all[i - 1][1].bottom)] : null)
            .filter(Boolean)"""
    )
    assert len(gaps) >= 4, gaps
    touching = [pair for pair in gaps if pair[1] < 8]
    assert not touching, f"blocks with less than 8px between them: {touching}"


def test_kpi_editor_fields_line_up(page, world, login, plan_url):
    cac = small_tree(world)["cac"]
    login(page, "editor")
    page.goto(plan_url("goals/"))
    kpi_row(page, cac).get_by_role("link", name="Edit").click()
    editor = page.locator("#kpi-editor")
    expect(editor.locator("form")).to_be_visible()

    def box(selector):
        return editor.locator(selector).evaluate(
            "e => { const r = e.getBoundingClientRect(); return [r.top, r.height]; }"
        )

    for left, right in (("#id_name", "#id_code"), ("#id_annual_target", "#id_profile")):
        (top_l, height_l), (top_r, height_r) = box(left), box(right)
        assert abs(top_l - top_r) <= 2 and abs(height_l - height_r) <= 2, (
            left,
            (top_l, height_l),
            right,
            (top_r, height_r),
        )


def test_goal_seek_finds_the_budget_for_two_million_new_users(page, world, login, plan_url, shot):
    small_tree(world)
    login(page, "editor")
    page.goto(plan_url("goals/"))
    mark_document(page)

    seek = page.locator("#goal-seek")
    seek.get_by_label("Bring KPI").select_option("new_users")
    seek.get_by_label("to the target").fill("2000000")
    seek.get_by_label("by changing").select_option("budget")
    seek.get_by_role("button", name="Solve").click()

    result = page.locator("#goal-seek .seek-result")
    expect(result).to_contain_text(yuan("120,000,000", whole=False))
    expect(result.locator("p")).to_contain_text("Marketing budget =")
    expect(result).to_contain_text("exact")
    rows = result.locator("tbody tr")
    expect(rows.filter(has_text="Marketing budget").locator("td")).to_have_text(
        ["Marketing budget", yuan("1,200,000"), yuan("120,000,000")]
    )
    expect(rows.filter(has_text="New users").locator("td")).to_have_text(
        ["New users", "20,000", "2,000,000"]
    )
    expect(page.locator("#goal-seek")).to_have_count(1)
    assert document_kept(page), "goal seek reloaded the page instead of swapping the card"
    shot(page, "solved")

    # Nothing is saved: the grid still has the old budget after a reload.
    assert Kpi.objects.get(plan=world.plan, code="budget").annual_target == Decimal(1_200_000)

    # The budget does not depend on the CAC: no value of the CAC can bring it to 5.
    seek = page.locator("#goal-seek")
    seek.get_by_label("Bring KPI").select_option("budget")
    seek.get_by_label("to the target").fill("5")
    seek.get_by_label("by changing").select_option("cac")
    seek.get_by_role("button", name="Solve").click()
    error = page.locator("#goal-seek .form-errors[role=alert]")
    expect(error).to_contain_text("does not depend on")
    expect(page.locator("#goal-seek .seek-result")).to_have_count(0)
    expect(page.locator("#goal-seek").get_by_label("Bring KPI")).to_have_value("budget")
    assert document_kept(page)
    shot(page, "no-solution")


def test_breakdown_editor_flags_and_rebalances(page, world, login, plan_url, shot):
    budget = small_tree(world)["budget"]
    login(page, "editor")
    page.goto(plan_url(f"goals/kpis/{budget.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Marketing budget")
    expect(month_input(page, 1)).to_have_value("100000")
    expect(quarter_total(page, 1)).to_have_text(yuan("300,000"))
    expect(page.locator("#breakdown .reconcile.ok")).to_be_visible()
    shot(page, "kpi-page")

    mark_document(page)
    month_input(page, 1).fill("200000")
    page.get_by_role("button", name="Save months").click()
    flag = page.locator("#breakdown .reconcile.off")
    expect(flag).to_contain_text("not reconciled")
    # The months' sum and how far it is from the annual target, formatted as money.
    expect(flag).to_contain_text(yuan("1,300,000", whole=False))
    expect(flag).to_contain_text(yuan("100,000", whole=False))
    expect(quarter_total(page, 1)).to_have_text(yuan("400,000"))
    expect(month_input(page, 1)).to_have_value("200000")
    assert document_kept(page)
    shot(page, "not-reconciled")

    page.locator("#breakdown input[name=locked][value='1']").check()
    page.get_by_role("button", name="Rebalance the unticked months").click()
    expect(page.locator("#breakdown .reconcile.ok")).to_contain_text(
        "The months reconcile with the annual target."
    )
    expect(page.locator("#breakdown .reconcile.off")).to_have_count(0)
    expect(month_input(page, 1)).to_have_value("200000")
    for month in (2, 7, 12):
        value = month_input(page, month).input_value()
        assert 0 < float(value) < 100_000, f"month {month} is {value}"
    assert document_kept(page)
    shot(page, "rebalanced")

    months = Kpi.objects.get(pk=budget.pk).month_values()
    assert months[0] == Decimal(200_000)
    assert sum(months) == Decimal(1_200_000)


def test_actuals_and_chart(page, world, login, plan_url, shot):
    budget = small_tree(world)["budget"]
    login(page, "editor")
    page.goto(plan_url(f"goals/kpis/{budget.pk}/"))
    chart = page.locator("[data-chart=kpi-chart]")
    expect(chart).to_have_attribute("data-chart-drawn", "1")

    actuals = page.locator("#actuals")
    actuals.locator("input[name=a1]").fill("95000")
    actuals.locator("input[name=a2]").fill("110000")
    actuals.get_by_role("button", name="Save actuals").click()
    expect(page.locator("#actuals .saved-note")).to_have_text("Saved")
    table = page.locator("#actuals table tbody tr")
    # The budget is "lower is better": attainment = target ÷ actual.
    expect(table.nth(0).locator("td")).to_have_text(["M1", yuan("100,000"), yuan("95,000"), "105%"])
    expect(table.nth(1).locator("td")).to_have_text(["M2", yuan("100,000"), yuan("110,000"), "91%"])
    expect(table.nth(2).locator("td").nth(3)).to_have_text("—")
    expect(page.locator("#actuals input[name=a1]")).to_have_value("95000")
    shot(page, "actuals-saved")

    page.reload()
    chart = page.locator("[data-chart=kpi-chart]")
    expect(chart).to_have_attribute("data-chart-drawn", "1")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    expect(chart.locator(".scatterlayer .trace .point")).to_have_count(2)  # Jan and Feb
    expect(chart.locator(".barlayer .point")).to_have_count(12)
    ytd_actual = yuan("205,000", whole=False)
    expect(page.locator(".stats")).to_contain_text(ytd_actual)
    page.evaluate("window.scrollTo(0, 0)")  # the reload kept the scroll position
    shot(page, "chart")


def test_saving_actuals_updates_the_stats_and_chart_without_a_reload(page, world, login, plan_url):
    budget = small_tree(world)["budget"]
    login(page, "editor")
    page.goto(plan_url(f"goals/kpis/{budget.pk}/"))
    expect(page.locator("[data-chart=kpi-chart]")).to_have_attribute("data-chart-drawn", "1")
    page.locator("#actuals input[name=a1]").fill("95000")
    page.get_by_role("button", name="Save actuals").click()
    expect(page.locator("#actuals .saved-note")).to_have_text("Saved")
    expect(page.locator("#actuals table tbody tr").first).to_contain_text("105%")
    expect(page.locator(".stats")).to_contain_text(yuan("95,000", whole=False), timeout=2_000)
    expect(page.locator("[data-chart=kpi-chart] .scatterlayer .trace .point")).to_have_count(
        1, timeout=2_000
    )


def test_viewer_reads_goals_but_has_no_editing(page, world, login, plan_url, shot):
    tree = small_tree(world)
    login(page, "viewer")
    page.goto(plan_url("goals/"))
    expect(annual_cell(page, tree["new_users"])).to_have_text("20,000")
    expect(page.locator("#kpi-grid").get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("link", name="Add KPI")).to_have_count(0)
    expect(page.locator("#kpi-grid thead th")).to_have_count(9)  # no actions column

    seek = page.locator("#goal-seek")
    seek.get_by_label("to the target").fill("2000000")  # new_users / budget preselected
    seek.get_by_role("button", name="Solve").click()
    budget_needed = yuan("120,000,000", whole=False)
    expect(page.locator("#goal-seek .seek-result")).to_contain_text(budget_needed)
    shot(page, "viewer-goals")

    page.goto(plan_url(f"goals/kpis/{tree['budget'].pk}/"))
    months = page.locator("#breakdown .quarters input[type=number]")
    expect(months).to_have_count(12)
    for n in range(12):
        expect(months.nth(n)).to_be_disabled()
    # Whatever else the breakdown card offers (channel/region splits) is read-only too.
    enabled = page.locator("#breakdown").locator("input:not([type=hidden]), textarea, select")
    assert enabled.evaluate_all("els => els.filter(e => !e.disabled).map(e => e.name)") == []
    expect(page.locator("#breakdown button")).to_have_count(0)
    expect(page.locator("#breakdown input[name=locked]")).to_have_count(0)
    expect(page.get_by_role("button", name="Save months")).to_have_count(0)
    expect(page.get_by_role("button", name="Rebalance the unticked months")).to_have_count(0)
    expect(page.locator("#actuals form")).to_have_count(0)
    expect(page.get_by_role("button", name="Save actuals")).to_have_count(0)
    expect(page.locator("#actuals table tbody tr")).to_have_count(12)  # still readable
    expect(page.locator(".page-head").get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    shot(page, "viewer-kpi")


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


def test_goals_pages_at_phone_width(new_page, world, login, plan_url, shot):
    tree = small_tree(world)
    page = new_page(viewport=PHONE)
    login(page, "editor")
    with_january_actuals(world)
    page.goto(plan_url("goals/"))
    expect(page.locator("#kpi-grid")).to_be_visible()
    expect(page.locator("[data-chart=attainment-figure]")).to_have_attribute(
        "data-chart-drawn", "1"
    )
    _assert_fits(page)
    # The grid is wider than the phone: it scrolls inside its own wrapper.
    wrap = page.locator(".table-wrap").filter(has=page.locator("#kpi-grid"))
    sizes = wrap.evaluate(
        "el => ({client: el.clientWidth, scroll: el.scrollWidth, "
        "overflow: getComputedStyle(el).overflowX})"
    )
    assert sizes["client"] <= PHONE["width"], sizes
    assert sizes["scroll"] > sizes["client"], sizes
    assert sizes["overflow"] in ("auto", "scroll"), sizes
    shot(page, "goals-phone")

    page.goto(plan_url(f"goals/kpis/{tree['budget'].pk}/"))
    expect(page.locator("[data-chart=kpi-chart]")).to_have_attribute("data-chart-drawn", "1")
    expect(month_input(page, 12)).to_be_visible()
    _assert_fits(page)
    shot(page, "kpi-phone")


def test_chinese_goals_page(page, world, login, plan_url, shot):
    small_tree(world)
    login(page, "editor")
    with_january_actuals(world)
    page.goto(plan_url("goals/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    with page.expect_navigation():
        page.locator("#language-select").select_option(label="简体中文")  # app.js submits
    expect(page.locator("html[lang=zh-Hans]")).to_have_count(1)
    assert page.url.endswith(plan_url("goals/"))
    expect(page.locator("#language-select")).to_have_value("zh-hans")
    expect(page.locator(".sidebar")).to_contain_text("年度目标设定")
    expect(page.get_by_role("heading", level=1)).to_have_text("年度目标设定")
    expect(page.locator("#kpi-grid")).to_be_visible()
    expect(page.locator("[data-chart=attainment-figure]")).to_have_attribute(
        "data-chart-drawn", "1"
    )
    shot(page, "goals-zh")

    budget = Kpi.objects.get(plan=world.plan, code="budget")
    page.goto(plan_url(f"goals/kpis/{budget.pk}/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("[data-chart=kpi-chart]")).to_have_attribute("data-chart-drawn", "1")
    shot(page, "kpi-zh")
    assert re.search(r"\S", page.locator("#breakdown").inner_text())
