"""Reads of the content section: the calendar with its festival layer and overlap
flags, asset flags, the licence expiry report and feedback SLA figures."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from channels.models import Channel
from content import festivals as festival_calendar
from content.models import Asset, AssetElement, Campaign, InteractionMechanism, Licence
from content.services import publish_problems

if TYPE_CHECKING:
    from planner.models import Plan

REPORT_HORIZONS = (30, 60, 90)


@dataclass(frozen=True)
class FestivalDay:
    """A festival of the plan year, with its name in the reader's language."""

    code: str
    name: str
    kind: str
    start: date
    end: date
    peak: date


def festival_layer(year: int) -> list[FestivalDay]:
    """The plan year's festivals (computed, never typed), names translated; none for a
    year outside the calendar the festival module covers (1901–2099)."""
    if not festival_calendar.MIN_YEAR <= year <= festival_calendar.MAX_YEAR:
        return []
    return [
        FestivalDay(f.code, _(f.name), f.kind, f.start, f.end, f.peak)
        for f in festival_calendar.festivals(year)
    ]


def festival_name(code: str, year: int) -> str:
    return next((f.name for f in festival_layer(year) if f.code == code), code)


@dataclass(frozen=True)
class Overlap:
    other: Campaign
    channels: tuple[Channel, ...]
    start: date
    end: date


def _audience_key(audience: str) -> str:
    return " ".join(audience.casefold().split())


def overlaps(campaigns: Sequence[Campaign]) -> dict[int, list[Overlap]]:
    """Campaigns that run at the same time on the same channel for the same audience.

    Two campaigns clash when their dates share a day, they share at least one channel
    and their audiences are the same (ignoring case and spacing; an empty audience is
    "everyone", which clashes only with another empty one). Each clash is listed on
    both campaigns. The channels must be prefetched.
    """
    ordered = sorted(campaigns, key=lambda c: (c.start, c.end, c.pk))
    found: dict[int, list[Overlap]] = defaultdict(list)
    active: list[Campaign] = []
    for campaign in ordered:
        active = [a for a in active if a.end >= campaign.start]
        mine = {c.pk: c for c in campaign.channels.all()}
        for other in active:
            if _audience_key(other.audience) != _audience_key(campaign.audience):
                continue
            shared = tuple(c for c in other.channels.all() if c.pk in mine)
            if not shared:
                continue
            start, end = max(campaign.start, other.start), min(campaign.end, other.end)
            found[campaign.pk].append(Overlap(other, shared, start, end))
            found[other.pk].append(Overlap(campaign, shared, start, end))
        active.append(campaign)
    return dict(found)


@dataclass(frozen=True)
class Filters:
    channel: int | None = None
    theme: str = ""
    status: str = ""

    @property
    def active(self) -> bool:
        return bool(self.channel or self.theme or self.status)


def campaign_queryset(plan: Plan) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(plan=plan)
        .select_related("owner")
        .prefetch_related(Prefetch("channels", queryset=Channel.objects.order_by("sort_order")))
        .order_by("start", "end", "code")
    )


@dataclass
class Calendar:
    """The plan's campaigns (filtered) with festivals, overlaps and spill-overs."""

    plan: Plan
    campaigns: list[Campaign]
    festivals: list[FestivalDay]
    overlaps: dict[int, list[Overlap]]
    filters: Filters
    spill: set[int] = field(default_factory=set)

    def in_range(self, start: date, end: date) -> list[Campaign]:
        return [c for c in self.campaigns if c.start <= end and c.end >= start]

    def festivals_in(self, start: date, end: date) -> list[FestivalDay]:
        return [f for f in self.festivals if f.start <= end and f.end >= start]


