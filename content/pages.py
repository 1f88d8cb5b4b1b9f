"""What every page of the content section shares: the tabs and the base context."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from core.htmx import is_htmx
from planner.access import Action, can
from planner.models import Plan, PlanStatus
from planner.sections import BY_KEY, SECTIONS

SECTION = BY_KEY["content"]

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
    """The context of every content page.

    ``can_edit``: the plan is a draft and the user may edit (planning writes).
    ``can_run``: the user may record execution (campaign status, assets, licences),
    which goes on after approval until the plan is archived.
    """
    may_edit = can(request.user, plan.workspace_id, Action.EDIT)
    return {
        "plan": plan,
        "section": SECTION,
        "sections": SECTIONS,
        "tab": tab,
        "tabs": TABS,
        "can_edit": may_edit and plan.is_editable,
        "can_run": may_edit and plan.status != PlanStatus.ARCHIVED,
        **extra,
    }


def refresh() -> HttpResponse:
    """After an in-place save: totals and flags elsewhere on the page changed too."""
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


def refresh_or_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """After a save or a removal: reload the page the form sits in (htmx), or go to ``url``."""
    return refresh() if is_htmx(request) else redirect(url)
