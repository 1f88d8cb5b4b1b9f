"""What every page of the execution section shares: its tabs and context.

The manager's quarterly dashboard is the first tab; the key activities come as a tab here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import STALE, save_or_delete  # noqa: F401 - the execution views' import
from planner.models import Plan
from planner.sections import section_context

TABS = (
    ("dashboard", "planner:execution-dashboard", _("Dashboard")),
    ("milestones", "planner:execution", _("Milestones")),
    ("activities", "planner:execution-activities", pgettext_lazy("execution tab", "Activities")),
    ("risks", "planner:execution-risks", _("Risks")),
    ("response", "planner:execution-response", _("Rapid response")),
    ("playbooks", "planner:execution-playbooks", _("Playbooks")),
)


def base_context(request: HttpRequest, plan: Plan, tab: str, **extra: Any) -> dict[str, Any]:
    return section_context(request, plan, "execution", tab, TABS, **extra)
