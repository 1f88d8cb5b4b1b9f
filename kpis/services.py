"""Every write to the annual-goals section: objectives, KPIs, breakdowns, actuals,
the attainment policy and the market-share / brand-voice goals.

Writes lock the plan row (``plan_for_edit``) so nothing lands in a plan that
was just submitted, check the version of the row they change, and validate the
whole KPI tree (formulas parse, units agree, no cycles) before anything is saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.locking import delete_versioned, update_versioned
from kpis import breakdown, formulas
from kpis.catalogue import BY_KIND
from kpis.messages import translate
from kpis.models import (
    GOAL_KINDS_BY_FAMILY,
    AttainmentPolicy,
    Kpi,
    KpiActual,
    Objective,
    Profile,
    Source,
    StrategicGoal,
)
from planner.access import Action, require
from planner.editing import plan_for_edit, reject_unknown, require_member
from planner.models import Plan

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# What an editor may set on a KPI, in the order forms and the API show it.
KPI_EDITABLE = (
    "objective",
    "kind",
    "code",
    "name",
    "unit",
    "direction",
    "source",
    "formula",
    "annual_target",
    "aggregation",
    "profile",
    "owner",
    "sort_order",
)
KPI_FIELDS = frozenset(KPI_EDITABLE)
OBJECTIVE_FIELDS = frozenset({"area", "title", "description", "owner", "sort_order"})
GOAL_EDITABLE = (
    "family",
    "kind",
    "subject",
    "indicator",
    "unit",
    "baseline",
    "target",
    "reference",
    "kpi",
    "notes",
)
GOAL_FIELDS = frozenset(GOAL_EDITABLE)


def _same_plan(plan: Plan, **objects: Any) -> None:
    """References (objective, KPI) must belong to the same plan."""
    errors = {
        name: [_("Choose one from this plan.")]
        for name, obj in objects.items()
        if obj is not None and obj.plan_id != plan.pk
    }
    if errors:
        raise InvalidInput(fields=errors)


# --- the KPI tree ------------------------------------------------------------------


def specs_for(kpis: Sequence[Kpi]) -> dict[str, formulas.NodeSpec]:
    """The plan's KPIs as formula nodes with their annual targets."""
    return {
        kpi.code: formulas.NodeSpec(
            code=kpi.code,
            unit=cast(formulas.Unit, kpi.unit),
            formula=kpi.formula if kpi.is_formula else "",
            # A formula KPI's own annual_target is its goal, not an input value.
            value=None if kpi.is_formula or kpi.annual_target is None else float(kpi.annual_target),
        )
        for kpi in kpis
    }


def _validate_tree(plan: Plan, candidate: Kpi, *, removing: bool = False) -> None:
    """Check the plan's whole tree with ``candidate`` saved (or removed).

    1. Build the node specs of every KPI of the plan, the candidate replacing
       its stored self.
    2. Parse the candidate's formula and check its units against the KPIs it names.
    3. Order the tree: an unknown code or a cycle is refused, naming it.
    """
    others = [k for k in Kpi.objects.filter(plan=plan) if k.pk != candidate.pk]
    nodes = others if removing else [*others, candidate]
    specs = specs_for(nodes)
    if removing:
        users = sorted(k.code for k in others if k.is_formula and candidate.code in _refs(k))
        if users:
            raise InvalidInput(
                _("%(code)s is used in the formulas of %(users)s; change those first.")
                % {"code": candidate.code, "users": ", ".join(users)}
            )
        return
    try:
        if candidate.is_formula:
            expr = formulas.parse(candidate.formula)
            units = {code: spec.unit for code, spec in specs.items()}
            missing = sorted(formulas.references(expr) - set(units))
            if missing:
                raise formulas.FormulaError(
                    _("The formula names KPIs this plan does not have: %(codes)s.")
                    % {"codes": ", ".join(missing)}
                )
            formulas.check_units(expr, units, candidate.unit)  # type: ignore[arg-type]
        formulas.evaluation_order(specs)
    except formulas.FormulaError as error:
        raise InvalidInput(fields={"formula": [translate(error)]}) from None


def _refs(kpi: Kpi) -> frozenset[str]:
    try:
        return formulas.references(formulas.parse(kpi.formula))
    except formulas.FormulaError:
        return frozenset()


