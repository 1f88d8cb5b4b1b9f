"""Reads of competitor tracking shared by the pages and the API (no N+1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db.models import Count, Max, QuerySet

from kpis.models import Kpi
from monitoring.analytics import competition
from monitoring.competitors import (
    OURS_KINDS,
    Competitor,
    CompetitorObservation,
    Feature,
    FeatureValue,
    ObservationKind,
    product_key,
)
from planner.models import Plan

#: The KPI kind whose target is the share-of-voice goal.
SOV_KPI_KIND = "share_of_voice"


def competitors(plan: Plan) -> QuerySet[Competitor]:
    return Competitor.objects.filter(plan=plan).order_by("sort_order", "name", "pk")


def observations(plan: Plan) -> QuerySet[CompetitorObservation]:
    return CompetitorObservation.objects.filter(plan=plan).select_related(
        "competitor", "recorded_by"
    )


def timeline(
    plan: Plan, competitor: Competitor | None, kind: str | None = None
) -> QuerySet[CompetitorObservation]:
    """A brand's observations, newest first (``competitor`` None: our own figures)."""
    found = observations(plan).filter(competitor=competitor)
    if kind:
        found = found.filter(kind=kind)
    return found.order_by("-observed_on", "-pk")


@dataclass
class CompetitorRow:
    competitor: Competitor
    observations: int
    last: CompetitorObservation | None
    share_of_voice: float | None


def overview(plan: Plan, sov: pd.DataFrame) -> list[CompetitorRow]:
    """Every competitor with its number of observations, its latest one and its share of
    voice in the latest month that has figures (three queries in all)."""
    found = list(
        competitors(plan).annotate(
            n=Count("observations"), last_on=Max("observations__observed_on")
        )
    )
    latest: dict[int, CompetitorObservation] = {}
    for obs in (
        # the last thing seen, not the last monthly figure
        CompetitorObservation.objects.filter(plan=plan, competitor__isnull=False)
        .exclude(kind__in=OURS_KINDS)
        .order_by("competitor_id", "-observed_on", "-pk")
        .only("pk", "competitor_id", "kind", "title", "observed_on")
    ):
        latest.setdefault(obs.competitor_id or 0, obs)
    shares = latest_shares(sov)
    return [CompetitorRow(c, c.n, latest.get(c.pk), shares.get(str(c.pk))) for c in found]


def latest_shares(sov: pd.DataFrame) -> dict[str, float]:
    """Brand key → share of voice in the latest month with mentions."""
    if sov.empty:
        return {}
    valid = sov.dropna(subset=["share"])
    if valid.empty:
        return {}
    month = valid["month"].max()
    rows = valid[valid["month"] == month]
    return {str(b): float(s) for b, s in zip(rows["brand"], rows["share"], strict=True)}


def voice_frame(plan: Plan) -> pd.DataFrame:
    """Mentions per month and brand (``us`` or the competitor's id as text), this plan's
    year, and each brand's share of voice (:func:`competition.share_of_voice`)."""
    rows = CompetitorObservation.objects.filter(
        plan=plan, kind=ObservationKind.VOICE, observed_on__year=plan.year, mentions__isnull=False
    ).values_list("observed_on", "competitor_id", "mentions")
    frame = pd.DataFrame(
        [(d.replace(day=1), product_key(c), int(m or 0)) for d, c, m in rows],
        columns=["month", "brand", "mentions"],
    )
    return competition.share_of_voice(frame)


@dataclass
class SovGoal:
    """Our share-of-voice goal: from the plan's KPI of kind ``share_of_voice``."""

    kpi: Kpi | None
    annual: Decimal | None = None
    monthly: dict[date, Decimal] = field(default_factory=dict)


def sov_goal(plan: Plan) -> SovGoal:
    """The goal line: the KPI's monthly breakdown where it has one, else its annual target."""
    kpi = Kpi.objects.filter(plan=plan, kind=SOV_KPI_KIND).order_by("sort_order", "pk").first()
    if kpi is None:
        return SovGoal(None)
    goal = SovGoal(kpi, kpi.annual_target)
    values = kpi.month_values() if len(kpi.months or []) == 12 else []
    for month in range(1, 13):
        value = values[month - 1] if values else kpi.annual_target
        if value is not None:
            goal.monthly[date(plan.year, month, 1)] = value
    return goal


def share_of_voice(plan: Plan) -> dict[str, Any]:
    """What the chart and the API show: per month, every brand's mentions and share, and
    the goal."""
    sov = voice_frame(plan)
    names = {str(c.pk): c.name for c in competitors(plan)}
    goal = sov_goal(plan)
    months: list[dict[str, Any]] = []
    for month, group in sov.groupby("month", sort=True):
        brands = []
        for brand, mentions, share in zip(
            group["brand"], group["mentions"], group["share"], strict=True
        ):
            brands.append(
                {
                    "brand": brand,
                    "competitor": None if brand == competition.US else int(brand),
                    "name": names.get(brand, ""),
                    "mentions": int(mentions),
                    "share": None if pd.isna(share) else float(share),
                }
            )
        goal_value = goal.monthly.get(month)
        ours = next((b for b in brands if b["brand"] == competition.US), None)
        months.append(
            {
                "month": month,
                "our_share": ours["share"] if ours else None,
                "total_mentions": int(group["mentions"].sum()),
                "brands": brands,
                "goal": None if goal_value is None else float(goal_value),
            }
        )
    return {"goal": goal, "months": months, "names": names}


@dataclass
class Matrix:
    features: list[Feature]
    products: list[tuple[str, Competitor | None]]  # (key, competitor or None for us)
    cells: dict[tuple[int, str], FeatureValue]
    coverage: dict[str, competition.Coverage]

    def groups(self) -> list[tuple[str, list[tuple[Feature, list[tuple[str, Any]]]]]]:
        """The features by group, each with its cells in product order (None: no value)."""
        out: list[tuple[str, list[tuple[Feature, list[tuple[str, Any]]]]]] = []
        for feature in self.features:
            if not out or out[-1][0] != feature.group:
                out.append((feature.group, []))
            cells = [(key, self.cells.get((feature.pk, key))) for key, _c in self.products]
            out[-1][1].append((feature, cells))
        return out


def matrix(plan: Plan, *, include_inactive: bool = False) -> Matrix:
    """Features × products (us first, then the tracked competitors) with their cells and
    each product's weighted coverage."""
    features = list(Feature.objects.filter(plan=plan).order_by("group", "sort_order", "name", "pk"))
    rivals = competitors(plan)
    if not include_inactive:
        rivals = rivals.filter(is_active=True)
    products: list[tuple[str, Competitor | None]] = [(competition.US, None)]
    products += [(str(c.pk), c) for c in rivals]
    cells = {
        (cell.feature_id, product_key(cell.competitor_id)): cell
        for cell in FeatureValue.objects.filter(feature__plan=plan)
    }
    coverage = {
        key: competition.coverage(
            (float(f.weight), cells[(f.pk, key)].level) for f in features if (f.pk, key) in cells
        )
        for key, _c in products
    }
    return Matrix(features, products, cells, coverage)
