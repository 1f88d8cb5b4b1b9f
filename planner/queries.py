"""Reads for workspaces and plans shared by pages, API and jobs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, QuerySet

from channels.models import Channel, ChannelPlan, Cooperation, Creator
from channels.queries import channel_counts
from content.models import (
    Asset,
    BrandStandard,
    Campaign,
    InteractionMechanism,
    Licence,
    SizeSpec,
)
from core.history import HistoryEntry, history_entries
from kpis.models import Kpi, Objective, StrategicGoal
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
CHANNEL_HISTORY_FIELDS = ["name", "name_zh", "code", "family", "group", "platform", "is_active"]
OBJECTIVE_HISTORY_FIELDS = ["area", "title", "description"]
KPI_HISTORY_FIELDS = [
    "name",
    "code",
    "unit",
    "direction",
    "source",
    "formula",
    "annual_target",
    "aggregation",
    "profile",
]
GOAL_HISTORY_FIELDS = ["kind", "subject", "indicator", "baseline", "target"]
CHANNEL_PLAN_HISTORY_FIELDS = ["role", "audience", "budget"]
CREATOR_HISTORY_FIELDS = ["name", "platform", "tier", "followers", "fee"]
COOPERATION_HISTORY_FIELDS = [
    "campaign",
    "date",
    "fee",
    "views",
    "engagements",
    "conversions",
    "gmv",
]
CAMPAIGN_HISTORY_FIELDS = ["code", "name", "theme", "start", "end", "audience", "budget", "status"]
BRAND_HISTORY_FIELDS = ["colours", "fonts", "graphic_elements", "vi_review_required"]
SPEC_HISTORY_FIELDS = ["name", "kind", "width", "height", "max_duration_s", "max_file_mb"]
ASSET_HISTORY_FIELDS = ["name", "layers", "review_status", "vi_passed"]
LICENCE_HISTORY_FIELDS = ["name", "source", "scope", "territory", "starts", "expires"]
MECHANISM_HISTORY_FIELDS = ["kind", "name", "goal", "start", "end", "sla_hours"]


def plan_history(plan: Plan, limit: int = 200) -> list[HistoryEntry]:
    """Every recorded change to the plan's data, newest first: the plan itself,
    its goals and KPIs, channels, quarterly channel plans, creators and cooperations,
    campaigns, creative standards, assets, licences and interaction mechanisms
    (a fixed number of queries, whatever the history's length)."""
    channel_names = {c.pk: c.display_name for c in Channel.objects.filter(plan=plan)}
    creator_names = dict(Creator.history.filter(plan_id=plan.pk).values_list("id", "name"))
    campaign_names = dict(Campaign.history.filter(plan_id=plan.pk).values_list("id", "name"))
    sources = [
        (Plan.history.filter(id=plan.pk), PLAN_HISTORY_FIELDS, None),
        (Channel.history.filter(plan_id=plan.pk), CHANNEL_HISTORY_FIELDS, None),
        (Objective.history.filter(plan_id=plan.pk), OBJECTIVE_HISTORY_FIELDS, None),
        (Kpi.history.filter(plan_id=plan.pk), KPI_HISTORY_FIELDS, lambda r: f"{r.name} ({r.code})"),
        (StrategicGoal.history.filter(plan_id=plan.pk), GOAL_HISTORY_FIELDS, lambda r: r.subject),
        (
            ChannelPlan.history.filter(channel_id__in=channel_names),
            CHANNEL_PLAN_HISTORY_FIELDS,
            lambda r: f"{channel_names.get(r.channel_id, '?')} Q{r.quarter}",
        ),
        (Creator.history.filter(plan_id=plan.pk), CREATOR_HISTORY_FIELDS, lambda r: r.name),
        (
            Cooperation.history.filter(creator_id__in=creator_names),
            COOPERATION_HISTORY_FIELDS,
            lambda r: f"{creator_names.get(r.creator_id, '?')} · {r.campaign}",
        ),
        (Campaign.history.filter(plan_id=plan.pk), CAMPAIGN_HISTORY_FIELDS, lambda r: r.name),
        (BrandStandard.history.filter(plan_id=plan.pk), BRAND_HISTORY_FIELDS, None),
        (SizeSpec.history.filter(plan_id=plan.pk), SPEC_HISTORY_FIELDS, lambda r: r.name),
        (
            Asset.history.filter(campaign_id__in=campaign_names),
            ASSET_HISTORY_FIELDS,
            lambda r: f"{campaign_names.get(r.campaign_id, '?')} · {r.name}",
        ),
        (Licence.history.filter(plan_id=plan.pk), LICENCE_HISTORY_FIELDS, lambda r: r.name),
        (
            InteractionMechanism.history.filter(plan_id=plan.pk),
            MECHANISM_HISTORY_FIELDS,
            lambda r: r.name,
        ),
    ]
    entries = [
        entry
        for records, fields, label in sources
        for entry in history_entries(records, fields, limit=limit, label=label)
    ]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def plan_summary(plan: Plan) -> dict[str, Any]:
    return {"channel_counts": channel_counts(plan)}
