"""Deep copy of a plan's planning content into a scenario plan.

Everything ``planner.plan_data.collect`` reads that belongs to the plan is copied —
goals, channels and channel plans, creators, campaigns, interaction mechanisms, the
brand standard and size specs, alert rules and monitoring settings, the ROI
definition, the budget with its lines and approved requests, milestones, risks,
playbooks, key activities and rapid-response pools — model by model in dependency
order with ``bulk_create`` (each model's own constraints apply), foreign keys
remapped to the copies. Live data is not
copied: metrics, alerts, imports, grades, transfers, drills, reviews.

The budget keeps its balances: the copied lines carry the same planned amounts, so
``total = allocated + reserve + unallocated`` and Σ line.planned = allocated hold
(the CHECK constraint and, on PostgreSQL, the deferred trigger at commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.db import models
from simple_history.utils import bulk_create_with_history

from planner.models import Plan

SKIP_FIELDS = frozenset({"id", "created_at", "updated_at"})


@dataclass(frozen=True)
class CopySpec:
    model: str  # "app.Model"
    plan_filter: str  # lookup from the model to the plan
    extra_filter: dict[str, Any] = field(default_factory=dict)


# Dependency order: a model comes after every copied model it points to.
COPY_ORDER: tuple[CopySpec, ...] = (
    CopySpec("kpis.Objective", "plan"),
    CopySpec("kpis.Kpi", "plan"),
    CopySpec("kpis.AttainmentPolicy", "plan"),
    CopySpec("kpis.StrategicGoal", "plan"),
    CopySpec("channels.Channel", "plan"),
    CopySpec("channels.ChannelPlan", "channel__plan"),
    CopySpec("channels.Creator", "plan"),
    CopySpec("channels.Cooperation", "creator__plan"),
    CopySpec("content.Campaign", "plan"),
    CopySpec("content.SizeSpec", "plan"),
    CopySpec("content.InteractionMechanism", "plan"),
    CopySpec("content.BrandStandard", "plan"),
    CopySpec("planner.Playbook", "plan"),
    CopySpec("planner.EscalationStep", "playbook__plan"),
    CopySpec("monitoring.AlertRule", "plan"),
    CopySpec("monitoring.MonitoringSettings", "plan"),
    CopySpec("monitoring.RoiDefinition", "plan"),
    CopySpec("budget.Budget", "plan"),
    CopySpec("budget.BudgetLine", "plan"),
    CopySpec("budget.BudgetRequest", "plan", {"status": "approved"}),
    CopySpec("planner.Milestone", "plan"),
    CopySpec("planner.Risk", "plan"),
    CopySpec("planner.Activity", "plan"),
    CopySpec("planner.ResponsePool", "plan"),
)


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _has_history(model: type[models.Model]) -> bool:
    return hasattr(model, "history")


def copy_plan_content(source: Plan, target: Plan, *, actor: User | None) -> dict[str, int]:
    """Copy ``source``'s planning content into ``target`` (inside the caller's transaction).

    Returns the number of rows copied per model label.
    """
    copied = {_model(spec.model) for spec in COPY_ORDER}
    remap: dict[type[models.Model], dict[int, int]] = {}
    counts: dict[str, int] = {}
    for spec in COPY_ORDER:
        model = _model(spec.model)
        originals = list(
            model._default_manager.filter(**{spec.plan_filter: source}, **spec.extra_filter)
            .order_by("pk")
            .all()
        )
        clones = [_clone(obj, model, target, remap, copied) for obj in originals]
        if _has_history(model):
            created = bulk_create_with_history(clones, model, default_user=actor)
        else:
            created = model._default_manager.bulk_create(clones)
        remap[model] = {old.pk: new.pk for old, new in zip(originals, created, strict=True)}
        _copy_many_to_many(model, originals, remap, copied)
        counts[spec.model] = len(created)
    return counts


def _clone(
    obj: models.Model,
    model: type[models.Model],
    target: Plan,
    remap: dict[type[models.Model], dict[int, int]],
    copied: set[type[models.Model]],
) -> models.Model:
    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.name in SKIP_FIELDS or f.primary_key:
            continue
        if f.name == "version":
            values["version"] = 1
            continue
        value = getattr(obj, f.attname)
        if f.is_relation and value is not None:
            related: Any = f.related_model
            if related is Plan:
                value = target.pk
            elif related in copied:
                value = remap.get(related, {}).get(value)
                if value is None and not f.null:
                    raise ValueError(f"{model.__name__}.{f.name} points outside the plan")
        values[f.attname] = value
    return model(**values)


def _copy_many_to_many(
    model: type[models.Model],
    originals: list[models.Model],
    remap: dict[type[models.Model], dict[int, int]],
    copied: set[type[models.Model]],
) -> None:
    ids = remap[model]
    for m2m in model._meta.many_to_many:
        through: Any = m2m.remote_field.through
        if not through._meta.auto_created:
            continue  # an explicit through model carries its own data: not plan content
        source_col = m2m.m2m_column_name()
        target_col = m2m.m2m_reverse_name()
        related: Any = m2m.related_model
        links = through.objects.filter(**{f"{source_col}__in": list(ids)}).values_list(
            source_col, target_col
        )
        rows = []
        for owner_id, other_id in links:
            other = remap.get(related, {}).get(other_id) if related in copied else other_id
            if other is not None:
                rows.append(through(**{source_col: ids[owner_id], target_col: other}))
        through.objects.bulk_create(rows)
