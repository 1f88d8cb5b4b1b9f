"""collect(): the plan's planning content, bounded queries, JSON round trip."""

from __future__ import annotations

import json
from decimal import Decimal

from django.utils import translation

from planner.plan_data import KINDS, PlanData, collect, to_value
from planner.sections import SECTIONS


def test_collect_covers_every_section_with_natural_keys_and_round_trips(
    demo_plan, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40):
        data = collect(demo_plan)
    assert [s.key for s in data.sections] == [s.key for s in SECTIONS]
    tables = {(s.key, t.key): t for s in data.sections for t in s.tables}
    for key in [
        ("goals", "objectives"),
        ("goals", "kpis"),
        ("goals", "kpi_breakdown"),
        ("goals", "strategic_goals"),
        ("channels", "channels"),
        ("channels", "channel_plans"),
        ("channels", "creators"),
        ("content", "campaigns"),
        ("content", "interaction_mechanisms"),
        ("monitoring", "alert_rules"),
        ("monitoring", "roi_definition"),
        ("budget", "budget"),
        ("budget", "budget_lines"),
        ("execution", "milestones"),
        ("execution", "risks"),
        ("execution", "playbooks"),
        ("execution", "activities"),
        ("execution", "response_pools"),
    ]:
        assert tables[key].rows, f"the demo has rows in {key}"
    for table in tables.values():
        keys = [r.key for r in table.rows]
        assert len(keys) == len(set(keys)), table.key
        assert all(c.kind in KINDS for c in table.columns)
        for row in table.rows:
            assert set(row.values) == {c.key for c in table.columns}
    kpis = tables[("goals", "kpis")]
    kpi = next(iter(kpis.rows))
    assert isinstance(kpi.values["annual_target"], str)
    budget = tables[("budget", "budget")].rows[0].values
    assert Decimal(budget["total"]) > 0 and budget["total"].count(".") == 1
    # the breakdown's rows carry their KPI's unit (the table has no unit column)
    units = {k.code: k.unit for k in demo_plan.kpis.all()}
    breakdown = tables[("goals", "kpi_breakdown")]
    assert {row.key: row.unit for row in breakdown.rows} == {
        row.key: units[row.key] for row in breakdown.rows
    }
    # JSON round trip: a snapshot is plain JSON and loads back equal.
    encoded = json.loads(json.dumps(data.to_json()))
    assert PlanData.from_json(encoded).to_json() == data.to_json()


def test_labels_are_resolved_in_the_readers_language(demo_plan):
    with translation.override("en"):
        snapshot = collect(demo_plan).to_json()
    with translation.override("zh-hans"):
        loaded = PlanData.from_json(snapshot)
        goals = loaded.section("goals")
        assert str(goals.title) == "年度目标设定"
        kpis = goals.table("kpis")
        assert str(kpis.column("annual_target").label) == "年度目标值"
    # A key that no longer exists keeps the label written in the snapshot.
    snapshot["sections"][0]["tables"][0]["columns"].append(
        {"key": "gone", "label": "Gone column", "kind": "text"}
    )
    loaded = PlanData.from_json(snapshot)
    assert str(loaded.sections[0].tables[0].column("gone").label) == "Gone column"


def test_values_are_json_scalars():
    from datetime import date

    assert to_value(Decimal("12.500000")) == "12.5"
    assert to_value(Decimal("12.5"), "money") == "12.50"
    assert to_value(Decimal("0E-6")) == "0"
    assert to_value(date(2027, 2, 1)) == "2027-02-01"
    assert to_value(["a", "b"]) == "a, b"
    assert to_value({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
    assert to_value(None) is None and to_value(True) is True
    assert to_value({}) == "" and to_value([]) == ""
