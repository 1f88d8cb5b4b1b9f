"""What has been committed and spent against each budget line.

*Committed* is what open purchase orders still promise: each open order's amount
less what has been invoiced against it (never below zero); an invoiced or
cancelled order commits nothing.

*Actual* spend is the monitoring section's daily metric spend plus the invoices
entered against the line. Metric spend is matched like this: a campaign line
takes the spend of its channel and campaign in its quarter; a channel line takes
the rest of its channel's spend in that quarter (rows without a campaign, and
rows of campaigns that have no line of their own there).

*Available* is planned − committed − actual; below zero the line is overspent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, IntegerField, Sum, Value, When
from django.db.models.functions import ExtractMonth, ExtractQuarter

from budget.models import BudgetLine, Invoice, PoStatus, PurchaseOrder
from budget.models.money import ZERO
from monitoring.models import DailyMetric
from planner.models import Plan


@dataclass(frozen=True)
class Spent:
    committed: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def used(self) -> Decimal:
        return self.committed + self.actual


def quarter_of_date(year: int) -> Case:
    """The quarter of a ``date`` column of ``year`` as plain comparisons (SQLite computes
    ExtractQuarter in Python, row by row: many times slower on a year of daily rows)."""
    return Case(
        When(date__lt=date(year, 4, 1), then=Value(1)),
        When(date__lt=date(year, 7, 1), then=Value(2)),
        When(date__lt=date(year, 10, 1), then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )


def metric_spend(plan: Plan) -> dict[tuple[int, int | None, int], Decimal]:
    """Spend per (channel, campaign, quarter) of the plan's year, in one query."""
    rows = (
        DailyMetric.objects.filter(plan=plan, date__year=plan.year)
        .annotate(quarter=quarter_of_date(plan.year))
        .values("channel_id", "campaign_id", "quarter")
        .annotate(spend=Sum("spend"))
        .order_by()
    )
    return {
        (r["channel_id"], r["campaign_id"], r["quarter"]): Decimal(r["spend"] or 0) for r in rows
    }


def committed_by_line(plan: Plan) -> dict[int, Decimal]:
    """What open purchase orders still commit, per line (in two queries)."""
    invoiced = dict(
        Invoice.objects.filter(plan=plan, purchase_order__isnull=False)
        .values("purchase_order_id")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("purchase_order_id", "s")
    )
    committed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for po_id, line_id, amount in PurchaseOrder.objects.filter(
        plan=plan, status=PoStatus.OPEN
    ).values_list("pk", "line_id", "amount"):
        committed[line_id] += max(amount - (invoiced.get(po_id) or ZERO), ZERO)
    return committed


def invoiced_by_line(plan: Plan) -> dict[int, Decimal]:
    rows = (
        Invoice.objects.filter(plan=plan)
        .values("line_id")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("line_id", "s")
    )
    return {line_id: Decimal(total or 0) for line_id, total in rows}


def spent_by_line(plan: Plan, lines: list[BudgetLine] | None = None) -> dict[int, Spent]:
    """Committed and actual spend of every line of the plan (or of ``lines``)."""
    all_lines = list(BudgetLine.objects.filter(plan=plan)) if lines is None else lines
    by_key = {(x.channel_id, x.campaign_id, x.quarter): x.pk for x in all_lines}
    actual: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (channel_id, campaign_id, quarter), spend in metric_spend(plan).items():
        line_id = by_key.get((channel_id, campaign_id, quarter)) or by_key.get(
            (channel_id, None, quarter)
        )
        if line_id is not None:
            actual[line_id] += spend
    for line_id, amount in invoiced_by_line(plan).items():
        actual[line_id] += amount
    committed = committed_by_line(plan)
    return {x.pk: Spent(committed=committed[x.pk], actual=actual[x.pk]) for x in all_lines}


def actual_by_month(plan: Plan) -> dict[int, Decimal]:
    """Actual spend of the plan's year per month (metric spend matched to a line, plus
    invoices), for the burn chart."""
    lines = list(BudgetLine.objects.filter(plan=plan))
    by_key = {(x.channel_id, x.campaign_id, x.quarter) for x in lines}
    months: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = (
        DailyMetric.objects.filter(plan=plan, date__year=plan.year)
        .annotate(quarter=ExtractQuarter("date"), month=ExtractMonth("date"))
        .values("channel_id", "campaign_id", "quarter", "month")
        .annotate(spend=Sum("spend"))
        .order_by()
    )
    for r in rows:
        key = (r["channel_id"], r["campaign_id"], r["quarter"])
        if key in by_key or (r["channel_id"], None, r["quarter"]) in by_key:
            months[r["month"]] += Decimal(r["spend"] or 0)
    invoices = (
        Invoice.objects.filter(plan=plan, invoiced_on__year=plan.year)
        .annotate(month=ExtractMonth("invoiced_on"))
        .values("month")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    for r in invoices:
        months[r["month"]] += Decimal(r["s"] or 0)
    return dict(months)


def movable(line: BudgetLine) -> Decimal:
    """What may still leave the line: planned minus committed and spent (never below 0)."""
    spent = spent_by_line(line.plan, list(BudgetLine.objects.filter(plan_id=line.plan_id))).get(
        line.pk, Spent()
    )
    return max(line.planned - spent.used, ZERO)
