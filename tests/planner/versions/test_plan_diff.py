"""The pure diff: grouped by section → table → row; symmetric; empty on itself."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.plan_diff import diff, side_by_side


def snapshot(rows: dict[str, dict[str, Any]], *, extra_table: bool = False) -> dict[str, Any]:
    tables = [
        {
            "key": "kpis",
            "title": "KPIs",
            "columns": [
                {"key": "name", "label": "Name", "kind": "text"},
                {"key": "annual_target", "label": "Annual target", "kind": "number"},
            ],
            "rows": [{"key": k, "label": v.get("name", k), "values": v} for k, v in rows.items()],
        }
    ]
    if extra_table:
        tables.append({"key": "empty", "title": "Empty", "columns": [], "rows": []})
    section = {"key": "goals", "title": "Goals", "tables": tables}
    return {"plan": {"name": "P"}, "sections": [section]}


def test_changed_added_and_removed_rows_grouped_by_section_and_table():
    old = snapshot(
        {
            "new_users": {"name": "New users", "annual_target": "2000000"},
            "gmv": {"name": "GMV", "annual_target": "5"},
        }
    )
    new = snapshot(
        {
            "new_users": {"name": "New users", "annual_target": "2500000"},
            "cvr": {"name": "Conversion", "annual_target": None},
        },
        extra_table=True,
    )
    result = diff(old, new)
    assert [s.key for s in result.sections] == ["goals"]
    assert [t.key for t in result.sections[0].tables] == ["kpis"]  # tables without changes left out
    rows = {r.key: r for r in result.sections[0].tables[0].rows}
    assert rows["new_users"].change == "changed"
    assert [(c.column, c.old, c.new) for c in rows["new_users"].cells] == [
        ("annual_target", "2000000", "2500000")
    ]
    assert rows["cvr"].change == "added"
    assert [(c.column, c.old, c.new) for c in rows["cvr"].cells] == [("name", None, "Conversion")]
    assert rows["gmv"].change == "removed"
    assert {c.column for c in rows["gmv"].cells} == {"name", "annual_target"}
    assert result.count == 3
    as_dict = result.to_dict()
    assert as_dict["sections"][0]["tables"][0]["changed"] == 1


def test_a_column_only_one_side_knows_is_not_a_change():
    old = snapshot({"x": {"name": "X", "annual_target": "1"}})
    new = copy.deepcopy(old)
    table = new["sections"][0]["tables"][0]
    table["columns"].append({"key": "owner", "label": "Owner", "kind": "text"})
    table["rows"][0]["values"]["owner"] = "chen"
    assert diff(old, new).is_empty


def test_a_whole_new_section_counts_as_added_rows():
    old = {"sections": []}
    new = snapshot({"x": {"name": "X", "annual_target": "1"}})
    result = diff(old, new)
    assert [r.change for _s, _t, r in result.rows()] == ["added"]
    assert diff(new, old).rows()[0][2].change == "removed"


values = st.one_of(st.none(), st.text(max_size=4), st.integers(-5, 5), st.booleans())
row_values = st.fixed_dictionaries({"name": values, "annual_target": values})
plans = st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]), row_values, max_size=5)


@settings(max_examples=150, deadline=None)
@given(plans)
def test_diff_of_a_plan_with_itself_is_empty(rows):
    a = snapshot(rows)
    assert diff(a, copy.deepcopy(a)).is_empty


@settings(max_examples=150, deadline=None)
@given(plans, plans)
def test_every_changed_cell_once_and_swapping_sides_swaps_everything(rows_a, rows_b):
    a, b = snapshot(rows_a), snapshot(rows_b)
    forward, backward = diff(a, b), diff(b, a)

    def changes(result):
        return {
            (s, t, r.key): (r.change, {(c.column, repr(c.old), repr(c.new)) for c in r.cells})
            for s, t, r in result.rows()
        }

    fwd, bwd = changes(forward), changes(backward)
    assert set(fwd) == set(bwd)
    swap = {"added": "removed", "removed": "added", "changed": "changed"}
    for key, (change, cells) in fwd.items():
        back_change, back_cells = bwd[key]
        assert back_change == swap[change]
        assert back_cells == {(col, new, old) for col, old, new in cells}
    # every cell that differs between two matched rows appears exactly once
    for key in set(rows_a) & set(rows_b):
        differing = {c for c in ("name", "annual_target") if rows_a[key][c] != rows_b[key][c]}
        found = [c.column for _s, _t, r in forward.rows() if r.key == key for c in r.cells]
        assert sorted(found) == sorted(differing)
    for key in set(rows_a) ^ set(rows_b):
        assert fwd[("goals", "kpis", key)][0] == ("removed" if key in rows_a else "added")


def _plan(targets: dict[str, str], total: str, lines: list[tuple[str, str]], requests):
    return {
        "sections": [
            {
                "key": "goals",
                "tables": [
                    {
                        "key": "kpis",
                        "rows": [
                            {"key": k, "label": k.upper(), "values": {"annual_target": v}}
                            for k, v in targets.items()
                        ],
                    }
                ],
            },
            {
                "key": "channels",
                "tables": [
                    {
                        "key": "channels",
                        "rows": [{"key": "douyin", "label": "Douyin", "values": {}}],
                    }
                ],
            },
            {
                "key": "budget",
                "tables": [
                    {"key": "budget", "rows": [{"key": "-", "values": {"total": total}}]},
                    {
                        "key": "budget_lines",
                        "rows": [
                            {"key": f"{c}:{i}", "values": {"channel": c, "planned": p}}
                            for i, (c, p) in enumerate(lines)
                        ],
                    },
                    {
                        "key": "approved_requests",
                        "rows": [
                            {
                                "key": str(i),
                                "values": {"channel": c, "amount": a, "expected_revenue": r},
                            }
                            for i, (c, a, r) in enumerate(requests)
                        ],
                    },
                ],
            },
        ]
    }


def test_side_by_side_targets_budget_and_roi_with_the_difference():
    a = _plan(
        {"new_users": "100"},
        "1000.00",
        [("douyin", "300.00"), ("douyin", "200.00")],
        [("douyin", "100.00", "250.00")],
    )
    b = _plan({"new_users": "150", "gmv": "9"}, "1200.00", [("douyin", "600.00")], [])
    groups = {g["key"]: {r["key"]: r for r in g["rows"]} for g in side_by_side(a, b)}
    assert groups["targets"]["new_users"] | {} == {
        "key": "new_users",
        "label": "NEW_USERS",
        "label_key": "",
        "kind": "number",
        "a": "100",
        "b": "150",
        "delta": "50",
    }
    assert groups["targets"]["gmv"]["a"] is None and groups["targets"]["gmv"]["delta"] is None
    assert groups["budget"]["total"]["delta"] == "200.00"
    assert groups["budget"]["channel:douyin"]["a"] == "500.00"
    assert groups["budget"]["channel:douyin"]["label"] == "Douyin"
    assert groups["roi"]["expected_roi"]["a"] == "1.5000"
    assert groups["roi"]["expected_roi"]["b"] is None


def test_a_unit_beside_the_values_counts_like_a_unit_column():
    # given a KPI breakdown row (no unit column: the row carries its KPI's unit)
    def breakdown(q1: str, unit: str | None) -> dict[str, Any]:
        row = {"key": "cvr", "label": "Conversion", "values": {"q1": q1}}
        table = {
            "key": "kpi_breakdown",
            "title": "Breakdown",
            "columns": [{"key": "q1", "label": "Q1", "kind": "number"}],
            "rows": [row | ({"unit": unit} if unit else {})],
        }
        return {"plan": {"name": "P"}, "sections": [{"key": "goals", "tables": [table]}]}

    # when its first quarter changes, in a snapshot with the unit and in an older one
    # without it
    (cell,) = diff(breakdown("0.01", "percent"), breakdown("0.02", "percent")).rows()[0][2].cells
    (older,) = diff(breakdown("0.01", None), breakdown("0.02", "percent")).rows()[0][2].cells
    (none,) = diff(breakdown("0.01", None), breakdown("0.02", None)).rows()[0][2].cells
    # then the numbers are percentages when either side says so
    assert (cell.kind, older.kind, none.kind) == ("percent", "percent", "number")


def test_numbers_of_a_row_with_a_unit_are_shown_in_it():
    old = snapshot(
        {
            "cvr": {"name": "Conversion", "unit": "percent", "annual_target": "0.015"},
            "gmv": {"name": "GMV", "unit": "money", "annual_target": "5000000"},
            "users": {"name": "Users", "unit": "count", "annual_target": "100"},
        }
    )
    new = snapshot(
        {
            "cvr": {"name": "Conversion", "unit": "percent", "annual_target": "0.02"},
            "gmv": {"name": "GMV", "unit": "money", "annual_target": "6000000"},
            "users": {"name": "Users", "unit": "count", "annual_target": "120"},
            "roas": {"name": "ROAS", "unit": "ratio", "annual_target": "3.5"},
        }
    )
    rows = {r.key: r for r in diff(old, new).sections[0].tables[0].rows}
    kinds = {key: {c.column: c.kind for c in row.cells} for key, row in rows.items()}
    assert kinds == {
        "cvr": {"annual_target": "percent"},
        "gmv": {"annual_target": "money"},
        "users": {"annual_target": "number"},
        "roas": {"name": "text", "annual_target": "ratio"},
    }
    targets = {r["key"]: r for r in side_by_side(old, new)[0]["rows"]}
    assert (targets["cvr"]["kind"], targets["cvr"]["delta"]) == ("percent", "0.0050")
    assert targets["users"]["kind"] == "number"
