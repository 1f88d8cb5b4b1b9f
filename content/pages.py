"""What every page of the content section shares: the tabs and the base context."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from planner.models import Plan
from planner.sections import section_context

# (tab key, URL name, label): the section's tabs in order.
TABS = (
    ("calendar", "content:section", _("Calendar")),
    ("timeline", "content:timeline", _("Timeline")),
    ("creative", "content:creative", _("Creative standards")),
    ("assets", "content:assets", _("Assets")),
    ("licences", "content:licences", _("Licences")),
    ("interaction", "content:interaction", _("User interaction")),
)


def base_context(request: HttpRequest, plan: Plan, tab: str, **extra: Any) -> dict[str, Any]:
    """The context of every content page (see ``planner.sections.section_context``)."""
    return section_context(request, plan, "content", tab, TABS, **extra)
