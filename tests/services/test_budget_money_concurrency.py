"""The budget's money under real concurrency on PostgreSQL: threads with their own
connections adjust lines, change the rules and accept the allocation at the same time.

Every write locks the plan row, then the budget row, then lines, so they queue instead
of deadlocking; each line's planned amount and each pool must equal what the ledger's
transfers say (no lost money), and Σ lines = allocated (no lost update).
"""

from __future__ import annotations

import random
import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum

from budget import ledger
from budget import money_services as services
from budget.models import Account, AllocationRule, BudgetLine, Transfer
from channels.models import Channel
from core.errors import InvalidInput, StaleVersion
from tests.services.support import run_threads

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

D = Decimal
CODES = ("douyin", "tmall", "wechat")
ROUNDS = 6


def _sum(**lookup) -> Decimal:
    return Transfer.objects.filter(**lookup).aggregate(s=Sum("amount"))["s"] or D(0)


def test_concurrent_adjustments_rules_and_accepts_lose_no_money(world):
    plan = world.plan
    editor = world.users["editor"]
    budget = ledger.budget_of(plan)
    services.settings_update(
        plan=plan,
        expected_version=budget.version,
        changes={"total": "1000000", "reserve_pct": "10"},
        actor=editor,
    )
    channels = {c.code: c for c in Channel.objects.filter(plan=plan, is_active=True)}
    services.rules_save(
        plan=plan,
        actor=editor,
        rules=[
            services.RuleInput(c, D(1) if code in CODES else D(0), None)
            for code, c in channels.items()
        ],
        weights=[],
    )
    services.accept_allocation(plan=plan, actor=editor)
    line_ids = list(BudgetLine.objects.filter(plan=plan).values_list("pk", flat=True))
    assert len(line_ids) == 12
    editor_id, plan_id = editor.pk, plan.pk

    def worker(i: int, barrier: threading.Barrier) -> dict[str, int]:
        rng = random.Random(i)  # noqa: S311 - reproducible test data, not secrets
        actor = get_user_model().objects.get(pk=editor_id)
        from planner.models import Plan

        mine = Plan.objects.get(pk=plan_id)
        outcome = {"done": 0, "stale": 0, "refused": 0}
        barrier.wait()
        for _ in range(ROUNDS):
            try:
                kind = i % 3
                if kind == 0:  # adjust a line up or down
                    line = BudgetLine.objects.get(pk=rng.choice(line_ids))
                    planned = max(line.planned + D(rng.randint(-30000, 30000)), D(0))
                    services.line_update(
                        line=line,
                        expected_version=line.version,
                        changes={"planned": planned},
                        actor=actor,
                    )
                elif kind == 1:  # accept the current proposal
                    services.accept_allocation(plan=mine, actor=actor)
                else:  # change a priority
                    code = rng.choice(CODES)
                    rule = AllocationRule.objects.get(plan_id=plan_id, channel__code=code)
                    services.rules_save(
                        plan=mine,
                        actor=actor,
                        rules=[
                            services.RuleInput(
                                rule.channel, D(rng.randint(1, 5)), None, rule.version
                            )
                        ],
                        weights=[],
                    )
                outcome["done"] += 1
            except StaleVersion:
                outcome["stale"] += 1
            except InvalidInput:
                outcome["refused"] += 1
        return outcome

    results = run_threads(6, worker)  # bounded joins: a deadlock fails the test

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [], f"worker errors: {errors!r}"
    assert sum(r["done"] for r in results) > 0
    budget = ledger.budget_of(plan)
    lines = list(BudgetLine.objects.filter(plan=plan))
    assert sum((x.planned for x in lines), D(0)) == budget.allocated
    assert budget.total == budget.allocated + budget.reserve_balance + budget.unallocated
    assert min([budget.unallocated, budget.reserve_balance, *(x.planned for x in lines)]) >= 0
    # every balance is exactly what the ledger's transfers say
    for x in lines:
        assert x.planned == _sum(target_line=x) - _sum(source_line=x), f"line {x} lost money"
    assert budget.unallocated == _sum(plan=plan, target=Account.UNALLOCATED) - _sum(
        plan=plan, source=Account.UNALLOCATED
    )
    assert budget.reserve_balance == _sum(plan=plan, target=Account.RESERVE) - _sum(
        plan=plan, source=Account.RESERVE
    )
    assert budget.total == _sum(plan=plan, source=Account.OUTSIDE) - _sum(
        plan=plan, target=Account.OUTSIDE
    )
