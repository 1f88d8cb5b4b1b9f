"""Writes of the budget's money: settings, allocation rules and their accepted proposal,
line adjustments, purchase orders and invoices.

Planning writes (settings, rules, lines) need a draft plan (``plan_for_edit``); recording
how the plan runs (purchase orders, invoices) goes on after approval
(``plan_for_execution``). Money moves only through ``budget.ledger``; every service
locks the plan row, then the budget row, then lines — always in that order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from budget import actuals, allocation, ledger
from budget.models import (
    AllocationRule,
    Budget,
    BudgetLine,
    Invoice,
    ObjectiveWeight,
    PoStatus,
    PurchaseOrder,
    Transfer,
    TransferKind,
)
from budget.models.money import ZERO
from channels.models import Channel, ChannelFamily
from content.models import Campaign
from core.errors import InvalidInput, InvalidTransition, StaleVersion
from core.locking import delete_versioned, update_versioned
from kpis.models import Objective
from planner.editing import plan_for_edit, plan_for_execution, reject_unknown
from planner.models import Plan

HUNDRED = Decimal(100)
SETTINGS_EDITABLE = (
    "total",
    "reserve_pct",
    "max_move_pct",
    "max_review_pct",
    "q1_share",
    "q2_share",
    "q3_share",
    "q4_share",
)
QUARTER_FIELDS = ("q1_share", "q2_share", "q3_share", "q4_share")
LINE_EDITABLE = ("planned", "note")
PO_CREATE = ("line", "number", "supplier_name", "description", "amount", "issued_on")
PO_EDITABLE = ("supplier_name", "description", "status")
INVOICE_CREATE = (
    "line",
    "purchase_order",
    "number",
    "supplier_name",
    "amount",
    "invoiced_on",
)


def _pct(value: Any, field: str, top: Decimal, errors: dict[str, list[Any]]) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if not number.is_finite() or number < 0 or number > top:
        errors[field] = [_("Enter a percentage from 0 to %(top)s.") % {"top": top}]
        return None
    return number.quantize(Decimal("0.01"))


# --- settings ----------------------------------------------------------------------------------


def settings_update(
    *, plan: Plan, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Budget:
    """Set the total, the reserve %, the review limits and the quarter split.

    The whole change is checked first; a total below what lines and the reserve hold
    is refused with the amount to release, and nothing is written."""
    reject_unknown(changes, SETTINGS_EDITABLE)
    with transaction.atomic():
        plan_for_edit(plan_id=plan.pk, actor=actor)
        budget = ledger.locked_budget(plan)
        if budget.version != expected_version:
            raise StaleVersion(current=budget)
        errors: dict[str, list[Any]] = {}
        values: dict[str, Decimal] = {}
        tops = {"reserve_pct": Decimal(50), "max_move_pct": HUNDRED, "max_review_pct": HUNDRED}
        for name, value in changes.items():
            if name == "total":
                try:
                    values[name] = ledger.money(value, "total")
                except InvalidInput as error:
                    errors.update(error.fields)
            else:
                parsed = _pct(value, name, tops.get(name, HUNDRED), errors)
                if parsed is not None:
                    values[name] = parsed
        shares = [values.get(f, getattr(budget, f)) for f in QUARTER_FIELDS]
        if not any(f in errors for f in QUARTER_FIELDS) and sum(shares) != HUNDRED:
            errors["q4_share"] = [
                _("The quarter shares add up to %(sum)s%%; they must add up to 100%%.")
                % {"sum": sum(shares)}
            ]
        if errors:
            raise InvalidInput(fields=errors)
        for name in ("max_move_pct", "max_review_pct", *QUARTER_FIELDS):
            if name in values:
                setattr(budget, name, values[name])
        ledger.set_total(
            budget,
            total=values.get("total", budget.total),
            reserve_pct=values.get("reserve_pct", budget.reserve_pct),
            actor=actor,
            reason=_("Budget settings changed"),
        )
        budget.version += 1  # the row is locked: no concurrent writer
        budget._history_user = actor  # type: ignore[attr-defined]
        budget.save(
            update_fields=[
                "max_move_pct",
                "max_review_pct",
                *QUARTER_FIELDS,
                "version",
                "updated_at",
            ]
        )
        budget.refresh_from_db()
        return budget


# --- allocation rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInput:
    """A channel's rule as a form or the API sends it (version 0: no rule saved yet)."""

    channel: Channel
    priority: Decimal
    objective: Objective | None
    version: int = 0


