"""Reads of the channel section shared by pages, API and jobs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Sum

from channels.models import (
    Channel,
    ChannelFamily,
    ChannelPlan,
    Cooperation,
    Creator,
    CreatorTier,
)

if TYPE_CHECKING:
    from planner.models import Plan

QUARTERS = (1, 2, 3, 4)
ZERO = Decimal(0)


def channels_by_family(plan: Plan) -> list[tuple[ChannelFamily, list[Channel]]]:
    channels = list(Channel.objects.filter(plan=plan).order_by("sort_order", "code"))
    return [(family, [c for c in channels if c.family == family]) for family in ChannelFamily]


def channel_counts(plan: Plan) -> dict[str, int]:
    """Active channels per family code."""
    counts = Counter(
        Channel.objects.filter(plan=plan, is_active=True).values_list("family", flat=True)
    )
    return {family.value: counts.get(family.value, 0) for family in ChannelFamily}


# --- the channels × quarters matrix ----------------------------------------------------


@dataclass
class MatrixRow:
    channel: Channel
    cells: list[ChannelPlan | None]  # one per quarter

    @property
    def total(self) -> Decimal:
        return sum((c.budget for c in self.cells if c is not None), ZERO)


@dataclass
class FamilyBlock:
    family: ChannelFamily
    rows: list[MatrixRow]
    totals: list[Decimal] = field(default_factory=list)  # per quarter

    @property
    def total(self) -> Decimal:
        return sum(self.totals, ZERO)


@dataclass
class Matrix:
    families: list[FamilyBlock]
    totals: list[Decimal]  # per quarter, all channels

    @property
    def total(self) -> Decimal:
        return sum(self.totals, ZERO)


def matrix(plan: Plan, *, active_only: bool = False) -> Matrix:
    """Every channel with its four quarterly plans and the budget totals per
    quarter, per family and for the year (3 queries)."""
    channels = (
        Channel.objects.filter(plan=plan)
        .prefetch_related(
            Prefetch(
                "quarter_plans",
                queryset=ChannelPlan.objects.select_related("owner").prefetch_related("kpis"),
            )
        )
        .order_by("sort_order", "code")
    )
    if active_only:
        channels = channels.filter(is_active=True)
    blocks = []
    for family in ChannelFamily:
        rows = []
        for channel in channels:
            if channel.family != family:
                continue
            by_quarter = {cell.quarter: cell for cell in channel.quarter_plans.all()}
            rows.append(MatrixRow(channel, [by_quarter.get(q) for q in QUARTERS]))
        totals = [
            sum((c.budget for r in rows if (c := r.cells[q - 1]) is not None), ZERO)
            for q in QUARTERS
        ]
        blocks.append(FamilyBlock(family, rows, totals))
    totals = [sum((b.totals[q - 1] for b in blocks), ZERO) for q in QUARTERS]
    return Matrix(blocks, totals)


# --- the KOL/KOC programme -----------------------------------------------------------------


def _ratio(numerator: Decimal, denominator: Decimal | int) -> Decimal | None:
    """None when the denominator is zero: "no conversions" is not "free"."""
    if not denominator:
        return None
    return round(Decimal(numerator) / Decimal(denominator), 4)


@dataclass
class Results:
    """Totals of cooperations and the cost and return figures derived from them."""

    cooperations: int = 0
    fee: Decimal = ZERO
    views: int = 0
    engagements: int = 0
    clicks: int = 0
    conversions: int = 0
    gmv: Decimal = ZERO

    @property
    def cost_per_engagement(self) -> Decimal | None:
        return _ratio(self.fee, self.engagements)

    @property
    def cost_per_conversion(self) -> Decimal | None:
        return _ratio(self.fee, self.conversions)

    @property
    def roi(self) -> Decimal | None:
        """GMV per yuan of fees (None with no fee: nothing was spent to compare)."""
        return _ratio(self.gmv, self.fee)

    @property
    def engagement_rate(self) -> Decimal | None:
        return _ratio(Decimal(self.engagements), self.views)

    def add(self, other: Results) -> None:
        self.cooperations += other.cooperations
        self.fee += other.fee
        self.views += other.views
        self.engagements += other.engagements
        self.clicks += other.clicks
        self.conversions += other.conversions
        self.gmv += other.gmv


RESULT_SUMS = {
    "n": Count("cooperations"),
    "fee_sum": Sum("cooperations__fee"),
    "views_sum": Sum("cooperations__views"),
    "engagements_sum": Sum("cooperations__engagements"),
    "clicks_sum": Sum("cooperations__clicks"),
    "conversions_sum": Sum("cooperations__conversions"),
    "gmv_sum": Sum("cooperations__gmv"),
}


@dataclass
class CreatorRow:
    creator: Creator
    results: Results


@dataclass
class TierBlock:
    tier: CreatorTier
    creators: list[CreatorRow]
    results: Results


def roster(plan: Plan) -> list[TierBlock]:
    """Creators by tier with their summed cooperation results (1 query)."""
    creators = (
        Creator.objects.filter(plan=plan)
        .select_related("contact_owner")
        .annotate(**RESULT_SUMS)
        .order_by("tier", "-followers", "name")
    )
    blocks = {tier: TierBlock(tier, [], Results()) for tier in CreatorTier}
    for creator in creators:
        results = Results(
            cooperations=creator.n,  # type: ignore[attr-defined]
            fee=creator.fee_sum or ZERO,  # type: ignore[attr-defined]
            views=creator.views_sum or 0,  # type: ignore[attr-defined]
            engagements=creator.engagements_sum or 0,  # type: ignore[attr-defined]
            clicks=creator.clicks_sum or 0,  # type: ignore[attr-defined]
            conversions=creator.conversions_sum or 0,  # type: ignore[attr-defined]
            gmv=creator.gmv_sum or ZERO,  # type: ignore[attr-defined]
        )
        block = blocks[CreatorTier(creator.tier)]
        block.creators.append(CreatorRow(creator, results))
        block.results.add(results)
    return list(blocks.values())


def programme_totals(blocks: list[TierBlock]) -> Results:
    total = Results()
    for block in blocks:
        total.add(block.results)
    return total


def cooperations(plan: Plan, limit: int = 200) -> list[Cooperation]:
    return list(
        Cooperation.objects.filter(creator__plan=plan)
        .select_related("creator")
        .order_by("-date", "-id")[:limit]
    )


# --- diversification ---------------------------------------------------------------------


@dataclass
class Share:
    key: str
    label: str
    budget: Decimal
    share: Decimal | None
    family_label: str = ""


def budget_shares(m: Matrix) -> tuple[list[Share], list[Share]]:
    """Share of the planned budget by family and by channel."""
    total = m.total
    families = [
        Share(b.family.value, str(b.family.label), b.total, _ratio(b.total, total))
        for b in m.families
    ]
    channels = sorted(
        (
            Share(
                r.channel.code,
                r.channel.display_name,
                r.total,
                _ratio(r.total, total),
                str(b.family.label),
            )
            for b in m.families
            for r in b.rows
            if r.total
        ),
        key=lambda s: s.budget,
        reverse=True,
    )
    return families, channels


def planned_result_shares(plan: Plan) -> tuple[str, list[Share]]:
    """Share of a planned result by channel, from the first KPI that has a split by
    channel (revenue before new users before anything else). Actual results per
    channel come with the monitoring section."""
    from kpis.models import Kpi

    kpis = [k for k in Kpi.objects.filter(plan=plan).exclude(channel_split={}) if k.channel_split]
    if not kpis:
        return "", []
    preferred = {"revenue": 0, "new_users": 1, "orders": 2}
    kpi = min(kpis, key=lambda k: (preferred.get(k.code, 9), k.sort_order))
    total = sum((Decimal(v) for v in kpi.channel_split.values()), ZERO)
    names = {c.code: c.display_name for c in Channel.objects.filter(plan=plan)}
    shares = [
        Share(code, names.get(code, code), Decimal(v), _ratio(Decimal(v), total))
        for code, v in kpi.channel_split.items()
    ]
    return kpi.name, sorted(shares, key=lambda s: s.budget, reverse=True)
