"""Browser tests: Debian's headless Chromium driven by Playwright against a live server.

Run with ``make e2e`` (``pytest -m e2e tests/e2e``). Every test in this folder is
marked ``e2e`` by :func:`pytest_collection_modifyitems`, so ``make test``
(``-m "not services and not e2e"``) never starts a browser.

What the fixtures give a test:

* ``page``: a fresh browser context (cookies, storage) at 1366x900 whose base
  URL is the live server, so ``page.goto("/plans/1/")`` works.
* ``new_page(**context_options)``: another such page, e.g. a second user.
* ``login(page, "editor")``: signs in through the real login form.
* ``shot(page, "name")``: a full-page PNG under ``tests/e2e/artifacts/``.

Every page records console errors, uncaught page errors and CSP violations; a
test that produced any fails (after its body ran) with the list. Opt out with
``@pytest.mark.allow_browser_errors`` (everything) or
``@pytest.mark.allow_browser_errors(r"regex", ...)`` (matching messages only).
Each page is also photographed when the test ends (``<test>--final-<n>.png``).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.factories import PASSWORD

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = E2E_DIR / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 900}
ACTION_TIMEOUT_MS = 10_000
expect.set_options(timeout=7_000)


# --------------------------------------------------------------------------- markers


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "allow_browser_errors(*patterns): e2e test may log console errors / CSP violations "
        "(all of them, or only those matching the regex patterns)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e ``e2e``.

    A hook rather than ``pytestmark`` in each module: a new test file cannot
    forget it. ``tryfirst`` so the marker is there before pytest's own
    ``-m`` deselection (also a ``pytest_collection_modifyitems`` hook) runs.
    """
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole e2e package; each test gets its own context.

    Scope: package (tests/e2e), which for ``make e2e`` is the whole session.
    Not literally session-scoped on purpose: while Playwright's sync API is
    started, its asyncio event loop counts as *running* in the main thread, and
    a plain ``pytest`` run would otherwise carry that loop (and the relaxed
    async-safety check below) into the non-browser tests collected after this
    folder.
    """
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        pytest.fail(
            f"No Chromium at {executable!r}. The e2e suite drives the system browser and "
            "never downloads one: run `apt-get install -y chromium` (Debian), or point "
            "the CHROMIUM environment variable at a Chromium/Chrome binary.",
            pytrace=False,
        )
    # Why DJANGO_ALLOW_ASYNC_UNSAFE: sync_playwright() runs an asyncio event
    # loop in the main thread (it switches to it with greenlets). Django sees
    # that running loop and refuses synchronous ORM calls from the test
    # thread (SynchronousOnlyOperation) — e.g. fixtures creating users or a test
    # checking the database. Nothing here is actually async: the ORM is only
    # ever called synchronously, from the test thread and from the live
    # server's own thread. Set only while the browser lives, then restored.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    ignore = ARTIFACTS / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n!.gitignore\n")
    return ARTIFACTS


# --------------------------------------------------------------------------- error capture

# Injected before any page script (CDP, so the page's CSP does not apply to it):
# forwards every CSP violation to the test through an exposed binding, which
# also catches violations Chromium does not log to the console.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  if (window.__e2eCspViolation) {
    window.__e2eCspViolation(
      "Content Security Policy violation: " + e.effectiveDirective + " blocked " +
      (e.blockedURI || "(inline)") + " in " + e.documentURI +
      (e.sourceFile ? " (" + e.sourceFile + ":" + e.lineNumber + ")" : "")
    );
  }
}, true);
"""


@dataclass
class BrowserErrors:
    """What went wrong in the browser during one test."""

    entries: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    allow_all: bool = False

    def add(self, kind: str, page: Page, text: str) -> None:
        self.entries.append(f"[{kind}] {text}  (page: {page.url})")

    def unexpected(self) -> list[str]:
        if self.allow_all:
            return []
        return [e for e in self.entries if not any(p.search(e) for p in self.allowed)]


