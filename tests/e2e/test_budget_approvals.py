"""The budget approval flow in the browser: an editor asks for money with a cost-benefit
sheet, a manager finds it first in the inbox and approves it; the cost lands on the line.
A reserve draw is asked for and approved; the pages fit a phone."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect

from budget import ledger
from budget.models import BudgetLine, BudgetRequest, DrawStatus, ReserveDraw
from tests.budget.approvals_helpers import fund, line


def test_editor_asks_manager_approves_the_cost_lands_on_the_line(
    page, new_page, world, login, plan_url, shot
):
    fund(world)
    login(page, "editor")
    page.goto(plan_url("budget/requests/"))
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    page.get_by_text("Ask for money").click()
    page.get_by_label("Title").fill("Douyin live-stream push")
    page.get_by_label("Channel").select_option(label="Douyin")
    page.get_by_label("Quarter").select_option(label="Q2")
    page.get_by_label("Cost").fill("50000")
    page.get_by_label("Expected users").fill("2000")
    page.get_by_label("Expected revenue").fill("150000")
    page.get_by_label("Assumptions").fill("CPA 25 yuan; 30 % buy twice.")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#request-sheet .badge")).to_have_text("Submitted")
    expect(page.locator("#request-sheet")).to_contain_text("200.0%")
    shot(page, "submitted")

    manager = new_page()
    login(manager, "manager")
    manager.goto(plan_url("budget/requests/"))
    expect(manager.locator(".tabs .count-pill")).to_have_text("1")
    first = manager.locator("#inbox-first")
    expect(first.get_by_role("heading")).to_have_text("Waiting for your decision")
    first.get_by_role("link", name="Douyin live-stream push").click()
    manager.get_by_label("Comment").fill("Go.")
    manager.get_by_role("button", name="Approve").click()
    expect(manager.locator("#request-sheet .badge")).to_have_text("Approved")
    expect(manager.locator("#request-timeline")).to_contain_text("“Go.”")
    shot(manager, "approved")
    req = BudgetRequest.objects.get()
    assert req.status == "approved" and req.line.planned == Decimal("50000.00")
    assert ledger.budget_of(world.plan).unallocated == Decimal("850000.00")


def test_reserve_draw_asked_and_approved(page, new_page, world, login, plan_url, shot):
    fund(world)
    target = line(world, "tmall", 3)
    login(page, "editor")
    page.goto(plan_url("budget/reserve/"))
    page.get_by_label("Budget line").select_option(value=str(target.pk))
    page.get_by_label("Amount").fill("2500")
    page.get_by_label("Reason").fill("Double 11 search floor prices rose.")
    page.get_by_role("button", name="Ask for the draw").click()
    expect(page.locator("#pending-draws")).to_contain_text("Double 11 search floor prices rose.")

    manager = new_page(viewport={"width": 390, "height": 844})
    login(manager, "manager")
    manager.goto(plan_url("budget/reserve/"))
    assert manager.evaluate("document.documentElement.scrollWidth") <= 390
    manager.locator("#pending-draws").get_by_role("button", name="Approve").click()
    expect(manager.locator("#past-draws")).to_contain_text("Approved")
    shot(manager, "phone-approved")
    assert ReserveDraw.objects.get().status == DrawStatus.APPROVED
    assert BudgetLine.objects.get(pk=target.pk).planned == Decimal("2500.00")
    assert ledger.budget_of(world.plan).reserve_balance == Decimal("97500.00")
