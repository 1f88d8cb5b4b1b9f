"""Background work of the monitoring section: thin wrappers that call one function."""

from __future__ import annotations

from celery import shared_task

from core.outbox import OutboxTask
from monitoring import recompute, services


@shared_task(name="monitoring.recompute_plan", base=OutboxTask, ignore_result=True)
def recompute_plan(plan_id: int) -> int:
    """Recompute a plan's stored results (rollups, KPI actuals, grades, alerts) when a
    request is not covered yet; the run's duration in ms (0: nothing run now)."""
    summary = recompute.recompute_requested(plan_id)
    return summary.duration_ms if summary is not None else 0


@shared_task(name="monitoring.run_import", base=OutboxTask, ignore_result=True)
def run_import(import_id: int) -> str:
    """Run a metrics import that was too large to run in the request."""
    return services.run_import(import_id)


@shared_task(name="monitoring.nightly_recompute", ignore_result=True)
def nightly_recompute() -> int:
    """Ask for a recompute of every live plan with metrics (the dates move on each day)."""
    return services.request_recompute_all()
