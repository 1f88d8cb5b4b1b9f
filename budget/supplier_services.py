"""Writes of the supplier area: suppliers, each plan's supplier policy, reviews (and the
flags they raise), flag decisions, risk-sharing clauses and the joint-innovation fund.

* Suppliers and their clauses belong to the workspace: editors of the workspace write
  them, whatever the state of a plan.
* Reviews, flags and innovation projects record how a plan runs (``plan_for_execution``:
  after approval too, until the plan is archived). Every review write holds the plan's
  row lock and recomputes the supplier's flag in the same transaction, so the flag is
  always what the reviews say.
* The policy and the fund amount are planning figures (``plan_for_edit``: draft only).
* Flags are decided and resolved by managers (``Action.APPROVE``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from budget import supplier_rules as rules
from budget.models import (
    ClauseKind,
    FlagAction,
    FlagStatus,
    InnovationFund,
    InnovationProject,
    ProjectStatus,
    RiskClause,
    Supplier,
    SupplierCategory,
    SupplierFlag,
    SupplierPolicy,
    SupplierReview,
    SupplierTier,
)
from core.errors import InvalidInput, InvalidTransition
from core.locking import delete_versioned, update_versioned
from planner.access import Action, require
from planner.editing import plan_for_edit, plan_for_execution, reject_unknown, require_member
from planner.models import Plan, Workspace

SUPPLIER_EDITABLE = (
    "name",
    "category",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contract_start",
    "contract_end",
    "qualification_score",
    "capability_score",
    "tier_override",
    "tier_override_reason",
    "notes",
    "is_active",
)
POLICY_EDITABLE = (
    "failures_to_flag",
    "pass_mark",
    "weight_quality",
    "weight_timeliness",
    "weight_compliance",
    "strategic_min",
    "priority_min",
    "performance_window",
)
REVIEW_SCORES = ("quality", "timeliness", "compliance")
REVIEW_EDITABLE = ("quarter", *REVIEW_SCORES, "reviewer", "comment")
FLAG_EDITABLE = ("action", "action_note")
CLAUSE_COMMON = ("kind", "title", "text")
CLAUSE_BY_KIND: dict[str, tuple[str, ...]] = {
    ClauseKind.PRICE_INDEX: ("index_name", "threshold_pct", "supplier_share_pct"),
    ClauseKind.FORCE_MAJEURE: ("events", "notice_days"),
    ClauseKind.BACKUP: ("backup",),
    ClauseKind.OTHER: (),
}
CLAUSE_EDITABLE = (*CLAUSE_COMMON, *sorted({f for fs in CLAUSE_BY_KIND.values() for f in fs}))
CLAUSE_EMPTY: dict[str, Any] = {
    "index_name": "",
    "threshold_pct": None,
    "supplier_share_pct": None,
    "events": "",
    "notice_days": None,
    "backup": None,
}
FUND_EDITABLE = ("amount", "purpose")
PROJECT_EDITABLE = ("name", "description", "suppliers", "budget", "status", "results", "owner")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _score_problem(value: Any, *, low: int = 0, high: int = 100) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    if not low <= value <= high:
        return _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    return None


# --- suppliers -----------------------------------------------------------------------------------


def _clean_supplier(supplier: Supplier) -> None:
    errors: dict[str, list[Any]] = {}
    supplier.name = (supplier.name or "").strip()
    if not supplier.name:
        errors["name"] = [_("Name the supplier.")]
    elif (
        Supplier.objects.filter(workspace_id=supplier.workspace_id, name__iexact=supplier.name)
        .exclude(pk=supplier.pk)
        .exists()
    ):
        errors["name"] = [_("The workspace already has a supplier of this name.")]
    if supplier.category not in SupplierCategory.values:
        errors["category"] = [_("Choose a category.")]
    for field in ("qualification_score", "capability_score"):
        problem = _score_problem(getattr(supplier, field))
        if problem:
            errors[field] = [problem]
    if (
        supplier.contract_start
        and supplier.contract_end
        and supplier.contract_end < supplier.contract_start
    ):
        errors["contract_end"] = [_("The contract cannot end before it starts.")]
    supplier.tier_override = supplier.tier_override or ""
    supplier.tier_override_reason = (supplier.tier_override_reason or "").strip()
    if supplier.tier_override and supplier.tier_override not in SupplierTier.values:
        errors["tier_override"] = [_("Choose strategic, priority or basic.")]
    elif supplier.tier_override and not supplier.tier_override_reason:
        errors["tier_override_reason"] = [_("Say why the tier is set by hand.")]
    if not supplier.tier_override:
        supplier.tier_override_reason = ""
    if errors:
        raise InvalidInput(fields=errors)


def supplier_create(*, workspace: Workspace, actor: User, **fields: Any) -> Supplier:
    reject_unknown(fields, SUPPLIER_EDITABLE)
    require(actor, workspace.pk, Action.EDIT)
    supplier = Supplier(workspace=workspace, **fields)
    _clean_supplier(supplier)
    supplier._history_user = actor  # type: ignore[attr-defined]
    with _same_name_guard():
        supplier.save()
    return supplier


def supplier_update(
    *, supplier: Supplier, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Supplier:
    reject_unknown(changes, SUPPLIER_EDITABLE)
    require(actor, supplier.workspace_id, Action.EDIT)
    with transaction.atomic():
        candidate = Supplier.objects.get(pk=supplier.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_supplier(candidate)
        fields = {name: getattr(candidate, name) for name in changes}
        if "tier_override" in changes:
            fields["tier_override_reason"] = candidate.tier_override_reason
        with _same_name_guard():
            return update_versioned(
                supplier, expected_version=expected_version, changes=fields, actor=actor
            )


@contextmanager
def _same_name_guard() -> Iterator[None]:
    """A concurrent save of the same name loses on the unique constraint: say so as
    the check before it would have (the check alone cannot see uncommitted rows)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        text = str(error)  # PostgreSQL names the constraint, SQLite the columns
        if "supplier_name_unique_per_workspace" not in text and "budget_supplier.name" not in text:
            raise
        raise InvalidInput(
            fields={"name": [_("The workspace already has a supplier of this name.")]}
        ) from None


