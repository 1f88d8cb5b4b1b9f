"""The manager's quarterly dashboard page (execution section, first tab)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.htmx import render_page
from monitoring.queries import SEVERITY_ORDER
from planner import quarters
from planner.access import plan_for_user
from planner.execution import dashboard, dashboard_charts
from planner.execution.models import MilestoneStatus
from planner.execution.pages import base_context
from planner.models import Plan

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}


def quarter_error(reason: str, plan: Plan) -> str:
    if reason == "year":
        return _("Choose a quarter of the plan's year %(year)s.") % {"year": plan.year}
    return _("A quarter is written like %(example)s.") % {"example": f"{plan.year}Q1"}


@login_required
@require_GET
def dashboard_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    today = timezone.localdate()
    error = ""
    status = 200
    raw = request.GET.get("quarter")
    if raw:
        try:
            quarter = quarters.parse(raw, plan_year=plan.year)
        except quarters.BadQuarter as bad:
            error, status = quarter_error(bad.reason, plan), 400
            quarter = quarters.default(plan.year, today)
    else:
        quarter = quarters.default(plan.year, today)
    data = dashboard.build(plan, quarter, today=today)
    symbol = SYMBOLS.get(plan.currency, "")
    context = base_context(
        request,
        plan,
        "dashboard",
        d=data,
        error_text=error,
        choices=[quarters.Quarter(plan.year, q) for q in (1, 2, 3, 4)],
        kpi_chart=dashboard_charts.kpi_attainment(
            data.kpis, float(data.at_risk_below), float(data.off_track_below)
        ),
        budget_chart=dashboard_charts.budget_by_quarter(data.budget, quarter.number, symbol),
        festivals=[(f, dashboard.festival_name(f)) for f in data.festivals],
        milestone_counts=[
            (key, label, data.milestone_counts.get(key, 0))
            for key, label in MilestoneStatus.choices
        ],
        alert_rows=[(s.value, s.label, data.open_alerts.get(s.value, 0)) for s in SEVERITY_ORDER],
        risk_rows=[(r, r.impact * r.likelihood, dashboard.risk_band(r)) for r in data.risks],
        budget_rows=[
            (_("Quarter %(q)s") % {"q": quarter.number}, data.budget.quarter),
            (_("Year to date (Q1–Q%(q)s)") % {"q": quarter.number}, data.budget.year_to_date),
            (_("Whole year"), data.budget.year),
        ],
    )
    return render_page(request, "planner/execution/dashboard.html", context, status=status)
