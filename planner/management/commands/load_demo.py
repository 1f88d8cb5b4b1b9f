"""Load the demo workspace: users, roles and the 2027 plan. Safe to run twice."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from budget import demo_approvals as budget_approvals_demo
from budget import demo_money as budget_money_demo
from budget import demo_suppliers
from budget import demo_teams as teams_demo
from channels import demo as channels_demo
from channels.services import catalogue_install
from content import demo as content_demo
from content.services import specs_install
from kpis import demo as kpis_demo
from monitoring import attribution_demo
from monitoring import demo as monitoring_demo
from monitoring.recompute import recompute_plan
from monitoring.roi import demo as roi_demo
from planner.execution import demo as execution_demo
from planner.execution import demo_activities as activities_demo
from planner.models import Membership, Plan, Role, Workspace
from planner.versions import demo as versions_demo

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo password, refused without DEBUG
DEMO_USERS = (
    ("demo-admin", Role.ADMIN, "Lin Admin"),
    ("demo-manager", Role.MANAGER, "Wang Manager"),
    ("demo-editor", Role.EDITOR, "Chen Editor"),
    ("demo-viewer", Role.VIEWER, "Zhao Viewer"),
)
DEMO_WORKSPACE = ("demo", "Lumi Tea · Brand Marketing")
DEMO_PLAN_DESCRIPTION = (
    "Grow Lumi Tea from a Tmall-first brand to an all-channel brand: 2 million new users, "
    "social-first content around Spring Festival, 618 and Double 11, and a disciplined ROI."
)


class Command(BaseCommand):
    help = "Create the demo workspace, its users (password demo-password) and the 2027 plan."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "load_demo creates users with a published password; it runs only with DEBUG=1."
            )
        with transaction.atomic():
            workspace, _ = Workspace.objects.get_or_create(
                slug=DEMO_WORKSPACE[0], defaults={"name": DEMO_WORKSPACE[1]}
            )
            user_model = get_user_model()
            for username, role, full_name in DEMO_USERS:
                first, last = full_name.split(" ", 1)
                user, created = user_model.objects.get_or_create(
                    username=username,
                    defaults={
                        "email": f"{username}@demo.almanac.test",
                        "first_name": first,
                        "last_name": last,
                    },
                )
                if created or not user.check_password(DEMO_PASSWORD):
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                membership, _ = Membership.objects.get_or_create(
                    workspace=workspace, user=user, defaults={"role": role}
                )
                if membership.role != role:  # saved only when it changes (history)
                    membership.role = role
                    membership.save(update_fields=["role"])
            plan, _ = Plan.objects.get_or_create(
                workspace=workspace,
                year=2027,
                name="Annual Marketing Plan",
                defaults={
                    "currency": "CNY",
                    "description": DEMO_PLAN_DESCRIPTION,
                    "created_by": user_model.objects.get(username="demo-editor"),
                },
            )
            catalogue_install(plan=plan)
            specs_install(plan=plan)
            if plan.is_editable:
                editor = user_model.objects.get(username="demo-editor")
                kpis_demo.load(
                    plan=plan,
                    editor=editor,
                    manager=user_model.objects.get(username="demo-manager"),
                )
                channels_demo.load(plan=plan, editor=editor)
                content_demo.load(plan=plan, editor=editor)
                monitoring_demo.load(plan=plan, editor=editor)
                attribution_demo.load(plan=plan, editor=editor)
                roi_demo.load(
                    plan=plan,
                    editor=editor,
                    manager=user_model.objects.get(username="demo-manager"),
                    operations=user_model.objects.get(username="demo-admin"),
                )
                budget_money_demo.load(
                    plan=plan,
                    editor=editor,
                    manager=user_model.objects.get(username="demo-manager"),
                )
                teams_demo.load(
                    plan=plan,
                    editor=editor,
                    manager=user_model.objects.get(username="demo-manager"),
                )
                demo_suppliers.load(
                    plan=plan,
                    editor=editor,
                    manager=user_model.objects.get(username="demo-manager"),
                )
                execution_demo.load(
                    plan=plan,
                    editor=editor,
                    manager=user_model.objects.get(username="demo-manager"),
                )
                activities_demo.load(
                    plan=plan,
                    editor=editor,
                    manager=user_model.objects.get(username="demo-manager"),
                )
        # The monitoring pages read stored results: compute them now, so the demo shows
        # them even where no worker runs the recompute the demo's writes asked for.
        recompute_plan(plan.pk)
        # Budget approvals: after the money demo set the budget and the recompute stored
        # the channel grades the quarterly review proposes from.
        with transaction.atomic():
            budget_approvals_demo.load(
                plan=plan,
                editor=user_model.objects.get(username="demo-editor"),
                manager=user_model.objects.get(username="demo-manager"),
            )
        # Versions last: the baseline is a snapshot of the whole plan above.
        with transaction.atomic():
            revised = versions_demo.load(
                plan=plan,
                editor=user_model.objects.get(username="demo-editor"),
                manager=user_model.objects.get(username="demo-manager"),
            )
        if revised:  # the revision moved targets and money: store the results it implies
            recompute_plan(plan.pk)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: workspace '{workspace.slug}', plan #{plan.pk}; users "
                + ", ".join(u for u, _, _ in DEMO_USERS)
                + f" (password {DEMO_PASSWORD})."
            )
        )
