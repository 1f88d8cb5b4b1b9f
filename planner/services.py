"""Every write to workspaces, memberships and plans.

Services take the acting user, check the role rules through ``planner.access``,
validate invariants, write inside one transaction with a version check, and
enqueue follow-up work through the outbox (run after commit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from channels.services import catalogue_install
from content.services import specs_install
from core import outbox
from core.errors import InvalidInput, InvalidTransition, Locked
from core.locking import delete_versioned, update_versioned
from planner.access import Action, require, role_allows
from planner.models import (
    Membership,
    Plan,
    PlanStatus,
    PlanTransition,
    Role,
    VersionKind,
    Workspace,
)
from planner.versions.services import version_create

PLAN_EDITABLE_FIELDS = frozenset({"name", "year", "currency", "description"})


# --- workspaces and members ------------------------------------------------------


def workspace_create(*, name: str, actor: User, slug: str = "") -> Workspace:
    """Create a workspace; its creator becomes its first admin."""
    name = name.strip()
    if not name:
        raise InvalidInput(fields={"name": [_("Give the workspace a name.")]})
    slug = slugify(slug or name)[:50] or "workspace"
    base, n = slug, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name, slug=slug)
        Membership.objects.create(workspace=workspace, user=actor, role=Role.ADMIN)
    return workspace


def _admin_count(workspace_id: int) -> int:
    return Membership.objects.filter(workspace_id=workspace_id, role=Role.ADMIN).count()


def membership_add(*, workspace: Workspace, username: str, role: str, actor: User) -> Membership:
    require(actor, workspace.pk, Action.ADMIN)
    if role not in Role.values:
        raise InvalidInput(fields={"role": [_("Unknown role.")]})
    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise InvalidInput(fields={"username": [_("No active user has this username.")]})
    try:
        with transaction.atomic():
            membership = Membership(workspace=workspace, user=user, role=role)
            membership._history_user = actor  # type: ignore[attr-defined]
            membership.save()
    except IntegrityError:
        raise InvalidInput(
            fields={"username": [_("This user is already a member of the workspace.")]}
        ) from None
    return membership


def membership_update(
    *, membership: Membership, role: str, expected_version: int, actor: User
) -> Membership:
    require(actor, membership.workspace_id, Action.ADMIN)
    if role not in Role.values:
        raise InvalidInput(fields={"role": [_("Unknown role.")]})
    with transaction.atomic():
        updated = update_versioned(
            membership, expected_version=expected_version, changes={"role": role}, actor=actor
        )
        if _admin_count(membership.workspace_id) == 0:
            raise InvalidInput(fields={"role": [_("A workspace needs at least one admin.")]})
    return updated


def membership_remove(*, membership: Membership, expected_version: int, actor: User) -> None:
    require(actor, membership.workspace_id, Action.ADMIN)
    with transaction.atomic():
        delete_versioned(membership, expected_version=expected_version, actor=actor)
        if _admin_count(membership.workspace_id) == 0:
            raise InvalidInput(_("A workspace needs at least one admin."))


# --- plans -----------------------------------------------------------------------


def _validate_plan_fields(
    changes: Mapping[str, Any], *, workspace_id: int, plan_id: int | None, year: int, name: str
) -> None:
    unknown = set(changes) - PLAN_EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(
            fields={field: [_("This field cannot be changed.")] for field in sorted(unknown)}
        )
    errors: dict[str, list[Any]] = {}
    if "name" in changes and not str(changes["name"]).strip():
        errors["name"] = [_("Give the plan a name.")]
    if "year" in changes and not 2000 <= int(changes["year"]) <= 2100:
        errors["year"] = [_("The year must be between 2000 and 2100.")]
    clash = Plan.objects.filter(workspace_id=workspace_id, year=year, name=name)
    if plan_id is not None:
        clash = clash.exclude(pk=plan_id)
    if not errors and clash.exists():
        errors["name"] = [_("This workspace already has a plan with this name for this year.")]
    if errors:
        raise InvalidInput(fields=errors)


def plan_create(
    *,
    workspace: Workspace,
    year: int,
    name: str,
    actor: User,
    currency: str = "CNY",
    description: str = "",
) -> Plan:
    """Create a draft plan from the standard template: the six sections, with the
    standard channel catalogue and its size specs pre-filled."""
    require(actor, workspace.pk, Action.EDIT)
    fields = {"name": name.strip(), "year": year, "currency": currency, "description": description}
    _validate_plan_fields(
        fields, workspace_id=workspace.pk, plan_id=None, year=year, name=name.strip()
    )
    with transaction.atomic():
        plan = Plan(workspace=workspace, created_by=actor, **fields)
        plan._history_user = actor  # type: ignore[attr-defined]
        plan.save()
        catalogue_install(plan=plan)
        specs_install(plan=plan)
    return plan


def plan_update(
    *,
    plan: Plan,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: User,
) -> Plan:
    """Edit a draft plan's own fields, refusing a stale version."""
    require(actor, plan.workspace_id, Action.EDIT)
    if not plan.is_editable:
        raise Locked(_("Only a draft plan can be edited; ask a manager to reopen it."))
    if "name" in changes:
        changes = {**changes, "name": str(changes["name"]).strip()}
    _validate_plan_fields(
        changes,
        workspace_id=plan.workspace_id,
        plan_id=plan.pk,
        year=int(changes.get("year", plan.year)),
        name=str(changes.get("name", plan.name)),
    )
    # A concurrent transition bumps the version, so the version check also
    # refuses an edit that raced a submit.
    return update_versioned(plan, expected_version=expected_version, changes=changes, actor=actor)


