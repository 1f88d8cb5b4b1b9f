"""Personas and shared fixtures.

A workspace ``ws`` with an admin, a manager, an editor and a viewer, one draft
plan with the standard channel catalogue, and an *outsider*: the admin of
another workspace with a plan of its own.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.celery import app as celery_app
from planner.models import Plan
from tests import demo_snapshot as demo_snapshot_module
from tests import served
from tests.factories import PASSWORD
from tests.world import World, build_world

PERSONAS = ("admin", "manager", "editor", "viewer", "outsider")

# pytest-xdist: each process has its own test database, so ids repeat across processes;
# a shared cache (Redis in the services setup) gets a key prefix per process.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _cache in django_settings.CACHES.values():
        _cache["KEY_PREFIX"] = os.environ["PYTEST_XDIST_WORKER"]


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker) -> demo_snapshot_module.Snapshot:
    """The demo, loaded once per test session (per xdist worker) and kept as a snapshot.

    Loading it takes about a minute on PostgreSQL; restoring the snapshot, seconds.
    The database is flushed again right after, so tests that do not ask for the demo
    see an empty one. Tasks the load enqueues run in-process, also in the services
    suite (nothing is left queued for a later test's worker).
    """
    from django.core.management import call_command
    from django.test import override_settings

    with django_db_blocker.unblock():
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        try:
            with override_settings(DEBUG=True):  # load_demo refuses to run without it
                call_command("load_demo", stdout=io.StringIO())
            snapshot = demo_snapshot_module.take()
        finally:
            celery_app.conf.task_always_eager = eager
            call_command("flush", interactive=False, verbosity=0)
    return snapshot


@pytest.fixture(scope="module")
def demo_module(demo_snapshot, django_db_blocker) -> Iterator[Plan]:
    """The demo plan, committed for a whole test module (restored from the snapshot).

    Each test still runs in its own transaction on top of it (its changes roll
    back). The database is flushed after the module, whatever happened, so it is as
    empty as every other test expects.
    """
    from django.core.management import call_command

    try:
        with django_db_blocker.unblock():
            demo_snapshot_module.restore(demo_snapshot)
            plan = Plan.objects.select_related("workspace").get(
                workspace__slug="demo", scenario_of__isnull=True
            )
        yield plan
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(transactional_db, demo_snapshot) -> Plan:
    """The demo plan for one test in a module of other tests: committed (the test is
    a transactional one) and flushed after it, like every transactional test."""
    demo_snapshot_module.restore(demo_snapshot)
    return Plan.objects.select_related("workspace").get(
        workspace__slug="demo", scenario_of__isnull=True
    )


@pytest.fixture
def served_by_gunicorn(transactional_db, tmp_path) -> Iterator[Callable[..., served.Served]]:
    """``served_by_gunicorn()`` → the test database served by a real gunicorn process
    (tests/served.py). Write what the server must see before starting it."""
    started: list[served.Served] = []

    def make(**options: Any) -> served.Served:
        server = served.start(tmp_path / f"gunicorn-{len(started)}", **options)
        started.append(server)
        return server

    yield make
    for server in started:
        served.stop(server)


@pytest.fixture(autouse=True)
def _eager_celery_unless_services(request, settings, tmp_path):
    """Tests run tasks in-process; only the services suite talks to a real worker.

    Mail goes to Django's in-memory outbox (pytest-django), files to a temp dir.
    """
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    # A deliberately slow hash protects real passwords; tests only need a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if request.node.get_closest_marker("services"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in Chinese leaves Chinese
    active in the thread (LocaleMiddleware does not put the old language back)."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reset_login_throttle(db):
    from axes.utils import reset

    reset()


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for(world):
    """``client_for("editor")`` → a logged-in Django test client."""

    def make(persona: str, **kwargs) -> Client:
        client = Client(**kwargs)
        if persona != "anonymous":
            client.force_login(world.users[persona])
        return client

    return make


@pytest.fixture
def api_for(world):
    """``api_for("viewer")`` → an APIClient with that persona's token."""

    def make(persona: str) -> APIClient:
        client = APIClient()
        if persona != "anonymous":
            token, _ = Token.objects.get_or_create(user=world.users[persona])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD
