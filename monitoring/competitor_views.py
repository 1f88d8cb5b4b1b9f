"""Pages of competitor tracking (the "Competitors" tab of the monitoring section): the
competitors with their last observation and share of voice, a competitor's timeline, the
observation forms, the feature matrix with in-place cell edits, the share-of-voice chart
and the CSV imports of traffic shares and voice figures.

Screenshots are never served from a public media URL: :func:`screenshot` checks that the
user may see the plan and streams the file.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.auth import actor_of
from core.errors import DomainError, InvalidInput, StaleVersion
from core.forms import attach_error, posted_version, raise_if_forbidden
from core.htmx import is_htmx, refresh_or_redirect, render_page
from monitoring import competitor_charts as charts
from monitoring import competitor_import
from monitoring import competitor_queries as queries
from monitoring import competitor_services as services
from monitoring.analytics import competition
from monitoring.competitor_forms import (
    CellForm,
    CompetitorForm,
    CompetitorImportForm,
    FeatureForm,
    ObservationForm,
    TimelineFilterForm,
)
from monitoring.competitors import (
    Competitor,
    CompetitorObservation,
    Feature,
    FeatureValue,
    ObservationKind,
    product_key,
)
from monitoring.pages import base_context
from planner.access import Action, object_for_user, plan_for_user
from planner.models import Plan

TAB = "competitors"


def _context(request: HttpRequest, plan: Plan, page: str, **extra: Any) -> dict[str, Any]:
    return base_context(request, plan, TAB, comp_page=page, **extra)


# --- the list ------------------------------------------------------------------------------------


def _list_page(
    request: HttpRequest, plan: Plan, form: CompetitorForm | None = None, status: int = 200
) -> HttpResponse:
    sov = queries.voice_frame(plan)
    shares = queries.latest_shares(sov)
    context = _context(
        request,
        plan,
        "list",
        rows=queries.overview(plan, sov),
        our_share=shares.get(competition.US),
        sov_month=sov.dropna(subset=["share"])["month"].max() if not sov.empty else None,
        goal=queries.sov_goal(plan),
        form=form or CompetitorForm(auto_id="comp_%s", initial={"is_active": True}),
        kinds=ObservationKind.choices,
    )
    return render_page(request, "monitoring/competitors/list.html", context, status=status)


@login_required
@require_GET
def competitors(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _list_page(request, plan_for_user(request.user, plan_id))


@login_required
@require_POST
def competitor_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = CompetitorForm(request.POST, auto_id="comp_%s")
    if form.is_valid():
        try:
            found = services.competitor_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Competitor “%(name)s” added.") % {"name": found.name})
            return redirect("monitoring:competitor", plan_id=plan.pk, competitor_id=found.pk)
    return _list_page(request, plan, form, status=400)


# --- a competitor and its timeline -----------------------------------------------------------


def _competitor(
    request: HttpRequest, plan_id: int, competitor_id: int, action: Action
) -> Competitor:
    return object_for_user(
        Competitor.objects.select_related("plan__workspace"),
        request.user,
        action,
        pk=competitor_id,
        plan_id=plan_id,
    )


def _detail_page(
    request: HttpRequest,
    plan: Plan,
    competitor: Competitor | None,
    *,
    form: CompetitorForm | None = None,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    filters = TimelineFilterForm(request.GET or None)
    kind = filters.cleaned_data["kind"] if filters.is_valid() else ""
    if competitor is not None and form is None:
        form = CompetitorForm(
            instance=competitor, auto_id="comp_%s", initial={"version": competitor.version}
        )
    context = _context(
        request,
        plan,
        "detail",
        competitor=competitor,
        timeline=queries.timeline(plan, competitor, kind or None),
        filters=filters,
        kind=kind,
        form=form,
        error_text=error_text,
        kinds=ObservationKind.choices,
        brand_key=product_key(competitor.pk if competitor else None),
    )
    return render_page(
        request, "monitoring/competitors/detail.html", context, partial="timeline", status=status
    )


@login_required
@require_GET
def competitor(request: HttpRequest, plan_id: int, competitor_id: int) -> HttpResponse:
    found = _competitor(request, plan_id, competitor_id, Action.VIEW)
    return _detail_page(request, found.plan, found)


@login_required
@require_GET
def our_brand(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Our own voice and traffic figures, as a timeline like a competitor's."""
    return _detail_page(request, plan_for_user(request.user, plan_id), None)


