"""The personas' world (the ``world`` fixture of tests/conftest.py): a workspace with an
admin, a manager, an editor and a viewer, one draft plan with the standard channel
catalogue and size specs, and an outsider: the admin of another workspace with a
plan of its own. Also built once per module by tests/fuzz and in the chaos tests'
driver process."""

from __future__ import annotations

from dataclasses import dataclass

from channels.services import catalogue_install
from content.services import specs_install
from planner.models import Plan, Role, Workspace
from tests.factories import MembershipFactory, PlanFactory, UserFactory, WorkspaceFactory


@dataclass
class World:
    workspace: Workspace
    plan: Plan
    other_workspace: Workspace
    other_plan: Plan
    users: dict


def build_world() -> World:
    workspace = WorkspaceFactory(name="Lumi Tea", slug="lumi")
    users = {}
    for role in (Role.ADMIN, Role.MANAGER, Role.EDITOR, Role.VIEWER):
        users[str(role)] = MembershipFactory(
            workspace=workspace, user=UserFactory(username=f"{role}-user"), role=role
        ).user
    plan = PlanFactory(workspace=workspace, name="Annual plan", created_by=users["editor"])
    catalogue_install(plan=plan)
    specs_install(plan=plan)
    other_workspace = WorkspaceFactory(name="Rival Coffee", slug="rival")
    users["outsider"] = MembershipFactory(
        workspace=other_workspace, user=UserFactory(username="outsider-user"), role=Role.ADMIN
    ).user
    other_plan = PlanFactory(workspace=other_workspace, name="Rival plan")
    catalogue_install(plan=other_plan)
    specs_install(plan=other_plan)
    return World(workspace, plan, other_workspace, other_plan, users)
