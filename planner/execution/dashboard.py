"""The manager's quarterly dashboard: one builder feeds the page and the API.

Everything is read from stored results (KPI actuals, the monitoring recompute's grades
and alerts, the budget ledger, supplier flags); nothing is recomputed here. The whole
dashboard takes a fixed number of queries, whatever the size of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from budget import actuals
from budget.approval_queries import ReserveSummary, reserve_summary
from budget.models import BudgetLine, BudgetRequest, RequestStatus
from budget.money_queries import Figures
from budget.supplier_queries import Standing, flagged_suppliers
from content import festivals as festival_calendar
from content.models import Campaign
from kpis.queries import AT_RISK, NO_DATA, OFF_TRACK, ON_TRACK
from monitoring.models import Alert, AlertStatus, ChannelGrade, Severity
from monitoring.queries import SEVERITY_ORDER
from planner import quarters
from planner.execution.models import MilestoneStatus, Risk, RiskStatus
from planner.execution.queries import Derivation, MilestoneRow, band, milestones
from planner.models import Plan

TOP_RISKS = 5
TOP_ALERTS = 5
RAG = {ON_TRACK: "green", AT_RISK: "amber", OFF_TRACK: "red", NO_DATA: "grey"}
GRADES = ("A", "B", "C")


@dataclass(frozen=True)
class KpiLine:
    """One KPI's attainment in the quarter so far, with its RAG colour."""

    kpi_id: int
    code: str
    name: str
    unit: str
    target: Decimal | None
    actual: Decimal | None
    ratio: Decimal | None
    status: str
    year_to_date_ratio: Decimal | None

    @property
    def rag(self) -> str:
        return RAG.get(self.status, "grey")

    @property
    def percent(self) -> float | None:
        return None if self.ratio is None else float(self.ratio) * 100


@dataclass
class BudgetBurn:
    """Planned, committed and actual of the quarter's lines, year to date and the year."""

    currency: str
    quarter: Figures
    year_to_date: Figures
    year: Figures
    by_quarter: list[Figures]  # Q1–Q4


@dataclass(frozen=True)
class Decision:
    """One line of "what needs a decision": a kind, how many, and what."""

    kind: str
    count: int
    items: list[str]


@dataclass
class Dashboard:
    plan: Plan
    quarter: quarters.Quarter
    today: date
    through_month: int
    at_risk_below: Decimal
    off_track_below: Decimal
    milestones: list[MilestoneRow]
    milestone_counts: dict[str, int]
    kpis: list[KpiLine]
    budget: BudgetBurn
    reserve: ReserveSummary
    pending_requests: int
    grades: list[ChannelGrade]
    grade_counts: dict[str, int]
    open_alerts: dict[str, int]
    top_alerts: list[Alert]
    risks: list[Risk]
    open_risks: int
    campaigns: list[Campaign]
    festivals: list[festival_calendar.Festival]
    window: tuple[date, date]
    flagged: list[Standing]
    decisions: list[Decision] = field(default_factory=list)

    @property
    def kpi_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RAG, 0)
        for k in self.kpis:
            counts[k.status] = counts.get(k.status, 0) + 1
        return counts

    @property
    def open_alert_total(self) -> int:
        return sum(self.open_alerts.values())

    @property
    def decision_total(self) -> int:
        return sum(d.count for d in self.decisions)


def _kpi_lines(derivation: Derivation, quarter: int) -> list[KpiLine]:
    lines = []
    for row in derivation.attainment:
        q = row.quarters[quarter - 1]
        lines.append(
            KpiLine(
                kpi_id=row.kpi.pk,
                code=row.kpi.code,
                name=row.kpi.name,
                unit=row.kpi.unit,
                target=q.target,
                actual=q.actual,
                ratio=q.ratio,
                status=q.status,
                year_to_date_ratio=row.year_to_date.ratio,
            )
        )
    return lines


def _budget(plan: Plan, quarter: int) -> BudgetBurn:
    """The budget tree's figures per quarter (same matching of spend to lines as the
    budget pages), in five queries."""
    lines = list(
        BudgetLine.objects.filter(plan=plan).only("pk", "channel", "campaign", "quarter", "planned")
    )
    spent = actuals.spent_by_line(plan, lines)
    by_quarter = [Figures() for _q in range(4)]
    for line in lines:
        s = spent[line.pk]
        by_quarter[line.quarter - 1].add(Figures(line.planned, s.committed, s.actual))
    ytd, year = Figures(), Figures()
    for number, figures in enumerate(by_quarter, start=1):
        year.add(figures)
        if number <= quarter:
            ytd.add(figures)
    return BudgetBurn(plan.currency, by_quarter[quarter - 1], ytd, year, by_quarter)


