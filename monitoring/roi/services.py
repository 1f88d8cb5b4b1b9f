"""Writes of the ROI model: the definition, the departments' sign-offs and the cohorts.

* The definition is part of the plan: it changes only while the plan is a draft, by an
  editor, with the version read (optimistic locking). A real change clears the standing
  sign-offs (they stay as history, marked cleared).
* A sign-off is a manager's (or admin's) agreement on behalf of finance or operations to
  the version they read; the two departments must be signed by two different people.
* Cohorts are data, like the metrics: entered until the plan is archived.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import Channel
from core.errors import InvalidInput, InvalidTransition, Locked, StaleVersion
from core.locking import delete_versioned, update_versioned
from monitoring.roi.models import (
    Department,
    RoiAttribution,
    RoiBasis,
    RoiCohort,
    RoiDefinition,
    RoiSignoff,
)
from monitoring.services import request_recompute
from planner.access import Action, require
from planner.editing import plan_for_edit, plan_for_execution, reject_unknown
from planner.models import Plan, PlanStatus

DEFINITION_EDITABLE = (
    "basis",
    "gross_margin",
    "include_production",
    "include_kol_fees",
    "attribution_model",
    "roi_floor",
    "ltv_horizon_months",
    "discount_rate",
)
COHORT_EDITABLE = ("month", "channel", "users", "retention", "arpu")
MAX_RETENTION_MONTHS = 60


# --- the definition ---------------------------------------------------------------------------


def definition_for(plan: Plan) -> RoiDefinition:
    """The plan's ROI definition (created with the defaults on first use)."""
    found, _created = RoiDefinition.objects.get_or_create(plan=plan)
    return found


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _clean_definition(data: dict[str, Any], current: RoiDefinition) -> None:
    errors: dict[str, list[Any]] = {}
    if "basis" in data and data["basis"] not in RoiBasis.values:
        errors["basis"] = [_("Choose revenue or gross margin.")]
    if "attribution_model" in data and data["attribution_model"] not in RoiAttribution.values:
        errors["attribution_model"] = [_("Choose an attribution model.")]
    for name, low, high, message in (
        ("gross_margin", 0, 1, _("The gross margin is a share from 0 to 1.")),
        ("discount_rate", 0, 1, _("The discount rate is a share from 0 to 1.")),
        ("roi_floor", -1, 100, _("The ROI floor is a fraction from −1 (−100 %) up.")),
    ):
        if name in data:
            number = _decimal(data[name])
            if number is None or not low <= number <= high:
                errors[name] = [message]
            else:
                data[name] = number.quantize(Decimal("0.0001"))
    if "ltv_horizon_months" in data:
        months = data["ltv_horizon_months"]
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 120:
            errors["ltv_horizon_months"] = [_("The LTV horizon is 1 to 120 months.")]
    for name in ("include_production", "include_kol_fees"):
        if name in data and not isinstance(data[name], bool):
            errors[name] = [_("Yes or no.")]
    basis = data.get("basis", current.basis)
    margin = data.get("gross_margin", current.gross_margin)
    if basis == RoiBasis.MARGIN and "gross_margin" not in errors and not margin:
        errors["gross_margin"] = [_("A margin-based ROI needs the gross margin.")]
    if errors:
        raise InvalidInput(fields=errors)


def definition_update(
    *, plan: Plan, expected_version: int, changes: Mapping[str, Any], actor: User
) -> RoiDefinition:
    """Change the definition; a real change clears the standing sign-offs."""
    reject_unknown(changes, DEFINITION_EDITABLE)
    data = dict(changes)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        current = definition_for(plan)
        _clean_definition(data, current)
        changed = {k: v for k, v in data.items() if getattr(current, k) != v}
        if not changed:
            if current.version != expected_version:
                raise StaleVersion(current=current)
            return current
        fresh = update_versioned(
            current, expected_version=expected_version, changes=changed, actor=actor
        )
        RoiSignoff.objects.filter(definition=fresh, cleared_at__isnull=True).update(
            cleared_at=timezone.now()
        )
        request_recompute(plan)
    return fresh


def standing_signoffs(definition: RoiDefinition) -> dict[str, RoiSignoff]:
    """The sign-offs that stand on the current version, by department."""
    rows = RoiSignoff.objects.filter(definition=definition, cleared_at__isnull=True)
    return {s.department: s for s in rows.select_related("signed_by")}


def is_agreed(definition: RoiDefinition) -> bool:
    return set(standing_signoffs(definition)) == set(Department.values)


