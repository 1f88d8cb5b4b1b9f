"""Reads of the budget's money shared by pages, the API and other sections: the budget
tree (family → channel → channel-wide or campaign line → quarter) with planned,
committed, actual and available at every level, the allocation beside the current
lines, purchase orders and invoices, and the recent ledger."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Sum
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
)
from budget.models.money import ZERO
from budget.money_services import channel_weights, proposal_for
from channels.models import Channel, ChannelFamily
from kpis.models import Objective
from planner.models import Plan


@dataclass
class Figures:
    planned: Decimal = ZERO
    committed: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.planned - self.committed - self.actual

    @property
    def overspent(self) -> bool:
        return self.available < 0

    @property
    def used_share(self) -> Decimal | None:
        """Committed and spent as a share of planned (None without a plan)."""
        if self.planned <= 0:
            return None
        return (self.committed + self.actual) / self.planned

    def add(self, other: Figures) -> None:
        self.planned += other.planned
        self.committed += other.committed
        self.actual += other.actual


@dataclass
class Node:
    """One row of the tree; ``line`` only on the quarter rows (the budget lines)."""

    key: str
    label: str
    level: int  # 0 family, 1 channel, 2 channel-wide or campaign, 3 quarter
    figures: Figures = field(default_factory=Figures)
    children: list[Node] = field(default_factory=list)
    line: BudgetLine | None = None
    overspent_lines: int = 0  # lines below this node whose available is negative


@dataclass
class Tree:
    budget: Budget
    families: list[Node]
    total: Figures
    by_quarter: dict[int, Figures]

    @property
    def reconciles(self) -> bool:
        b = self.budget
        return (
            b.total == b.allocated + b.reserve_balance + b.unallocated
            and self.total.planned == b.allocated
        )


def tree(plan: Plan) -> Tree:
    """The budget tree in a fixed number of queries."""
    budget = ledger.budget_of(plan)
    lines = list(
        BudgetLine.objects.filter(plan=plan)
        .select_related("channel", "campaign")
        .order_by(
            "channel__family", "channel__sort_order", "channel__code", "campaign_id", "quarter"
        )
    )
    spent = actuals.spent_by_line(plan, lines)
    family_labels = dict(ChannelFamily.choices)
    families: dict[str, Node] = {}
    channels: dict[int, Node] = {}
    items: dict[tuple[int, int | None], Node] = {}
    by_quarter: dict[int, Figures] = {q: Figures() for q in allocation.QUARTERS}
    total = Figures()
    for line in lines:
        s = spent[line.pk]
        figures = Figures(line.planned, s.committed, s.actual)
        family = families.setdefault(
            line.channel.family,
            Node(
                f"f-{line.channel.family}",
                str(family_labels.get(line.channel.family, line.channel.family)),
                0,
            ),
        )
        channel = channels.get(line.channel_id)
        if channel is None:
            channel = channels[line.channel_id] = Node(f"c-{line.channel_id}", str(line.channel), 1)
            family.children.append(channel)
        item = items.get((line.channel_id, line.campaign_id))
        if item is None:
            label = str(line.campaign.name) if line.campaign else _("Channel-wide")
            item = items[(line.channel_id, line.campaign_id)] = Node(
                f"i-{line.channel_id}-{line.campaign_id or 0}", label, 2
            )
            channel.children.append(item)
        item.children.append(
            Node(f"l-{line.pk}", _("Q%(q)s") % {"q": line.quarter}, 3, figures, line=line)
        )
        for node in (item, channel, family):
            node.figures.add(figures)
            node.overspent_lines += int(figures.overspent)
        by_quarter[line.quarter].add(figures)
        total.add(figures)
    for channel in channels.values():  # the channel-wide line first, then campaigns
        channel.children.sort(key=lambda n: (not n.key.endswith("-0"), n.label))
    ordered = [families[f] for f in ChannelFamily.values if f in families]
    return Tree(budget, ordered, total, by_quarter)


@dataclass
class AllocationRow:
    channel: Channel
    rule: AllocationRule | None
    weight: allocation.ChannelWeight
    share: Decimal
    proposed: list[Decimal]
    current: list[Decimal]
    used: list[Decimal]

    @property
    def proposed_total(self) -> Decimal:
        return sum(self.proposed, ZERO)

    @property
    def current_total(self) -> Decimal:
        return sum(self.current, ZERO)

    @property
    def change(self) -> Decimal:
        return self.proposed_total - self.current_total


@dataclass
class AllocationView:
    budget: Budget
    rows: list[AllocationRow]
    objectives: list[tuple[Objective, ObjectiveWeight | None]]
    proposal: allocation.Proposal[int]
    proposed_by_quarter: list[Decimal]
    current_by_quarter: list[Decimal]

    @property
    def current_total(self) -> Decimal:
        return sum(self.current_by_quarter, ZERO)

    @property
    def placeable(self) -> bool:
        return self.proposal.total == self.budget.allocatable


def allocation_view(plan: Plan) -> AllocationView:
    """Every active channel's rule and proposal beside the money its lines hold now."""
    budget = ledger.budget_of(plan)
    weights = channel_weights(plan)
    proposal = proposal_for(plan, budget)
    rules = {r.channel_id: r for r in AllocationRule.objects.filter(plan=plan)}
    lines = list(BudgetLine.objects.filter(plan=plan))
    spent = actuals.spent_by_line(plan, lines)
    current: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    used: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        current[(line.channel_id, line.quarter)] += line.planned
        used[(line.channel_id, line.quarter)] += spent[line.pk].used
    whole = sum((w.weight for w in weights.values()), ZERO)
    family_order = {f: i for i, f in enumerate(ChannelFamily.values)}
    channels = sorted(
        Channel.objects.filter(plan=plan),
        key=lambda c: (family_order.get(c.family, 9), c.sort_order, c.code),
    )
    rows = []
    for channel in channels:
        if channel.pk not in weights and not any(current[(channel.pk, q)] for q in range(1, 5)):
            continue
        weight = weights.get(channel.pk, allocation.ChannelWeight(ZERO))
        rows.append(
            AllocationRow(
                channel=channel,
                rule=rules.get(channel.pk),
                weight=weight,
                share=weight.weight / whole if whole else ZERO,
                proposed=[proposal.by_cell.get((channel.pk, q), ZERO) for q in range(1, 5)],
                current=[current[(channel.pk, q)] for q in range(1, 5)],
                used=[used[(channel.pk, q)] for q in range(1, 5)],
            )
        )
    saved = {w.objective_id: w for w in ObjectiveWeight.objects.filter(plan=plan)}
    objectives = [(o, saved.get(o.pk)) for o in Objective.objects.filter(plan=plan)]
    return AllocationView(
        budget=budget,
        rows=rows,
        objectives=objectives,
        proposal=proposal,
        proposed_by_quarter=[sum((r.proposed[q] for r in rows), ZERO) for q in range(4)],
        current_by_quarter=[sum((r.current[q] for r in rows), ZERO) for q in range(4)],
    )


