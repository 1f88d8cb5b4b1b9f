"""Pages of the channel section: the catalogue, the channels × quarters matrix,
the KOL/KOC programme and the diversification view."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from channels import charts, queries, services
from channels.forms import CellForm, ChannelForm, CooperationForm, CreatorForm, RosterUploadForm
from channels.models import Channel, ChannelPlan, Cooperation, Creator
from channels.roster_import import import_roster
from core.auth import actor_of
from core.errors import DomainError, InvalidInput, NotAllowed, StaleVersion
from core.forms import attach_error, posted_version
from core.htmx import is_htmx, refresh, render_page
from kpis.models import GoalKind, StrategicGoal
from monitoring import queries as monitoring_queries
from planner.access import Action, can, object_for_user, plan_for_user
from planner.models import Plan
from planner.sections import BY_KEY, SECTIONS

SECTION = BY_KEY["channels"]
TABS = (
    ("section", "catalogue"),
    ("matrix", "matrix"),
    ("kol", "kol"),
    ("mix", "mix"),
)


def _base(request: HttpRequest, plan: Plan, tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "plan": plan,
        "section": SECTION,
        "sections": SECTIONS,
        "tab": tab,
        "can_edit": can(request.user, plan.workspace_id, Action.EDIT) and plan.is_editable,
        **extra,
    }


def _owned(request: HttpRequest, queryset: QuerySet[Any], action: Action, **lookup: Any) -> Any:
    return object_for_user(queryset, request.user, action, **lookup)


# --- catalogue -------------------------------------------------------------------------


@login_required
@require_GET
def section(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    context = _base(
        request,
        plan,
        "catalogue",
        families=queries.channels_by_family(plan),
        form=ChannelForm(auto_id="new_%s", initial={"family": "online", "group": "social"}),
        grades=monitoring_queries.grades_by_channel(plan),
    )
    return render_page(request, "channels/section.html", context)


@login_required
@require_POST
def channel_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = ChannelForm(request.POST, auto_id="new_%s")
    if form.is_valid():
        try:
            channel = services.channel_create(plan=plan, actor=actor_of(request), **form.changes())
        except InvalidInput as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Channel %(name)s added.") % {"name": channel.display_name})
            return redirect("channels:section", plan_id=plan.pk)
    context = _base(
        request, plan, "catalogue", families=queries.channels_by_family(plan), form=form
    )
    return render_page(request, "channels/section.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, plan_id: int, channel_id: int) -> HttpResponse:
    channel: Channel = _owned(
        request,
        Channel.objects.select_related("plan__workspace"),
        Action.EDIT,
        pk=channel_id,
        plan_id=plan_id,
    )
    plan = channel.plan
    if request.method == "GET":
        form = ChannelForm(instance=channel, initial={"version": channel.version})
        return render_page(
            request,
            "channels/channel_form.html",
            _base(request, plan, "catalogue", form=form, channel=channel),
            partial="channel-form",
        )
    version = posted_version(request)
    form = ChannelForm(request.POST, instance=channel)
    try:
        if request.POST.get("delete"):
            services.channel_delete(
                channel=channel, expected_version=version, actor=actor_of(request)
            )
            messages.success(request, _("Channel removed."))
        elif form.is_valid():
            services.channel_update(
                channel=channel,
                expected_version=version,
                changes=form.changes(),
                actor=actor_of(request),
            )
        else:
            raise InvalidInput(_("Check the fields."))
    except StaleVersion:
        messages.error(request, _("The channel changed in the meantime; here it is as saved now."))
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        attach_error(form, error)
        return render_page(
            request,
            "channels/channel_form.html",
            _base(request, plan, "catalogue", form=form, channel=channel),
            partial="channel-form",
            status=200 if is_htmx(request) else 400,
        )
    if is_htmx(request):
        return refresh()
    return redirect("channels:section", plan_id=plan.pk)


# --- the channels × quarters matrix -------------------------------------------------------


@login_required
@require_GET
def matrix(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    m = queries.matrix(plan)
    return render_page(request, "channels/matrix.html", _base(request, plan, "matrix", matrix=m))


@login_required
@require_http_methods(["GET", "POST"])
def cell(request: HttpRequest, plan_id: int, channel_id: int, quarter: int) -> HttpResponse:
    """One cell of the matrix: its form in place (htmx) or on its own page."""
    action = Action.VIEW if request.method == "GET" else Action.EDIT
    channel: Channel = _owned(
        request,
        Channel.objects.select_related("plan__workspace"),
        action,
        pk=channel_id,
        plan_id=plan_id,
    )
    plan = channel.plan
    existing = ChannelPlan.objects.filter(channel=channel, quarter=quarter).first()
    if request.method == "GET":
        form = CellForm(
            instance=existing, plan=plan, initial={"version": existing.version if existing else 0}
        )
        context = _base(
            request, plan, "matrix", form=form, channel=channel, quarter=quarter, cell=existing
        )
        return render_page(request, "channels/cell_form.html", context, partial="cell-form")
    form = CellForm(request.POST, instance=existing, plan=plan)
    error_text = ""
    if form.is_valid():
        try:
            services.channel_plan_save(
                channel=channel,
                quarter=quarter,
                changes=form.changes(),
                expected_version=form.cleaned_data.get("version"),
                actor=actor_of(request),
            )
        except StaleVersion:
            error_text = _(
                "Someone saved this quarter in the meantime; reload to see their version."
            )
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            attach_error(form, error)
        else:
            if is_htmx(request):
                return refresh()
            return redirect("channels:matrix", plan_id=plan.pk)
    context = _base(
        request,
        plan,
        "matrix",
        form=form,
        channel=channel,
        quarter=quarter,
        cell=existing,
        error_text=error_text,
    )
    return render_page(
        request,
        "channels/cell_form.html",
        context,
        partial="cell-form",
        status=200 if is_htmx(request) else 400,
    )


# --- the KOL/KOC programme ----------------------------------------------------------------


@login_required
@require_GET
def kol(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    blocks = queries.roster(plan)
    context = _base(
        request,
        plan,
        "kol",
        tiers=blocks,
        creator_count=sum(len(b.creators) for b in blocks),
        total=queries.programme_totals(blocks),
        cooperations=queries.cooperations(plan),
        creator_form=CreatorForm(plan=plan, auto_id="creator_%s"),
        cooperation_form=CooperationForm(plan=plan, auto_id="coop_%s"),
        upload_form=RosterUploadForm(auto_id="roster_%s"),
        tier_chart=charts.tier_results(blocks) if any(b.creators for b in blocks) else None,
    )
    return render_page(request, "channels/kol.html", context)


def _save(
    request: HttpRequest,
    plan: Plan,
    form: Any,
    create: Any,
    update: Any,
    delete: Any,
    instance: Model | None,
) -> None:
    """Create, update or delete one roster row from a form post, with messages."""
    version = posted_version(request)
    try:
        if instance is not None and request.POST.get("delete"):
            delete(instance, version)
            messages.success(request, _("Deleted."))
            return
        if not form.is_valid():
            raise InvalidInput(fields={k: list(v) for k, v in form.errors.items()})
        if instance is None:
            create(form.changes())
        else:
            update(instance, version, form.changes())
        messages.success(request, _("Saved."))
    except StaleVersion:
        messages.error(request, _("It changed in the meantime; review it and try again."))
    except InvalidInput as error:
        messages.error(request, error.describe())


def _row_form(
    request: HttpRequest, plan: Plan, form: Any, action_url: str, title: str
) -> HttpResponse:
    """The edit form of one roster or cooperation row, in place (htmx) or as a page."""
    context = _base(request, plan, "kol", form=form, action_url=action_url, title=title)
    return render_page(request, "channels/row_form.html", context, partial="row-form")


@login_required
@require_http_methods(["GET", "POST"])
def creator_save(request: HttpRequest, plan_id: int, creator_id: int | None = None) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    actor = actor_of(request)
    creator = (
        _owned(request, Creator.objects.all(), Action.EDIT, pk=creator_id, plan=plan)
        if creator_id
        else None
    )
    if request.method == "GET":
        if creator is None:
            return redirect("channels:kol", plan_id=plan.pk)
        form = CreatorForm(instance=creator, plan=plan, initial={"version": creator.version})
        return _row_form(request, plan, form, request.path, creator.name)
    _save(
        request,
        plan,
        CreatorForm(request.POST, plan=plan, instance=creator),
        lambda data: services.creator_create(plan=plan, actor=actor, **data),
        lambda obj, v, data: services.creator_update(
            creator=obj, expected_version=v, changes=data, actor=actor
        ),
        lambda obj, v: services.creator_delete(creator=obj, expected_version=v, actor=actor),
        creator,
    )
    return redirect("channels:kol", plan_id=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def cooperation_save(
    request: HttpRequest, plan_id: int, cooperation_id: int | None = None
) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    actor = actor_of(request)
    cooperation = (
        _owned(
            request,
            Cooperation.objects.select_related("creator"),
            Action.EDIT,
            pk=cooperation_id,
            creator__plan=plan,
        )
        if cooperation_id
        else None
    )
    if request.method == "GET":
        if cooperation is None:
            return redirect("channels:kol", plan_id=plan.pk)
        form = CooperationForm(
            instance=cooperation, plan=plan, initial={"version": cooperation.version}
        )
        return _row_form(request, plan, form, request.path, str(cooperation))
    _save(
        request,
        plan,
        CooperationForm(request.POST, plan=plan, instance=cooperation),
        lambda data: services.cooperation_create(actor=actor, **data),
        lambda obj, v, data: services.cooperation_update(
            cooperation=obj, expected_version=v, changes=data, actor=actor
        ),
        lambda obj, v: services.cooperation_delete(
            cooperation=obj, expected_version=v, actor=actor
        ),
        cooperation,
    )
    return redirect("channels:kol", plan_id=plan.pk)


@login_required
@require_POST
def roster_upload(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV or XLSX file."))
        return redirect("channels:kol", plan_id=plan.pk)
    upload = form.cleaned_data["file"]
    try:
        result = import_roster(
            plan=plan, upload=upload, filename=upload.name, actor=actor_of(request)
        )
    except InvalidInput as error:
        problems = [str(p) for ps in error.fields.values() for p in ps] or [str(error.message)]
        messages.error(request, _("Nothing was imported:") + " " + " · ".join(problems[:20]))
    else:
        messages.success(
            request,
            _("Roster imported: %(created)s added, %(updated)s updated.")
            % {"created": result.created, "updated": result.updated},
        )
    return redirect("channels:kol", plan_id=plan.pk)


# --- diversification ------------------------------------------------------------------------


@login_required
@require_GET
def mix(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    m = queries.matrix(plan)
    families, channels = queries.budget_shares(m)
    result_label, results = queries.planned_result_shares(plan)
    context = _base(
        request,
        plan,
        "mix",
        total=m.total,
        family_shares=families,
        channel_shares=channels,
        result_label=result_label,
        result_shares=results,
        goals=list(StrategicGoal.objects.filter(plan=plan, kind=GoalKind.CHANNEL_MIX)),
        chart=charts.budget_mix(families, channels) if m.total else None,
    )
    return render_page(request, "channels/mix.html", context)
