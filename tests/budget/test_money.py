"""The budget's money services and reads: settings, allocation, lines, orders, the tree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budget import actuals, ledger
from budget import money_queries as queries
from budget import money_services as services
from budget.models import AllocationRule, Budget, BudgetLine, PoStatus, Transfer
from core.errors import InvalidInput, InvalidTransition, Locked, StaleVersion
from kpis.models import Objective
from planner.models import Plan, PlanStatus
from tests.budget.money_helpers import campaign, channel, fund, invoice, line, order, spend

pytestmark = pytest.mark.django_db
D = Decimal


def only_channels(world, *codes):
    """Rules that leave every active channel out except ``codes`` (priority 1 each)."""
    rules = [
        services.RuleInput(channel=c, priority=D(1) if c.code in codes else D(0), objective=None)
        for c in world.plan.channels.filter(is_active=True)
    ]
    services.rules_save(plan=world.plan, actor=world.users["editor"], rules=rules, weights=[])


def reconciles(plan):
    budget = ledger.budget_of(plan)
    planned = sum((x.planned for x in BudgetLine.objects.filter(plan=plan)), D(0))
    assert planned == budget.allocated
    assert budget.total == budget.allocated + budget.reserve_balance + budget.unallocated
    assert min(budget.allocated, budget.reserve_balance, budget.unallocated) >= 0


# --- settings -----------------------------------------------------------------------------------


def test_settings_set_the_total_reserve_limits_and_quarter_split(world):
    budget = ledger.budget_of(world.plan)
    fresh = services.settings_update(
        plan=world.plan,
        expected_version=budget.version,
        changes={
            "total": "50000000",
            "reserve_pct": "10",
            "max_move_pct": "15",
            "q1_share": "30",
            "q2_share": "20",
            "q3_share": "20",
            "q4_share": "30",
        },
        actor=world.users["editor"],
    )
    assert fresh.total == D("50000000.00") and fresh.reserve_balance == D("5000000.00")
    assert fresh.unallocated == D("45000000.00") and fresh.max_move_pct == 15
    assert fresh.quarter_split == [30, 20, 20, 30]
    assert fresh.version == budget.version + 1
    reconciles(world.plan)


def test_a_stale_settings_save_is_refused_and_writes_nothing(world):
    fund(world, "1000")
    budget = ledger.budget_of(world.plan)
    with pytest.raises(StaleVersion):
        services.settings_update(
            plan=world.plan,
            expected_version=budget.version - 1,
            changes={"total": "2000"},
            actor=world.users["editor"],
        )
    assert Budget.objects.get(plan=world.plan).total == 1000


def test_lowering_the_total_below_the_lines_names_what_to_release(world):
    fund(world, "1000", "0")
    line(world, "douyin", 1, "800")
    budget = ledger.budget_of(world.plan)
    with pytest.raises(InvalidInput) as error:
        services.settings_update(
            plan=world.plan,
            expected_version=budget.version,
            changes={"total": "500", "max_move_pct": "5"},
            actor=world.users["editor"],
        )
    assert "total" in error.value.fields and "300.00" in error.value.describe()
    after = Budget.objects.get(plan=world.plan)
    assert after.total == 1000 and after.max_move_pct == 20  # nothing half-written


def test_bad_settings_are_reported_per_field(world):
    budget = ledger.budget_of(world.plan)
    with pytest.raises(InvalidInput) as error:
        services.settings_update(
            plan=world.plan,
            expected_version=budget.version,
            changes={"total": "-5", "reserve_pct": "60", "q1_share": "50"},
            actor=world.users["editor"],
        )
    assert {"total", "reserve_pct", "q4_share"} <= set(error.value.fields)


def test_settings_need_a_draft_plan_and_an_editor(world):
    budget = ledger.budget_of(world.plan)
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.APPROVED)
    with pytest.raises(Locked):
        services.settings_update(
            plan=world.plan,
            expected_version=budget.version,
            changes={"total": "10"},
            actor=world.users["editor"],
        )


# --- allocation ---------------------------------------------------------------------------------


def test_accepting_the_proposal_sets_the_channel_lines_in_one_step(world):
    fund(world, "10000", "10")
    only_channels(world, "douyin", "tmall")
    growth = Objective.objects.create(plan=world.plan, area="growth", title="Grow")
    services.rules_save(
        plan=world.plan,
        actor=world.users["editor"],
        rules=[services.RuleInput(channel(world, "tmall"), D(1), growth, 1)],
        weights=[services.WeightInput(growth, D(2))],
    )
    done = services.accept_allocation(plan=world.plan, actor=world.users["editor"])
    planned = {
        (x.channel.code, x.quarter): x.planned
        for x in BudgetLine.objects.filter(plan=world.plan).select_related("channel")
    }
    # 9,000 allocatable; douyin weight 1, tmall 1 × 2 → 3,000 and 6,000, by quarter 25 % each
    assert planned == {
        **{("douyin", q): D("750.00") for q in (1, 2, 3, 4)},
        **{("tmall", q): D("1500.00") for q in (1, 2, 3, 4)},
    }
    assert done.allocated == D("9000.00") and done.lines_changed == 8
    assert Budget.objects.get(plan=world.plan).unallocated == 0
    reconciles(world.plan)


def test_campaign_lines_come_out_of_their_channels_share(world):
    fund(world, "4000", "0")
    only_channels(world, "douyin")
    line(world, "douyin", 1, "400", campaign_=campaign(world))
    services.accept_allocation(plan=world.plan, actor=world.users["editor"])
    wide = BudgetLine.objects.get(
        plan=world.plan, channel__code="douyin", quarter=1, campaign__isnull=True
    )
    assert wide.planned == D("600.00")  # 1,000 for the quarter less the campaign's 400
    reconciles(world.plan)


def test_accept_is_refused_when_a_line_would_drop_below_what_is_committed(world):
    fund(world, "4000", "0")
    wechat_line = line(world, "wechat", 2, "1000")
    order(world, wechat_line, "700")
    only_channels(world, "douyin")  # the proposal leaves wechat out: its line would be 0
    before = Transfer.objects.count()
    with pytest.raises(InvalidInput) as error:
        services.accept_allocation(plan=world.plan, actor=world.users["editor"])
    assert "700.00" in error.value.describe()
    assert Transfer.objects.count() == before
    assert BudgetLine.objects.get(pk=wechat_line.pk).planned == 1000


def test_accept_with_no_weight_anywhere_explains_why(world):
    fund(world, "100", "0")
    only_channels(world)
    with pytest.raises(InvalidInput, match="priority above zero"):
        services.accept_allocation(plan=world.plan, actor=world.users["editor"])


def test_stale_rule_is_refused_and_nothing_is_saved(world):
    only_channels(world, "douyin")
    rule = AllocationRule.objects.get(channel=channel(world, "douyin"))
    with pytest.raises(StaleVersion):
        services.rules_save(
            plan=world.plan,
            actor=world.users["editor"],
            rules=[
                services.RuleInput(channel(world, "tmall"), D(5), None, 1),
                services.RuleInput(channel(world, "douyin"), D(9), None, rule.version + 3),
            ],
            weights=[],
        )
    assert AllocationRule.objects.get(channel=channel(world, "tmall")).priority == 0


# --- lines --------------------------------------------------------------------------------------


def test_adjusting_a_line_moves_money_through_the_pool_and_checks_the_version(world):
    fund(world, "1000", "0")
    found = line(world, "douyin", 1, "300")
    fresh = services.line_update(
        line=found,
        expected_version=found.version,
        changes={"planned": "450", "note": "more live streams"},
        actor=world.users["editor"],
    )
    assert fresh.planned == 450 and fresh.note == "more live streams"
    assert Budget.objects.get(plan=world.plan).unallocated == 550
    with pytest.raises(StaleVersion):
        services.line_update(
            line=found,
            expected_version=found.version,
            changes={"planned": "100"},
            actor=world.users["editor"],
        )
    reconciles(world.plan)


def test_a_line_cannot_go_below_what_is_committed_or_spent(world):
    fund(world, "1000", "0")
    found = line(world, "douyin", 1, "500")
    spend(world, "douyin", date(2027, 2, 3), "150")
    order(world, found, "200")
    with pytest.raises(InvalidInput) as error:
        services.line_update(
            line=found,
            expected_version=found.version,
            changes={"planned": "300"},
            actor=world.users["editor"],
        )
    assert "350.00" in error.value.describe()
    found.refresh_from_db()
    assert found.planned == 500
    services.line_update(
        line=found,
        expected_version=found.version,
        changes={"planned": "350"},
        actor=world.users["editor"],
    )
    reconciles(world.plan)


def test_only_an_unused_empty_line_can_be_removed(world):
    fund(world, "1000", "0")
    used = line(world, "douyin", 1, "100")
    with pytest.raises(InvalidInput):
        services.line_delete(line=used, expected_version=used.version, actor=world.users["editor"])
    empty = line(world, "tmall", 2)
    services.line_delete(line=empty, expected_version=empty.version, actor=world.users["editor"])
    assert not BudgetLine.objects.filter(pk=empty.pk).exists()


def test_a_duplicate_line_is_refused(world):
    line(world, "douyin", 1)
    with pytest.raises(InvalidInput) as error:
        services.line_create(
            plan=world.plan, actor=world.users["editor"], channel=channel(world), quarter=1
        )
    assert "already exists" in error.value.describe()


# --- purchase orders and invoices -----------------------------------------------------------------


def test_orders_and_invoices_make_committed_and_actual(world):
    fund(world, "10000", "0")
    found = line(world, "popup", 1, "5000")
    spend(world, "popup", date(2027, 1, 20), "250")
    po = order(world, found, "1000")
    assert actuals.spent_by_line(world.plan)[found.pk] == actuals.Spent(D(1000), D(250))
    invoice(world, "400", "INV-1", po=po)
    assert actuals.spent_by_line(world.plan)[found.pk] == actuals.Spent(D(600), D(650))
    invoice(world, "600", "INV-2", po=po)
    po.refresh_from_db()
    assert po.status == PoStatus.INVOICED
    assert actuals.spent_by_line(world.plan)[found.pk] == actuals.Spent(D(0), D(1250))
    invoice(world, "80", "INV-3", on=found)  # spend without an order
    assert actuals.spent_by_line(world.plan)[found.pk].actual == D(1330)


def test_cancelling_an_order_releases_what_it_still_commits(world):
    fund(world, "10000", "0")
    found = line(world, "popup", 1, "5000")
    po = order(world, found, "1000")
    invoice(world, "300", "INV-1", po=po)
    po.refresh_from_db()
    cancelled = services.po_cancel(
        purchase_order=po, expected_version=po.version, actor=world.users["editor"]
    )
    assert cancelled.status == PoStatus.CANCELLED
    assert actuals.spent_by_line(world.plan)[found.pk] == actuals.Spent(D(0), D(300))
    with pytest.raises(InvalidTransition):
        services.po_update(
            purchase_order=cancelled,
            expected_version=cancelled.version,
            changes={"status": PoStatus.OPEN},
            actor=world.users["editor"],
        )
    with pytest.raises(InvalidInput) as error:
        invoice(world, "10", "INV-9", po=cancelled)
    assert "open order" in error.value.describe()


def test_removing_an_invoice_opens_its_order_again(world):
    fund(world, "10000", "0")
    found = line(world, "popup", 1, "5000")
    po = order(world, found, "100")
    inv = invoice(world, "100", "INV-1", po=po)
    po.refresh_from_db()
    assert po.status == PoStatus.INVOICED
    services.invoice_delete(invoice=inv, expected_version=inv.version, actor=world.users["editor"])
    po.refresh_from_db()
    assert po.status == PoStatus.OPEN
    assert actuals.spent_by_line(world.plan)[found.pk] == actuals.Spent(D(100), D(0))


def test_bad_orders_and_invoices_are_refused_whole(world):
    found = line(world, "popup", 1)
    other = BudgetLine.objects.create(
        plan=world.other_plan, channel=channel(world, "popup", world.other_plan), quarter=1
    )
    with pytest.raises(InvalidInput) as error:
        services.po_create(
            plan=world.plan,
            actor=world.users["editor"],
            line=other,
            number="",
            supplier_name="",
            amount="0",
            issued_on=None,
        )
    assert {"line", "number", "supplier_name", "amount", "issued_on"} <= set(error.value.fields)
    order(world, found, "10", number="PO-7")
    with pytest.raises(InvalidInput) as error:
        order(world, found, "10", number="PO-7")
    assert "already has an order" in error.value.describe()
    po = order(world, found, "10", number="PO-8")
    other_line = line(world, "tmall", 1)
    with pytest.raises(InvalidInput) as error:
        invoice(world, "5", "INV-1", po=po, on=other_line)
    assert "line" in error.value.fields


def test_orders_are_recorded_after_approval(world):
    found = line(world, "popup", 1)
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.APPROVED)
    po = order(world, found, "10")
    assert po.pk
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.ARCHIVED)
    with pytest.raises(Locked):
        order(world, found, "10", number="PO-2")


# --- the tree -----------------------------------------------------------------------------------


def test_tree_totals_reconcile_at_every_level_against_hand_computed_values(world):
    fund(world, "100000", "10")  # 10,000 reserve, 90,000 allocatable
    spring = campaign(world)
    d1 = line(world, "douyin", 1, "20000")
    d1c = line(world, "douyin", 1, "5000", campaign_=spring)
    line(world, "douyin", 2, "10000")
    t1 = line(world, "tmall", 1, "30000")
    p4 = line(world, "popup", 4, "8000")
    spend(world, "douyin", date(2027, 1, 5), "7000")  # channel-wide Q1
    spend(world, "douyin", date(2027, 2, 5), "6000", spring)  # the campaign's line: over by 1,000
    spend(world, "tmall", date(2027, 3, 5), "12000")
    po = order(world, p4, "9000")  # popup Q4: committed 9,000 > planned 8,000
    invoice(world, "2000", "INV-1", po=po)
    invoice(world, "1000", "INV-2", on=t1)
    tree = queries.tree(world.plan)
    assert tree.reconciles
    families = {n.key: n for n in tree.families}
    online, offline = families["f-online"], families["f-offline"]
    channels = {c.label: c for c in online.children}
    douyin = channels[str(channel(world, "douyin"))]
    assert (douyin.figures.planned, douyin.figures.actual) == (D(35000), D(13000))
    items = {i.label: i for i in douyin.children}
    assert items[spring.name].figures.available == D(-1000)
    assert items[spring.name].figures.overspent
    assert [n.line.pk for n in items["Channel-wide"].children] == [
        d1.pk,
        BudgetLine.objects.get(
            plan=world.plan, channel__code="douyin", quarter=2, campaign=None
        ).pk,
    ]
    assert online.figures.planned == D(65000) and online.figures.actual == D(26000)
    assert offline.figures.planned == D(8000)
    assert offline.figures.committed == D(7000) and offline.figures.actual == D(2000)
    assert offline.figures.available == D(-1000)
    assert tree.total.planned == D(73000) == tree.budget.allocated
    assert tree.total.committed == D(7000) and tree.total.actual == D(28000)
    assert tree.total.available == D(38000)
    assert tree.by_quarter[1].planned == D(55000) and tree.by_quarter[4].planned == D(8000)
    # every level is the sum of the level below
    for family in tree.families:
        for level in [family, *family.children]:
            assert level.figures.planned == sum((c.figures.planned for c in level.children), D(0))
            assert level.figures.actual == sum((c.figures.actual for c in level.children), D(0))
    assert d1c.planned == 5000
    burn = queries.burn(world.plan, tree)
    assert burn["actual"][0] == D(7000) and burn["actual"][1] == D(9000)  # Jan; Feb 6,000+3,000
    assert burn["planned"] == [D(55000), D(10000), D(0), D(8000)]


# --- the reconciliation property ----------------------------------------------------------------

CODES = ("douyin", "tmall", "wechat")
money = st.decimals(min_value=0, max_value=50_000, places=2, allow_nan=False)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("total"), money, st.sampled_from(["0", "10", "25"])),
        st.tuples(st.just("rules"), st.lists(st.integers(0, 5), min_size=3, max_size=3)),
        st.tuples(st.just("accept")),
        st.tuples(st.just("adjust"), st.integers(0, 2), st.integers(1, 4), money),
        st.tuples(st.just("order"), st.integers(0, 2), st.integers(1, 4), money),
    ),
    max_size=10,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations)
def test_any_sequence_of_allocations_adjustments_and_accepts_reconciles(world, steps):
    """Σ lines = allocated and total = allocated + reserve + unallocated after every step;
    a refused step writes nothing; no line is ever planned below what it has committed."""
    from budget.models import Invoice, PurchaseOrder

    Invoice.objects.filter(plan=world.plan).delete()
    PurchaseOrder.objects.filter(plan=world.plan).delete()
    Transfer.objects.filter(plan=world.plan).delete()
    BudgetLine.objects.filter(plan=world.plan).delete()
    Budget.objects.filter(plan=world.plan).delete()
    AllocationRule.objects.filter(plan=world.plan).delete()
    only_channels(world, *CODES)
    editor = world.users["editor"]
    for n, step in enumerate(steps):
        snapshot = Budget.objects.filter(plan=world.plan).values().first()
        planned_before = dict(
            BudgetLine.objects.filter(plan=world.plan).values_list("pk", "planned")
        )
        try:
            if step[0] == "total":
                budget = ledger.budget_of(world.plan)
                services.settings_update(
                    plan=world.plan,
                    expected_version=budget.version,
                    changes={"total": step[1], "reserve_pct": step[2]},
                    actor=editor,
                )
            elif step[0] == "rules":
                services.rules_save(
                    plan=world.plan,
                    actor=editor,
                    rules=[
                        services.RuleInput(
                            channel(world, code),
                            D(p),
                            None,
                            AllocationRule.objects.get(channel=channel(world, code)).version,
                        )
                        for code, p in zip(CODES, step[1], strict=True)
                    ],
                    weights=[],
                )
            elif step[0] == "accept":
                services.accept_allocation(plan=world.plan, actor=editor)
            elif step[0] == "adjust":
                line(world, CODES[step[1]], step[2], step[3])
            else:
                found = BudgetLine.objects.filter(
                    plan=world.plan, channel__code=CODES[step[1]], quarter=step[2], campaign=None
                ).first()
                if found is not None and step[3] > 0:
                    order(world, found, step[3], number=f"PO-{n}")
        except InvalidInput:
            assert Budget.objects.filter(plan=world.plan).values().first() == snapshot
            assert (
                dict(BudgetLine.objects.filter(plan=world.plan).values_list("pk", "planned"))
                == planned_before
            )
        reconciles(world.plan)
        spent = actuals.spent_by_line(world.plan)
        for x in BudgetLine.objects.filter(plan=world.plan):
            # a line may be overcommitted by an order, but a planning step never cuts below it
            if x.pk in planned_before and x.planned < planned_before[x.pk]:
                assert x.planned >= spent[x.pk].used
