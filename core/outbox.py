"""Transactional outbox: request background work inside a transaction.

1. ``enqueue`` writes an ``OutboxMessage`` in the caller's transaction and asks
   for it to be published on commit. A rollback removes both: nothing runs for a
   change that never happened, and nothing runs before the change is visible.
2. ``publish`` hands the message to Celery (eagerly in-process when there is no
   broker). If the broker is down the message stays unpublished.
3. Tasks built on ``OutboxTask`` mark their message done after success and skip
   a message that is already done, so publishing twice is harmless.
4. ``sweep`` (scheduled every minute) publishes what was never published and
   what a dead worker never finished.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from celery import Task, current_app
from celery.exceptions import Ignore, Reject, Retry
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

# A message published this many times without finishing is left for a person.
MAX_ATTEMPTS = 10
# An unpublished message younger than this is still waiting for its commit hook.
UNPUBLISHED_GRACE = timedelta(seconds=30)
SWEEP_BATCH_SIZE = 500


def enqueue(
    task_name: str,
    *,
    kwargs: dict[str, Any],
    dedup_key: str = "",
    not_before: datetime | None = None,
) -> OutboxMessage:
    """Record work to run after the current transaction commits.

    With a ``dedup_key``, a request joins an identical one that has not begun: not
    yet published (e.g. ten metric uploads in one second → one recompute), or
    published to run at a later time. With ``not_before`` the task runs no earlier
    than that (an alert email waits for the rest of its burst; a recompute for the
    end of its interval). A request may join a task that begins before the
    request's own transaction commits: a task whose work depends on the data must
    check for that (the recompute counts requests, see ``monitoring.recompute``).
    """
    if dedup_key:
        pending = (
            OutboxMessage.objects.filter(dedup_key=dedup_key, done_at__isnull=True)
            .filter(Q(published_at__isnull=True) | Q(not_before__gt=timezone.now()))
            .order_by("id")
            .first()
        )
        if pending is not None:
            return pending
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                task_name=task_name, kwargs=kwargs, dedup_key=dedup_key, not_before=not_before
            )
    except IntegrityError:
        # A concurrent transaction created the pending message for this key first.
        return OutboxMessage.objects.get(
            dedup_key=dedup_key, published_at__isnull=True, done_at__isnull=True
        )
    message_id = message.pk
    transaction.on_commit(lambda: publish(message_id), robust=True)
    return message


def _task(name: str) -> Task:
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def publish(message_id: int) -> bool:
    """Send one message to the broker (or run it, when eager). True when sent."""
    message = OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).first()
    if message is None:
        return False
    OutboxMessage.objects.filter(pk=message_id).update(
        published_at=timezone.now(), attempts=F("attempts") + 1
    )
    options: dict[str, Any] = {}
    if message.not_before is not None and message.not_before > timezone.now():
        options["eta"] = message.not_before
    try:
        _task(message.task_name).apply_async(
            kwargs={**message.kwargs, "outbox_id": message.pk},
            **options,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        )
    except Exception as exc:  # broker down, or an eager task failed: the sweep retries
        logger.warning("outbox message %s not published: %s", message_id, exc)
        OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(
            published_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    return True


def sweep(now: Any = None) -> int:
    """Publish messages that were lost; return how many were published again."""
    now = now or timezone.now()
    retry_after: timedelta = settings.OUTBOX_RETRY_AFTER
    due = (
        OutboxMessage.objects.filter(done_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(
            Q(published_at__isnull=True, created_at__lt=now - UNPUBLISHED_GRACE)
            | (
                Q(published_at__lt=now - retry_after)
                # a message waiting for its time is not lost: count from then
                & (Q(not_before__isnull=True) | Q(not_before__lt=now - retry_after))
            )
        )
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    return sum(publish(pk) for pk in list(due))


def purge(now: Any = None, *, keep: timedelta = timedelta(days=30)) -> int:
    now = now or timezone.now()
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=now - keep).delete()
    return deleted


def mark_done(message_id: int) -> None:
    OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(
        done_at=timezone.now(), last_error=""
    )


def mark_failed(message_id: int, error: BaseException) -> None:
    OutboxMessage.objects.filter(pk=message_id).update(
        last_error=f"{type(error).__name__}: {error}"[:2000]
    )


class OutboxTask(Task):
    """Base for tasks published through the outbox: safe to receive twice.

    1. The message row is locked (``SELECT … FOR UPDATE``) for the whole run, so
       two copies delivered at once run one after the other, and the second
       finds the message done and skips. A worker that dies releases the lock
       with its connection; the broker redelivers (late ack, reject on worker
       lost) and the copy runs.
    2. The handler's own writes commit together with ``done_at``.
    3. A failure is recorded on the message and retried with backoff; past
       ``max_retries`` the outbox sweep publishes it again later.

    The retry is decided here, once the transaction has ended, not by Celery's
    ``autoretry_for`` (which retries from inside ``run``, so inside the
    transaction): when the database goes away mid-task, ending that transaction
    fails too, and its error would replace the retry — the task would fail for
    good and wait for the sweep. A failure to reach the database at all (before
    the transaction begins) is retried the same way.
    """

    abstract = True
    # ``outbox_id`` is taken by __call__, not by ``run``: skip Celery's signature check.
    typing = False
    acks_late = True
    reject_on_worker_lost = True
    max_retries = 5
    retry_backoff_max = 600
    retry_jitter = True

    def __call__(self, *args: Any, outbox_id: int | None = None, **kwargs: Any) -> Any:
        try:
            if outbox_id is None:
                return self.run(*args, **kwargs)
            return self._run_once(outbox_id, *args, **kwargs)
        except (Ignore, Reject, Retry):
            raise
        except Exception as exc:
            if outbox_id is not None:
                try:
                    mark_failed(outbox_id, exc)
                    self.after_rollback(exc, kwargs)
                except DatabaseError as db_exc:  # the database is what failed
                    logger.warning("outbox message %s: failure not recorded: %s", outbox_id, db_exc)
            countdown = get_exponential_backoff_interval(
                factor=1,
                retries=self.request.retries,
                maximum=self.retry_backoff_max,
                full_jitter=self.retry_jitter,
            )
            raise self.retry(exc=exc, countdown=countdown) from exc

    def after_rollback(self, error: BaseException, kwargs: dict[str, Any]) -> None:
        """Called when a run failed and its transaction was rolled back: record here
        what must outlive the rollback (e.g. the failure on the task's own row)."""

    def _run_once(self, outbox_id: int, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            pending = (
                OutboxMessage.objects.select_for_update()
                .filter(pk=outbox_id, done_at__isnull=True)
                .exists()
            )
            if not pending:  # done by another delivery, or purged
                return None
            result = self.run(*args, **kwargs)
            mark_done(outbox_id)
            return result