def supplier_delete(*, supplier: Supplier, expected_version: int, actor: User) -> None:
    """Remove a supplier that was never reviewed nor named as a backup (else deactivate it)."""
    require(actor, supplier.workspace_id, Action.EDIT)
    with transaction.atomic():
        if SupplierReview.objects.filter(supplier=supplier).exists():
            raise InvalidInput(
                _("The supplier has reviews; mark it inactive instead, to keep its history.")
            )
        if RiskClause.objects.filter(backup=supplier).exists():
            raise InvalidInput(
                _("Another supplier's contract names it as backup; change that clause first.")
            )
        if InnovationProject.objects.filter(suppliers=supplier).exists():
            raise InvalidInput(
                _("It takes part in an innovation project; remove it from the project first.")
            )
        delete_versioned(supplier, expected_version=expected_version, actor=actor)


# --- policy --------------------------------------------------------------------------------------


def policy_for(plan: Plan) -> SupplierPolicy:
    """The plan's supplier policy (created with the defaults the first time it is read)."""
    policy, _created = SupplierPolicy.objects.get_or_create(plan=plan)
    return policy


def weights_of(policy: SupplierPolicy) -> rules.Weights:
    return rules.Weights(
        quality=Decimal(policy.weight_quality) / HUNDRED,
        timeliness=Decimal(policy.weight_timeliness) / HUNDRED,
        compliance=Decimal(policy.weight_compliance) / HUNDRED,
    )


def _clean_policy(policy: SupplierPolicy) -> None:
    errors: dict[str, list[Any]] = {}
    limits = {
        "failures_to_flag": (1, 4),
        "performance_window": (1, 12),
    }
    for field in POLICY_EDITABLE:
        low, high = limits.get(field, (0, 100))
        problem = _score_problem(getattr(policy, field), low=low, high=high)
        if problem:
            errors[field] = [problem]
    if not errors:
        total = policy.weight_quality + policy.weight_timeliness + policy.weight_compliance
        if total != 100:
            errors["weight_quality"] = [
                _("The three weights must add up to 100 %%; they add up to %(total)s %%.")
                % {"total": total}
            ]
        if policy.priority_min > policy.strategic_min:
            errors["priority_min"] = [_("The priority cut-off cannot be above the strategic one.")]
    if errors:
        raise InvalidInput(fields=errors)


