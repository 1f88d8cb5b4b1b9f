"""Reads of plan versions, diffs and scenarios, shared by the pages and the API.

Bounded queries: a comparison reads the two sides (a version row or ``collect``),
then one history query per table that has changed rows, to say who last changed
each row and when.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from planner import plan_data
from planner.models import Plan, PlanVersion, VersionKind
from planner.plan_diff import PlanDiff, RowDiff, diff, side_by_side
from planner.versions.display import decorate, display

NOW = "now"


def versions_of(plan: Plan) -> QuerySet[PlanVersion]:
    """The plan's versions, newest first, without their (large) content."""
    return (
        PlanVersion.objects.filter(plan=plan)
        .select_related("created_by")
        .defer("data")
        .order_by("-number")
    )


def baseline_of(plan: Plan) -> PlanVersion | None:
    """The latest approved version: what later edits are compared with."""
    return (
        PlanVersion.objects.filter(plan=plan, kind=VersionKind.BASELINE)
        .select_related("created_by")
        .order_by("-number")
        .first()
    )


def version_of(plan: Plan, number: int) -> PlanVersion:
    found = (
        PlanVersion.objects.filter(plan=plan, number=number).select_related("created_by").first()
    )
    if found is None:
        raise Http404(_("Not found."))
    return found


@dataclass
class Side:
    """One side of a comparison: a version, or the plan now."""

    ref: str  # "3" or "now"
    version: PlanVersion | None
    data: dict[str, Any]
    at: datetime

    @property
    def is_now(self) -> bool:
        return self.version is None

    @property
    def who(self) -> str | None:
        user = self.version.created_by if self.version else None
        return user.get_username() if user else None


def parse_ref(raw: str | None, *, field: str) -> str:
    """A side of a comparison: a version number or ``now``; ``ValueError`` otherwise."""
    text = (raw or "").strip().lower()
    if text == NOW or (text.isdigit() and int(text) >= 1):
        return text
    raise ValueError(field)


def side(plan: Plan, ref: str) -> Side:
    if ref == NOW:
        data = plan_data.collect(plan).to_json(pks=True)
        return Side(NOW, None, data, timezone.now())
    version = version_of(plan, int(ref))
    return Side(ref, version, version.data, version.created_at)


def _localised(data: dict[str, Any]) -> dict[str, Any]:
    """The snapshot with its titles and labels in the active language."""
    return plan_data.PlanData.from_json(data).to_json(pks=True)


@dataclass
class Comparison:
    plan: Plan
    old: Side
    new: Side
    diff: PlanDiff


def compare(plan: Plan, old_ref: str, new_ref: str) -> Comparison:
    """The readable diff from ``old_ref`` to ``new_ref`` (version numbers or ``now``), with
    who last changed each row and when (from the change history between the two sides)."""
    old, new = side(plan, old_ref), side(plan, new_ref)
    result = diff(_localised(old.data), _localised(new.data))
    _attach_history(result, old, new)
    decorate(result, plan.currency)
    return Comparison(plan, old, new, result)


def _row_pks(data: dict[str, Any]) -> dict[tuple[str, str, str], int]:
    return {
        (s["key"], t["key"], r["key"]): r["pk"]
        for s in data.get("sections", [])
        for t in s.get("tables", [])
        for r in t.get("rows", [])
        if r.get("pk") is not None
    }


def _attach_history(result: PlanDiff, old: Side, new: Side) -> None:
    """Fill ``who``/``when`` of every changed row from django-simple-history: the last
    change to that row between the two sides. One query per table with changes."""
    if result.is_empty:
        return
    old_pks, new_pks = _row_pks(old.data), _row_pks(new.data)
    since, until = sorted((old.at, new.at))
    wanted: dict[tuple[str, str], dict[int, list[RowDiff]]] = defaultdict(dict)
    for skey, tkey, row in result.rows():
        pks = old_pks if row.change == "removed" else new_pks
        pk = pks.get((skey, tkey, row.key))
        if pk is not None:
            wanted[(skey, tkey)].setdefault(pk, []).append(row)
    for (skey, tkey), rows_by_pk in wanted.items():
        spec = plan_data.spec(skey, tkey)
        if spec is None:
            continue
        model: Any = spec.model_class()
        if not hasattr(model, "history"):
            continue
        entries = (
            model.history.filter(
                Q(history_date__gt=since) & Q(history_date__lte=until),
                id__in=list(rows_by_pk),
            )
            .order_by("-history_date")
            .values_list("id", "history_date", "history_user__username")
        )
        seen: set[int] = set()
        for pk, when, who in entries:
            if pk in seen:
                continue
            seen.add(pk)
            for row in rows_by_pk[pk]:
                row.who = who
                row.when = when.isoformat()
                row.when_at = when


@dataclass
class SectionCount:
    key: str
    title: str
    count: int


@dataclass
class BaselineSummary:
    baseline: PlanVersion
    total: int
    sections: list[SectionCount]


def changes_since_baseline(plan: Plan) -> BaselineSummary | None:
    """How many rows changed per section since the baseline, or None without a baseline."""
    baseline = baseline_of(plan)
    if baseline is None:
        return None
    now = plan_data.collect(plan).to_json()
    result = diff(_localised(baseline.data), _localised(now))
    sections = [SectionCount(s.key, s.title, s.count) for s in result.sections]
    return BaselineSummary(baseline, result.count, sections)


# --- scenarios ---------------------------------------------------------------------


def related_scenarios(plan: Plan) -> list[Plan]:
    """The plan it was copied from (first) and the scenarios copied from it."""
    family = Plan.objects.filter(
        Q(scenario_of=plan) | Q(pk=plan.scenario_of_id or 0), workspace_id=plan.workspace_id
    ).order_by("name")
    parent = [p for p in family if p.pk == plan.scenario_of_id]
    return parent + [p for p in family if p.pk != plan.scenario_of_id]


def workspace_plans(plan: Plan) -> QuerySet[Plan]:
    """The other plans of the plan's workspace: what it can be compared with."""
    return Plan.objects.filter(workspace_id=plan.workspace_id).exclude(pk=plan.pk)


GROUP_TITLES = {
    "targets": lambda: _("Targets"),
    "budget": lambda: _("Budget"),
    "roi": lambda: _("ROI"),
}


def scenario_comparison(plan: Plan, other: Plan) -> list[dict[str, Any]]:
    """Targets, budget and ROI of two plans side by side with the difference (other − plan)."""
    groups = side_by_side(plan_data.collect(plan).to_json(), plan_data.collect(other).to_json())
    for group in groups:
        group["title"] = GROUP_TITLES[group["key"]]()
        for row in group["rows"]:
            if row.get("label_key"):
                row["label"] = ROW_LABELS[row["label_key"]]()
            for key, currency in (("a", plan.currency), ("b", other.currency)):
                row[f"{key}_text"] = display(row[key], row["kind"], currency)
            row["delta_text"] = display(row["delta"], row["kind"], plan.currency)
    return groups


ROW_LABELS = {
    "total": lambda: _("Total budget"),
    "reserve_pct": lambda: _("Reserve fund (percent of total)"),
    "reserve_balance": lambda: _("Reserve balance"),
    "allocated": lambda: _("Allocated to lines"),
    "unallocated": lambda: _("Unallocated"),
    "roi_floor": lambda: _("ROI floor"),
    "expected_roi": lambda: _("Expected ROI of approved requests"),
}
