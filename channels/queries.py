"""Reads of the channel section shared by pages, API and jobs."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from channels.models import Channel, ChannelFamily

if TYPE_CHECKING:
    from planner.models import Plan


def channels_by_family(plan: Plan) -> list[tuple[ChannelFamily, list[Channel]]]:
    channels = list(Channel.objects.filter(plan=plan).order_by("sort_order", "code"))
    return [(family, [c for c in channels if c.family == family]) for family in ChannelFamily]


def channel_counts(plan: Plan) -> dict[str, int]:
    """Active channels per family code."""
    counts = Counter(
        Channel.objects.filter(plan=plan, is_active=True).values_list("family", flat=True)
    )
    return {family.value: counts.get(family.value, 0) for family in ChannelFamily}
