"""Pages of the annual-goals section: the KPI tree and grid, a KPI's breakdown
and actuals, goal seek, objectives, market-share and brand-voice goals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.auth import actor_of
from core.errors import DomainError, InvalidInput, NotAllowed, StaleVersion
from core.forms import attach_error, conflict_rows, posted_version
from core.htmx import is_htmx, refresh, render_page
from kpis import charts, formulas, queries, services
from kpis.forms import (
    ActualsForm,
    GoalSeekForm,
    KpiForm,
    MonthsForm,
    ObjectiveForm,
    PolicyForm,
    StrategicGoalForm,
    to_display,
)
from kpis.messages import translate
from kpis.models import GOAL_KINDS_BY_FAMILY, GoalFamily, Kpi, Objective, StrategicGoal
from planner.access import Action, can, object_for_user, plan_for_user
from planner.models import Plan
from planner.sections import BY_KEY, SECTIONS

SECTION = BY_KEY["goals"]


def _through_month(plan: Plan) -> int:
    """The last month with actuals: attainment is judged up to there."""
    return queries.last_actual_month(plan)


def _base(request: HttpRequest, plan: Plan, **extra: Any) -> dict[str, Any]:
    return {
        "plan": plan,
        "section": SECTION,
        "sections": SECTIONS,
        "can_edit": can(request.user, plan.workspace_id, Action.EDIT) and plan.is_editable,
        "can_enter_actuals": can(request.user, plan.workspace_id, Action.EDIT),
        **extra,
    }


def _grid_groups(
    tree: queries.KpiTree, attainment: dict[str, Any]
) -> list[tuple[Objective | None, list[Any]]]:
    """The grid: every KPI once, grouped by objective, in the objectives' order."""
    groups: dict[int | None, tuple[Objective | None, list[Any]]] = {}
    for node in tree.nodes.values():
        key = node.kpi.objective_id
        groups.setdefault(key, (node.kpi.objective, []))[1].append(
            (node, attainment.get(node.kpi.code))
        )
    return sorted(
        groups.values(),
        key=lambda g: (g[0] is None, g[0].sort_order if g[0] else 0, g[0].pk if g[0] else 0),
    )


