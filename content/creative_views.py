"""Pages of creative production standards, assets and licences.

The brand standard and size specs are planning data (a draft plan, ``can_edit``);
assets, their review and publishing, and licences are execution data that go on
after approval (``can_run``). Views parse, call a service or a query and render;
the rules (the publish rule above all) live in ``content.services``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from channels.models import Channel
from content import queries, services
from content.creative_forms import (
    AssetForm,
    BaseElementFormSet,
    BrandForm,
    LicenceForm,
    SpecForm,
    colours_text,
    element_formset,
    ratio_text,
)
from content.models import (
    Asset,
    AssetElement,
    BrandStandard,
    Campaign,
    ContentLayer,
    Licence,
    ReviewStatus,
    SizeSpec,
)
from content.pages import base_context
from core.auth import actor_of
from core.errors import DomainError, InvalidInput, Locked, NotAllowed, StaleVersion
from core.forms import Conflict, attach_error, conflict_rows, posted_version, shown
from core.htmx import is_htmx, refresh_or_redirect, render_page
from planner.access import Action, object_for_user, plan_for_user
from planner.forms import ServiceForm
from planner.models import Plan


def _layer_order(layers: Any) -> list[str]:
    """Layers in the catalogue's order, so that ticking them in another order is no change."""
    return [v for v in ContentLayer.values if v in (layers or [])]


def _stop_on_forbidden(error: DomainError) -> None:
    if isinstance(error, NotAllowed):
        raise error


def _delete(
    request: HttpRequest, delete: Callable[[], object], *, stale: str, removed: str, back: str
) -> HttpResponse:
    """The Remove button of an editor: what the service said, as a message, then back."""
    try:
        delete()
    except StaleVersion:
        messages.error(request, stale)
    except DomainError as error:
        _stop_on_forbidden(error)
        messages.error(request, error.describe())
    else:
        messages.success(request, removed)
    return refresh_or_redirect(request, back)


@dataclass(frozen=True)
class _Rows:
    """A kind of plan row of a tab (size specs, licences): added with the tab's form,
    edited and removed in its own form, in place (htmx) or as a page.

    The services are called like the API calls them (``core.api.ServiceViewSetMixin``):
    ``create(plan=…, actor=…, **changes)``, ``update(<kwarg>=row, expected_version=…,
    changes=…, actor=…)``, ``delete(<kwarg>=row, expected_version=…, actor=…)``.
    """

    model: type[Any]  # SizeSpec, Licence
    related: tuple[str, ...]  # what the row's form page shows
    form: Callable[..., ServiceForm]  # form(plan, *args, **kwargs)
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    kwarg: str
    tab: str  # the tab's URL name
    anchor: str  # the block of the tab the rows are listed in
    tab_page: Callable[[HttpRequest, Plan, Any], HttpResponse]  # with the add form open, 400
    form_page: Callable[..., HttpResponse]  # (request, row, form, *, conflict, status)
    added: Promise  # "… %(name)s added."
    saved: Promise
    removed: Promise
    stale: Promise  # a removal refused: the row changed in the meantime


