"""Pages of the monitoring section: the overview (totals, funnel, trends with campaign
bands, channel grades, open alerts), the alert inbox, the metrics imports and the
alert rules with the monitoring settings.

Everything shown is what the recompute job stored; a page never recomputes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from channels.models import Channel
from content.models import Campaign
from core.auth import actor_of
from core.errors import DomainError, InvalidInput, NotAllowed, StaleVersion
from core.forms import attach_error, posted_version
from core.htmx import is_htmx, refresh_or_redirect, render_page
from core.templatetags.almanac import format_amount
from kpis.models import Direction
from monitoring import charts, queries, services
from monitoring.forms import (
    AlertActionForm,
    AlertFilterForm,
    ImportForm,
    OverviewForm,
    RuleForm,
    SettingsForm,
)
from monitoring.models import (
    COUNT_FIELDS,
    METRIC_FIELDS,
    Alert,
    AlertRule,
    ComputeState,
    ImportStatus,
    MetricImport,
    Period,
    RuleKind,
    Severity,
)
from monitoring.pages import base_context, submit_upload, submit_versioned
from monitoring.roi import queries as roi_queries
from planner.access import Action, object_for_user, plan_for_user
from planner.models import Plan

ALERTS_PER_PAGE = 25


# --- overview ------------------------------------------------------------------------------------


def _period_label(start: date, period: str) -> str:
    if period == Period.WEEK:
        return _("Week of %(day)s") % {"day": date_format(start, "SHORT_DATE_FORMAT")}
    if period == Period.MONTH:
        return date_format(start, "YEAR_MONTH_FORMAT")
    if period == Period.QUARTER:
        return _("Q%(quarter)s %(year)s") % {
            "quarter": (start.month - 1) // 3 + 1,
            "year": start.year,
        }
    return date_format(start)


def _year_row(plan: Plan, channel: Channel | None) -> dict[str, Any] | None:
    if channel is None:
        return queries.totals(plan)
    table = queries.funnel(plan, period=Period.YEAR, channel_id=channel.pk)
    return next((r for r in table.rows if r["period_start"].year == plan.year), None)


def _funnel_table(plan: Plan, form: OverviewForm) -> dict[str, Any]:
    """The funnel per channel for one period (the chosen one, else the latest with data)."""
    period = form.choice("period")
    by_channel = queries.funnel(plan, group_by="channel", period=period)
    starts = sorted({r["period_start"] for r in by_channel.rows})
    chosen = form.choice("start")
    if chosen not in starts:
        chosen = starts[-1] if starts else None
    form.set_starts(starts, [_period_label(s, period) for s in starts], chosen)
    total = None
    if chosen is not None:
        plan_rows = queries.funnel(plan, period=period).rows
        total = next((r for r in plan_rows if r["period_start"] == chosen), None)
    return {
        "stages": by_channel.stages,
        "rows": [r for r in by_channel.rows if r["period_start"] == chosen],
        "total": total,
        "label": _period_label(chosen, period) if chosen else "",
    }


def _pending(state: ComputeState | None) -> bool:
    """A recompute was asked for after the last one finished (or none has run yet)."""
    if state is None or state.requested_at is None:
        return False
    return state.finished_at is None or state.requested_at > state.finished_at


@login_required
@require_GET
def section(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    form = OverviewForm(request.GET, plan=plan)
    channel: Channel | None = form.choice("channel")
    metric, compare, every = form.choice("metric"), form.choice("compare"), form.choice("every")
    year = _year_row(plan, channel)
    funnel_chart = None
    if year is not None and year.get("stages"):
        first = year["stages"][0]["previous"]
        funnel_chart = charts.funnel(year["stages"], (first, year[first] or 0))
    series = queries.funnel(plan, period=every, channel_id=channel.pk if channel else None).rows
    bands = queries.campaign_bands(plan)
    state = queries.compute_state(plan)
    trend_chart, legend = None, []
    if series:
        legend = charts.band_legend(
            bands, *charts.window([r["period_start"] for r in series], every)
        )
        points = [(r["period_start"], r[metric], r[compare] if compare else None) for r in series]
        trend_chart = charts.trend(
            points,
            metric=metric,
            compare=compare,
            currency=plan.currency,
            bands=bands,
            every=every,
        )
    context = base_context(
        request,
        plan,
        "overview",
        form=form,
        channel=channel,
        totals=year,
        funnel_chart=funnel_chart,
        trend_chart=trend_chart,
        trend_title=_("%(metric)s, %(every)s")
        % {
            "metric": charts.metric_label(metric),
            "every": _("weekly") if every == "week" else _("daily"),
        },
        band_legend=legend,
        grades=queries.grades(plan),
        view=roi_queries.definition_view(plan),
        open_counts=queries.open_alert_counts(plan),
        state=state,
        pending=_pending(state),
        table=_funnel_table(plan, form),
        stage_labels={name: charts.metric_label(name) for name in COUNT_FIELDS},
        severity_choices=[(s.value, s.label) for s in queries.SEVERITY_ORDER],
    )
    return render_page(request, "monitoring/overview.html", context)


@login_required
@require_POST
def recompute(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    services.recompute_now(plan=plan, actor=actor_of(request))
    messages.success(
        request, _("Recompute requested: the figures are updated as soon as it has run.")
    )
    return redirect("monitoring:section", plan_id=plan.pk)


# --- alert inbox ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertCard:
    """An alert as the inbox shows it: the values formatted in the metric's unit."""

    alert: Alert
    metric: str
    subject: str
    expected: str
    observed: str

    @classmethod
    def of(cls, alert: Alert, currency: str) -> AlertCard:
        if alert.kpi is not None:
            unit, metric, subject = alert.kpi.unit, alert.kpi.name, _("Behind plan")
        else:
            unit = charts.METRIC_UNITS.get(alert.metric, "count")
            metric = charts.metric_label(alert.metric)
            subject = str(alert.channel) if alert.channel else _("All channels")
        low, high = alert.expected_low, alert.expected_high
        if alert.kpi is not None and alert.kpi.direction == Direction.LOWER and high is None:
            low, high = None, low  # the target is a ceiling: "at most"
        if low is not None and high is not None:
            expected = (
                f"{format_amount(low, unit, currency)} – {format_amount(high, unit, currency)}"
            )
        elif low is not None:
            expected = _("at least %(value)s") % {"value": format_amount(low, unit, currency)}
        elif high is not None:
            expected = _("at most %(value)s") % {"value": format_amount(high, unit, currency)}
        else:
            expected = "—"
        observed = format_amount(alert.observed, unit, currency)
        return cls(alert, metric, subject, expected, observed)


