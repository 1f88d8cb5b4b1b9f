"""``manage.py recompute_plan PLAN``: recompute a plan's monitoring results now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.recompute import recompute_plan
from planner.models import Plan


class Command(BaseCommand):
    help = "Recompute a plan's rollups, KPI actuals, channel grades and alerts (in this process)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", type=int, help="The plan's id.")

    def handle(self, *args: Any, **options: Any) -> None:
        plan_id = options["plan"]
        if not Plan.objects.filter(pk=plan_id).exists():
            raise CommandError(f"There is no plan {plan_id}.")
        summary = recompute_plan(plan_id)
        self.stdout.write(
            self.style.SUCCESS(
                f"Plan {plan_id} recomputed in {summary.duration_ms} ms: "
                f"{summary.metric_rows} metric rows, {summary.rollups} rollups, "
                f"{summary.grades} channel grades, {summary.kpi_actuals} KPI actuals, "
                f"{summary.alerts_opened} alerts opened, {summary.alerts_updated} updated."
            )
        )
