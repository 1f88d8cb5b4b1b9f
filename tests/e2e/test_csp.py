"""The Content Security Policy, enforced, on the main pages of a plan full of XSS payloads.

The demo with the corpus of tests/e2e/xss_corpus.py in every free-text field; the
workspace admin opens the main pages (overview, each section, the dashboards,
monitoring, budget, execution, notifications, the plan document) with the policy
in force: not one violation (the page fixture records them through the
``securitypolicyviolation`` event) and no dialog. A canary first proves that the
policy is enforced (not report-only) and that a violation would be seen.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.e2e import xss_corpus as corpus
from tests.e2e.test_xss import HOOKS, _login_cookie

MAIN_PAGES = (
    "",
    "goals/",
    "channels/",
    "channels/matrix/",
    "channels/kol/",
    "channels/mix/",
    "content/",
    "content/calendar/q2/",
    "content/timeline/",
    "content/creative/",
    "content/assets/",
    "content/licences/",
    "content/interaction/",
    "monitoring/",
    "monitoring/alerts/",
    "monitoring/rules/",
    "monitoring/imports/",
    "monitoring/attribution/",
    "monitoring/roi/",
    "monitoring/competitors/",
    "monitoring/competitors/matrix/",
    "monitoring/competitors/share-of-voice/",
    "budget/",
    "budget/allocation/",
    "budget/orders/",
    "budget/requests/",
    "budget/review/",
    "budget/reserve/",
    "budget/collaboration/",
    "budget/suppliers/",
    "budget/suppliers/innovation/",
    "execution/",
    "execution/dashboard/",
    "execution/risks/",
    "execution/playbooks/",
    "execution/activities/",
    "execution/response/",
    "history/",
    "versions/",
    "document/",
)
WORKSPACE_PAGES = ("", "notifications/", "deliveries/", "chat-channels/")

CANARY = "csp-canary"


@pytest.mark.allow_browser_errors(CANARY)
def test_main_pages_have_no_csp_violation(new_page, demo, live_server):
    plan = demo
    corpus.seed_orm()
    cookie = _login_cookie(Client(), "demo-admin")
    page = new_page()
    page.context.add_init_script(HOOKS)
    page.context.add_cookies([{**cookie, "url": live_server.url}])
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{message.text} ({page.url})")
            if "Content Security Policy" in message.text
            else None
        ),
    )

    # The canary: the policy is enforced and a violation is seen.
    response = page.goto(f"/plans/{plan.pk}/?{CANARY}")
    assert response is not None
    header = response.headers.get("content-security-policy", "")
    script_src = re.search(r"script-src ([^;]*)", header)
    assert script_src and "'unsafe-inline'" not in script_src.group(1), header
    assert "'unsafe-eval'" not in header, header
    page.evaluate(
        "() => { const d = document.createElement('div');"
        ' d.innerHTML = \'<img src="/static/img/favicon.svg" onload="alert(1)">\';'
        " document.body.append(d); }"
    )
    expect(page.locator("main#main")).to_be_visible()
    page.wait_for_function("() => true")
    page.evaluate("0")
    assert any("script-src" in v for v in violations), violations
    assert page.evaluate("window.__xssHits") == []
    violations.clear()

    urls = [f"/plans/{plan.pk}/{suffix}" for suffix in MAIN_PAGES] + [
        f"/w/{plan.workspace.slug}/{suffix}" for suffix in WORKSPACE_PAGES
    ]
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        for chart in page.locator("[data-chart]").all():
            expect(chart).to_have_attribute("data-chart-drawn", "1")
        assert page.evaluate("window.__xssHits") == [], url
    page.evaluate("0")
    assert not violations, "\n".join(violations)
    assert not dialogs, dialogs
