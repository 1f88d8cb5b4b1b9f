"""The demo plan's ROI model: a margin-based definition (35 % gross margin, media spend
and campaign budgets) agreed — signed off by finance (the manager) and by operations (the
admin); layers tagged on a few channels and campaigns; and monthly cohorts of 2027
(plan-wide and for the big acquisition channels) whose revenue per user matches the demo
metrics (see NEW_USER_SHARE), with an LTV horizon of 24 months. Used by ``manage.py load_demo``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Sum

from channels import services as channel_services
from channels.models import Channel, RoiLayer
from content import services as content_services
from content.models import Campaign
from monitoring.models import DailyMetric
from monitoring.roi import services
from monitoring.roi.models import Department, RoiCohort
from planner.models import Plan

# Channels tagged against their group's usual layer (the rest keep the default).
CHANNEL_LAYERS = {"douyin": RoiLayer.PERFORMANCE, "wechat": RoiLayer.BRAND}
CAMPAIGN_LAYERS = {"spring-festival-2027": RoiLayer.PERFORMANCE}

# (channel code or None = plan-wide, month-1 retention, monthly decay exponent, users a month).
# Retention-heavy: the marketplace store and the WeChat private domain (account and
# mini-program) keep customers; feed and search traffic churns faster.
COHORTS: tuple[tuple[str | None, float, float, int], ...] = (
    (None, 0.36, 0.55, 52000),
    ("tmall", 0.55, 0.30, 15000),
    ("wechat", 0.62, 0.25, 4000),
    ("mini_program", 0.50, 0.35, 4000),
    ("douyin", 0.24, 0.80, 12000),
    ("sem_baidu", 0.33, 0.60, 6000),
)
# The share of a channel's reported revenue that its new users of the year bring (the
# rest comes from earlier customers): the cohorts' ARPU is set so that a new user's
# expected revenue in the year matches that share of the channel's revenue per new user.
NEW_USER_SHARE = 0.6


def _retention(first: float, decay: float, months: int) -> list[float]:
    """Power-law retention as the demo's cohorts report it: month k = first · k^(−decay)."""
    return [round(first * k ** (-decay), 4) for k in range(1, months + 1)]


def months_in_year(first: float, decay: float) -> float:
    """The retained months a user acquired in the year spends in it, on average over the
    twelve acquisition months (the acquisition month counts as one)."""
    curve = [1.0, *_retention(first, decay, 11)]
    return sum(sum(curve[: 13 - month]) for month in range(1, 13)) / 12


def arpu_for(plan: Plan, code: str | None, first: float, decay: float) -> Decimal:
    """Monthly revenue per retained user consistent with the demo metrics (see
    NEW_USER_SHARE); a default when the channel has no metrics."""
    rows = DailyMetric.objects.filter(plan=plan, date__year=plan.year)
    if code is not None:
        rows = rows.filter(channel__code=code)
    sums = rows.aggregate(revenue=Sum("revenue"), users=Sum("new_users"))
    if not sums["users"] or not sums["revenue"]:
        return Decimal("100.00")
    per_new_user = float(sums["revenue"]) / sums["users"]
    return Decimal(str(round(per_new_user * NEW_USER_SHARE / months_in_year(first, decay), 2)))


def load(*, plan: Plan, editor: User, manager: User, operations: User) -> None:
    """Idempotent: the definition is set and signed once; cohorts and tags are filled in
    where missing."""
    definition = services.definition_for(plan)
    if definition.version == 1:
        definition = services.definition_update(
            plan=plan,
            expected_version=definition.version,
            changes={
                "basis": "margin",
                "gross_margin": Decimal("0.35"),
                "include_production": True,
                "include_kol_fees": False,
                "roi_floor": Decimal("0.10"),
                "ltv_horizon_months": 24,
                "discount_rate": Decimal("0.10"),
            },
            actor=editor,
        )
        for department, actor in (
            (Department.FINANCE, manager),
            (Department.OPERATIONS, operations),
        ):
            definition = services.definition_for(plan)
            services.sign_off(
                plan=plan,
                department=department,
                expected_version=definition.version,
                actor=actor,
            )
    for code, layer in CHANNEL_LAYERS.items():
        channel = Channel.objects.filter(plan=plan, code=code).first()
        if channel is not None and not channel.roi_layer:
            channel_services.channel_update(
                channel=channel,
                expected_version=channel.version,
                changes={"roi_layer": layer},
                actor=editor,
            )
    for code, layer in CAMPAIGN_LAYERS.items():
        campaign = Campaign.objects.filter(plan=plan, code=code).first()
        if campaign is not None and not campaign.roi_layer:
            content_services.campaign_update(
                campaign=campaign,
                expected_version=campaign.version,
                changes={"roi_layer": layer},
                actor=editor,
            )
    if RoiCohort.objects.filter(plan=plan).exists():
        return
    channels = {c.code: c for c in Channel.objects.filter(plan=plan)}
    for cohort_code, first, decay, users in COHORTS:
        if cohort_code is not None and cohort_code not in channels:
            continue
        arpu = arpu_for(plan, cohort_code, first, decay)
        for month in range(1, 13):
            # a cohort acquired in month m has been watched for 12 − m months by year end
            watched = 12 - month
            services.cohort_create(
                plan=plan,
                actor=editor,
                month=date(plan.year, month, 1),
                channel=channels[cohort_code] if cohort_code else None,
                users=int(users * (1 + 0.04 * ((month * 7) % 5 - 2))),
                retention=_retention(first * (1 + 0.01 * (month % 3)), decay, watched),
                arpu=arpu,
            )