def sign_off(*, plan: Plan, department: str, expected_version: int, actor: User) -> RoiDefinition:
    """Record ``actor``'s agreement, on behalf of ``department``, to the version read."""
    if department not in Department.values:
        raise InvalidInput(fields={"department": [_("Choose finance or operations.")]})
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        require(actor, plan.workspace_id, Action.APPROVE)
        if plan.status == PlanStatus.ARCHIVED:
            raise Locked(_("The plan is archived; nothing in it can change."))
        definition_for(plan)
        current = RoiDefinition.objects.select_for_update().get(plan=plan)
        if current.version != expected_version:
            raise StaleVersion(current=current)
        standing = standing_signoffs(current)
        label = Department(department).label
        if department in standing:
            raise InvalidTransition(
                _("%(department)s has already signed this version.") % {"department": label}
            )
        if any(s.signed_by_id == actor.pk for s in standing.values()):
            raise InvalidTransition(
                _(
                    "You signed for the other department; the second sign-off must come "
                    "from someone else."
                )
            )
        try:
            with transaction.atomic():
                RoiSignoff.objects.create(
                    definition=current,
                    department=department,
                    definition_version=current.version,
                    signed_by=actor,
                    signed_at=timezone.now(),
                )
        except IntegrityError as error:  # signed at the same moment by someone else
            raise InvalidTransition(
                _("%(department)s has already signed this version.") % {"department": label}
            ) from error
    return current


# --- cohorts ----------------------------------------------------------------------------------


def _clean_cohort(plan: Plan, cohort: RoiCohort) -> None:
    errors: dict[str, list[Any]] = {}
    if not isinstance(cohort.month, date):
        errors["month"] = [_("Enter the cohort month.")]
    else:
        cohort.month = cohort.month.replace(day=1)
        if not plan.year - 1 <= cohort.month.year <= plan.year:
            errors["month"] = [
                _("Cohorts are months of %(year)s or the year before.") % {"year": plan.year}
            ]
    if cohort.channel_id is not None:
        channel = Channel.objects.filter(pk=cohort.channel_id).first()
        if channel is None or channel.plan_id != plan.pk:
            errors["channel"] = [_("Choose a channel of this plan.")]
    users = cohort.users
    if not isinstance(users, int) or isinstance(users, bool) or users < 1:
        errors["users"] = [_("At least one user.")]
    arpu = _decimal(cohort.arpu)
    if arpu is None or arpu < 0:
        errors["arpu"] = [_("The revenue per user is an amount of 0 or more.")]
    else:
        cohort.arpu = arpu.quantize(Decimal("0.01"))
    retention = cohort.retention
    if not isinstance(retention, list | tuple):
        errors["retention"] = [_("Give the retention month by month, as a list.")]
    elif len(retention) > MAX_RETENTION_MONTHS:
        errors["retention"] = [
            _("At most %(n)s months of retention.") % {"n": MAX_RETENTION_MONTHS}
        ]
    else:
        problems = []
        values = []
        for k, raw in enumerate(retention, start=1):
            share = _decimal(raw)
            if share is None or not 0 <= share <= 1 or isinstance(raw, bool):
                problems.append(_("Month %(k)s: a share from 0 to 1.") % {"k": k})
            else:
                values.append(float(share))
        if problems:
            errors["retention"] = problems
        else:
            cohort.retention = values
    if "month" not in errors and "channel" not in errors:
        clash = RoiCohort.objects.filter(plan=plan, month=cohort.month)
        if cohort.channel_id is None:
            clash = clash.filter(channel__isnull=True)
        else:
            clash = clash.filter(channel_id=cohort.channel_id)
        clash = clash.exclude(pk=cohort.pk)
        if clash.exists():
            errors["month"] = [_("This month already has a cohort for this channel.")]
    if errors:
        raise InvalidInput(fields=errors)


def cohort_create(*, plan: Plan, actor: User, **fields: Any) -> RoiCohort:
    reject_unknown(fields, COHORT_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        cohort = RoiCohort(plan=plan, **fields)
        _clean_cohort(plan, cohort)
        cohort._history_user = actor  # type: ignore[attr-defined]
        cohort.save()
    return cohort


def cohort_update(
    *, cohort: RoiCohort, expected_version: int, changes: Mapping[str, Any], actor: User
) -> RoiCohort:
    reject_unknown(changes, COHORT_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=cohort.plan_id, actor=actor)
        candidate = RoiCohort.objects.get(pk=cohort.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_cohort(plan, candidate)
        fields = {name: getattr(candidate, name) for name in changes}
        return update_versioned(
            cohort, expected_version=expected_version, changes=fields, actor=actor
        )


def cohort_delete(*, cohort: RoiCohort, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=cohort.plan_id, actor=actor)
        delete_versioned(cohort, expected_version=expected_version, actor=actor)