@login_required
@require_GET
def section(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    kpis = queries.plan_kpis(plan)
    tree = queries.kpi_tree(plan, kpis)
    through = _through_month(plan)
    attainment = {
        row.kpi.code: row
        for row in queries.attainment(plan, through_month=max(through, 1), tree=tree)
    }
    goals = queries.strategic_goals(plan)
    policy = services.policy_for(plan)
    context = _base(
        request,
        plan,
        tree=tree,
        groups=_grid_groups(tree, attainment),
        outline=[(tree.nodes[code], depth, repeated) for code, depth, repeated in tree.outline],
        through=through,
        objectives=list(Objective.objects.filter(plan=plan).select_related("owner")),
        status_labels=queries.STATUS_LABELS,
        market_goals=[g for g in goals if g.family == GoalFamily.MARKET],
        brand_goals=[g for g in goals if g.family == GoalFamily.BRAND],
        market_goal_form=StrategicGoalForm(plan=plan, auto_id="id_market_%s"),
        brand_goal_form=StrategicGoalForm(plan=plan, auto_id="id_brand_%s"),
        goal_kinds=GOAL_KINDS_BY_FAMILY,
        objective_form=ObjectiveForm(plan=plan, auto_id="objective_%s"),
        seek_form=GoalSeekForm(kpis=kpis, auto_id="seek_%s"),
        policy=policy,
        policy_form=PolicyForm(
            auto_id="policy_%s",
            initial={
                "version": policy.version,
                "at_risk_below": policy.at_risk_below * 100,
                "off_track_below": policy.off_track_below * 100,
            },
        ),
        attainment_chart=charts.attainment_overview(list(attainment.values()), through)
        if kpis
        else None,
    )
    return render_page(request, "kpis/section.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def kpi_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = KpiForm(
        request.POST or None, plan=plan, initial={"kind": request.GET.get("kind", "custom")}
    )
    if request.method == "POST" and form.is_valid():
        fields = form.changes()
        try:
            kpi = services.kpi_create(plan=plan, actor=actor_of(request), **fields)
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            attach_error(form, error)
        else:
            messages.success(request, _("KPI %(code)s added.") % {"code": kpi.code})
            return redirect("kpis:kpi", plan_id=plan.pk, kpi_id=kpi.pk)
    return render_page(
        request,
        "kpis/kpi_form.html",
        _base(request, plan, form=form),
        status=400 if form.errors else 200,
    )


def _kpi(request: HttpRequest, plan_id: int, kpi_id: int, action: Action = Action.VIEW) -> Kpi:
    return object_for_user(
        Kpi.objects.select_related("plan__workspace", "objective", "owner"),
        request.user,
        action,
        pk=kpi_id,
        plan_id=plan_id,
    )


def _kpi_context(request: HttpRequest, kpi: Kpi, **extra: Any) -> dict[str, Any]:
    plan = kpi.plan
    tree = queries.kpi_tree(plan)
    node = tree.nodes[kpi.code]
    through = _through_month(plan)
    row = next(
        r
        for r in queries.attainment(plan, through_month=max(through, 1), tree=tree)
        if r.kpi.code == kpi.code
    )
    status = queries.breakdown_status(kpi)
    quarters = queries.quarters(kpi) or queries.derived_quarters(kpi, node)
    entered = {a.month: a.value for a in kpi.actuals.all()}
    values = kpi.month_values()
    weights = kpi.month_weights()
    month_rows = [
        {
            "month": m,
            "target": node.months[m - 1],
            "display": to_display(values[m - 1], kpi.unit) if values else None,
            "weight": weights[m - 1] if weights else None,
            "actual_display": to_display(entered.get(m), kpi.unit),
            "attainment": row.months[m - 1],
        }
        for m in range(1, 13)
    ]
    return _base(
        request,
        plan,
        kpi=kpi,
        node=node,
        tree=tree,
        row=row,
        through=through,
        month_rows=month_rows,
        quarters=quarters,
        quarter_rows=[
            (quarters[q] if quarters else None, month_rows[3 * q : 3 * q + 3]) for q in range(4)
        ],
        status=status,
        chart=charts.target_vs_actual(kpi, node, row),
        channel_inputs=[
            (
                channel,
                to_display(Decimal(kpi.channel_split[channel.code]), kpi.unit)
                if channel.code in kpi.channel_split
                else "",
            )
            for channel in plan.channels.filter(is_active=True).order_by("sort_order")
        ],
        region_text="\n".join(
            f"{name} = {to_display(Decimal(value), kpi.unit)}"
            for name, value in kpi.region_split.items()
        ),
        **extra,
    )


@login_required
@require_GET
def kpi_detail(request: HttpRequest, plan_id: int, kpi_id: int) -> HttpResponse:
    kpi = _kpi(request, plan_id, kpi_id)
    return render_page(request, "kpis/kpi_detail.html", _kpi_context(request, kpi))


@login_required
@require_http_methods(["GET", "POST"])
def kpi_edit(request: HttpRequest, plan_id: int, kpi_id: int) -> HttpResponse:
    """The KPI's own fields; on the grid this is an in-place row editor (htmx)."""
    if request.method == "GET":
        kpi = _kpi(request, plan_id, kpi_id, Action.EDIT)
        form = KpiForm(instance=kpi, plan=kpi.plan)
        return render_page(
            request,
            "kpis/kpi_form.html",
            _base(request, kpi.plan, form=form, kpi=kpi),
            partial="kpi-form",
        )
    kpi = _kpi(request, plan_id, kpi_id, Action.EDIT)
    form = KpiForm(request.POST, instance=kpi, plan=kpi.plan)
    conflict: list[tuple[str, Any, Any]] = []
    if form.is_valid():
        changes = form.changes()
        try:
            kpi = services.kpi_update(
                kpi=kpi,
                expected_version=form.cleaned_data["version"] or 0,
                changes=changes,
                actor=actor_of(request),
            )
        except StaleVersion as error:
            current = error.current or kpi
            conflict = conflict_rows(form, changes, current)
            kpi = current
            form = KpiForm(instance=current, plan=current.plan)
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            attach_error(form, error)
        else:
            messages.success(request, _("KPI %(code)s saved.") % {"code": kpi.code})
            if is_htmx(request):
                # A target change moves every KPI computed from it: reload the page.
                return refresh()
            return redirect("kpis:kpi", plan_id=plan_id, kpi_id=kpi.pk)
    return render_page(
        request,
        "kpis/kpi_form.html",
        _base(request, kpi.plan, form=form, kpi=kpi, conflict=conflict),
        partial="kpi-form",
        status=200 if is_htmx(request) else (409 if conflict else 400),
    )


@login_required
@require_POST
def kpi_delete(request: HttpRequest, plan_id: int, kpi_id: int) -> HttpResponse:
    kpi = _kpi(request, plan_id, kpi_id, Action.EDIT)
    try:
        services.kpi_delete(
            kpi=kpi, expected_version=posted_version(request), actor=actor_of(request)
        )
    except StaleVersion:
        messages.error(request, _("The KPI changed in the meantime; review it and try again."))
        return redirect("kpis:kpi", plan_id=plan_id, kpi_id=kpi.pk)
    except InvalidInput as error:
        messages.error(request, str(error.message))
        return redirect("kpis:kpi", plan_id=plan_id, kpi_id=kpi.pk)
    messages.success(request, _("KPI %(code)s deleted.") % {"code": kpi.code})
    return redirect("kpis:section", plan_id=plan_id)


@login_required
@require_POST
def kpi_breakdown(request: HttpRequest, plan_id: int, kpi_id: int) -> HttpResponse:
    """Save the months, rebalance the unlocked months, or set one quarter."""
    kpi = _kpi(request, plan_id, kpi_id, Action.EDIT)
    form = MonthsForm(request.POST, unit=kpi.unit)
    error_text = ""
    if form.is_valid():
        version = form.cleaned_data["version"]
        actor = actor_of(request)
        try:
            if form.cleaned_data["action"] == "rebalance":
                kpi = services.breakdown_rebalance(
                    kpi=kpi,
                    expected_version=version,
                    actor=actor,
                    locked=[int(m) for m in form.cleaned_data["locked"]],
                )
            elif form.cleaned_data["action"] == "splits":
                channels, regions = _splits_from(request, kpi)
                kpi = services.breakdown_update(
                    kpi=kpi,
                    expected_version=version,
                    actor=actor,
                    channels=channels,
                    regions=regions,
                )
            elif form.cleaned_data["action"] == "quarter":
                total = form.cleaned_data.get("quarter_total")
                quarter = form.cleaned_data.get("quarter")
                if total is None or quarter is None:
                    raise InvalidInput(_("Give the quarter and its new total."))
                kpi = services.breakdown_set_quarter(
                    kpi=kpi,
                    expected_version=version,
                    actor=actor,
                    quarter=quarter,
                    total=Decimal(total) / 100 if kpi.unit == "percent" else Decimal(total),
                )
            else:
                kpi = services.breakdown_update(
                    kpi=kpi, expected_version=version, actor=actor, months=form.months()
                )
        except StaleVersion as error:
            kpi = error.current or kpi
            error_text = _(
                "Someone changed this breakdown in the meantime; here it is as saved now."
            )
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            error_text = error.describe()
    else:
        error_text = _("Check the numbers: each month must be zero or more.")
    context = _kpi_context(
        request,
        kpi,
        breakdown_error=error_text,
        refresh_summary=True,
        locked=[int(m) for m in request.POST.getlist("locked") if m.isdigit()],
    )
    if not is_htmx(request) and not error_text:
        return redirect("kpis:kpi", plan_id=plan_id, kpi_id=kpi.pk)
    return render_page(
        request,
        "kpis/kpi_detail.html",
        context,
        partial="breakdown",
        status=200 if is_htmx(request) or not error_text else 400,
    )


def _splits_from(request: HttpRequest, kpi: Kpi) -> tuple[dict[str, str], dict[str, str]]:
    """Channel inputs ``ch_<code>`` and region lines ``Name = value`` from the form.

    Percent KPIs are typed as percentages, like everywhere on the page.
    """
    scale = Decimal(100) if kpi.unit == "percent" else Decimal(1)

    def stored(raw: str) -> str:
        try:
            return str(Decimal(raw.strip().replace(",", "")) / scale)
        except ArithmeticError:
            return raw.strip()  # the service names the bad part

    channels: dict[str, str] = {}
    for key in request.POST:
        value = str(request.POST.get(key, ""))
        if key.startswith("ch_") and value.strip():
            channels[key[3:]] = stored(value)
    regions: dict[str, str] = {}
    for number, line in enumerate(request.POST.get("regions", "").splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.rpartition("=")
        if not sep or not name.strip():
            raise InvalidInput(
                fields={"regions": [_("Line %(n)s: write “Region = value”.") % {"n": number}]}
            )
        regions[name.strip()] = stored(value)
    return channels, regions


@login_required
@require_POST
def kpi_actuals(request: HttpRequest, plan_id: int, kpi_id: int) -> HttpResponse:
    kpi = _kpi(request, plan_id, kpi_id, Action.EDIT)
    form = ActualsForm(request.POST, unit=kpi.unit)
    error_text = ""
    if form.is_valid():
        try:
            services.actuals_set(kpi=kpi, values=form.values(), actor=actor_of(request))
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            error_text = str(error.message)
    else:
        error_text = _("Check the numbers: each actual must be zero or more.")
    if not is_htmx(request) and not error_text:
        messages.success(request, _("Actuals saved."))
        return redirect("kpis:kpi", plan_id=plan_id, kpi_id=kpi.pk)
    kpi = _kpi(request, plan_id, kpi_id)
    context = _kpi_context(
        request, kpi, actuals_error=error_text, actuals_saved=not error_text, refresh_summary=True
    )
    return render_page(
        request,
        "kpis/kpi_detail.html",
        context,
        partial="actuals",
        status=200 if is_htmx(request) or not error_text else 400,
    )


@login_required
@require_POST
def goal_seek(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    kpis = queries.plan_kpis(plan)
    form = GoalSeekForm(request.POST, kpis=kpis, auto_id="seek_%s")
    result: dict[str, Any] | None = None
    error_text = ""
    if form.is_valid():
        try:
            outcome = queries.goal_seek(
                plan,
                target=form.cleaned_data["kpi"],
                goal=form.goal(),
                solve_for=form.cleaned_data["solve_for"],
            )
        except formulas.FormulaError as error:
            error_text = translate(error)
        else:
            tree = queries.kpi_tree(plan, kpis)
            by_code = {k.code: k for k in kpis}
            changed = [
                (by_code[code], tree.nodes[code].annual, value)
                for code, value in outcome.values.items()
                if code in by_code and _differs(tree.nodes[code].annual, value)
            ]
            result = {
                "solve_for": by_code[form.cleaned_data["solve_for"]],
                "value": outcome.value,
                "method": outcome.method,
                "changed": changed,
            }
    else:
        error_text = _("Choose a KPI, a target and an input to change.")
    return render_page(
        request,
        "kpis/section.html",
        _base(request, plan, seek_form=form, seek_result=result, seek_error=error_text),
        partial="goal-seek",
    )


def _differs(before: Decimal | None, after: float | None) -> bool:
    if before is None or after is None:
        return before is not after
    return abs(float(before) - after) > max(1e-9, abs(after) * 1e-9)


@login_required
@require_POST
def objective_save(
    request: HttpRequest, plan_id: int, objective_id: int | None = None
) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    actor = actor_of(request)
    try:
        if objective_id is None:
            form = ObjectiveForm(request.POST, plan=plan)
            if not form.is_valid():
                raise InvalidInput(fields={k: list(v) for k, v in form.errors.items()})
            services.objective_create(plan=plan, actor=actor, **form.changes())
        else:
            objective = object_for_user(
                Objective.objects.all(), request.user, Action.EDIT, pk=objective_id, plan=plan
            )
            version = posted_version(request)
            if request.POST.get("delete"):
                services.objective_delete(
                    objective=objective, expected_version=version, actor=actor
                )
            else:
                form = ObjectiveForm(request.POST, plan=plan)
                if not form.is_valid():
                    raise InvalidInput(fields={k: list(v) for k, v in form.errors.items()})
                services.objective_update(
                    objective=objective,
                    expected_version=version,
                    changes=form.changes(),
                    actor=actor,
                )
    except StaleVersion:
        messages.error(
            request, _("The objective changed in the meantime; review it and try again.")
        )
    except InvalidInput as error:
        messages.error(request, error.describe())
    else:
        messages.success(request, _("Objectives saved."))
    return redirect("kpis:section", plan_id=plan.pk)


@login_required
@require_POST
def strategic_goal_save(
    request: HttpRequest, plan_id: int, goal_id: int | None = None
) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    actor = actor_of(request)
    try:
        if goal_id is not None:
            goal = object_for_user(
                StrategicGoal.objects.all(), request.user, Action.EDIT, pk=goal_id, plan=plan
            )
            if request.POST.get("delete"):
                services.goal_delete(
                    goal=goal, expected_version=posted_version(request), actor=actor
                )
                messages.success(request, _("Goal deleted."))
                return redirect("kpis:section", plan_id=plan.pk)
        form = StrategicGoalForm(request.POST, plan=plan)
        if not form.is_valid():
            raise InvalidInput(fields={k: list(v) for k, v in form.errors.items()})
        fields = form.changes()
        if goal_id is None:
            services.goal_create(plan=plan, actor=actor, **fields)
        else:
            services.goal_update(
                goal=goal,
                expected_version=form.cleaned_data["version"] or 0,
                changes=fields,
                actor=actor,
            )
    except StaleVersion:
        messages.error(request, _("The goal changed in the meantime; review it and try again."))
    except InvalidInput as error:
        messages.error(request, error.describe())
    else:
        messages.success(request, _("Goal saved."))
    return redirect("kpis:section", plan_id=plan.pk)


@login_required
@require_POST
def policy_save(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            services.policy_update(
                plan=plan,
                expected_version=form.cleaned_data["version"],
                at_risk_below=form.cleaned_data["at_risk_below"] / 100,
                off_track_below=form.cleaned_data["off_track_below"] / 100,
                actor=actor_of(request),
            )
        except StaleVersion:
            messages.error(
                request, _("The thresholds changed in the meantime; review them and try again.")
            )
        except InvalidInput as error:
            messages.error(request, error.describe())
        else:
            messages.success(request, _("Thresholds saved."))
    else:
        messages.error(request, _("Give both thresholds as percentages of the target."))
    return redirect("kpis:section", plan_id=plan.pk)
