"""Writes of the monitoring section: imports, settings, alert rules and the alert
lifecycle, and asking for a recompute.

A recompute is requested through the outbox with one dedup key per plan, so a
burst of requests (ten uploads in a second) becomes one run; the run itself is
``monitoring.recompute.recompute_plan``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.base import File
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from core.errors import InvalidInput, InvalidTransition, Locked
from core.locking import delete_versioned, update_versioned
from core.outbox import enqueue
from monitoring.analytics import funnel, grading
from monitoring.models import (
    Alert,
    AlertRule,
    AlertStatus,
    ComputeState,
    DailyMetric,
    ImportStatus,
    Metric,
    MetricImport,
    MonitoringSettings,
    RuleKind,
    Severity,
)
from planner.access import Action, require
from planner.editing import plan_for_edit, plan_for_execution, reject_unknown
from planner.models import Plan, PlanStatus

logger = logging.getLogger(__name__)
# The cache (Redis in the services setup) is unreachable, or went away mid-command.
CACHE_DOWN = (RedisError, OSError)

RECOMPUTE_TASK = "monitoring.recompute_plan"
IMPORT_TASK = "monitoring.run_import"
# Files up to this size are imported in the request; larger ones by a worker.
INLINE_IMPORT_BYTES = 2 * 1024 * 1024
PROGRESS_TTL = 6 * 3600

SETTINGS_EDITABLE = ("funnel_stages", "grade_weights", "grade_cutoffs", "max_shift")
RULE_EDITABLE = (
    "name",
    "metric",
    "channel",
    "kind",
    "lower",
    "upper",
    "change_pct",
    "baseline_days",
    "threshold",
    "severity",
    "is_active",
)


# --- recompute ---------------------------------------------------------------------------------


def request_recompute(plan: Plan) -> None:
    """Ask for the plan's results to be recomputed after the current transaction commits.

    The request is counted on the plan's ``ComputeState`` (a run covers the requests
    counted before it began). Within ``RECOMPUTE_MIN_INTERVAL`` of the last run the job
    waits for the end of the interval; requests join a job that has not begun (outbox
    dedup key), so a stream of imports costs one run per interval.
    """
    with transaction.atomic():
        state, _created = ComputeState.objects.select_for_update().get_or_create(plan=plan)
        now = timezone.now()
        ComputeState.objects.filter(pk=state.pk).update(
            requested_at=now, requests=F("requests") + 1
        )
        schedule_recompute(plan.pk, next_run_at(state.finished_at, now))


def schedule_recompute(plan_id: int, when: datetime | None) -> None:
    """The plan's recompute job after this transaction (no earlier than ``when``); it
    joins one that has not begun (outbox dedup key)."""
    enqueue(
        RECOMPUTE_TASK,
        kwargs={"plan_id": plan_id},
        dedup_key=recompute_key(plan_id),
        not_before=when,
    )


def recompute_key(plan_id: int) -> str:
    return f"recompute:{plan_id}"


def recompute_interval() -> timedelta:
    """How far apart a plan's recomputes start; none when tasks run in-process."""
    if current_app.conf.task_always_eager:
        return timedelta(0)
    interval: timedelta = settings.RECOMPUTE_MIN_INTERVAL
    return interval


def next_run_at(finished_at: datetime | None, now: datetime) -> datetime | None:
    """When the next recompute may begin, if not now."""
    if finished_at is None:
        return None
    due = finished_at + recompute_interval()
    return due if due > now else None


def request_recompute_all() -> int:
    """Ask for a recompute of every plan that has metrics and is not archived."""
    plans = Plan.objects.exclude(status=PlanStatus.ARCHIVED).filter(
        Exists(DailyMetric.objects.filter(plan=OuterRef("pk")))
    )
    count = 0
    for plan in plans:
        request_recompute(plan)
        count += 1
    return count


def recompute_now(*, plan: Plan, actor: User) -> None:
    """The "recompute now" button: any editor of the plan may ask."""
    require(actor, plan.workspace_id, Action.EDIT)
    request_recompute(plan)


