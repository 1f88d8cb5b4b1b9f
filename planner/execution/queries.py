"""Reads of the execution section shared by pages and API.

A milestone's status is derived from its linked KPIs (``planner.progress``): the KPI
attainment of the plan is computed once per request (:class:`Derivation`) and every
milestone reads its KPIs' figures from it, however many milestones a page lists.

For a milestone of quarter *q*, a KPI's *pace* is its attainment in *q* so far (actual ÷
target of the months of *q* with data, by the KPI's rule and direction), so a strong
quarter does not hide a weak one; its *completion* is that attainment times the share
of *q* elapsed (for a summed KPI: actual so far ÷ the whole quarter's target).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from kpis.queries import KpiAttainment, attainment, kpi_tree
from kpis.services import policy_for
from planner import progress
from planner.execution.models import (
    Drill,
    EscalationStep,
    Milestone,
    MilestoneStatus,
    Playbook,
    Risk,
    RiskStatus,
)
from planner.models import Plan

LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class KpiFigures:
    """What a milestone reads of one linked KPI."""

    pace: float | None  # attainment of the milestone's quarter to date (actual ÷ target so far)
    completion: float | None  # quarter-to-date actual ÷ the whole quarter's target


@dataclass
class MilestoneRow:
    milestone: Milestone
    derived: progress.Derived
    kpis: list[tuple[Any, KpiFigures]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.milestone.override_status or str(self.derived.status)

    @property
    def overridden(self) -> bool:
        return bool(self.milestone.override_status)

    @property
    def status_label(self) -> str:
        return str(MilestoneStatus(self.status).label)

    @property
    def derived_label(self) -> str:
        return str(MilestoneStatus(str(self.derived.status)).label)

    @property
    def percent(self) -> int:
        return round(self.derived.progress * 100)


class Derivation:
    """The KPI attainment of one plan, computed once, and the milestones' statuses from it."""

    def __init__(self, plan: Plan, *, today: date | None = None) -> None:
        self.plan = plan
        # One read of the KPIs with their actuals serves both the last month with data
        # and the attainment (no separate MAX query, no second policy read).
        tree = kpi_tree(plan)
        self.through_month = max(
            (a.month for node in tree.nodes.values() for a in node.kpi.actuals.all()), default=0
        )
        policy = policy_for(plan)
        self.at_risk_below = float(policy.at_risk_below)
        self.off_track_below = float(policy.off_track_below)
        today = today or timezone.localdate()
        # "Now" for a plan: today, or the end of the last month with actuals when the
        # data runs ahead of the calendar (a plan for next year loaded with test data).
        if self.through_month:
            last_day = calendar.monthrange(plan.year, self.through_month)[1]
            today = max(today, date(plan.year, self.through_month, last_day))
        self.today = today
        # Per KPI id and quarter: (pace, completion) of that quarter.
        self.figures: dict[int, list[KpiFigures]] = {}
        # The plan's KPI attainment rows (kept for the dashboard, which shows them too).
        self.attainment: list[KpiAttainment] = []
        if self.through_month:
            self.attainment = attainment(
                plan, through_month=self.through_month, tree=tree, policy=policy
            )
            for row in self.attainment:
                self.figures[row.kpi.pk] = [
                    KpiFigures(_float(row.quarters[q - 1].ratio), self._completion(row, q))
                    for q in (1, 2, 3, 4)
                ]

    def _completion(self, row: Any, quarter: int) -> float | None:
        ratio = row.quarters[quarter - 1].ratio
        if ratio is None:
            return None
        elapsed = min(3, max(0, self.through_month - 3 * (quarter - 1)))
        # Quarter-to-date attainment scaled by the share of the quarter elapsed:
        # for a summed KPI with an even profile, actual so far ÷ the whole quarter's target.
        return float(ratio) * elapsed / 3

    def row(self, milestone: Milestone) -> MilestoneRow:
        linked = list(milestone.kpis.all())
        pace: list[float | None] = []
        completion: list[float | None] = []
        kpis = []
        for kpi in linked:
            quarters = self.figures.get(kpi.pk)
            figures = quarters[milestone.quarter - 1] if quarters else KpiFigures(None, None)
            pace.append(figures.pace)
            completion.append(figures.completion)
            kpis.append((kpi, figures))
        derived = progress.derive(
            today=self.today,
            start=milestone.start,
            due=milestone.due,
            pace=pace,
            completion=completion,
            entered_progress=_float(milestone.entered_progress),
            at_risk_below=self.at_risk_below,
            off_track_below=self.off_track_below,
        )
        return MilestoneRow(milestone, derived, kpis)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def milestones(plan: Plan, quarter: int | None = None) -> QuerySet[Milestone]:
    found = (
        Milestone.objects.filter(plan=plan)
        .select_related("owner", "override_by")
        .prefetch_related("kpis")
    )
    if quarter:
        found = found.filter(quarter=quarter)
    return found


