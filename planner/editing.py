"""The rule every write to plan data follows: only a draft plan is edited."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from core.errors import Locked
from planner.access import Action, require
from planner.models import Plan


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
