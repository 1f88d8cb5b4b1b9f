"""Writes of cross-department collaboration: departments, workstreams with their RACI
cells, communication rules, the coordinator group, arbitration steps, conflicts and
collaboration scores.

Departments belong to the workspace: editors change them. Everything else belongs to a
plan and governs how the plan runs, so it changes while the plan runs (after approval,
until it is archived: ``plan_for_execution``). Collaboration scores feed each
department's performance review: only managers give them (``Action.APPROVE``).

Every write validates its input as a whole and raises ``InvalidInput`` naming each
field and reason before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from budget.collaboration import CRITERIA, bad_ratings, check_raci, collaboration_score
from budget.models.teams import (
    ArbitrationStep,
    CollaborationScore,
    CommunicationRule,
    Conflict,
    ConflictStatus,
    CoordinatorGroup,
    Department,
    RaciAssignment,
    RaciRole,
    RuleKind,
    Workstream,
    WorkstreamKind,
)
from core.errors import InvalidInput, InvalidTransition, StaleVersion
from core.locking import delete_versioned, update_versioned
from planner.access import Action, require
from planner.editing import plan_for_execution, reject_unknown, require_member
from planner.models import Plan, Workspace

DEPARTMENT_EDITABLE = ("name", "code", "lead", "description", "sort_order")
WORKSTREAM_EDITABLE = (
    "kind",
    "name",
    "campaign",
    "channel",
    "decides_alone",
    "spend_limit",
    "escalation",
    "sort_order",
    "cells",
)
RULE_EDITABLE = (
    "kind",
    "name",
    "cadence",
    "link",
    "tool",
    "group",
    "owner",
    "participants",
    "notes",
)
GROUP_EDITABLE = ("name", "chair", "departments", "mandate")
STEP_EDITABLE = ("level", "name", "decider", "sla_hours")
CONFLICT_EDITABLE = ("title", "description", "departments")
SCORE_RATINGS = tuple(name for name, _weight in CRITERIA)
SCORE_EDITABLE = (*SCORE_RATINGS, "comment")

CLOCK_SKEW = timedelta(minutes=5)
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,11}$")
_web_url = URLValidator(schemes=["http", "https"])

#: Cells of a workstream as the services take them: department → R / A / C / I.
Cells = Mapping[Department, str]


def _raise(errors: dict[str, list[Any]]) -> None:
    if errors:
        raise InvalidInput(fields=errors)


def _split_m2m(changes: Mapping[str, Any], names: Iterable[str]) -> tuple[dict, dict]:
    plain = {k: v for k, v in changes.items() if k not in names}
    many = {k: list(v) for k, v in changes.items() if k in names}
    return plain, many


def _same_workspace(
    departments: Iterable[Department], workspace_id: int, field: str, errors: dict
) -> None:
    if any(d.workspace_id != workspace_id for d in departments):
        errors.setdefault(field, []).append(_("Choose departments of this workspace."))


# --- departments --------------------------------------------------------------------------------


def _clean_department(department: Department) -> None:
    errors: dict[str, list[Any]] = {}
    department.name = (department.name or "").strip()
    department.code = (department.code or "").strip().upper()
    siblings = Department.objects.filter(workspace_id=department.workspace_id).exclude(
        pk=department.pk
    )
    if not department.name:
        errors["name"] = [_("Name the department.")]
    elif siblings.filter(name__iexact=department.name).exists():
        errors["name"] = [_("The workspace already has a department of this name.")]
    if not CODE_PATTERN.match(department.code):
        errors["code"] = [
            _("Give a short code of up to 12 capital letters, digits or hyphens, e.g. CRM.")
        ]
    elif siblings.filter(code=department.code).exists():
        errors["code"] = [_("Another department already uses this code.")]
    if (
        department.lead is not None
        and not department.lead.memberships.filter(workspace_id=department.workspace_id).exists()
    ):
        errors["lead"] = [_("Choose a member of the workspace.")]
    _raise(errors)


def department_create(*, workspace: Workspace, actor: User, **fields: Any) -> Department:
    reject_unknown(fields, DEPARTMENT_EDITABLE)
    require(actor, workspace.pk, Action.EDIT)
    with transaction.atomic():
        department = Department(workspace=workspace, **fields)
        _clean_department(department)
        department._history_user = actor  # type: ignore[attr-defined]
        department.save()
    return department


def department_update(
    *, department: Department, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Department:
    reject_unknown(changes, DEPARTMENT_EDITABLE)
    require(actor, department.workspace_id, Action.EDIT)
    with transaction.atomic():
        candidate = Department.objects.get(pk=department.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_department(candidate)
        fields = {name: getattr(candidate, name) for name in changes}
        return update_versioned(
            department, expected_version=expected_version, changes=fields, actor=actor
        )


def department_uses(department: Department) -> list[str]:
    """Why the department cannot be deleted: where it is still named."""
    uses = []
    streams = sorted(
        {
            f"{cell.workstream.plan.name} {cell.workstream.plan.year} · {cell.workstream.name}"
            for cell in department.raci_cells.select_related("workstream__plan")
        }
    )
    if streams:
        uses.append(
            _("It holds a role in the RACI of %(streams)s; remove it there first.")
            % {"streams": "; ".join(streams[:5]) + ("…" if len(streams) > 5 else "")}
        )
    if department.scores.exists():
        uses.append(_("It has collaboration scores, which are kept for its reviews."))
    if department.owned_rules.exists():
        uses.append(_("It owns communication rules; give them another owner first."))
    return uses


def department_delete(*, department: Department, expected_version: int, actor: User) -> None:
    require(actor, department.workspace_id, Action.EDIT)
    uses = department_uses(department)
    if uses:
        raise InvalidInput(
            _("The department is still in use. %(reasons)s") % {"reasons": " ".join(uses)}
        )
    try:
        with transaction.atomic():
            delete_versioned(department, expected_version=expected_version, actor=actor)
    except ProtectedError:  # a RACI cell or score arrived since the check above
        raise InvalidInput(
            _("The department is still in use. %(reasons)s")
            % {"reasons": " ".join(department_uses(department))}
        ) from None


# --- workstreams and their RACI cells -----------------------------------------------------------


def _clean_workstream(plan: Plan, stream: Workstream, cells: Cells | None) -> None:
    """Check the row and (when given) its cells as a whole; fills a linked row's name."""
    errors: dict[str, list[Any]] = {}
    stream.name = (stream.name or "").strip()
    if stream.kind not in WorkstreamKind.values:
        errors["kind"] = [_("Choose a campaign, a channel, a milestone or another stream.")]
    if stream.kind == WorkstreamKind.CAMPAIGN:
        stream.channel = None
        if stream.campaign is None:
            errors["campaign"] = [_("Choose the campaign.")]
        elif stream.campaign.plan_id != plan.pk:
            errors["campaign"] = [_("Choose a campaign of this plan.")]
        elif not stream.name:
            stream.name = stream.campaign.name
    elif stream.kind == WorkstreamKind.CHANNEL:
        stream.campaign = None
        if stream.channel is None:
            errors["channel"] = [_("Choose the channel.")]
        elif stream.channel.plan_id != plan.pk:
            errors["channel"] = [_("Choose a channel of this plan.")]
        elif not stream.name:
            stream.name = str(stream.channel.display_name)
    else:
        stream.campaign = None
        stream.channel = None
    if not stream.name and "kind" not in errors and not (set(errors) & {"campaign", "channel"}):
        errors["name"] = [_("Name the workstream.")]
    siblings = Workstream.objects.filter(plan=plan).exclude(pk=stream.pk)
    if stream.name and siblings.filter(name__iexact=stream.name).exists():
        errors["name"] = [_("The plan already has a workstream of this name.")]
    if stream.campaign is not None and siblings.filter(campaign=stream.campaign).exists():
        errors["campaign"] = [_("This campaign already has its workstream.")]
    if stream.channel is not None and siblings.filter(channel=stream.channel).exists():
        errors["channel"] = [_("This channel already has its workstream.")]
    if stream.spend_limit is not None and Decimal(stream.spend_limit) < 0:
        errors["spend_limit"] = [_("Cannot be negative.")]
    if cells is not None:
        _same_workspace(cells.keys(), plan.workspace_id, "cells", errors)
        problems = check_raci(cells.values())
        cell_errors = errors.setdefault("cells", [])
        if problems.unknown:
            cell_errors.append(
                _("A role is R, A, C or I, not %(roles)s.") % {"roles": ", ".join(problems.unknown)}
            )
        if problems.accountable != 1:
            cell_errors.append(
                _("Exactly one department is accountable (A); there are %(n)s.")
                % {"n": problems.accountable}
            )
        if problems.responsible < 1:
            cell_errors.append(_("At least one department is responsible (R)."))
        if not cell_errors:
            del errors["cells"]
    _raise(errors)


