"""The demo's journeys: imported once, attributed by every model, and telling the
story the page is for (last click over-credits search and the marketplaces, the
data-driven model credits the upper funnel more)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from monitoring import queries
from monitoring.models import JourneyImport
from planner.models import Plan

pytestmark = pytest.mark.django_db


def test_the_demo_attribution_tells_the_story(settings):
    # given the demo, loaded twice
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    plan = Plan.objects.get(workspace__slug="demo", year=2027, scenario_of__isnull=True)
    # then one good import and one refused one
    statuses = sorted(JourneyImport.objects.filter(plan=plan).values_list("status", flat=True))
    assert statuses == ["failed", "succeeded"]
    table = queries.attribution(plan)
    assert table.run is not None and table.run.journeys >= 20_000
    assert all(m["available"] for m in table.models)
    credit = {
        row["channel"].code: {c["model"]: c["conversions"] for c in row["cells"] if c}
        for row in table.rows
    }
    assert credit["sem_baidu"]["last_click"] > credit["sem_baidu"]["markov"]
    assert credit["tmall"]["last_click"] > credit["tmall"]["markov"]
    assert credit["douyin"]["markov"] > 2 * credit["douyin"]["last_click"]
    assert credit["xiaohongshu"]["markov"] > 2 * credit["xiaohongshu"]["last_click"]