def milestone_rows(
    plan: Plan, quarter: int | None = None, *, today: date | None = None
) -> list[MilestoneRow]:
    items = list(milestones(plan, quarter))
    if not items:
        return []
    derivation = Derivation(plan, today=today)
    return [derivation.row(m) for m in items]


def rows_for(items: Iterable[Milestone]) -> dict[int, MilestoneRow]:
    """Derived rows of milestones of any plans, one attainment computation per plan."""
    by_plan: dict[int, Derivation] = {}
    rows = {}
    for milestone in items:
        derivation = by_plan.get(milestone.plan_id)
        if derivation is None:
            derivation = by_plan[milestone.plan_id] = Derivation(milestone.plan)
        rows[milestone.pk] = derivation.row(milestone)
    return rows


def by_quarter(rows: list[MilestoneRow]) -> list[tuple[int, list[MilestoneRow], dict[str, int]]]:
    """(quarter, its rows, count per status) for Q1–Q4."""
    result = []
    for quarter in (1, 2, 3, 4):
        in_quarter = [r for r in rows if r.milestone.quarter == quarter]
        counts: dict[str, int] = {}
        for r in in_quarter:
            counts[r.status] = counts.get(r.status, 0) + 1
        result.append((quarter, in_quarter, counts))
    return result


# --- risks -----------------------------------------------------------------------------------


def risks(plan: Plan) -> QuerySet[Risk]:
    return Risk.objects.filter(plan=plan).select_related("owner", "playbook")


def band(impact: int, likelihood: int) -> str:
    """The colour band of a heat-map cell: low, medium, high or critical."""
    score = impact * likelihood
    if score >= 15:
        return "critical"
    if score >= 8:
        return "high"
    if score >= 4:
        return "medium"
    return "low"


@dataclass(frozen=True)
class HeatCell:
    impact: int
    likelihood: int
    count: int
    band: str


def heat_map(plan: Plan) -> list[list[HeatCell]]:
    """Rows of impact 5 → 1, columns of likelihood 1 → 5: how many risks not closed."""
    counts = {
        (row["impact"], row["likelihood"]): row["n"]
        for row in Risk.objects.filter(plan=plan)
        .exclude(status=RiskStatus.CLOSED)
        .values("impact", "likelihood")
        .annotate(n=Count("id"))
    }
    return [
        [HeatCell(i, lk, counts.get((i, lk), 0), band(i, lk)) for lk in LEVELS]
        for i in reversed(LEVELS)
    ]


# --- playbooks -------------------------------------------------------------------------------


def playbooks(plan: Plan) -> QuerySet[Playbook]:
    return (
        Playbook.objects.filter(plan=plan)
        .prefetch_related(
            Prefetch("steps", queryset=EscalationStep.objects.order_by("order")),
            Prefetch("drills", queryset=Drill.objects.select_related("recorded_by")),
            "risks",
            "alert_rules",
        )
        .order_by("title", "id")
    )