def policy_update(
    *, plan: Plan, expected_version: int, actor: User, **changes: Any
) -> SupplierPolicy:
    """Change the policy; every review of the plan is scored again and every flag recomputed."""
    reject_unknown(changes, POLICY_EDITABLE)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        current = policy_for(plan)
        candidate = SupplierPolicy.objects.get(pk=current.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_policy(candidate)
        policy = update_versioned(
            current,
            expected_version=expected_version,
            changes={name: getattr(candidate, name) for name in changes},
            actor=actor,
        )
        _rescore_plan(plan, policy, actor)
    return policy


def _rescore_plan(plan: Plan, policy: SupplierPolicy, actor: User) -> None:
    weights = weights_of(policy)
    touched: set[int] = set()
    for review in SupplierReview.objects.filter(plan=plan):
        score = rules.weighted_score(review.quality, review.timeliness, review.compliance, weights)
        passed = rules.passes(score, policy.pass_mark)
        if score != review.score or passed != review.passed:
            SupplierReview.objects.filter(pk=review.pk).update(score=score, passed=passed)
        touched.add(review.supplier_id)
    touched |= set(
        SupplierFlag.objects.filter(plan=plan, status=FlagStatus.OPEN).values_list(
            "supplier_id", flat=True
        )
    )
    for supplier in Supplier.objects.filter(pk__in=touched):
        recompute_flag(supplier=supplier, plan=plan, policy=policy, actor=actor)


# --- reviews and flags -----------------------------------------------------------------------


def _clean_review(plan: Plan, review: SupplierReview) -> None:
    errors: dict[str, list[Any]] = {}
    if review.supplier.workspace_id != plan.workspace_id:
        errors["supplier"] = [_("Choose a supplier of the plan's workspace.")]
    problem = _score_problem(review.quarter, low=1, high=4)
    if problem:
        errors["quarter"] = [_("Choose a quarter from 1 to 4.")]
    elif (
        review.supplier.workspace_id == plan.workspace_id
        and SupplierReview.objects.filter(
            supplier_id=review.supplier_id, plan=plan, quarter=review.quarter
        )
        .exclude(pk=review.pk)
        .exists()
    ):
        errors["quarter"] = [
            _("%(supplier)s already has a review for Q%(quarter)s of this plan; edit that one.")
            % {"supplier": review.supplier.name, "quarter": review.quarter}
        ]
    for field in REVIEW_SCORES:
        problem = _score_problem(getattr(review, field))
        if problem:
            errors[field] = [problem]
    review.comment = (review.comment or "").strip()
    if errors:
        raise InvalidInput(fields=errors)
    require_member(plan, review.reviewer, "reviewer")


def _score_review(review: SupplierReview, policy: SupplierPolicy) -> None:
    review.score = rules.weighted_score(
        review.quality, review.timeliness, review.compliance, weights_of(policy)
    )
    review.passed = rules.passes(review.score, policy.pass_mark)


def review_create(*, supplier: Supplier, plan: Plan, actor: User, **fields: Any) -> SupplierReview:
    reject_unknown(fields, REVIEW_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        policy = policy_for(plan)
        fields.setdefault("reviewer", actor)
        review = SupplierReview(supplier=supplier, plan=plan, **fields)
        _clean_review(plan, review)
        _score_review(review, policy)
        review._history_user = actor  # type: ignore[attr-defined]
        review.save()
        recompute_flag(supplier=supplier, plan=plan, policy=policy, actor=actor)
    return review


def review_update(
    *, review: SupplierReview, expected_version: int, changes: Mapping[str, Any], actor: User
) -> SupplierReview:
    reject_unknown(changes, REVIEW_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=review.plan_id, actor=actor)
        policy = policy_for(plan)
        candidate = SupplierReview.objects.select_related("supplier").get(pk=review.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_review(plan, candidate)
        _score_review(candidate, policy)
        fields = {name: getattr(candidate, name) for name in changes}
        fields.update(score=candidate.score, passed=candidate.passed)
        fresh = update_versioned(
            review, expected_version=expected_version, changes=fields, actor=actor
        )
        recompute_flag(supplier=candidate.supplier, plan=plan, policy=policy, actor=actor)
    return fresh


def review_delete(*, review: SupplierReview, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan = plan_for_execution(plan_id=review.plan_id, actor=actor)
        supplier = review.supplier
        delete_versioned(review, expected_version=expected_version, actor=actor)
        recompute_flag(supplier=supplier, plan=plan, policy=policy_for(plan), actor=actor)


def recompute_flag(
    *, supplier: Supplier, plan: Plan, policy: SupplierPolicy, actor: User | None
) -> SupplierFlag | None:
    """Make the supplier's flag in the plan agree with its reviews (call under the plan lock).

    Failures are counted in quarter order after the run that raised the last resolved
    flag. The first run of ``failures_to_flag`` failures among them raises a flag (or keeps
    the open one, brought up to date: a later pass leaves it open). With no such run, an
    open flag was raised by reviews that have since been edited or deleted: it is withdrawn.
    Returns the open flag, if any.
    """
    reviews = list(SupplierReview.objects.filter(supplier=supplier, plan=plan).order_by("quarter"))
    results = [(r.quarter, r.passed) for r in reviews]
    scores = {r.quarter: r.score for r in reviews}
    flags = SupplierFlag.objects.filter(supplier=supplier, plan=plan)
    resolved = flags.filter(status=FlagStatus.RESOLVED).order_by("-trigger_quarter").first()
    after = resolved.trigger_quarter if resolved else None
    run = rules.first_flagging_run(results, policy.failures_to_flag, after=after)
    current = flags.filter(status=FlagStatus.OPEN).first()
    if run is None:
        if current is not None:
            update_versioned(
                current,
                expected_version=current.version,
                changes={
                    "status": FlagStatus.WITHDRAWN,
                    "resolved_at": timezone.now(),
                    "resolved_by": actor,
                },
                actor=actor,
            )
        return None
    facts = {
        "quarters": list(run.periods),
        "scores": [str(scores[q]) for q in run.periods],
        "trigger_quarter": run.periods[policy.failures_to_flag - 1],
        "pass_mark": policy.pass_mark,
        "failures_to_flag": policy.failures_to_flag,
    }
    if current is None:
        flag = SupplierFlag(supplier=supplier, plan=plan, **facts)
        flag._history_user = actor  # type: ignore[attr-defined]
        flag.save()
        return flag
    if any(getattr(current, k) != v for k, v in facts.items()):
        return update_versioned(current, expected_version=current.version, changes=facts)
    return current


def _flag_plan(flag: SupplierFlag, actor: User) -> Plan:
    plan = plan_for_execution(plan_id=flag.plan_id, actor=actor)
    require(actor, plan.workspace_id, Action.APPROVE)
    return plan


def _clean_decision(action: str, note: str) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    if action and action not in FlagAction.values:
        errors["action"] = [_("Choose correction or replacement.")]
    return errors


def flag_decide(
    *, flag: SupplierFlag, expected_version: int, changes: Mapping[str, Any], actor: User
) -> SupplierFlag:
    """A manager records the action chosen for an open flag (correction or replacement)."""
    reject_unknown(changes, FLAG_EDITABLE)
    with transaction.atomic():
        _flag_plan(flag, actor)
        fresh = SupplierFlag.objects.get(pk=flag.pk)
        if fresh.status != FlagStatus.OPEN:
            raise InvalidTransition(_("Only an open flag can be changed."))
        action = changes.get("action", fresh.action) or ""
        note = (changes.get("action_note", fresh.action_note) or "").strip()
        errors = _clean_decision(action, note)
        if errors:
            raise InvalidInput(fields=errors)
        values = {"action": action, "action_note": note}
        return update_versioned(
            flag,
            expected_version=expected_version,
            changes={k: v for k, v in values.items() if k in changes},
            actor=actor,
        )


def flag_resolve(
    *,
    flag: SupplierFlag,
    expected_version: int,
    actor: User,
    resolution: str,
    action: str | None = None,
    action_note: str | None = None,
) -> SupplierFlag:
    """A manager closes an open flag, saying which action was taken and how it ended."""
    with transaction.atomic():
        _flag_plan(flag, actor)
        fresh = SupplierFlag.objects.get(pk=flag.pk)
        if fresh.status != FlagStatus.OPEN:
            raise InvalidTransition(_("Only an open flag can be resolved."))
        chosen = action if action is not None else fresh.action
        note = (action_note if action_note is not None else fresh.action_note).strip()
        errors = _clean_decision(chosen or "", note)
        if not chosen and "action" not in errors:
            errors["action"] = [_("Choose the action taken: correction or replacement.")]
        resolution = (resolution or "").strip()
        if not resolution:
            errors["resolution"] = [_("Say how the flag was resolved.")]
        if errors:
            raise InvalidInput(fields=errors)
        return update_versioned(
            flag,
            expected_version=expected_version,
            changes={
                "status": FlagStatus.RESOLVED,
                "action": chosen,
                "action_note": note,
                "resolution": resolution,
                "resolved_by": actor,
                "resolved_at": timezone.now(),
            },
            actor=actor,
        )


# --- risk-sharing clauses --------------------------------------------------------------------


def _clean_clause(clause: RiskClause) -> None:
    errors: dict[str, list[Any]] = {}
    if clause.kind not in ClauseKind.values:
        raise InvalidInput(fields={"kind": [_("Choose the kind of clause.")]})
    for field in set(CLAUSE_EDITABLE) - set(CLAUSE_COMMON) - set(CLAUSE_BY_KIND[clause.kind]):
        setattr(clause, field, CLAUSE_EMPTY[field])
    clause.title = (clause.title or "").strip()
    clause.text = (clause.text or "").strip()
    if clause.kind == ClauseKind.PRICE_INDEX:
        clause.index_name = (clause.index_name or "").strip()
        if not clause.index_name:
            errors["index_name"] = [_("Name the price index (e.g. CPI, paper price index).")]
        for field in ("threshold_pct", "supplier_share_pct"):
            value = getattr(clause, field)
            if value is None:
                errors[field] = [_("Enter a percentage from 0 to 100.")]
            else:
                value = Decimal(value).quantize(CENT)
                if not Decimal(0) <= value <= HUNDRED:
                    errors[field] = [_("Enter a percentage from 0 to 100.")]
                setattr(clause, field, value)
    elif clause.kind == ClauseKind.FORCE_MAJEURE:
        clause.events = (clause.events or "").strip()
        if not clause.events:
            errors["events"] = [_("List the events the clause covers.")]
        if clause.notice_days is None:
            errors["notice_days"] = [_("Say within how many days the other side is told.")]
        else:
            problem = _score_problem(clause.notice_days, low=0, high=365)
            if problem:
                errors["notice_days"] = [problem]
    elif clause.kind == ClauseKind.BACKUP:
        if clause.backup is None:
            errors["backup"] = [_("Choose the backup supplier.")]
        elif clause.backup.workspace_id != clause.supplier.workspace_id:
            errors["backup"] = [_("Choose a supplier of the same workspace.")]
        elif clause.backup.pk == clause.supplier.pk:
            errors["backup"] = [_("A supplier cannot be its own backup.")]
    elif not clause.text:
        errors["text"] = [_("Write the terms of the clause.")]
    if errors:
        raise InvalidInput(fields=errors)


def clause_create(*, supplier: Supplier, actor: User, **fields: Any) -> RiskClause:
    reject_unknown(fields, CLAUSE_EDITABLE)
    require(actor, supplier.workspace_id, Action.EDIT)
    with transaction.atomic():
        clause = RiskClause(supplier=supplier, **fields)
        _clean_clause(clause)
        clause._history_user = actor  # type: ignore[attr-defined]
        clause.save()
    return clause


def clause_update(
    *, clause: RiskClause, expected_version: int, changes: Mapping[str, Any], actor: User
) -> RiskClause:
    reject_unknown(changes, CLAUSE_EDITABLE)
    require(actor, clause.supplier.workspace_id, Action.EDIT)
    with transaction.atomic():
        candidate = RiskClause.objects.select_related("supplier").get(pk=clause.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_clause(candidate)
        fields = {name: getattr(candidate, name) for name in CLAUSE_EDITABLE}
        return update_versioned(
            clause, expected_version=expected_version, changes=fields, actor=actor
        )


def clause_delete(*, clause: RiskClause, expected_version: int, actor: User) -> None:
    require(actor, clause.supplier.workspace_id, Action.EDIT)
    delete_versioned(clause, expected_version=expected_version, actor=actor)


# --- joint-innovation fund -------------------------------------------------------------------


def fund_for(plan: Plan) -> InnovationFund:
    fund, _created = InnovationFund.objects.get_or_create(plan=plan)
    return fund


def committed_to_projects(plan: Plan, *, excluding: int | None = None) -> Decimal:
    rows = InnovationProject.objects.filter(plan=plan)
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    total = rows.aggregate(total=Sum("budget"))["total"]
    return Decimal(total or 0)


def _money(value: Any, field: str) -> Decimal:
    from budget.ledger import money

    return money(value, field)


def fund_update(
    *, plan: Plan, expected_version: int, actor: User, **changes: Any
) -> InnovationFund:
    """Set the fund amount (never below what the projects already hold) and its purpose."""
    reject_unknown(changes, FUND_EDITABLE)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        fund_for(plan)
        fund = InnovationFund.objects.select_for_update().get(plan=plan)
        fields: dict[str, Any] = {}
        if "amount" in changes:
            amount = _money(changes["amount"], "amount")
            used = committed_to_projects(plan)
            if amount < used:
                raise InvalidInput(
                    fields={
                        "amount": [
                            _(
                                "The projects already hold %(used)s %(currency)s; the fund "
                                "cannot be smaller."
                            )
                            % {"used": f"{used:,.2f}", "currency": plan.currency}
                        ]
                    }
                )
            fields["amount"] = amount
        if "purpose" in changes:
            fields["purpose"] = (changes["purpose"] or "").strip()
        return update_versioned(
            fund, expected_version=expected_version, changes=fields, actor=actor
        )


def _locked_fund(plan: Plan) -> InnovationFund:
    fund_for(plan)
    return InnovationFund.objects.select_for_update().get(plan=plan)


def _clean_project(
    plan: Plan, fund: InnovationFund, project: InnovationProject, suppliers: list[Supplier] | None
) -> None:
    errors: dict[str, list[Any]] = {}
    project.name = (project.name or "").strip()
    if not project.name:
        errors["name"] = [_("Name the project.")]
    elif (
        InnovationProject.objects.filter(plan=plan, name__iexact=project.name)
        .exclude(pk=project.pk)
        .exists()
    ):
        errors["name"] = [_("The plan already has a project of this name.")]
    if project.status not in ProjectStatus.values:
        errors["status"] = [_("Choose a status.")]
    if suppliers is not None and any(s.workspace_id != plan.workspace_id for s in suppliers):
        errors["suppliers"] = [_("Choose suppliers of the plan's workspace.")]
    try:
        project.budget = _money(project.budget, "budget")
    except InvalidInput as error:
        errors.update(error.fields)
    else:
        others = committed_to_projects(plan, excluding=project.pk)
        if others + project.budget > fund.amount:
            left = max(fund.amount - others, Decimal(0))
            errors["budget"] = [
                _(
                    "The fund is %(fund)s %(currency)s and the other projects hold %(others)s; "
                    "at most %(left)s is left for this one."
                )
                % {
                    "fund": f"{fund.amount:,.2f}",
                    "others": f"{others:,.2f}",
                    "left": f"{left:,.2f}",
                    "currency": plan.currency,
                }
            ]
    project.results = (project.results or "").strip()
    if errors:
        raise InvalidInput(fields=errors)
    require_member(plan, project.owner, "owner")


def project_create(*, plan: Plan, actor: User, **fields: Any) -> InnovationProject:
    reject_unknown(fields, PROJECT_EDITABLE)
    suppliers = fields.pop("suppliers", None)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        fund = _locked_fund(plan)
        project = InnovationProject(plan=plan, **fields)
        _clean_project(plan, fund, project, list(suppliers) if suppliers is not None else None)
        project._history_user = actor  # type: ignore[attr-defined]
        project.save()
        if suppliers:
            project.suppliers.set(suppliers)
    return project


def project_update(
    *, project: InnovationProject, expected_version: int, changes: Mapping[str, Any], actor: User
) -> InnovationProject:
    reject_unknown(changes, PROJECT_EDITABLE)
    changes = dict(changes)
    suppliers = changes.pop("suppliers", None)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=project.plan_id, actor=actor)
        fund = _locked_fund(plan)
        candidate = InnovationProject.objects.get(pk=project.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_project(plan, fund, candidate, list(suppliers) if suppliers is not None else None)
        fresh = update_versioned(
            project,
            expected_version=expected_version,
            changes={name: getattr(candidate, name) for name in changes},
            actor=actor,
        )
        if suppliers is not None:
            fresh.suppliers.set(suppliers)
    return fresh


def project_delete(*, project: InnovationProject, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=project.plan_id, actor=actor)
        delete_versioned(project, expected_version=expected_version, actor=actor)
