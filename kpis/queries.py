"""Reads of the annual-goals section shared by pages, API, monitoring and jobs.

The KPI tree is evaluated here from the stored targets (a few dozen nodes; the
pure functions in kpis/formulas.py take microseconds), so every page and the
API show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from kpis import breakdown, formulas
from kpis.messages import rule_text, translate
from kpis.models import (
    PLACES,
    AttainmentPolicy,
    Direction,
    Kpi,
    KpiActual,
    Source,
    StrategicGoal,
)
from kpis.services import policy_for, specs_for
from planner.models import Plan

MONTHS = range(1, 13)


def plan_kpis(plan: Plan) -> list[Kpi]:
    """The plan's KPIs with objective, owner and actuals (3 queries)."""
    return list(
        Kpi.objects.filter(plan=plan)
        .select_related("objective", "owner")
        .prefetch_related(Prefetch("actuals", queryset=KpiActual.objects.order_by("month")))
        .order_by("objective__sort_order", "objective_id", "sort_order", "id")
    )


def kpis_queryset(plan_ids: QuerySet[Plan] | list[int]) -> QuerySet[Kpi]:
    return Kpi.objects.filter(plan_id__in=plan_ids).select_related("objective", "owner")


def _round(value: float | None, unit: str) -> Decimal | None:
    if value is None:
        return None
    return round(Decimal(str(value)), PLACES[unit])


@dataclass
class TreeNode:
    kpi: Kpi
    annual: Decimal | None
    months: list[Decimal | None]
    inputs: list[str]  # codes this KPI's formula names
    used_by: list[str] = field(default_factory=list)

    @property
    def goal(self) -> Decimal | None:
        """A formula KPI's committed goal (inputs: their target is the goal)."""
        return self.kpi.annual_target if self.kpi.is_formula else None

    @property
    def gap(self) -> Decimal | None:
        """Computed value minus goal: negative is short for "higher is better"."""
        if self.goal is None or self.annual is None:
            return None
        return round(self.annual - self.goal, self.kpi.places)

    @property
    def gap_ok(self) -> bool:
        gap = self.gap
        if gap is None:
            return True
        return gap >= 0 if self.kpi.direction == Direction.HIGHER else gap <= 0


@dataclass
class KpiTree:
    nodes: dict[str, TreeNode]
    # Display order as (code, depth, repeated): each root, then the inputs under
    # it; a KPI used in several places is expanded the first time only.
    outline: list[tuple[str, int, bool]]
    error: str = ""

    def annual_values(self) -> dict[str, float | None]:
        return {
            code: float(n.annual) if n.annual is not None else None
            for code, n in self.nodes.items()
        }


def _month_specs(kpis: list[Kpi], month: int) -> dict[str, formulas.NodeSpec]:
    specs = specs_for(kpis)
    for kpi in kpis:
        if not kpi.is_formula:
            value = Decimal(kpi.months[month - 1][0]) if len(kpi.months) == 12 else None
            specs[kpi.code] = formulas.NodeSpec(
                code=kpi.code,
                unit=cast(formulas.Unit, kpi.unit),
                value=float(value) if value is not None else None,
            )
    return specs


def _evaluate(specs: dict[str, formulas.NodeSpec]) -> tuple[dict[str, float | None], str]:
    try:
        return formulas.evaluate_tree(specs), ""
    except formulas.FormulaError as error:
        return dict.fromkeys(specs), translate(error)


def kpi_tree(plan: Plan, kpis: list[Kpi] | None = None) -> KpiTree:
    """Evaluate every KPI for the year and for each month.

    1. Annual: inputs carry their annual targets; formulas are evaluated on them.
    2. Monthly: inputs carry their month values; formulas are evaluated per month
       (revenue in June = orders in June × AOV in June).
    3. Outline: KPIs nobody's formula uses are roots; each is followed by the
       KPIs its formula names, indented.
    """
    kpis = plan_kpis(plan) if kpis is None else kpis
    annual, error = _evaluate(specs_for(kpis))
    monthly = [_evaluate(_month_specs(kpis, m))[0] for m in MONTHS]
    by_code = {k.code: k for k in kpis}
    nodes: dict[str, TreeNode] = {}
    for kpi in kpis:
        inputs = sorted(formulas.references(formulas.parse(kpi.formula))) if kpi.is_formula else []
        nodes[kpi.code] = TreeNode(
            kpi=kpi,
            annual=_round(annual.get(kpi.code), kpi.unit),
            months=[_round(monthly[m - 1].get(kpi.code), kpi.unit) for m in MONTHS],
            inputs=[code for code in inputs if code in by_code],
        )
    for code, node in nodes.items():
        for name in node.inputs:
            nodes[name].used_by.append(code)
    outline: list[tuple[str, int, bool]] = []
    expanded: set[str] = set()

    def visit(code: str, depth: int, path: tuple[str, ...]) -> None:
        repeated = code in expanded
        outline.append((code, depth, repeated))
        if repeated or code in path:  # shown in full once; a cycle never gets stored
            return
        expanded.add(code)
        for name in nodes[code].inputs:
            visit(name, depth + 1, (*path, code))

    for kpi in kpis:
        if not nodes[kpi.code].used_by:
            visit(kpi.code, 0, ())
    return KpiTree(nodes=nodes, outline=outline, error=error)


