"""Attribution: the journeys import, the plan's attribution settings, and the
recompute step that runs every model and stores its credits.

Data path: a journeys file → ``monitoring.journeys.load_journeys`` (checked as a whole,
reduced to distinct paths) → :func:`import_journeys` stores the paths (``JourneyPath``)
and asks for a recompute → the recompute calls :func:`recompute_attribution`, which
reads the paths, runs ``monitoring.analytics.attribution.run_all`` and replaces the
plan's ``AttributionResult`` rows and its ``AttributionRun``.

An import **replaces** the plan's journeys by default (``mode=replace``: the file is
the dataset); ``mode=append`` adds its paths to those stored (e.g. one file a month).
Imports run in the request (no background job): the reduction is vectorised and a
1M-row file takes seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

import numpy as np
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, Locked
from core.locking import update_versioned
from monitoring.analytics import attribution as models_math
from monitoring.models import (
    AttributionModel,
    AttributionResult,
    AttributionRun,
    AttributionSettings,
    ImportStatus,
    JourneyImport,
    JourneyImportMode,
    JourneyPath,
)
from monitoring.services import request_recompute
from planner.editing import plan_for_execution, reject_unknown
from planner.models import Plan, PlanStatus

logger = logging.getLogger(__name__)

SETTINGS_EDITABLE = ("half_life_days", "first_share", "last_share")
_CENT = Decimal("0.01")


# --- settings ------------------------------------------------------------------------------------


def settings_for(plan: Plan) -> AttributionSettings:
    """The plan's attribution settings (created with the defaults on first use)."""
    found, _created = AttributionSettings.objects.get_or_create(plan=plan)
    return found


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def settings_update(
    *, plan: Plan, expected_version: int, changes: Mapping[str, Any], actor: User
) -> AttributionSettings:
    """Change the half-life or the position shares; the models are recomputed.

    They are analysis parameters, not planned figures: editable until the plan is
    archived (like alert rules), not only in a draft.
    """
    reject_unknown(changes, SETTINGS_EDITABLE)
    current = settings_for(plan)
    data: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    if "half_life_days" in changes:
        half_life = _decimal(changes["half_life_days"])
        if half_life is None or not Decimal("0.1") <= half_life <= Decimal("365"):
            errors["half_life_days"] = [_("The half-life is 0.1 to 365 days.")]
        else:
            data["half_life_days"] = half_life.quantize(_CENT)
    for name in ("first_share", "last_share"):
        if name in changes:
            share = _decimal(changes[name])
            if share is None or not 0 <= share <= 1:
                errors[name] = [_("A share is a fraction from 0 to 1.")]
            else:
                data[name] = share.quantize(Decimal("0.0001"))
    if not errors:
        first = data.get("first_share", current.first_share)
        last = data.get("last_share", current.last_share)
        if first + last > 1:
            errors["last_share"] = [_("The first and last touch shares add up to more than 100 %.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        fresh = update_versioned(
            settings_for(plan), expected_version=expected_version, changes=data, actor=actor
        )
        request_recompute(plan)
    return fresh


# --- import --------------------------------------------------------------------------------------


def import_journeys(
    *,
    plan: Plan,
    actor: User | None,
    source: BinaryIO | Sequence[Mapping[str, Any]],
    filename: str,
    size: int,
    dry_run: bool = False,
    mode: str = JourneyImportMode.REPLACE,
) -> JourneyImport:
    """Import journeys (touchpoint or path rows): all of them or nothing.

    Returns the import record: ``succeeded``, ``checked`` (dry run) or ``failed``
    with its problems. ``actor`` None is the operator's ``manage.py import_journeys``.
    After a successful import the plan's recompute is requested.
    """
    from monitoring import journeys  # the heavy module, only when importing

    if mode not in JourneyImportMode.values:
        raise InvalidInput(fields={"mode": [_("Choose replace or append.")]})
    with transaction.atomic():
        if actor is None:
            plan = Plan.objects.select_for_update().get(pk=plan.pk)
            if plan.status == PlanStatus.ARCHIVED:
                raise Locked(_("The plan is archived; nothing in it can change."))
        else:
            plan = plan_for_execution(plan_id=plan.pk, actor=actor)
    record = JourneyImport.objects.create(
        plan=plan,
        created_by=actor,
        filename=filename[:255],
        size_bytes=size,
        dry_run=dry_run,
        mode=mode,
    )
    try:
        outcome = journeys.load_journeys(plan=plan, source=source, filename=record.filename)
        if outcome.ok and outcome.paths is not None and not dry_run:
            with transaction.atomic():
                Plan.objects.select_for_update().get(pk=plan.pk)  # one import at a time
                _store_paths(plan, record, outcome, mode)
                request_recompute(plan)
    except Exception:
        logger.exception("journeys import %s failed", record.pk)
        JourneyImport.objects.filter(pk=record.pk).update(
            status=ImportStatus.FAILED,
            error_count=1,
            errors=[{"row": None, "column": None, "message": _("The import failed.")}],
            finished_at=timezone.now(),
        )
        raise
    record.format = outcome.format
    record.rows_total = outcome.rows_total
    record.error_count = outcome.error_count
    record.errors = [error.as_dict() for error in outcome.errors]
    if outcome.ok and outcome.paths is not None:
        record.status = ImportStatus.CHECKED if dry_run else ImportStatus.SUCCEEDED
        record.journeys = outcome.journeys
        record.conversions = outcome.conversions
        record.value = Decimal(outcome.value_cents) / 100
        record.paths = len(models_math.collapse(outcome.paths))
        record.touches_cut = outcome.touches_cut
        record.first_date, record.last_date = outcome.first_date, outcome.last_date
    else:
        record.status = ImportStatus.FAILED
    record.finished_at = timezone.now()
    record.save()
    return record


def _store_paths(plan: Plan, record: JourneyImport, outcome: Any, mode: str) -> None:
    paths: models_math.Paths = outcome.paths
    ids = outcome.channel_ids
    if mode == JourneyImportMode.REPLACE:
        JourneyPath.objects.filter(plan=plan).delete()
    channel_lists = [ids[np.asarray(p, dtype=np.int64)].tolist() for p in paths.lists()]
    rows = [
        JourneyPath(
            plan=plan,
            source_import=record,
            channels=channels,
            ages=ages,
            conversions=round(conversions),
            value=Decimal(round(value)) / 100,
            nulls=round(nulls),
        )
        for channels, ages, conversions, value, nulls in zip(
            channel_lists,
            paths.age_lists(),
            paths.conversions.tolist(),
            paths.value.tolist(),
            paths.nulls.tolist(),
            strict=True,
        )
    ]
    JourneyPath.objects.bulk_create(rows, batch_size=2000)


# --- the recompute step -------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPaths:
    """A plan's stored paths as arrays: channel index ``i`` is ``channel_ids[i]``."""

    paths: models_math.Paths
    channel_ids: list[int]


def stored_paths(plan: Plan) -> StoredPaths:
    """The plan's journeys as ``Paths`` (values in the plan currency).

    Paths naming a channel that no longer belongs to the plan are left out. Time
    decay is available only when every converting path has its ages.
    """
    from channels.models import Channel

    known = set(Channel.objects.filter(plan=plan).values_list("pk", flat=True))
    rows = list(
        JourneyPath.objects.filter(plan=plan)
        .order_by("pk")
        .values_list("channels", "ages", "conversions", "value", "nulls")
    )
    rows = [r for r in rows if r[0] and all(c in known for c in r[0])]
    channel_ids = sorted({c for r in rows for c in r[0]})
    index = {pk: i for i, pk in enumerate(channel_ids)}
    timed = all(r[1] is not None for r in rows if r[2] > 0)
    paths = models_math.Paths.from_lists(
        [[index[c] for c in r[0]] for r in rows],
        [r[2] for r in rows],
        [float(r[3]) for r in rows],
        [r[4] for r in rows],
        ages=[(r[1] if r[1] is not None else [0] * len(r[0])) for r in rows] if timed else None,
    )
    return StoredPaths(paths, channel_ids)


def recompute_attribution(plan: Plan) -> int:
    """Run every model on the plan's journeys and replace the stored credits.

    Called inside the recompute's transaction; returns the number of result rows.
    Credits are stored per (plan, model, channel); values are rounded to cents so
    that each model's values add up exactly to the total value.
    """
    data = stored_paths(plan)
    setting = settings_for(plan)
    parameters = models_math.Parameters(
        half_life_days=float(setting.half_life_days),
        first_share=float(setting.first_share),
        last_share=float(setting.last_share),
    )
    paths = data.paths
    n = len(data.channel_ids)
    total_value_cents = round(float(paths.value.sum()) * 100)
    results = models_math.run_all(paths, n, parameters) if len(paths) else {}
    probability = (
        models_math.markov(models_math.collapse(paths), n).conversion_probability
        if len(paths)
        else 0.0
    )
    rows: list[AttributionResult] = []
    for model in AttributionModel.values:
        credits = results.get(model)
        if credits is None:
            continue
        cents = models_math.round_to_total(credits.value, total_value_cents)
        for i, channel_id in enumerate(data.channel_ids):
            rows.append(
                AttributionResult(
                    plan=plan,
                    model=model,
                    channel_id=channel_id,
                    conversions=float(credits.conversions[i]),
                    value=Decimal(int(cents[i])) / 100,
                )
            )
    AttributionResult.objects.filter(plan=plan).delete()
    AttributionResult.objects.bulk_create(rows)
    plain = models_math.collapse(paths) if len(paths) else paths
    AttributionRun.objects.update_or_create(
        plan=plan,
        defaults={
            "computed_at": timezone.now(),
            "journeys": round(float(paths.conversions.sum() + paths.nulls.sum())),
            "paths": len(plain),
            "conversions": round(float(paths.conversions.sum())),
            "value": Decimal(total_value_cents) / 100,
            "has_timestamps": bool(len(paths)) and paths.ages is not None,
            "half_life_days": setting.half_life_days,
            "first_share": setting.first_share,
            "last_share": setting.last_share,
            "conversion_probability": probability,
        },
    )
    return len(rows)
