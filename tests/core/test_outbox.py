from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from core import outbox
from core.models import OutboxMessage
from planner.models import PlanTransition
from planner.services import plan_transition


@pytest.fixture
def submitted(world, django_capture_on_commit_callbacks, mailoutbox):
    """An editor submits the plan; the commit hook publishes the notification."""
    with django_capture_on_commit_callbacks(execute=True):
        plan_transition(plan=world.plan, action="submit", actor=world.users["editor"])
    return OutboxMessage.objects.get()


def test_work_runs_after_commit_and_is_marked_done(submitted, mailoutbox):
    assert submitted.task_name == "planner.notify_plan_transition"
    assert submitted.done_at is not None and submitted.published_at is not None
    assert sorted(m.to[0] for m in mailoutbox) == [
        "admin-user@example.test",
        "manager-user@example.test",
    ]


def test_nothing_is_published_before_commit(world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        plan_transition(plan=world.plan, action="submit", actor=world.users["editor"])
    assert len(callbacks) == 1
    assert OutboxMessage.objects.get().published_at is None
    assert mailoutbox == []


def _enqueue_then_fail() -> None:
    with transaction.atomic():
        outbox.enqueue("planner.notify_plan_transition", kwargs={"transition_id": 1})
        raise RuntimeError("the change failed")


def test_rollback_discards_the_message(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        _enqueue_then_fail()
    assert callbacks == [] and not OutboxMessage.objects.exists()


def test_requests_with_one_dedup_key_join_until_published(world):
    first = outbox.enqueue("core.outbox_purge", kwargs={}, dedup_key="recompute:1")
    second = outbox.enqueue("core.outbox_purge", kwargs={}, dedup_key="recompute:1")
    assert first.pk == second.pk
    OutboxMessage.objects.filter(pk=first.pk).update(published_at=timezone.now())
    third = outbox.enqueue("core.outbox_purge", kwargs={}, dedup_key="recompute:1")
    assert third.pk != first.pk


def _submitted_unpublished(world) -> tuple[PlanTransition, OutboxMessage]:
    """A submit transition and its notification message, not published yet."""
    transition = PlanTransition.objects.create(
        plan=world.plan,
        action="submit",
        from_status="draft",
        to_status="in_review",
        actor=world.users["editor"],
    )
    message = OutboxMessage.objects.create(
        task_name="planner.notify_plan_transition", kwargs={"transition_id": transition.pk}
    )
    return transition, message


def test_failed_publish_stays_unpublished_and_the_sweep_sends_it(world, mailoutbox):
    _transition, message = _submitted_unpublished(world)
    with mock.patch("celery.app.task.Task.apply_async", side_effect=ConnectionError("broker down")):
        assert outbox.publish(message.pk) is False
    message.refresh_from_db()
    assert message.published_at is None and "broker down" in message.last_error
    # given the grace period has passed, the sweep publishes it again
    assert outbox.sweep(now=timezone.now() + timedelta(minutes=1)) == 1
    message.refresh_from_db()
    assert message.done_at is not None
    assert len(mailoutbox) == 2


def test_a_done_message_is_not_run_again(submitted, mailoutbox):
    sent = len(mailoutbox)
    outbox.publish(submitted.pk)  # a second delivery of the same message
    from planner.tasks import notify_plan_transition

    notify_plan_transition(transition_id=submitted.kwargs["transition_id"], outbox_id=submitted.pk)
    assert len(mailoutbox) == sent


def test_sweep_leaves_young_unpublished_messages_to_their_commit_hook(world):
    OutboxMessage.objects.create(task_name="core.outbox_purge", kwargs={})
    assert outbox.sweep() == 0


def test_purge_removes_old_done_messages(world):
    old = OutboxMessage.objects.create(task_name="core.outbox_purge", kwargs={})
    OutboxMessage.objects.filter(pk=old.pk).update(done_at=timezone.now() - timedelta(days=40))
    OutboxMessage.objects.create(task_name="core.outbox_purge", kwargs={})
    assert outbox.purge() == 1
    assert OutboxMessage.objects.count() == 1


class _RecordsAfterRollback(outbox.OutboxTask):
    abstract = True
    seen: list[tuple[str, int]] = []

    def after_rollback(self, error, kwargs):
        # the run's own writes are gone by now; what is written here stays
        self.seen.append((f"{type(error).__name__}: {error}", _scratch_rows()))


def _scratch_rows() -> int:
    return OutboxMessage.objects.filter(task_name="tests.scratch").count()


@celery_app.task(base=_RecordsAfterRollback, name="tests.outbox_failing")
def _failing(**kwargs):
    OutboxMessage.objects.create(task_name="tests.scratch", kwargs={})
    raise ValueError("the mail server said no")


def test_a_failed_run_is_rolled_back_then_recorded(world):
    message = OutboxMessage.objects.create(task_name="tests.outbox_failing", kwargs={})
    _RecordsAfterRollback.seen.clear()
    # when the task fails and asks for a retry
    with pytest.raises(Retry):
        _failing.apply(kwargs={"outbox_id": message.pk})
    # then nothing the run wrote is kept, the failure was seen after the rollback, and
    # the message names the error
    assert _scratch_rows() == 0
    assert _RecordsAfterRollback.seen == [("ValueError: the mail server said no", 0)]
    message.refresh_from_db()
    assert message.done_at is None
    assert message.last_error == "ValueError: the mail server said no"


def test_a_task_that_loses_the_database_is_retried_not_failed_for_good(world, mailoutbox):
    """The database goes away mid-task: the task's transaction cannot even be ended
    cleanly, nor its failure recorded. It is still retried (found by the chaos tests:
    the database error used to replace the retry, and the task failed for good)."""
    from django.db import OperationalError

    from planner import notifications
    from planner.tasks import notify_plan_transition

    transition, message = _submitted_unpublished(world)
    send = notifications.send_transition_emails
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return send(**kwargs)

    gone = OperationalError("the database system is shutting down")
    with (
        mock.patch.object(notifications, "send_transition_emails", side_effect=flaky),
        mock.patch.object(outbox, "mark_failed", side_effect=gone),
    ):
        # as a worker runs it: a retry runs it again (eagerly here, at once)
        notify_plan_transition.apply(
            kwargs={"transition_id": transition.pk, "outbox_id": message.pk}, throw=False
        )
    message.refresh_from_db()
    assert len(calls) == 2 and message.done_at is not None
    assert len(mailoutbox) == 2
