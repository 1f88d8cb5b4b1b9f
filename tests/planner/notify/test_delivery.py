"""The notification outbox: a delivery is claimed once and sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from core.models import OutboxMessage
from planner.models import Delivery, DeliveryKind, DeliveryStatus
from planner.notify import delivery as deliveries
from planner.notify.fanout import group_window
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _restore_renderers():
    """These tests register stand-in renderers; put the real ones back afterwards."""
    saved = dict(deliveries._RENDERERS)
    yield
    deliveries._RENDERERS.clear()
    deliveries._RENDERERS.update(saved)


@pytest.fixture
def member():
    return MembershipFactory()


@pytest.fixture
def renderer():
    calls: list[int] = []

    def render(d: Delivery) -> deliveries.Rendered:
        calls.append(d.pk)
        message = EmailMultiAlternatives("Hello", "text", to=[d.address])
        return deliveries.Rendered(subject="Hello", email=message)

    deliveries.register(DeliveryKind.TEST_EMAIL, render)
    return calls


def _claim(member, key="test:1", **extra):
    return deliveries.claim(
        dedup_key=key,
        workspace=member.workspace,
        kind=DeliveryKind.TEST_EMAIL,
        recipient=member.user,
        address=member.user.email,
        period="now",
        **extra,
    )


def test_claim_is_unique_and_the_loser_gets_none(member, renderer):
    with transaction.atomic():
        first = _claim(member, enqueue=False)
        second = _claim(member, enqueue=False)
    assert first is not None
    assert second is None
    assert Delivery.objects.count() == 1


def test_claim_sends_after_commit_through_the_outbox(
    member, renderer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        d = _claim(member)
        assert len(mail.outbox) == 0  # nothing before commit
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT
    assert d.sent_at is not None
    assert d.subject == "Hello"
    assert [m.to for m in mail.outbox] == [[member.user.email]]
    message = OutboxMessage.objects.get(task_name=deliveries.SEND_TASK)
    assert message.done_at is not None


def test_sending_twice_sends_once(member, renderer):
    d = _claim(member, enqueue=False)
    assert deliveries.send(d.pk) == DeliveryStatus.SENT
    assert deliveries.send(d.pk) == DeliveryStatus.SENT
    assert len(mail.outbox) == 1
    assert renderer == [d.pk]


def test_a_failed_send_is_recorded_and_stays_pending(member, settings):
    def boom(d: Delivery) -> deliveries.Rendered:
        raise ConnectionRefusedError("smtp down")

    deliveries.register(DeliveryKind.TEST_EMAIL, boom)
    d = _claim(member, enqueue=False)
    with pytest.raises(ConnectionRefusedError):
        deliveries.send(d.pk)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.PENDING
    assert d.attempts == 1
    assert "smtp down" in d.last_error
    assert d.sent_at is None


def test_a_deferring_renderer_defers_and_nothing_is_sent(member):
    def later(d: Delivery) -> deliveries.Rendered:
        raise deliveries.Defer

    deliveries.register(DeliveryKind.TEST_EMAIL, later)
    d = _claim(member, enqueue=False)
    assert deliveries.send(d.pk) == DeliveryStatus.DEFERRED
    assert len(mail.outbox) == 0


def test_a_delivery_due_later_is_published_with_an_eta(member, renderer):
    due = datetime(2030, 1, 1, tzinfo=UTC)
    _claim(member, key="later", due_at=due)
    message = OutboxMessage.objects.get(task_name=deliveries.SEND_TASK)
    assert message.not_before == due


@pytest.mark.parametrize(
    ("now", "start"),
    [
        (datetime(2027, 3, 1, 10, 4, 59, tzinfo=UTC), datetime(2027, 3, 1, 10, 3, tzinfo=UTC)),
        (datetime(2027, 3, 1, 10, 6, 0, tzinfo=UTC), datetime(2027, 3, 1, 10, 6, tzinfo=UTC)),
    ],
)
def test_group_windows_are_aligned(settings, now, start):
    settings.NOTIFY_ALERT_GROUP_SECONDS = 180
    assert group_window(now) == (start, start + timedelta(seconds=180))