def _row_save(request: HttpRequest, plan_id: int, row_id: int | None, rows: _Rows) -> HttpResponse:
    """Add a row (POST to the "new" URL), or edit / remove one."""
    actor = actor_of(request)
    if row_id is None:
        plan = plan_for_user(request.user, plan_id, Action.EDIT)
        if request.method == "GET":
            return redirect(rows.tab, plan_id=plan.pk)
        # the ids of the tab's add form: spec_new_name, licence_new_name…
        form = rows.form(plan, request.POST, auto_id=f"{rows.kwarg}_new_%s")
        if form.is_valid():
            try:
                row = rows.create(plan=plan, actor=actor, **form.changes())
            except Locked as error:
                messages.error(request, error.describe())
                return redirect(rows.tab, plan_id=plan.pk)
            except DomainError as error:
                _stop_on_forbidden(error)
                attach_error(form, error)
            else:
                messages.success(request, str(rows.added) % {"name": row.name})
                return redirect(reverse(rows.tab, args=[plan.pk]) + rows.anchor)
        return rows.tab_page(request, plan, form)

    row = object_for_user(
        rows.model.objects.select_related(*rows.related),
        request.user,
        Action.EDIT,
        pk=row_id,
        plan_id=plan_id,
    )
    plan = row.plan
    if request.method == "GET":
        form = rows.form(plan, instance=row, initial={"version": row.version})
        return rows.form_page(request, row, form)
    version = posted_version(request)
    back = reverse(rows.tab, args=[plan.pk]) + rows.anchor
    target = {rows.kwarg: row}
    if request.POST.get("delete"):
        return _delete(
            request,
            lambda: rows.delete(**target, expected_version=version, actor=actor),
            stale=str(rows.stale),
            removed=str(rows.removed) % {"name": row.name},
            back=back,
        )
    form = rows.form(plan, request.POST, instance=row)
    conflict: Conflict | None = None
    if form.is_valid():
        changes = form.changes()
        try:
            rows.update(**target, expected_version=version, changes=changes, actor=actor)
        except StaleVersion as error:
            current = error.current or rows.model.objects.get(pk=row.pk)
            conflict = conflict_rows(form, changes, current)
            row = current
            form = rows.form(plan, instance=current, initial={"version": current.version})
        except Locked as error:
            messages.error(request, error.describe())
            return refresh_or_redirect(request, back)
        except DomainError as error:
            _stop_on_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, str(rows.saved) % {"name": changes["name"]})
            return refresh_or_redirect(request, back)
    status = 200 if is_htmx(request) else (409 if conflict is not None else 400)
    return rows.form_page(request, row, form, conflict=conflict, status=status)


# --- creative standards: the brand standard and size specs ----------------------------------


def _duration(seconds: int | None) -> str:
    """60 → "1 min", 90 → "1 min 30 s", 45 → "45 s"."""
    if not seconds:
        return ""
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return _("%(s)s s") % {"s": rest}
    if not rest:
        return _("%(m)s min") % {"m": minutes}
    return _("%(m)s min %(s)s s") % {"m": minutes, "s": rest}


def _spec_groups(plan: Plan) -> list[tuple[Channel | None, list[SizeSpec]]]:
    """The plan's size specs by channel, in catalogue order; "any channel" last."""
    specs = (
        SizeSpec.objects.filter(plan=plan)
        .select_related("channel")
        .annotate(asset_count=Count("assets"))
        .order_by("channel__sort_order", "channel__name", "name")
    )
    groups: dict[int | None, tuple[Channel | None, list[SizeSpec]]] = {}
    for spec in specs:
        spec.duration_text = _duration(spec.max_duration_s)  # type: ignore[attr-defined]
        spec.ratio_text = ratio_text(spec)  # type: ignore[attr-defined]
        groups.setdefault(spec.channel_id, (spec.channel, []))[1].append(spec)
    ordered = [g for key, g in groups.items() if key is not None]
    if None in groups:
        ordered.append(groups[None])
    return ordered


def _creative_page(
    request: HttpRequest,
    plan: Plan,
    *,
    brand_form: BrandForm | None = None,
    brand_conflict: Conflict | None = None,
    spec_form: SpecForm | None = None,
    status: int = 200,
) -> HttpResponse:
    brand = BrandStandard.objects.filter(plan=plan).first()
    groups = _spec_groups(plan)
    context = base_context(
        request,
        plan,
        "creative",
        brand=brand,
        brand_form=brand_form or BrandForm.for_standard(brand, auto_id="brand_%s"),
        brand_conflict=brand_conflict,
        brand_open=brand_form is not None,
        spec_groups=groups,
        spec_count=sum(len(specs) for _channel, specs in groups),
        spec_form=spec_form or SpecForm(plan=plan, auto_id="spec_new_%s"),
        spec_open=spec_form is not None,
    )
    return render_page(request, "content/creative.html", context, status=status)