def _write_cells(stream: Workstream, cells: Cells, actor: User) -> None:
    """Make the stored cells exactly ``cells`` (changed rows only, each with history)."""
    stored = {cell.department_id: cell for cell in stream.cells.all()}
    wanted = {department.pk: letter for department, letter in cells.items()}
    for department_id, cell in stored.items():
        if department_id not in wanted:
            cell._history_user = actor  # type: ignore[attr-defined]
            cell.delete()
    for department_id, letter in wanted.items():
        cell = stored.get(department_id) or RaciAssignment(
            workstream=stream, department_id=department_id
        )
        if cell.pk is None or cell.role != letter:
            cell.role = letter
            cell._history_user = actor  # type: ignore[attr-defined]
            cell.save()


def workstream_create(
    *, plan: Plan, actor: User, cells: Cells | None = None, **fields: Any
) -> Workstream:
    reject_unknown(fields, WORKSTREAM_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        stream = Workstream(plan=plan, **fields)
        _clean_workstream(plan, stream, dict(cells or {}))
        stream._history_user = actor  # type: ignore[attr-defined]
        stream.save()
        _write_cells(stream, dict(cells or {}), actor)
    return stream


def workstream_update(
    *, workstream: Workstream, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Workstream:
    """Change the row and/or replace its cells (``changes["cells"]``), all or nothing."""
    reject_unknown(changes, WORKSTREAM_EDITABLE)
    fields = {k: v for k, v in changes.items() if k != "cells"}
    cells = changes.get("cells")
    with transaction.atomic():
        plan = plan_for_execution(plan_id=workstream.plan_id, actor=actor)
        candidate = Workstream.objects.get(pk=workstream.pk)
        if candidate.version != expected_version:
            raise StaleVersion(current=candidate)
        for name, value in fields.items():
            setattr(candidate, name, value)
        if "kind" in fields:  # a kind change clears the links the new kind does not use
            fields.setdefault("campaign", candidate.campaign)
            fields.setdefault("channel", candidate.channel)
        current_cells = {c.department: c.role for c in candidate.cells.select_related("department")}
        _clean_workstream(plan, candidate, dict(cells) if cells is not None else current_cells)
        if "name" in fields or "kind" in fields:
            fields["name"] = candidate.name
        saved = {name: getattr(candidate, name) for name in fields}
        fresh = update_versioned(
            workstream, expected_version=expected_version, changes=saved, actor=actor
        )
        if cells is not None:
            _write_cells(fresh, dict(cells), actor)
        return fresh


def workstream_delete(*, workstream: Workstream, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=workstream.plan_id, actor=actor)
        delete_versioned(workstream, expected_version=expected_version, actor=actor)


# --- communication rules ------------------------------------------------------------------------


def _clean_rule(plan: Plan, rule: CommunicationRule, participants: list[Department]) -> None:
    errors: dict[str, list[Any]] = {}
    rule.name = (rule.name or "").strip()
    rule.group = (rule.group or "").strip()
    if not rule.name:
        errors["name"] = [_("Name the meeting, document or group.")]
    if rule.kind not in RuleKind.values:
        errors["kind"] = [_("Choose a meeting, a shared document or a messaging tool.")]
    if rule.kind == RuleKind.MEETING:
        rule.tool, rule.group = "", ""
        if not rule.cadence:
            errors["cadence"] = [_("Say how often the meeting takes place.")]
    elif rule.kind == RuleKind.DOCUMENT:
        rule.cadence, rule.tool, rule.group = "", "", ""
        if not rule.link:
            errors["link"] = [_("Give the document's link.")]
    elif rule.kind == RuleKind.MESSAGING:
        rule.cadence = ""
        if not rule.tool:
            errors["tool"] = [_("Choose the messaging tool.")]
        if not rule.group:
            errors["group"] = [_("Name the group or channel on the tool.")]
    if rule.link:
        try:
            _web_url(rule.link)
        except ValidationError:
            errors["link"] = [_("Give a web address starting with http:// or https://.")]
    if rule.owner_id is None:
        errors["owner"] = [_("Choose the department that owns it.")]
    elif rule.owner.workspace_id != plan.workspace_id:
        errors["owner"] = [_("Choose a department of this workspace.")]
    _same_workspace(participants, plan.workspace_id, "participants", errors)
    if (
        rule.name
        and CommunicationRule.objects.filter(plan=plan, kind=rule.kind, name__iexact=rule.name)
        .exclude(pk=rule.pk)
        .exists()
    ):
        errors["name"] = [_("The plan already has one of this name.")]
    _raise(errors)


def rule_create(*, plan: Plan, actor: User, **fields: Any) -> CommunicationRule:
    reject_unknown(fields, RULE_EDITABLE)
    plain, many = _split_m2m(fields, ("participants",))
    participants = many.get("participants", [])
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        rule = CommunicationRule(plan=plan, **plain)
        _clean_rule(plan, rule, participants)
        rule._history_user = actor  # type: ignore[attr-defined]
        rule.save()
        rule.participants.set(participants)
    return rule


def rule_update(
    *, rule: CommunicationRule, expected_version: int, changes: Mapping[str, Any], actor: User
) -> CommunicationRule:
    reject_unknown(changes, RULE_EDITABLE)
    plain, many = _split_m2m(changes, ("participants",))
    with transaction.atomic():
        plan = plan_for_execution(plan_id=rule.plan_id, actor=actor)
        candidate = CommunicationRule.objects.get(pk=rule.pk)
        for name, value in plain.items():
            setattr(candidate, name, value)
        participants = many.get("participants", list(candidate.participants.all()))
        _clean_rule(plan, candidate, participants)
        kind_fields = ("name", "cadence", "link", "tool", "group")
        saved = {name: getattr(candidate, name) for name in {*plain, *kind_fields}}
        fresh = update_versioned(
            rule, expected_version=expected_version, changes=saved, actor=actor
        )
        if "participants" in many:
            fresh.participants.set(participants)
        return fresh


def rule_delete(*, rule: CommunicationRule, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=rule.plan_id, actor=actor)
        delete_versioned(rule, expected_version=expected_version, actor=actor)


# --- the coordinator group and the arbitration path ---------------------------------------------


def group_save(
    *, plan: Plan, expected_version: int, changes: Mapping[str, Any], actor: User
) -> CoordinatorGroup:
    """Create the plan's coordinator group (``expected_version`` 0) or change it."""
    reject_unknown(changes, GROUP_EDITABLE)
    plain, many = _split_m2m(changes, ("departments",))
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        current = CoordinatorGroup.objects.filter(plan=plan).first()
        if (current.version if current else 0) != expected_version:
            raise StaleVersion(current=current)
        candidate = current or CoordinatorGroup(plan=plan)
        for name, value in plain.items():
            setattr(candidate, name, value)
        errors: dict[str, list[Any]] = {}
        candidate.name = (candidate.name or "").strip()
        if not candidate.name:
            errors["name"] = [_("Name the coordinator group.")]
        departments = many.get(
            "departments", list(current.departments.all()) if current is not None else []
        )
        _same_workspace(departments, plan.workspace_id, "departments", errors)
        try:
            require_member(plan, candidate.chair, "chair")
        except InvalidInput as error:
            errors.update(error.fields)
        _raise(errors)
        if current is None:
            candidate._history_user = actor  # type: ignore[attr-defined]
            candidate.save()
            fresh = candidate
        else:
            saved = {name: getattr(candidate, name) for name in plain}
            fresh = update_versioned(
                current, expected_version=expected_version, changes=saved, actor=actor
            )
        if "departments" in many:
            fresh.departments.set(departments)
        return fresh


def _clean_step(plan: Plan, step: ArbitrationStep) -> None:
    errors: dict[str, list[Any]] = {}
    step.name = (step.name or "").strip()
    step.decider = (step.decider or "").strip()
    if not step.name:
        errors["name"] = [_("Name the step.")]
    if not step.decider:
        errors["decider"] = [_("Say who decides at this step.")]
    if not isinstance(step.level, int) or step.level < 1:
        errors["level"] = [_("The level is a whole number from 1.")]
    elif ArbitrationStep.objects.filter(plan=plan, level=step.level).exclude(pk=step.pk).exists():
        errors["level"] = [_("The path already has a step at this level.")]
    if not isinstance(step.sla_hours, int) or not 1 <= step.sla_hours <= 24 * 90:
        errors["sla_hours"] = [_("Give the SLA in hours, from 1 to 2160 (90 days).")]
    _raise(errors)


def step_create(*, plan: Plan, actor: User, **fields: Any) -> ArbitrationStep:
    reject_unknown(fields, STEP_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        step = ArbitrationStep(plan=plan, **fields)
        _clean_step(plan, step)
        step._history_user = actor  # type: ignore[attr-defined]
        step.save()
    return step


def step_update(
    *, step: ArbitrationStep, expected_version: int, changes: Mapping[str, Any], actor: User
) -> ArbitrationStep:
    reject_unknown(changes, STEP_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=step.plan_id, actor=actor)
        candidate = ArbitrationStep.objects.get(pk=step.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_step(plan, candidate)
        saved = {name: getattr(candidate, name) for name in changes}
        return update_versioned(step, expected_version=expected_version, changes=saved, actor=actor)


def step_delete(*, step: ArbitrationStep, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=step.plan_id, actor=actor)
        if step.conflicts.exists():
            raise InvalidInput(
                _("Conflicts have reached this step; it stays on the path to keep their record.")
            )
        delete_versioned(step, expected_version=expected_version, actor=actor)


# --- conflicts ------------------------------------------------------------------------------------


def _clean_conflict(plan: Plan, conflict: Conflict, departments: list[Department]) -> None:
    errors: dict[str, list[Any]] = {}
    conflict.title = (conflict.title or "").strip()
    if not conflict.title:
        errors["title"] = [_("Say what the conflict is about.")]
    if len(set(departments)) < 2:
        errors["departments"] = [_("Name at least two departments involved.")]
    _same_workspace(departments, plan.workspace_id, "departments", errors)
    _raise(errors)


def conflict_create(
    *,
    plan: Plan,
    actor: User,
    departments: Iterable[Department] = (),
    raised_at: datetime | None = None,
    **fields: Any,
) -> Conflict:
    """Log a conflict; it starts at the first step of the arbitration path.

    ``raised_at`` (default: now) records a conflict that surfaced before it was logged;
    the first step's SLA runs from then."""
    reject_unknown(fields, CONFLICT_EDITABLE)
    departments = list(departments)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        first = ArbitrationStep.objects.filter(plan=plan).order_by("level").first()
        conflict = Conflict(plan=plan, raised_by=actor, **fields)
        now = timezone.now()
        raised_at = raised_at or now
        try:
            _clean_conflict(plan, conflict, departments)
        except InvalidInput as error:
            problems = error.fields
        else:
            problems = {}
        if raised_at > now + CLOCK_SKEW:
            problems["raised_at"] = [_("A conflict cannot be raised in the future.")]
        _raise(problems)
        if first is None:
            raise InvalidInput(_("Set up the arbitration path before logging conflicts."))
        conflict.step, conflict.raised_at, conflict.step_since = first, raised_at, raised_at
        conflict._history_user = actor  # type: ignore[attr-defined]
        conflict.save()
        conflict.departments.set(departments)
    return conflict


def conflict_update(
    *, conflict: Conflict, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Conflict:
    reject_unknown(changes, CONFLICT_EDITABLE)
    plain, many = _split_m2m(changes, ("departments",))
    with transaction.atomic():
        plan = plan_for_execution(plan_id=conflict.plan_id, actor=actor)
        candidate = Conflict.objects.get(pk=conflict.pk)
        for name, value in plain.items():
            setattr(candidate, name, value)
        departments = many.get("departments", list(candidate.departments.all()))
        _clean_conflict(plan, candidate, departments)
        saved = {name: getattr(candidate, name) for name in plain}
        fresh = update_versioned(
            conflict, expected_version=expected_version, changes=saved, actor=actor
        )
        if "departments" in many:
            fresh.departments.set(departments)
        return fresh


def _open_conflict(conflict: Conflict, expected_version: int, actor: User) -> Conflict:
    plan_for_execution(plan_id=conflict.plan_id, actor=actor)
    current = Conflict.objects.select_related("step").get(pk=conflict.pk)
    if current.version != expected_version:
        raise StaleVersion(current=current)
    if current.status != ConflictStatus.OPEN:
        raise InvalidTransition(_("The conflict is already resolved."))
    return current


def conflict_escalate(*, conflict: Conflict, expected_version: int, actor: User) -> Conflict:
    """Move an open conflict to the next step of the path (its SLA starts now)."""
    with transaction.atomic():
        current = _open_conflict(conflict, expected_version, actor)
        following = (
            ArbitrationStep.objects.filter(plan_id=current.plan_id, level__gt=current.step.level)
            .order_by("level")
            .first()
        )
        if following is None:
            raise InvalidTransition(
                _("The conflict is at the last step of the path; resolve it there.")
            )
        return update_versioned(
            current,
            expected_version=expected_version,
            changes={"step": following, "step_since": timezone.now()},
            actor=actor,
            reason="escalate",
        )


def conflict_resolve(
    *, conflict: Conflict, expected_version: int, outcome: str, actor: User
) -> Conflict:
    """Close an open conflict with the decision taken."""
    with transaction.atomic():
        current = _open_conflict(conflict, expected_version, actor)
        outcome = (outcome or "").strip()
        if not outcome:
            raise InvalidInput(fields={"outcome": [_("Record what was decided.")]})
        return update_versioned(
            current,
            expected_version=expected_version,
            changes={
                "status": ConflictStatus.RESOLVED,
                "outcome": outcome,
                "resolved_at": timezone.now(),
                "resolved_by": actor,
            },
            actor=actor,
            reason="resolve",
        )


# --- collaboration scores -----------------------------------------------------------------------


def _clean_score(plan: Plan, score: CollaborationScore) -> None:
    errors: dict[str, list[Any]] = {}
    if score.department_id is None or score.department.workspace_id != plan.workspace_id:
        errors["department"] = [_("Choose a department of this workspace.")]
    if not isinstance(score.quarter, int) or not 1 <= score.quarter <= 4:
        errors["quarter"] = [_("Choose a quarter from 1 to 4.")]
    for name in bad_ratings(score.ratings()):
        errors[name] = [_("Rate from 1 (poor) to 5 (excellent).")]
    if (
        "department" not in errors
        and "quarter" not in errors
        and CollaborationScore.objects.filter(
            plan=plan, department_id=score.department_id, quarter=score.quarter
        )
        .exclude(pk=score.pk)
        .exists()
    ):
        errors["quarter"] = [_("The department already has a score for this quarter.")]
    _raise(errors)
    score.score = collaboration_score(score.ratings())


def _plan_for_scoring(plan_id: int, actor: User) -> Plan:
    plan = plan_for_execution(plan_id=plan_id, actor=actor)
    require(actor, plan.workspace_id, Action.APPROVE)
    return plan


def score_create(
    *, plan: Plan, department: Department, quarter: int, actor: User, **fields: Any
) -> CollaborationScore:
    reject_unknown(fields, SCORE_EDITABLE)
    with transaction.atomic():
        plan = _plan_for_scoring(plan.pk, actor)
        score = CollaborationScore(
            plan=plan, department=department, quarter=quarter, scored_by=actor, **fields
        )
        _clean_score(plan, score)
        score._history_user = actor  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                score.save()
        except IntegrityError:  # a concurrent score of the same quarter won
            raise InvalidInput(
                fields={"quarter": [_("The department already has a score for this quarter.")]}
            ) from None
    return score


def score_update(
    *, score: CollaborationScore, expected_version: int, changes: Mapping[str, Any], actor: User
) -> CollaborationScore:
    reject_unknown(changes, SCORE_EDITABLE)
    with transaction.atomic():
        plan = _plan_for_scoring(score.plan_id, actor)
        candidate = CollaborationScore.objects.select_related("department").get(pk=score.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_score(plan, candidate)
        saved = {name: getattr(candidate, name) for name in changes}
        saved.update(score=candidate.score, scored_by=actor)
        return update_versioned(
            score, expected_version=expected_version, changes=saved, actor=actor
        )


def score_delete(*, score: CollaborationScore, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        _plan_for_scoring(score.plan_id, actor)
        delete_versioned(score, expected_version=expected_version, actor=actor)


RACI_LETTERS = RaciRole.values