# --- breakdown status ---------------------------------------------------------------


@dataclass(frozen=True)
class PartsStatus:
    label: str  # "months", "channels", "regions"
    parts: list[tuple[str, Decimal]]
    aggregate: Decimal
    difference: Decimal
    ok: bool


def breakdown_status(kpi: Kpi) -> dict[str, Any]:
    """How the KPI's months, channel and region splits reconcile with its target."""
    if kpi.is_formula or kpi.annual_target is None:
        return {"rule": "", "rule_text": "", "parts": []}
    rule = kpi.rule
    annual = Decimal(kpi.annual_target)
    statuses = []
    if len(kpi.months) == 12:
        values, weights = kpi.month_values(), kpi.month_weights()
        r = breakdown.reconcile(annual, values, weights, rule, places=kpi.places)
        statuses.append(
            PartsStatus(
                "months",
                [(str(m), v) for m, v in zip(MONTHS, values, strict=True)],
                r.aggregate,
                r.difference,
                r.ok,
            )
        )
    for label, split in (("channels", kpi.channel_split), ("regions", kpi.region_split)):
        if split:
            values = [Decimal(v) for v in split.values()]
            r = breakdown.reconcile(
                annual, values, [Decimal(1)] * len(values), rule, places=kpi.places
            )
            statuses.append(
                PartsStatus(
                    label,
                    list(zip(split.keys(), values, strict=True)),
                    r.aggregate,
                    r.difference,
                    r.ok,
                )
            )
    return {"rule": rule, "rule_text": rule_text(rule), "parts": statuses}


def quarters(kpi: Kpi) -> list[Decimal]:
    if len(kpi.months) != 12:
        return []
    return breakdown.quarter_values(kpi.month_values(), kpi.month_weights(), kpi.rule)


def derived_quarters(kpi: Kpi, node: TreeNode) -> list[Decimal]:
    """Quarter totals of a formula KPI from its computed months (equal weights)."""
    if any(value is None for value in node.months):
        return []
    months = [value for value in node.months if value is not None]
    return [
        round(q, kpi.places) for q in breakdown.quarter_values(months, [Decimal(1)] * 12, kpi.rule)
    ]


# --- attainment -----------------------------------------------------------------------


ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = "on_track", "at_risk", "off_track", "no_data"
STATUS_LABELS = {
    ON_TRACK: _("On track"),
    AT_RISK: _("At risk"),
    OFF_TRACK: _("Off track"),
    NO_DATA: _("No data yet"),
}


@dataclass(frozen=True)
class Attainment:
    target: Decimal | None
    actual: Decimal | None
    ratio: Decimal | None  # 1.00 = exactly on target, whatever the direction
    status: str


def status_for(
    target: Decimal | None,
    actual: Decimal | None,
    direction: str,
    *,
    at_risk: Decimal,
    off_track: Decimal,
) -> Attainment:
    """Attainment of one period: actual ÷ target, or target ÷ actual when lower is better."""
    if target is None or actual is None:
        return Attainment(target, actual, None, NO_DATA)
    if direction == Direction.LOWER:
        ratio = Decimal("9.99") if actual == 0 else target / actual
    else:
        ratio = Decimal("9.99") if target == 0 else actual / target
    ratio = round(min(ratio, Decimal("9.99")), 4)
    status = ON_TRACK if ratio >= at_risk else AT_RISK if ratio >= off_track else OFF_TRACK
    return Attainment(target, actual, ratio, status)


def _actual_months(kpis: list[Kpi]) -> dict[str, list[Decimal | None]]:
    """Actuals per KPI and month: entered ones, and formulas evaluated over them."""
    entered = {
        k.code: {a.month: a.value for a in k.actuals.all()}
        for k in kpis
        if k.source != Source.FORMULA
    }
    result: dict[str, list[Decimal | None]] = {}
    for month in MONTHS:
        specs = specs_for(kpis)
        for kpi in kpis:
            if not kpi.is_formula:
                value = entered[kpi.code].get(month)
                specs[kpi.code] = formulas.NodeSpec(
                    code=kpi.code,
                    unit=cast(formulas.Unit, kpi.unit),
                    value=float(value) if value is not None else None,
                )
        values, _error = _evaluate(specs)
        for kpi in kpis:
            if kpi.is_formula:
                raw = values.get(kpi.code)
                result.setdefault(kpi.code, []).append(_round(raw, kpi.unit))
            else:
                result.setdefault(kpi.code, []).append(entered[kpi.code].get(month))
    return result


