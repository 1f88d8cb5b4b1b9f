"""What every page of the execution section shares: its tabs and context.

The manager's quarterly dashboard is the first tab; the key activities come as a tab here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.errors import DomainError, InvalidInput, StaleVersion
from core.forms import attach_error, posted_version, raise_if_forbidden
from core.models import VersionedModel
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


STALE = _("Someone changed this in the meantime; here it is as saved now.")


def save_or_delete(
    request: HttpRequest,
    *,
    found: VersionedModel,
    form: Any,
    fresh_form: Callable[[], Any],
    render: Callable[..., HttpResponse],
    update: Callable[[int, dict[str, Any]], Any],
    delete: Callable[[int], Any],
    saved: str,
    removed: str,
    after_save: Callable[[], HttpResponse],
    after_delete: Callable[[], HttpResponse],
) -> HttpResponse:
    """The POST of an edit page: delete (``delete`` posted) or save the form.

    A stale version shows the row as saved now (409); any other refusal shows the
    form with its errors (400); a missing permission is a 403.
    """
    version = posted_version(request)
    try:
        if request.POST.get("delete"):
            delete(version)
            messages.success(request, removed)
            return after_delete()
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        update(version, form.changes())
    except StaleVersion:
        found.refresh_from_db()
        return render(fresh_form(), error_text=str(STALE), status=409)
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return render(form, status=400)
    messages.success(request, saved)
    return after_save()
