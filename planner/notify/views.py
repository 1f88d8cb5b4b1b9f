"""Notification pages: my subscription, the delivery log with "send me a test", and the
unsubscribe page an email links to. Thin: parse → access/service → render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.auth import actor_of
from core.errors import DomainError, InvalidInput, StaleVersion
from core.forms import attach_error, conflict_rows
from core.htmx import render_page
from planner.access import Action, can, role_in, workspace_for_user
from planner.models import Membership, Workspace
from planner.notify import queries, sample, subscriptions
from planner.notify.forms import DeliveryFilterForm, SubscriptionForm
from planner.notify.unsubscribe import BadToken, read_token

DELIVERIES_PER_PAGE = 50


def _membership(request: HttpRequest, workspace: Workspace) -> Membership:
    return Membership.objects.select_related("user", "workspace").get(
        workspace=workspace, user_id=int(request.user.pk or 0)
    )


def _settings_context(workspace: Workspace, **extra: Any) -> dict[str, Any]:
    return {"workspace": workspace, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest, slug: str) -> HttpResponse:
    """My own alert-email and digest choices in this workspace (version-checked)."""
    workspace = workspace_for_user(request.user, slug)
    membership = _membership(request, workspace)
    subscription = subscriptions.subscription_for(membership, language=get_language())
    template = "planner/notify/notifications.html"
    if request.method == "GET":
        context = _settings_context(workspace, form=SubscriptionForm.of(subscription))
        return render_page(request, template, context)
    form = SubscriptionForm(request.POST)
    conflict: list[tuple[str, Any, Any]] = []
    status = 400
    if form.is_valid():
        changes = form.changes()
        try:
            subscriptions.subscription_update(
                subscription=subscription,
                expected_version=form.cleaned_data["version"],
                changes=changes,
                actor=actor_of(request),
            )
        except StaleVersion as error:
            current = error.current or subscription
            conflict = conflict_rows(form, changes, current)
            form = SubscriptionForm.of(current)
            status = 409
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Notification settings saved."))
            return redirect("planner:notifications", slug=workspace.slug)
    context = _settings_context(workspace, form=form, conflict=conflict)
    return render_page(request, template, context, status=status)


@login_required
@require_GET
def deliveries(request: HttpRequest, slug: str) -> HttpResponse:
    """The delivery log: everything for managers and admins, one's own for the others."""
    workspace = workspace_for_user(request.user, slug)
    form = DeliveryFilterForm(request.GET)
    found = queries.visible_deliveries(request.user, workspace.pk).filter(**form.chosen())
    page = Paginator(found, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    role = role_in(request.user, workspace.pk)
    context = {
        "workspace": workspace,
        "form": form,
        "page": page,
        "sees_all": can(request.user, workspace.pk, Action.APPROVE),
        "role": role,
        "filter_query": urlencode(form.chosen()),
        "has_email": bool(getattr(request.user, "email", "")),
    }
    return render_page(request, "planner/notify/deliveries.html", context)


@login_required
@require_POST
def delivery_test(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Send me a test": one test email per member and minute (a double click sends one)."""
    workspace = workspace_for_user(request.user, slug)
    try:
        claimed = sample.request_test(user=request.user, workspace=workspace)
    except InvalidInput as error:
        messages.error(request, error.describe())
    else:
        if claimed is None:
            messages.info(request, _("A test email is already on its way."))
        else:
            messages.success(
                request,
                _("Test email requested for %(address)s; it appears below when sent.")
                % {"address": claimed.address},
            )
    return redirect("planner:deliveries", slug=workspace.slug)


@csrf_exempt  # the signed token is the credential; RFC 8058 one-click POSTs carry no cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirm page that changes nothing (link scanners prefetch GETs).
    POST (the page's button, or a mail client's one-click POST): unsubscribe."""
    template = "planner/notify/unsubscribe.html"
    try:
        wanted = read_token(token)
    except BadToken:
        return render_page(request, template, {"state": "invalid"}, status=400)
    membership = (
        Membership.objects.select_related("user", "workspace")
        .filter(user_id=wanted.user_id, workspace_id=wanted.workspace_id, user__is_active=True)
        .first()
    )
    if membership is None:
        return render_page(request, template, {"state": "invalid"}, status=400)
    context: dict[str, Any] = {
        "state": "confirm",
        "category": wanted.category,
        "workspace": membership.workspace,
        "address": membership.user.email,
        "token": token,
        "settings_link": reverse(
            "planner:notifications", kwargs={"slug": membership.workspace.slug}
        ),
    }
    if request.method == "POST":
        subscriptions.unsubscribe(membership=membership, category=wanted.category)
        context["state"] = "done"
    return render_page(request, template, context)