# --- imports -----------------------------------------------------------------------------------


def import_metrics(
    *,
    plan: Plan,
    actor: User | None,
    source: BinaryIO | Sequence[Mapping[str, Any]],
    filename: str,
    size: int,
    dry_run: bool = False,
    inline: bool = False,
) -> MetricImport:
    """Import daily metrics: small files (and JSON rows) now, large files by a worker.

    Returns the import record: ``succeeded``/``checked``/``failed`` with its counts and
    problems when it ran now, ``queued`` when a worker will run it (its progress is on
    the record). Nothing is written unless the whole file is valid. ``actor`` None is
    the operator's ``manage.py import_metrics`` (no role to check; it runs ``inline``);
    the import history shows it without a person.
    """
    with transaction.atomic():  # refuse early; the row lock ends with this block
        if actor is None:
            plan = Plan.objects.select_for_update().get(pk=plan.pk)
            if plan.status == PlanStatus.ARCHIVED:
                raise Locked(_("The plan is archived; nothing in it can change."))
        else:
            plan = plan_for_execution(plan_id=plan.pk, actor=actor)
    record = MetricImport.objects.create(
        plan=plan, created_by=actor, filename=filename[:255], size_bytes=size, dry_run=dry_run
    )
    if inline or isinstance(source, Sequence) or size <= INLINE_IMPORT_BYTES:
        _run(record, source)
        return record
    with transaction.atomic():
        record.file.save(f"{record.pk}-{Path(filename).name}"[:200], File(source), save=True)
        enqueue(IMPORT_TASK, kwargs={"import_id": record.pk}, dedup_key=f"import:{record.pk}")
    return record


def run_import(import_id: int) -> str:
    """Run a queued import (the worker's side); returns its final status."""
    record = MetricImport.objects.select_related("plan").get(pk=import_id)
    if record.status != ImportStatus.QUEUED:
        return record.status  # already run by another delivery
    with record.file.open("rb") as handle:
        _run(record, handle)
    record.file.delete(save=False)
    MetricImport.objects.filter(pk=record.pk).update(file="")
    return record.status


def progress_key(import_id: int) -> str:
    return f"monitoring:import-progress:{import_id}"


def live_progress(record: MetricImport) -> tuple[str, int]:
    """An import's status and progress as the pages show them while it runs.

    A running import's own writes are not visible until it commits, so a queued
    import with progress in the cache is reported as running.
    """
    if record.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        try:
            percent = cache.get(progress_key(record.pk))
        except CACHE_DOWN as exc:  # show the stored progress
            logger.warning("import progress of %s not read: %s", record.pk, exc)
            percent = None
        if percent is not None:
            return ImportStatus.RUNNING, int(percent)
    return record.status, record.progress


def _run(record: MetricImport, source: Any) -> None:
    from monitoring import importer  # the heavy module, only when importing

    record.status = ImportStatus.RUNNING
    record.started_at = timezone.now()
    record.save(update_fields=["status", "started_at"])

    def progress(percent: int) -> None:
        # The import runs inside one transaction (all rows or none), so its progress
        # travels through the cache, which other processes see at once (Redis).
        # Only a display: an import never fails because the cache is down.
        try:
            cache.set(progress_key(record.pk), max(0, min(100, int(percent))), PROGRESS_TTL)
        except CACHE_DOWN as exc:
            logger.warning("import progress of %s not stored: %s", record.pk, exc)

    progress(0)

    try:
        with transaction.atomic():
            outcome = importer.load_metrics(
                plan=record.plan,
                source=source,
                filename=record.filename,
                dry_run=record.dry_run,
                import_record=record,
                progress=progress,
            )
            if outcome.ok and not record.dry_run and outcome.rows_total:
                request_recompute(record.plan)
    except Exception:
        logger.exception("metrics import %s failed", record.pk)
        record.status = ImportStatus.FAILED
        record.errors = [{"row": None, "column": None, "message": _("The import failed.")}]
        record.error_count = 1
        record.finished_at = timezone.now()
        record.save()
        raise
    record.rows_total = outcome.rows_total
    record.rows_inserted = outcome.inserted
    record.rows_replaced = outcome.replaced
    record.error_count = outcome.error_count
    record.errors = [
        {"row": e.row, "column": e.column, "message": str(e.message)} for e in outcome.errors
    ]
    record.first_date, record.last_date = outcome.first_date, outcome.last_date
    record.progress = 100
    if not outcome.ok:
        record.status = ImportStatus.FAILED
    else:
        record.status = ImportStatus.CHECKED if record.dry_run else ImportStatus.SUCCEEDED
    record.finished_at = timezone.now()
    record.save()


