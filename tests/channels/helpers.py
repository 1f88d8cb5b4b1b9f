"""Channel-section data in the ``world`` plan: quarterly plans and a small roster."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from channels import services
from channels.models import Channel, ChannelPlan, Cooperation, Creator


def channel(world: Any, code: str = "douyin") -> Channel:
    return Channel.objects.get(plan=world.plan, code=code)


def cell(world: Any, code: str = "douyin", quarter: int = 1) -> ChannelPlan:
    found = ChannelPlan.objects.filter(
        channel__plan=world.plan, channel__code=code, quarter=quarter
    ).first()
    if found:
        return found
    return services.channel_plan_save(
        channel=channel(world, code),
        quarter=quarter,
        changes={"role": "Reach", "budget": Decimal(100000), "formats": ["short_video"]},
        expected_version=None,
        actor=world.users["editor"],
    )


def creator(world: Any) -> Creator:
    found = Creator.objects.filter(plan=world.plan).first()
    if found:
        return found
    return services.creator_create(
        plan=world.plan,
        actor=world.users["editor"],
        name="Tea Master Lin",
        platform="Douyin",
        tier="head",
        followers=5_000_000,
        fee=Decimal(200000),
    )


def cooperation(world: Any) -> Cooperation:
    found = Cooperation.objects.filter(creator__plan=world.plan).first()
    if found:
        return found
    return services.cooperation_create(
        actor=world.users["editor"],
        creator=creator(world),
        campaign="Spring Festival",
        date=date(2027, 1, 20),
        fee=Decimal(200000),
        views=1_000_000,
        engagements=40_000,
        clicks=16_000,
        conversions=2_000,
        gmv=Decimal(260000),
    )
