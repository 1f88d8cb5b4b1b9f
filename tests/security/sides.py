"""Two workspaces side by side, and a foreign object of every kind the API refers to.

``rival`` is the other workspace seen as a world of its own (its plan, its members), so
the section helpers that build an object "in world.plan" build the same object there.
``sibling`` is a second plan of the first workspace: plan-scoped references must not
cross plans either. ``bridge`` makes a persona a member of the rival workspace too (with
the same role), so the only thing that can refuse a foreign id is the write itself, not
the visibility of the id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Model

from channels.services import catalogue_install
from content.services import specs_install
from planner.models import Membership, Role
from tests.budget import supplier_helpers, teams_helpers
from tests.budget.access_money import funded_line, open_order
from tests.channels.helpers import channel, creator
from tests.conftest import World
from tests.content import helpers as content_helpers
from tests.factories import MembershipFactory, PlanFactory, UserFactory
from tests.kpis.trees import objective, small_tree
from tests.monitoring.access_api import a_rule
from tests.monitoring.competitors.helpers import competitor, feature
from tests.planner.execution.activity_helpers import activity
from tests.planner.execution.helpers import playbook, risk


@dataclass
class Sides:
    world: World  # where the caller writes
    rival: World  # another workspace
    sibling: World  # another plan of the same workspace


def rival_of(world: World) -> World:
    users = {"admin": world.users["outsider"], "outsider": world.users["admin"]}
    for role in (Role.MANAGER, Role.EDITOR, Role.VIEWER):
        users[str(role)] = MembershipFactory(
            workspace=world.other_workspace,
            user=UserFactory(username=f"rival-{role}"),
            role=role,
        ).user
    return World(world.other_workspace, world.other_plan, world.workspace, world.plan, users)


def sibling_of(world: World) -> World:
    plan = PlanFactory(workspace=world.workspace, name="Sibling plan", year=world.plan.year)
    catalogue_install(plan=plan)
    specs_install(plan=plan)
    return World(world.workspace, plan, world.other_workspace, world.other_plan, world.users)


def make_sides(world: World) -> Sides:
    return Sides(world, rival_of(world), sibling_of(world))


def bridge(sides: Sides, persona: str) -> None:
    """The persona becomes a member of the rival workspace with the role it has here."""
    user = sides.world.users[persona]
    role = Membership.objects.get(workspace=sides.world.workspace, user=user).role
    Membership.objects.create(workspace=sides.rival.workspace, user=user, role=role)


# One builder per referenced model: an object of that kind in ``w.plan`` / ``w.workspace``.
FOREIGN: dict[str, Callable[[World], Model]] = {
    "Workspace": lambda w: w.workspace,
    "Plan": lambda w: w.plan,
    "User": lambda w: w.users["editor"],  # a member of w's workspace only
    "Channel": lambda w: channel(w, "douyin"),
    "Objective": objective,
    "Kpi": lambda w: small_tree(w)["cac"],
    "Campaign": lambda w: content_helpers.campaign(w),
    "SizeSpec": content_helpers.spec,
    "Licence": lambda w: content_helpers.licence(w),
    "Creator": creator,
    "Department": lambda w: teams_helpers.department(w, "GROWTH"),
    "Supplier": lambda w: supplier_helpers.supplier(w, "Foreign Print"),
    "BudgetLine": funded_line,
    "PurchaseOrder": open_order,
    "AlertRule": a_rule,
    "Playbook": playbook,
    "Risk": risk,
    "Activity": lambda w: activity(w, "Foreign activity"),
    "Competitor": lambda w: competitor(w, "Foreign rival"),
    "Feature": lambda w: feature(w, "Foreign feature"),
}

# Models that belong to a workspace, not a plan: another plan of the same workspace may
# use them (a department, a supplier, a colleague).
WORKSPACE_LEVEL = {"Workspace", "User", "Department", "Supplier"}


# --- "nothing changed anywhere" ---------------------------------------------------------

# Bookkeeping of the request itself, not data a write could change.
_NOT_DATA = {"axes", "sessions", "admin", "authtoken", "contenttypes", "auth.Permission"}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in _NOT_DATA or label in _NOT_DATA:
            continue
        state[label] = list(model._base_manager.order_by("pk").values_list())
    return state


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])
