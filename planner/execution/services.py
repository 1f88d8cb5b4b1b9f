"""Every write of the execution section: milestones, risks, playbooks (with their
escalation path and drill log) and the acknowledgement of a playbook's steps on an alert.

Planning a milestone (what, when, which KPIs) is plan data: draft only
(``plan_for_edit``). Recording how the plan runs — a milestone's entered progress and
a status override, the risk register, the playbooks and their drills, acknowledging
escalation steps — goes on after approval until the plan is archived
(``plan_for_execution``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.locking import delete_versioned, update_versioned
from monitoring.models import AlertRule
from planner.editing import plan_for_edit, plan_for_execution, reject_unknown, require_member
from planner.execution.models import (
    Drill,
    EscalationStep,
    Milestone,
    MilestoneStatus,
    Playbook,
    Risk,
    RiskCategory,
    RiskStatus,
    StepAcknowledgement,
)
from planner.models import Plan

MILESTONE_EDITABLE = (
    "quarter",
    "title",
    "description",
    "kpis",
    "owner",
    "start",
    "due",
    "sort_order",
)
RISK_EDITABLE = (
    "title",
    "category",
    "impact",
    "likelihood",
    "owner",
    "response",
    "triggers",
    "trigger_metrics",
    "status",
    "playbook",
)
PLAYBOOK_EDITABLE = (
    "title",
    "scenario",
    "statement_zh",
    "statement_en",
    "legal_contact",
    "pr_contact",
    "steps",
    "alert_rules",
)
MAX_STEPS = 12
MAX_TRIGGER_METRICS = 20


# --- milestones ------------------------------------------------------------------------------


def _clean_milestone(plan: Plan, values: Mapping[str, Any]) -> None:
    errors: dict[str, list[Any]] = {}
    if not str(values.get("title") or "").strip():
        errors["title"] = [_("Give the milestone a title.")]
    quarter = values.get("quarter")
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = [_("Choose a quarter from 1 to 4.")]
    start, due = values.get("start"), values.get("due")
    if not isinstance(start, date):
        errors["start"] = [_("Give a start date.")]
    if not isinstance(due, date):
        errors["due"] = [_("Give a due date.")]
    if isinstance(start, date) and isinstance(due, date):
        if due < start:
            errors["due"] = [_("The due date cannot be before the start.")]
        elif due.year != plan.year:
            errors["due"] = [
                _("The due date must fall in the plan's year (%(year)s).") % {"year": plan.year}
            ]
    foreign = [kpi for kpi in values.get("kpis") or () if kpi.plan_id != plan.pk]
    if foreign:
        errors["kpis"] = [_("Choose KPIs of this plan only.")]
    if errors:
        raise InvalidInput(fields=errors)
    require_member(plan, values.get("owner"))


def milestone_create(*, plan: Plan, actor: User, **fields: Any) -> Milestone:
    reject_unknown(fields, MILESTONE_EDITABLE)
    kpis = list(fields.pop("kpis", None) or [])
    if fields.get("sort_order") is None:
        fields["sort_order"] = 0
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        _clean_milestone(plan, {**fields, "kpis": kpis})
        milestone = Milestone(plan=plan, **fields)
        milestone.title = milestone.title.strip()
        milestone._history_user = actor  # type: ignore[attr-defined]
        milestone.save()
        milestone.kpis.set(kpis)
    return milestone


def milestone_update(
    *, milestone: Milestone, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Milestone:
    reject_unknown(changes, MILESTONE_EDITABLE)
    changes = dict(changes)
    kpis = changes.pop("kpis", None)
    if "sort_order" in changes and changes["sort_order"] is None:
        changes["sort_order"] = 0
    with transaction.atomic():
        plan = plan_for_edit(plan_id=milestone.plan_id, actor=actor)
        current = Milestone.objects.get(pk=milestone.pk)
        values = {name: getattr(current, name) for name in MILESTONE_EDITABLE if name != "kpis"}
        values.update(changes)
        values["kpis"] = list(kpis) if kpis is not None else list(current.kpis.all())
        _clean_milestone(plan, values)
        if "title" in changes:
            changes["title"] = str(changes["title"]).strip()
        fresh = update_versioned(
            milestone, expected_version=expected_version, changes=changes, actor=actor
        )
        if kpis is not None:
            fresh.kpis.set(list(kpis))
        return fresh


def milestone_delete(*, milestone: Milestone, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_edit(plan_id=milestone.plan_id, actor=actor)
        delete_versioned(milestone, expected_version=expected_version, actor=actor)


def milestone_set_progress(
    *,
    milestone: Milestone,
    expected_version: int,
    entered_progress: Decimal | None,
    actor: User,
) -> Milestone:
    """Record progress by hand (0–1); the status uses it only while no linked KPI has data."""
    if entered_progress is not None and not Decimal(0) <= entered_progress <= Decimal(1):
        raise InvalidInput(fields={"entered_progress": [_("Give progress between 0 and 100 %.")]})
    with transaction.atomic():
        plan_for_execution(plan_id=milestone.plan_id, actor=actor)
        return update_versioned(
            milestone,
            expected_version=expected_version,
            changes={"entered_progress": entered_progress},
            actor=actor,
        )


def milestone_override(
    *, milestone: Milestone, expected_version: int, status: str, reason: str, actor: User
) -> Milestone:
    """Override the derived status with a reason; an empty ``status`` goes back to the
    derived one. Who and when are kept on the row, every change in its history."""
    reason = (reason or "").strip()
    errors: dict[str, list[Any]] = {}
    if status and status not in MilestoneStatus.values:
        errors["status"] = [_("Choose one of the milestone statuses.")]
    if status and not reason:
        errors["reason"] = [_("Say why the status is overridden.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        plan_for_execution(plan_id=milestone.plan_id, actor=actor)
        changes: dict[str, Any] = {
            "override_status": status or "",
            "override_reason": reason if status else "",
            "override_by": actor if status else None,
            "override_at": timezone.now() if status else None,
        }
        return update_versioned(
            milestone,
            expected_version=expected_version,
            changes=changes,
            actor=actor,
            reason=reason or _("Back to the derived status."),
        )


# --- risks -----------------------------------------------------------------------------------


def _clean_risk(plan: Plan, values: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    cleaned = dict(values)
    cleaned["title"] = str(values.get("title") or "").strip()
    if not cleaned["title"]:
        errors["title"] = [_("Give the risk a title.")]
    if values.get("category") not in RiskCategory.values:
        errors["category"] = [_("Choose a category.")]
    for name in ("impact", "likelihood"):
        if values.get(name) not in (1, 2, 3, 4, 5):
            errors[name] = [_("Choose a level from 1 to 5.")]
    if values.get("status", RiskStatus.OPEN) not in RiskStatus.values:
        errors["status"] = [_("Choose open, mitigated or closed.")]
    metrics = values.get("trigger_metrics") or []
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        errors["trigger_metrics"] = [_("List indicator names as text.")]
    else:
        metrics = [m.strip() for m in metrics if m.strip()]
        if len(metrics) > MAX_TRIGGER_METRICS or any(len(m) > 60 for m in metrics):
            errors["trigger_metrics"] = [
                _("At most %(n)s names of at most 60 characters.") % {"n": MAX_TRIGGER_METRICS}
            ]
        cleaned["trigger_metrics"] = metrics
    playbook = values.get("playbook")
    if playbook is not None and playbook.plan_id != plan.pk:
        errors["playbook"] = [_("Choose a playbook of this plan.")]
    if errors:
        raise InvalidInput(fields=errors)
    require_member(plan, values.get("owner"))
    return cleaned


def risk_create(*, plan: Plan, actor: User, **fields: Any) -> Risk:
    reject_unknown(fields, RISK_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        cleaned = _clean_risk(plan, fields)
        risk = Risk(plan=plan, **cleaned)
        risk._history_user = actor  # type: ignore[attr-defined]
        risk.save()
    return risk


def risk_update(
    *, risk: Risk, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Risk:
    reject_unknown(changes, RISK_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=risk.plan_id, actor=actor)
        current = Risk.objects.get(pk=risk.pk)
        values = {name: getattr(current, name) for name in RISK_EDITABLE}
        values.update(changes)
        cleaned = _clean_risk(plan, values)
        return update_versioned(
            risk,
            expected_version=expected_version,
            changes={name: cleaned[name] for name in changes},
            actor=actor,
        )


def risk_delete(*, risk: Risk, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=risk.plan_id, actor=actor)
        delete_versioned(risk, expected_version=expected_version, actor=actor)


# --- playbooks -------------------------------------------------------------------------------


def _clean_steps(raw: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    problems: list[Any] = []
    for number, item in enumerate(raw, start=1):
        role = str(item.get("role") or "").strip()
        person = str(item.get("person") or "").strip()
        minutes = item.get("response_minutes")
        if not role:
            problems.append(_("Step %(n)s: name the role.") % {"n": number})
        if len(role) > 120 or len(person) > 120:
            problems.append(_("Step %(n)s: at most 120 characters a name.") % {"n": number})
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
            problems.append(
                _("Step %(n)s: give the response-time target in whole minutes (≥ 1).")
                % {"n": number}
            )
        steps.append({"role": role, "person": person, "response_minutes": minutes})
    if len(steps) > MAX_STEPS:
        problems.append(_("At most %(n)s escalation steps.") % {"n": MAX_STEPS})
    if problems:
        raise InvalidInput(fields={"steps": problems})
    return steps


def _clean_playbook(values: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    cleaned: dict[str, Any] = {
        k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()
    }
    if not cleaned.get("title"):
        errors["title"] = [_("Give the playbook a title.")]
    if not cleaned.get("scenario"):
        errors["scenario"] = [_("Describe the scenario the playbook is for.")]
    try:
        if "steps" in cleaned:
            cleaned["steps"] = _clean_steps(cleaned["steps"] or [])
    except InvalidInput as problem:
        errors.update(problem.fields)
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


def _write_steps(playbook: Playbook, steps: Sequence[Mapping[str, Any]]) -> None:
    """Steps are kept by their position, so acknowledgements of a step stay with it."""
    for order, step in enumerate(steps, start=1):
        EscalationStep.objects.update_or_create(playbook=playbook, order=order, defaults=step)
    EscalationStep.objects.filter(playbook=playbook, order__gt=len(steps)).delete()


def _check_rules(plan: Plan, rules: Iterable[AlertRule] | None) -> None:
    if rules is not None and any(rule.plan_id != plan.pk for rule in rules):
        raise InvalidInput(fields={"alert_rules": [_("Choose alert rules of this plan.")]})


def _link_rules(playbook: Playbook, rules: Iterable[AlertRule], actor: User) -> None:
    """The chosen alert rules trigger the playbook; rules no longer chosen trigger none."""
    chosen = {rule.pk for rule in rules}
    linked = AlertRule.objects.filter(plan_id=playbook.plan_id).filter(
        Q(playbook=playbook) | Q(pk__in=chosen)
    )
    for rule in linked:
        target = playbook if rule.pk in chosen else None
        if rule.playbook_id != (target.pk if target else None):
            update_versioned(
                rule, expected_version=rule.version, changes={"playbook": target}, actor=actor
            )


def playbook_create(*, plan: Plan, actor: User, **fields: Any) -> Playbook:
    reject_unknown(fields, PLAYBOOK_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        rules = fields.pop("alert_rules", None)
        cleaned = _clean_playbook(fields)
        _check_rules(plan, rules)
        steps = cleaned.pop("steps", [])
        playbook = Playbook(plan=plan, **cleaned)
        playbook._history_user = actor  # type: ignore[attr-defined]
        playbook.save()
        _write_steps(playbook, steps)
        if rules:
            _link_rules(playbook, rules, actor)
    return playbook


def playbook_update(
    *, playbook: Playbook, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Playbook:
    reject_unknown(changes, PLAYBOOK_EDITABLE)
    changes = dict(changes)
    rules = changes.pop("alert_rules", None)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=playbook.plan_id, actor=actor)
        current = Playbook.objects.get(pk=playbook.pk)
        kept = [name for name in PLAYBOOK_EDITABLE if name not in ("steps", "alert_rules")]
        values = {name: getattr(current, name) for name in kept}
        values.update(changes)
        cleaned = _clean_playbook(values)
        _check_rules(plan, rules)
        steps = cleaned.pop("steps", None)
        fresh = update_versioned(
            playbook,
            expected_version=expected_version,
            changes={name: cleaned[name] for name in changes if name != "steps"},
            actor=actor,
        )
        if steps is not None:
            _write_steps(fresh, steps)
        if rules is not None:
            _link_rules(fresh, rules, actor)
        return fresh


def playbook_delete(*, playbook: Playbook, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=playbook.plan_id, actor=actor)
        delete_versioned(playbook, expected_version=expected_version, actor=actor)


def drill_add(
    *, playbook: Playbook, held_on: date, participants: str, findings: str = "", actor: User
) -> Drill:
    errors: dict[str, list[Any]] = {}
    participants = (participants or "").strip()
    if not participants:
        errors["participants"] = [_("Name who took part.")]
    if not isinstance(held_on, date):
        errors["held_on"] = [_("Give the date of the drill.")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("A drill is logged after it was held; the date is in the future.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        plan_for_execution(plan_id=playbook.plan_id, actor=actor)
        return Drill.objects.create(
            playbook=playbook,
            held_on=held_on,
            participants=participants,
            findings=(findings or "").strip(),
            recorded_by=actor,
        )


# --- alerts ----------------------------------------------------------------------------------


def step_acknowledge(*, alert: Any, step: EscalationStep, actor: User) -> StepAcknowledgement:
    """Acknowledge one escalation step of the playbook the alert's rule triggers (once:
    acknowledging again keeps the first who and when)."""
    rule = alert.rule
    if rule is None or rule.playbook_id is None or step.playbook_id != rule.playbook_id:
        raise InvalidInput(fields={"step": [_("This step is not in the alert's playbook.")]})
    with transaction.atomic():
        plan_for_execution(plan_id=alert.plan_id, actor=actor)
        ack, _created = StepAcknowledgement.objects.get_or_create(
            alert=alert, step=step, defaults={"acknowledged_by": actor}
        )
    return ack
