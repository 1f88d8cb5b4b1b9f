"""What every page of the execution section shares: its tabs and context.

The manager's quarterly dashboard is the first tab; the key activities come as a tab here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from planner.models import Plan
from planner.sections import section_context

TABS = (
    ("dashboard", "planner:execution-dashboard", _("Dashboard")),
    ("milestones", "planner:execution", _("Milestones")),
    ("risks", "planner:execution-risks", _("Risks")),
    ("playbooks", "planner:execution-playbooks", _("Playbooks")),
)


def base_context(request: HttpRequest, plan: Plan, tab: str, **extra: Any) -> dict[str, Any]:
    return section_context(request, plan, "execution", tab, TABS, **extra)
