"""Reads of the ROI model: revenue per channel by the definition's attribution model, the
layered ROI tables (in-period and LTV-corrected), and the budget scenarios evaluated on
the stored response curves (no refit)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Sum
from django.utils.translation import gettext as _

from channels.models import Channel, ChannelGroup, Cooperation, RoiLayer
from content.models import Campaign, CampaignStatus
from monitoring.analytics import ltv as ltv_lib
from monitoring.analytics import response
from monitoring.analytics import roi as roi_lib
from monitoring.models import DailyMetric, MetricRollup, Period
from monitoring.roi.models import (
    Department,
    ResponseCurve,
    RoiAttribution,
    RoiBasis,
    RoiCohort,
    RoiDefinition,
    RoiSignoff,
)
from monitoring.roi.services import definition_for, standing_signoffs
from planner.models import Plan

COUNTED_CAMPAIGNS = (
    CampaignStatus.PLANNED,
    CampaignStatus.IN_PRODUCTION,
    CampaignStatus.LIVE,
    CampaignStatus.DONE,
)
TOTAL_CHANGES = (-0.3, -0.2, -0.1, 0.1, 0.2, 0.3)
COUNTS = ("impressions", "clicks", "visits", "conversions", "new_users")


# --- the definition, as shown everywhere --------------------------------------------------------


def _pct(value: Any) -> str:
    return f"{format((Decimal(str(value)) * 100).normalize(), 'f')} %"


def definition_summary(definition: RoiDefinition, signoffs: dict[str, RoiSignoff]) -> str:
    """One line that says what an ROI figure means (shown next to every one)."""
    if definition.basis == RoiBasis.MARGIN:
        value = _("revenue × %(margin)s gross margin") % {"margin": _pct(definition.gross_margin)}
    else:
        value = _("revenue")
    costs = [_("media spend")]
    if definition.include_production:
        costs.append(_("campaign budgets"))
    if definition.include_kol_fees:
        costs.append(_("KOL fees"))
    cost = " + ".join(str(c) for c in costs)
    agreed = set(signoffs) == set(Department.values)
    return _(
        "ROI = (%(value)s − costs) ÷ costs; costs = %(cost)s; revenue: %(attribution)s; "
        "LTV over %(months)s months at %(discount)s a year; version %(version)s, %(status)s"
    ) % {
        "value": value,
        "cost": cost,
        "attribution": RoiAttribution(definition.attribution_model).label,
        "months": definition.ltv_horizon_months,
        "discount": _pct(definition.discount_rate),
        "version": definition.version,
        "status": _("agreed by finance and operations") if agreed else _("not yet agreed"),
    }


@dataclass
class DefinitionView:
    definition: RoiDefinition
    signoffs: dict[str, RoiSignoff]
    summary: str
    agreed: bool
    history: list[RoiSignoff]
    departments: list[tuple[str, str, RoiSignoff | None]]


def definition_view(plan: Plan) -> DefinitionView:
    definition = definition_for(plan)
    signoffs = standing_signoffs(definition)
    history = list(
        RoiSignoff.objects.filter(definition=definition, cleared_at__isnull=False)
        .select_related("signed_by")
        .order_by("-signed_at")[:20]
    )
    return DefinitionView(
        definition=definition,
        signoffs=signoffs,
        summary=definition_summary(definition, signoffs),
        agreed=set(signoffs) == set(Department.values),
        history=history,
        departments=[(d.value, str(d.label), signoffs.get(d.value)) for d in Department],
    )


# --- revenue and costs --------------------------------------------------------------------------


def _year_rows(plan: Plan, key: str) -> list[MetricRollup]:
    rows = MetricRollup.objects.filter(plan=plan, period=Period.YEAR, start__year=plan.year)
    return [r for r in rows.filter(**{f"{key}__isnull": False}) if getattr(r, f"{key}_id")]


def channel_revenue(plan: Plan, definition: RoiDefinition) -> dict[int, Decimal]:
    """The revenue each channel is credited with, by the definition's attribution model.

    THE one place attributed revenue enters the ROI model (tables and scenarios): today
    every model reads the revenue the platforms reported in the daily metrics; an
    attribution model's stored credited value replaces it here once it is computed.
    """
    return {r.channel_id: r.revenue for r in _year_rows(plan, "channel") if r.channel_id}


def attribution_available(definition: RoiDefinition) -> bool:
    """Whether the revenue shown is the one the definition names (see channel_revenue)."""
    return definition.attribution_model == RoiAttribution.PLATFORM


@dataclass
class Costs:
    """The costs the definition counts besides media spend, per channel and campaign."""

    by_channel: dict[int, Decimal] = field(default_factory=dict)
    by_campaign: dict[int, Decimal] = field(default_factory=dict)
    unallocated: Decimal = Decimal(0)
    production: Decimal = Decimal(0)
    kol_fees: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.production + self.kol_fees


def other_costs(plan: Plan, definition: RoiDefinition, channels: list[Channel]) -> Costs:
    """Campaign budgets (production) shared over a campaign's channels by its media spend
    on each (evenly without metrics); KOL cooperation fees of the year shared over the
    creator channels. What has no channel stays unallocated (the plan total only)."""
    costs = Costs()
    by_channel: dict[int, Decimal] = defaultdict(Decimal)
    active = {c.pk for c in channels}
    if definition.include_production:
        campaigns = list(
            Campaign.objects.filter(
                plan=plan, status__in=COUNTED_CAMPAIGNS, budget__gt=0
            ).prefetch_related("channels")
        )
        spend: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for row in (
            DailyMetric.objects.filter(plan=plan, campaign__isnull=False, date__year=plan.year)
            .values("campaign_id", "channel_id")
            .annotate(spend=Sum("spend"))
            .order_by()
        ):
            spend[row["campaign_id"]][row["channel_id"]] = row["spend"] or Decimal(0)
        for campaign in campaigns:
            costs.production += campaign.budget
            costs.by_campaign[campaign.pk] = campaign.budget
            weights = spend.get(campaign.pk) or {
                c.pk: Decimal(0) for c in campaign.channels.all() if c.pk in active
            }
            parts = roi_lib.split(campaign.budget, weights)
            if not parts:
                costs.unallocated += campaign.budget
            for channel_id, part in parts.items():
                by_channel[channel_id] += part
    if definition.include_kol_fees:
        fees = Cooperation.objects.filter(creator__plan=plan, date__year=plan.year).aggregate(
            total=Sum("fee")
        )["total"] or Decimal(0)
        costs.kol_fees = fees
        creators = {c.pk: Decimal(0) for c in channels if c.group == ChannelGroup.CREATORS}
        parts = roi_lib.split(fees, creators) if fees else {}
        if fees and not parts:
            costs.unallocated += fees
        for channel_id, part in parts.items():
            by_channel[channel_id] += part
    costs.by_channel = dict(by_channel)
    return costs


# --- LTV ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelLtv:
    per_user: float
    source: str  # "channel" | "plan" (plan-wide cohorts) | "all" (every cohort blended)
    cohorts: int
    curve: list[float]


def _cohort(c: RoiCohort) -> ltv_lib.Cohort:
    return ltv_lib.Cohort(users=c.users, retention=c.retention, arpu=float(c.arpu))


def ltv_by_channel(plan: Plan, definition: RoiDefinition) -> dict[int | None, ChannelLtv]:
    """LTV per user for each channel with cohorts; key None: the fallback for the rest
    (the plan-wide cohorts, else every cohort blended)."""
    cohorts = list(RoiCohort.objects.filter(plan=plan))
    if not cohorts:
        return {}
    margin = definition.value_share
    horizon, discount = definition.ltv_horizon_months, float(definition.discount_rate)
    groups: dict[int | None, list[RoiCohort]] = defaultdict(list)
    for c in cohorts:
        groups[c.channel_id].append(c)
    found: dict[int | None, ChannelLtv] = {}
    for key, members in groups.items():
        result = ltv_lib.lifetime_value(
            [_cohort(c) for c in members],
            horizon_months=horizon,
            annual_discount=discount,
            margin=margin,
        )
        if result is not None:
            found[key] = ChannelLtv(
                result.per_user, "channel" if key else "plan", len(members), result.curve
            )
    if None not in found:
        result = ltv_lib.lifetime_value(
            [_cohort(c) for c in cohorts],
            horizon_months=horizon,
            annual_discount=discount,
            margin=margin,
        )
        if result is not None:
            found[None] = ChannelLtv(result.per_user, "all", len(cohorts), result.curve)
    return found


# --- the layered tables -------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    name: str
    layer: str
    figures: roi_lib.Figures
    ltv_source: str | None = None
    below_floor: bool = False
    id: int | None = None


@dataclass
class Report:
    definition: DefinitionView
    currency: str
    channels: list[Row]
    campaigns: list[Row]
    total: Row
    costs: Costs
    layer_totals: dict[str, Row]
    has_data: bool
    attribution_available: bool

    def layer(self, layer: str) -> dict[str, Any]:
        return {
            "channels": [r for r in self.channels if r.layer == layer],
            "campaigns": [r for r in self.campaigns if r.layer == layer],
            "total": self.layer_totals.get(layer),
        }


def _sum_figures(
    rows: list[Row], value_share: Decimal, extra: Decimal = Decimal(0)
) -> roi_lib.Figures:
    ltv_rows = [r for r in rows if r.figures.ltv_value is not None]
    figures = roi_lib.figures(
        revenue=sum((r.figures.revenue for r in rows), Decimal(0)),
        spend=sum((r.figures.spend for r in rows), Decimal(0)),
        other_costs=sum((r.figures.other_costs for r in rows), Decimal(0)) + extra,
        value_share=value_share,
        **{name: sum(getattr(r.figures, name) for r in rows) for name in COUNTS},
    )
    if ltv_rows and len(ltv_rows) == len(rows):
        ltv_value = sum((r.figures.ltv_value or Decimal(0) for r in rows), Decimal(0))
        figures = roi_lib.Figures(
            **{
                **figures.__dict__,
                "ltv_value": ltv_value,
                "ltv_per_user": roi_lib.ratio(ltv_value, figures.new_users),
                "roi_ltv": roi_lib.ratio(ltv_value - figures.cost, figures.cost),
            }
        )
    return figures


def report(plan: Plan) -> Report:
    """The layered ROI of the plan's year: channels and campaigns by layer, in-period and
    LTV-corrected, with the plan total (which carries the unallocated costs)."""
    view = definition_view(plan)
    definition = view.definition
    share = Decimal(str(definition.value_share))
    floor = float(definition.roi_floor)
    channels = list(Channel.objects.filter(plan=plan).order_by("sort_order", "code"))
    by_id = {c.pk: c for c in channels}
    revenue = channel_revenue(plan, definition)
    costs = other_costs(plan, definition, [c for c in channels if c.is_active])
    ltvs = ltv_by_channel(plan, definition)
    channel_rows: list[Row] = []
    for r in sorted(
        _year_rows(plan, "channel"),
        key=lambda r: (by_id[r.channel_id or 0].sort_order, by_id[r.channel_id or 0].code),
    ):
        channel = by_id[r.channel_id or 0]
        ltv = ltvs.get(channel.pk) or ltvs.get(None)
        figures = roi_lib.figures(
            revenue=revenue.get(channel.pk, r.revenue),
            spend=r.spend,
            other_costs=costs.by_channel.get(channel.pk, Decimal(0)),
            value_share=share,
            **{name: getattr(r, name) for name in COUNTS},
            ltv_per_user=ltv.per_user if ltv else None,
        )
        channel_rows.append(
            Row(
                key=channel.code,
                name=channel.display_name,
                layer=channel.layer,
                figures=figures,
                ltv_source=(
                    None if ltv is None else ("channel" if channel.pk in ltvs else ltv.source)
                ),
                below_floor=figures.roi is not None and figures.roi < floor,
                id=channel.pk,
            )
        )
    campaigns = {c.pk: c for c in Campaign.objects.filter(plan=plan)}
    campaign_rows = []
    for r in sorted(
        _year_rows(plan, "campaign"),
        key=lambda r: (campaigns[r.campaign_id or 0].start, campaigns[r.campaign_id or 0].code),
    ):
        campaign = campaigns[r.campaign_id or 0]
        figures = roi_lib.figures(
            revenue=r.revenue,
            spend=r.spend,
            other_costs=costs.by_campaign.get(campaign.pk, Decimal(0)),
            value_share=share,
            **{name: getattr(r, name) for name in COUNTS},
        )
        campaign_rows.append(
            Row(
                key=campaign.code,
                name=campaign.name,
                layer=campaign.layer,
                figures=figures,
                below_floor=figures.roi is not None and figures.roi < floor,
                id=campaign.pk,
            )
        )
    # Costs of channels without results this year still count in the plan total.
    shown = {r.id for r in channel_rows}
    costs.unallocated += sum((v for k, v in costs.by_channel.items() if k not in shown), Decimal(0))
    total_figures = _sum_figures(channel_rows, share, costs.unallocated)
    total = Row(
        key="total",
        name=_("Plan total"),
        layer="",
        figures=total_figures,
        below_floor=total_figures.roi is not None and total_figures.roi < floor,
    )
    layer_totals = {}
    for layer in RoiLayer.values:
        rows = [r for r in channel_rows if r.layer == layer]
        if rows:
            f = _sum_figures(rows, share)
            layer_totals[layer] = Row(
                key=layer,
                name=str(RoiLayer(layer).label),
                layer=layer,
                figures=f,
                below_floor=f.roi is not None and f.roi < floor,
            )
    return Report(
        definition=view,
        currency=plan.currency,
        channels=channel_rows,
        campaigns=campaign_rows,
        total=total,
        costs=costs,
        layer_totals=layer_totals,
        has_data=bool(channel_rows),
        attribution_available=attribution_available(definition),
    )


# --- scenarios ----------------------------------------------------------------------------------


@dataclass
class Scenario:
    key: str
    label: str
    outcome: response.Outcome
    delta_revenue: float = 0.0
    delta_spend: float = 0.0


@dataclass
class Scenarios:
    definition: DefinitionView
    curves: list[ResponseCurve]
    fits: dict[str, response.Fit]
    base: dict[str, np.ndarray]
    baseline: Scenario | None
    rows: list[Scenario]
    custom: list[Scenario]
    weeks: int
    other_costs: float
    names: dict[str, str]


def _fit_of(curve: ResponseCurve) -> response.Fit:
    return response.Fit(
        status=curve.status,
        curve=response.Curve.from_list(curve.kind, curve.params),
        samples=[response.Curve.from_list(curve.kind, p) for p in curve.samples],
        weeks=curve.weeks,
        r2=curve.r2,
    )


def curves(plan: Plan) -> list[ResponseCurve]:
    return list(
        ResponseCurve.objects.filter(plan=plan)
        .select_related("channel")
        .order_by("channel__sort_order", "channel__code")
    )


def scenarios(
    plan: Plan,
    *,
    move: tuple[str, str, float] | None = None,
    changes: dict[str, float] | None = None,
) -> Scenarios:
    """The standard scenarios (total budget ±10/20/30 %, each channel removed), and the
    caller's own: ``move`` = (from code, to code, share 0–1), ``changes`` = {code: fraction}.
    Evaluated on the stored curves over the history's full weeks; costs other than media
    spend stay as they are (prorated to those weeks). Unknown codes raise KeyError."""
    view = definition_view(plan)
    definition = view.definition
    stored = curves(plan)
    fits = {c.channel.code: _fit_of(c) for c in stored}
    base = {c.channel.code: np.asarray(c.weekly_spend, dtype=float) for c in stored}
    names = {c.channel.code: c.channel.display_name for c in stored}
    weeks = max((len(c.weekly_spend) for c in stored), default=0)
    active = list(Channel.objects.filter(plan=plan, is_active=True))
    fixed = float(other_costs(plan, definition, active).total)
    days = MetricRollup.objects.filter(
        plan=plan,
        period=Period.DAY,
        channel__isnull=True,
        campaign__isnull=True,
        start__year=plan.year,
    ).count()
    prorated = fixed * min(weeks * 7 / days, 1.0) if days else 0.0
    share = definition.value_share

    def run(key: str, label: str, spend: dict[str, np.ndarray]) -> Scenario:
        outcome = response.evaluate(fits, spend, value_share=share, other_costs=prorated)
        return Scenario(key, label, outcome)

    if move is not None:
        source, target, _share = move
        for code in (source, target):
            if code not in base:
                raise KeyError(code)
    if changes:
        for code in changes:
            if code not in base:
                raise KeyError(code)
    if not stored:
        return Scenarios(view, stored, fits, base, None, [], [], 0, prorated, names)
    baseline = run("baseline", _("Current budget"), base)
    rows = []
    for change in TOTAL_CHANGES:
        rows.append(
            run(
                f"total_{round(change * 100):+d}",
                _("Total budget %(change)s") % {"change": f"{change * 100:+.0f} %"},
                response.total_change(base, change),
            )
        )
    for code in base:
        if float(base[code].sum()) > 0:
            rows.append(
                run(
                    f"remove_{code}",
                    _("Without %(channel)s") % {"channel": names[code]},
                    response.removed(base, code),
                )
            )
    custom = []
    if move is not None:
        source, target, moved_share = move
        custom.append(
            run(
                "move",
                _("%(percent)s of %(source)s moved to %(target)s")
                % {
                    "percent": f"{moved_share * 100:.0f} %",
                    "source": names[source],
                    "target": names[target],
                },
                response.moved(base, source, target, moved_share),
            )
        )
    if changes:
        label = ", ".join(f"{names[c]} {v * 100:+.0f} %" for c, v in changes.items())
        custom.append(run("changes", label, response.adjusted(base, changes)))
    for s in [*rows, *custom]:
        s.delta_revenue = s.outcome.revenue - baseline.outcome.revenue
        s.delta_spend = s.outcome.spend - baseline.outcome.spend
    return Scenarios(view, stored, fits, base, baseline, rows, custom, weeks, prorated, names)
