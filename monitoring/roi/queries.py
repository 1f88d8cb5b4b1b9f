"""Reads of the ROI model: revenue per channel by the definition's attribution model, the
layered ROI tables (in-period and LTV-corrected), and the budget scenarios evaluated on
the stored response curves (no refit)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from channels.models import Channel, ChannelGroup, Cooperation, RoiLayer
from content.models import Campaign, CampaignStatus
from monitoring.analytics import ltv as ltv_lib
from monitoring.analytics import response
from monitoring.analytics import roi as roi_lib
from monitoring.models import AttributionResult, DailyMetric, MetricRollup, Period
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


def definition_summary(
    definition: RoiDefinition, signoffs: dict[str, RoiSignoff], *, fallback: bool = False
) -> str:
    """One line that says what an ROI figure means (shown next to every one). With
    ``fallback`` the definition names an attribution model without stored results, and
    the line says that the platform-reported revenue stands in for it."""
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
    attribution = str(RoiAttribution(definition.attribution_model).label)
    if fallback:
        attribution = _(
            "%(model)s — no results of this model yet, the platform-reported revenue is used"
        ) % {"model": attribution}
    return _(
        "ROI = (%(value)s − costs) ÷ costs; costs = %(cost)s; revenue: %(attribution)s; "
        "LTV over %(months)s months at %(discount)s a year; version %(version)s, %(status)s"
    ) % {
        "value": value,
        "cost": cost,
        "attribution": attribution,
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
    # the revenue the figures use: the definition's model, or "platform" as its stand-in
    revenue_source: str = RoiAttribution.PLATFORM
    fallback: bool = False


def definition_view(plan: Plan) -> DefinitionView:
    definition = definition_for(plan)
    signoffs = standing_signoffs(definition)
    history = list(
        RoiSignoff.objects.filter(definition=definition, cleared_at__isnull=False)
        .select_related("signed_by")
        .order_by("-signed_at")[:20]
    )
    source = revenue_source(plan, definition)
    fallback = source != definition.attribution_model
    return DefinitionView(
        definition=definition,
        signoffs=signoffs,
        summary=definition_summary(definition, signoffs, fallback=fallback),
        agreed=set(signoffs) == set(Department.values),
        history=history,
        departments=[(d.value, str(d.label), signoffs.get(d.value)) for d in Department],
        revenue_source=source,
        fallback=fallback,
    )


# --- revenue and costs --------------------------------------------------------------------------


def _year_rows(plan: Plan, key: str) -> list[MetricRollup]:
    rows = MetricRollup.objects.filter(plan=plan, period=Period.YEAR, start__year=plan.year)
    return [r for r in rows.filter(**{f"{key}__isnull": False}) if getattr(r, f"{key}_id")]


def revenue_source(plan: Plan, definition: RoiDefinition) -> str:
    """The revenue the figures use: the definition's attribution model when the plan has
    stored results of it, else ``platform`` (which the page and the API then flag)."""
    model = definition.attribution_model
    if model == RoiAttribution.PLATFORM:
        return model
    stored = AttributionResult.objects.filter(plan=plan, model=model)
    return model if stored.filter(Q(value__gt=0) | Q(conversions__gt=0)).exists() else "platform"


@dataclass
class Credited:
    """The revenue each channel is credited with for the plan year (see channel_revenue)."""

    by_channel: dict[int, Decimal]
    platform: dict[int, Decimal]  # the year's revenue reported in the metrics
    source: str  # the attribution model used, or "platform"
    requested: str  # the definition's attribution model
    kept: set[int] = field(default_factory=set)  # channels without journeys: platform figure

    @property
    def fallback(self) -> bool:
        return self.source != self.requested

    def scale(self, channel_id: int) -> float:
        """Credited ÷ reported revenue of a channel (1 where it reported none)."""
        reported = self.platform.get(channel_id, Decimal(0))
        if not reported:
            return 1.0
        return float(self.by_channel.get(channel_id, Decimal(0)) / reported)


def channel_revenue(plan: Plan, definition: RoiDefinition) -> Credited:
    """The revenue each channel is credited with, by the definition's attribution model.

    THE one place attributed revenue enters the ROI model (tables, totals and the
    response-curve fits, hence the scenarios). The rule:

    * ``platform`` — each channel's revenue as the platforms reported it in the daily
      metrics of the plan year.
    * an attribution model with stored results (some credit above 0) — the plan's
      total reported revenue T is redistributed: a channel the journeys never touch
      (no result row) keeps its reported revenue (there is no evidence to move it);
      the rest, T − Σ kept, is split over the channels of the journeys in proportion
      to the model's attributed value (its attributed conversions when no journey
      carries a value), to the cent, the rounding cents going to the largest share.
      A journeys channel without metrics (e.g. organic) gets its share too and shows
      as a row without cost. The channels' revenues add up to T exactly.
    * an attribution model without stored results — the reported revenue, flagged as a
      fallback (``Credited.fallback``; the definition line and the API say so).
    """
    platform = {r.channel_id: r.revenue for r in _year_rows(plan, "channel") if r.channel_id}
    requested = str(definition.attribution_model)
    source = revenue_source(plan, definition)
    if source == RoiAttribution.PLATFORM:
        return Credited(dict(platform), platform, source, requested)
    results = list(
        AttributionResult.objects.filter(plan=plan, model=source).values_list(
            "channel_id", "value", "conversions"
        )
    )
    journeys = {channel_id for channel_id, _v, _c in results}
    values = {channel_id: value for channel_id, value, _c in results}
    if not any(values.values()):
        values = {channel_id: Decimal(str(conv)) for channel_id, _v, conv in results}
    kept = set(platform) - journeys
    total = sum(platform.values(), Decimal(0))
    shared = total - sum((platform[c] for c in kept), Decimal(0))
    by_channel = {c: platform[c] for c in kept}
    by_channel.update(roi_lib.split(shared, values))
    return Credited(by_channel, platform, source, requested, kept)


def revenue_note(credited: Credited) -> str:
    """How the channel revenue was obtained (the page and the API say it in words)."""
    requested = str(RoiAttribution(credited.requested).label)
    if credited.fallback:
        return _(
            "No %(model)s attribution results are stored yet (import journeys; the "
            "recompute runs the models): the revenue the platforms reported is used."
        ) % {"model": requested}
    if credited.source == RoiAttribution.PLATFORM:
        return _("Revenue as the platforms reported it in the daily metrics.")
    return _(
        "The plan's reported revenue shared over the channels of the journeys by their "
        "%(model)s attributed value; channels the journeys do not reach keep their reported "
        "revenue. The channels add up to the reported total."
    ) % {"model": requested}


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
    result: ltv_lib.Ltv


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
                result.per_user, "channel" if key else "plan", len(members), result.curve, result
            )
    if None not in found:
        result = ltv_lib.lifetime_value(
            [_cohort(c) for c in cohorts],
            horizon_months=horizon,
            annual_discount=discount,
            margin=margin,
        )
        if result is not None:
            found[None] = ChannelLtv(result.per_user, "all", len(cohorts), result.curve, result)
    return found


def new_users_by_elapsed(plan: Plan) -> dict[int, dict[int, float]]:
    """Per channel, its new users of the plan year by the months they spent in the period
    (1 = acquired in its last month), the period ending with the last month with data."""
    rows = list(
        MetricRollup.objects.filter(
            plan=plan, period=Period.MONTH, start__year=plan.year, channel__isnull=False
        ).values_list("channel_id", "start", "new_users")
    )
    if not rows:
        return {}
    last = max(start.month for _c, start, _n in rows)
    found: dict[int, dict[int, float]] = defaultdict(dict)
    for channel_id, start, users in rows:
        elapsed = last - start.month + 1
        found[channel_id][elapsed] = found[channel_id].get(elapsed, 0.0) + float(users or 0)
    return dict(found)


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
    credited: Credited

    def layer(self, layer: str) -> dict[str, Any]:
        return {
            "channels": [r for r in self.channels if r.layer == layer],
            "campaigns": [r for r in self.campaigns if r.layer == layer],
            "total": self.layer_totals.get(layer),
        }


def _sum_figures(
    rows: list[Row], value_share: Decimal, extra: Decimal = Decimal(0)
) -> roi_lib.Figures:
    """The figures of a group of rows; LTV-corrected only when every row has its LTV."""
    with_ltv = [r for r in rows if r.figures.future_value is not None]
    new_users = sum(r.figures.new_users for r in rows)
    figures = roi_lib.figures(
        revenue=sum((r.figures.revenue for r in rows), Decimal(0)),
        spend=sum((r.figures.spend for r in rows), Decimal(0)),
        other_costs=sum((r.figures.other_costs for r in rows), Decimal(0)) + extra,
        value_share=value_share,
        **{name: sum(getattr(r.figures, name) for r in rows) for name in COUNTS},
        future_value=(
            sum((r.figures.future_value or Decimal(0) for r in rows), Decimal(0))
            if rows and len(with_ltv) == len(rows)
            else None
        ),
    )
    if figures.future_value is not None and new_users:
        # the users-weighted LTV per user of the rows
        lifetime = sum((r.figures.ltv_per_user or 0.0) * r.figures.new_users for r in rows)
        figures = roi_lib.Figures(**{**figures.__dict__, "ltv_per_user": lifetime / new_users})
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
    credited = channel_revenue(plan, definition)
    costs = other_costs(plan, definition, [c for c in channels if c.is_active])
    ltvs = ltv_by_channel(plan, definition)
    acquired = new_users_by_elapsed(plan) if ltvs else {}
    year = {r.channel_id: r for r in _year_rows(plan, "channel") if r.channel_id}
    channel_rows: list[Row] = []
    # every channel with metrics, and the journeys channels credited with revenue
    keys = sorted(
        set(year) | {c for c, v in credited.by_channel.items() if v},
        key=lambda pk: (by_id[pk].sort_order, by_id[pk].code),
    )
    for pk in keys:
        channel, r = by_id[pk], year.get(pk)
        ltv = ltvs.get(channel.pk) or ltvs.get(None)
        figures = roi_lib.figures(
            revenue=credited.by_channel.get(pk, Decimal(0)),
            spend=r.spend if r else Decimal(0),
            other_costs=costs.by_channel.get(channel.pk, Decimal(0)),
            value_share=share,
            **{name: getattr(r, name) if r else 0 for name in COUNTS},
            ltv_per_user=ltv.per_user if ltv else None,
            future_value=(ltv_lib.future_value(ltv.result, acquired.get(pk, {})) if ltv else None),
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
        attribution_available=not credited.fallback,
        credited=credited,
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


def _setup(
    plan: Plan,
) -> tuple[
    DefinitionView,
    list[ResponseCurve],
    dict[str, response.Fit],
    dict[str, np.ndarray],
    dict[str, str],
    int,
    float,
    float,
]:
    """What every scenario is evaluated with: the definition, the stored curves and fits,
    the base weekly spend and names per channel code, the history's weeks, the other costs
    prorated to those weeks, and the value share."""
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
    return view, stored, fits, base, names, weeks, prorated, definition.value_share


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
    view, stored, fits, base, names, weeks, prorated, share = _setup(plan)

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
                move_label(move, names),
                response.moved(base, source, target, moved_share),
            )
        )
    if changes:
        label = changes_label(changes, names)
        custom.append(run("changes", label, response.adjusted(base, changes)))
    for s in [*rows, *custom]:
        s.delta_revenue = s.outcome.revenue - baseline.outcome.revenue
        s.delta_spend = s.outcome.spend - baseline.outcome.spend
    return Scenarios(view, stored, fits, base, baseline, rows, custom, weeks, prorated, names)


def percent_text(fraction: float, *, sign: bool = True) -> str:
    """0.125 → "+12.5 %", −0.1 → "−10 %" (one decimal at most, a real minus sign)."""
    text = f"{abs(fraction) * 100:.1f}".removesuffix(".0")
    if not sign:
        return f"{text} %"
    return f"{'−' if fraction < 0 else '+'}{text} %"


def changes_label(changes: dict[str, float], names: dict[str, str]) -> str:
    return ", ".join(f"{names[c]} {percent_text(v)}" for c, v in changes.items())


def move_label(move: tuple[str, str, float], names: dict[str, str]) -> str:
    source, target, share = move
    return _("%(percent)s of %(source)s moved to %(target)s") % {
        "percent": percent_text(share, sign=False),
        "source": names[source],
        "target": names[target],
    }


@dataclass(frozen=True)
class WhatIf:
    """One scenario made of several steps (see response.combined for their order):
    fractions, 0.1 = +10 %."""

    total: float = 0.0
    changes: dict[str, float] = field(default_factory=dict)
    move: tuple[str, str, float] | None = None
    remove: tuple[str, ...] = ()


@dataclass
class WhatIfResult:
    definition: DefinitionView
    weeks: int
    baseline: Scenario
    scenario: Scenario
    channels: list[dict[str, Any]]


def what_if(plan: Plan, spec: WhatIf) -> WhatIfResult | None:
    """``spec`` evaluated on the stored curves (no refit) against the current budget, with
    each channel's spend and expected revenue before and after; None without curves.
    Unknown codes raise KeyError (callers validate first)."""
    view, stored, fits, base, names, weeks, prorated, share = _setup(plan)
    if not stored:
        return None
    spend = response.combined(
        base, total=spec.total, changes=spec.changes, move=spec.move, remove=spec.remove
    )
    parts = []
    if spec.total:
        parts.append(_("Total budget %(change)s") % {"change": percent_text(spec.total)})
    if spec.changes:
        parts.append(changes_label(spec.changes, names))
    if spec.move:
        parts.append(move_label(spec.move, names))
    parts.extend(_("Without %(channel)s") % {"channel": names[c]} for c in spec.remove)
    baseline = Scenario(
        "baseline",
        _("Current budget"),
        response.evaluate(fits, base, value_share=share, other_costs=prorated),
    )
    outcome = response.evaluate(fits, spend, value_share=share, other_costs=prorated)
    scenario = Scenario(
        "what_if",
        "; ".join(parts) or str(_("Current budget")),
        outcome,
        delta_revenue=outcome.revenue - baseline.outcome.revenue,
        delta_spend=outcome.spend - baseline.outcome.spend,
    )
    channels = []
    for c in stored:
        code, fit = c.channel.code, fits[c.channel.code]
        after = spend.get(code)
        channels.append(
            {
                "channel": code,
                "name": str(names[code]),
                "baseline_media_spend": float(base[code].sum()),
                "media_spend": float(after.sum()) if after is not None else 0.0,
                "baseline_expected_revenue": float(fit.curve.revenue(base[code]).sum()),
                "expected_revenue": (
                    float(fit.curve.revenue(after).sum()) if after is not None else 0.0
                ),
            }
        )
    return WhatIfResult(view, weeks, baseline, scenario, channels)