def _clean_kpi(plan: Plan, kpi: Kpi) -> None:
    errors: dict[str, list[Any]] = {}
    if not CODE_RE.match(kpi.code or ""):
        errors["code"] = [_("Use lower-case letters, digits and _; start with a letter.")]
    if not (kpi.name or "").strip():
        errors["name"] = [_("Give the KPI a name.")]
    if kpi.is_formula and not kpi.formula.strip():
        errors["formula"] = [_("A formula KPI needs a formula.")]
    if not kpi.is_formula and kpi.formula:
        errors["formula"] = [_("Only a formula KPI has a formula; choose the source “formula”.")]
    if kpi.annual_target is not None and kpi.annual_target < 0:
        errors["annual_target"] = [_("The target cannot be negative.")]
    clash = Kpi.objects.filter(plan=plan, code=kpi.code).exclude(pk=kpi.pk)
    if "code" not in errors and clash.exists():
        errors["code"] = [_("This plan already has a KPI with this code.")]
    if errors:
        raise InvalidInput(fields=errors)
    _same_plan(plan, objective=kpi.objective)
    require_member(plan, kpi.owner)
    _validate_tree(plan, kpi)


def _resplit(kpi: Kpi) -> None:
    """Spread the annual target over the months by the KPI's seasonal profile."""
    if kpi.is_formula or kpi.annual_target is None:
        kpi.months = []
        return
    rule = kpi.rule
    if kpi.profile == Profile.MANUAL and len(kpi.months) == 12:
        return  # kept as edited; the page shows whether it still reconciles
    profile = Profile.EVEN if kpi.profile == Profile.MANUAL else kpi.profile
    weights = breakdown.seasonal_weights(profile, kpi.plan.year)
    values = breakdown.split(Decimal(kpi.annual_target), weights, rule, places=kpi.places)
    kpi.months = [[str(v), str(w)] for v, w in zip(values, weights, strict=True)]


def kpi_create(*, plan: Plan, actor: User, **fields: Any) -> Kpi:
    reject_unknown(fields, KPI_FIELDS)
    entry = BY_KIND.get(fields.get("kind", ""))
    defaults: dict[str, Any] = {}
    if entry is not None:
        defaults = {
            "code": entry.kind,
            "name": str(entry.label),
            "unit": entry.unit,
            "direction": entry.direction,
            "aggregation": entry.default_aggregation,
        }
    values = {**defaults, **{k: v for k, v in fields.items() if v not in (None, "")}}
    unit = values.get("unit", "count")
    values.setdefault("aggregation", "sum" if unit in ("count", "money") else "weighted")
    if "annual_target" in fields:
        values["annual_target"] = fields["annual_target"]
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        kpi = Kpi(plan=plan, **values)
        _clean_kpi(plan, kpi)
        _resplit(kpi)
        kpi._history_user = actor  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                kpi.save()
        except IntegrityError:
            raise InvalidInput(
                fields={"code": [_("This plan already has a KPI with this code.")]}
            ) from None
    return kpi


