"""Reads of the chat-channel pages and API."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from planner.models import Workspace
from planner.notify.models import ChatChannel, Delivery


def channels(workspace: Workspace) -> QuerySet[ChatChannel]:
    """The workspace's channels, each with the id of its latest delivery."""
    latest = Delivery.objects.filter(chat_channel=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        ChatChannel.objects.filter(workspace=workspace)
        .annotate(last_delivery_id=Subquery(latest.values("id")[:1]))
        .order_by("name", "pk")
    )


def last_deliveries(rows: list[ChatChannel]) -> dict[int, Delivery]:
    """Channel id → its latest delivery (did the last post go out? why not?)."""
    latest = {row.pk: getattr(row, "last_delivery_id", None) for row in rows}
    found = {d.pk: d for d in Delivery.objects.filter(pk__in=[i for i in latest.values() if i])}
    return {pk: found[i] for pk, i in latest.items() if i in found}
