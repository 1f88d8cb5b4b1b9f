"""The demo plan's ROI model: a margin-based definition (35 % gross margin, media spend
and campaign budgets) signed by finance only, so the page shows operations' sign-off
pending; layers tagged on a few channels and campaigns; and monthly cohorts of 2027
(plan-wide and for the big acquisition channels). Used by ``manage.py load_demo``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User

from channels import services as channel_services
from channels.models import Channel, RoiLayer
from content import services as content_services
from content.models import Campaign
from monitoring.roi import services
from monitoring.roi.models import Department, RoiCohort
from planner.models import Plan

# Channels tagged against their group's usual layer (the rest keep the default).
CHANNEL_LAYERS = {"douyin": RoiLayer.PERFORMANCE, "wechat": RoiLayer.BRAND}
CAMPAIGN_LAYERS = {"spring-festival-2027": RoiLayer.PERFORMANCE}

# (channel code or None, month-1 retention, monthly decay exponent, ARPU, users a month)
COHORTS: tuple[tuple[str | None, float, float, Decimal, int], ...] = (
    (None, 0.42, 0.55, Decimal("118.00"), 52000),
    ("tmall", 0.48, 0.50, Decimal("136.00"), 15000),
    ("douyin", 0.30, 0.75, Decimal("104.00"), 12000),
    ("sem_baidu", 0.38, 0.60, Decimal("128.00"), 6000),
)


def _retention(first: float, decay: float, months: int) -> list[float]:
    """Power-law retention as the demo's cohorts report it: month k = first · k^(−decay)."""
    return [round(first * k ** (-decay), 4) for k in range(1, months + 1)]


def load(*, plan: Plan, editor: User, manager: User) -> None:
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
                "ltv_horizon_months": 12,
                "discount_rate": Decimal("0.10"),
            },
            actor=editor,
        )
        services.sign_off(
            plan=plan,
            department=Department.FINANCE,
            expected_version=definition.version,
            actor=manager,
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
    for cohort_code, first, decay, arpu, users in COHORTS:
        if cohort_code is not None and cohort_code not in channels:
            continue
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
