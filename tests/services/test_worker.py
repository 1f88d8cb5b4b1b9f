"""The outbox, Redis and a real Celery worker process, end to end.

The test process commits changes to the test database (transactional tests),
the outbox publishes to Redis on commit, and a ``celery worker`` subprocess
(see conftest) runs the task against the same database and writes its mail to
files, which the tests read back.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from core import outbox
from core.models import OutboxMessage
from planner.models import Plan, PlanStatus, PlanTransition
from planner.services import plan_transition
from tests.services.support import WorkerProcess, redis_client, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TASK = "planner.notify_plan_transition"
DONE_TIMEOUT = 30.0
SUCCEEDED = r"Task planner\.notify_plan_transition\[[0-9a-f-]+\] succeeded"


def approvers_emails(world) -> list[str]:
    """Who a submit notifies in ``world``: the workspace's manager and admin."""
    return sorted(world.users[p].email for p in ("admin", "manager"))


def wait_done(message_id: int) -> OutboxMessage:
    return wait_until(
        lambda: OutboxMessage.objects.filter(pk=message_id, done_at__isnull=False).first(),
        timeout=DONE_TIMEOUT,
        what=f"outbox message {message_id} to be done by the worker",
    )


def queued() -> int:
    """Messages waiting on the default queue in the test broker database."""
    return redis_client().llen("celery")


def submit(world) -> tuple[Plan, OutboxMessage]:
    """The editor submits the plan (committed); return the plan and its outbox message."""
    plan = plan_transition(plan=world.plan, action="submit", actor=world.users["editor"])
    transition = PlanTransition.objects.get(plan=plan, action=PlanTransition.Action.SUBMIT)
    message = OutboxMessage.objects.get(task_name=TASK)
    assert message.kwargs == {"transition_id": transition.pk}
    return plan, message


def _reset_publisher_pools() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_unreachable() -> Iterator[str]:
    """This process publishes to a closed port until the block ends.

    Only the publisher is cut off: Redis itself and the worker's connection to it
    stay up, as when the web servers lose their route to the broker.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    saved = celery_app.conf.broker_url
    _reset_publisher_pools()
    celery_app.conf.broker_url = f"redis://127.0.0.1:{closed_port}/15"
    try:
        yield celery_app.conf.broker_url
    finally:
        celery_app.conf.broker_url = saved
        _reset_publisher_pools()


def test_submit_emails_each_manager_and_admin_once_through_the_worker(
    world, celery_worker_process: WorkerProcess, mailoutbox
):
    worker = celery_worker_process

    plan, message = submit(world)

    assert plan.status == PlanStatus.IN_REVIEW
    assert message.published_at is not None  # published by the commit hook
    assert message.attempts == 1
    done = wait_done(message.pk)
    assert done.last_error == ""

    # One message per manager/admin of the workspace; none to the editor who
    # submitted, the viewer, or the other workspace's admin.
    assert worker.recipients() == approvers_emails(world)
    assert worker.to_header_count() == 2
    assert world.users["editor"].email not in worker.recipients()
    (sample,) = [m for m in worker.mail() if m["To"] == world.users["manager"].email]
    assert sample["Subject"] == "[Almanac] Annual plan 2027: Submit for review"
    text = sample.get_payload(0).get_payload(decode=True).decode()
    assert f"/plans/{plan.pk}/" in text
    assert "editor-user" in text

    # It really ran in the worker process, once, and not eagerly in this one.
    assert worker.count_in_log(SUCCEEDED) == 1
    assert worker.count_in_log(rf"plan transition {message.kwargs['transition_id']}: 2 emails") == 1
    assert mailoutbox == []


def test_outbox_survives_a_broker_outage_and_the_sweep_delivers_later(
    world, celery_worker_process: WorkerProcess
):
    worker = celery_worker_process

    with broker_unreachable():
        plan, message = submit(world)
        # The user's change is committed even though nothing could be published.
        assert Plan.objects.get(pk=plan.pk).status == PlanStatus.IN_REVIEW
        message.refresh_from_db()
        assert message.published_at is None
        assert message.done_at is None
        assert message.attempts == 1
        assert message.last_error.startswith("OperationalError")
        # A sweep during the outage fails the same way and loses nothing.
        assert outbox.sweep(now=timezone.now() + timedelta(minutes=1)) == 0
        message.refresh_from_db()
        assert (message.published_at, message.done_at, message.attempts) == (None, None, 2)

    assert queued() == 0
    assert worker.mail() == []
    # Within the grace period the sweep leaves a fresh message to its commit hook.
    assert outbox.sweep() == 0

    # The next sweep (a minute later) publishes it and the worker completes it.
    assert outbox.sweep(now=timezone.now() + timedelta(minutes=1)) == 1
    message.refresh_from_db()
    assert message.published_at is not None
    assert message.attempts == 3
    done = wait_done(message.pk)
    assert done.last_error == ""
    assert worker.recipients() == approvers_emails(world)
    # Once done, sweeping again publishes nothing.
    assert outbox.sweep(now=timezone.now() + timedelta(hours=1)) == 0


def _deliver_twice_before_a_worker_runs(world) -> OutboxMessage:
    """Commit a submit (delivery 1, by the commit hook), then publish it again
    (delivery 2, as the sweep does), both before any worker consumes them."""
    _plan, message = submit(world)
    assert outbox.publish(message.pk) is True
    message.refresh_from_db()
    assert message.attempts == 2
    assert queued() == 2
    return message


def test_a_message_delivered_twice_in_sequence_runs_once(world, celery_worker_factory):
    message = _deliver_twice_before_a_worker_runs(world)

    worker = celery_worker_factory("solo")  # one task at a time: the deliveries are sequential

    wait_done(message.pk)
    wait_until(
        lambda: worker.count_in_log(SUCCEEDED) == 2 and queued() == 0,
        timeout=DONE_TIMEOUT,
        what="both deliveries to be consumed",
    )
    # The second delivery found the message done and skipped the handler.
    assert worker.count_in_log(r"plan transition \d+: 2 emails") == 1
    assert worker.recipients() == approvers_emails(world)
    # Publishing a done message is refused outright.
    assert outbox.publish(message.pk) is False
    assert queued() == 0


def test_two_concurrent_deliveries_of_one_message_run_the_handler_once(
    world, celery_worker_factory
):
    """Two deliveries picked up at the same time by two pool processes.

    Both pool processes pick the message up within milliseconds of each other;
    the row lock in ``OutboxTask.__call__`` makes the second wait, find the
    message done, and skip (before the lock, every recipient got two emails).
    """
    message = _deliver_twice_before_a_worker_runs(world)

    worker = celery_worker_factory("prefork")  # concurrency 2: both deliveries at once

    wait_done(message.pk)
    wait_until(
        lambda: worker.count_in_log(SUCCEEDED) == 2 and queued() == 0,
        timeout=DONE_TIMEOUT,
        what="both deliveries to be consumed",
    )
    handler_runs = worker.count_in_log(r"plan transition \d+: 2 emails")
    assert handler_runs == 1, (
        f"the handler ran {handler_runs} times for one outbox message; emails sent: "
        f"{worker.recipients()}"
    )
    assert worker.recipients() == approvers_emails(world)
