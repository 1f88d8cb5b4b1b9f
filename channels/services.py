"""Writes to the channel section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.catalogue import CATALOGUE
from channels.models import Channel

if TYPE_CHECKING:
    from planner.models import Plan


def catalogue_install(*, plan: Plan) -> list[Channel]:
    """Give a new plan the standard channel catalogue (idempotent)."""
    existing = set(plan.channels.values_list("code", flat=True))
    rows = [
        Channel(
            plan=plan,
            code=entry.code,
            family=entry.family,
            group=entry.group,
            sort_order=index * 10,
        )
        for index, entry in enumerate(CATALOGUE)
        if entry.code not in existing
    ]
    return Channel.objects.bulk_create(rows)