def _alerts(plan: Plan) -> tuple[dict[str, int], list[Alert]]:
    """Open (not resolved) alerts per severity, most severe first, and the most severe
    few of them — one query."""
    open_ = list(
        Alert.objects.filter(plan=plan)
        .exclude(status=AlertStatus.RESOLVED)
        .select_related("channel", "kpi")
        .order_by("-window_end", "-id")
    )
    counts = {s.value: 0 for s in SEVERITY_ORDER}
    for alert in open_:
        counts[alert.severity] = counts.get(alert.severity, 0) + 1
    rank = {s.value: i for i, s in enumerate(SEVERITY_ORDER)}
    top = sorted(open_, key=lambda a: rank.get(a.severity, 9))[:TOP_ALERTS]
    return counts, top


def _risks(plan: Plan) -> tuple[list[Risk], int]:
    found = list(
        Risk.objects.filter(plan=plan)
        .exclude(status=RiskStatus.CLOSED)
        .select_related("owner", "playbook")
    )
    found.sort(key=lambda r: (-(r.impact * r.likelihood), -r.impact, r.title, r.pk))
    return found[:TOP_RISKS], len(found)


def _decisions(d: Dashboard) -> list[Decision]:
    troubled = [
        r
        for r in d.milestones
        if r.status in (MilestoneStatus.AT_RISK.value, MilestoneStatus.LATE.value)
    ]
    off_track = [k for k in d.kpis if k.status == OFF_TRACK]
    critical = [a for a in d.top_alerts if a.severity == Severity.CRITICAL]
    found = [
        Decision("milestones", len(troubled), [r.milestone.title for r in troubled]),
        Decision("kpis", len(off_track), [k.name for k in off_track]),
        Decision(
            "alerts",
            d.open_alerts.get(Severity.CRITICAL.value, 0),
            [a.message or a.metric for a in critical],
        ),
        Decision("requests", d.pending_requests, []),
        Decision("draws", d.reserve.pending_count, []),
        Decision("suppliers", len(d.flagged), [s.supplier.name for s in d.flagged]),
    ]
    return [x for x in found if x.count]


def build(plan: Plan, quarter: quarters.Quarter, *, today: date | None = None) -> Dashboard:
    """The dashboard of ``plan`` for ``quarter`` (of the plan's year)."""
    today = today or timezone.localdate()
    derivation = Derivation(plan, today=today)
    rows = [derivation.row(m) for m in milestones(plan, quarter.number)]
    counts = dict.fromkeys(MilestoneStatus.values, 0)
    for row in rows:
        counts[row.status] += 1
    grades = list(
        ChannelGrade.objects.filter(plan=plan)
        .select_related("channel")
        .order_by("grade", "-score", "channel__sort_order")
    )
    grade_counts = dict.fromkeys(GRADES, 0)
    for g in grades:
        grade_counts[g.grade] = grade_counts.get(g.grade, 0) + 1
    open_alerts, top_alerts = _alerts(plan)
    top_risks, open_risks = _risks(plan)
    start, end = quarters.upcoming_window(quarter, today)
    campaigns = list(
        Campaign.objects.filter(plan=plan, start__lte=end, end__gte=start).order_by(
            "start", "end", "code"
        )
    )
    in_calendar = (
        start.year >= festival_calendar.MIN_YEAR and end.year <= festival_calendar.MAX_YEAR
    )
    festivals = festival_calendar.festivals_between(start, end) if in_calendar else []
    dashboard = Dashboard(
        plan=plan,
        quarter=quarter,
        today=today,
        through_month=derivation.through_month,
        at_risk_below=Decimal(str(derivation.at_risk_below)),
        off_track_below=Decimal(str(derivation.off_track_below)),
        milestones=rows,
        milestone_counts=counts,
        kpis=_kpi_lines(derivation, quarter.number),
        budget=_budget(plan, quarter.number),
        reserve=reserve_summary(plan),
        pending_requests=BudgetRequest.objects.filter(
            plan=plan, status=RequestStatus.SUBMITTED
        ).count(),
        grades=grades,
        grade_counts=grade_counts,
        open_alerts=open_alerts,
        top_alerts=top_alerts,
        risks=top_risks,
        open_risks=open_risks,
        campaigns=campaigns,
        festivals=festivals,
        window=(start, end),
        flagged=flagged_suppliers(plan),
    )
    dashboard.decisions = _decisions(dashboard)
    return dashboard