@login_required
@require_POST
def competitor_edit(request: HttpRequest, plan_id: int, competitor_id: int) -> HttpResponse:
    found = _competitor(request, plan_id, competitor_id, Action.EDIT)
    plan = found.plan
    version = posted_version(request)
    form = CompetitorForm(request.POST, instance=found, auto_id="comp_%s")
    try:
        if request.POST.get("delete"):
            services.competitor_delete(
                competitor=found, expected_version=version, actor=actor_of(request)
            )
            messages.success(request, _("Competitor removed with its observations."))
            return redirect("monitoring:competitors", plan_id=plan.pk)
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        services.competitor_update(
            competitor=found,
            expected_version=version,
            changes=form.changes(),
            actor=actor_of(request),
        )
    except StaleVersion:
        found.refresh_from_db()
        return _detail_page(
            request,
            plan,
            found,
            error_text=_(
                "Someone changed this competitor in the meantime; here it is as saved now."
            ),
            status=409,
        )
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return _detail_page(request, plan, found, form=form, status=400)
    messages.success(request, _("Competitor saved."))
    return redirect("monitoring:competitor", plan_id=plan.pk, competitor_id=found.pk)


# --- observations --------------------------------------------------------------------------------


def _back(plan: Plan, competitor_id: int | None) -> str:
    if competitor_id:
        return reverse("monitoring:competitor", args=[plan.pk, competitor_id])
    return reverse("monitoring:our-brand", args=[plan.pk])


