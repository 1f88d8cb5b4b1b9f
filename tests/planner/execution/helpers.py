"""Execution data in the ``world`` plan: a milestone, a risk, a playbook with steps and an
alert whose rule triggers it (each created once, through the services)."""

from __future__ import annotations

from datetime import date
from typing import Any

from monitoring.models import Alert
from planner.execution import services
from planner.execution.models import EscalationStep, Milestone, Playbook, Risk
from tests.monitoring import seed

STEPS = [
    {"role": "Social media lead", "person": "Chen Jing", "response_minutes": 30},
    {"role": "PR director", "person": "Wang Li", "response_minutes": 60},
    {"role": "General manager", "person": "", "response_minutes": 120},
]


def milestone(world: Any) -> Milestone:
    found = Milestone.objects.filter(plan=world.plan).first()
    if found:
        return found
    return services.milestone_create(
        plan=world.plan,
        actor=world.users["editor"],
        quarter=2,
        title="618 pre-sale reaches 30,000 members",
        start=date(2027, 4, 1),
        due=date(2027, 6, 30),
    )


def playbook(world: Any) -> Playbook:
    found = Playbook.objects.filter(plan=world.plan).first()
    if found:
        return found
    return services.playbook_create(
        plan=world.plan,
        actor=world.users["editor"],
        title="PR crisis",
        scenario="A product-quality post goes viral.",
        statement_zh="我们已关注到相关反馈。",
        statement_en="We have seen the reports.",
        steps=STEPS,
    )


def step(world: Any, order: int = 1) -> EscalationStep:
    return EscalationStep.objects.get(playbook=playbook(world), order=order)


def risk(world: Any) -> Risk:
    found = Risk.objects.filter(plan=world.plan).first()
    if found:
        return found
    return services.risk_create(
        plan=world.plan,
        actor=world.users["editor"],
        title="Platform changes its livestream rules",
        category="market_policy",
        impact=4,
        likelihood=3,
    )


def playbook_alert(world: Any) -> Alert:
    """An open alert whose rule names the world's playbook."""
    found = Alert.objects.filter(plan=world.plan, rule__playbook__isnull=False).first()
    if found:
        return found
    rule = seed.rule(world, name="Negative voice spike")
    rule.playbook = playbook(world)
    rule.save(update_fields=["playbook"])
    return seed.alert(world, rule=rule)
