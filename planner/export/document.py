"""The plan as a document: the annual plan outline (planner.sections), filled in.

``build(plan)`` reads each section through the section apps' own query functions
(the numbers are the ones the pages show) and draws the static SVG charts with
planner.svg_charts. A fixed number of queries, whatever the size of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from budget import money_queries
from budget.approval_queries import ReserveSummary, reserve_summary
from budget.models import AllocationRule
from budget.money_queries import Figures
from budget.supplier_queries import Standing, supplier_list
from budget.team_queries import departments
from channels import queries as channel_queries
from channels.models import Channel
from content import queries as content_queries
from content.models import Campaign
from core.templatetags.almanac import format_amount
from kpis import queries as kpi_queries
from kpis.models import StrategicGoal
from monitoring import queries as monitoring_queries
from monitoring.charts import metric_label
from monitoring.models import COUNT_FIELDS, AlertRule, ChannelGrade
from planner import svg_charts
from planner.execution import queries as execution_queries
from planner.execution.models import Playbook, Risk, RiskStatus
from planner.models import Plan
from planner.sections import SECTIONS, Section

TOP_RISKS = 8
TOP_CHANNELS = 12
QUARTERS = (1, 2, 3, 4)
RAG = {"on_track": "green", "at_risk": "amber", "off_track": "red", "no_data": "grey"}


@dataclass
class KpiRow:
    objective: str
    code: str
    name: str
    unit: str
    direction: str
    owner: str
    annual: Decimal | None
    quarters: list[Decimal]
    actual: Decimal | None  # year to date
    target_to_date: Decimal | None
    ratio: Decimal | None
    status: str
    status_label: str

    @property
    def rag(self) -> str:
        return RAG.get(self.status, "grey")


@dataclass
class ChannelRow:
    channel: Channel
    family: str
    roles: list[str]
    quarters: list[Decimal]
    total: Decimal
    share: Decimal | None
    grade: ChannelGrade | None
    priority: Decimal | None = None  # the strategic priority weight of budget allocation


@dataclass
class BudgetRow:
    label: str
    level: int
    quarters: list[Decimal]
    figures: Figures


@dataclass
class DocSection:
    """One section of the outline, with what the document shows for it."""

    section: Section
    charts: list[tuple[str, str]] = field(default_factory=list)  # (caption, svg)

    @property
    def anchor(self) -> str:
        return f"section-{self.section.key}"


@dataclass
class Document:
    plan: Plan
    generated: date
    through_month: int
    sections: list[DocSection]
    # goals
    objectives: list[tuple[str, list[KpiRow]]]
    strategic_goals: list[StrategicGoal]
    at_risk_below: Decimal
    off_track_below: Decimal
    # channels
    channel_rows: list[ChannelRow]
    family_shares: list[channel_queries.Share]
    channel_quarter_totals: list[Decimal]
    channel_total: Decimal
    grade_counts: dict[str, int]
    # content
    campaigns: list[Campaign]
    festivals: list[content_queries.FestivalDay]
    # monitoring
    funnel: dict[str, Any] | None
    stage_labels: dict[str, str]
    alert_rules: list[AlertRule]
    open_alerts: dict[str, int]
    # budget
    budget: Any
    budget_total: Figures
    budget_by_quarter: list[Figures]
    budget_rows: list[BudgetRow]
    reserve: ReserveSummary
    burn_actual: list[Decimal]
    suppliers: list[Standing]
    departments: list[Any]
    # execution
    milestone_quarters: list[tuple[int, list[execution_queries.MilestoneRow], dict[str, int]]]
    risks: list[Risk]
    open_risks: int
    playbooks: list[Playbook]

    @property
    def open_alert_total(self) -> int:
        return sum(self.open_alerts.values())

    def section(self, key: str) -> DocSection:
        return next(s for s in self.sections if s.section.key == key)


def _money(plan: Plan, value: Any) -> str:
    return format_amount(value, "money", plan.currency)


def _kpis(plan: Plan, derivation: execution_queries.Derivation) -> list[tuple[str, list[KpiRow]]]:
    """KPIs by objective: annual target, quarter breakdown and the attainment so far
    (the derivation the milestones use already computed it)."""
    tree = kpi_queries.kpi_tree(plan)
    rows_by_code = {row.kpi.code: row for row in derivation.attainment}
    groups: dict[int | None, tuple[str, list[KpiRow]]] = {}
    for code, node in tree.nodes.items():
        kpi = node.kpi
        quarters = (
            kpi_queries.derived_quarters(kpi, node) if kpi.is_formula else kpi_queries.quarters(kpi)
        )
        attained = rows_by_code.get(code)
        ytd = attained.year_to_date if attained else None
        status = ytd.status if ytd else kpi_queries.NO_DATA
        objective = kpi.objective
        key = objective.pk if objective else None
        title = objective.title if objective else _("Without an objective")
        groups.setdefault(key, (title, []))[1].append(
            KpiRow(
                objective=title,
                code=kpi.code,
                name=kpi.name,
                unit=kpi.unit,
                direction=str(kpi.get_direction_display()),
                owner=(kpi.owner.get_full_name() or kpi.owner.get_username()) if kpi.owner else "",
                annual=node.annual,
                quarters=list(quarters),
                actual=ytd.actual if ytd else None,
                target_to_date=ytd.target if ytd else None,
                ratio=ytd.ratio if ytd else None,
                status=status,
                status_label=str(kpi_queries.STATUS_LABELS.get(status, status)),
            )
        )
    return list(groups.values())


def _channels(plan: Plan) -> tuple[list[ChannelRow], list[Any], list[Decimal], Decimal]:
    matrix = channel_queries.matrix(plan, active_only=True)
    families, shares = channel_queries.budget_shares(matrix)
    share_of = {s.key: s.share for s in shares}
    grades = monitoring_queries.grades_by_channel(plan)
    priorities = dict(
        AllocationRule.objects.filter(plan=plan).values_list("channel_id", "priority")
    )
    rows = []
    for block in matrix.families:
        for r in block.rows:
            if not r.total and not any(cell and cell.role for cell in r.cells):
                continue  # an active channel without a plan: not part of the mix
            rows.append(
                ChannelRow(
                    channel=r.channel,
                    family=str(block.family.label),
                    roles=[cell.role if cell else "" for cell in r.cells],
                    quarters=[cell.budget if cell else Decimal(0) for cell in r.cells],
                    total=r.total,
                    share=share_of.get(r.channel.code),
                    grade=grades.get(r.channel.pk),
                    priority=priorities.get(r.channel.pk),
                )
            )
    return rows, families, matrix.totals, matrix.total


def _budget_rows(tree: money_queries.Tree) -> list[BudgetRow]:
    """Families and channels with their planned amount per quarter."""
    rows = []

    def quarters_of(node: money_queries.Node) -> list[Decimal]:
        result = [Decimal(0)] * 4
        stack = [node]
        while stack:
            n = stack.pop()
            if n.line is not None:
                result[n.line.quarter - 1] += n.line.planned
            stack.extend(n.children)
        return result

    for family in tree.families:
        rows.append(BudgetRow(family.label, 0, quarters_of(family), family.figures))
        for channel in family.children:
            rows.append(BudgetRow(channel.label, 1, quarters_of(channel), channel.figures))
    return rows


def _risks(plan: Plan) -> tuple[list[Risk], int]:
    found = [r for r in execution_queries.risks(plan) if r.status != RiskStatus.CLOSED]
    found.sort(key=lambda r: (-(r.impact * r.likelihood), -r.impact, r.title, r.pk))
    return found[:TOP_RISKS], len(found)


def build(plan: Plan, *, today: date | None = None) -> Document:
    today = today or timezone.localdate()
    derivation = execution_queries.Derivation(plan, today=today)
    through_month = derivation.through_month
    objectives = _kpis(plan, derivation)
    channel_rows, family_shares, channel_quarters, channel_total = _channels(plan)
    grade_counts = {"A": 0, "B": 0, "C": 0}
    for row in channel_rows:
        if row.grade:
            grade_counts[row.grade.grade] = grade_counts.get(row.grade.grade, 0) + 1
    tree = money_queries.tree(plan)
    burn = money_queries.burn(plan, tree)
    milestone_rows = [derivation.row(m) for m in execution_queries.milestones(plan)]
    milestone_rows.sort(key=lambda r: (r.milestone.quarter, r.milestone.due, r.milestone.pk))
    risks, open_risks = _risks(plan)
    doc = Document(
        plan=plan,
        generated=today,
        through_month=through_month,
        sections=[DocSection(s) for s in SECTIONS],
        objectives=objectives,
        strategic_goals=kpi_queries.strategic_goals(plan),
        at_risk_below=Decimal(str(derivation.at_risk_below)),
        off_track_below=Decimal(str(derivation.off_track_below)),
        channel_rows=channel_rows,
        family_shares=family_shares,
        channel_quarter_totals=channel_quarters,
        channel_total=channel_total,
        grade_counts=grade_counts,
        campaigns=content_queries.calendar(plan).campaigns,
        festivals=content_queries.festival_layer(plan.year),
        funnel=monitoring_queries.totals(plan),
        stage_labels={name: metric_label(name) for name in COUNT_FIELDS},
        alert_rules=list(
            AlertRule.objects.filter(plan=plan)
            .select_related("channel")
            .order_by("-is_active", "metric", "name")
        ),
        open_alerts=monitoring_queries.open_alert_counts(plan),
        budget=tree.budget,
        budget_total=tree.total,
        budget_by_quarter=[tree.by_quarter[q] for q in QUARTERS],
        budget_rows=_budget_rows(tree),
        reserve=reserve_summary(plan),
        burn_actual=burn["actual"],
        suppliers=[s for s in supplier_list(plan) if s.supplier.is_active],
        departments=list(departments(plan).order_by("name")),
        milestone_quarters=execution_queries.by_quarter(milestone_rows),
        risks=risks,
        open_risks=open_risks,
        playbooks=list(execution_queries.playbooks(plan)),
    )
    _charts(doc, burn)
    for part in doc.sections:
        # svg_charts escapes every text it draws: the markup is ours.
        part.charts = [(caption, mark_safe(svg)) for caption, svg in part.charts]  # noqa: S308
    return doc


# --- charts ---------------------------------------------------------------------------------


def _quarter_labels() -> list[str]:
    return [_("Q%(q)s") % {"q": q} for q in QUARTERS]


def _charts(doc: Document, burn: dict[str, Any]) -> None:
    plan = doc.plan
    kpis = [k for _title, rows in doc.objectives for k in rows]
    if kpis:
        doc.section("goals").charts.append(
            (
                _("KPI attainment, year to date"),
                svg_charts.hbars(
                    [
                        svg_charts.Bar(
                            f"{k.name}",
                            None if k.ratio is None else float(k.ratio) * 100,
                            text=("—" if k.ratio is None else format_amount(k.ratio, "percent")),
                            colour=svg_charts.RAG[k.rag],
                        )
                        for k in kpis
                    ],
                    title=_("KPI attainment, year to date"),
                    maximum=max(
                        [120.0, *(float(k.ratio) * 100 for k in kpis if k.ratio is not None)]
                    ),
                    markers=[
                        (float(doc.at_risk_below) * 100, _("at risk")),
                        (100.0, _("target")),
                    ],
                ),
            )
        )
    year_start = date(plan.year, 1, 1)
    days = (date(plan.year + 1, 1, 1) - year_start).days

    def position(day: date) -> float:
        return (day - year_start).days / days

    if doc.campaigns:
        doc.section("content").charts.append(
            (
                _("Campaign calendar"),
                svg_charts.timeline(
                    [
                        svg_charts.Span(
                            c.name,
                            position(c.start),
                            position(c.end) + 1 / days,
                            svg_charts.PALETTE[i % 3],
                        )
                        for i, c in enumerate(doc.campaigns)
                    ],
                    title=_("Campaign calendar"),
                    ticks=[str(MONTHS_3[m]).title() for m in range(1, 13)],
                    markers=[
                        (position(f.peak), f.name)
                        for f in doc.festivals
                        if f.code in {c.festival for c in doc.campaigns}
                    ],
                ),
            )
        )
    top = sorted(doc.channel_rows, key=lambda r: r.total, reverse=True)[:TOP_CHANNELS]
    channels = doc.section("channels")
    if any(r.total for r in top):
        channels.charts.append(
            (
                _("Planned budget by channel"),
                svg_charts.hbars(
                    [
                        svg_charts.Bar(
                            r.channel.display_name,
                            float(r.total),
                            text=_money(plan, r.total),
                            colour=svg_charts.PALETTE[0],
                        )
                        for r in top
                        if r.total
                    ],
                    title=_("Planned budget by channel"),
                ),
            )
        )
    graded = sorted(
        (r for r in doc.channel_rows if r.grade),
        key=lambda r: (r.grade.grade, -r.grade.score) if r.grade else ("Z", 0),
    )
    if graded:
        channels.charts.append(
            (
                _("Channel grades (score)"),
                svg_charts.hbars(
                    [
                        svg_charts.Bar(
                            r.channel.display_name,
                            float(r.grade.score) if r.grade else None,
                            text=f"{r.grade.grade} · {r.grade.score:.0f}" if r.grade else "—",
                            colour=svg_charts.GRADE_COLOURS.get(
                                r.grade.grade if r.grade else "", svg_charts.PALETTE[5]
                            ),
                        )
                        for r in graded
                    ],
                    title=_("Channel grades (score)"),
                    maximum=100.0,
                ),
            )
        )
    budget = doc.section("budget")
    if doc.budget_total.planned:
        budget.charts.append(
            (
                _("Budget by quarter: planned, committed and actual"),
                svg_charts.columns(
                    _quarter_labels(),
                    [
                        svg_charts.Series(
                            pgettext("budget money", "Planned"),
                            [float(f.planned) for f in doc.budget_by_quarter],
                            svg_charts.PALETTE[0],
                        ),
                        svg_charts.Series(
                            pgettext("budget money", "Committed"),
                            [float(f.committed) for f in doc.budget_by_quarter],
                            svg_charts.PALETTE[2],
                        ),
                        svg_charts.Series(
                            pgettext("budget money", "Actual"),
                            [float(f.actual) for f in doc.budget_by_quarter],
                            svg_charts.PALETTE[1],
                        ),
                    ],
                    title=_("Budget by quarter: planned, committed and actual"),
                ),
            )
        )
        planned_cumulative: list[float] = []
        running = 0.0
        for month in range(1, 13):
            if month % 3 == 1:
                running += float(burn["planned"][(month - 1) // 3])
            planned_cumulative.append(running)
        actual_cumulative: list[float] = []
        spent = 0.0
        for month in range(1, (burn["last_month"] or 0) + 1):
            spent += float(burn["actual"][month - 1])
            actual_cumulative.append(spent)
        budget.charts.append(
            (
                _("Budget burn: cumulative planned and actual spend"),
                svg_charts.lines(
                    [str(MONTHS_3[m]).title() for m in range(1, 13)],
                    [
                        svg_charts.Series(
                            _("Planned (released per quarter)"),
                            planned_cumulative,
                            svg_charts.PALETTE[0],
                        ),
                        svg_charts.Series(
                            pgettext("budget money", "Actual"),
                            actual_cumulative,
                            svg_charts.PALETTE[3],
                        ),
                    ],
                    title=_("Budget burn: cumulative planned and actual spend"),
                ),
            )
        )
