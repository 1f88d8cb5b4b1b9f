"""What changed between two snapshots of a plan: pure, no Django.

Both sides are ``planner.plan_data.PlanData.to_json()`` dicts. Rows are matched by
their natural key inside the same section and table; the result is grouped by
section → table → row, each row *added*, *removed* or *changed* (the changed cells,
old → new). Only columns both sides know are compared, so a column that appeared
in a newer version of the code does not mark every row as changed.

Swapping the two sides swaps added and removed and every cell's old and new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

Change = Literal["added", "removed", "changed"]
CENT = Decimal("0.01")


@dataclass
class Cell:
    column: str
    label: str
    kind: str
    old: Any
    new: Any
    old_text: str | None = None  # the values as a reader sees them, filled in by the caller
    new_text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "label": self.label,
            "kind": self.kind,
            "old": self.old,
            "new": self.new,
            "old_text": self.old_text,
            "new_text": self.new_text,
        }


@dataclass
class RowDiff:
    key: str
    label: str
    change: Change
    cells: list[Cell]
    who: str | None = None  # filled in by the caller from the change history
    when: str | None = None  # ISO date and time
    when_at: Any = None  # the same as the caller's datetime, for display

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "change": self.change,
            "cells": [c.to_dict() for c in self.cells],
            "who": self.who,
            "when": self.when,
        }


@dataclass
class TableDiff:
    key: str
    title: str
    rows: list[RowDiff] = field(default_factory=list)

    def count(self, change: Change | None = None) -> int:
        return sum(1 for r in self.rows if change is None or r.change == change)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "added": self.count("added"),
            "removed": self.count("removed"),
            "changed": self.count("changed"),
            "rows": [r.to_dict() for r in self.rows],
        }


@dataclass
class SectionDiff:
    key: str
    title: str
    tables: list[TableDiff] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(t.count() for t in self.tables)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "count": self.count,
            "tables": [t.to_dict() for t in self.tables],
        }


@dataclass
class PlanDiff:
    sections: list[SectionDiff] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def is_empty(self) -> bool:
        return self.count == 0

    def rows(self) -> list[tuple[str, str, RowDiff]]:
        """Every row change as (section key, table key, row)."""
        return [(s.key, t.key, r) for s in self.sections for t in s.tables for r in t.rows]

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "sections": [s.to_dict() for s in self.sections]}


def _by_key(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in items}


def _ordered_keys(new: list[dict[str, Any]], old: list[dict[str, Any]]) -> list[str]:
    """The keys of ``new`` in order, then the keys only ``old`` has, in their order."""
    keys = [item["key"] for item in new]
    seen = set(keys)
    keys += [item["key"] for item in old if item["key"] not in seen]
    return keys


def _columns(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _by_key(table.get("columns", []))


# A row that states its unit (a KPI: "percent", "money", "ratio", "count"), in a column
# or (a KPI's breakdown by quarter and month) beside its values, shows its numbers in
# it: a conversion-rate target 0.015 reads 1.5 %, not 0.015.
UNIT_KINDS = {"percent": "percent", "money": "money", "ratio": "ratio"}


def _kind(column: dict[str, Any], *rows: dict[str, Any] | None) -> str:
    kind = str(column.get("kind", "text"))
    if kind != "number":
        return kind
    units = [row.get("unit") or row["values"].get("unit") for row in rows if row is not None]
    return next((UNIT_KINDS[u] for u in units if u in UNIT_KINDS), kind)


def _filled_cells(row: dict[str, Any], columns: dict[str, dict[str, Any]], side: str) -> list[Cell]:
    cells = []
    for key, column in columns.items():
        value = row["values"].get(key)
        if value is None or value == "":
            continue
        old, new = (value, None) if side == "old" else (None, value)
        cells.append(Cell(key, column.get("label", key), _kind(column, row), old, new))
    return cells


def diff_table(old: dict[str, Any] | None, new: dict[str, Any] | None) -> TableDiff:
    """The row changes of one table (either side may be missing: all added or all removed)."""
    old = old or {"key": new["key"] if new else "", "columns": [], "rows": []}
    new = new or {"key": old["key"], "columns": [], "rows": []}
    result = TableDiff(new["key"], str(new.get("title") or old.get("title") or new["key"]))
    old_cols, new_cols = _columns(old), _columns(new)
    shared = {k: c for k, c in new_cols.items() if k in old_cols}
    old_rows, new_rows = _by_key(old.get("rows", [])), _by_key(new.get("rows", []))
    for key in _ordered_keys(new.get("rows", []), old.get("rows", [])):
        before, after = old_rows.get(key), new_rows.get(key)
        if before is None and after is not None:
            cells = _filled_cells(after, new_cols, "new")
            result.rows.append(RowDiff(key, str(after.get("label", key)), "added", cells))
        elif after is None and before is not None:
            cells = _filled_cells(before, old_cols, "old")
            result.rows.append(RowDiff(key, str(before.get("label", key)), "removed", cells))
        elif before is not None and after is not None:
            cells = [
                Cell(k, c.get("label", k), _kind(c, after, before), before["values"].get(k), v)
                for k, c in shared.items()
                if (v := after["values"].get(k)) != before["values"].get(k)
            ]
            if cells:
                label = str(after.get("label", key))
                result.rows.append(RowDiff(key, label, "changed", cells))
    return result


def diff(old: dict[str, Any], new: dict[str, Any]) -> PlanDiff:
    """What changed from ``old`` to ``new`` (two ``PlanData.to_json()`` dicts).

    Sections and tables without changes are left out.
    """
    result = PlanDiff()
    old_sections = _by_key(old.get("sections", []))
    new_sections = _by_key(new.get("sections", []))
    for skey in _ordered_keys(new.get("sections", []), old.get("sections", [])):
        before = old_sections.get(skey, {"key": skey, "tables": []})
        after = new_sections.get(skey, {"key": skey, "tables": []})
        title = str(after.get("title") or before.get("title") or skey)
        section = SectionDiff(skey, title)
        old_tables, new_tables = _by_key(before["tables"]), _by_key(after["tables"])
        for tkey in _ordered_keys(after["tables"], before["tables"]):
            table = diff_table(old_tables.get(tkey), new_tables.get(tkey))
            if table.rows:
                section.tables.append(table)
        if section.tables:
            result.sections.append(section)
    return result


# --- scenarios side by side ----------------------------------------------------------


def _table_rows(data: dict[str, Any], section: str, table: str) -> list[dict[str, Any]]:
    for s in data.get("sections", []):
        if s["key"] == section:
            for t in s.get("tables", []):
                if t["key"] == table:
                    return list(t.get("rows", []))
    return []


def _number(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _text(value: Decimal | None, kind: str) -> str | None:
    if value is None:
        return None
    if kind == "money":
        return f"{value.quantize(CENT):f}"
    if kind == "percent":
        return f"{value.quantize(Decimal('0.0001')):f}"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _compare_row(
    key: str, kind: str, a: Any, b: Any, *, label: str = "", label_key: str = ""
) -> dict[str, Any]:
    na, nb = _number(a), _number(b)
    delta = nb - na if na is not None and nb is not None else None
    return {
        "key": key,
        "label": label,
        "label_key": label_key,
        "kind": kind,
        "a": _text(na, kind),
        "b": _text(nb, kind),
        "delta": _text(delta, kind),
    }


def _by_channel(rows: list[dict[str, Any]], field_name: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in rows:
        channel = row["values"].get("channel")
        amount = _number(row["values"].get(field_name))
        if channel and amount is not None:
            totals[channel] = totals.get(channel, Decimal(0)) + amount
    return totals


def _expected_roi(requests: list[dict[str, Any]]) -> tuple[dict[str, Decimal], Decimal | None]:
    """Expected ROI of approved budget requests per channel and overall:
    (Σ expected revenue − Σ amount) / Σ amount."""
    cost, revenue = _by_channel(requests, "amount"), _by_channel(requests, "expected_revenue")
    per_channel = {
        code: (revenue.get(code, Decimal(0)) - amount) / amount
        for code, amount in cost.items()
        if amount > 0
    }
    total_cost = sum(cost.values(), Decimal(0))
    overall = (sum(revenue.values(), Decimal(0)) - total_cost) / total_cost if total_cost else None
    return per_channel, overall


def side_by_side(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Two plans' targets, budget and ROI next to each other, with the difference b − a.

    Targets: each KPI's annual target (matched by code). Budget: the total, reserve and
    balances, and the planned amount per channel (Σ of its budget lines). ROI: the ROI
    floor of the ROI definition and the expected ROI of the approved budget requests
    (their cost-benefit sheets), per channel and overall. Rows with ``label_key`` get
    their label from the caller (translated); the others carry the plan's own names.
    """
    groups: list[dict[str, Any]] = []

    kpis_a = {r["key"]: r for r in _table_rows(a, "goals", "kpis")}
    kpis_b = {r["key"]: r for r in _table_rows(b, "goals", "kpis")}
    targets = []
    for code in list(kpis_a) + [c for c in kpis_b if c not in kpis_a]:
        ra, rb = kpis_a.get(code), kpis_b.get(code)
        label = str((rb or ra or {}).get("label", code))
        targets.append(
            _compare_row(
                code,
                _kind({"kind": "number"}, rb, ra),
                ra["values"].get("annual_target") if ra else None,
                rb["values"].get("annual_target") if rb else None,
                label=label,
            )
        )
    groups.append({"key": "targets", "rows": targets})

    budget_a = (_table_rows(a, "budget", "budget") or [{"values": {}}])[0]["values"]
    budget_b = (_table_rows(b, "budget", "budget") or [{"values": {}}])[0]["values"]
    budget = [
        _compare_row(key, kind, budget_a.get(key), budget_b.get(key), label_key=key)
        for key, kind in (
            ("total", "money"),
            ("reserve_pct", "number"),
            ("reserve_balance", "money"),
            ("allocated", "money"),
            ("unallocated", "money"),
        )
    ]
    names = {
        r["key"]: str(r.get("label", r["key"]))
        for r in _table_rows(a, "channels", "channels") + _table_rows(b, "channels", "channels")
    }
    lines_a = _by_channel(_table_rows(a, "budget", "budget_lines"), "planned")
    lines_b = _by_channel(_table_rows(b, "budget", "budget_lines"), "planned")
    for code in list(lines_a) + [c for c in lines_b if c not in lines_a]:
        budget.append(
            _compare_row(
                f"channel:{code}",
                "money",
                lines_a.get(code, Decimal(0)),
                lines_b.get(code, Decimal(0)),
                label=names.get(code, code),
            )
        )
    groups.append({"key": "budget", "rows": budget})

    roi_a = (_table_rows(a, "monitoring", "roi_definition") or [{"values": {}}])[0]["values"]
    roi_b = (_table_rows(b, "monitoring", "roi_definition") or [{"values": {}}])[0]["values"]
    per_a, all_a = _expected_roi(_table_rows(a, "budget", "approved_requests"))
    per_b, all_b = _expected_roi(_table_rows(b, "budget", "approved_requests"))
    roi = [
        _compare_row(
            "roi_floor",
            "percent",
            roi_a.get("roi_floor"),
            roi_b.get("roi_floor"),
            label_key="roi_floor",
        ),
        _compare_row("expected_roi", "percent", all_a, all_b, label_key="expected_roi"),
    ]
    for code in list(per_a) + [c for c in per_b if c not in per_a]:
        roi.append(
            _compare_row(
                f"channel:{code}",
                "percent",
                per_a.get(code),
                per_b.get(code),
                label=names.get(code, code),
            )
        )
    groups.append({"key": "roi", "rows": roi})
    return groups
