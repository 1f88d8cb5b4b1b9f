"""Writes of the key activities and the rapid-response pools.

Activities are rescheduled while the plan runs, so their writes need
``plan_for_execution`` (any plan not archived), like the risk register. Every write is
validated as a whole: dates, the departments and suppliers of the plan's workspace, the
dependencies on activities of the same plan; a dependency cycle is refused on save (the
other clashes — a department double-booked, a predecessor ending after its successor
starts — are warnings, shown with the schedule).

Activating a pool draws its money from the budget's reserve fund at once through
``budget.approval_services.draw_request`` (a manager's direct draw), so the reserve
never goes below zero; a short reserve refuses the activation and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from core.errors import InvalidInput, NotAllowed
from core.locking import delete_versioned, update_versioned
from planner import timeline
from planner.access import ROLE_RANK, Action, require, role_in
from planner.editing import plan_for_execution, reject_unknown, require_member
from planner.execution.activity_models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AuthoriseRole,
    PoolActivation,
    ResponsePool,
)
from planner.execution.models import Risk
from planner.models import Plan

ACTIVITY_EDITABLE = (
    "title",
    "kind",
    "start",
    "end",
    "campaign",
    "departments",
    "suppliers",
    "depends_on",
    "owner",
    "status",
)
RELATIONS = ("departments", "suppliers", "depends_on")
POOL_EDITABLE = ("level", "amount", "headcount", "people", "authorise_role", "authorisers")


# --- activities ------------------------------------------------------------------------------


def _clean_activity(plan: Plan, values: Mapping[str, Any], pk: int | None) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    cleaned = dict(values)
    cleaned["title"] = str(values.get("title") or "").strip()
    if not cleaned["title"]:
        errors["title"] = [_("Give the activity a title.")]
    elif len(cleaned["title"]) > 160:
        errors["title"] = [_("At most 160 characters.")]
    if values.get("kind") not in ActivityKind.values:
        errors["kind"] = [_("Choose a kind of activity.")]
    if values.get("status", ActivityStatus.PLANNED) not in ActivityStatus.values:
        errors["status"] = [_("Choose one of the activity statuses.")]
    start, end = values.get("start"), values.get("end")
    if not isinstance(start, date):
        errors["start"] = [_("Give a start date.")]
    if not isinstance(end, date):
        errors["end"] = [_("Give an end date.")]
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["end"] = [_("The end cannot be before the start.")]
    campaign = values.get("campaign")
    if campaign is not None and campaign.plan_id != plan.pk:
        errors["campaign"] = [_("Choose a campaign of this plan.")]
    for name in ("departments", "suppliers"):
        if any(item.workspace_id != plan.workspace_id for item in values.get(name) or ()):
            errors[name] = [_("Choose from this workspace only.")]
    depends = list(values.get("depends_on") or ())
    if any(item.plan_id != plan.pk for item in depends):
        errors["depends_on"] = [_("Choose activities of this plan only.")]
    elif pk is not None and any(item.pk == pk for item in depends):
        errors["depends_on"] = [_("An activity cannot depend on itself.")]
    if errors:
        raise InvalidInput(_("Check the activity."), fields=errors)
    require_member(plan, values.get("owner"))
    return cleaned


def _refuse_cycles(plan: Plan) -> None:
    """Run inside the write's transaction, after the dependencies are saved."""
    found = timeline.cycles(schedule(plan))
    if found:
        titles: dict[Any, str] = dict(Activity.objects.filter(plan=plan).values_list("pk", "title"))
        path = " → ".join(str(titles.get(k, k)) for k in (*found[0], found[0][0]))
        message = _("These dependencies make a cycle no schedule can satisfy: %(path)s.") % {
            "path": path
        }
        raise InvalidInput(message, fields={"depends_on": [message]})


def _set_relations(activity: Activity, relations: Mapping[str, Iterable[Any] | None]) -> None:
    for name in RELATIONS:
        items = relations.get(name)
        if items is not None:
            getattr(activity, name).set(list(items))


def activity_create(*, plan: Plan, actor: User, **fields: Any) -> Activity:
    reject_unknown(fields, ACTIVITY_EDITABLE)
    relations = {name: fields.pop(name, None) or [] for name in RELATIONS}
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        cleaned = _clean_activity(plan, {**fields, **relations}, None)
        for name in RELATIONS:
            cleaned.pop(name)
        activity = Activity(plan=plan, **cleaned)
        activity._history_user = actor  # type: ignore[attr-defined]
        activity.save()
        _set_relations(activity, relations)
        _refuse_cycles(plan)
    return activity


