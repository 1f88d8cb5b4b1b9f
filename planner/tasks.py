"""Background work for plans: thin wrappers that fetch by id and call one service."""

from __future__ import annotations

from celery import shared_task

from core.outbox import OutboxTask
from planner import notifications
from planner.notify import delivery, digests


@shared_task(name="planner.notify_plan_transition", base=OutboxTask, ignore_result=True)
def notify_plan_transition(transition_id: int) -> int:
    """Email the people who act next on a plan's lifecycle step."""
    return notifications.send_transition_emails(transition_id=transition_id)


@shared_task(name="planner.send_delivery", base=OutboxTask, ignore_result=True)
def send_delivery(delivery_id: int) -> str:
    """Send one notification (email or chat message) exactly once."""
    return delivery.send(delivery_id)


@shared_task(name="planner.schedule_digests", ignore_result=True)
def schedule_digests() -> int:
    """Claim every digest due now in its recipient's time zone (the sends follow)."""
    return digests.schedule_digests()