# --- settings ------------------------------------------------------------------------------------


def settings_for(plan: Plan) -> MonitoringSettings:
    """The plan's monitoring settings (created with the defaults on first use)."""
    found, _created = MonitoringSettings.objects.get_or_create(plan=plan)
    return found


def settings_update(
    *, plan: Plan, expected_version: int, changes: Mapping[str, Any], actor: User
) -> MonitoringSettings:
    reject_unknown(changes, SETTINGS_EDITABLE)
    data = dict(changes)
    errors: dict[str, list[Any]] = {}
    if "funnel_stages" in data:
        try:
            data["funnel_stages"] = list(funnel.validate_stages(data["funnel_stages"]))
        except (TypeError, ValueError) as error:
            errors["funnel_stages"] = [str(error)]
    if "grade_weights" in data:
        try:
            w = grading.Weights(**dict(data["grade_weights"]))
            data["grade_weights"] = {"quality": w.quality, "cost": w.cost, "volume": w.volume}
        except (TypeError, ValueError):
            errors["grade_weights"] = [
                _("Give the weights of quality, cost and volume: 0 or more, not all 0.")
            ]
    if "grade_cutoffs" in data:
        try:
            c = grading.Cutoffs(**dict(data["grade_cutoffs"]))
            data["grade_cutoffs"] = {"a": c.a, "b": c.b}
        except (TypeError, ValueError):
            errors["grade_cutoffs"] = [_("The cut-offs must satisfy 0 ≤ B ≤ A ≤ 100.")]
    if "max_shift" in data:
        try:
            shift_ok = 0 <= float(data["max_shift"]) <= 1
        except (TypeError, ValueError):
            shift_ok = False
        if not shift_ok:
            errors["max_shift"] = [_("The shift is a share from 0 to 1.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        current = settings_for(plan)
        fresh = update_versioned(
            current, expected_version=expected_version, changes=data, actor=actor
        )
        request_recompute(plan)
    return fresh


# --- alert rules ---------------------------------------------------------------------------------


def _clean_rule(plan: Plan, rule: AlertRule) -> None:
    errors: dict[str, list[Any]] = {}
    rule.name = (rule.name or "").strip()
    if not rule.name:
        errors["name"] = [_("Name the rule.")]
    if rule.metric not in Metric.values:
        errors["metric"] = [_("Choose a metric.")]
    if rule.kind not in RuleKind.values:
        errors["kind"] = [_("Choose a kind of rule.")]
    if rule.severity not in Severity.values:
        errors["severity"] = [_("Choose a severity.")]
    if rule.channel is not None and rule.channel.plan_id != plan.pk:
        errors["channel"] = [_("Choose a channel of this plan.")]
    if rule.kind == RuleKind.BOUNDS:
        if rule.lower is None and rule.upper is None:
            errors["lower"] = [_("Give a lower bound, an upper bound or both.")]
        elif rule.lower is not None and rule.upper is not None and rule.lower > rule.upper:
            errors["upper"] = [_("The upper bound must not be below the lower bound.")]
    if rule.kind == RuleKind.CHANGE and not (rule.change_pct and rule.change_pct > 0):
        errors["change_pct"] = [_("Give the allowed change in percent, above 0.")]
    if rule.kind in (RuleKind.CHANGE,) and not 7 <= (rule.baseline_days or 0) <= 365:
        errors["baseline_days"] = [_("The baseline covers 7 to 365 days.")]
    if rule.kind == RuleKind.STATISTICAL and not 1 <= (rule.threshold or 0) <= 10:
        errors["threshold"] = [_("The threshold is between 1 and 10.")]
    if errors:
        raise InvalidInput(fields=errors)


def rule_create(*, plan: Plan, actor: User, **fields: Any) -> AlertRule:
    reject_unknown(fields, RULE_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        rule = AlertRule(plan=plan, **fields)
        _clean_rule(plan, rule)
        rule._history_user = actor  # type: ignore[attr-defined]
        rule.save()
        request_recompute(plan)
    return rule


def rule_update(
    *, rule: AlertRule, expected_version: int, changes: Mapping[str, Any], actor: User
) -> AlertRule:
    reject_unknown(changes, RULE_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=rule.plan_id, actor=actor)
        candidate = AlertRule.objects.get(pk=rule.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_rule(plan, candidate)
        fields = {name: getattr(candidate, name) for name in changes}
        fresh = update_versioned(
            rule, expected_version=expected_version, changes=fields, actor=actor
        )
        request_recompute(plan)
    return fresh


def rule_delete(*, rule: AlertRule, expected_version: int, actor: User) -> None:
    """Remove a rule; the alerts it raised stay (without their rule)."""
    with transaction.atomic():
        plan_for_execution(plan_id=rule.plan_id, actor=actor)
        delete_versioned(rule, expected_version=expected_version, actor=actor)


# --- the alert lifecycle -------------------------------------------------------------------------


def _step(alert: Alert, expected_version: int, actor: User, target: str, note: str) -> Alert:
    allowed = {
        AlertStatus.ACKNOWLEDGED: {AlertStatus.OPEN},
        AlertStatus.RESOLVED: {AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED},
        AlertStatus.OPEN: {AlertStatus.RESOLVED},
    }[AlertStatus(target)]
    with transaction.atomic():
        plan_for_execution(plan_id=alert.plan_id, actor=actor)
        current = Alert.objects.get(pk=alert.pk)
        if current.status not in allowed:
            refusal = {
                AlertStatus.ACKNOWLEDGED: _(
                    "Only an open alert can be acknowledged; this one is %(status)s."
                ),
                AlertStatus.RESOLVED: _("The alert is already resolved."),
                AlertStatus.OPEN: _(
                    "Only a resolved alert can be reopened; this one is %(status)s."
                ),
            }[AlertStatus(target)]
            # (a mapping fills the placeholders a text has, and ignores the rest)
            raise InvalidTransition(refusal % {"status": AlertStatus(current.status).label.lower()})
        now = timezone.now()
        changes: dict[str, Any] = {"status": target}
        if target == AlertStatus.ACKNOWLEDGED:
            changes.update(acknowledged_at=now, acknowledged_by=actor)
        elif target == AlertStatus.RESOLVED:
            changes.update(resolved_at=now, resolved_by=actor)
        else:  # reopened
            changes.update(resolved_at=None, resolved_by=None)
        if note.strip():
            stamp = f"{timezone.localtime(now):%Y-%m-%d %H:%M} {actor.get_username()}"
            changes["note"] = (current.note + "\n" if current.note else "") + f"{stamp}: {note}"
        return update_versioned(
            alert, expected_version=expected_version, changes=changes, actor=actor
        )


def alert_acknowledge(*, alert: Alert, expected_version: int, actor: User, note: str = "") -> Alert:
    return _step(alert, expected_version, actor, AlertStatus.ACKNOWLEDGED, note)


def alert_resolve(*, alert: Alert, expected_version: int, actor: User, note: str = "") -> Alert:
    return _step(alert, expected_version, actor, AlertStatus.RESOLVED, note)


def alert_reopen(*, alert: Alert, expected_version: int, actor: User, note: str = "") -> Alert:
    return _step(alert, expected_version, actor, AlertStatus.OPEN, note)