def festival_name(festival: festival_calendar.Festival) -> str:
    return _(festival.name)


def risk_band(risk: Risk) -> str:
    return band(risk.impact, risk.likelihood)


def as_data(d: Dashboard) -> dict[str, Any]:
    """The dashboard as plain data (the API's body and the numbers the page shows)."""
    b = d.budget

    def figures(f: Figures) -> dict[str, Any]:
        return {
            "planned": f.planned,
            "committed": f.committed,
            "actual": f.actual,
            "available": f.available,
        }

    return {
        "plan": d.plan.pk,
        "quarter": d.quarter.code,
        "quarter_start": d.quarter.start,
        "quarter_end": d.quarter.end,
        "through_month": d.through_month,
        "thresholds": {"at_risk_below": d.at_risk_below, "off_track_below": d.off_track_below},
        "decisions": [{"kind": x.kind, "count": x.count, "items": x.items} for x in d.decisions],
        "milestone_counts": d.milestone_counts,
        "milestones": [
            {
                "id": r.milestone.pk,
                "title": r.milestone.title,
                "status": r.status,
                "overridden": r.overridden,
                "progress": r.percent,
                "due": r.milestone.due,
                "owner": (
                    r.milestone.owner.get_full_name() or r.milestone.owner.get_username()
                    if r.milestone.owner
                    else ""
                ),
            }
            for r in d.milestones
        ],
        "kpis": [
            {
                "id": k.kpi_id,
                "code": k.code,
                "name": k.name,
                "unit": k.unit,
                "target": k.target,
                "actual": k.actual,
                "ratio": k.ratio,
                "status": k.status,
                "rag": k.rag,
                "year_to_date_ratio": k.year_to_date_ratio,
            }
            for k in d.kpis
        ],
        "budget": {
            "currency": b.currency,
            "quarter": figures(b.quarter),
            "year_to_date": figures(b.year_to_date),
            "year": figures(b.year),
            "by_quarter": [figures(f) for f in b.by_quarter],
        },
        "reserve": {
            "total": d.reserve.total,
            "target": d.reserve.target,
            "drawn": d.reserve.drawn,
            "balance": d.reserve.balance,
            "pending_count": d.reserve.pending_count,
            "pending_amount": d.reserve.pending_amount,
        },
        "pending_requests": d.pending_requests,
        "grade_counts": d.grade_counts,
        "grades": [
            {"channel": g.channel.code, "name": str(g.channel), "grade": g.grade, "score": g.score}
            for g in d.grades
        ],
        "open_alerts": d.open_alerts,
        "top_alerts": [
            {
                "id": a.pk,
                "severity": a.severity,
                "status": a.status,
                "metric": a.metric,
                "message": a.message,
                "channel": a.channel.code if a.channel else None,
                "window_end": a.window_end,
            }
            for a in d.top_alerts
        ],
        "open_risks": d.open_risks,
        "risks": [
            {
                "id": r.pk,
                "title": r.title,
                "category": r.category,
                "impact": r.impact,
                "likelihood": r.likelihood,
                "score": r.impact * r.likelihood,
                "band": risk_band(r),
                "playbook": r.playbook_id,
            }
            for r in d.risks
        ],
        "upcoming_from": d.window[0],
        "upcoming_to": d.window[1],
        "campaigns": [
            {
                "id": c.pk,
                "code": c.code,
                "name": c.name,
                "start": c.start,
                "end": c.end,
                "status": c.status,
            }
            for c in d.campaigns
        ],
        "festivals": [
            {
                "code": f.code,
                "name": festival_name(f),
                "start": f.start,
                "end": f.end,
                "peak": f.peak,
            }
            for f in d.festivals
        ],
        "flagged_suppliers": [
            {
                "id": s.supplier.pk,
                "name": s.supplier.name,
                "streak": s.streak,
                "quarters": list(s.open_flag.quarters) if s.open_flag else [],
            }
            for s in d.flagged
        ],
    }
