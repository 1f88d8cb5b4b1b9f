"""ROI arithmetic of the plan's ROI definition (pure; money as Decimal, rates as floats).

value = revenue (revenue basis) or revenue × gross margin (margin basis);
cost = media spend + the other costs the definition counts;
ROI = (value − cost) ÷ cost; ROAS = revenue ÷ media spend; CPA = cost ÷ conversions;
CPM = cost ÷ impressions × 1000; cost per click / per visit = cost ÷ clicks / visits.
LTV-corrected: value + the future value of the period's new users (their value after the
period, see ``ltv.future_value``, already on the definition's basis); ROI with LTV =
(that − cost) ÷ cost, never below the in-period ROI.
Every ratio is None where its denominator is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


def ratio(numerator: Decimal | float, denominator: Decimal | float) -> float | None:
    if not denominator:
        return None
    return float(numerator) / float(denominator)


@dataclass(frozen=True)
class Figures:
    spend: Decimal
    other_costs: Decimal
    cost: Decimal
    revenue: Decimal
    value: Decimal
    impressions: int
    clicks: int
    visits: int
    conversions: int
    new_users: int
    roi: float | None
    roas: float | None
    cpa: float | None
    cpm: float | None
    cpc: float | None
    cost_per_visit: float | None
    ltv_per_user: float | None = None
    future_value: Decimal | None = None
    ltv_value: Decimal | None = None
    roi_ltv: float | None = None


def figures(
    *,
    revenue: Decimal,
    spend: Decimal,
    other_costs: Decimal = Decimal(0),
    value_share: Decimal = Decimal(1),
    impressions: int = 0,
    clicks: int = 0,
    visits: int = 0,
    conversions: int = 0,
    new_users: int = 0,
    ltv_per_user: float | None = None,
    future_value: Decimal | float | None = None,
) -> Figures:
    """The ROI figures of one row (a channel, a campaign or the plan)."""
    cost = spend + other_costs
    value = (revenue * value_share).quantize(Decimal("0.01"))
    ltv_value = future = None
    roi_ltv = None
    if future_value is not None:
        future = max(Decimal(str(future_value)), Decimal(0)).quantize(Decimal("0.01"))
        ltv_value = value + future
        roi_ltv = ratio(ltv_value - cost, cost)
    cpm = ratio(cost, impressions)
    return Figures(
        spend=spend,
        other_costs=other_costs,
        cost=cost,
        revenue=revenue,
        value=value,
        impressions=impressions,
        clicks=clicks,
        visits=visits,
        conversions=conversions,
        new_users=new_users,
        roi=ratio(value - cost, cost),
        roas=ratio(revenue, spend),
        cpa=ratio(cost, conversions),
        cpm=None if cpm is None else cpm * 1000,
        cpc=ratio(cost, clicks),
        cost_per_visit=ratio(cost, visits),
        ltv_per_user=ltv_per_user,
        future_value=future,
        ltv_value=ltv_value,
        roi_ltv=roi_ltv,
    )


def split(amount: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    """``amount`` shared in proportion to ``weights`` (evenly when they are all 0); the
    cents left by rounding go to the largest share, so the parts add up exactly."""
    if not weights:
        return {}
    total = sum(weights.values(), Decimal(0))
    keys = sorted(weights)
    if total > 0:
        parts = {k: (amount * weights[k] / total).quantize(Decimal("0.01")) for k in keys}
    else:
        parts = {k: (amount / len(keys)).quantize(Decimal("0.01")) for k in keys}
    largest = max(keys, key=lambda k: (parts[k], -k))
    parts[largest] += amount - sum(parts.values(), Decimal(0))
    return parts
