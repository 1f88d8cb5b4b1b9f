"""Alert emails end to end: PostgreSQL, Redis, a real Celery worker and a real SMTP
server (aiosmtpd) on loopback, started by the test.

The test process opens alerts in a committed transaction; the outbox publishes the
send tasks to Redis; the worker renders each delivery and talks SMTP to the server
below, which counts what it accepted, per recipient.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage
from planner.models import Delivery, DeliveryKind, DeliveryStatus, Membership, Subscription
from planner.notify.fanout import alerts_opened
from planner.notify.subscriptions import subscription_for
from tests.monitoring import seed
from tests.services.support import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SEND_TIMEOUT = 60.0


class CountingSMTP:
    """An SMTP handler that keeps every message it accepted, per recipient.

    With ``hold_first`` it sleeps that long inside the DATA phase of the first
    message, after the client has sent the whole message but before the server
    answers the final ``250``. A message counts as delivered only if the client is
    still connected after the sleep: a client that went away never saw the ``250``,
    so as far as it knows the message was not accepted (a real MTA may or may not
    keep it; at-least-once delivery means the sender tries again, and the point of
    the test is that the *application* then sends exactly one more, not two).
    """

    def __init__(self, hold_first: float = 0.0) -> None:
        self.hold_first = hold_first
        self.messages: list[tuple[list[str], Message]] = []
        self.abandoned = 0
        self.in_data = threading.Event()
        self._held = False
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold_first and not self._held:
            self._held = True
            self.in_data.set()
            try:
                await asyncio.sleep(self.hold_first)
            except asyncio.CancelledError:  # aiosmtpd cancels the session: client gone
                with self._lock:
                    self.abandoned += 1
                raise
            if server.transport is None or server.transport.is_closing():
                with self._lock:
                    self.abandoned += 1
                return "421 the client went away"
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def per_recipient(self) -> Counter[str]:
        with self._lock:
            return Counter(to for rcpts, _m in self.messages for to in rcpts)

    def to(self, address: str) -> list[Message]:
        with self._lock:
            return [m for rcpts, m in self.messages if address in rcpts]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """``smtp_server(hold_first=…)`` → (handler, worker env) with a server listening."""
    controllers: list[Controller] = []

    def start(hold_first: float = 0.0) -> tuple[CountingSMTP, dict[str, str]]:
        handler = CountingSMTP(hold_first)
        port = _free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SITE_URL": "https://almanac.test"}
        return handler, env

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def subscribed(world, settings) -> list[str]:
    """admin and manager want warnings and criticals; the editor wants no alert emails;
    the viewer only budget alerts. One email per burst: no group window to wait for."""
    settings.NOTIFY_ALERT_GROUP_SECONDS = 0
    for persona, fields in {
        "admin": {},
        "manager": {"language": "en"},
        "editor": {"alert_severities": []},
        "viewer": {"alert_sections": ["budget"]},
    }.items():
        membership = Membership.objects.get(user=world.users[persona], workspace=world.workspace)
        sub = subscription_for(membership)
        if fields:
            Subscription.objects.filter(pk=sub.pk).update(**fields)
    return sorted(world.users[p].email for p in ("admin", "manager"))


def open_burst(world) -> list[Any]:
    """Two alerts opened and fanned out in one committed transaction, as the recompute does."""
    now = timezone.now()
    with transaction.atomic():
        alerts = [
            seed.alert(world, severity="warning", metric="spend", opened_at=now),
            seed.alert(world, severity="critical", metric="ctr", opened_at=now, observed=0.001),
        ]
        alerts_opened(alerts, now=now)
    return alerts


def all_sent(n: int) -> Any:
    return wait_until(
        lambda: (
            Delivery.objects.filter(
                kind=DeliveryKind.ALERT_EMAIL, status=DeliveryStatus.SENT
            ).count()
            == n
        ),
        timeout=SEND_TIMEOUT,
        what=f"{n} alert emails to be sent by the worker",
    )


def test_an_opened_alert_emails_each_subscribed_member_once(
    world, subscribed, smtp_server, celery_worker_factory
):
    handler, env = smtp_server()
    celery_worker_factory("prefork", env=env)
    first, second = open_burst(world)
    all_sent(len(subscribed))
    # exactly one email per subscribed member, none for the others
    assert handler.per_recipient() == Counter(dict.fromkeys(subscribed, 1))
    for address in subscribed:
        (message,) = handler.to(address)
        assert (
            str(message["List-Unsubscribe"])
            .strip()
            .startswith("<https://almanac.test/unsubscribe/")
        )
        assert str(message["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
        assert message.is_multipart()
        types = {part.get_content_type() for part in message.walk()}
        assert {"text/plain", "text/html"} <= types
        html = next(p for p in message.walk() if p.get_content_type() == "text/html")
        body = html.get_payload(decode=True).decode()
        assert f"#alert-{first.pk}" in body and f"#alert-{second.pk}" in body
    # the same alerts reported again (a second recompute) notify nobody again
    with transaction.atomic():
        alerts_opened([first, second], now=timezone.now())
    assert Delivery.objects.filter(kind=DeliveryKind.ALERT_EMAIL).count() == len(subscribed)


def test_a_worker_killed_inside_the_smtp_data_phase_still_sends_one_email_each(
    world, subscribed, smtp_server, celery_worker_factory
):
    """kill -9 the worker while the SMTP server holds the first message's final reply.

    The killed worker's transaction (holding the delivery's row lock) dies with its
    database connection, so the delivery is still pending; the server saw the client
    vanish before its ``250`` and did not count the message. After a restart (and the
    outbox sweep, which republishes what a dead worker never finished) every member
    ends up with exactly one email: the abandoned attempt is redone once, and the
    delivery that was not interrupted is not sent again.
    """
    handler, env = smtp_server(hold_first=5.0)
    worker = celery_worker_factory("solo", env=env)  # one send at a time: a known victim
    open_burst(world)
    assert handler.in_data.wait(SEND_TIMEOUT), "the worker never reached SMTP DATA"
    worker.kill()
    wait_until(lambda: handler.abandoned == 1, timeout=15, what="the server to drop the message")
    assert handler.per_recipient() == Counter()
    assert not Delivery.objects.filter(status=DeliveryStatus.SENT).exists()

    # The sweep (scheduled every minute in production) republishes the lost task.
    later = timezone.now() + django_settings.OUTBOX_RETRY_AFTER + timedelta(seconds=1)
    assert outbox.sweep(now=later) >= 1
    celery_worker_factory("solo", env=env)
    all_sent(len(subscribed))
    assert handler.per_recipient() == Counter(dict.fromkeys(subscribed, 1))
    assert handler.abandoned == 1
    # once every send task is done, nothing more went out
    wait_until(
        lambda: (
            not OutboxMessage.objects.filter(
                task_name="planner.send_delivery", done_at__isnull=True
            ).exists()
        ),
        timeout=SEND_TIMEOUT,
        what="every send task to be done",
    )
    assert handler.per_recipient() == Counter(dict.fromkeys(subscribed, 1))