def kpi_update(*, kpi: Kpi, expected_version: int, changes: Mapping[str, Any], actor: User) -> Kpi:
    reject_unknown(changes, KPI_FIELDS)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=kpi.plan_id, actor=actor)
        candidate = Kpi.objects.get(pk=kpi.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        if not candidate.aggregation:
            candidate.aggregation = "sum" if candidate.unit in ("count", "money") else "weighted"
        if not candidate.is_formula:
            candidate.formula = ""
        _clean_kpi(plan, candidate)
        if {"annual_target", "profile", "unit", "source", "aggregation"} & set(changes):
            _resplit(candidate)
        fields = {
            name: getattr(candidate, name)
            for name in {*changes, "annual_target", "formula", "months", "aggregation"}
        }
        return update_versioned(kpi, expected_version=expected_version, changes=fields, actor=actor)


def kpi_delete(*, kpi: Kpi, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan = plan_for_edit(plan_id=kpi.plan_id, actor=actor)
        _validate_tree(plan, kpi, removing=True)
        delete_versioned(kpi, expected_version=expected_version, actor=actor)


# --- breakdowns --------------------------------------------------------------------


def _decimals(raw: Sequence[Any], *, field: str, places: int, nonnegative: bool) -> list[Decimal]:
    values: list[Decimal] = []
    for index, item in enumerate(raw, start=1):
        try:
            value = Decimal(str(item))
        except (InvalidOperation, ValueError):
            raise InvalidInput(
                fields={field: [_("Part %(n)s is not a number.") % {"n": index}]}
            ) from None
        if not value.is_finite() or (nonnegative and value < 0):
            raise InvalidInput(
                fields={field: [_("Part %(n)s must be zero or more.") % {"n": index}]}
            )
        values.append(round(value, places))
    return values


def breakdown_update(
    *,
    kpi: Kpi,
    expected_version: int,
    actor: User,
    months: Sequence[Any] | None = None,
    weights: Sequence[Any] | None = None,
    channels: Mapping[str, Any] | None = None,
    regions: Mapping[str, Any] | None = None,
) -> Kpi:
    """Replace (parts of) a KPI's breakdown; the profile becomes "by hand".

    Parts that do not reconcile with the annual target are stored as they are
    and reported as such by ``kpis.queries.breakdown_status``: an editor may be
    half-way through moving money between months.
    """
    if kpi.is_formula:
        raise InvalidInput(_("A formula KPI's breakdown is computed from its inputs."))
    changes: dict[str, Any] = {}
    with transaction.atomic():
        plan = plan_for_edit(plan_id=kpi.plan_id, actor=actor)
        current = Kpi.objects.get(pk=kpi.pk)
        if months is not None or weights is not None:
            old_weights = current.month_weights() or [Decimal(1)] * 12
            new_values = (
                _decimals(months, field="months", places=current.places, nonnegative=True)
                if months is not None
                else current.month_values()
            )
            new_weights = (
                _decimals(weights, field="weights", places=4, nonnegative=True)
                if weights is not None
                else old_weights
            )
            if len(new_values) != 12 or len(new_weights) != 12:
                raise InvalidInput(fields={"months": [_("Give exactly 12 months.")]})
            if sum(new_weights) <= 0:
                raise InvalidInput(
                    fields={"weights": [_("At least one weight must be above zero.")]}
                )
            changes["months"] = [
                [str(v), str(w)] for v, w in zip(new_values, new_weights, strict=True)
            ]
            changes["profile"] = Profile.MANUAL
        if channels is not None:
            known = set(plan.channels.values_list("code", flat=True))
            unknown = sorted(set(channels) - known)
            if unknown:
                raise InvalidInput(
                    fields={
                        "channels": [_("Unknown channel code %(code)s.") % {"code": unknown[0]}]
                    }
                )
            parts = _decimals(
                list(channels.values()), field="channels", places=current.places, nonnegative=True
            )
            changes["channel_split"] = {
                code: str(v) for code, v in zip(channels, parts, strict=True)
            }
        if regions is not None:
            names = [str(name).strip() for name in regions]
            if any(not name or len(name) > 60 for name in names):
                raise InvalidInput(
                    fields={"regions": [_("Region names must be 1 to 60 characters.")]}
                )
            parts = _decimals(
                list(regions.values()), field="regions", places=current.places, nonnegative=True
            )
            changes["region_split"] = {name: str(v) for name, v in zip(names, parts, strict=True)}
        if not changes:
            raise InvalidInput(_("Nothing to change."))
        return update_versioned(
            kpi, expected_version=expected_version, changes=changes, actor=actor
        )


def breakdown_rebalance(
    *, kpi: Kpi, expected_version: int, actor: User, locked: Sequence[int] = ()
) -> Kpi:
    """Adjust the months not in ``locked`` (1–12) so the year reconciles again."""
    if kpi.is_formula or kpi.annual_target is None or len(kpi.months) != 12:
        raise InvalidInput(_("This KPI has no monthly breakdown to rebalance."))
    rule = kpi.rule
    try:
        values = breakdown.rebalance(
            Decimal(kpi.annual_target),
            kpi.month_values(),
            kpi.month_weights(),
            rule,
            locked={m - 1 for m in locked},
            places=kpi.places,
        )
    except ValueError as error:
        raise InvalidInput(fields={"months": [translate(error)]}) from None
    return breakdown_update(kpi=kpi, expected_version=expected_version, actor=actor, months=values)


def breakdown_set_quarter(
    *, kpi: Kpi, expected_version: int, actor: User, quarter: int, total: Decimal
) -> Kpi:
    """Set one quarter's total; its three months keep their proportions."""
    if kpi.is_formula or len(kpi.months) != 12 or not 1 <= quarter <= 4:
        raise InvalidInput(_("This KPI has no monthly breakdown to edit."))
    try:
        values = breakdown.set_quarter(
            kpi.month_values(),
            kpi.month_weights(),
            kpi.rule,
            quarter=quarter,
            total=total,
            places=kpi.places,
        )
    except ValueError as error:
        raise InvalidInput(fields={"months": [translate(error)]}) from None
    return breakdown_update(kpi=kpi, expected_version=expected_version, actor=actor, months=values)


# --- actuals -----------------------------------------------------------------------


def actuals_set(*, kpi: Kpi, values: Mapping[int, Any], actor: User) -> list[KpiActual]:
    """Enter actuals by hand (month → value; None clears the month)."""
    if kpi.source != Source.MANUAL:
        raise InvalidInput(_("Only a KPI entered by hand takes actuals here."))
    errors: dict[str, list[Any]] = {}
    clean: dict[int, Decimal | None] = {}
    for month, raw in values.items():
        if not 1 <= int(month) <= 12:
            errors[f"m{month}"] = [_("Months run from 1 to 12.")]
            continue
        if raw is None or raw == "":
            clean[int(month)] = None
            continue
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            errors[f"m{month}"] = [_("Not a number.")]
            continue
        if not value.is_finite() or value < 0:
            errors[f"m{month}"] = [_("Must be zero or more.")]
            continue
        clean[int(month)] = round(value, kpi.places)
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        # Actuals are recorded facts, not plan data: editors enter them while
        # the plan is approved and running.
        require(actor, Plan.objects.get(pk=kpi.plan_id).workspace_id, Action.EDIT)
        for month, entry in clean.items():
            if entry is None:
                KpiActual.objects.filter(kpi=kpi, month=month).delete()
            else:
                KpiActual.objects.update_or_create(kpi=kpi, month=month, defaults={"value": entry})
    return list(kpi.actuals.order_by("month"))


# --- objectives, policy and strategic goals ----------------------------------------


def objective_create(*, plan: Plan, actor: User, **fields: Any) -> Objective:
    reject_unknown(fields, OBJECTIVE_FIELDS)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        objective = Objective(plan=plan, **fields)
        if not objective.title.strip():
            raise InvalidInput(fields={"title": [_("Give the objective a title.")]})
        require_member(plan, objective.owner)
        objective._history_user = actor  # type: ignore[attr-defined]
        objective.save()
    return objective


def objective_update(
    *, objective: Objective, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Objective:
    reject_unknown(changes, OBJECTIVE_FIELDS)
    if "title" in changes and not str(changes["title"]).strip():
        raise InvalidInput(fields={"title": [_("Give the objective a title.")]})
    with transaction.atomic():
        plan = plan_for_edit(plan_id=objective.plan_id, actor=actor)
        require_member(plan, changes.get("owner"))
        return update_versioned(
            objective, expected_version=expected_version, changes=changes, actor=actor
        )


def objective_delete(*, objective: Objective, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_edit(plan_id=objective.plan_id, actor=actor)
        delete_versioned(objective, expected_version=expected_version, actor=actor)


def policy_for(plan: Plan) -> AttainmentPolicy:
    policy, _created = AttainmentPolicy.objects.get_or_create(plan=plan)
    return policy


def policy_update(
    *,
    plan: Plan,
    expected_version: int,
    at_risk_below: Decimal,
    off_track_below: Decimal,
    actor: User,
) -> AttainmentPolicy:
    if not Decimal(0) < off_track_below <= at_risk_below <= Decimal(2):
        raise InvalidInput(
            fields={"off_track_below": [_("Use 0 < off track ≤ at risk ≤ 2 (e.g. 0.85 and 0.95).")]}
        )
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        return update_versioned(
            policy_for(plan),
            expected_version=expected_version,
            changes={"at_risk_below": at_risk_below, "off_track_below": off_track_below},
            actor=actor,
        )


def _clean_goal(plan: Plan, goal: StrategicGoal) -> None:
    errors: dict[str, list[Any]] = {}
    if goal.kind not in GOAL_KINDS_BY_FAMILY.get(goal.family, []):  # type: ignore[call-overload]
        errors["kind"] = [_("This kind of goal does not belong to this family.")]
    for name in ("subject", "indicator"):
        if not str(getattr(goal, name) or "").strip():
            errors[name] = [_("This field is required.")]
    if goal.target is None:
        errors["target"] = [_("Set a target.")]
    if errors:
        raise InvalidInput(fields=errors)
    _same_plan(plan, kpi=goal.kpi)


def goal_create(*, plan: Plan, actor: User, **fields: Any) -> StrategicGoal:
    reject_unknown(fields, GOAL_FIELDS)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        goal = StrategicGoal(plan=plan, **fields)
        _clean_goal(plan, goal)
        goal._history_user = actor  # type: ignore[attr-defined]
        goal.save()
    return goal


def goal_update(
    *, goal: StrategicGoal, expected_version: int, changes: Mapping[str, Any], actor: User
) -> StrategicGoal:
    reject_unknown(changes, GOAL_FIELDS)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=goal.plan_id, actor=actor)
        candidate = StrategicGoal.objects.get(pk=goal.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_goal(plan, candidate)
        return update_versioned(
            goal, expected_version=expected_version, changes=changes, actor=actor
        )


def goal_delete(*, goal: StrategicGoal, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_edit(plan_id=goal.plan_id, actor=actor)
        delete_versioned(goal, expected_version=expected_version, actor=actor)