@login_required
@require_GET
def creative(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _creative_page(request, plan_for_user(request.user, plan_id))


def _brand_conflict(form: BrandForm, current: BrandStandard | None) -> Conflict:
    if current is None:
        return []
    typed = form.data
    saved = {
        "colours": colours_text(current.colours),
        "fonts": "\n".join(current.fonts),
        "graphic_elements": current.graphic_elements,
        "notes": current.notes,
    }
    rows = []
    for name, theirs in saved.items():
        mine = str(typed.get(name, "")).replace("\r\n", "\n").strip()
        if mine != theirs.strip():
            rows.append((str(form.fields[name].label), mine or "—", theirs or "—"))
    mine_vi = bool(typed.get("vi_review_required"))
    if mine_vi != current.vi_review_required:
        label = str(form.fields["vi_review_required"].label)
        rows.append((label, shown(mine_vi), shown(current.vi_review_required)))
    return rows


@login_required
@require_POST
def brand_save(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = BrandForm(request.POST, auto_id="brand_%s")
    conflict: Conflict | None = None
    if form.is_valid():
        try:
            services.brand_standard_save(
                plan=plan,
                expected_version=form.cleaned_data.get("version") or 0,
                changes=form.changes(),
                actor=actor_of(request),
            )
        except StaleVersion as error:
            current = error.current or BrandStandard.objects.filter(plan=plan).first()
            conflict = _brand_conflict(form, current)
            form = BrandForm.for_standard(current, auto_id="brand_%s")
        except Locked as error:
            messages.error(request, error.describe())
            return redirect("content:creative", plan_id=plan.pk)
        except DomainError as error:
            _stop_on_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(request, _("Brand standard saved."))
            return redirect(reverse("content:creative", args=[plan.pk]) + "#brand")
    return _creative_page(
        request,
        plan,
        brand_form=form,
        brand_conflict=conflict,
        status=409 if conflict is not None else 400,
    )


@login_required
@require_POST
def specs_install(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    try:
        added = services.specs_install(plan=plan, actor=actor_of(request))
    except DomainError as error:
        _stop_on_forbidden(error)
        messages.error(request, error.describe())
    else:
        if added:
            messages.success(
                request,
                ngettext("%(n)s standard spec added.", "%(n)s standard specs added.", len(added))
                % {"n": len(added)},
            )
        else:
            messages.info(request, _("Nothing to add: the plan already has every standard spec."))
    return redirect(reverse("content:creative", args=[plan.pk]) + "#specs")


def _spec_form_page(
    request: HttpRequest,
    spec: SizeSpec,
    form: SpecForm,
    *,
    conflict: Conflict | None = None,
    status: int = 200,
) -> HttpResponse:
    context = base_context(request, spec.plan, "creative", spec=spec, form=form)
    context["conflict"] = conflict
    return render_page(
        request, "content/creative_spec_form.html", context, partial="spec-form", status=status
    )


SPECS = _Rows(
    model=SizeSpec,
    related=("plan__workspace", "channel"),
    form=lambda plan, *args, **kwargs: SpecForm(*args, plan=plan, **kwargs),
    create=services.spec_create,
    update=services.spec_update,
    delete=services.spec_delete,
    kwarg="spec",
    tab="content:creative",
    anchor="#specs",
    tab_page=lambda request, plan, form: _creative_page(request, plan, spec_form=form, status=400),
    form_page=_spec_form_page,
    added=gettext_lazy("Spec %(name)s added."),
    saved=gettext_lazy("Spec %(name)s saved."),
    removed=gettext_lazy("Spec %(name)s removed."),
    stale=gettext_lazy("The spec changed in the meantime; review it and try again."),
)


@login_required
@require_http_methods(["GET", "POST"])
def spec_save(request: HttpRequest, plan_id: int, spec_id: int | None = None) -> HttpResponse:
    """Add a spec (POST to the "new" URL), or edit / delete one: its form in place
    (htmx) or as a page."""
    return _row_save(request, plan_id, spec_id, SPECS)


# --- assets ----------------------------------------------------------------------------------


def _plan_specs(plan: Plan) -> list[SizeSpec]:
    return list(
        SizeSpec.objects.filter(plan=plan)
        .select_related("channel")
        .order_by("channel__sort_order", "channel__name", "name")
    )


def _plan_licences(plan: Plan) -> list[Licence]:
    return list(Licence.objects.filter(plan=plan).order_by("name", "source", "pk"))


def _plan_campaigns(plan: Plan) -> list[Campaign]:
    return list(Campaign.objects.filter(plan=plan).order_by("start", "end", "code"))


def _int_param(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _assets_page(
    request: HttpRequest,
    plan: Plan,
    *,
    form: AssetForm | None = None,
    formset: BaseElementFormSet | None = None,
    element_errors: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    campaigns = _plan_campaigns(plan)
    specs = _plan_specs(plan)
    licences = _plan_licences(plan)
    campaign_id = _int_param(request.GET.get("campaign"))
    if campaign_id is not None and not any(c.pk == campaign_id for c in campaigns):
        campaign_id = None
    review = request.GET.get("status", "")
    if review not in ReviewStatus.values:
        review = ""
    assets = queries.plan_assets(plan)
    if campaign_id is not None:
        assets = assets.filter(campaign_id=campaign_id)
    if review:
        assets = assets.filter(review_status=review)
    rows = queries.asset_rows(assets, today)
    for row in rows:
        if row.asset.spec is not None:
            row.asset.spec.ratio_text = ratio_text(row.asset.spec)  # type: ignore[attr-defined]
    by_campaign: dict[int, list[queries.AssetRow]] = {}
    for row in rows:
        by_campaign.setdefault(row.asset.campaign_id, []).append(row)
    # Campaigns with assets get a card each; the others are listed compactly, unless
    # the one campaign asked for has none yet.
    groups = [
        (c, by_campaign.get(c.pk, []))
        for c in campaigns
        if c.pk in by_campaign or (c.pk == campaign_id and not review)
    ]
    without_assets = [
        c for c in campaigns if c.pk not in by_campaign and campaign_id is None and not review
    ]
    if form is None:
        form = AssetForm(
            plan=plan,
            specs=specs,
            campaigns=campaigns,
            auto_id="asset_new_%s",
            initial={"campaign": campaign_id, "owner": request.user.pk},
        )
        formset = element_formset(asset=None, licences=licences, today=today)
    context = base_context(
        request,
        plan,
        "assets",
        today=today,
        groups=groups,
        without_assets=without_assets,
        campaigns=campaigns,
        campaign_filter=campaign_id,
        status_filter=review,
        statuses=ReviewStatus.choices,
        filtered=campaign_id is not None or bool(review),
        stats={
            "assets": len(rows),
            "published": sum(1 for r in rows if r.asset.review_status == ReviewStatus.PUBLISHED),
            "licence_problems": sum(1 for r in rows if r.licence_problems),
            "missing_layers": sum(1 for r in rows if r.missing_layers),
        },
        form=form,
        formset=formset,
        element_errors=list(element_errors),
        layer_choices=ContentLayer.choices,
        refused=_refusals(request),
        create_open=status != 200,
    )
    return render_page(request, "content/assets.html", context, status=status)


@login_required
@require_GET
def assets(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _assets_page(request, plan_for_user(request.user, plan_id))


def _licence_hint(elements: Any) -> str:
    """Which licences to renew or replace (the problems name the elements)."""
    today = timezone.localdate()
    stale = {
        e.licence.pk: e.licence
        for e in elements
        if e.licence is not None and not e.licence.is_valid_on(today)
    }
    if not stale:
        return ""
    return _("Renew or replace on the Licences tab: %(licences)s") % {
        "licences": "; ".join(f"{lic.name} ({lic.source})" for lic in stale.values())
    }


def _refusals(request: HttpRequest) -> dict[int, str]:
    """Publish refusals of this request's messages by asset, to show them on the asset too."""
    found = {}
    for message in messages.get_messages(request):
        for tag in message.extra_tags.split():
            if tag.startswith("refused-") and tag[8:].isdigit():
                found[int(tag[8:])] = str(message.message)
    return found


def _attach_asset_error(
    form: AssetForm, error: DomainError, element_errors: list[str], elements: Any = ()
) -> None:
    """The service's refusal on the form: publish problems one by one, element
    problems on the elements block, the rest on their fields."""
    if isinstance(error, services.PublishBlocked):
        if form.instance.review_status == ReviewStatus.PUBLISHED:
            form.add_error(
                None, _("A published asset must keep a valid licence for every element:")
            )
        else:
            form.add_error(None, _("The asset cannot be marked published:"))
        for problem in error.problems:
            form.add_error(None, problem)
        hint = _licence_hint(elements)
        if hint:
            form.add_error(None, hint)
        return
    fields = dict(getattr(error, "fields", {}) or {})
    element_errors.extend(str(p) for p in fields.pop("elements", []))
    if fields or not element_errors:
        attach_error(form, InvalidInput(error.message, fields=fields) if fields else error)


def _asset(request: HttpRequest, plan_id: int, asset_id: int) -> Asset:
    return object_for_user(
        Asset.objects.select_related("campaign__plan__workspace", "spec__channel").prefetch_related(
            Prefetch("elements", queryset=AssetElement.objects.select_related("licence"))
        ),
        request.user,
        Action.EDIT,
        pk=asset_id,
        campaign__plan_id=plan_id,
    )


def _asset_form_page(
    request: HttpRequest,
    asset: Asset,
    form: AssetForm,
    formset: BaseElementFormSet,
    *,
    element_errors: Sequence[str] = (),
    conflict: Conflict | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = asset.campaign.plan
    context = base_context(
        request,
        plan,
        "assets",
        asset=asset,
        form=form,
        formset=formset,
        element_errors=list(element_errors),
        conflict=conflict,
        layer_choices=ContentLayer.choices,
        today=timezone.localdate(),
    )
    return render_page(
        request, "content/asset_form.html", context, partial="asset-form", status=status
    )


def _back_to_assets(asset: Asset) -> str:
    return reverse("content:assets", args=[asset.campaign.plan_id]) + f"#asset-{asset.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def asset_save(request: HttpRequest, plan_id: int, asset_id: int | None = None) -> HttpResponse:
    """Add an asset (POST to the "new" URL), or edit / delete one with its elements:
    the form in place (htmx) or as a page."""
    actor = actor_of(request)
    today = timezone.localdate()
    element_errors: list[str] = []
    if asset_id is None:
        plan = plan_for_user(request.user, plan_id, Action.EDIT)
        if request.method == "GET":
            return redirect("content:assets", plan_id=plan.pk)
        licences = _plan_licences(plan)
        form = AssetForm(
            request.POST,
            plan=plan,
            specs=_plan_specs(plan),
            campaigns=_plan_campaigns(plan),
            auto_id="asset_new_%s",
        )
        formset = element_formset(request.POST, asset=None, licences=licences, today=today)
        if form.is_valid() and formset.is_valid():
            changes = form.changes()
            campaign = form.cleaned_data["campaign"]
            try:
                asset = services.asset_create(
                    campaign=campaign, actor=actor, elements=formset.elements(), **changes
                )
            except Locked as error:
                messages.error(request, error.describe())
                return redirect("content:assets", plan_id=plan.pk)
            except DomainError as error:
                _stop_on_forbidden(error)
                _attach_asset_error(form, error, element_errors, _as_elements(formset))
            else:
                messages.success(request, _("Asset %(name)s added.") % {"name": asset.name})
                return redirect(_back_to_assets(asset))
        return _assets_page(
            request, plan, form=form, formset=formset, element_errors=element_errors, status=400
        )

    asset = _asset(request, plan_id, asset_id)
    plan = asset.campaign.plan
    licences = _plan_licences(plan)
    specs = _plan_specs(plan)
    if request.method == "GET":
        form = AssetForm(instance=asset, plan=plan, specs=specs, initial={"version": asset.version})
        formset = element_formset(
            asset=asset, elements=list(asset.elements.all()), licences=licences, today=today
        )
        return _asset_form_page(request, asset, form, formset)
    version = posted_version(request)
    if request.POST.get("delete"):
        return _delete(
            request,
            lambda: services.asset_delete(asset=asset, expected_version=version, actor=actor),
            stale=_("The asset changed in the meantime; review it and try again."),
            removed=_("Asset %(name)s removed.") % {"name": asset.name},
            back=reverse("content:assets", args=[plan.pk]),
        )
    form = AssetForm(request.POST, instance=asset, plan=plan, specs=specs)
    formset = element_formset(request.POST, asset=asset, licences=licences, today=today)
    conflict: Conflict | None = None
    if form.is_valid() and formset.is_valid():
        changes = {**form.changes(), "elements": formset.elements()}
        try:
            services.asset_update(
                asset=asset, expected_version=version, changes=changes, actor=actor
            )
        except StaleVersion:
            current = _asset(request, plan_id, asset.pk)
            fields = {k: v for k, v in changes.items() if k != "elements"}
            conflict = conflict_rows(form, fields, current, normalise={"layers": _layer_order})
            if _element_rows(changes["elements"]) != _element_rows(current.elements.all()):
                conflict.append(
                    (
                        _("Elements"),
                        _element_text(changes["elements"]),
                        _element_text(current.elements.all()),
                    )
                )
            asset = current
            form = AssetForm(
                instance=current, plan=plan, specs=specs, initial={"version": current.version}
            )
            formset = element_formset(
                asset=current,
                elements=list(current.elements.all()),
                licences=licences,
                today=today,
            )
        except Locked as error:
            messages.error(request, error.describe())
            return refresh_or_redirect(request, _back_to_assets(asset))
        except DomainError as error:
            _stop_on_forbidden(error)
            _attach_asset_error(form, error, element_errors, _as_elements(formset))
        else:
            messages.success(request, _("Asset %(name)s saved.") % {"name": changes["name"]})
            return refresh_or_redirect(request, _back_to_assets(asset))
    status = 200 if is_htmx(request) else (409 if conflict is not None else 400)
    return _asset_form_page(
        request,
        asset,
        form,
        formset,
        element_errors=element_errors,
        conflict=conflict,
        status=status,
    )


def _as_elements(formset: BaseElementFormSet) -> list[Any]:
    return [services.ElementInput(**row) for row in formset.elements()]


def _element_rows(elements: Any) -> list[tuple[str, str, int | None]]:
    rows = []
    for e in elements:
        get = e.get if isinstance(e, Mapping) else lambda k, e=e: getattr(e, k)
        licence = get("licence")
        rows.append((str(get("kind")), str(get("name")), licence.pk if licence else None))
    return rows


def _element_text(elements: Any) -> str:
    return "; ".join(name for _kind, name, _licence in _element_rows(elements)) or "—"


@login_required
@require_POST
def asset_publish(request: HttpRequest, plan_id: int, asset_id: int) -> HttpResponse:
    """Mark an approved asset published; refused, with every reason, while an element's
    licence is missing, expired or not yet valid."""
    asset = _asset(request, plan_id, asset_id)
    try:
        services.asset_publish(
            asset=asset, expected_version=posted_version(request), actor=actor_of(request)
        )
    except StaleVersion:
        messages.error(
            request,
            _("%(name)s changed in the meantime; it was not published. Review it and try again.")
            % {"name": asset.name},
        )
    except services.PublishBlocked as error:
        lines = [_("%(name)s was not published:") % {"name": asset.name}]
        lines += [f"• {problem}" for problem in error.problems]
        hint = _licence_hint(asset.elements.all())
        if hint:
            lines.append(hint)
        messages.error(request, "\n".join(lines), extra_tags=f"problems refused-{asset.pk}")
    except DomainError as error:
        _stop_on_forbidden(error)
        messages.error(
            request,
            _("%(name)s was not published: %(reason)s")
            % {"name": asset.name, "reason": error.describe()},
        )
    else:
        messages.success(request, _("%(name)s is published.") % {"name": asset.name})
    return redirect(_back_to_assets(asset))


# --- licences --------------------------------------------------------------------------------


def _licence_rows(plan: Plan) -> QuerySet[Licence]:
    return (
        Licence.objects.filter(plan=plan)
        .annotate(asset_count=Count("elements__asset", distinct=True))
        .order_by(F("expires").asc(nulls_last=True), "name", "pk")
    )


@dataclass(frozen=True)
class ReportRow:
    """A line of the expiry report as the page shows it."""

    licence: Licence
    days_left: int
    days_ago: int
    assets: list[Asset]


def _report(entries: Sequence[queries.ExpiringLicence]) -> list[ReportRow]:
    return [ReportRow(e.licence, e.days_left, -e.days_left, e.assets) for e in entries]


def _within(request: HttpRequest) -> int:
    value = _int_param(request.GET.get("within"))
    return value if value in queries.REPORT_HORIZONS else max(queries.REPORT_HORIZONS)


def _licences_page(
    request: HttpRequest, plan: Plan, *, form: LicenceForm | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    within = _within(request)
    report = queries.licence_expiry(plan, today, within)
    context = base_context(
        request,
        plan,
        "licences",
        today=today,
        licences=list(_licence_rows(plan)),
        within=within,
        horizons=queries.REPORT_HORIZONS,
        expired=_report([r for r in report if r.horizon is None]),
        buckets=[
            (low + 1 if low else 0, h, _report([r for r in report if r.horizon == h]))
            for low, h in zip((0, *queries.REPORT_HORIZONS), queries.REPORT_HORIZONS, strict=False)
            if h <= within
        ],
        soon=today + timedelta(days=max(queries.REPORT_HORIZONS)),
        report_size=len(report),
        form=form or LicenceForm(auto_id="licence_new_%s"),
        create_open=form is not None,
    )
    return render_page(request, "content/licences.html", context, status=status)


@login_required
@require_GET
def licences(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _licences_page(request, plan_for_user(request.user, plan_id))


def _licence_form_page(
    request: HttpRequest,
    licence: Licence,
    form: LicenceForm,
    *,
    conflict: Conflict | None = None,
    status: int = 200,
) -> HttpResponse:
    context = base_context(request, licence.plan, "licences", licence=licence, form=form)
    context["conflict"] = conflict
    context["asset_count"] = (
        AssetElement.objects.filter(licence=licence).values("asset_id").distinct().count()
    )
    return render_page(
        request, "content/licence_form.html", context, partial="licence-form", status=status
    )


LICENCES = _Rows(
    model=Licence,
    related=("plan__workspace",),
    form=lambda plan, *args, **kwargs: LicenceForm(*args, **kwargs),
    create=services.licence_create,
    update=services.licence_update,
    delete=services.licence_delete,
    kwarg="licence",
    tab="content:licences",
    anchor="#licences",
    tab_page=lambda request, plan, form: _licences_page(request, plan, form=form, status=400),
    form_page=_licence_form_page,
    added=gettext_lazy("Licence %(name)s added."),
    saved=gettext_lazy("Licence %(name)s saved."),
    removed=gettext_lazy("Licence %(name)s removed."),
    stale=gettext_lazy("The licence changed in the meantime; review it and try again."),
)


@login_required
@require_http_methods(["GET", "POST"])
def licence_save(request: HttpRequest, plan_id: int, licence_id: int | None = None) -> HttpResponse:
    """Add a licence (POST to the "new" URL), or edit / delete one: its form in place
    (htmx) or as a page."""
    return _row_save(request, plan_id, licence_id, LICENCES)
