"""Monitoring work delivered through the outbox, Redis and a real Celery worker process:
a rule saved in a request is followed by a recompute in the worker, and a burst of
requests is one run."""

from __future__ import annotations

import io
import math
import time
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import F

from core.models import OutboxMessage
from monitoring import services
from monitoring.models import (
    Alert,
    ComputeState,
    DailyMetric,
    ImportStatus,
    MetricImport,
    MetricRollup,
)
from tests.monitoring.seed import days, metric, rule, steady
from tests.services.support import WorkerProcess, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

DONE_TIMEOUT = 60.0
SUCCEEDED = r"Task monitoring\.recompute_plan\[[0-9a-f-]+\] succeeded"
IMPORTED = r"Task monitoring\.run_import\[[0-9a-f-]+\] succeeded"
HEADER = (
    "date,channel,campaign,impressions,clicks,visits,signups,conversions,new_users,spend,revenue"
)


def wait_done(message_id: int) -> OutboxMessage:
    return wait_until(
        lambda: OutboxMessage.objects.filter(pk=message_id, done_at__isnull=False).first(),
        timeout=DONE_TIMEOUT,
        what=f"outbox message {message_id} to be done by the worker",
    )


def test_a_new_rule_is_applied_by_a_recompute_in_the_worker(
    world, celery_worker_process: WorkerProcess
):
    worker = celery_worker_process
    # given a week of committed metrics, one day above 1,000
    for i, day in enumerate(days(date(2027, 3, 1), 7)):
        metric(world, day, "douyin", impressions=1000, clicks=30, spend=1500 if i == 3 else 500)
    # when an editor saves a spend rule (it asks for a recompute when the change commits)
    saved = rule(world)
    # then the worker runs the recompute, which raises the alert
    message = OutboxMessage.objects.get(task_name=services.RECOMPUTE_TASK)
    assert message.kwargs == {"plan_id": world.plan.pk}
    assert message.published_at is not None
    done = wait_done(message.pk)
    assert done.last_error == ""
    (alert,) = Alert.objects.filter(plan=world.plan)
    assert (alert.rule_id, alert.window_start, alert.observed) == (
        saved.pk,
        date(2027, 3, 4),
        1500.0,
    )
    assert MetricRollup.objects.filter(plan=world.plan, period="day").count() == 7 * 2
    state = ComputeState.objects.get(plan=world.plan)
    assert state.runs == 1 and state.finished_at is not None and state.last_error == ""
    # in the worker process, once, not eagerly here
    wait_until(lambda: worker.count_in_log(SUCCEEDED) == 1, timeout=10, what="the task log line")


def test_a_burst_of_requests_is_one_run_in_the_worker(world, celery_worker_process: WorkerProcess):
    worker = celery_worker_process
    metric(world, date(2027, 3, 1), "tmall", impressions=100, clicks=5, spend=50)
    # when ten uploads ask for a recompute within one transaction
    with transaction.atomic():
        for _ in range(10):
            services.request_recompute(world.plan)
    # then one message is published and the worker computes the plan once
    (message,) = OutboxMessage.objects.filter(task_name=services.RECOMPUTE_TASK)
    wait_done(message.pk)
    wait_until(lambda: worker.count_in_log(SUCCEEDED) >= 1, timeout=10, what="the task log line")
    assert worker.count_in_log(SUCCEEDED) == 1
    assert ComputeState.objects.get(plan=world.plan).runs == 1
    assert MetricRollup.objects.filter(plan=world.plan, period="year").exists()


def test_a_large_upload_is_imported_and_recomputed_by_the_worker(
    world, celery_worker_process: WorkerProcess, settings, monkeypatch
):
    worker = celery_worker_process
    # given the web process and the worker share the media folder, and files above a
    # (lowered) limit are imported by a worker
    settings.MEDIA_ROOT = str(worker.var_dir / "media")
    monkeypatch.setattr(services, "INLINE_IMPORT_BYTES", 100)
    lines = [HEADER] + [
        f"2027-03-{day:02d},douyin,,{1000 + day},{40 + day},30,4,2,1,{100 + day}.50,256.00"
        for day in range(1, 29)
    ]
    body = ("\n".join(lines) + "\n").encode()
    # when an editor uploads it
    record = services.import_metrics(
        plan=world.plan,
        actor=world.users["editor"],
        source=io.BytesIO(body),
        filename="march.csv",
        size=len(body),
    )
    # then it is queued, and the worker imports it …
    assert record.status == ImportStatus.QUEUED
    done = wait_until(
        lambda: MetricImport.objects.filter(pk=record.pk, status=ImportStatus.SUCCEEDED).first(),
        timeout=DONE_TIMEOUT,
        what="the import to succeed in the worker",
    )
    assert (done.rows_total, done.rows_inserted, done.progress) == (28, 28, 100)
    assert done.file.name == ""  # the stored upload is removed once imported
    assert DailyMetric.objects.filter(plan=world.plan, source_import=done).count() == 28
    # … and the recompute the import asked for runs there too
    recompute = wait_until(
        lambda: OutboxMessage.objects.filter(
            task_name=services.RECOMPUTE_TASK, done_at__isnull=False
        ).first(),
        timeout=DONE_TIMEOUT,
        what="the recompute after the import",
    )
    assert recompute.last_error == ""
    march = MetricRollup.objects.get(
        plan=world.plan, period="month", channel__isnull=True, campaign__isnull=True
    )
    assert march.impressions == sum(1000 + day for day in range(1, 29))
    assert worker.count_in_log(IMPORTED) == 1


def test_a_stream_of_requests_is_one_run_per_interval_and_none_is_lost(
    world, celery_worker_factory, settings
):
    interval = 6
    settings.RECOMPUTE_MIN_INTERVAL = timedelta(seconds=interval)
    celery_worker_factory("prefork", env={"RECOMPUTE_MIN_INTERVAL_SECONDS": str(interval)})
    steady(world, date(2027, 3, 1), 7, impressions=1000, clicks=30, spend=500)
    # when imports ask for a recompute every 0.2 s for 9 s (each in its own transaction)
    started = time.monotonic()
    while time.monotonic() - started < 9:
        services.request_recompute(world.plan)
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    # then every request is covered by a run that began after it …
    state = wait_until(
        lambda: ComputeState.objects.filter(plan=world.plan, covered=F("requests")).first(),
        timeout=DONE_TIMEOUT,
        what="a run covering every request",
    )
    assert state.requests >= 30
    # … with one run at once and then at most one per interval (and the last, after
    # the stream), not one per request
    assert 2 <= state.runs <= 2 + math.ceil(elapsed / interval)
    assert MetricRollup.objects.filter(plan=world.plan, period="day").count() == 7 * 2
    # requests joined the job waiting for its time: a few messages, not one per request;
    # all are done in the end (those with nothing left to cover did nothing)
    recomputes = OutboxMessage.objects.filter(task_name=services.RECOMPUTE_TASK)
    wait_until(
        lambda: not recomputes.filter(done_at__isnull=True).exists(),
        timeout=DONE_TIMEOUT,
        what="every recompute message done",
    )
    assert recomputes.count() <= 2 * state.runs + 2, recomputes.count()
    assert ComputeState.objects.get(plan=world.plan).runs == state.runs
