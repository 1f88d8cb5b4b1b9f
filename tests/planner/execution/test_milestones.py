"""Milestones: status derived from hand-made KPI data through the service and queries,
the override with a reason, planning vs execution writes, and the list's query count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import InvalidInput, Locked
from kpis import services as kpi_services
from planner.execution import queries, services
from planner.execution.models import Milestone
from planner.models import PlanStatus
from tests.kpis.trees import small_tree

MAY_END = date(2027, 5, 31)


def _actuals(world, *, cac_q2: int) -> dict:
    """Budget on plan (100,000 a month) for Jan–May; CAC 60 in Q1 and ``cac_q2`` in
    April–May, so new users = budget ÷ CAC is on target in Q1 and behind in Q2."""
    tree = small_tree(world)
    editor = world.users["editor"]
    kpi_services.actuals_set(
        kpi=tree["budget"], values=dict.fromkeys(range(1, 6), 100000), actor=editor
    )
    kpi_services.actuals_set(
        kpi=tree["cac"], values={1: 60, 2: 60, 3: 60, 4: cac_q2, 5: cac_q2}, actor=editor
    )
    return tree


def _milestone(world, quarter, start, due, kpis=(), **fields) -> Milestone:
    return services.milestone_create(
        plan=world.plan,
        actor=world.users["editor"],
        quarter=quarter,
        title=f"Q{quarter} milestone {start}",
        start=start,
        due=due,
        kpis=list(kpis),
        **fields,
    )


def _rows(world) -> dict[int, queries.MilestoneRow]:
    return {r.milestone.pk: r for r in queries.milestone_rows(world.plan, today=date(2026, 11, 1))}


def test_status_is_derived_from_the_linked_kpis(world):
    tree = _actuals(world, cac_q2=65)  # April–May new users 1,538 of 1,667 a month
    q1 = _milestone(world, 1, date(2027, 1, 1), date(2027, 3, 31), [tree["new_users"]])
    q2 = _milestone(world, 2, date(2027, 4, 1), date(2027, 6, 30), [tree["new_users"]])
    q3 = _milestone(world, 3, date(2027, 7, 1), date(2027, 9, 30), [tree["new_users"]])
    rows = _rows(world)
    # Q1 reached its quarter target: 5,000 new users of 5,000
    assert rows[q1.pk].status == "done" and rows[q1.pk].derived.reason == "targets_met"
    # Q2: pace 3,077 ÷ 3,333 = 92.3 % so far, below the 95 % "at risk" threshold
    derived = rows[q2.pk].derived
    assert rows[q2.pk].status == "at_risk" and derived.reason == "behind_pace"
    assert derived.weakest_pace == pytest.approx(60 / 65, abs=0.001)
    # completion: 92.3 % of the quarter-to-date target, two of three months gone
    assert derived.progress == pytest.approx(60 / 65 * 2 / 3, abs=0.001)
    assert rows[q2.pk].kpis[0][1].completion == pytest.approx(60 / 65 * 2 / 3, abs=0.001)
    # Q3 has not started (its data date is the end of May)
    assert rows[q3.pk].status == "not_started"


def test_on_pace_kpis_keep_the_quarter_on_track(world):
    tree = _actuals(world, cac_q2=60)
    q2 = _milestone(world, 2, date(2027, 4, 1), date(2027, 6, 30), [tree["new_users"]])
    row = _rows(world)[q2.pk]
    assert row.status == "on_track" and row.derived.reason == "on_pace"
    assert row.percent == 67


def test_the_plan_thresholds_decide_at_risk(world):
    tree = _actuals(world, cac_q2=65)
    q2 = _milestone(world, 2, date(2027, 4, 1), date(2027, 6, 30), [tree["new_users"]])
    policy = kpi_services.policy_for(world.plan)
    kpi_services.policy_update(
        plan=world.plan,
        expected_version=policy.version,
        at_risk_below=Decimal("0.90"),
        off_track_below=Decimal("0.80"),
        actor=world.users["editor"],
    )
    assert _rows(world)[q2.pk].status == "on_track"  # 92.3 % ≥ 90 %


def test_far_behind_is_off_track(world):
    tree = _actuals(world, cac_q2=75)  # 80 % of the Q2 target so far
    q2 = _milestone(world, 2, date(2027, 4, 1), date(2027, 6, 30), [tree["new_users"]])
    row = _rows(world)[q2.pk]
    assert row.status == "at_risk" and row.derived.reason == "off_track"


def test_without_kpi_data_the_entered_progress_counts(world):
    _actuals(world, cac_q2=60)  # the data date is the end of May 2027
    late = _milestone(world, 1, date(2027, 1, 1), date(2027, 3, 31))
    late = services.milestone_set_progress(
        milestone=late,
        expected_version=late.version,
        entered_progress=Decimal("0.5"),
        actor=world.users["editor"],
    )
    done = _milestone(world, 2, date(2027, 4, 1), date(2027, 6, 30))
    services.milestone_set_progress(
        milestone=done,
        expected_version=done.version,
        entered_progress=Decimal("1"),
        actor=world.users["editor"],
    )
    rows = _rows(world)
    assert rows[late.pk].status == "late" and rows[late.pk].percent == 50
    assert rows[done.pk].status == "done" and rows[done.pk].derived.reason == "progress_complete"


def test_override_needs_a_reason_and_is_kept_with_who_and_when(world):
    tree = _actuals(world, cac_q2=60)
    q2 = _milestone(world, 2, date(2027, 4, 1), date(2027, 6, 30), [tree["new_users"]])
    manager = world.users["manager"]
    with pytest.raises(InvalidInput) as refused:
        services.milestone_override(
            milestone=q2, expected_version=q2.version, status="at_risk", reason=" ", actor=manager
        )
    assert "reason" in refused.value.fields
    fresh = services.milestone_override(
        milestone=q2,
        expected_version=q2.version,
        status="at_risk",
        reason="Supplier of the gift boxes is two weeks late",
        actor=manager,
    )
    row = _rows(world)[q2.pk]
    assert row.status == "at_risk" and row.overridden and row.derived.status == "on_track"
    assert fresh.override_by == manager and fresh.override_at is not None
    last = fresh.history.order_by("-history_date").first()
    assert last.history_change_reason == "Supplier of the gift boxes is two weeks late"
    assert last.history_user == manager
    # clearing the override goes back to the derived status
    services.milestone_override(
        milestone=fresh, expected_version=fresh.version, status="", reason="", actor=manager
    )
    row = _rows(world)[q2.pk]
    assert row.status == "on_track" and not row.overridden
    assert fresh.history.count() == 3  # created, overridden, cleared


def test_planning_is_draft_only_but_running_goes_on_after_approval(world):
    q1 = _milestone(world, 1, date(2027, 1, 1), date(2027, 3, 31))
    world.plan.status = PlanStatus.APPROVED
    world.plan.save(update_fields=["status"])
    with pytest.raises(Locked):
        services.milestone_update(
            milestone=q1,
            expected_version=q1.version,
            changes={"title": "Changed"},
            actor=world.users["editor"],
        )
    fresh = services.milestone_override(
        milestone=q1,
        expected_version=q1.version,
        status="late",
        reason="Launch moved",
        actor=world.users["editor"],
    )
    assert fresh.override_status == "late"


def test_bad_input_is_refused_as_a_whole(world):
    other_plan_kpi = small_tree(world)["cac"]
    from tests.factories import PlanFactory

    sibling = PlanFactory(workspace=world.workspace, name="Scenario B")
    with pytest.raises(InvalidInput) as refused:
        services.milestone_create(
            plan=sibling,
            actor=world.users["editor"],
            quarter=5,
            title="",
            start=date(2027, 3, 1),
            due=date(2027, 2, 1),
            kpis=[other_plan_kpi],
        )
    assert set(refused.value.fields) == {"quarter", "title", "due", "kpis"}
    assert not Milestone.objects.exists()


def test_milestone_page_computes_attainment_once(world, client_for):
    tree = _actuals(world, cac_q2=75)
    _milestone(world, 1, date(2027, 1, 1), date(2027, 3, 31), [tree["new_users"]])
    client = client_for("viewer")
    url = f"/plans/{world.plan.pk}/execution/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for quarter in (2, 3, 4, 4, 2):
        start = date(2027, 3 * quarter - 2, 1)
        _milestone(
            world,
            quarter,
            start,
            date(2027, 3 * quarter, 28),
            [tree["new_users"], tree["budget"], tree["cac"]],
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    page = response.content.decode()
    assert "At risk" in page and "Done" in page
