"""Every write of plan versions and scenarios.

A version is created, never edited: ``version_create`` is the only write. The plan row
is locked first, so two versions of one plan never race for a number (the unique
constraint is the last line of defence). ``plan_transition`` calls it in its own
transaction: submit → a *submitted* version, approve → a *baseline*.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from planner import plan_data
from planner.access import Action, require
from planner.models import Plan, PlanStatus, PlanVersion, VersionKind
from planner.versions import copying

NOTE_MAX = 200


def version_create(*, plan: Plan, kind: str, actor: User | None, note: str = "") -> PlanVersion:
    """Freeze the plan's planning content now as the next version.

    Runs inside the caller's transaction when there is one (the lifecycle move that
    causes it), else in its own; the plan row is locked either way.
    """
    if kind not in VersionKind.values:
        raise InvalidInput(fields={"kind": [_("Unknown kind of version.")]})
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(fields={"note": [_("Keep the note under 200 characters.")]})
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        last = PlanVersion.objects.filter(plan=locked).aggregate(n=Max("number"))["n"] or 0
        data = plan_data.collect(locked).to_json(pks=True)
        return PlanVersion.objects.create(
            plan=locked, number=last + 1, kind=kind, data=data, note=note, created_by=actor
        )


def snapshot_save(*, plan: Plan, actor: User, note: str = "") -> PlanVersion:
    """An editor's "save a version": a snapshot of the plan as it is now."""
    require(actor, plan.workspace_id, Action.EDIT)
    return version_create(plan=plan, kind=VersionKind.SNAPSHOT, actor=actor, note=note)


def scenario_create(*, plan: Plan, name: str, actor: User, description: str | None = None) -> Plan:
    """Copy the plan's planning content into a new draft plan of the same workspace and
    year (``scenario_of`` = the plan); see ``planner.versions.copying``."""
    require(actor, plan.workspace_id, Action.EDIT)
    name = name.strip()
    errors: dict[str, list[Any]] = {}
    if not name:
        errors["name"] = [_("Give the scenario a name.")]
    elif len(name) > 120:
        errors["name"] = [_("Keep the name under 120 characters.")]
    elif Plan.objects.filter(workspace_id=plan.workspace_id, year=plan.year, name=name).exists():
        errors["name"] = [_("This workspace already has a plan with this name for this year.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        source = Plan.objects.select_for_update().get(pk=plan.pk)
        scenario = Plan(
            workspace_id=source.workspace_id,
            year=source.year,
            name=name,
            description=source.description if description is None else description,
            currency=source.currency,
            status=PlanStatus.DRAFT,
            created_by=actor,
            scenario_of=source,
        )
        scenario._history_user = actor  # type: ignore[attr-defined]
        scenario.save()
        copying.copy_plan_content(source, scenario, actor=actor)
    return scenario