@dataclass
class OrderRow:
    order: PurchaseOrder
    invoiced: Decimal

    @property
    def outstanding(self) -> Decimal:
        if self.order.status != PoStatus.OPEN:
            return ZERO
        return max(self.order.amount - self.invoiced, ZERO)


def orders(plan: Plan) -> list[OrderRow]:
    invoiced = dict(
        Invoice.objects.filter(plan=plan, purchase_order__isnull=False)
        .values("purchase_order_id")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("purchase_order_id", "s")
    )
    found = PurchaseOrder.objects.filter(plan=plan).select_related(
        "line__channel", "line__campaign", "created_by"
    )
    return [OrderRow(o, invoiced.get(o.pk) or ZERO) for o in found]


def invoices(plan: Plan) -> list[Invoice]:
    return list(
        Invoice.objects.filter(plan=plan).select_related(
            "line__channel", "line__campaign", "purchase_order", "created_by"
        )
    )


def recent_ledger(plan: Plan, limit: int = 20) -> list[Transfer]:
    return list(
        Transfer.objects.filter(plan=plan).select_related(
            "actor",
            "source_line__channel",
            "source_line__campaign",
            "target_line__channel",
            "target_line__campaign",
        )[:limit]
    )


def line_ledger(line: BudgetLine, limit: int = 20) -> list[Transfer]:
    """The transfers into and out of one line, newest first."""
    return list(
        (
            Transfer.objects.filter(source_line=line) | Transfer.objects.filter(target_line=line)
        ).select_related("actor", "source_line__channel", "target_line__channel")[:limit]
    )


def burn(plan: Plan, tree_: Tree) -> dict[str, Any]:
    """Cumulative actual spend by month and cumulative planned by quarter end."""
    months = actuals.actual_by_month(plan)
    return {
        "planned": [tree_.by_quarter[q].planned for q in allocation.QUARTERS],
        "actual": [months.get(m, ZERO) for m in range(1, 13)],
        "last_month": max((m for m, v in months.items() if v), default=0),
    }
