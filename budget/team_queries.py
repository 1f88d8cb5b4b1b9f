"""Reads of cross-department collaboration shared by the pages and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from budget.collaboration import RACI_LETTERS, due_at, is_overdue, raci_load
from budget.models.teams import (
    ArbitrationStep,
    CollaborationScore,
    CommunicationRule,
    Conflict,
    ConflictStatus,
    CoordinatorGroup,
    Department,
    RaciAssignment,
    RuleKind,
    Workstream,
)
from planner.models import Plan

QUARTERS = (1, 2, 3, 4)


def departments(plan: Plan) -> QuerySet[Department]:
    return Department.objects.filter(workspace_id=plan.workspace_id).select_related("lead")


def workstreams(plan: Plan) -> QuerySet[Workstream]:
    return (
        Workstream.objects.filter(plan=plan)
        .select_related("campaign", "channel")
        .prefetch_related(
            Prefetch("cells", queryset=RaciAssignment.objects.select_related("department"))
        )
    )


@dataclass
class MatrixRow:
    workstream: Workstream
    cells: list[tuple[Department, str]]  # one per department column, "" for no role
    accountable: Department | None


@dataclass
class Matrix:
    departments: list[Department]
    rows: list[MatrixRow]
    load: dict[int, dict[str, int]]  # department id → {"R": n, "A": n, "C": n, "I": n}


def matrix_row(stream: Workstream, columns: list[Department]) -> MatrixRow:
    letters = {cell.department_id: cell.role for cell in stream.cells.all()}
    accountable = next((c.department for c in stream.cells.all() if c.role == "A"), None)
    return MatrixRow(stream, [(d, letters.get(d.pk, "")) for d in columns], accountable)


def matrix(plan: Plan) -> Matrix:
    columns = list(departments(plan))
    streams = list(workstreams(plan))
    cells = [(cell.department_id, cell.role) for s in streams for cell in s.cells.all()]
    load = raci_load(cells)
    return Matrix(
        columns,
        [matrix_row(s, columns) for s in streams],
        {d.pk: load.get(d.pk, dict.fromkeys(RACI_LETTERS, 0)) for d in columns},
    )


def rules(plan: Plan) -> dict[str, list[CommunicationRule]]:
    grouped: dict[str, list[CommunicationRule]] = {kind: [] for kind in RuleKind.values}
    for rule in (
        CommunicationRule.objects.filter(plan=plan)
        .select_related("owner")
        .prefetch_related("participants")
    ):
        grouped[rule.kind].append(rule)
    return grouped


@dataclass
class ConflictRow:
    conflict: Conflict
    due: datetime | None
    overdue: bool
    last_step: bool


@dataclass
class ConflictPath:
    group: CoordinatorGroup | None
    steps: list[ArbitrationStep]
    open: list[ConflictRow] = field(default_factory=list)
    resolved: list[ConflictRow] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.open if row.overdue)


def conflict_rows(conflicts: QuerySet[Conflict], now: datetime | None = None) -> list[ConflictRow]:
    now = now or timezone.now()
    rows = []
    top: dict[int, int] = {}
    for conflict in conflicts:
        if conflict.plan_id not in top:
            top[conflict.plan_id] = max(
                ArbitrationStep.objects.filter(plan_id=conflict.plan_id).values_list(
                    "level", flat=True
                ),
                default=0,
            )
        is_open = conflict.status == ConflictStatus.OPEN
        rows.append(
            ConflictRow(
                conflict,
                due_at(conflict.step_since, conflict.step.sla_hours) if is_open else None,
                is_open and is_overdue(conflict.step_since, conflict.step.sla_hours, now),
                conflict.step.level >= top[conflict.plan_id],
            )
        )
    return rows


def conflicts(plan: Plan) -> QuerySet[Conflict]:
    return (
        Conflict.objects.filter(plan=plan)
        .select_related("step", "raised_by", "resolved_by")
        .prefetch_related("departments")
    )


def conflict_path(plan: Plan, now: datetime | None = None) -> ConflictPath:
    group = (
        CoordinatorGroup.objects.filter(plan=plan)
        .select_related("chair")
        .prefetch_related("departments")
        .first()
    )
    path = ConflictPath(group, list(ArbitrationStep.objects.filter(plan=plan)))
    for row in conflict_rows(conflicts(plan), now):
        (path.open if row.conflict.status == ConflictStatus.OPEN else path.resolved).append(row)
    return path


@dataclass
class ScoreRow:
    department: Department
    by_quarter: list[tuple[int, CollaborationScore | None]]

    @property
    def latest(self) -> CollaborationScore | None:
        given = [s for _q, s in self.by_quarter if s is not None]
        return given[-1] if given else None


def score_table(plan: Plan) -> list[ScoreRow]:
    scores: dict[tuple[int, int], CollaborationScore] = {
        (s.department_id, s.quarter): s for s in CollaborationScore.objects.filter(plan=plan)
    }
    return [ScoreRow(d, [(q, scores.get((d.pk, q))) for q in QUARTERS]) for d in departments(plan)]


@dataclass
class Review:
    department: Department
    scores: list[CollaborationScore]
    average: Decimal | None
    load: dict[str, int]
    roles: list[tuple[Workstream, str]]
    conflicts: list[ConflictRow]


def review(plan: Plan, department: Department, now: datetime | None = None) -> Review:
    """What the department's quarterly review shows: its scores, its RACI load and its
    conflicts in this plan."""
    scores = list(
        CollaborationScore.objects.filter(plan=plan, department=department).select_related(
            "scored_by"
        )
    )
    average = (
        (sum((s.score for s in scores), Decimal(0)) / len(scores)).quantize(Decimal("0.1"))
        if scores
        else None
    )
    cells = list(
        RaciAssignment.objects.filter(workstream__plan=plan, department=department)
        .select_related("workstream")
        .order_by("workstream__sort_order", "workstream__name")
    )
    load: dict[str, Any] = dict.fromkeys(RACI_LETTERS, 0)
    for cell in cells:
        load[cell.role] += 1
    return Review(
        department,
        scores,
        average,
        load,
        [(cell.workstream, cell.role) for cell in cells],
        conflict_rows(conflicts(plan).filter(departments=department), now),
    )
