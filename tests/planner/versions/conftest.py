"""The demo plan, loaded once per test that asks for it (it is the richest plan we have)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from planner.models import Plan


@pytest.fixture
def demo_plan(db, settings) -> Plan:
    settings.DEBUG = True  # load_demo refuses to run without it
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
    return Plan.objects.get(workspace__slug="demo", scenario_of__isnull=True)
