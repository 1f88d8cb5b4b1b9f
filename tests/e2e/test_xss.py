"""The XSS corpus in a real browser.

Every free-text field of every row of the demo holds one of the classic payloads
(tests/e2e/xss_corpus.py; a few also arrive through the real forms and the API), and
every page the URL resolver knows (filled with the demo's ids) is opened in headless
Chromium as the workspace admin, who sees the most. The page's policy is bypassed
here on purpose: escaping must hold on its own, the CSP is the second line
(test_csp.py checks it on the main pages). On every page:

* no payload runs: ``alert``/``confirm``/``prompt`` are wrapped before any page
  script, a dialog fails, and ``console.log("XSS-…")`` is watched;
* no payload's markup made it into the DOM (an element carrying ``data-xss``, an
  event-handler attribute or a ``javascript:`` link that holds ``XSS-``, a script
  element that would run it).

Charts are hovered (Plotly draws tooltips from the names) and htmx partials are
fetched on their own (``HX-Request``) as well.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.e2e import xss_corpus as corpus

# Runs in every page before its own scripts.
HOOKS = """
(() => {
  window.__xssHits = [];
  const hit = (how, args) => {
    const text = how + ": " + Array.from(args).map(String).join(" ");
    window.__xssHits.push(text);
    if (window.__xssReport) { window.__xssReport(text); }
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = function () { hit(name, arguments); return null; };
  }
})();
"""

# What a successful injection leaves in the DOM even if nothing ran.
DOM_CHECK = """
() => {
  const found = [];
  const describe = (el) => el.outerHTML.slice(0, 160);
  for (const el of document.querySelectorAll("[data-xss]")) {
    found.push("element " + describe(el));
  }
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name.startsWith("on") && /XSS-|alert\\(/.test(value)) {
        found.push("handler " + name + " on " + describe(el));
      }
      if (["href", "src", "action", "formaction", "data", "xlink:href"].includes(name) &&
          /^\\s*(javascript|data|vbscript):/i.test(value) && !value.startsWith("data:image/")) {
        found.push("url " + name + "=" + value.slice(0, 80) + " on " + el.tagName);
      }
    }
  }
  for (const el of document.querySelectorAll("script")) {
    const type = (el.type || "").toLowerCase();
    const runs = !type || type.includes("javascript") || type === "module";
    if (runs && /XSS-/.test(el.textContent)) {
      found.push("script " + el.textContent.slice(0, 120));
    }
  }
  return found;
}
"""

HOVER_CHARTS = """
() => Array.from(document.querySelectorAll("[data-chart-drawn='1'] .nsewdrag"))
  .slice(0, 3).map((el) => { const r = el.getBoundingClientRect();
    return [r.left + r.width / 2, r.top + r.height / 2]; })
"""


def _login_cookie(client: Client, username: str) -> dict[str, str]:
    client.force_login(get_user_model().objects.get(username=username))
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def seed_through_services(plan: Any, client: Client) -> None:
    """A few payloads through the real input paths: a form (HTML), the API, a service."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from kpis.models import Objective
    from planner.versions import services as version_services

    payload = corpus.PAYLOADS
    plan.refresh_from_db()
    response = client.post(
        reverse("planner:plan-fields", args=[plan.pk]),
        {
            "name": payload[4],
            "year": plan.year,
            "currency": plan.currency,
            "description": payload[0],
            "version": plan.version,
        },
    )
    assert response.status_code == 302, response.content[:600]
    objective = Objective.objects.filter(plan=plan).order_by("pk").first()
    assert objective is not None
    admin = get_user_model().objects.get(username="demo-admin")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=admin)[0].key}")
    response = api.patch(
        f"/api/v1/objectives/{objective.pk}/",
        {"title": payload[9], "description": payload[1]},
        format="json",
        HTTP_IF_MATCH=f'"{objective.version}"',
    )
    assert response.status_code == 200, response.content[:600]
    # A saved version: its snapshot (PlanVersion.data) carries the payloads to the
    # versions pages and their diffs.
    version_services.snapshot_save(plan=plan, actor=admin, note=payload[7][:200])


