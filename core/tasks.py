from __future__ import annotations

from celery import shared_task

from core import outbox


@shared_task(name="core.outbox_sweep", ignore_result=True)
def outbox_sweep() -> int:
    return outbox.sweep()


@shared_task(name="core.outbox_purge", ignore_result=True)
def outbox_purge() -> int:
    return outbox.purge()
