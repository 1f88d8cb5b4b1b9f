"""The ledger: money moves between accounts and the plan total always reconciles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budget import ledger
from budget.models import Account, Budget, BudgetLine, Transfer, TransferKind
from channels.models import Channel
from core.errors import InvalidInput

pytestmark = pytest.mark.django_db

CODES = ("douyin", "wechat", "tmall")


def lines_of(world):
    channels = {c.code: c for c in Channel.objects.filter(plan=world.plan, code__in=CODES)}
    return [
        ledger.line_for(world.plan, channel=channels[code], campaign=None, quarter=q)
        for code in CODES
        for q in (1, 2)
    ]


def run(plan, operation):
    """``operation(budget)`` in one transaction with the budget locked, as services do."""
    with transaction.atomic():
        return operation(ledger.locked_budget(plan))


def assert_reconciles(plan):
    budget = ledger.budget_of(plan)
    lines = list(BudgetLine.objects.filter(plan=plan))
    assert sum((line.planned for line in lines), Decimal(0)) == budget.allocated
    assert budget.total == budget.allocated + budget.reserve_balance + budget.unallocated
    assert min([budget.unallocated, budget.reserve_balance, *(x.planned for x in lines)]) >= 0


def test_setting_the_total_funds_the_reserve(world):
    with transaction.atomic():
        budget = ledger.locked_budget(world.plan)
        ledger.set_total(budget, total=Decimal("50000000"), reserve_pct=Decimal(10))
    budget.refresh_from_db()
    assert budget.reserve_balance == Decimal("5000000.00")
    assert budget.unallocated == Decimal("45000000.00")
    assert [t.kind for t in Transfer.objects.filter(plan=world.plan).order_by("id")] == [
        TransferKind.TOTAL,
        TransferKind.RESERVE,
    ]
    assert_reconciles(world.plan)


def test_a_line_cannot_give_more_than_it_has_and_nothing_is_written(world):
    lines = lines_of(world)
    with transaction.atomic():
        budget = ledger.locked_budget(world.plan)
        ledger.set_total(budget, total=Decimal(1000), reserve_pct=Decimal(0))
        ledger.set_planned(budget, lines[0], planned=Decimal(300))
    before = Transfer.objects.count()
    with pytest.raises(InvalidInput) as error:
        run(
            world.plan,
            lambda b: ledger.transfer(
                b, kind=TransferKind.MOVE, source=lines[0], target=lines[1], amount="300.01"
            ),
        )
    assert "300.00" in error.value.describe()
    assert Transfer.objects.count() == before
    assert_reconciles(world.plan)


def test_the_reserve_never_goes_negative(world):
    line = lines_of(world)[0]
    with transaction.atomic():
        budget = ledger.locked_budget(world.plan)
        ledger.set_total(budget, total=Decimal(1000), reserve_pct=Decimal(10))
    with pytest.raises(InvalidInput):
        run(
            world.plan,
            lambda b: ledger.transfer(
                b, kind=TransferKind.DRAW, source=Account.RESERVE, target=line, amount=101
            ),
        )
    assert Budget.objects.get(plan=world.plan).reserve_balance == 100


def test_the_database_refuses_a_budget_that_does_not_reconcile(world):
    budget = ledger.budget_of(world.plan)
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(total=Decimal(5))


def test_lowering_the_total_needs_unallocated_money(world):
    line = lines_of(world)[0]
    with transaction.atomic():
        budget = ledger.locked_budget(world.plan)
        ledger.set_total(budget, total=Decimal(1000), reserve_pct=Decimal(0))
        ledger.set_planned(budget, line, planned=Decimal(900))
    with pytest.raises(InvalidInput) as error:
        run(world.plan, lambda b: ledger.set_total(b, total=Decimal(500)))
    assert "total" in error.value.fields
    assert Budget.objects.get(plan=world.plan).total == 1000


amounts = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("total"), amounts, st.sampled_from([0, 5, 10, 20])),
        st.tuples(st.just("plan"), st.integers(0, 5), amounts),
        st.tuples(st.just("move"), st.integers(0, 5), st.integers(0, 5), amounts),
        st.tuples(st.just("draw"), st.integers(0, 5), amounts),
    ),
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_any_sequence_of_operations_reconciles(world, steps):
    """Σ lines = allocated and total = allocated + reserve + unallocated after every step,
    whether the step succeeds or is refused (a refused step writes nothing)."""
    Transfer.objects.filter(plan=world.plan).delete()
    BudgetLine.objects.filter(plan=world.plan).delete()
    Budget.objects.filter(plan=world.plan).delete()
    lines = lines_of(world)
    for step in steps:
        before = list(Transfer.objects.filter(plan=world.plan).values_list("pk", flat=True))
        snapshot = Budget.objects.filter(plan=world.plan).values().first()
        try:
            with transaction.atomic():
                budget = ledger.locked_budget(world.plan)
                if step[0] == "total":
                    ledger.set_total(budget, total=step[1], reserve_pct=Decimal(step[2]))
                elif step[0] == "plan":
                    ledger.set_planned(budget, lines[step[1]], planned=step[2])
                elif step[0] == "move":
                    ledger.transfer(
                        budget,
                        kind=TransferKind.MOVE,
                        source=lines[step[1]],
                        target=lines[step[2]],
                        amount=step[3],
                    )
                else:
                    ledger.transfer(
                        budget,
                        kind=TransferKind.DRAW,
                        source=Account.RESERVE,
                        target=lines[step[1]],
                        amount=step[2],
                    )
        except InvalidInput:
            after = list(Transfer.objects.filter(plan=world.plan).values_list("pk", flat=True))
            assert after == before
            assert Budget.objects.filter(plan=world.plan).values().first() == snapshot
        for line in lines:
            line.refresh_from_db()
        assert_reconciles(world.plan)


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_lines_that_do_not_add_up_at_commit(world):
    """The deferred trigger: a line changed behind the ledger's back fails the commit."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the reconciliation trigger is PostgreSQL's")
    line = lines_of(world)[0]
    with transaction.atomic():
        budget = ledger.locked_budget(world.plan)
        ledger.set_total(budget, total=Decimal(1000), reserve_pct=Decimal(0))
        ledger.set_planned(budget, line, planned=Decimal(400))
    with pytest.raises(IntegrityError, match="add up to"), transaction.atomic():
        BudgetLine.objects.filter(pk=line.pk).update(planned=Decimal(500))
    assert BudgetLine.objects.get(pk=line.pk).planned == Decimal(400)
    assert_reconciles(world.plan)