def activity_update(
    *, activity: Activity, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Activity:
    reject_unknown(changes, ACTIVITY_EDITABLE)
    changes = dict(changes)
    relations = {name: changes.pop(name, None) for name in RELATIONS}
    with transaction.atomic():
        plan = plan_for_execution(plan_id=activity.plan_id, actor=actor)
        current = Activity.objects.get(pk=activity.pk)
        values = {n: getattr(current, n) for n in ACTIVITY_EDITABLE if n not in RELATIONS}
        values.update(changes)
        for name in RELATIONS:
            chosen = relations[name]
            values[name] = (
                list(chosen) if chosen is not None else list(getattr(current, name).all())
            )
        cleaned = _clean_activity(plan, values, current.pk)
        fresh = update_versioned(
            activity,
            expected_version=expected_version,
            changes={name: cleaned[name] for name in changes},
            actor=actor,
        )
        _set_relations(fresh, relations)
        _refuse_cycles(plan)
        return fresh


def activity_delete(*, activity: Activity, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=activity.plan_id, actor=actor)
        delete_versioned(activity, expected_version=expected_version, actor=actor)


def schedule(plan: Plan, items: Iterable[Activity] | None = None) -> list[timeline.Activity]:
    """The plan's activities (cancelled ones left out) as ``planner.timeline`` takes them."""
    if items is None:
        items = Activity.objects.filter(plan=plan).prefetch_related("departments", "depends_on")
    return [
        timeline.Activity(
            key=a.pk,
            start=a.start,
            end=a.end,
            departments=frozenset(d.pk for d in a.departments.all()),
            depends_on=tuple(d.pk for d in a.depends_on.all()),
        )
        for a in items
        if a.status != ActivityStatus.CANCELLED
    ]


# --- rapid-response pools --------------------------------------------------------------------


def _clean_pool(plan: Plan, values: Mapping[str, Any], pk: int | None) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    cleaned = dict(values)
    if values.get("level") not in (1, 2, 3, 4, 5):
        errors["level"] = [_("Choose a level from 1 to 5.")]
    elif ResponsePool.objects.filter(plan=plan, level=values["level"]).exclude(pk=pk or 0).exists():
        errors["level"] = [_("This plan already has a pool for that level.")]
    try:
        from budget.ledger import money

        cleaned["amount"] = money(values.get("amount"), "amount")
    except InvalidInput as error:
        errors.update(error.fields)
    headcount = values.get("headcount")
    if headcount is None or isinstance(headcount, bool) or not 0 <= int(headcount) <= 999:
        errors["headcount"] = [_("Give a number of people from 0 to 999.")]
    cleaned["people"] = str(values.get("people") or "").strip()
    if values.get("authorise_role", AuthoriseRole.MANAGER) not in AuthoriseRole.values:
        errors["authorise_role"] = [_("Choose managers or admins.")]
    named = list(values.get("authorisers") or ())
    if any(
        ROLE_RANK.get(role_in(user, plan.workspace_id) or "", 0) < ROLE_RANK["manager"]
        for user in named
    ):
        errors["authorisers"] = [_("Name managers or admins of the workspace only.")]
    if errors:
        raise InvalidInput(_("Check the pool."), fields=errors)
    return cleaned


def pool_create(*, plan: Plan, actor: User, **fields: Any) -> ResponsePool:
    reject_unknown(fields, POOL_EDITABLE)
    named = list(fields.pop("authorisers", None) or [])
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        cleaned = _clean_pool(plan, {**fields, "authorisers": named}, None)
        cleaned.pop("authorisers")
        pool = ResponsePool(plan=plan, **cleaned)
        pool._history_user = actor  # type: ignore[attr-defined]
        pool.save()
        pool.authorisers.set(named)
    return pool


def pool_update(
    *, pool: ResponsePool, expected_version: int, changes: Mapping[str, Any], actor: User
) -> ResponsePool:
    reject_unknown(changes, POOL_EDITABLE)
    changes = dict(changes)
    named = changes.pop("authorisers", None)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=pool.plan_id, actor=actor)
        current = ResponsePool.objects.get(pk=pool.pk)
        values = {n: getattr(current, n) for n in POOL_EDITABLE if n != "authorisers"}
        values.update(changes)
        values["authorisers"] = (
            list(named) if named is not None else list(current.authorisers.all())
        )
        cleaned = _clean_pool(plan, values, current.pk)
        fresh = update_versioned(
            pool,
            expected_version=expected_version,
            changes={name: cleaned[name] for name in changes},
            actor=actor,
        )
        if named is not None:
            fresh.authorisers.set(list(named))
        return fresh