@pytest.mark.allow_browser_errors(
    # Payload pieces that the browser tries to load as images/frames are 404s, and
    # bypassing the policy is what this test does on purpose.
    r"Failed to load resource",
)
def test_no_payload_runs_or_is_injected_on_any_page(new_page, demo, live_server):
    plan = demo
    corpus.seed_extra_rows(plan)
    changed = corpus.seed_orm()
    empty = sorted(label for label, n in changed.items() if not n)
    client = Client()
    cookie = _login_cookie(client, "demo-admin")
    seed_through_services(plan, client)

    pages, skipped = _pages(plan, client)
    assert len(pages) >= 60, (len(pages), skipped)

    hits: list[str] = []
    page = new_page(bypass_csp=True)
    page.context.add_init_script(HOOKS)
    page.context.expose_binding(
        "__xssReport", lambda source, text: hits.append(f"{text} on {source['page'].url}")
    )
    page.context.add_cookies([{**cookie, "url": live_server.url}])
    page.on(
        "dialog",
        lambda dialog: (hits.append(f"dialog {dialog.message} on {page.url}"), dialog.dismiss()),
    )
    page.on(
        "console",
        lambda message: (
            hits.append(f"console {message.text} on {page.url}") if "XSS-" in message.text else None
        ),
    )

    # The server rendered each page once already (finding the pages); the browser gets
    # that very HTML for the page itself (its scripts, styles and fetches are live).
    current: dict[str, bytes] = {}

    def serve(route: Any) -> None:
        if route.request.is_navigation_request() and "body" in current:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=current["body"])
        else:
            route.continue_()

    page.route("**/*", serve)
    injected: dict[str, list[str]] = {}
    for url, partial, body in pages:
        current["body"] = body
        page.goto(url, wait_until="load")
        current.clear()
        for x, y in page.evaluate(HOVER_CHARTS):
            page.mouse.move(x, y)
        found = page.evaluate(DOM_CHECK)
        if found:
            injected[url + (" (htmx)" if partial else "")] = found
    assert not hits, "payloads ran:\n" + "\n".join(hits)
    assert not injected, "payload markup in the DOM:\n" + corpus.dumps(injected)
    # Every field the corpus found actually had rows to carry a payload (else a page that
    # shows the field was never tested with it).
    assert not empty, f"no demo row holds these fields: {empty}"


def _pages(plan: Any, client: Client) -> tuple[list[tuple[str, bool, bytes]], dict[str, str]]:
    """Every GET page of the resolver, with the demo's ids → (url, htmx partial?, HTML).

    A route is a page when the admin's GET gets 200 with HTML. The others are
    returned with why (405 for POST-only actions, a redirect, a file download).
    """
    fixed = corpus.fixed_kwargs(plan)
    queries = corpus.route_queries(plan)
    pages: list[tuple[str, bool, bytes]] = []
    skipped: dict[str, str] = {}
    for route in corpus.page_routes():
        if route.name in NOT_PAGES:
            continue
        choices = []
        for kwarg in route.converters:
            values = fixed.get(kwarg) or corpus.id_candidates(plan, kwarg)
            assert values, f"{route.name}: no value for <{kwarg}> in the demo ({route.pattern})"
            choices.append([(kwarg, v) for v in values])
        outcome = "no combination"
        for combination in itertools.islice(itertools.product(*choices), 12):
            url = reverse(route.name, kwargs=dict(combination)) + queries.get(route.name, "")
            response = client.get(url)
            assert response.status_code < 500, f"{url}: {response.status_code}"
            content_type = response.get("Content-Type", "")
            outcome = f"{response.status_code} {content_type}"
            if response.status_code == 200 and content_type.startswith("text/html"):
                pages.append((url, False, response.content))
                partial = client.get(url, HTTP_HX_REQUEST="true")
                if partial.status_code == 200 and partial.content != response.content:
                    pages.append((url, True, partial.content))
                outcome = ""
                break
            if response.status_code != 404:
                break  # 404: another model's id may fit the kwarg
        if outcome:
            skipped[route.name] = outcome
    return pages, skipped


# Routes not visited, and why.
NOT_PAGES: dict[str, str] = {
    "logout": "POST only; would end the session",
    "healthz": "plain text",
    "set_language": "POST only",
}


def test_skip_list_names_real_fields():
    """Every SKIP entry names a field that exists (a renamed field is covered again)."""
    assert corpus.stale_skips() == []
    labels = {tf.label for tf in corpus.text_fields()}
    assert "planner.Plan.name" in labels and "kpis.Kpi.code" not in labels
    assert len(corpus.PAYLOADS) >= 12
