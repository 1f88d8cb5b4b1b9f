"""A demo plan shared by the document tests of a module.

Loading the demo takes long, so a module loads it once (committed, outside the
tests' transactions) and flushes the database afterwards, leaving it as empty as
every other test expects.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from planner.models import Plan


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    try:
        with django_db_blocker.unblock():
            with override_settings(DEBUG=True):  # load_demo refuses to run without it
                call_command("load_demo", stdout=io.StringIO())
            plan = Plan.objects.select_related("workspace").get(
                workspace__slug="demo", scenario_of__isnull=True
            )
        yield plan
    finally:  # whatever happened, leave the database empty for the next module
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo_client(db, client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="demo-viewer"))
    return client