def _alert_query(request: HttpRequest) -> str:
    kept = [(k, v) for k in ("status", "severity", "page") for v in request.GET.getlist(k)]
    return f"?{urlencode(kept)}" if kept else ""


@login_required
@require_GET
def alerts(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    form = AlertFilterForm(request.GET)
    statuses, severity = form.statuses, form.chosen_severity
    found = queries.alerts(plan).filter(status__in=statuses)
    if severity:
        found = found.filter(severity=severity)
    page = Paginator(found, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    kept = [(k, v) for k in ("status", "severity") for v in request.GET.getlist(k)]
    context = base_context(
        request,
        plan,
        "alerts",
        form=form,
        page=page,
        cards=[AlertCard.of(a, plan.currency) for a in page.object_list],
        open_counts=queries.open_alert_counts(plan),
        severities=Severity,
        query=_alert_query(request),
        filter_query=urlencode(kept),
    )
    return render_page(request, "monitoring/alerts.html", context)


ALERT_STEPS = {
    "acknowledge": services.alert_acknowledge,
    "resolve": services.alert_resolve,
    "reopen": services.alert_reopen,
}


@login_required
@require_POST
def alert_action(request: HttpRequest, plan_id: int, alert_id: int) -> HttpResponse:
    """Acknowledge, resolve or reopen an alert, with an optional note."""
    alert: Alert = object_for_user(
        Alert.objects.select_related("plan__workspace"),
        request.user,
        Action.EDIT,
        pk=alert_id,
        plan_id=plan_id,
    )
    plan = alert.plan
    form = AlertActionForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Choose what to do with the alert.")
    else:
        step = ALERT_STEPS[form.cleaned_data["action"]]
        try:
            step(
                alert=alert,
                expected_version=form.cleaned_data["version"],
                actor=actor_of(request),
                note=form.cleaned_data["note"],
            )
        except StaleVersion:
            error = _("Someone changed this alert in the meantime; here it is as it is now.")
        except DomainError as problem:  # a step the lifecycle refuses, an archived plan
            if isinstance(problem, NotAllowed):
                raise
            error = str(problem.message)
    if is_htmx(request):
        fresh = queries.alerts(plan).get(pk=alert.pk)
        context = base_context(
            request,
            plan,
            "alerts",
            card=AlertCard.of(fresh, plan.currency),
            error_text=error,
            query=_alert_query(request),
        )
        return render_page(request, "monitoring/alert_card.html", context, partial="alert-card")
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Alert updated."))
    return redirect(reverse("monitoring:alerts", args=[plan.pk]) + _alert_query(request))


# --- rules and settings --------------------------------------------------------------------------


def _rule_summary(rule: AlertRule, currency: str) -> str:
    """When the rule fires, in words, with its values in the metric's unit."""
    unit = charts.METRIC_UNITS.get(rule.metric, "count")
    if rule.kind == RuleKind.BOUNDS:
        low = format_amount(rule.lower, unit, currency)
        high = format_amount(rule.upper, unit, currency)
        if rule.lower is not None and rule.upper is not None:
            return _("Outside %(low)s – %(high)s") % {"low": low, "high": high}
        if rule.lower is not None:
            return _("Below %(low)s") % {"low": low}
        return _("Above %(high)s") % {"high": high}
    if rule.kind == RuleKind.CHANGE:
        return _("More than ±%(pct)s%% from the %(days)s-day average") % {
            "pct": floatformat(rule.change_pct, -2),
            "days": rule.baseline_days,
        }
    return _("Robust z-score above %(threshold)s") % {"threshold": floatformat(rule.threshold, -2)}


def _rules(plan: Plan) -> list[tuple[AlertRule, str]]:
    found = AlertRule.objects.filter(plan=plan).select_related("channel")
    return [
        (rule, _rule_summary(rule, plan.currency))
        for rule in found.order_by("metric", "name", "pk")
    ]


def _new_rule_form(plan: Plan, data: Any = None) -> RuleForm:
    initial = {
        "kind": RuleKind.STATISTICAL,
        "severity": Severity.WARNING,
        "is_active": True,
        "threshold": 3.5,
        "baseline_days": 28,
        "metric": "ctr",
    }
    return RuleForm(data, plan=plan, auto_id="rule_%s", initial=initial)


def _settings_form(plan: Plan, data: Any = None) -> SettingsForm:
    found = services.settings_for(plan)
    return SettingsForm(data, auto_id="set_%s", initial=SettingsForm.initial_of(found))


def _rules_page(
    request: HttpRequest,
    plan: Plan,
    *,
    rule_form: RuleForm | None = None,
    settings_form: SettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = base_context(
        request,
        plan,
        "rules",
        rules=_rules(plan),
        rule_form=rule_form or _new_rule_form(plan),
        settings_form=settings_form or _settings_form(plan),
    )
    return render_page(request, "monitoring/rules.html", context, status=status)


@login_required
@require_GET
def rules(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    return _rules_page(request, plan)


@login_required
@require_POST
def rule_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = _new_rule_form(plan, request.POST)
    if form.is_valid():
        try:
            rule = services.rule_create(plan=plan, actor=actor_of(request), **form.changes())
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            attach_error(form, error)
        else:
            messages.success(request, _("Rule “%(name)s” added.") % {"name": rule.name})
            return redirect("monitoring:rules", plan_id=plan.pk)
    return _rules_page(request, plan, rule_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, plan_id: int, rule_id: int) -> HttpResponse:
    rule: AlertRule = object_for_user(
        AlertRule.objects.select_related("plan__workspace", "channel"),
        request.user,
        Action.EDIT,
        pk=rule_id,
        plan_id=plan_id,
    )
    plan = rule.plan

    def form_page(form: RuleForm, status: int = 200, error_text: str = "") -> HttpResponse:
        context = base_context(request, plan, "rules", form=form, rule=rule, error_text=error_text)
        return render_page(
            request, "monitoring/rule_form.html", context, partial="rule-form", status=status
        )

    if request.method == "GET":
        return form_page(
            RuleForm(
                instance=rule,
                plan=plan,
                auto_id=f"rule{rule.pk}_%s",
                initial={"version": rule.version},
            )
        )
    version = posted_version(request)
    form = RuleForm(request.POST, instance=rule, plan=plan, auto_id=f"rule{rule.pk}_%s")
    try:
        if request.POST.get("delete"):
            services.rule_delete(rule=rule, expected_version=version, actor=actor_of(request))
            messages.success(request, _("Rule removed."))
        elif form.is_valid():
            services.rule_update(
                rule=rule, expected_version=version, changes=form.changes(), actor=actor_of(request)
            )
            messages.success(request, _("Rule saved."))
        else:
            raise InvalidInput(_("Check the fields."))
    except StaleVersion:
        rule.refresh_from_db()
        fresh = RuleForm(
            instance=rule, plan=plan, auto_id=f"rule{rule.pk}_%s", initial={"version": rule.version}
        )
        return form_page(
            fresh,
            status=200 if is_htmx(request) else 409,
            error_text=_("Someone changed this rule in the meantime; here it is as saved now."),
        )
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        attach_error(form, error)
        return form_page(form, status=200 if is_htmx(request) else 400)
    return refresh_or_redirect(request, reverse("monitoring:rules", args=[plan.pk]))


SETTINGS_FIELD_OF = {
    "funnel_stages": "stage_1",
    "grade_weights": "weight_quality",
    "grade_cutoffs": "cutoff_a",
    "max_shift": "max_shift",
}


@login_required
@require_POST
def settings_save(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = SettingsForm(request.POST, auto_id="set_%s")
    outcome = submit_versioned(
        request,
        form,
        lambda data: services.settings_update(
            plan=plan,
            expected_version=data["version"],
            changes=form.changes(),
            actor=actor_of(request),
        ),
        stale_message=_("Someone saved the settings in the meantime; here they are as saved now."),
        field_of=SETTINGS_FIELD_OF,
    )
    if outcome == "stale":
        return _rules_page(request, plan, status=409)
    if outcome == "saved":
        messages.success(request, _("Settings saved; the grades and funnels are being recomputed."))
        return redirect("monitoring:rules", plan_id=plan.pk)
    return _rules_page(request, plan, settings_form=form, status=400)


# --- imports -------------------------------------------------------------------------------------

ACTIVE_IMPORT = (ImportStatus.QUEUED, ImportStatus.RUNNING)


def _result(record: MetricImport | None) -> dict[str, Any]:
    """What the result card of an import shows: the record and the problems not listed."""
    more = max(record.error_count - len(record.errors or []), 0) if record else 0
    return {"current": record, "more_problems": more}


def _imports_page(
    request: HttpRequest, plan: Plan, form: ImportForm, status: int = 200
) -> HttpResponse:
    history = queries.imports(plan)
    current = None
    wanted = request.GET.get("import", "")
    if wanted.isdigit():
        current = (
            MetricImport.objects.filter(plan=plan, pk=int(wanted))
            .select_related("created_by")
            .first()
        )
    if current is None:
        current = next((i for i in history if i.status in ACTIVE_IMPORT), None)
    channels = list(
        Channel.objects.filter(plan=plan, is_active=True).order_by("sort_order", "code")
    )
    campaigns = list(Campaign.objects.filter(plan=plan).order_by("start", "code"))
    context = base_context(
        request,
        plan,
        "imports",
        **_result(current),
        form=form,
        history=history,
        channels=channels,
        campaigns=campaigns,
        metric_fields=METRIC_FIELDS,
    )
    return render_page(request, "monitoring/imports.html", context, status=status)


@login_required
@require_GET
def imports(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    return _imports_page(request, plan, ImportForm(auto_id="imp_%s"))


@login_required
@require_POST
def import_upload(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = ImportForm(request.POST, request.FILES, auto_id="imp_%s")
    record = submit_upload(
        form,
        lambda upload, data: services.import_metrics(
            plan=plan,
            actor=actor_of(request),
            source=upload,
            filename=upload.name or "metrics",
            size=upload.size or 0,
            dry_run=data["dry_run"],
        ),
    )
    if record is None:
        return _imports_page(request, plan, form, status=400)
    url = reverse("monitoring:imports", args=[plan.pk])
    return redirect(f"{url}?{urlencode({'import': record.pk})}")


@login_required
@require_GET
def import_progress(request: HttpRequest, plan_id: int, import_id: int) -> HttpResponse:
    """The result card of one import: polled every second while it is queued or running
    (the card stops polling once the import has finished)."""
    record: MetricImport = object_for_user(
        MetricImport.objects.select_related("plan__workspace", "created_by"),
        request.user,
        Action.VIEW,
        pk=import_id,
        plan_id=plan_id,
    )
    # Polled (htmx): the row of the history table follows too, out of band.
    context = {"plan": record.plan, **_result(record), "oob_row": is_htmx(request)}
    return render_page(request, "monitoring/import_result.html", context, partial="import-result")


@login_required
@require_GET
def import_template(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A CSV with the header and two example rows in the plan's own channel codes."""
    plan = plan_for_user(request.user, plan_id)
    codes = list(
        Channel.objects.filter(plan=plan, is_active=True)
        .order_by("sort_order", "code")
        .values_list("code", flat=True)[:2]
    ) or ["channel_code"]
    campaign = Campaign.objects.filter(plan=plan).order_by("start", "code").first()
    day = campaign.start if campaign else date(plan.year, 1, 1)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="metrics-{plan.year}-template.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(["date", "channel", "campaign", *METRIC_FIELDS])
    writer.writerow(
        [
            day.isoformat(),
            codes[0],
            campaign.code if campaign else "",
            120000,
            3600,
            2900,
            410,
            160,
            150,
            "8500.00",
            "31200.00",
        ]
    )
    writer.writerow(
        [
            (day + timedelta(days=1)).isoformat(),
            codes[-1],
            "",
            80000,
            1800,
            1500,
            220,
            75,
            70,
            "4200.00",
            "14800.00",
        ]
    )
    return response
