"""Reads for workspaces and plans shared by pages, API and jobs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, QuerySet

from channels.models import Channel
from channels.queries import channel_counts
from core.history import HistoryEntry, history_entries
from planner.access import workspaces_for_user
from planner.models import Membership, Plan, PlanTransition, Workspace


def workspaces_with_plans(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Workspace]:
    """The user's workspaces, each with its plans and member count (3 queries)."""
    return (
        workspaces_for_user(user)
        .annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related(Prefetch("plans", queryset=Plan.objects.order_by("-year", "name")))
    )


def workspace_members(workspace: Workspace) -> QuerySet[Membership]:
    return workspace.memberships.select_related("user").order_by("user__username")


def recent_transitions(plan: Plan, limit: int = 10) -> list[PlanTransition]:
    return list(plan.transitions.select_related("actor")[:limit])


PLAN_HISTORY_FIELDS = ["name", "year", "currency", "description", "status"]
CHANNEL_HISTORY_FIELDS = ["name", "code", "family", "group", "is_active"]


def plan_history(plan: Plan, limit: int = 200) -> list[HistoryEntry]:
    """Every recorded change to the plan and its channels, newest first."""
    entries = history_entries(
        Plan.history.filter(id=plan.pk), PLAN_HISTORY_FIELDS, limit=limit
    ) + history_entries(
        Channel.history.filter(plan_id=plan.pk), CHANNEL_HISTORY_FIELDS, limit=limit
    )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def plan_summary(plan: Plan) -> dict[str, Any]:
    return {"channel_counts": channel_counts(plan)}