def calendar(plan: Plan, filters: Filters | None = None) -> Calendar:
    """Everything the calendar views draw, in a fixed number of queries.

    Overlaps are computed over all of the plan's campaigns, so a filter never hides
    the fact that a shown campaign clashes with a hidden one.
    """
    filters = filters or Filters()
    every = list(campaign_queryset(plan))
    clashes = overlaps(every)
    shown = [
        c
        for c in every
        if (not filters.theme or c.theme == filters.theme)
        and (not filters.status or c.status == filters.status)
        and (not filters.channel or any(ch.pk == filters.channel for ch in c.channels.all()))
    ]
    return Calendar(
        plan=plan,
        campaigns=shown,
        festivals=festival_layer(plan.year),
        overlaps=clashes,
        filters=filters,
        spill={c.pk for c in every if c.spills_over(plan.year)},
    )


# --- assets and licences ---------------------------------------------------------------------


@dataclass(frozen=True)
class AssetRow:
    asset: Asset
    elements: list[AssetElement]
    missing_layers: list[str]
    licence_problems: list[str]


def asset_rows(assets: Iterable[Asset], today: date) -> list[AssetRow]:
    """Each asset with the flags the pages show: missing content layers, licence problems.

    ``assets`` must prefetch ``elements__licence``.
    """
    rows = []
    for asset in assets:
        elements = list(asset.elements.all())
        rows.append(
            AssetRow(
                asset=asset,
                elements=elements,
                missing_layers=[str(label) for label in asset.missing_layers],
                licence_problems=publish_problems(asset, elements, today),
            )
        )
    return rows


def plan_assets(plan: Plan) -> QuerySet[Asset]:
    return (
        Asset.objects.filter(campaign__plan=plan)
        .select_related("campaign", "spec__channel", "owner")
        .prefetch_related(
            Prefetch(
                "elements", queryset=AssetElement.objects.select_related("licence").order_by("id")
            )
        )
        .order_by("campaign__start", "campaign__code", "name", "id")
    )


@dataclass(frozen=True)
class ExpiringLicence:
    licence: Licence
    days_left: int  # negative: expired that many days ago
    horizon: int | None  # the report bucket (30/60/90), None when already expired
    assets: list[Asset]


def licence_expiry(plan: Plan, today: date, horizon: int = 90) -> list[ExpiringLicence]:
    """Licences expiring within ``horizon`` days of ``today``, plus expired ones still in use.

    Each comes with its bucket (expiring within 30, 60 or 90 days) and the assets that
    use it, soonest first.
    """
    until = today + timedelta(days=horizon)
    licences = (
        Licence.objects.filter(plan=plan, expires__isnull=False, expires__lte=until)
        .prefetch_related(
            Prefetch(
                "elements",
                queryset=AssetElement.objects.select_related("asset").order_by("asset__name"),
            )
        )
        .order_by("expires", "name")
    )
    report = []
    for licence in licences:
        assert licence.expires is not None
        assets = list({e.asset_id: e.asset for e in licence.elements.all()}.values())
        days = (licence.expires - today).days
        if days < 0 and not assets:
            continue  # expired and unused: nothing to act on
        buckets = sorted({*REPORT_HORIZONS, horizon})
        bucket = next((h for h in buckets if days <= h), None) if days >= 0 else None
        report.append(ExpiringLicence(licence, days, bucket, assets))
    return report


# --- feedback SLA ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaFigures:
    samples: int
    median: float | None
    p90: float | None
    within_sla: float | None  # share of responses within the SLA, 0–1
    breached: bool  # the 90th percentile is over the SLA


def sla_figures(mechanism: InteractionMechanism) -> SlaFigures:
    """Measured response times against the feedback channel's SLA."""
    samples = sorted(float(v) for v in mechanism.response_hours or [])
    if not samples:
        return SlaFigures(0, None, None, None, False)
    median = statistics.median(samples)
    # "inclusive": interpolated between measured times, never beyond the slowest one
    # (the default "exclusive" method extrapolates on small samples: 2.7 h for [1, 2]).
    p90 = (
        samples[0]
        if len(samples) == 1
        else statistics.quantiles(samples, n=10, method="inclusive")[-1]
    )
    sla = float(mechanism.sla_hours) if mechanism.sla_hours is not None else None
    within = sum(1 for v in samples if v <= sla) / len(samples) if sla is not None else None
    return SlaFigures(len(samples), median, p90, within, sla is not None and p90 > sla)
