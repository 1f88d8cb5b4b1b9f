"""Budget requests, reserve draws and the quarterly review: the rules per role, the money
they move (always through the ledger), and what a refused step leaves behind (nothing)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from budget import approval_services as services
from budget import ledger
from budget.models import (
    BudgetLine,
    BudgetRequest,
    DrawStatus,
    MoveStatus,
    ReallocationMove,
    ReallocationReview,
    RequestStatus,
    ReserveDraw,
    Transfer,
    TransferKind,
)
from core.errors import InvalidInput, InvalidTransition, Locked, NotAllowed, StaleVersion
from monitoring.roi.models import RoiBasis, RoiDefinition
from planner.models import PlanStatus
from tests.budget.approvals_helpers import (
    channel,
    draft,
    fund,
    grade,
    line,
    pending_draw,
    review_world,
    sheet,
    submitted,
)

pytestmark = pytest.mark.django_db
D = Decimal


def assert_reconciles(plan):
    budget = ledger.budget_of(plan)
    lines = list(BudgetLine.objects.filter(plan=plan))
    assert sum((x.planned for x in lines), D(0)) == budget.allocated
    assert budget.total == budget.allocated + budget.reserve_balance + budget.unallocated
    assert min([budget.unallocated, budget.reserve_balance, *(x.planned for x in lines)]) >= 0


# --- requests ------------------------------------------------------------------------------------


def test_an_approved_request_moves_its_cost_into_its_line_and_logs_every_step(world):
    fund(world)
    req = submitted(world)
    assert req.status == RequestStatus.SUBMITTED
    assert req.expected_roi == D("2.0000")  # (150,000 − 50,000) ÷ 50,000
    approved = services.request_approve(
        budget_request=req,
        expected_version=req.version,
        actor=world.users["manager"],
        comment="Go.",
    )
    assert approved.status == RequestStatus.APPROVED
    assert approved.decided_by == world.users["manager"]
    target = BudgetLine.objects.get(plan=world.plan, channel=channel(world), quarter=2)
    assert approved.line == target and target.planned == D("50000.00")
    budget = ledger.budget_of(world.plan)
    assert budget.unallocated == D("850000.00")  # 900,000 − 50,000
    made = Transfer.objects.get(kind=TransferKind.REQUEST)
    assert (made.source, made.target_line, made.amount) == ("unallocated", target, D("50000.00"))
    log = [(d.action, d.from_status, d.to_status) for d in approved.decisions.order_by("id")]
    assert log == [
        ("create", "draft", "draft"),
        ("submit", "draft", "submitted"),
        ("approve", "submitted", "approved"),
    ]
    assert approved.decisions.get(action="approve").comment == "Go."
    assert_reconciles(world.plan)


def test_an_editor_cannot_approve_and_nothing_moves(world):
    fund(world)
    req = submitted(world)
    with pytest.raises(NotAllowed):
        services.request_approve(
            budget_request=req, expected_version=req.version, actor=world.users["editor"]
        )
    req.refresh_from_db()
    assert req.status == RequestStatus.SUBMITTED
    assert not BudgetLine.objects.filter(plan=world.plan).exists()


def test_nobody_approves_or_rejects_their_own_request(world):
    fund(world)
    req = submitted(world, by="manager")
    for step in (services.request_approve, services.request_reject):
        with pytest.raises(NotAllowed):
            step(
                budget_request=req,
                expected_version=req.version,
                actor=world.users["manager"],
                comment="mine",
            )
    # another manager (the admin) may
    done = services.request_approve(
        budget_request=req, expected_version=req.version, actor=world.users["admin"]
    )
    assert done.status == RequestStatus.APPROVED


def test_a_viewer_can_neither_create_nor_submit(world):
    with pytest.raises(NotAllowed):
        services.request_create(plan=world.plan, actor=world.users["viewer"], **sheet(world))
    req = draft(world)
    with pytest.raises(NotAllowed):
        services.request_submit(
            budget_request=req, expected_version=req.version, actor=world.users["viewer"]
        )


def test_a_rejection_needs_a_comment_and_moves_nothing(world):
    fund(world)
    req = submitted(world)
    with pytest.raises(InvalidInput) as refused:
        services.request_reject(
            budget_request=req,
            expected_version=req.version,
            actor=world.users["manager"],
            comment=" ",
        )
    assert "comment" in refused.value.fields
    done = services.request_reject(
        budget_request=req,
        expected_version=req.version,
        actor=world.users["manager"],
        comment="The ROI rests on a price we do not have.",
    )
    assert done.status == RequestStatus.REJECTED
    assert done.decisions.first().comment == "The ROI rests on a price we do not have."
    assert not Transfer.objects.filter(kind=TransferKind.REQUEST).exists()
    with pytest.raises(InvalidTransition):
        services.request_approve(
            budget_request=done, expected_version=done.version, actor=world.users["manager"]
        )


def test_a_stale_version_is_refused_and_nothing_moves(world):
    fund(world)
    req = submitted(world)
    with pytest.raises(StaleVersion):
        services.request_approve(
            budget_request=req, expected_version=req.version - 1, actor=world.users["manager"]
        )
    assert ledger.budget_of(world.plan).unallocated == D("900000.00")
    assert BudgetRequest.objects.get(pk=req.pk).status == RequestStatus.SUBMITTED


def test_a_shortfall_is_refused_unless_the_reserve_pays_the_rest(world):
    fund(world, total="100000")  # 90,000 unallocated, 10,000 in reserve
    req = submitted(world, amount=D("95000"))
    with pytest.raises(InvalidInput) as refused:
        services.request_approve(
            budget_request=req, expected_version=req.version, actor=world.users["manager"]
        )
    assert "reserve" in str(refused.value.message)
    assert BudgetRequest.objects.get(pk=req.pk).status == RequestStatus.SUBMITTED
    assert ledger.budget_of(world.plan).unallocated == D("90000.00")
    done = services.request_approve(
        budget_request=req,
        expected_version=req.version,
        actor=world.users["manager"],
        use_reserve=True,
    )
    budget = ledger.budget_of(world.plan)
    assert (budget.unallocated, budget.reserve_balance) == (D("0.00"), D("5000.00"))
    assert done.from_reserve == D("5000.00") and done.line.planned == D("95000.00")
    draw = ReserveDraw.objects.get(request=done)
    assert draw.status == DrawStatus.APPROVED and draw.amount == D("5000.00")
    assert draw.transfer.kind == TransferKind.DRAW
    assert_reconciles(world.plan)


def test_the_reserve_cannot_cover_more_than_its_balance(world):
    fund(world, total="100000")
    req = submitted(world, amount=D("120000"))
    with pytest.raises(InvalidInput):
        services.request_approve(
            budget_request=req,
            expected_version=req.version,
            actor=world.users["manager"],
            use_reserve=True,
        )
    budget = ledger.budget_of(world.plan)
    assert (budget.unallocated, budget.reserve_balance) == (D("90000.00"), D("10000.00"))


def test_only_the_author_withdraws(world):
    req = submitted(world)
    with pytest.raises(NotAllowed):
        services.request_withdraw(
            budget_request=req, expected_version=req.version, actor=world.users["manager"]
        )
    done = services.request_withdraw(
        budget_request=req, expected_version=req.version, actor=world.users["editor"]
    )
    assert done.status == RequestStatus.WITHDRAWN


def test_the_sheet_is_checked_as_a_whole(world):
    with pytest.raises(InvalidInput) as refused:
        services.request_create(
            plan=world.plan,
            actor=world.users["editor"],
            **sheet(
                world,
                title=" ",
                assumptions="",
                amount=D("-5"),
                quarter=7,
                channel=channel(world, "douyin", plan=world.other_plan),
            ),
        )
    assert set(refused.value.fields) == {"title", "assumptions", "amount", "quarter", "channel"}
    assert not BudgetRequest.objects.exists()


def test_only_a_draft_is_edited_and_the_roi_follows_the_margin_basis(world):
    RoiDefinition.objects.create(plan=world.plan, basis=RoiBasis.MARGIN, gross_margin=D("0.4"))
    req = draft(world)
    assert req.expected_roi == D("0.2000")  # (150,000 × 0.4 − 50,000) ÷ 50,000
    changed = services.request_update(
        budget_request=req,
        expected_version=req.version,
        changes={"expected_revenue": D("250000")},
        actor=world.users["editor"],
    )
    assert changed.expected_roi == D("1.0000")
    sent = services.request_submit(
        budget_request=changed, expected_version=changed.version, actor=world.users["editor"]
    )
    with pytest.raises(InvalidTransition):
        services.request_update(
            budget_request=sent,
            expected_version=sent.version,
            changes={"title": "x"},
            actor=world.users["editor"],
        )


def test_nothing_changes_in_an_archived_plan(world):
    req = submitted(world)
    world.plan.status = PlanStatus.ARCHIVED
    world.plan.save()
    with pytest.raises(Locked):
        services.request_approve(
            budget_request=req, expected_version=req.version, actor=world.users["manager"]
        )


# --- reserve draws -------------------------------------------------------------------------------


def test_a_draw_is_paid_by_the_reserve_only_when_a_manager_approves(world):
    fund(world)
    draw = pending_draw(world)
    assert ledger.budget_of(world.plan).reserve_balance == D("100000.00")
    with pytest.raises(NotAllowed):
        services.draw_approve(draw=draw, expected_version=draw.version, actor=world.users["editor"])
    done = services.draw_approve(
        draw=draw, expected_version=draw.version, actor=world.users["manager"]
    )
    assert done.status == DrawStatus.APPROVED and done.transfer.kind == TransferKind.DRAW
    assert ledger.budget_of(world.plan).reserve_balance == D("90000.00")
    assert ledger.drawn_from_reserve(world.plan) == D("10000.00")
    assert done.line.planned == D("10000.00")
    assert_reconciles(world.plan)


def test_a_draw_needs_a_reason_and_never_takes_the_reserve_below_zero(world):
    fund(world, total="100000")
    target = line(world, "tmall", 3)
    with pytest.raises(InvalidInput) as refused:
        services.draw_request(
            plan=world.plan, actor=world.users["editor"], line=target, amount="500", reason=" "
        )
    assert set(refused.value.fields) == {"reason"}
    with pytest.raises(InvalidInput) as refused:
        services.draw_request(
            plan=world.plan, actor=world.users["editor"], line=target, amount="10000.01", reason="x"
        )
    assert "amount" in refused.value.fields
    first = pending_draw(world, "6000")
    second = pending_draw(world, "6000")
    services.draw_approve(draw=first, expected_version=first.version, actor=world.users["manager"])
    with pytest.raises(InvalidInput):
        services.draw_approve(
            draw=second, expected_version=second.version, actor=world.users["manager"]
        )
    assert ledger.budget_of(world.plan).reserve_balance == D("4000.00")
    assert ReserveDraw.objects.get(pk=second.pk).status == DrawStatus.PENDING


def test_a_manager_draws_directly_an_editor_cannot(world):
    fund(world)
    target = line(world, "tmall", 3)
    with pytest.raises(NotAllowed):
        services.draw_request(
            plan=world.plan,
            actor=world.users["editor"],
            line=target,
            amount="100",
            reason="x",
            approve=True,
        )
    done = services.draw_request(
        plan=world.plan,
        actor=world.users["manager"],
        line=target,
        amount="100",
        reason="Crisis response on Weibo.",
        approve=True,
    )
    assert done.status == DrawStatus.APPROVED and done.decided_by == world.users["manager"]


def test_a_rejected_draw_needs_a_comment(world):
    fund(world)
    draw = pending_draw(world)
    with pytest.raises(InvalidInput):
        services.draw_reject(
            draw=draw, expected_version=draw.version, actor=world.users["manager"], comment=""
        )
    done = services.draw_reject(
        draw=draw, expected_version=draw.version, actor=world.users["manager"], comment="Not now."
    )
    assert done.status == DrawStatus.REJECTED
    assert ledger.budget_of(world.plan).reserve_balance == D("100000.00")


def test_a_draw_into_another_plans_line_is_refused(world):
    fund(world)
    fund(world, plan=world.other_plan)
    foreign = ledger.line_for(
        world.other_plan,
        channel=channel(world, "tmall", world.other_plan),
        campaign=None,
        quarter=1,
    )
    with pytest.raises(InvalidInput) as refused:
        services.draw_request(
            plan=world.plan, actor=world.users["editor"], line=foreign, amount="1", reason="x"
        )
    assert "line" in refused.value.fields


# --- the quarterly review ------------------------------------------------------------------------


def test_the_review_proposes_from_c_to_a_within_the_limits(world):
    review = review_world(world)
    moves = list(review.moves.all())
    # 20 % of the C line (100,000), within 10 % of the 1,000,000 total
    assert [
        (m.from_line.channel.code, m.to_line.channel.code, m.proposed_amount) for m in moves
    ] == [("douyin", "wechat", D("20000.00"))]
    assert moves[0].reasons == ["grade_c"] and (moves[0].from_grade, moves[0].to_grade) == (
        "C",
        "A",
    )
    assert review.limit == D("100000.00")


def test_proposing_twice_and_the_job_are_idempotent(world):
    first = review_world(world)
    again = services.review_propose(plan=world.plan, quarter=1, actor=world.users["manager"])
    assert again.pk == first.pk and again.moves.count() == 1
    world.other_plan.status = PlanStatus.ARCHIVED  # an archived plan is left alone
    world.other_plan.save()
    assert services.propose_due_reviews(datetime.date(2027, 7, 1)) == 1  # Q2 of 2027
    assert services.propose_due_reviews(datetime.date(2027, 7, 1)) == 0
    assert services.propose_due_reviews(datetime.date(2027, 4, 1)) == 0  # Q1 exists already
    assert services.propose_due_reviews(datetime.date(2027, 1, 1)) == 0  # Q4 has nothing after
    quarters = ReallocationReview.objects.filter(plan=world.plan).values_list("quarter", flat=True)
    assert sorted(quarters) == [1, 2]
    assert not ReallocationReview.objects.filter(plan=world.other_plan).exists()


def test_the_beat_task_proposes_reviews(world, monkeypatch):
    from budget import tasks

    review_world(world)
    monkeypatch.setattr(services.timezone, "localdate", lambda: datetime.date(2027, 10, 1))
    tasks.propose_reviews.delay()
    assert ReallocationReview.objects.filter(plan=world.plan, quarter=3).exists()


def test_an_approved_move_changes_both_lines_at_once(world):
    review = review_world(world)
    move = review.moves.get()
    with pytest.raises(NotAllowed):
        services.move_approve(move=move, expected_version=move.version, actor=world.users["editor"])
    with pytest.raises(InvalidInput):
        services.move_approve(
            move=move,
            expected_version=move.version,
            actor=world.users["manager"],
            amount="20000.01",
        )
    done = services.move_approve(
        move=move, expected_version=move.version, actor=world.users["manager"], amount="15000"
    )
    assert done.status == MoveStatus.APPROVED and done.approved_amount == D("15000.00")
    assert done.transfer.kind == TransferKind.MOVE
    assert BudgetLine.objects.get(pk=move.from_line_id).planned == D("85000.00")
    assert BudgetLine.objects.get(pk=move.to_line_id).planned == D("215000.00")
    with pytest.raises(InvalidTransition):
        services.move_reject(move=done, expected_version=done.version, actor=world.users["manager"])
    assert_reconciles(world.plan)


def test_a_move_the_source_can_no_longer_pay_is_refused_whole(world, monkeypatch):
    review = review_world(world)
    move = review.moves.get()
    monkeypatch.setattr(services.actuals, "movable", lambda line: D("100.00"))
    with pytest.raises(InvalidInput):
        services.move_approve(
            move=move, expected_version=move.version, actor=world.users["manager"]
        )
    assert BudgetLine.objects.get(pk=move.from_line_id).planned == D("100000.00")
    assert BudgetLine.objects.get(pk=move.to_line_id).planned == D("200000.00")
    assert ReallocationMove.objects.get(pk=move.pk).status == MoveStatus.PROPOSED
    result = services.review_approve_all(review=review, actor=world.users["manager"])
    assert result.approved == 0 and len(result.refused) == 1


def test_approve_all_and_reject(world):
    fund(world)
    line(world, "douyin", 2, "100000")
    line(world, "weibo", 2, "100000")
    line(world, "wechat", 2, "200000")
    grade(world, "douyin", "C")
    grade(world, "weibo", "C")
    grade(world, "wechat", "A")
    review = services.review_propose(plan=world.plan, quarter=1, actor=world.users["manager"])
    first, second = review.moves.order_by("id")
    services.move_reject(
        move=first, expected_version=first.version, actor=world.users["manager"], comment="Keep it."
    )
    result = services.review_approve_all(review=review, actor=world.users["manager"])
    assert result.approved == 1 and not result.refused
    assert ReallocationMove.objects.get(pk=second.pk).status == MoveStatus.APPROVED
    assert ReallocationMove.objects.get(pk=first.pk).status == MoveStatus.REJECTED
    assert_reconciles(world.plan)
