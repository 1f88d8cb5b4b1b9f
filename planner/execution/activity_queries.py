"""Reads of the key activities (with their clashes, from ``planner.timeline``) and of the
rapid-response pools, shared by pages and API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from planner import timeline
from planner.execution.activity_models import Activity, PoolActivation, ResponsePool
from planner.execution.activity_services import schedule, used
from planner.execution.models import Milestone
from planner.models import Plan


def activities(plan: Plan) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(plan=plan)
        .select_related("owner", "campaign")
        .prefetch_related("departments", "suppliers", "depends_on")
    )


@dataclass
class Clash:
    kind: str  # "double_booking", "dependency" or "cycle"
    activities: list[Activity]
    department: Any = None
    start: date | None = None
    end: date | None = None


@dataclass
class Schedule:
    items: list[Activity]
    clashes: timeline.Clashes
    by_id: dict[Any, Activity] = field(default_factory=dict)

    def listed(self) -> list[Clash]:
        """Every clash with the activities and department it names."""
        departments: dict[Any, Any] = {d.pk: d for a in self.items for d in a.departments.all()}
        found = [
            Clash(
                "double_booking",
                [self.by_id[c.first], self.by_id[c.second]],
                departments.get(c.department),
                c.overlap_start,
                c.overlap_end,
            )
            for c in self.clashes.double_bookings
        ]
        found += [
            Clash(
                "dependency",
                [self.by_id[c.predecessor], self.by_id[c.successor]],
                None,
                c.successor_start,
                c.predecessor_end,
            )
            for c in self.clashes.broken_dependencies
        ]
        found += [Clash("cycle", [self.by_id[k] for k in cycle]) for cycle in self.clashes.cycles]
        return found

    def of(self, activity: Activity) -> list[dict[str, Any]]:
        """The clashes naming one activity, as data (API)."""
        result: list[dict[str, Any]] = []
        for c in self.clashes.double_bookings:
            if activity.pk in (c.first, c.second):
                other = c.second if c.first == activity.pk else c.first
                result.append(
                    {
                        "kind": "double_booking",
                        "department": c.department,
                        "with": other,
                        "start": c.overlap_start,
                        "end": c.overlap_end,
                    }
                )
        for b in self.clashes.broken_dependencies:
            if activity.pk in (b.predecessor, b.successor):
                other = b.successor if b.predecessor == activity.pk else b.predecessor
                result.append(
                    {
                        "kind": "broken_dependency",
                        "department": None,
                        "with": other,
                        "start": b.successor_start,
                        "end": b.predecessor_end,
                    }
                )
        return result


def schedule_of(plan: Plan) -> Schedule:
    items = list(activities(plan))
    clashes = timeline.find_clashes(schedule(plan, items))
    return Schedule(items, clashes, {a.pk: a for a in items})


@dataclass(frozen=True)
class Bar:
    activity: Activity
    column: int  # first day column (1-based, within the plan's year)
    span: int
    clashing: bool
    after: list[Activity]
    left: str  # CSS percentages of the year
    width: str


@dataclass(frozen=True)
class Gantt:
    bars: list[Bar]
    months: list[tuple[str, str, date]]  # (left, width, first day)
    markers: list[tuple[str, Milestone]]
    days: int


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.3f}%"


def gantt(plan: Plan, found: Schedule) -> Gantt:
    """A day grid of the plan's year: one bar per activity (clipped to the year), the
    months as columns and the milestones' due dates as markers."""
    first, last = date(plan.year, 1, 1), date(plan.year, 12, 31)
    days = (last - first).days + 1
    bars = []
    for activity in found.items:
        start, end = max(activity.start, first), min(activity.end, last)
        if end < first or start > last:
            continue
        bars.append(
            Bar(
                activity,
                (start - first).days + 1,
                (end - start).days + 1,
                found.clashes.involving(activity.pk) > 0,
                list(activity.depends_on.all()),
                _pct((start - first).days, days),
                _pct((end - start).days + 1, days),
            )
        )
    months = []
    for month in range(1, 13):
        begin = date(plan.year, month, 1)
        nxt = date(plan.year + 1, 1, 1) if month == 12 else date(plan.year, month + 1, 1)
        months.append((_pct((begin - first).days, days), _pct((nxt - begin).days, days), begin))
    markers = [
        (_pct((m.due - first).days, days), m)
        for m in Milestone.objects.filter(plan=plan, due__year=plan.year).order_by("due", "id")
    ]
    return Gantt(bars, months, markers, days)


# --- pools -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolRow:
    pool: ResponsePool
    used_amount: Decimal
    used_people: int

    @property
    def left_amount(self) -> Decimal:
        return self.pool.amount - self.used_amount

    @property
    def left_people(self) -> int:
        return self.pool.headcount - self.used_people


def pools(plan: Plan) -> QuerySet[ResponsePool]:
    return ResponsePool.objects.filter(plan=plan).prefetch_related("authorisers")


def pool_rows(plan: Plan) -> list[PoolRow]:
    return [PoolRow(p, *used(p)) for p in pools(plan)]


def activations(plan: Plan) -> QuerySet[PoolActivation]:
    return PoolActivation.objects.filter(pool__plan=plan).select_related(
        "pool", "risk", "authorised_by", "draw__line__channel"
    )
