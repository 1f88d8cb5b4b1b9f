"""The demo plan (the richest plan we have), loaded once per module that asks for it."""

from __future__ import annotations

import pytest

from planner.models import Plan


@pytest.fixture
def demo_plan(db, demo_module) -> Plan:
    return Plan.objects.get(pk=demo_module.pk)
