"""What every page of the execution section shares: its tabs and context.

Later steps add the manager's dashboard and the key activities as tabs here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from planner.models import Plan
from planner.sections import section_context

TABS = (
    ("milestones", "planner:execution", _("Milestones")),
    ("risks", "planner:execution-risks", _("Risks")),
    ("playbooks", "planner:execution-playbooks", _("Playbooks")),
    ("activities", "planner:execution-activities", pgettext_lazy("execution tab", "Activities")),
    ("response", "planner:execution-response", _("Rapid response")),
)


def base_context(request: HttpRequest, plan: Plan, tab: str, **extra: Any) -> dict[str, Any]:
    return section_context(request, plan, "execution", tab, TABS, **extra)
