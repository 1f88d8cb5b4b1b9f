"""Pages of the campaign calendar: the year, a quarter, a month and the timeline (Gantt),
each with the festival layer and the campaigns, and the campaign editor that opens in
place from any of them."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from content import calendar as layout
from content import festivals as festival_calendar
from content import queries, services
from content.forms import CalendarFilterForm, CampaignForm
from content.models import Campaign, CampaignStatus, ThemeType
from content.pages import base_context
from core.auth import actor_of
from core.errors import DomainError, NotAllowed, StaleVersion
from core.forms import Conflict, attach_error, conflict_rows, posted_version
from core.htmx import is_htmx, refresh_or_redirect, render_page
from planner.access import Action, object_for_user, plan_for_user
from planner.models import Plan

# --- the calendar views -----------------------------------------------------------------------

FESTIVAL_KINDS = (
    ("lunar", gettext_lazy("Lunar festival")),
    ("solar", gettext_lazy("Gregorian holiday")),
    ("commerce", gettext_lazy("Shopping festival")),
)
WEEKDAY_INITIALS = (
    pgettext_lazy("Monday, in a calendar's header", "M"),
    pgettext_lazy("Tuesday, in a calendar's header", "T"),
    pgettext_lazy("Wednesday, in a calendar's header", "W"),
    pgettext_lazy("Thursday, in a calendar's header", "T"),
    pgettext_lazy("Friday, in a calendar's header", "F"),
    pgettext_lazy("Saturday, in a calendar's header", "S"),
    pgettext_lazy("Sunday, in a calendar's header", "S"),
)


def _filtered(request: HttpRequest, plan: Plan) -> tuple[CalendarFilterForm, queries.Filters, str]:
    """The filter form, the filters it gives and the query string that keeps them."""
    form = CalendarFilterForm(request.GET or None, plan=plan)
    filters = form.filters()
    kept = {
        key: value
        for key, value in (
            ("channel", filters.channel),
            ("theme", filters.theme),
            ("status", filters.status),
        )
        if value
    }
    return form, filters, f"?{urlencode(kept)}" if kept else ""


def _focus_month(plan: Plan, today: date) -> int:
    """The month the quarter and month links of the year and timeline open."""
    return today.month if today.year == plan.year else 1


def _views(plan: Plan, current: str, month: int, query: str) -> list[tuple[str, str, str, bool]]:
    """The view switch: (key, label, URL keeping the filters, is the current view)."""
    links: tuple[tuple[str, str, str, list[int]], ...] = (
        ("year", _("Year"), "content:section", []),
        ("quarter", _("Quarter"), "content:quarter", [(month - 1) // 3 + 1]),
        ("month", _("Month"), "content:month", [month]),
        ("timeline", _("Timeline"), "content:timeline", []),
    )
    return [
        (key, label, reverse(name, args=[plan.pk, *args]) + query, key == current)
        for key, label, name, args in links
    ]


def _calendar_context(
    request: HttpRequest, plan: Plan, view: str, month: int | None = None, **extra: Any
) -> dict[str, Any]:
    form, filters, query = _filtered(request, plan)
    cal = queries.calendar(plan, filters)
    today = timezone.localdate()
    focus = month or _focus_month(plan, today)
    return base_context(
        request,
        plan,
        "timeline" if view == "timeline" else "calendar",
        cal=cal,
        flags=layout.flags(cal.campaigns, cal.overlaps, plan.year),
        filter_form=form,
        filters=filters,
        query=query,
        today=today,
        view=view,
        views=_views(plan, view, focus, query),
        kinds=FESTIVAL_KINDS,
        kind_labels=dict(FESTIVAL_KINDS),
        themes=ThemeType.choices,
        weekday_initials=[(WEEKDAY_INITIALS[n], WEEKDAYS_ABBR[n]) for n in range(7)],
        **extra,
    )


def _summary(cal: queries.Calendar, campaigns: list[Campaign]) -> dict[str, Any]:
    counts = Counter(c.status for c in campaigns)
    return {
        "count": len(campaigns),
        "clashes": sum(1 for c in campaigns if cal.overlaps.get(c.pk)),
        "statuses": [(value, label, counts[value]) for value, label in CampaignStatus.choices],
        "budget": sum((c.budget for c in campaigns), Decimal(0)),
    }


def _festival_rows(cal: queries.Calendar, start: date, end: date) -> list[dict[str, Any]]:
    around = layout.campaigns_by_festival(cal.campaigns)
    return [
        {"festival": f, "campaigns": around.get(f.code, [])} for f in cal.festivals_in(start, end)
    ]


@login_required
@require_GET
def year(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    context = _calendar_context(request, plan, "year")
    cal: queries.Calendar = context["cal"]
    months = layout.year_grids(cal, context["today"])
    context.update(
        quarters=[(q, months[3 * (q - 1) : 3 * q]) for q in range(1, 5)],
        summary=_summary(cal, cal.campaigns),
        festival_rows=_festival_rows(cal, date(plan.year, 1, 1), date(plan.year, 12, 31)),
        nav_title=str(plan.year),
    )
    return render_page(request, "content/calendar_year.html", context)


@login_required
@require_GET
def quarter(request: HttpRequest, plan_id: int, quarter: int) -> HttpResponse:
    if not 1 <= quarter <= 4:
        raise Http404(_("A year has four quarters."))
    plan = plan_for_user(request.user, plan_id)
    numbers = layout.quarter_months(quarter)
    context = _calendar_context(request, plan, "quarter", month=numbers[0])
    cal: queries.Calendar = context["cal"]
    months = [layout.month_grid(date(plan.year, m, 1), cal, context["today"]) for m in numbers]
    first, last = months[0].first, months[-1].last
    shown = cal.in_range(first, last)
    query = context["query"]
    context.update(
        months=months,
        quarter=quarter,
        summary=_summary(cal, shown),
        summary_campaigns=shown,
        festival_rows=_festival_rows(cal, first, last),
        nav_title=_("Q%(n)s %(year)s") % {"n": quarter, "year": plan.year},
        nav_prev=(
            (_("Q%(n)s") % {"n": quarter - 1}, _quarter_url(plan, quarter - 1, query))
            if quarter > 1
            else None
        ),
        nav_next=(
            (_("Q%(n)s") % {"n": quarter + 1}, _quarter_url(plan, quarter + 1, query))
            if quarter < 4
            else None
        ),
    )
    return render_page(request, "content/calendar_quarter.html", context)


def _quarter_url(plan: Plan, quarter: int, query: str) -> str:
    return reverse("content:quarter", args=[plan.pk, quarter]) + query


def _month_url(plan: Plan, month: int, query: str) -> str:
    return reverse("content:month", args=[plan.pk, month]) + query


@login_required
@require_GET
def month(request: HttpRequest, plan_id: int, month: int) -> HttpResponse:
    if not 1 <= month <= 12:
        raise Http404(_("A year has twelve months."))
    plan = plan_for_user(request.user, plan_id)
    context = _calendar_context(request, plan, "month", month=month)
    cal: queries.Calendar = context["cal"]
    grid = layout.month_grid(date(plan.year, month, 1), cal, context["today"])
    query = context["query"]

    def neighbour(m: int) -> tuple[str, str] | None:
        if not 1 <= m <= 12:
            return None
        return date_format(date(plan.year, m, 1), "F"), _month_url(plan, m, query)

    context.update(
        grid=grid,
        summary=_summary(cal, grid.campaigns),
        festival_rows=_festival_rows(cal, grid.first, grid.last),
        nav_title=date_format(grid.first, "YEAR_MONTH_FORMAT"),
        nav_prev=neighbour(month - 1),
        nav_next=neighbour(month + 1),
        quarter_url=_quarter_url(plan, grid.quarter, query),
    )
    return render_page(request, "content/calendar_month.html", context)


@login_required
@require_GET
def timeline(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    context = _calendar_context(request, plan, "timeline")
    cal: queries.Calendar = context["cal"]
    context.update(
        gantt=layout.gantt(cal, context["today"]),
        summary=_summary(cal, cal.campaigns),
        nav_title=str(plan.year),
    )
    return render_page(request, "content/calendar_timeline.html", context)


# --- the campaign editor ----------------------------------------------------------------------


def _next_url(request: HttpRequest, plan: Plan) -> str:
    """Where to go after saving: the calendar view the editor was opened from."""
    own = f"/plans/{plan.pk}/content/"
    candidates = (
        request.POST.get("next"),
        request.GET.get("next"),
        request.headers.get("HX-Current-URL"),
        request.headers.get("Referer"),
    )
    for candidate in candidates:
        if not candidate or not url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            continue
        parts = urlsplit(candidate)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(own) and not path.startswith(own + "campaigns/"):
            return path
    return reverse("content:section", args=[plan.pk])


def _campaign_form(context: dict[str, Any], plan: Plan, *args: Any, **kwargs: Any) -> CampaignForm:
    return CampaignForm(
        *args,
        plan=plan,
        festivals=queries.festival_layer(plan.year),
        execution_only=not context["can_edit"],
        read_only=not (context["can_edit"] or context["can_run"]),
        **kwargs,
    )


def _steps(status: str) -> list[tuple[str, str]]:
    """The status flow for the stepper: (label, "done" / "current" / "")."""
    at = services.CAMPAIGN_FLOW.index(status)
    return [
        (str(label), "done" if n < at else "current" if n == at else "")
        for n, (_value, label) in enumerate(CampaignStatus.choices)
    ]


def _editor_context(
    context: dict[str, Any], campaign: Campaign | None, form: CampaignForm, **extra: Any
) -> dict[str, Any]:
    plan: Plan = context["plan"]
    if campaign is not None:
        clashes = queries.overlaps(list(queries.campaign_queryset(plan)))
        extra.update(
            flags=layout.flags([campaign], clashes, plan.year).get(campaign.pk),
            asset_count=campaign.assets.count(),
            festival_name=(
                queries.festival_name(campaign.festival, plan.year) if campaign.festival else ""
            ),
            steps=_steps(campaign.status),
        )
        extra.setdefault("version", campaign.version)
    return {**context, "campaign": campaign, "form": form, **extra}


def _render_editor(
    request: HttpRequest, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render_page(
        request,
        "content/campaign_form.html",
        context,
        partial="campaign-form",
        status=200 if is_htmx(request) else status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A new campaign; ``?start=YYYY-MM-DD`` (a day clicked in the calendar) pre-fills
    its dates."""
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    context = base_context(request, plan, "calendar", next_url=_next_url(request, plan))
    if request.method == "GET":
        initial: dict[str, Any] = {"status": CampaignStatus.IDEA, "owner": request.user.pk}
        try:
            start = date.fromisoformat(request.GET.get("start", ""))
        except ValueError:
            start = None
        if start is not None and start.year == plan.year:
            initial.update(start=start, end=start + timedelta(days=6))
        form = _campaign_form(context, plan, initial=initial, auto_id="new_%s")
        return _render_editor(request, _editor_context(context, None, form))
    form = _campaign_form(context, plan, request.POST, auto_id="new_%s")
    if form.is_valid():
        try:
            campaign = services.campaign_create(
                plan=plan, actor=actor_of(request), **form.changes()
            )
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            attach_error(form, error)
        else:
            messages.success(request, _("Campaign %(name)s added.") % {"name": campaign.name})
            return refresh_or_redirect(request, context["next_url"])
    return _render_editor(request, _editor_context(context, None, form), status=400)


