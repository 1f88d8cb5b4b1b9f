"""What every page of the resource-coordination section shares: its tabs and context."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from budget.approval_queries import pending_total
from planner.access import Action, can
from planner.models import Plan
from planner.sections import section_context

TABS = (
    ("budget", "budget:section", _("Budget")),
    ("requests", "budget:requests", _("Requests")),
    ("reallocation", "budget:reallocation", _("Quarterly review")),
    ("reserve", "budget:reserve", _("Reserve fund")),
    ("collaboration", "budget:collaboration", _("Departments and RACI")),
    ("suppliers", "budget:suppliers", _("Suppliers")),
)


def base_context(request: HttpRequest, plan: Plan, tab: str, **extra: Any) -> dict[str, Any]:
    """The context of every page of the section (see ``planner.sections.section_context``).

    ``can_approve``: the user is a manager (approves budget requests, reallocation
    moves and reserve draws). ``pending_total``: the requests waiting for a decision
    (shown on the Requests tab).
    """
    extra.setdefault("pending_total", pending_total(plan))
    return section_context(
        request,
        plan,
        "budget",
        tab,
        TABS,
        can_approve=can(request.user, plan.workspace_id, Action.APPROVE),
        **extra,
    )
