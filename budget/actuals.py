"""What has been committed and spent against each budget line.

*Actual* spend comes from the monitoring section's daily metrics: a campaign
line takes the spend of its channel and campaign in its quarter; a channel line
takes the rest of its channel's spend in that quarter (rows without a campaign,
and rows of campaigns that have no line of their own there).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractQuarter

from budget.models import BudgetLine
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


def metric_spend(plan: Plan) -> dict[tuple[int, int | None, int], Decimal]:
    """Spend per (channel, campaign, quarter) of the plan's year, in one query."""
    rows = (
        DailyMetric.objects.filter(plan=plan, date__year=plan.year)
        .annotate(quarter=ExtractQuarter("date"))
        .values("channel_id", "campaign_id", "quarter")
        .annotate(spend=Sum("spend"))
        .order_by()
    )
    return {
        (r["channel_id"], r["campaign_id"], r["quarter"]): Decimal(r["spend"] or 0) for r in rows
    }


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
    return {x.pk: Spent(actual=actual[x.pk]) for x in all_lines}


def movable(line: BudgetLine) -> Decimal:
    """What may still leave the line: planned minus committed and spent (never below 0)."""
    spent = spent_by_line(line.plan, list(BudgetLine.objects.filter(plan_id=line.plan_id))).get(
        line.pk, Spent()
    )
    return max(line.planned - spent.used, ZERO)