def plan_delete(*, plan: Plan, expected_version: int, actor: User) -> None:
    """Delete a plan and everything in it (workspace admins only)."""
    require(actor, plan.workspace_id, Action.ADMIN)
    if plan.status in (PlanStatus.IN_REVIEW, PlanStatus.APPROVED):
        raise Locked(_("Archive or reopen the plan before deleting it."))
    delete_versioned(plan, expected_version=expected_version, actor=actor)


@dataclass(frozen=True)
class TransitionRule:
    sources: frozenset[str]
    target: str
    action: Action
    needs_comment: bool = False


TRANSITIONS: dict[str, TransitionRule] = {
    PlanTransition.Action.SUBMIT: TransitionRule(
        frozenset({PlanStatus.DRAFT}), PlanStatus.IN_REVIEW, Action.EDIT
    ),
    PlanTransition.Action.APPROVE: TransitionRule(
        frozenset({PlanStatus.IN_REVIEW}), PlanStatus.APPROVED, Action.APPROVE
    ),
    PlanTransition.Action.SEND_BACK: TransitionRule(
        frozenset({PlanStatus.IN_REVIEW}), PlanStatus.DRAFT, Action.APPROVE, needs_comment=True
    ),
    PlanTransition.Action.REOPEN: TransitionRule(
        frozenset({PlanStatus.APPROVED, PlanStatus.ARCHIVED}), PlanStatus.DRAFT, Action.APPROVE
    ),
    PlanTransition.Action.ARCHIVE: TransitionRule(
        frozenset({PlanStatus.APPROVED}), PlanStatus.ARCHIVED, Action.APPROVE
    ),
}


VERSION_ON: dict[str, str] = {
    PlanTransition.Action.SUBMIT: VersionKind.SUBMITTED,
    PlanTransition.Action.APPROVE: VersionKind.BASELINE,
}


def transitions_available(plan: Plan, role: str | None) -> list[str]:
    """The lifecycle actions this role may take on the plan now (for buttons)."""
    return [
        name
        for name, rule in TRANSITIONS.items()
        if plan.status in rule.sources and role_allows(role, rule.action)
    ]


def plan_transition(
    *,
    plan: Plan,
    action: str,
    actor: User,
    comment: str = "",
    expected_version: int | None = None,
) -> Plan:
    """Move a plan through its lifecycle and tell the people who need to know."""
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise InvalidInput(fields={"action": [_("Unknown action.")]})
    require(actor, plan.workspace_id, rule.action)
    if plan.status not in rule.sources:
        raise InvalidTransition(
            _("A plan that is “%(status)s” cannot be sent to “%(target)s”.")
            % {
                "status": PlanStatus(plan.status).label,
                "target": PlanStatus(rule.target).label,
            }
        )
    comment = comment.strip()
    if rule.needs_comment and not comment:
        raise InvalidInput(fields={"comment": [_("Say what needs to change.")]})
    changes: dict[str, Any] = {"status": rule.target}
    if rule.target == PlanStatus.APPROVED:
        changes.update(approved_by=actor, approved_at=timezone.now())
    elif rule.target == PlanStatus.DRAFT:
        changes.update(approved_by=None, approved_at=None)
    with transaction.atomic():
        updated = update_versioned(
            plan,
            expected_version=plan.version if expected_version is None else expected_version,
            changes=changes,
            actor=actor,
            reason=action,
        )
        transition = PlanTransition.objects.create(
            plan=updated,
            action=action,
            from_status=plan.status,
            to_status=rule.target,
            actor=actor,
            comment=comment,
        )
        # Submitting freezes what was sent for review; approving freezes the baseline
        # that later edits are compared with. Same transaction: no move without its version.
        if action in VERSION_ON:
            version_create(plan=updated, kind=VERSION_ON[action], actor=actor, note=comment[:200])
        outbox.enqueue("planner.notify_plan_transition", kwargs={"transition_id": transition.pk})
    return updated
