"""The demo's journeys: imported once, attributed by every model, and telling the
story the page is for (last click over-credits search and the marketplaces, the
data-driven model credits the upper funnel more)."""

from __future__ import annotations

from monitoring import queries
from monitoring.models import JourneyImport
from planner.models import Plan


def test_the_demo_attribution_tells_the_story(demo_module):
    # given the demo (tests/planner/test_demo.py: loading it twice changes nothing)
    plan = Plan.objects.get(pk=demo_module.pk)
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