def _span_attainment(
    kpi: Kpi,
    targets: list[Decimal | None],
    actuals: list[Decimal | None],
    weights: list[Decimal],
    first: int,
    last: int,
    limits: dict[str, Decimal],
) -> Attainment:
    """Attainment of months ``first``..``last`` (1-based, inclusive) by the KPI's rule."""
    if last < first:
        return Attainment(None, None, None, NO_DATA)
    span_targets = targets[first - 1 : last]
    span_actuals = actuals[first - 1 : last]
    if any(t is None for t in span_targets) or any(a is None for a in span_actuals):
        return Attainment(None, None, None, NO_DATA)
    span_weights = weights[first - 1 : last]
    target = breakdown.aggregate([t for t in span_targets if t is not None], span_weights, kpi.rule)
    actual = breakdown.aggregate([a for a in span_actuals if a is not None], span_weights, kpi.rule)
    return status_for(round(target, kpi.places), round(actual, kpi.places), kpi.direction, **limits)


@dataclass
class KpiAttainment:
    kpi: Kpi
    months: list[Attainment]
    quarters: list[Attainment]
    year_to_date: Attainment
    through_month: int


def attainment(
    plan: Plan,
    *,
    through_month: int,
    tree: KpiTree | None = None,
    policy: AttainmentPolicy | None = None,
) -> list[KpiAttainment]:
    """Target vs actual per month, quarter and year to date, with a status from
    the plan's attainment policy (pass it when already read). Months after
    ``through_month`` have no status."""
    tree = tree or kpi_tree(plan)
    kpis = [tree.nodes[c].kpi for c in tree.nodes]
    policy = policy or policy_for(plan)
    limits = {"at_risk": policy.at_risk_below, "off_track": policy.off_track_below}
    actuals = _actual_months(kpis)
    rows = []
    for kpi in kpis:
        node = tree.nodes[kpi.code]
        weights = kpi.month_weights() if len(kpi.months) == 12 else [Decimal(1)] * 12
        done = actuals[kpi.code][:through_month]
        months = [
            status_for(
                node.months[m - 1],
                done[m - 1] if m <= through_month else None,
                kpi.direction,
                **limits,
            )
            for m in MONTHS
        ]

        def span(
            first: int,
            last: int,
            kpi: Kpi = kpi,
            node: TreeNode = node,
            weights: list[Decimal] = weights,
        ) -> Attainment:
            return _span_attainment(
                kpi,
                node.months,
                actuals[kpi.code],
                weights,
                first,
                min(last, through_month),
                limits,
            )

        rows.append(
            KpiAttainment(
                kpi=kpi,
                months=months,
                quarters=[span(3 * q - 2, 3 * q) for q in range(1, 5)],
                year_to_date=span(1, max(through_month, 1)),
                through_month=through_month,
            )
        )
    return rows


@dataclass(frozen=True)
class BehindPlan:
    """What "behind plan" means for one KPI: monitoring raises an alert when the
    attainment of a period falls below ``off_track`` (and warns below ``at_risk``)."""

    code: str
    direction: str
    unit: str
    monthly_targets: tuple[Decimal | None, ...]
    annual_target: Decimal | None
    at_risk: Decimal
    off_track: Decimal


def behind_plan_thresholds(plan: Plan) -> dict[str, BehindPlan]:
    """Per KPI code, the targets and tolerances that define "behind plan"."""
    tree = kpi_tree(plan)
    policy = policy_for(plan)
    return {
        code: BehindPlan(
            code=code,
            direction=node.kpi.direction,
            unit=node.kpi.unit,
            monthly_targets=tuple(node.months),
            annual_target=node.annual,
            at_risk=policy.at_risk_below,
            off_track=policy.off_track_below,
        )
        for code, node in tree.nodes.items()
    }


def last_actual_month(plan: Plan) -> int:
    """The last month of the plan's year with any actual entered (0 when none)."""
    month = KpiActual.objects.filter(kpi__plan=plan).aggregate(last=Max("month"))["last"]
    return int(month or 0)


def goal_seek(plan: Plan, *, target: str, goal: float, solve_for: str) -> formulas.GoalSeekResult:
    """Solve the plan's tree for one input so that ``target`` reaches ``goal``."""
    specs = specs_for(plan_kpis(plan))
    return formulas.goal_seek(specs, target=target, goal=goal, solve_for=solve_for)


def strategic_goals(plan: Plan) -> list[StrategicGoal]:
    return list(StrategicGoal.objects.filter(plan=plan).select_related("kpi"))
