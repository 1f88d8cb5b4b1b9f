"""Collaboration data in the ``world`` plan: departments, a workstream with its RACI, a
communication rule, the arbitration path, a conflict and a score (all through services)."""

from __future__ import annotations

from datetime import date
from typing import Any

from budget import team_services as services
from budget.models.teams import (
    ArbitrationStep,
    CollaborationScore,
    CommunicationRule,
    Conflict,
    CoordinatorGroup,
    Department,
    Workstream,
)
from content.models import Campaign
from content.services import campaign_create

DEPARTMENTS = (("BRAND", "Brand marketing"), ("GROWTH", "Growth"), ("FIN", "Finance"))


def department(world: Any, code: str = "BRAND") -> Department:
    found = Department.objects.filter(workspace=world.workspace, code=code).first()
    if found:
        return found
    name = dict(DEPARTMENTS).get(code, code.title())
    return services.department_create(
        workspace=world.workspace, actor=world.users["editor"], code=code, name=name
    )


def departments(world: Any) -> list[Department]:
    return [department(world, code) for code, _name in DEPARTMENTS]


def other_department(world: Any) -> Department:
    """A department of the outsider's workspace."""
    found = Department.objects.filter(workspace=world.other_workspace).first()
    if found:
        return found
    return services.department_create(
        workspace=world.other_workspace, actor=world.users["outsider"], code="RIVAL", name="Rival"
    )


def workstream(world: Any) -> Workstream:
    found = Workstream.objects.filter(plan=world.plan).first()
    if found:
        return found
    brand, growth, fin = departments(world)
    return services.workstream_create(
        plan=world.plan,
        actor=world.users["editor"],
        kind="milestone",
        name="Mid-year review",
        cells={brand: "A", growth: "R", fin: "C"},
    )


def campaign(world: Any) -> Campaign:
    found = Campaign.objects.filter(plan=world.plan).first()
    if found:
        return found
    return campaign_create(
        plan=world.plan,
        actor=world.users["editor"],
        code="spring",
        name="Spring Festival",
        theme="festival",
        start=date(2027, 1, 10),
        end=date(2027, 2, 10),
    )


def rule(world: Any) -> CommunicationRule:
    found = CommunicationRule.objects.filter(plan=world.plan).first()
    if found:
        return found
    return services.rule_create(
        plan=world.plan,
        actor=world.users["editor"],
        kind="meeting",
        name="Weekly sync",
        cadence="weekly",
        owner=department(world),
        participants=departments(world),
    )


def step(world: Any, level: int = 1) -> ArbitrationStep:
    found = ArbitrationStep.objects.filter(plan=world.plan, level=level).first()
    if found:
        return found
    return services.step_create(
        plan=world.plan,
        actor=world.users["editor"],
        level=level,
        name=f"Level {level}",
        decider="Department leads" if level == 1 else "Coordination committee",
        sla_hours=48 * level,
    )


def group(world: Any) -> CoordinatorGroup:
    found = CoordinatorGroup.objects.filter(plan=world.plan).first()
    if found:
        return found
    return services.group_save(
        plan=world.plan,
        expected_version=0,
        changes={"name": "Coordination committee", "departments": departments(world)},
        actor=world.users["editor"],
    )


def conflict(world: Any) -> Conflict:
    found = Conflict.objects.filter(plan=world.plan).first()
    if found:
        return found
    step(world, 1)
    step(world, 2)
    brand, growth, _fin = departments(world)
    return services.conflict_create(
        plan=world.plan,
        actor=world.users["editor"],
        title="Douyin budget vs. brand film",
        departments=[brand, growth],
    )


def score(world: Any) -> CollaborationScore:
    found = CollaborationScore.objects.filter(plan=world.plan).first()
    if found:
        return found
    return services.score_create(
        plan=world.plan,
        department=department(world),
        quarter=1,
        actor=world.users["manager"],
        responsiveness=4,
        delivery=4,
        communication=3,
        conflict_handling=5,
    )
