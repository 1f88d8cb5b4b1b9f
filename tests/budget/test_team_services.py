"""Services of collaboration: RACI rules validated as a whole, departments, the conflict
path with its SLA, collaboration scores; roles and locking."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from budget import team_queries as queries
from budget import team_services as services
from budget.models.teams import (
    CollaborationScore,
    Conflict,
    Department,
    RaciAssignment,
    Workstream,
)
from core.errors import InvalidInput, InvalidTransition, Locked, NotAllowed, StaleVersion
from planner.models import PlanStatus
from tests.budget.teams_helpers import (
    campaign,
    conflict,
    department,
    departments,
    other_department,
    score,
    step,
    workstream,
)


def letters(stream: Workstream) -> dict[str, str]:
    return {c.department.code: c.role for c in stream.cells.select_related("department")}


# --- RACI ----------------------------------------------------------------------------------------


def test_a_workstream_is_saved_with_its_cells(world):
    stream = workstream(world)
    assert letters(stream) == {"BRAND": "A", "GROWTH": "R", "FIN": "C"}
    assert stream.version == 1


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        (("A", "A", "R"), "Exactly one department is accountable (A); there are 2."),
        (("R", "R", "C"), "Exactly one department is accountable (A); there are 0."),
        (("A", "C", "I"), "At least one department is responsible (R)."),
    ],
)
def test_raci_rules_refuse_a_new_workstream_and_write_nothing(world, roles, message):
    brand, growth, fin = departments(world)
    with pytest.raises(InvalidInput) as caught:
        services.workstream_create(
            plan=world.plan,
            actor=world.users["editor"],
            kind="milestone",
            name="Q3 close",
            cells=dict(zip((brand, growth, fin), roles, strict=True)),
        )
    assert [str(m) for m in caught.value.fields["cells"]] == [message]
    assert not Workstream.objects.filter(plan=world.plan).exists()
    assert not RaciAssignment.objects.exists()


def test_every_problem_of_a_workstream_is_reported_at_once(world):
    brand, growth, _fin = departments(world)
    with pytest.raises(InvalidInput) as caught:
        services.workstream_create(
            plan=world.plan,
            actor=world.users["editor"],
            kind="milestone",
            name="",
            spend_limit=Decimal(-1),
            cells={brand: "C", growth: "I"},
        )
    fields = caught.value.fields
    assert set(fields) == {"name", "spend_limit", "cells"}
    assert len(fields["cells"]) == 2  # no A and no R


def test_an_invalid_update_leaves_the_row_and_its_cells_as_they_were(world):
    stream = workstream(world)
    brand, growth, fin = departments(world)
    with pytest.raises(InvalidInput):
        services.workstream_update(
            workstream=stream,
            expected_version=stream.version,
            changes={"name": "Renamed", "cells": {brand: "A", growth: "A", fin: "R"}},
            actor=world.users["editor"],
        )
    stream.refresh_from_db()
    assert stream.name == "Mid-year review"
    assert stream.version == 1
    assert letters(stream) == {"BRAND": "A", "GROWTH": "R", "FIN": "C"}


def test_an_update_replaces_the_cells_and_bumps_the_version(world):
    stream = workstream(world)
    brand, growth, fin = departments(world)
    fresh = services.workstream_update(
        workstream=stream,
        expected_version=1,
        changes={"cells": {growth: "A", fin: "R"}},
        actor=world.users["editor"],
    )
    assert fresh.version == 2
    assert letters(fresh) == {"GROWTH": "A", "FIN": "R"}
    with pytest.raises(StaleVersion):
        services.workstream_update(
            workstream=stream,
            expected_version=1,
            changes={"cells": {brand: "A", fin: "R"}},
            actor=world.users["editor"],
        )
    assert letters(fresh) == {"GROWTH": "A", "FIN": "R"}


def test_cells_must_name_departments_of_the_plans_workspace(world):
    brand, _growth, _fin = departments(world)
    with pytest.raises(InvalidInput) as caught:
        services.workstream_create(
            plan=world.plan,
            actor=world.users["editor"],
            kind="other",
            name="Retail",
            cells={brand: "A", other_department(world): "R"},
        )
    assert "cells" in caught.value.fields
    assert not Workstream.objects.exists()


def test_a_campaign_workstream_takes_the_campaigns_name_and_is_unique(world):
    brand, growth, _fin = departments(world)
    found = campaign(world)
    stream = services.workstream_create(
        plan=world.plan,
        actor=world.users["editor"],
        kind="campaign",
        campaign=found,
        cells={brand: "A", growth: "R"},
    )
    assert stream.name == "Spring Festival"
    with pytest.raises(InvalidInput) as caught:
        services.workstream_create(
            plan=world.plan,
            actor=world.users["editor"],
            kind="campaign",
            campaign=found,
            name="Again",
            cells={brand: "A", growth: "R"},
        )
    assert "campaign" in caught.value.fields


def test_a_channel_of_another_plan_is_refused(world):
    brand, growth, _fin = departments(world)
    rival_channel = world.other_plan.channels.first()
    with pytest.raises(InvalidInput) as caught:
        services.workstream_create(
            plan=world.plan,
            actor=world.users["editor"],
            kind="channel",
            channel=rival_channel,
            cells={brand: "A", growth: "R"},
        )
    assert "channel" in caught.value.fields


def test_viewers_cannot_change_the_raci_and_archived_plans_are_locked(world):
    brand, growth, _fin = departments(world)
    with pytest.raises(NotAllowed):
        services.workstream_create(
            plan=world.plan,
            actor=world.users["viewer"],
            kind="other",
            name="X",
            cells={brand: "A", growth: "R"},
        )
    world.plan.status = PlanStatus.ARCHIVED
    world.plan.save(update_fields=["status"])
    with pytest.raises(Locked):
        services.workstream_create(
            plan=world.plan,
            actor=world.users["editor"],
            kind="other",
            name="X",
            cells={brand: "A", growth: "R"},
        )


def test_raci_can_change_while_an_approved_plan_runs(world):
    workstream(world)
    world.plan.status = PlanStatus.APPROVED
    world.plan.save(update_fields=["status"])
    brand, growth, _fin = departments(world)
    stream = services.workstream_create(
        plan=world.plan,
        actor=world.users["editor"],
        kind="other",
        name="Store roll-out",
        cells={brand: "R", growth: "A"},
    )
    assert queries.matrix(world.plan).load[growth.pk]["A"] == 1
    assert stream.pk


# --- departments ---------------------------------------------------------------------------------


def test_department_codes_are_upper_case_and_unique_per_workspace(world):
    created = services.department_create(
        workspace=world.workspace, actor=world.users["editor"], code="crm", name="CRM"
    )
    assert created.code == "CRM"
    with pytest.raises(InvalidInput) as caught:
        services.department_create(
            workspace=world.workspace, actor=world.users["editor"], code="CRM", name="crm"
        )
    assert set(caught.value.fields) == {"code", "name"}
    # another workspace may use the same code
    services.department_create(
        workspace=world.other_workspace, actor=world.users["outsider"], code="CRM", name="CRM"
    )


def test_a_department_lead_must_be_a_member(world):
    with pytest.raises(InvalidInput) as caught:
        services.department_create(
            workspace=world.workspace,
            actor=world.users["editor"],
            code="PR",
            name="PR",
            lead=world.users["outsider"],
        )
    assert "lead" in caught.value.fields


def test_viewers_cannot_add_departments(world):
    with pytest.raises(NotAllowed):
        services.department_create(
            workspace=world.workspace, actor=world.users["viewer"], code="PR", name="PR"
        )


def test_deleting_a_department_used_in_a_raci_is_refused(world):
    workstream(world)
    brand = department(world)
    with pytest.raises(InvalidInput) as caught:
        services.department_delete(
            department=brand, expected_version=brand.version, actor=world.users["editor"]
        )
    assert "Mid-year review" in str(caught.value.message)
    assert "RACI" in str(caught.value.message)
    assert Department.objects.filter(pk=brand.pk).exists()


def test_an_unused_department_can_be_deleted(world):
    spare = department(world, "SPARE")
    services.department_delete(
        department=spare, expected_version=spare.version, actor=world.users["editor"]
    )
    assert not Department.objects.filter(pk=spare.pk).exists()


# --- communication rules -------------------------------------------------------------------------


def test_each_kind_of_rule_needs_its_own_field(world):
    owner = department(world)
    for kind, field in (("meeting", "cadence"), ("document", "link"), ("messaging", "tool")):
        with pytest.raises(InvalidInput) as caught:
            services.rule_create(
                plan=world.plan, actor=world.users["editor"], kind=kind, name="X", owner=owner
            )
        assert field in caught.value.fields
    rule = services.rule_create(
        plan=world.plan,
        actor=world.users["editor"],
        kind="document",
        name="Plan sheet",
        link="https://example.com/sheet",
        cadence="weekly",  # not a document's: cleared
        owner=owner,
    )
    assert rule.cadence == ""


def test_a_rule_cannot_name_another_workspaces_department(world):
    with pytest.raises(InvalidInput) as caught:
        services.rule_create(
            plan=world.plan,
            actor=world.users["editor"],
            kind="meeting",
            name="Sync",
            cadence="weekly",
            owner=department(world),
            participants=[other_department(world)],
        )
    assert "participants" in caught.value.fields


# --- the conflict path ---------------------------------------------------------------------------


def test_a_conflict_needs_an_arbitration_path_and_two_departments(world):
    brand, growth, _fin = departments(world)
    with pytest.raises(InvalidInput):
        services.conflict_create(
            plan=world.plan, actor=world.users["editor"], title="X", departments=[brand, growth]
        )
    step(world)
    with pytest.raises(InvalidInput) as caught:
        services.conflict_create(
            plan=world.plan, actor=world.users["editor"], title="", departments=[brand]
        )
    assert set(caught.value.fields) == {"title", "departments"}
    assert not Conflict.objects.exists()


def test_a_conflict_starts_at_the_first_step_and_escalates_in_order(world):
    found = conflict(world)
    assert found.step.level == 1 and found.raised_by == world.users["editor"]
    before = found.step_since
    escalated = services.conflict_escalate(
        conflict=found, expected_version=found.version, actor=world.users["editor"]
    )
    assert escalated.step.level == 2
    assert escalated.step_since >= before
    with pytest.raises(InvalidTransition):
        services.conflict_escalate(
            conflict=escalated, expected_version=escalated.version, actor=world.users["editor"]
        )
    with pytest.raises(StaleVersion):
        services.conflict_resolve(
            conflict=escalated, expected_version=1, outcome="x", actor=world.users["editor"]
        )


def test_resolving_needs_an_outcome_and_closes_the_conflict(world):
    found = conflict(world)
    with pytest.raises(InvalidInput) as caught:
        services.conflict_resolve(
            conflict=found,
            expected_version=found.version,
            outcome="  ",
            actor=world.users["editor"],
        )
    assert "outcome" in caught.value.fields
    done = services.conflict_resolve(
        conflict=found,
        expected_version=found.version,
        outcome="Growth keeps the slot.",
        actor=world.users["manager"],
    )
    assert done.status == "resolved" and done.resolved_by == world.users["manager"]
    with pytest.raises(InvalidTransition):
        services.conflict_escalate(
            conflict=done, expected_version=done.version, actor=world.users["editor"]
        )


def test_a_conflict_past_its_steps_sla_is_overdue(world):
    step(world, 1)  # SLA 48 hours
    brand, growth, _fin = departments(world)
    raised = timezone.now() - timedelta(hours=50)
    late = services.conflict_create(
        plan=world.plan,
        actor=world.users["editor"],
        title="Late",
        departments=[brand, growth],
        raised_at=raised,
    )
    services.conflict_create(
        plan=world.plan, actor=world.users["editor"], title="Fresh", departments=[brand, growth]
    )
    path = queries.conflict_path(world.plan)
    by_title = {row.conflict.title: row for row in path.open}
    assert by_title["Late"].overdue and not by_title["Fresh"].overdue
    assert by_title["Late"].due == raised + timedelta(hours=48)
    assert path.overdue_count == 1
    # measured at a chosen moment: not overdue until the SLA has passed
    rows = queries.conflict_rows(
        Conflict.objects.filter(pk=late.pk), now=raised + timedelta(hours=47)
    )
    assert not rows[0].overdue
    # a resolved conflict is never overdue
    services.conflict_resolve(
        conflict=late, expected_version=late.version, outcome="Done", actor=world.users["editor"]
    )
    assert queries.conflict_path(world.plan).overdue_count == 0


def test_a_conflict_cannot_be_raised_in_the_future(world):
    step(world)
    brand, growth, _fin = departments(world)
    with pytest.raises(InvalidInput) as caught:
        services.conflict_create(
            plan=world.plan,
            actor=world.users["editor"],
            title="X",
            departments=[brand, growth],
            raised_at=timezone.now() + timedelta(days=1),
        )
    assert "raised_at" in caught.value.fields


# --- collaboration scores ------------------------------------------------------------------------


def test_a_score_stores_the_weighted_result(world):
    given = score(world)  # 4, 4, 3, 5
    assert given.score == Decimal("75.0")
    assert given.scored_by == world.users["manager"]
    fresh = services.score_update(
        score=given,
        expected_version=given.version,
        changes={"delivery": 5, "conflict_handling": 1},
        actor=world.users["admin"],
    )
    # 25×¾ + 35×1 + 20×½ + 20×0 = 18.75 + 35 + 10
    assert fresh.score == Decimal("63.8")
    assert fresh.scored_by == world.users["admin"]


def test_only_managers_score_and_once_per_quarter(world):
    brand = department(world)
    ratings = {"responsiveness": 3, "delivery": 3, "communication": 3, "conflict_handling": 3}
    with pytest.raises(NotAllowed):
        services.score_create(
            plan=world.plan, department=brand, quarter=1, actor=world.users["editor"], **ratings
        )
    score(world)
    with pytest.raises(InvalidInput) as caught:
        services.score_create(
            plan=world.plan, department=brand, quarter=1, actor=world.users["manager"], **ratings
        )
    assert "quarter" in caught.value.fields
    assert CollaborationScore.objects.count() == 1


def test_bad_ratings_are_named_and_nothing_is_saved(world):
    with pytest.raises(InvalidInput) as caught:
        services.score_create(
            plan=world.plan,
            department=other_department(world),
            quarter=5,
            actor=world.users["manager"],
            responsiveness=0,
            delivery=6,
            communication=3,
            conflict_handling=3,
        )
    assert set(caught.value.fields) == {"department", "quarter", "responsiveness", "delivery"}
    assert not CollaborationScore.objects.exists()


def test_the_department_review_gathers_scores_load_and_conflicts(world):
    workstream(world)
    score(world)
    conflict(world)
    review = queries.review(world.plan, department(world))
    assert [s.quarter for s in review.scores] == [1]
    assert review.average == Decimal("75.0")
    assert review.load == {"R": 0, "A": 1, "C": 0, "I": 0}
    assert [row.conflict.title for row in review.conflicts] == ["Douyin budget vs. brand film"]
    assert queries.review(world.plan, department(world, "FIN")).conflicts == []
