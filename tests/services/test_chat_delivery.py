"""Chat webhooks through the outbox, Redis and a real Celery worker, posting to a fake
chat platform on 127.0.0.1: each channel gets one message per alert burst, a refused
post is retried with backoff until accepted, and a re-run posts nothing more."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage
from planner.models import AlertNotice, Delivery, DeliveryStatus
from planner.notify import chat
from planner.notify import chat_services as services
from tests.monitoring import seed
from tests.planner.notify.chat_server import ChatServer
from tests.services.support import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server():
    fake = ChatServer().start()
    yield fake
    fake.stop()


@pytest.fixture
def loopback(settings, monkeypatch):
    """The worker (a subprocess) and this process may call the loopback server, and
    alerts go out at once (no group window to wait for)."""
    for name, value in (("CHAT_WEBHOOK_ALLOW_PRIVATE", "1"), ("NOTIFY_ALERT_GROUP_SECONDS", "0")):
        monkeypatch.setenv(name, value)
    settings.CHAT_WEBHOOK_ALLOW_PRIVATE = True
    settings.NOTIFY_ALERT_GROUP_SECONDS = 0


def test_a_real_worker_posts_each_alert_once_per_channel(
    world, server, loopback, celery_worker_factory
):
    admin = world.users["admin"]
    slack = services.channel_create(
        workspace=world.workspace,
        actor=admin,
        name="Slack",
        platform="slack",
        url=server.url("/slack/T1/B2/token"),
        language="en",
    )
    ding = services.channel_create(
        workspace=world.workspace,
        actor=admin,
        name="DingTalk",
        platform="dingtalk",
        url=server.url("/dingtalk/robot/send?access_token=tok"),
        secret="SEC0123456789abcdef",
        language="zh-hans",
    )
    server.script("/slack/T1/B2/token", (500, "internal_error"))  # the first try fails
    celery_worker_factory("prefork")

    alert = seed.alert(world, severity="critical")
    with transaction.atomic():
        chat.fan_out([alert], now=timezone.now())
    deliveries = list(Delivery.objects.order_by("pk"))
    assert {d.chat_channel_id for d in deliveries} == {slack.pk, ding.pk}

    wait_until(
        lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2,
        timeout=60,
        what="both chat deliveries to be sent by the worker",
    )
    wait_until(
        lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(),
        timeout=30,
        what="the outbox to be drained",
    )
    assert len(server.posted("/dingtalk/robot/send")) == 1
    assert len(server.posted("/slack/T1/B2/token")) == 2  # failed once, retried once
    [dingtalk_post] = server.posted("/dingtalk/robot/send")
    assert dingtalk_post.query["access_token"] == ["tok"]
    assert {"timestamp", "sign"} <= set(dingtalk_post.query)
    assert dingtalk_post.body["msgtype"] == "markdown"
    for delivery in Delivery.objects.all():
        assert delivery.sent_at is not None and delivery.last_error == ""
    # the failed try was recorded on the delivery (the log's attempts), not only retried
    assert Delivery.objects.get(chat_channel=slack).attempts == 2
    assert Delivery.objects.get(chat_channel=ding).attempts == 1

    # the recompute runs again: the alert is known, nothing new is claimed or published
    published = OutboxMessage.objects.count()
    with transaction.atomic():
        chat.fan_out([alert], now=timezone.now())
    assert AlertNotice.objects.count() == 2
    assert Delivery.objects.count() == 2
    assert OutboxMessage.objects.count() == published
