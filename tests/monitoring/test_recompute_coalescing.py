"""The recompute job coalesces: a run covers every request counted before it began, a job
with nothing new to cover does nothing, and with a worker a plan's runs start at least
``RECOMPUTE_MIN_INTERVAL`` apart (requests in between join one job at the interval's end).

Here tasks are not run (the messages are read from the outbox); tests/services runs
the same with a real worker.
"""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db.models import F
from django.utils import timezone

from config.celery import app as celery_app
from core import outbox
from core.models import OutboxMessage
from monitoring import recompute, services
from monitoring.models import ComputeState
from tests.monitoring.seed import steady

pytestmark = pytest.mark.django_db

INTERVAL = timedelta(seconds=30)


@pytest.fixture
def with_a_worker(settings):
    """Tasks go to a worker (not run in-process), runs ``INTERVAL`` apart."""
    settings.RECOMPUTE_MIN_INTERVAL = INTERVAL
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


def pending(world) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            dedup_key=services.recompute_key(world.plan.pk), done_at__isnull=True
        ).order_by("id")
    )


def state(world) -> ComputeState:
    return ComputeState.objects.get(plan=world.plan)


def test_a_job_with_nothing_new_to_cover_runs_nothing(world):
    steady(world, date(2027, 3, 1), 3, impressions=100, clicks=5, spend=50)
    services.request_recompute(world.plan)
    assert recompute.recompute_requested(world.plan.pk) is not None
    assert (state(world).requests, state(world).covered, state(world).runs) == (1, 1, 1)
    # a second copy of the job (a duplicate delivery, a joined request) finds it covered
    assert recompute.recompute_requested(world.plan.pk) is None
    assert state(world).runs == 1
    # a new request is run again
    services.request_recompute(world.plan)
    assert recompute.recompute_requested(world.plan.pk) is not None
    assert (state(world).requests, state(world).covered, state(world).runs) == (2, 2, 2)


def test_in_process_tasks_recompute_at_once(world):
    services.request_recompute(world.plan)
    recompute.recompute_requested(world.plan.pk)
    services.request_recompute(world.plan)
    (message, *_) = pending(world)
    assert message.not_before is None  # no interval without a worker


def test_with_a_worker_a_request_after_a_recent_run_waits_for_the_interval(world, with_a_worker):
    services.request_recompute(world.plan)
    (first,) = pending(world)
    assert first.not_before is None  # the first run may start at once
    recompute.recompute_plan(world.plan.pk)
    OutboxMessage.objects.filter(pk=first.pk).update(done_at=timezone.now())
    finished = state(world).finished_at

    services.request_recompute(world.plan)
    (waiting,) = pending(world)
    assert waiting.not_before == finished + INTERVAL
    # published to the broker with its time: later requests still join it
    OutboxMessage.objects.filter(pk=waiting.pk).update(published_at=timezone.now())
    for _ in range(5):
        services.request_recompute(world.plan)
    assert [m.pk for m in pending(world)] == [waiting.pk]
    assert state(world).requests == 7


def test_a_job_that_comes_too_soon_is_put_off_to_the_end_of_the_interval(world, with_a_worker):
    services.request_recompute(world.plan)
    recompute.recompute_plan(world.plan.pk)
    OutboxMessage.objects.update(done_at=timezone.now())
    services.request_recompute(world.plan)
    OutboxMessage.objects.filter(done_at__isnull=True).update(
        not_before=None,
        published_at=timezone.now(),  # e.g. asked for before the last run
    )

    assert recompute.recompute_requested(world.plan.pk) is None

    assert state(world).runs == 1  # not run now
    later = [m for m in pending(world) if m.not_before is not None]
    assert [m.not_before for m in later] == [state(world).finished_at + INTERVAL]


def test_a_request_made_while_a_run_reads_gets_a_run_of_its_own(world, with_a_worker):
    services.request_recompute(world.plan)
    OutboxMessage.objects.update(done_at=timezone.now(), published_at=timezone.now())
    rollups = recompute._write_rollups

    def meanwhile(plan):
        # a request counted after the run read its count, which joined this very job
        ComputeState.objects.filter(plan=plan).update(requests=F("requests") + 1)
        return rollups(plan)

    with mock.patch.object(recompute, "_write_rollups", meanwhile):
        recompute.recompute_requested(world.plan.pk)

    assert (state(world).requests, state(world).covered) == (2, 1)
    (follow_up,) = pending(world)
    assert follow_up.not_before == state(world).finished_at + INTERVAL


def test_a_request_joins_a_job_only_while_it_has_not_begun(world):
    key = "recompute:test"
    far = outbox.enqueue("x", kwargs={}, dedup_key=key, not_before=timezone.now() + INTERVAL)
    OutboxMessage.objects.filter(pk=far.pk).update(published_at=timezone.now())
    assert outbox.enqueue("x", kwargs={}, dedup_key=key).pk == far.pk
    # one that is due may already be running: a new message
    OutboxMessage.objects.filter(pk=far.pk).update(not_before=timezone.now())
    assert outbox.enqueue("x", kwargs={}, dedup_key=key).pk != far.pk