def _observation_page(
    request: HttpRequest,
    plan: Plan,
    form: ObservationForm,
    *,
    observation: CompetitorObservation | None = None,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _context(
        request,
        plan,
        "observation",
        form=form,
        observation=observation,
        kind=form.kind,
        kind_label=ObservationKind(form.kind).label,
        kinds=ObservationKind.choices,
        error_text=error_text,
        competitor_id=wanted if (wanted := request.GET.get("competitor", "")).isdigit() else "",
    )
    return render_page(
        request, "monitoring/competitors/observation_form.html", context, status=status
    )


def _kind(raw: str | None) -> str:
    return raw if raw in ObservationKind.values else ObservationKind.PROMOTION


@login_required
@require_http_methods(["GET", "POST"])
def observation_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    kind = _kind(request.POST.get("kind") if request.method == "POST" else request.GET.get("kind"))
    if request.method == "GET":
        initial: dict[str, Any] = {"kind": kind}
        wanted = request.GET.get("competitor", "")
        if wanted.isdigit():
            initial["competitor"] = wanted
        return _observation_page(
            request, plan, ObservationForm(plan=plan, kind=kind, initial=initial, auto_id="obs_%s")
        )
    form = ObservationForm(request.POST, request.FILES, plan=plan, kind=kind, auto_id="obs_%s")
    if form.is_valid():
        try:
            obs = services.observation_create(
                plan=plan,
                actor=actor_of(request),
                screenshot=form.cleaned_data.get("screenshot") or None,
                **form.changes(),
            )
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Observation recorded."))
            return redirect(_back(plan, obs.competitor_id))
    return _observation_page(request, plan, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def observation_edit(request: HttpRequest, plan_id: int, observation_id: int) -> HttpResponse:
    obs: CompetitorObservation = object_for_user(
        CompetitorObservation.objects.select_related("plan__workspace", "competitor"),
        request.user,
        Action.EDIT,
        pk=observation_id,
        plan_id=plan_id,
    )
    plan = obs.plan
    if request.method == "GET":
        return _observation_page(
            request,
            plan,
            ObservationForm(instance=obs, plan=plan, kind=obs.kind, auto_id="obs_%s"),
            observation=obs,
        )
    version = posted_version(request)
    form = ObservationForm(
        request.POST, request.FILES, instance=obs, plan=plan, kind=obs.kind, auto_id="obs_%s"
    )
    back = _back(plan, obs.competitor_id)
    try:
        if request.POST.get("delete"):
            services.observation_delete(
                observation=obs, expected_version=version, actor=actor_of(request)
            )
            messages.success(request, _("Observation removed."))
            return redirect(back)
        if not form.is_valid():
            raise InvalidInput(_("Check the fields."))
        services.observation_update(
            observation=obs,
            expected_version=version,
            changes=form.changes(),
            actor=actor_of(request),
            screenshot=form.cleaned_data.get("screenshot") or None,
            remove_screenshot=form.cleaned_data.get("screenshot") is False,
        )
    except StaleVersion:
        obs.refresh_from_db()
        return _observation_page(
            request,
            plan,
            ObservationForm(instance=obs, plan=plan, kind=obs.kind, auto_id="obs_%s"),
            observation=obs,
            error_text=_(
                "Someone changed this observation in the meantime; here it is as saved now."
            ),
            status=409,
        )
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return _observation_page(request, plan, form, observation=obs, status=400)
    messages.success(request, _("Observation saved."))
    return redirect(back)


@login_required
@require_GET
def screenshot(request: HttpRequest, plan_id: int, observation_id: int) -> FileResponse:
    """The screenshot of an observation, for members of the plan's workspace only."""
    obs: CompetitorObservation = object_for_user(
        CompetitorObservation.objects.all(), request.user, pk=observation_id, plan_id=plan_id
    )
    return screenshot_response(obs)


def screenshot_response(obs: CompetitorObservation) -> FileResponse:
    if not obs.screenshot:
        raise Http404(_("Not found."))
    try:
        handle = obs.screenshot.open("rb")
    except FileNotFoundError:
        raise Http404(_("Not found.")) from None
    extension = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(
        obs.screenshot_type, "bin"
    )
    response = FileResponse(
        handle,
        content_type=obs.screenshot_type or "application/octet-stream",
        filename=f"observation-{obs.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- the feature matrix --------------------------------------------------------------------------


def _matrix_page(
    request: HttpRequest, plan: Plan, form: FeatureForm | None = None, status: int = 200
) -> HttpResponse:
    context = _context(
        request,
        plan,
        "matrix",
        matrix=queries.matrix(plan),
        form=form or FeatureForm(auto_id="feat_%s", initial={"weight": 1}),
    )
    return render_page(request, "monitoring/competitors/matrix.html", context, status=status)


@login_required
@require_GET
def feature_matrix(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _matrix_page(request, plan_for_user(request.user, plan_id))


@login_required
@require_POST
def feature_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = FeatureForm(request.POST, auto_id="feat_%s")
    if form.is_valid():
        try:
            services.feature_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Feature added to the matrix."))
            return redirect("monitoring:feature-matrix", plan_id=plan.pk)
    return _matrix_page(request, plan, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def feature_edit(request: HttpRequest, plan_id: int, feature_id: int) -> HttpResponse:
    feature: Feature = object_for_user(
        Feature.objects.select_related("plan__workspace"),
        request.user,
        Action.EDIT,
        pk=feature_id,
        plan_id=plan_id,
    )
    plan = feature.plan

    def form_page(form: FeatureForm, status: int = 200, error_text: str = "") -> HttpResponse:
        context = _context(
            request, plan, "matrix", feature=feature, form=form, error_text=error_text
        )
        return render_page(
            request,
            "monitoring/competitors/feature_form.html",
            context,
            partial="feature-form",
            status=status,
        )

    auto_id = f"feat{feature.pk}_%s"
    if request.method == "GET":
        return form_page(
            FeatureForm(instance=feature, auto_id=auto_id, initial={"version": feature.version})
        )
    version = posted_version(request)
    form = FeatureForm(request.POST, instance=feature, auto_id=auto_id)
    try:
        if request.POST.get("delete"):
            services.feature_delete(
                feature=feature, expected_version=version, actor=actor_of(request)
            )
            messages.success(request, _("Feature removed from the matrix."))
        elif form.is_valid():
            services.feature_update(
                feature=feature,
                expected_version=version,
                changes=form.changes(),
                actor=actor_of(request),
            )
            messages.success(request, _("Feature saved."))
        else:
            raise InvalidInput(_("Check the fields."))
    except StaleVersion:
        feature.refresh_from_db()
        return form_page(
            FeatureForm(instance=feature, auto_id=auto_id, initial={"version": feature.version}),
            status=200 if is_htmx(request) else 409,
            error_text=_("Someone changed this feature in the meantime; here it is as saved now."),
        )
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return form_page(form, status=200 if is_htmx(request) else 400)
    return refresh_or_redirect(request, reverse("monitoring:feature-matrix", args=[plan.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def matrix_cell(request: HttpRequest, plan_id: int, feature_id: int, product: str) -> HttpResponse:
    """One cell of the matrix: shown (GET), its editor (GET ?edit=1), saved (POST)."""
    action = Action.EDIT if request.method == "POST" or request.GET.get("edit") else Action.VIEW
    feature: Feature = object_for_user(
        Feature.objects.select_related("plan__workspace"),
        request.user,
        action,
        pk=feature_id,
        plan_id=plan_id,
    )
    plan = feature.plan
    rival: Competitor | None = None
    if product != competition.US:
        if not product.isdigit():
            raise Http404(_("Not found."))
        rival = Competitor.objects.filter(plan=plan, pk=int(product)).first()
        if rival is None:
            raise Http404(_("Not found."))
    cell = FeatureValue.objects.filter(feature=feature, competitor=rival).first()
    editing = bool(request.GET.get("edit"))
    error_text = ""
    form = CellForm(
        initial={
            "level": cell.level if cell else "",
            "note": cell.note if cell else "",
            "version": cell.version if cell else 0,
        },
        auto_id=f"cell{feature.pk}_{product}_%s",
    )
    if request.method == "POST":
        posted = CellForm(request.POST, auto_id=f"cell{feature.pk}_{product}_%s")
        if not posted.is_valid():
            editing, form = True, posted
        else:
            try:
                cell = services.cell_set(
                    feature=feature,
                    competitor=rival,
                    expected_version=posted.cleaned_data["version"] or 0,
                    level=posted.cleaned_data["level"],
                    note=posted.cleaned_data["note"],
                    actor=actor_of(request),
                )
            except StaleVersion:
                cell = FeatureValue.objects.filter(feature=feature, competitor=rival).first()
                editing = True
                error_text = _(
                    "Someone changed this cell in the meantime; here it is as saved now."
                )
                form = CellForm(
                    initial={
                        "level": cell.level if cell else "",
                        "note": cell.note if cell else "",
                        "version": cell.version if cell else 0,
                    },
                    auto_id=f"cell{feature.pk}_{product}_%s",
                )
            except DomainError as error:
                raise_if_forbidden(error)
                editing, form = True, posted
                attach_error(form, error)
        if not is_htmx(request) and not editing:
            return redirect(
                reverse("monitoring:feature-matrix", args=[plan.pk]) + f"#f{feature.pk}"
            )
    # A saved cell changes its product's weighted coverage: the htmx answer carries the
    # footer cell too (out of band), so the matrix never shows a stale score.
    coverage = None
    if request.method == "POST" and not editing:
        coverage = queries.matrix(plan, include_inactive=True).coverage.get(product)
    context = _context(
        request,
        plan,
        "matrix",
        feature=feature,
        product=product,
        cell=cell,
        form=form,
        editing=editing,
        error_text=error_text,
        coverage=coverage,
    )
    status = 409 if error_text and not is_htmx(request) else 200
    return render_page(
        request, "monitoring/competitors/cell.html", context, partial="cell", status=status
    )


# --- share of voice ------------------------------------------------------------------------------


@login_required
@require_GET
def share_of_voice(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    data = queries.share_of_voice(plan)
    context = _context(
        request,
        plan,
        "sov",
        sov=data,
        chart=charts.share_of_voice(data) if data["months"] else None,
        goal=data["goal"],
        us=competition.US,
    )
    return render_page(request, "monitoring/competitors/sov.html", context)


# --- CSV imports ---------------------------------------------------------------------------------


def _import_page(
    request: HttpRequest,
    plan: Plan,
    form: CompetitorImportForm,
    outcome: competitor_import.Outcome | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _context(
        request,
        plan,
        "import",
        form=form,
        outcome=outcome,
        formats=[
            (key, competitor_import.FORMAT_LABELS[key], ",".join(cols))
            for key, cols in competitor_import.FORMATS.items()
        ],
        names=list(queries.competitors(plan).values_list("name", flat=True)),
    )
    return render_page(request, "monitoring/competitors/import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def competitor_import_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    if request.method == "GET":
        plan = plan_for_user(request.user, plan_id)
        return _import_page(request, plan, CompetitorImportForm(auto_id="cimp_%s"))
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = CompetitorImportForm(request.POST, request.FILES, auto_id="cimp_%s")
    if not form.is_valid():
        return _import_page(request, plan, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        outcome = competitor_import.import_csv(
            plan=plan,
            actor=actor_of(request),
            kind=form.cleaned_data["kind"],
            raw=upload.read(competitor_import.MAX_BYTES + 1),
            filename=upload.name or "upload.csv",
        )
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return _import_page(request, plan, form, status=400)
    if outcome.ok:
        messages.success(
            request,
            _("Imported: %(created)s figures added, %(replaced)s replaced.")
            % {"created": outcome.created, "replaced": outcome.replaced},
        )
        target = (
            "monitoring:share-of-voice" if outcome.kind == "voice" else "monitoring:competitors"
        )
        return redirect(target, plan_id=plan.pk)
    return _import_page(request, plan, form, outcome, status=400)


@login_required
@require_GET
def competitor_import_template(request: HttpRequest, plan_id: int, kind: str) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    if kind not in competitor_import.FORMATS:
        raise Http404(_("Not found."))
    names = list(queries.competitors(plan).values_list("name", flat=True))
    response = HttpResponse(
        competitor_import.template_csv(kind, plan, names), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="competitor-{kind}-template.csv"'
    return response
