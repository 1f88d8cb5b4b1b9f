"""The rules every write to plan data follows: only a draft plan is edited, only
editable fields are written, people named on plan data are workspace members."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, Locked
from planner.access import Action, require
from planner.models import Plan, PlanStatus


def plan_for_edit(*, plan_id: int, actor: User) -> Plan:
    """The plan, locked for the rest of the caller's transaction, if ``actor`` may
    edit its data now.

    Every write to plan data (KPIs, channels, budgets…) calls this inside its
    transaction: the row lock orders it against a concurrent submit or approve,
    so nothing is written into a plan that has just been frozen.
    """
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    require(actor, plan.workspace_id, Action.EDIT)
    if not plan.is_editable:
        raise Locked(_("Only a draft plan can be edited; ask a manager to reopen it."))
    return plan


def plan_for_execution(*, plan_id: int, actor: User) -> Plan:
    """The plan, locked like :func:`plan_for_edit`, for recording how it runs.

    Running the plan goes on after approval: a campaign goes live, an asset is
    reviewed and published, a licence is filed. Those writes are allowed in any
    plan that is not archived; the planned figures stay frozen (plan_for_edit).
    """
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    require(actor, plan.workspace_id, Action.EDIT)
    if plan.status == PlanStatus.ARCHIVED:
        raise Locked(_("The plan is archived; nothing in it can change."))
    return plan


def reject_unknown(changes: Mapping[str, Any], allowed: Collection[str]) -> None:
    """Refuse a write that names a field outside ``allowed``."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise InvalidInput(fields={name: [_("This field cannot be changed.")] for name in unknown})


def require_member(plan: Plan, user: User | None, field: str = "owner") -> None:
    """A person named on plan data (owner, contact…) must be a member of its workspace."""
    if user is not None and not user.memberships.filter(workspace_id=plan.workspace_id).exists():
        raise InvalidInput(fields={field: [_("Choose a member of the workspace.")]})
