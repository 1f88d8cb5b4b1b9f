"""Background work for plans: thin wrappers that fetch by id and call one service."""

from __future__ import annotations

from celery import shared_task

from core.outbox import OutboxTask
from planner import notifications
from planner.notify import alert_emails, delivery


@shared_task(name="planner.notify_plan_transition", base=OutboxTask, ignore_result=True)
def notify_plan_transition(transition_id: int) -> int:
    """Email the people who act next on a plan's lifecycle step."""
    return notifications.send_transition_emails(transition_id=transition_id)


@shared_task(name="planner.send_delivery", base=OutboxTask, ignore_result=True)
def send_delivery(delivery_id: int) -> str:
    """Send one notification (email or chat message) exactly once."""
    return delivery.send(delivery_id)


@shared_task(name="planner.flush_deferred_alerts", ignore_result=True)
def flush_deferred_alerts() -> int:
    """Hourly: alert notices held back by the hourly cap go out in a catch-up email to
    members without a digest (the others get them in their next digest)."""
    return alert_emails.flush_deferred()