ERRORS_KEY = pytest.StashKey[BrowserErrors]()
PAGES_KEY = pytest.StashKey[list]()


def _watch(page: Page, errors: BrowserErrors) -> None:
    def on_console(message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            where = location.get("url") or ""
            errors.add("console", page, f"{message.text} {where}".strip())

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.add("pageerror", page, str(error)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After a passing test body, fail it if its pages logged errors."""
    result = yield
    errors = item.stash.get(ERRORS_KEY, None)
    if errors is not None:
        for page in item.stash.get(PAGES_KEY, []):
            if not page.is_closed():
                # A round trip delivers console events still in flight (a page
                # mid-navigation may refuse; what it logged so far still counts).
                with contextlib.suppress(Exception):
                    page.evaluate("0")
        unexpected = errors.unexpected()
        if unexpected:
            raise AssertionError(
                "The browser reported errors (console errors, page errors or CSP "
                "violations):\n  " + "\n  ".join(unexpected)
            )
    return result


# --------------------------------------------------------------------------- pages


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, artifacts_dir: Path
) -> Iterator[Callable[..., Page]]:
    """``new_page(**context_options)`` → a page in a fresh context, errors recorded."""
    errors = BrowserErrors()
    marker = request.node.get_closest_marker("allow_browser_errors")
    if marker is not None:
        if marker.args:
            errors.allowed = [re.compile(p) for p in marker.args]
        else:
            errors.allow_all = True
    request.node.stash[ERRORS_KEY] = errors
    pages: list[Page] = []
    request.node.stash[PAGES_KEY] = pages
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> Page:
        options.setdefault("viewport", VIEWPORT)
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.expose_binding(
            "__e2eCspViolation",
            lambda source, text: errors.add("csp", source["page"], text),
        )
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        _watch(page, errors)
        pages.append(page)
        return page

    yield make

    for n, page in enumerate(pages, start=1):
        if page.is_closed() or page.url in ("", "about:blank"):
            continue
        with contextlib.suppress(Exception):  # a screenshot must not hide the real result
            page.screenshot(
                path=str(artifacts_dir / f"{_slug(request.node.name)}--final-{n}.png"),
                animations="disabled",
            )
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


HTMX_IDLE = (
    "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
)


@pytest.fixture
def shot(request: pytest.FixtureRequest, artifacts_dir: Path) -> Callable[[Page, str], Path]:
    """``shot(page, "overview")`` → artifacts/<test>--overview.png (full page)."""

    def take(page: Page, name: str) -> Path:
        path = artifacts_dir / f"{_slug(request.node.name)}--{_slug(name)}.png"
        # Let an htmx swap settle (swapped content fades in, see almanac.css) and
        # fast-forward CSS transitions, so the picture shows the final state.
        page.wait_for_function(HTMX_IDLE, timeout=ACTION_TIMEOUT_MS)
        page.mouse.move(0, 0)  # no stray :hover from the last click in the picture
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    return take


# --------------------------------------------------------------------------- people


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Hash the personas' passwords with a cheap hasher (autouse: before ``world``).

    PBKDF2 at Django's default cost takes a few hundred milliseconds per hash;
    six personas plus a login per test made every test seconds slower. The
    login form, session and CSRF handling under test are the same.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def login(world: Any) -> Callable[[Page, str], None]:
    """``login(page, "editor")``: sign in as that persona through the login form."""

    def sign_in(page: Page, persona: str) -> None:
        username = world.users[persona].get_username()
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # LOGIN_REDIRECT_URL is the workspaces page; the header names the user.
        expect(page.locator(".topbar .user .name")).to_have_text(username)

    return sign_in


@pytest.fixture
def plan_url(world: Any) -> Callable[[str], str]:
    """``plan_url("goals/")`` → ``/plans/<id>/goals/`` for the persona world's plan."""

    def url(suffix: str = "") -> str:
        return f"/plans/{world.plan.pk}/{suffix}"

    return url