@dataclass(frozen=True)
class WeightInput:
    objective: Objective
    weight: Decimal
    version: int = 0


def rules_save(
    *,
    plan: Plan,
    actor: User,
    rules: list[RuleInput],
    weights: list[WeightInput],
) -> None:
    """Save channel priorities and objective weights together (all or nothing)."""
    errors: dict[str, list[Any]] = {}
    for rule in rules:
        if rule.channel.plan_id != plan.pk:
            errors["channel"] = [_("Choose a channel of this plan.")]
        if rule.objective is not None and rule.objective.plan_id != plan.pk:
            errors["objective"] = [_("Choose an objective of this plan.")]
        if not (ZERO <= rule.priority <= HUNDRED):
            errors[f"priority-{rule.channel.pk}"] = [_("Enter a priority from 0 to 100.")]
    for item in weights:
        if item.objective.plan_id != plan.pk:
            errors["objective"] = [_("Choose an objective of this plan.")]
        if not (ZERO <= item.weight <= HUNDRED):
            errors[f"weight-{item.objective.pk}"] = [_("Enter a weight from 0 to 100.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        plan_for_edit(plan_id=plan.pk, actor=actor)
        existing = {r.channel_id: r for r in AllocationRule.objects.filter(plan=plan)}
        for rule in rules:
            found = existing.get(rule.channel.pk)
            fields = {"priority": rule.priority, "objective": rule.objective}
            if found is None:
                if rule.version:
                    raise StaleVersion()
                created = AllocationRule(plan=plan, channel=rule.channel, **fields)
                created._history_user = actor  # type: ignore[attr-defined]
                created.save()
            elif found.priority != rule.priority or found.objective_id != (
                rule.objective.pk if rule.objective else None
            ):
                update_versioned(found, expected_version=rule.version, changes=fields, actor=actor)
        saved = {w.objective_id: w for w in ObjectiveWeight.objects.filter(plan=plan)}
        for item in weights:
            current = saved.get(item.objective.pk)
            if current is None:
                if item.version:
                    raise StaleVersion()
                made = ObjectiveWeight(plan=plan, objective=item.objective, weight=item.weight)
                made._history_user = actor  # type: ignore[attr-defined]
                made.save()
            elif current.weight != item.weight:
                update_versioned(
                    current,
                    expected_version=item.version,
                    changes={"weight": item.weight},
                    actor=actor,
                )


def channel_weights(plan: Plan) -> dict[int, allocation.ChannelWeight]:
    """Each active channel's rule (priority 1, no objective, when it has none)."""
    rules = {
        r.channel_id: r
        for r in AllocationRule.objects.filter(plan=plan).select_related("objective")
    }
    weights = {w.objective_id: w.weight for w in ObjectiveWeight.objects.filter(plan=plan)}
    result = {}
    family_order = {f: i for i, f in enumerate(ChannelFamily.values)}
    active = sorted(
        Channel.objects.filter(plan=plan, is_active=True),
        key=lambda c: (family_order.get(c.family, 9), c.sort_order, c.code),
    )
    for channel in active:
        rule = rules.get(channel.pk)
        if rule is None:
            result[channel.pk] = allocation.ChannelWeight(Decimal(1))
        else:
            objective_weight = (
                weights.get(rule.objective_id, Decimal(1)) if rule.objective_id else Decimal(1)
            )
            result[channel.pk] = allocation.ChannelWeight(rule.priority, objective_weight)
    return result


def proposal_for(plan: Plan, budget: Budget | None = None) -> allocation.Proposal[int]:
    """The allocation the rules propose for the plan's allocatable money now."""
    budget = budget or ledger.budget_of(plan)
    return allocation.propose(budget.allocatable, channel_weights(plan), budget.quarter_split)


@dataclass(frozen=True)
class Accepted:
    lines_changed: int
    allocated: Decimal


def accept_allocation(*, plan: Plan, actor: User) -> Accepted:
    """Set every channel line to the proposal (less its campaign lines), in one transaction.

    Refused as a whole, naming the lines, when a line would fall below what is
    committed or spent, or campaign lines already hold more than the proposal."""
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        budget = ledger.locked_budget(plan)
        proposal = proposal_for(plan, budget)
        if proposal.total != budget.allocatable:
            raise InvalidInput(
                _("Give at least one active channel a priority above zero, and a quarter a share.")
            )
        lines = list(
            BudgetLine.objects.select_for_update(of=("self",))
            .filter(plan=plan)
            .select_related("channel", "campaign")
            .order_by("pk")
        )
        spent = actuals.spent_by_line(plan, lines)
        campaign_money: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        channel_lines: dict[tuple[int, int], BudgetLine] = {}
        for line in lines:
            if line.campaign_id is None:
                channel_lines[(line.channel_id, line.quarter)] = line
            else:
                campaign_money[(line.channel_id, line.quarter)] += line.planned
        targets: dict[tuple[int, int], Decimal] = dict.fromkeys(channel_lines, ZERO)
        problems: list[str] = []
        names = {c.pk: c for c in Channel.objects.filter(plan=plan)}
        for (channel_id, quarter), amount in proposal.by_cell.items():
            key = (channel_id, quarter)
            rest = amount - campaign_money[key]
            if rest < 0:
                problems.append(
                    _(
                        "%(channel)s Q%(q)s: campaign lines hold %(held)s, more than the "
                        "proposed %(amount)s."
                    )
                    % {
                        "channel": names[key[0]],
                        "q": quarter,
                        "held": f"{campaign_money[key]:,.2f}",
                        "amount": f"{amount:,.2f}",
                    }
                )
            targets[key] = max(rest, ZERO)
        for key, line in channel_lines.items():
            used = spent[line.pk].used
            if targets[key] < line.planned and targets[key] < used:
                problems.append(
                    _("%(line)s: %(used)s is already committed or spent.")
                    % {"line": line, "used": f"{used:,.2f}"}
                )
        if problems:
            raise InvalidInput(" ".join(problems), fields={"allocation": problems})
        changed = 0
        reason = _("Allocation proposal accepted")
        # Release money first, so that the unallocated pool can fund the increases.
        for key, line in channel_lines.items():
            if targets[key] < line.planned:
                ledger.set_planned(
                    budget,
                    line,
                    planned=targets[key],
                    actor=actor,
                    reason=reason,
                    kind=TransferKind.ALLOCATE,
                )
                changed += 1
        for key, target in targets.items():
            line_or_none = channel_lines.get(key)
            if line_or_none is not None and target <= line_or_none.planned:
                continue
            if line_or_none is None and target == 0:
                continue
            line = line_or_none or ledger.line_for(
                plan, channel=names[key[0]], campaign=None, quarter=key[1]
            )
            ledger.set_planned(
                budget, line, planned=target, actor=actor, reason=reason, kind=TransferKind.ALLOCATE
            )
            changed += 1
        budget.refresh_from_db()
        return Accepted(lines_changed=changed, allocated=budget.allocated)


# --- lines --------------------------------------------------------------------------------------


def line_create(
    *,
    plan: Plan,
    actor: User,
    channel: Channel,
    quarter: int,
    campaign: Campaign | None = None,
    planned: Any = ZERO,
    note: str = "",
) -> BudgetLine:
    """A new line (channel or campaign, one quarter), funded from the unallocated pool."""
    amount = ledger.money(planned, "planned")
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        budget = ledger.locked_budget(plan)
        if campaign is not None and campaign.plan_id == plan.pk:
            exists = BudgetLine.objects.filter(
                plan=plan, channel=channel, campaign=campaign, quarter=quarter
            )
        else:
            exists = BudgetLine.objects.filter(
                plan=plan, channel=channel, campaign__isnull=True, quarter=quarter
            )
        if channel.plan_id == plan.pk and exists.exists():
            raise InvalidInput(
                fields={"quarter": [_("This line already exists; adjust it instead.")]}
            )
        line = ledger.line_for(plan, channel=channel, campaign=campaign, quarter=quarter)
        if note:
            BudgetLine.objects.filter(pk=line.pk).update(note=note[:200])
            line.note = note[:200]
        if amount > 0:
            ledger.set_planned(
                budget, line, planned=amount, actor=actor, reason=note or _("New budget line")
            )
        line.refresh_from_db()
        return line


def line_update(
    *, line: BudgetLine, expected_version: int, changes: Mapping[str, Any], actor: User
) -> BudgetLine:
    """Adjust a line's planned amount (through the unallocated pool) and its note.

    A line never goes below what is committed or spent on it."""
    reject_unknown(changes, LINE_EDITABLE)
    planned = ledger.money(changes["planned"], "planned") if "planned" in changes else None
    with transaction.atomic():
        plan = plan_for_edit(plan_id=line.plan_id, actor=actor)
        budget = ledger.locked_budget(plan)
        fresh = ledger.claim_line(line, expected_version)
        if "note" in changes and (changes["note"] or "") != fresh.note:
            BudgetLine.objects.filter(pk=fresh.pk).update(
                note=(changes["note"] or "")[:200], version=F("version") + 1
            )
            fresh.refresh_from_db()
        if planned is not None and planned != fresh.planned:
            used = actuals.spent_by_line(plan).get(fresh.pk, actuals.Spent()).used
            if planned < fresh.planned and planned < used:
                raise InvalidInput(
                    fields={
                        "planned": [
                            _("%(used)s of this line is already committed or spent.")
                            % {"used": f"{used:,.2f}"}
                        ]
                    }
                )
            ledger.set_planned(
                budget,
                fresh,
                planned=planned,
                actor=actor,
                reason=(changes.get("note") or "") or _("Line adjusted"),
                movable=max(fresh.planned - used, ZERO),
            )
        fresh.refresh_from_db()
        return fresh


def line_delete(*, line: BudgetLine, expected_version: int, actor: User) -> None:
    """Remove a line that holds no money and was never used."""
    with transaction.atomic():
        plan_for_edit(plan_id=line.plan_id, actor=actor)
        fresh = ledger.claim_line(line, expected_version)
        used = (
            fresh.planned != 0
            or Transfer.objects.filter(source_line=fresh).exists()
            or Transfer.objects.filter(target_line=fresh).exists()
            or fresh.purchase_orders.exists()
            or fresh.invoices.exists()
        )
        if used:
            raise InvalidInput(
                _("Only a line that never held money and has no orders or invoices can be removed.")
            )
        delete_versioned(fresh, expected_version=expected_version, actor=actor)


# --- purchase orders and invoices ---------------------------------------------------------------


def _text(fields: Mapping[str, Any], name: str) -> str:
    return str(fields.get(name) or "").strip()


def po_create(*, plan: Plan, actor: User, **fields: Any) -> PurchaseOrder:
    reject_unknown(fields, PO_CREATE)
    errors: dict[str, list[Any]] = {}
    line = fields.get("line")
    if not isinstance(line, BudgetLine) or line.plan_id != plan.pk:
        errors["line"] = [_("Choose a budget line of this plan.")]
    number, supplier = _text(fields, "number"), _text(fields, "supplier_name")
    if not number:
        errors["number"] = [_("Enter the PO number.")]
    if not supplier:
        errors["supplier_name"] = [_("Name the supplier.")]
    amount = _positive(fields.get("amount"), errors)
    if not isinstance(fields.get("issued_on"), date):
        errors["issued_on"] = [_("Enter the date the order was issued.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        if PurchaseOrder.objects.filter(plan=plan, number=number).exists():
            raise InvalidInput(
                fields={"number": [_("The plan already has an order of this number.")]}
            )
        order = PurchaseOrder(
            plan=plan,
            line=line,
            number=number,
            supplier_name=supplier,
            description=_text(fields, "description")[:300],
            amount=amount,
            issued_on=fields["issued_on"],
            created_by=actor,
        )
        order._history_user = actor  # type: ignore[attr-defined]
        order.save()
        return order


def _positive(value: Any, errors: dict[str, list[Any]]) -> Decimal:
    try:
        amount = ledger.money(value, "amount")
    except InvalidInput as error:
        errors.update(error.fields)
        return ZERO
    if amount <= 0:
        errors["amount"] = [_("Enter an amount greater than zero.")]
    return amount


def po_update(
    *,
    purchase_order: PurchaseOrder,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: User,
) -> PurchaseOrder:
    """Change the supplier or description, or cancel an open order (releasing what it
    still commits)."""
    reject_unknown(changes, PO_EDITABLE)
    with transaction.atomic():
        plan_for_execution(plan_id=purchase_order.plan_id, actor=actor)
        current = PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)
        if current.version != expected_version:
            raise StaleVersion(current=current)
        clean: dict[str, Any] = {}
        if "status" in changes and changes["status"] != current.status:
            if not (current.status == PoStatus.OPEN and changes["status"] == PoStatus.CANCELLED):
                raise InvalidTransition(_("Only an open order can be cancelled."))
            clean["status"] = PoStatus.CANCELLED
        if "supplier_name" in changes:
            supplier = _text(changes, "supplier_name")
            if not supplier:
                raise InvalidInput(fields={"supplier_name": [_("Name the supplier.")]})
            clean["supplier_name"] = supplier
        if "description" in changes:
            clean["description"] = _text(changes, "description")[:300]
        if not clean:
            return current
        return update_versioned(
            current, expected_version=expected_version, changes=clean, actor=actor
        )


def po_cancel(
    *, purchase_order: PurchaseOrder, expected_version: int, actor: User
) -> PurchaseOrder:
    return po_update(
        purchase_order=purchase_order,
        expected_version=expected_version,
        changes={"status": PoStatus.CANCELLED},
        actor=actor,
    )


def _settle(order: PurchaseOrder, actor: User) -> None:
    """Mark the order invoiced once its invoices cover it (or open again when not)."""
    invoiced = order.invoices.aggregate(s=Sum("amount"))["s"] or ZERO
    wanted = PoStatus.INVOICED if invoiced >= order.amount else PoStatus.OPEN
    if order.status != PoStatus.CANCELLED and order.status != wanted:
        update_versioned(
            order, expected_version=order.version, changes={"status": wanted}, actor=actor
        )


def invoice_create(*, plan: Plan, actor: User, **fields: Any) -> Invoice:
    reject_unknown(fields, INVOICE_CREATE)
    errors: dict[str, list[Any]] = {}
    order = fields.get("purchase_order")
    line = fields.get("line")
    if order is not None and (not isinstance(order, PurchaseOrder) or order.plan_id != plan.pk):
        errors["purchase_order"] = [_("Choose a purchase order of this plan.")]
        order = None
    if line is None and order is not None:
        line = order.line
    if not isinstance(line, BudgetLine) or line.plan_id != plan.pk:
        errors["line"] = [_("Choose a budget line of this plan.")]
    elif order is not None and order.line_id != line.pk:
        errors["line"] = [_("The invoice goes on the line of its purchase order.")]
    number = _text(fields, "number")
    if not number:
        errors["number"] = [_("Enter the invoice number.")]
    amount = _positive(fields.get("amount"), errors)
    if not isinstance(fields.get("invoiced_on"), date):
        errors["invoiced_on"] = [_("Enter the invoice date.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        if order is not None:
            order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
            if order.status != PoStatus.OPEN:
                raise InvalidInput(
                    fields={"purchase_order": [_("Only an open order can be invoiced.")]}
                )
        if Invoice.objects.filter(plan=plan, number=number).exists():
            raise InvalidInput(
                fields={"number": [_("The plan already has an invoice of this number.")]}
            )
        invoice = Invoice(
            plan=plan,
            line=line,
            purchase_order=order,
            number=number,
            supplier_name=_text(fields, "supplier_name") or (order.supplier_name if order else ""),
            amount=amount,
            invoiced_on=fields["invoiced_on"],
            created_by=actor,
        )
        invoice._history_user = actor  # type: ignore[attr-defined]
        invoice.save()
        if order is not None:
            _settle(order, actor)
        return invoice


def invoice_delete(*, invoice: Invoice, expected_version: int, actor: User) -> None:
    """Remove an invoice entered by mistake (its order, if any, is open again)."""
    with transaction.atomic():
        plan_for_execution(plan_id=invoice.plan_id, actor=actor)
        order = (
            PurchaseOrder.objects.select_for_update().get(pk=invoice.purchase_order_id)
            if invoice.purchase_order_id
            else None
        )
        delete_versioned(invoice, expected_version=expected_version, actor=actor)
        if order is not None:
            _settle(order, actor)


# --- one rule or weight at a time (the API) ----------------------------------------------------

RULE_EDITABLE = ("priority", "objective")
WEIGHT_EDITABLE = ("weight",)


def _check_rule(plan: Plan, fields: Mapping[str, Any]) -> None:
    errors: dict[str, list[Any]] = {}
    channel = fields.get("channel")
    if channel is not None and channel.plan_id != plan.pk:
        errors["channel"] = [_("Choose a channel of this plan.")]
    objective = fields.get("objective")
    if objective is not None and objective.plan_id != plan.pk:
        errors["objective"] = [_("Choose an objective of this plan.")]
    if "priority" in fields and not (ZERO <= Decimal(fields["priority"]) <= HUNDRED):
        errors["priority"] = [_("Enter a priority from 0 to 100.")]
    if "weight" in fields and not (ZERO <= Decimal(fields["weight"]) <= HUNDRED):
        errors["weight"] = [_("Enter a weight from 0 to 100.")]
    if errors:
        raise InvalidInput(fields=errors)


def rule_create(
    *, plan: Plan, actor: User, channel: Channel, priority: Any = 1, objective: Any = None
) -> AllocationRule:
    fields = {"channel": channel, "priority": priority, "objective": objective}
    _check_rule(plan, fields)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        if AllocationRule.objects.filter(channel=channel).exists():
            raise InvalidInput(
                fields={"channel": [_("The channel already has a rule; change it instead.")]}
            )
        rule = AllocationRule(plan=plan, **fields)
        rule._history_user = actor  # type: ignore[attr-defined]
        rule.save()
        return rule


def rule_update(
    *, rule: AllocationRule, expected_version: int, changes: Mapping[str, Any], actor: User
) -> AllocationRule:
    reject_unknown(changes, RULE_EDITABLE)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=rule.plan_id, actor=actor)
        _check_rule(plan, changes)
        return update_versioned(
            rule, expected_version=expected_version, changes=changes, actor=actor
        )


def rule_delete(*, rule: AllocationRule, expected_version: int, actor: User) -> None:
    """Remove a rule: the channel counts with priority 1 and no objective again."""
    with transaction.atomic():
        plan_for_edit(plan_id=rule.plan_id, actor=actor)
        delete_versioned(rule, expected_version=expected_version, actor=actor)


def weight_create(
    *, plan: Plan, actor: User, objective: Objective, weight: Any = 1
) -> ObjectiveWeight:
    _check_rule(plan, {"objective": objective, "weight": weight})
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        if ObjectiveWeight.objects.filter(objective=objective).exists():
            raise InvalidInput(
                fields={"objective": [_("The objective already has a weight; change it instead.")]}
            )
        made = ObjectiveWeight(plan=plan, objective=objective, weight=weight)
        made._history_user = actor  # type: ignore[attr-defined]
        made.save()
        return made


def weight_update(
    *, weight: ObjectiveWeight, expected_version: int, changes: Mapping[str, Any], actor: User
) -> ObjectiveWeight:
    reject_unknown(changes, WEIGHT_EDITABLE)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=weight.plan_id, actor=actor)
        _check_rule(plan, changes)
        return update_versioned(
            weight, expected_version=expected_version, changes=changes, actor=actor
        )


def weight_delete(*, weight: ObjectiveWeight, expected_version: int, actor: User) -> None:
    """Remove a weight: the objective counts 1 again."""
    with transaction.atomic():
        plan_for_edit(plan_id=weight.plan_id, actor=actor)
        delete_versioned(weight, expected_version=expected_version, actor=actor)
