"""The manager's quarterly dashboard in the browser: the quarter's milestone and the top
risk are on it, the risk's playbook is one click away, and it fits a phone."""

from __future__ import annotations

from playwright.sync_api import expect

from planner.execution.models import Risk
from tests.planner.execution.helpers import milestone, playbook, risk


def test_manager_sees_the_quarter_and_reaches_the_playbook(
    page, new_page, world, login, plan_url, shot
):
    milestone(world)
    Risk.objects.filter(pk=risk(world).pk).update(playbook=playbook(world))
    login(page, "manager")
    page.goto(plan_url("execution/dashboard/?quarter=2027Q2"))
    expect(page.locator("#milestones")).to_contain_text("618 pre-sale reaches 30,000 members")
    expect(page.locator("#risks")).to_contain_text("Platform changes its livestream rules")
    shot(page, "dashboard")
    page.locator("#risks").get_by_role("link", name="Playbook →").click()
    expect(page.get_by_text("We have seen the reports.")).to_be_visible()

    phone = new_page(viewport={"width": 390, "height": 844})
    login(phone, "manager")
    phone.goto(plan_url("execution/dashboard/?quarter=2027Q3"))
    expect(phone.locator("#ms-title")).to_have_text("Milestones of Q3")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "dashboard-phone")
