"""The demo plan's versions: submitted and approved (the baseline), reopened for the
mid-year revision with two changes since (a higher net-promoter-score target and a
larger budget), and one scenario to compare with ("Stretch: +20 % budget"). Used only
by ``manage.py load_demo``; safe to run twice."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User

from budget import money_services
from budget.models import Budget
from kpis import services as kpi_services
from kpis.models import Kpi
from planner import services as plan_services
from planner.models import Plan, PlanTransition
from planner.versions import services
from planner.versions.models import PlanVersion

SCENARIO_NAME = "Stretch: +20 % budget"


def load(*, plan: Plan, editor: User, manager: User) -> bool:
    """True when it wrote the versions (the first run), False when they were there."""
    if PlanVersion.objects.filter(plan=plan).exists():
        return False
    action = PlanTransition.Action
    plan = plan_services.plan_transition(plan=plan, action=action.SUBMIT, actor=editor)
    plan = plan_services.plan_transition(plan=plan, action=action.APPROVE, actor=manager)
    plan = plan_services.plan_transition(
        plan=plan,
        action=action.REOPEN,
        actor=manager,
        comment="Mid-year revision: a higher NPS goal after the service programme.",
    )
    # Two changes since the baseline.
    nps = Kpi.objects.get(plan=plan, code="nps")
    kpi_services.kpi_update(
        kpi=nps,
        expected_version=nps.version,
        changes={"annual_target": Decimal("50")},
        actor=editor,
    )
    budget = Budget.objects.get(plan=plan)
    money_services.settings_update(
        plan=plan,
        expected_version=budget.version,
        changes={"total": budget.total + Decimal("5000000")},
        actor=editor,
    )
    # A scenario of the revised plan with a fifth more money.
    scenario = services.scenario_create(plan=plan, name=SCENARIO_NAME, actor=editor)
    stretch = Budget.objects.get(plan=scenario)
    money_services.settings_update(
        plan=scenario,
        expected_version=stretch.version,
        changes={"total": (stretch.total * Decimal("1.2")).quantize(Decimal("0.01"))},
        actor=editor,
    )
    return True
