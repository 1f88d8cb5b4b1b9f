"""Reads of the supplier area, shared by the pages and the API: each supplier's tier and
standing in a plan, a supplier's scorecard and the flagged suppliers of a plan."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from budget import supplier_rules as rules
from budget.models import (
    FlagStatus,
    InnovationProject,
    RiskClause,
    Supplier,
    SupplierFlag,
    SupplierPolicy,
    SupplierReview,
    SupplierTier,
)
from budget.supplier_services import committed_to_projects, fund_for, policy_for
from planner.models import Plan


@dataclass
class Standing:
    """A supplier as the plan sees it: tier, past performance, last review, failure streak."""

    supplier: Supplier
    performance: Decimal | None
    derived_tier: str
    last_review: SupplierReview | None = None
    streak: int = 0
    open_flag: SupplierFlag | None = None

    @property
    def tier(self) -> str:
        return self.supplier.tier_override or self.derived_tier

    @property
    def tier_label(self) -> str:
        return str(SupplierTier(self.tier).label)

    @property
    def derived_label(self) -> str:
        return str(SupplierTier(self.derived_tier).label)

    @property
    def overridden(self) -> bool:
        return bool(self.supplier.tier_override) and self.supplier.tier_override != (
            self.derived_tier
        )


def _period(review: SupplierReview) -> tuple[int, int]:
    return (review.plan.year, review.quarter)


def assess(
    suppliers: Iterable[Supplier],
    policy: SupplierPolicy,
    plan: Plan | None = None,
    *,
    open_flags: Iterable[SupplierFlag] | None = None,
) -> dict[int, Standing]:
    """Each supplier's standing: the tier from its scores and the policy's cut-offs, with
    past performance = the mean score of its ``performance_window`` latest reviews (in any
    plan of the workspace, in period order); with ``plan``, also its last review, failure
    streak and open flag in that plan (pass ``open_flags`` when they were read already).
    Three queries, whatever the number of suppliers."""
    suppliers = list(suppliers)
    ids = [s.pk for s in suppliers]
    reviews: dict[int, list[SupplierReview]] = defaultdict(list)
    for review in SupplierReview.objects.filter(supplier_id__in=ids).select_related("plan"):
        reviews[review.supplier_id].append(review)
    flags: dict[int, SupplierFlag] = {}
    if plan is not None:
        if open_flags is None:
            open_flags = SupplierFlag.objects.filter(
                plan=plan, supplier_id__in=ids, status=FlagStatus.OPEN
            )
        for flag in open_flags:
            flags[flag.supplier_id] = flag
    standings: dict[int, Standing] = {}
    for supplier in suppliers:
        history = sorted(reviews[supplier.pk], key=_period)
        recent = [r.score for r in history[-policy.performance_window :]]
        performance = rules.performance(recent)
        standing = Standing(
            supplier=supplier,
            performance=performance,
            derived_tier=rules.derive_tier(
                supplier.qualification_score,
                supplier.capability_score,
                performance,
                strategic_min=policy.strategic_min,
                priority_min=policy.priority_min,
            ),
        )
        if plan is not None:
            in_plan = [r for r in history if r.plan_id == plan.pk]
            standing.last_review = in_plan[-1] if in_plan else None
            standing.streak = rules.trailing_streak([(r.quarter, r.passed) for r in in_plan])
            standing.open_flag = flags.get(supplier.pk)
        standings[supplier.pk] = standing
    return standings


TIER_ORDER: dict[str, int] = {
    SupplierTier.STRATEGIC: 0,
    SupplierTier.PRIORITY: 1,
    SupplierTier.BASIC: 2,
}


def supplier_list(
    plan: Plan, *, category: str = "", tier: str = "", flagged: bool = False
) -> list[Standing]:
    """The workspace's suppliers as the plan sees them: flagged first, then by tier and name."""
    suppliers = Supplier.objects.filter(workspace_id=plan.workspace_id)
    if category:
        suppliers = suppliers.filter(category=category)
    standings = list(assess(suppliers, policy_for(plan), plan).values())
    if tier:
        standings = [s for s in standings if s.tier == tier]
    if flagged:
        standings = [s for s in standings if s.open_flag is not None]
    standings.sort(
        key=lambda s: (
            s.open_flag is None,
            not s.supplier.is_active,
            TIER_ORDER.get(s.tier, 3),
            s.supplier.name.casefold(),
        )
    )
    return standings


def tier_counts(standings: list[Standing]) -> dict[str, int]:
    counts = dict.fromkeys(SupplierTier.values, 0)
    for standing in standings:
        if standing.supplier.is_active:
            counts[standing.tier] += 1
    return counts


@dataclass
class Scorecard:
    standing: Standing
    policy: SupplierPolicy
    reviews: list[SupplierReview]
    history: list[SupplierReview]
    clauses: list[RiskClause]
    backing: list[RiskClause]
    flags: list[SupplierFlag]
    projects: list[InnovationProject]
    taken_quarters: set[int] = field(default_factory=set)


def scorecard(plan: Plan, supplier: Supplier) -> Scorecard:
    policy = policy_for(plan)
    standing = assess([supplier], policy, plan)[supplier.pk]
    history = list(
        SupplierReview.objects.filter(supplier=supplier)
        .select_related("plan", "reviewer")
        .order_by("plan__year", "quarter", "plan_id")
    )
    reviews = [r for r in history if r.plan_id == plan.pk]
    return Scorecard(
        standing=standing,
        policy=policy,
        reviews=reviews,
        history=history,
        clauses=list(
            RiskClause.objects.filter(supplier=supplier)
            .select_related("backup")
            .order_by("kind", "id")
        ),
        backing=list(
            RiskClause.objects.filter(backup=supplier).select_related("supplier").order_by("id")
        ),
        flags=list(
            SupplierFlag.objects.filter(supplier=supplier, plan=plan).select_related("resolved_by")
        ),
        projects=list(
            InnovationProject.objects.filter(plan=plan, suppliers=supplier).select_related("owner")
        ),
        taken_quarters={r.quarter for r in reviews},
    )


def flagged_suppliers(plan: Plan) -> list[Standing]:
    """The suppliers with an open flag in the plan, with their current failure streak."""
    flags = list(
        SupplierFlag.objects.filter(plan=plan, status=FlagStatus.OPEN)
        .select_related("supplier")
        .order_by("opened_at", "id")
    )
    if not flags:
        return []
    standings = assess([f.supplier for f in flags], policy_for(plan), plan, open_flags=flags)
    return [standings[f.supplier_id] for f in flags]


def flagged_card_context(plan: Plan) -> dict[str, Any]:
    """What ``templates/budget/flagged_suppliers_card.html`` needs (include it with these)."""
    return {"flagged_suppliers": flagged_suppliers(plan), "flag_plan": plan}


@dataclass
class FundSummary:
    amount: Decimal
    committed: Decimal
    projects: list[InnovationProject]

    @property
    def left(self) -> Decimal:
        return self.amount - self.committed

    @property
    def used_share(self) -> Decimal | None:
        return self.committed / self.amount if self.amount else None


def fund_summary(plan: Plan) -> FundSummary:
    fund = fund_for(plan)
    projects = list(
        InnovationProject.objects.filter(plan=plan)
        .select_related("owner")
        .prefetch_related("suppliers")
        .order_by("name")
    )
    return FundSummary(amount=fund.amount, committed=committed_to_projects(plan), projects=projects)


def workspace_suppliers(plan: Plan) -> QuerySet[Supplier]:
    return Supplier.objects.filter(workspace_id=plan.workspace_id).order_by("name")
