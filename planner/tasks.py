"""Background work for plans: thin wrappers that fetch by id and call one service."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import DatabaseError

from core.outbox import OutboxTask
from planner import notifications
from planner.notify import alert_emails, delivery, digests

logger = logging.getLogger(__name__)


@shared_task(name="planner.notify_plan_transition", base=OutboxTask, ignore_result=True)
def notify_plan_transition(transition_id: int) -> int:
    """Email the people who act next on a plan's lifecycle step."""
    return notifications.send_transition_emails(transition_id=transition_id)


class DeliveryTask(OutboxTask):
    """OutboxTask runs the send in a transaction that a failure rolls back, the failure
    written on the delivery included; write it again once that rollback is done, so
    the delivery log shows every failed try (in a worker and when run eagerly)."""

    abstract = True

    def __call__(self, *args: Any, outbox_id: int | None = None, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, outbox_id=outbox_id, **kwargs)
        except Exception as exc:
            delivery_id = kwargs.get("delivery_id")
            if outbox_id is not None and delivery_id is not None:
                cause = getattr(exc, "exc", None)  # a Retry carries the send's error
                try:
                    delivery.record_failure(
                        int(delivery_id), cause if isinstance(cause, BaseException) else exc
                    )
                except DatabaseError as db_exc:  # the database is down: keep the retry
                    logger.warning("delivery %s: failure not recorded: %s", delivery_id, db_exc)
            raise


@shared_task(name="planner.send_delivery", base=DeliveryTask, ignore_result=True)
def send_delivery(delivery_id: int) -> str:
    """Send one notification (email or chat message) exactly once."""
    return delivery.send(delivery_id)


@shared_task(name="planner.schedule_digests", ignore_result=True)
def schedule_digests() -> int:
    """Claim every digest due now in its recipient's time zone (the sends follow)."""
    return digests.schedule_digests()


@shared_task(name="planner.flush_deferred_alerts", ignore_result=True)
def flush_deferred_alerts() -> int:
    """Hourly: alert notices held back by the hourly cap go out in a catch-up email to
    members without a digest (the others get them in their next digest)."""
    return alert_emails.flush_deferred()
