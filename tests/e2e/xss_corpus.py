"""The XSS corpus, how it is stored in every user-editable text field, and the pages to visit.

Used by ``test_xss.py`` (every page, payloads must never run) and ``test_csp.py``
(the main pages under the enforced policy, no violation at all).

*Payloads.* Each one, if it ever ran, calls ``alert("XSS-nn")`` (the browser
hook records it) and marks the element it would have injected with
``data-xss``; ``injected_markup`` finds such markup in the DOM even when the
policy stopped it from running.

*Fields.* ``text_fields()`` walks every concrete model of the project apps (and
``auth.User``) and returns each CharField, TextField and JSONField a user can
put free text into. What is not free text is in ``SKIP`` with the reason; a new
field is covered automatically, and a field that disappears from the models
fails ``test_skip_list_names_real_fields``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Cast, Concat, Mod
from django.urls import URLPattern, URLResolver, get_resolver

PROJECT_APPS = ("core", "planner", "kpis", "channels", "content", "monitoring", "budget")

# ---------------------------------------------------------------------------- the corpus

# Each classic shape once; the number after XSS- names it in a failure message.
PAYLOADS: tuple[str, ...] = (
    '<script data-xss>alert("XSS-01")</script>',
    '<img src=x data-xss onerror=alert("XSS-02")>',
    '<svg data-xss onload=alert("XSS-03")>',
    'javascript:alert("XSS-04")//',
    '"><img src=x data-xss onerror=alert("XSS-05")>',
    "'><svg data-xss onload=alert('XSS-06')>",
    '</textarea><script data-xss>alert("XSS-07")</script>',
    '</title><svg data-xss onload=alert("XSS-08")>',
    '{{7*7}} ${alert("XSS-09")} {% debug %} #{alert("XSS-09")}',
    '</script><script data-xss>alert("XSS-10")</script>',
    "<a data-xss href=\"javascript:alert('XSS-11')\" "
    "style=\"background:url('javascript:alert(1)')\" onmouseover=alert('XSS-11')>x</a>",
    "<iframe data-xss src=\"data:text/html,<script>alert('XSS-12')</script>\"></iframe>",
    '\\u003cimg src=x data-xss onerror=alert("XSS-13")\\u003e '
    '&lt;img src=x data-xss onerror=alert("XSS-13")&gt; ＜script＞alert("XSS-13")＜/script＞',
    '[click](javascript:alert("XSS-14")) <details data-xss open ontoggle=alert("XSS-14")>',
    '<div data-xss hx-get="/" hx-trigger="load" hx-on::load="alert(\'XSS-15\')">htmx</div>',
    '<object data-xss data="data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTLTE2Jyk8L3NjcmlwdD4=">',
)
# For fields too short for the others (e.g. 40 characters): still markup with a marker.
SHORT_PAYLOADS: tuple[str, ...] = (
    '"><svg data-xss onload=alert(17)>',
    "<svg data-xss onload=alert(18)>",
    "'><b data-xss>",
    "<i data-xss>",
)
# For URL fields: what passes a naive check but must not become a live link or markup.
URL_PAYLOADS: tuple[str, ...] = (
    'https://example.com/?q="><img src=x data-xss onerror=alert("XSS-19")>',
    "https://example.com/'><svg data-xss onload=alert('XSS-20')>",
)

# ---------------------------------------------------------------------------- the fields

# (app_label.Model, field) or ("*", field) for every model → why it is not free text.
SKIP: dict[tuple[str, str], str] = {
    ("*", "history_change_reason"): "set by code (simple-history), never from a form",
    ("*", "dedup_key"): "computed claim key, never shown",
    ("core.OutboxMessage", "task_name"): "a Celery task's dotted name, set by code",
    ("core.OutboxMessage", "kwargs"): "task arguments, set by code, never shown",
    ("core.OutboxMessage", "last_error"): "worker traceback, never shown on a page",
    ("auth.User", "username"): "UnicodeUsernameValidator: letters, digits and @.+-_ only; "
    "also the login name the test signs in with",
    ("auth.User", "password"): "a hash",
    ("auth.User", "email"): "EmailField (validated address)",
    ("kpis.Kpi", "code"): "validated identifier (kpis.services.CODE_RE); formulas refer to it",
    ("kpis.Kpi", "formula"): "parsed by kpis.formulas: only codes, numbers and operators",
    ("kpis.Kpi", "months"): "twelve numbers",
    ("kpis.Kpi", "channel_split"): "channel code → share (numbers)",
    ("kpis.Kpi", "region_split"): "region code → share (numbers)",
    ("budget.Department", "code"): "validated: up to 12 capital letters, digits or hyphens",
    ("budget.Supplier", "contact_email"): "EmailField (validated address)",
    ("planner.Subscription", "alert_severities"): "severity choices",
    ("planner.Subscription", "alert_sections"): "section choices",
    ("planner.Subscription", "timezone"): "validated IANA zone name",
    ("planner.ChatChannel", "alert_severities"): "severity choices",
    ("planner.ChatChannel", "url"): "validated https webhook URL; the page shows it masked",
    ("planner.ChatChannel", "secret"): "write-only signing secret, never shown",
    ("planner.Delivery", "period"): "computed period key (e.g. 2027-W05)",
    ("planner.AlertNotice", "severity"): "the alert's severity, copied by the server",
    ("planner.Delivery", "address"): "validated email address or a chat channel's URL",
    ("planner.PlanVersion", "data"): "snapshot written by code; covered by saving a version "
    "after seeding (seed_through_services)",
    ("planner.Risk", "trigger_metrics"): "KPI codes / metric names (validated list)",
    ("channels.Channel", "code"): "SlugField",
    ("content.Campaign", "code"): "SlugField",
    ("content.Campaign", "festival"): "a festival key from content.festivals",
    ("content.Asset", "layers"): "content-layer choices",
    ("content.InteractionMechanism", "response_hours"): "numbers",
    ("content.BrandStandard", "colours"): "validated name + #hex pairs; covered through the form",
    ("monitoring.MonitoringSettings", "funnel_stages"): "metric keys (validated choices)",
    ("monitoring.MonitoringSettings", "grade_weights"): "numbers",
    ("monitoring.MonitoringSettings", "grade_cutoffs"): "numbers",
    ("monitoring.JourneyPath", "channels"): "channel codes (validated on import)",
    ("monitoring.JourneyPath", "ages"): "numbers",
    ("monitoring.ResponseCurve", "kind"): "model kind, set by the fit",
    ("monitoring.ResponseCurve", "params"): "fitted numbers",
    ("monitoring.ResponseCurve", "samples"): "numbers",
    ("monitoring.ResponseCurve", "weekly_spend"): "numbers",
    ("monitoring.ResponseCurve", "weekly_revenue"): "numbers",
    ("monitoring.RoiCohort", "retention"): "numbers",
    ("monitoring.Alert", "metric"): "a metric key or KPI code, set by the scan",
    ("monitoring.CompetitorObservation", "seen_on"): "channel codes (validated)",
    ("monitoring.CompetitorObservation", "traffic"): "numbers",
    ("monitoring.CompetitorObservation", "screenshot_type"): "an image MIME type, set on upload",
    ("budget.ReallocationMove", "from_grade"): "a grade letter",
    ("budget.ReallocationMove", "to_grade"): "a grade letter",
    ("budget.SupplierFlag", "quarters"): "quarter numbers",
    ("budget.SupplierFlag", "scores"): "numbers",
}


@dataclass(frozen=True)
class TextField:
    model: type[models.Model]
    field: models.Field

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"


def _models() -> Iterator[type[models.Model]]:
    yield get_user_model()
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            yield model


def _base_label(model: type[models.Model]) -> str:
    """A historical model's fields are its tracked model's: skip them by that name."""
    instance_type = getattr(model, "instance_type", None)  # simple-history
    return (instance_type or model)._meta.label


def _skipped(model: type[models.Model], field: models.Field) -> bool:
    label = _base_label(model)
    return (label, field.name) in SKIP or ("*", field.name) in SKIP


def text_fields() -> list[TextField]:
    """Every free-text field of every model (see the module docstring)."""
    found = []
    for model in _models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                continue
            if field.choices or isinstance(field, (models.SlugField, models.EmailField)):
                continue  # validated values, not free text
            if field.name == "history_type" or _skipped(model, field):
                continue
            found.append(TextField(model, field))
    return found


def stale_skips() -> list[tuple[str, str]]:
    """SKIP entries that name no field any more."""
    labels: dict[str, set[str]] = {}
    for model in _models():
        labels.setdefault(model._meta.label, set()).update(
            f.name for f in model._meta.concrete_fields
        )
    every = set().union(*labels.values())
    return [
        (label, name)
        for label, name in SKIP
        if (label == "*" and name not in every)
        or (label != "*" and name not in labels.get(label, ()))
    ]


def _payload_for(field: models.Field, n: int) -> str:
    limit = getattr(field, "max_length", None) or 10_000
    pool = URL_PAYLOADS if isinstance(field, models.URLField) else PAYLOADS
    fitting = [p for p in pool + SHORT_PAYLOADS if len(p) <= limit]
    if not fitting:
        return ""
    return fitting[n % len(fitting)]


def _json_with_payloads(value: Any, field: models.Field, counter: list[int]) -> Any:
    """Every string leaf of a JSON value replaced with a payload (keys kept)."""
    if isinstance(value, str):
        counter[0] += 1
        return _payload_for(field, counter[0])
    if isinstance(value, list):
        return [_json_with_payloads(v, field, counter) for v in value]
    if isinstance(value, dict):
        return {k: _json_with_payloads(v, field, counter) for k, v in value.items()}
    return value


def seed_orm() -> dict[str, int]:
    """Store payloads in every free-text field of every row; → rows changed per field.

    Text fields: one UPDATE per payload (rows spread over the corpus by pk), each
    value ending with the row's pk so unique constraints hold. JSON fields: row by
    row, every string leaf replaced. ``QuerySet.update``: no signals, no history rows.
    """
    changed: dict[str, int] = {}
    for tf in text_fields():
        manager = tf.model._default_manager
        name = tf.field.name
        if isinstance(tf.field, models.JSONField):
            count = 0
            for pk, current in manager.values_list("pk", name).iterator():
                value = _json_with_payloads(current, tf.field, [pk])
                if value != current:
                    manager.filter(pk=pk).update(**{name: value})
                    count += 1
            changed[tf.label] = count
            continue
        limit = (getattr(tf.field, "max_length", None) or 10_000) - 8  # room for " <pk>"
        pool = URL_PAYLOADS if isinstance(tf.field, models.URLField) else PAYLOADS
        fitting = [p for p in pool + SHORT_PAYLOADS if len(p) <= limit]
        count = 0
        rows = manager.annotate(_slot=Mod(F("pk") + len(name), len(fitting)))
        for slot, payload in enumerate(fitting):
            count += rows.filter(_slot=slot).update(
                **{name: Concat(Value(payload + " "), Cast("pk", models.CharField()))}
            )
        changed[tf.label] = count
    return changed


# ---------------------------------------------------------------------------- the pages


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name
    pattern: str  # e.g. plans/<int:plan_id>/goals/kpis/<int:kpi_id>/
    converters: dict[str, str]  # kwarg → converter name


def page_routes() -> list[Route]:
    """Every URL pattern outside the API, the admin and static files."""
    routes: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                pattern = prefix + str(p.pattern)
                if pattern.startswith(("api/", "admin/", "^static")) or not p.name:
                    continue
                converters = {
                    k: type(v).__name__
                    for k, v in {
                        **getattr(resolver.pattern, "converters", {}),
                        **p.pattern.converters,
                    }.items()
                }
                routes.append(Route(f"{namespace}{p.name}", pattern, converters))

    walk(get_resolver(), "", "")
    return routes


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)


# Route kwargs that are not a row's id: their values for the seeded demo.
def fixed_kwargs(plan: Any) -> dict[str, list[Any]]:
    from content import festivals
    from monitoring.analytics.competition import US
    from planner.notify.subscriptions import CATEGORIES
    from planner.notify.unsubscribe import make_token

    admin = get_user_model().objects.get(username="demo-admin")
    return {
        "plan_id": [plan.pk],
        "slug": [plan.workspace.slug],
        "quarter": [2],
        "month": [6],
        "product": [US],
        "festival": [f.code for f in festivals.festivals(plan.year)][:1],
        "token": [make_token(admin, plan.workspace, c) for c in sorted(CATEGORIES)][:1],
        "section": ["goals"],
        "fmt": ["csv"],
        "kind": ["observations"],
    }


def _snake(name: str) -> str:
    out = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
    return out.lstrip("_")


def id_candidates(plan: Any, kwarg: str) -> list[int]:
    """Ids for ``<something>_id``: the first row of the plan (or its workspace) of every
    project model whose name ends with that something (``review_id`` → SupplierReview,
    ReallocationReview…), tried in turn."""
    stem = kwarg.removesuffix("_id")
    ids: list[int] = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model.__name__.startswith("Historical"):
            continue
        if not (_snake(model.__name__) == stem or _snake(model.__name__).endswith("_" + stem)):
            continue
        names = {f.name for f in model._meta.get_fields()}
        qs = model._default_manager.all()
        if "plan" in names:
            qs = qs.filter(plan=plan)
        elif "workspace" in names:
            qs = qs.filter(workspace=plan.workspace)
        pk = qs.order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            ids.append(pk)
    return ids


def route_queries(plan: Any) -> dict[str, str]:
    """Query strings a page needs to show its content (else it answers 400)."""
    from planner.models import Plan
    from planner.versions.models import PlanVersion

    first = PlanVersion.objects.filter(plan=plan).order_by("number").first()
    scenario = Plan.objects.filter(scenario_of=plan).order_by("pk").first()
    return {
        "planner:versions-compare": f"?from={first.number if first else 1}&to=now",
        "planner:scenarios-compare": f"?with={scenario.pk if scenario else plan.pk}",
        "content:mechanism-create": "?kind=ugc_challenge",
    }


def seed_extra_rows(plan: Any) -> None:
    """Rows the demo does not have, so the pages that show them are visited too."""
    from planner.notify.models import ChatChannel

    ChatChannel.objects.create(
        workspace=plan.workspace,
        name=PAYLOADS[4][:80],
        platform="slack",
        url="https://hooks.slack.com/services/T000/B000/XXXX",
    )
