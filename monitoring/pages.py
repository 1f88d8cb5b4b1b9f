"""What every page of the monitoring section shares: the tabs, the base context and
running an upload form through an import service."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, NotAllowed, StaleVersion
from core.forms import attach_error
from monitoring.models import Alert, AlertStatus
from planner.models import Plan
from planner.sections import section_context

# (tab key, URL name, label): the section's tabs in order.
TABS = (
    ("overview", "monitoring:section", _("Overview")),
    ("alerts", "monitoring:alerts", _("Alert inbox")),
    ("imports", "monitoring:imports", _("Imports")),
    ("attribution", "monitoring:attribution", _("Attribution")),
    ("rules", "monitoring:rules", _("Rules and settings")),
    ("roi", "monitoring:roi", _("ROI")),
    ("competitors", "monitoring:competitors", _("Competitors")),
)


def base_context(request: HttpRequest, plan: Plan, tab: str, **extra: Any) -> dict[str, Any]:
    """The context of every monitoring page.

    ``can_run``: the user may import metrics, manage alert rules, work the alert inbox
    and ask for a recompute, which goes on until the plan is archived.
    ``can_edit``: the plan is a draft and the user may edit it (the monitoring
    settings are part of the plan, so they freeze with it).
    ``open_total``: the alerts nobody has looked at yet (shown on the inbox tab).
    """
    return section_context(
        request,
        plan,
        "monitoring",
        tab,
        TABS,
        open_total=Alert.objects.filter(plan=plan, status=AlertStatus.OPEN).count(),
        **extra,
    )


R = TypeVar("R")


def submit_versioned(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    *,
    stale_message: str,
    field_of: Mapping[str, str | None] | None = None,
) -> str:
    """Run a posted form with a ``version`` through a versioned service write.

    "saved"; "stale" when someone saved first (``stale_message`` is shown: show the
    current values, 409); "invalid" when the form or the service refused it (the reasons
    are on the form, 400). ``NotAllowed`` is raised (403).
    """
    if not form.is_valid():
        return "invalid"
    try:
        save(form.cleaned_data)
    except StaleVersion:
        messages.error(request, stale_message)
        return "stale"
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        attach_error(form, error, field_of)
        return "invalid"
    return "saved"


def submit_upload(form: forms.Form, run: Callable[[Any, dict[str, Any]], R]) -> R | None:
    """Run a posted upload form's file (and its cleaned data) through an import service.

    The service's record, or None when the form is invalid or the service refused (the
    reason is then on the form, to show the page again); ``NotAllowed`` is raised (403).
    """
    if not form.is_valid():
        return None
    try:
        return run(form.cleaned_data["file"], form.cleaned_data)
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        attach_error(form, error)
        return None
