"""Reads of the notification pages and API, scoped by who may see what."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from planner.access import Action, roles_allowed
from planner.models import Membership
from planner.notify.models import Delivery


def visible_deliveries(user: Any, workspace_id: int | None = None) -> QuerySet[Delivery]:
    """Deliveries the user may see: every one of the workspaces where they are a manager
    or admin; only their own (as recipient) where they are an editor or viewer."""
    found = Delivery.objects.select_related("recipient", "chat_channel", "plan", "workspace")
    if user is None or not user.is_authenticated or not user.is_active:
        return found.none()
    mine = Membership.objects.filter(user_id=user.pk)
    if workspace_id is not None:
        mine = mine.filter(workspace_id=workspace_id)
    managed = mine.filter(role__in=roles_allowed(Action.APPROVE)).values("workspace_id")
    member = mine.values("workspace_id")
    return found.filter(
        Q(workspace_id__in=managed) | Q(workspace_id__in=member, recipient_id=user.pk)
    ).order_by("-created_at", "-id")
