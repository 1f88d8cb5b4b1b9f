"""The Attribution tab of the monitoring section: the models side by side (chart and
table, each model's definition next to its numbers), the journeys dataset, its import
(upload and history) and the models' settings.

Everything shown is what the recompute stored; the page never recomputes. (A module
of its own beside ``views.py``, which holds the section's other tabs.)
"""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from channels.models import Channel
from core.auth import actor_of
from core.htmx import render_page
from monitoring import attribution as service
from monitoring import charts, queries
from monitoring.forms import AttributionSettingsForm, JourneyImportForm
from monitoring.journeys import PATH_COLUMNS, TOUCH_COLUMNS
from monitoring.models import AttributionModel, AttributionSettings, JourneyImport
from monitoring.pages import base_context, submit_upload, submit_versioned
from planner.access import Action, plan_for_user
from planner.models import Plan

#: What each model does, in one or two plain sentences (shown next to its numbers).
DEFINITIONS = {
    AttributionModel.LAST_CLICK: gettext_lazy(
        "All of a conversion goes to the last channel the customer touched before buying."
    ),
    AttributionModel.FIRST_CLICK: gettext_lazy(
        "All of a conversion goes to the channel that first brought the customer in."
    ),
    AttributionModel.LINEAR: gettext_lazy(
        "Every touch on the way gets an equal part (a channel touched twice gets two parts)."
    ),
    AttributionModel.TIME_DECAY: gettext_lazy(
        "Touches close to the purchase count more: a touch %(half_life)s days earlier counts "
        "half as much."
    ),
    AttributionModel.POSITION_BASED: gettext_lazy(
        "%(first)s to the first touch, %(last)s to the last, the rest shared by the touches "
        "in between; a one-touch path gives all to its channel, a two-touch path shares in "
        "the ratio first : last."
    ),
    AttributionModel.MARKOV: gettext_lazy(
        "Data-driven: from all paths, converting or not, how much the conversion rate would "
        "drop without each channel (its removal effect); conversions are shared in "
        "proportion to those drops."
    ),
}


def _percent(share: Any) -> str:
    return f"{float(share) * 100:g} %"


def definitions(found: AttributionSettings | Any) -> dict[str, str]:
    """The definitions with the plan's parameters filled in."""
    values = {
        "half_life": f"{float(found.half_life_days):g}",
        "first": _percent(found.first_share),
        "last": _percent(found.last_share),
    }
    return {key: str(text) % values for key, text in DEFINITIONS.items()}


def _page(
    request: HttpRequest,
    plan: Plan,
    *,
    import_form: JourneyImportForm | None = None,
    settings_form: AttributionSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    table = queries.attribution(plan)
    setting = service.settings_for(plan)
    shown_parameters = table.run if table.run is not None else setting
    texts = definitions(shown_parameters)
    models = [{**m, "definition": texts[m["key"]]} for m in table.models]
    chart = None
    if table.rows:
        chart = charts.attribution(
            [row["channel"].display_name for row in table.rows],
            [
                (
                    m["key"],
                    str(m["label"]),
                    [
                        cell["conversions"] if cell else 0.0
                        for cell in (r["cells"][i] for r in table.rows)
                    ],
                )
                for i, m in enumerate(models)
                if m["available"]
            ],
        )
    current = None
    wanted = request.GET.get("import", "")
    if wanted.isdigit():
        current = (
            JourneyImport.objects.filter(plan=plan, pk=int(wanted))
            .select_related("created_by")
            .first()
        )
    channels = list(
        Channel.objects.filter(plan=plan, is_active=True).order_by("sort_order", "code")
    )
    context = base_context(
        request,
        plan,
        "attribution",
        table=table,
        models=models,
        chart=chart,
        dataset=queries.journey_dataset(plan),
        history=queries.journey_imports(plan),
        current=current,
        more_problems=max(current.error_count - len(current.errors or []), 0) if current else 0,
        import_form=import_form or JourneyImportForm(auto_id="jim_%s"),
        settings_form=settings_form
        or AttributionSettingsForm(
            auto_id="att_%s", initial=AttributionSettingsForm.initial_of(setting)
        ),
        channels=channels,
        touch_columns=TOUCH_COLUMNS,
        path_columns=PATH_COLUMNS,
        time_zone=timezone.get_default_timezone_name(),
    )
    return render_page(request, "monitoring/attribution.html", context, status=status)


@login_required
@require_GET
def attribution(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    return _page(request, plan)


@login_required
@require_POST
def journeys_upload(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = JourneyImportForm(request.POST, request.FILES, auto_id="jim_%s")
    record = submit_upload(
        form,
        lambda upload, data: service.import_journeys(
            plan=plan,
            actor=actor_of(request),
            source=upload,
            filename=upload.name or "journeys",
            size=upload.size or 0,
            dry_run=data["dry_run"],
            mode=data["mode"],
        ),
    )
    if record is None:
        return _page(request, plan, import_form=form, status=400)
    url = reverse("monitoring:attribution", args=[plan.pk])
    return redirect(f"{url}?{urlencode({'import': record.pk})}#journeys-result")


@login_required
@require_POST
def settings_save(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    form = AttributionSettingsForm(request.POST, auto_id="att_%s")
    outcome = submit_versioned(
        request,
        form,
        lambda data: service.settings_update(
            plan=plan,
            expected_version=data["version"],
            changes=form.changes(),
            actor=actor_of(request),
        ),
        stale_message=_("Someone saved the settings in the meantime; here they are as saved now."),
    )
    if outcome == "stale":
        return _page(request, plan, status=409)
    if outcome == "saved":
        messages.success(request, _("Settings saved; the attribution is being recomputed."))
        return redirect(reverse("monitoring:attribution", args=[plan.pk]) + "#settings")
    return _page(request, plan, settings_form=form, status=400)


@login_required
@require_GET
def journeys_template(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A touchpoint CSV: two journeys in the plan's own channel codes."""
    plan = plan_for_user(request.user, plan_id)
    codes = list(
        Channel.objects.filter(plan=plan, is_active=True)
        .order_by("sort_order", "code")
        .values_list("code", flat=True)[:3]
    ) or ["channel_code"]
    while len(codes) < 3:
        codes.append(codes[-1])
    start = timezone.make_aware(datetime.combine(date(plan.year, 3, 1), time(10, 0)))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="journeys-{plan.year}-template.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(TOUCH_COLUMNS)

    def stamp(days: float) -> str:
        return timezone.localtime(start + timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")

    writer.writerow(["J-0001", stamp(0), codes[0], 0, ""])
    writer.writerow(["J-0001", stamp(2.2), codes[1], 0, ""])
    writer.writerow(["J-0001", stamp(3.5), codes[2], 1, "268.00"])
    writer.writerow(["J-0002", stamp(1), codes[0], 0, ""])
    writer.writerow(["J-0002", stamp(1.4), codes[1], 0, ""])
    return response