def _campaigns(plan_id: int) -> QuerySet[Campaign]:
    return Campaign.objects.select_related("plan__workspace", "owner").filter(plan_id=plan_id)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, plan_id: int, campaign_id: int) -> HttpResponse:
    """The campaign's form, in place (htmx) or as a page. Readers see it disabled;
    once the plan is approved only the status can change."""
    action = Action.VIEW if request.method == "GET" else Action.EDIT
    campaign: Campaign = object_for_user(_campaigns(plan_id), request.user, action, pk=campaign_id)
    plan = campaign.plan
    context = base_context(request, plan, "calendar", next_url=_next_url(request, plan))
    if request.method == "GET":
        form = _campaign_form(
            context, plan, instance=campaign, initial={"version": campaign.version}
        )
        return _render_editor(request, _editor_context(context, campaign, form))

    version = posted_version(request)
    form = _campaign_form(context, plan, request.POST, instance=campaign)
    changes: dict[str, Any] = {}
    conflict: Conflict | None = None
    deleting = bool(request.POST.get("delete"))
    if deleting or form.is_valid():
        try:
            if deleting:
                services.campaign_delete(
                    campaign=campaign, expected_version=version, actor=actor_of(request)
                )
            else:
                changes = (
                    form.changes()
                    if context["can_edit"]
                    else {"status": form.cleaned_data["status"]}
                )
                campaign = services.campaign_update(
                    campaign=campaign,
                    expected_version=version,
                    changes=changes,
                    actor=actor_of(request),
                )
        except StaleVersion as error:
            current = error.current
            if current is None:
                messages.error(request, _("The campaign was deleted in the meantime."))
                return refresh_or_redirect(request, context["next_url"])
            conflict = conflict_rows(form, changes, current)
            campaign = current
            form = _campaign_form(
                context, plan, instance=current, initial={"version": current.version}
            )
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            attach_error(form, error)
        else:
            if deleting:
                messages.success(request, _("Campaign %(name)s deleted.") % {"name": campaign.name})
                if is_htmx(request):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = context["next_url"]
                    return response
                return redirect(context["next_url"])
            messages.success(request, _("Campaign %(name)s saved.") % {"name": campaign.name})
            return refresh_or_redirect(request, context["next_url"])
    return _render_editor(
        request,
        _editor_context(
            context,
            campaign,
            form,
            conflict=conflict,
            # after a refused save the form keeps the version it was read at
            version=campaign.version if conflict is not None else version,
        ),
        status=409 if conflict is not None else 400,
    )


@login_required
@require_POST
def campaign_from_festival(request: HttpRequest, plan_id: int, festival: str) -> HttpResponse:
    """Spawn a campaign from a festival of the plan year, then open it to adjust."""
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    if festival not in {f.code for f in festival_calendar.festivals(plan.year)}:
        raise Http404(_("No such festival in the plan year."))
    try:
        campaign = services.campaign_from_festival(
            plan=plan, festival=festival, actor=actor_of(request)
        )
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        messages.error(request, error.describe())
        return redirect(_next_url(request, plan))
    messages.success(
        request,
        _("Campaign %(name)s planned from the festival's template: adjust it and save.")
        % {"name": campaign.name},
    )
    return redirect("content:campaign-edit", plan_id=plan.pk, campaign_id=campaign.pk)