def pool_delete(*, pool: ResponsePool, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=pool.plan_id, actor=actor)
        if pool.activations.exists():
            raise InvalidInput(
                _("This pool has been used; its activation log keeps it."),
                fields={"pool": [_("This pool has been used; its activation log keeps it.")]},
            )
        delete_versioned(pool, expected_version=expected_version, actor=actor)


def may_authorise(pool: ResponsePool, user: Any) -> bool:
    """The named members when any are named, else everyone of the pool's role or above."""
    role = role_in(user, pool.plan.workspace_id)
    if role is None or ROLE_RANK.get(role, 0) < ROLE_RANK["manager"]:
        return False
    named = {u.pk for u in pool.authorisers.all()}
    if named:
        return bool(user.pk in named)
    return ROLE_RANK.get(role, 0) >= ROLE_RANK[pool.authorise_role]


def used(pool: ResponsePool) -> tuple[Decimal, int]:
    """Money and people of the pool already used by its activations."""
    totals = pool.activations.aggregate(amount=Sum("amount"), people=Sum("people_used"))
    return totals["amount"] or Decimal("0.00"), totals["people"] or 0


def activate(
    *,
    pool: ResponsePool,
    risk: Risk | None,
    line: Any,
    amount: Any,
    people_used: int,
    reason: str,
    actor: User,
) -> PoolActivation:
    """Use a pool for a risk: log who authorised what and draw the money from the reserve
    fund into ``line`` in the same transaction (no money: no draw)."""
    from budget import approval_services, ledger

    with transaction.atomic():
        plan = plan_for_execution(plan_id=pool.plan_id, actor=actor)
        require(actor, plan.workspace_id, Action.APPROVE)
        pool = ResponsePool.objects.select_for_update().select_related("plan").get(pk=pool.pk)
        if not may_authorise(pool, actor):
            raise NotAllowed(_("You are not among those who may authorise this pool."))
        errors: dict[str, list[Any]] = {}
        reason = (reason or "").strip()
        if not reason:
            errors["reason"] = [_("Say why the pool is used.")]
        if risk is None or risk.plan_id != plan.pk:
            errors["risk"] = [_("Choose a risk of this plan.")]
        elif risk.impact != pool.level:
            errors["risk"] = [
                _("This pool is for risks of impact %(level)s.") % {"level": pool.level}
            ]
        spent, people = used(pool)
        value = Decimal("0.00")
        try:
            value = ledger.money(amount, "amount")
        except InvalidInput as error:
            errors.update(error.fields)
        else:
            if value > pool.amount - spent:
                errors["amount"] = [
                    _("Only %(amount)s is left in this pool.")
                    % {"amount": f"{pool.amount - spent:,.2f}"}
                ]
        if (
            people_used is None
            or isinstance(people_used, bool)
            or not 0 <= int(people_used) <= pool.headcount - people
        ):
            errors["people_used"] = [
                _("Give a number of people from 0 to %(n)s.") % {"n": pool.headcount - people}
            ]
        elif value == 0 and int(people_used) == 0:
            errors["amount"] = [_("Use some money or some people of the pool.")]
        if line is not None and line.plan_id != plan.pk:
            errors["line"] = [_("Choose a budget line of this plan.")]
        elif line is None and value > 0:
            errors["line"] = [_("Choose the budget line the money goes to.")]
        if errors:
            raise InvalidInput(_("Check the activation."), fields=errors)
        assert risk is not None
        draw = None
        if value > 0:
            draw = approval_services.draw_request(
                plan=plan,
                actor=actor,
                line=line,
                amount=value,
                reason=_("Rapid response to “%(risk)s”: %(reason)s")
                % {"risk": risk.title, "reason": reason},
                approve=True,
            )
        return PoolActivation.objects.create(
            pool=pool,
            risk=risk,
            amount=value,
            people_used=int(people_used),
            reason=reason,
            authorised_by=actor,
            draw=draw,
        )
