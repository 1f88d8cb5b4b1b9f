"""Chat webhooks end to end against a fake platform on 127.0.0.1: one POST per channel
and alert burst, the platform's JSON and signature, retries, dedup, isolation, SSRF."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from planner import chat_formats
from planner.models import AlertNotice, ChatChannel, Delivery, DeliveryKind, DeliveryStatus
from planner.notify import chat
from planner.notify import chat_services as services
from planner.notify import delivery as deliveries
from tests.monitoring import seed
from tests.planner.notify.chat_server import ChatServer

NOW = datetime(2027, 3, 2, 9, 0, 30, tzinfo=UTC)


@pytest.fixture
def server():
    fake = ChatServer().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.CHAT_WEBHOOK_ALLOW_PRIVATE = True
    settings.NOTIFY_ALERT_GROUP_SECONDS = 180
    settings.SITE_URL = "https://almanac.example"


def _channel(world, server, platform, *, workspace=None, **fields):
    values = {
        "name": f"{platform} team",
        "platform": platform,
        "url": server.url(f"/{platform}/hook?key=k-{platform}"),
        "language": "en",
        "alert_severities": ["warning", "critical"],
    }
    values.update(fields)
    return services.channel_create(
        workspace=workspace or world.workspace, actor=world.users["admin"], **values
    )


def _channels(world, server):
    return {
        "wecom": _channel(world, server, "wecom"),
        "dingtalk": _channel(world, server, "dingtalk", secret="SECding0123456789"),
        "feishu": _channel(world, server, "feishu", secret="feishu-secret"),
        "slack": _channel(world, server, "slack"),
    }


def _send_all() -> list[str]:
    return [
        deliveries.send(d.pk)
        for d in Delivery.objects.filter(status=DeliveryStatus.PENDING).order_by("pk")
    ]


def test_an_alert_posts_once_to_every_channel_in_its_format(world, server):
    channels = _channels(world, server)
    alert = seed.alert(world, severity="critical", message="<!channel> *bold*")
    chat.fan_out([alert], now=NOW)

    assert _send_all() == [DeliveryStatus.SENT] * 4
    posted = {p.platform: p for p in server.posted()}
    assert len(server.posted()) == 4 and set(posted) == set(channels)

    wecom = posted["wecom"]
    assert wecom.query == {"key": ["k-wecom"]}
    assert wecom.body["msgtype"] == "markdown"
    assert "1 new alert in Annual plan" in wecom.body["markdown"]["content"]
    assert "&lt;!channel&gt;" in wecom.body["markdown"]["content"]

    ding = posted["dingtalk"]
    ms = ding.query["timestamp"][0]
    mac = hmac.new(b"SECding0123456789", f"{ms}\nSECding0123456789".encode(), hashlib.sha256)
    assert ding.query["sign"] == [base64.b64encode(mac.digest()).decode()]
    assert ding.body["msgtype"] == "markdown"
    assert f"#alert-{alert.pk}" in ding.body["markdown"]["text"]

    feishu = posted["feishu"]
    seconds = feishu.body["timestamp"]
    mac = hmac.new(f"{seconds}\nfeishu-secret".encode(), b"", hashlib.sha256)
    assert feishu.body["sign"] == base64.b64encode(mac.digest()).decode()
    post = feishu.body["content"]["post"]["en_us"]
    assert post["title"] == "1 new alert in Annual plan"
    texts = [e["text"] for paragraph in post["content"] for e in paragraph]
    assert any("Critical" in t and "Douyin" in t for t in texts)
    assert any("Observed" in t and "expected" in t for t in texts)

    slack = posted["slack"]
    raw = json.dumps(slack.body, ensure_ascii=False)
    assert "<!channel>" not in raw and "*bold*" not in raw
    assert slack.body["blocks"][0]["text"]["text"] == "1 new alert in Annual plan"
    assert slack.headers["Content-Type"].startswith("application/json")

    for delivery in Delivery.objects.all():
        assert delivery.kind == DeliveryKind.CHAT_ALERT
        assert delivery.sent_at is not None and delivery.address == "127.0.0.1"
        assert delivery.subject == "1 new alert in Annual plan"


def test_a_burst_of_alerts_is_one_message_listing_them_all(world, server):
    _channel(world, server, "slack")
    first = seed.alert(world, severity="warning", metric="spend")
    second = seed.alert(world, severity="critical", metric="ctr", expected_low=0.01)
    chat.fan_out([first], now=NOW)
    chat.fan_out([second], now=NOW.replace(second=59))

    assert _send_all() == [DeliveryStatus.SENT]
    [posted] = server.posted()
    section = posted.body["blocks"][1]["text"]["text"]
    assert posted.body["blocks"][0]["text"]["text"] == "2 new alerts in Annual plan"
    assert "Spend" in section and "CTR" in section
    assert "#alert-" not in posted.body["blocks"][2]["elements"][0]["text"]


def test_a_failed_post_is_recorded_and_retried_once_it_succeeds(world, server):
    slack = _channel(world, server, "slack")
    ding = _channel(world, server, "dingtalk")
    server.script("/slack/hook", (500, "boom"))
    server.script(
        "/dingtalk/hook", (200, '{"errcode": 310000, "errmsg": "keywords not in content"}')
    )
    chat.fan_out([seed.alert(world)], now=NOW)
    by_channel = {d.chat_channel_id: d for d in Delivery.objects.all()}

    for channel, reason in ((slack, "HTTP 500"), (ding, "keywords not in content")):
        delivery = by_channel[channel.pk]
        with pytest.raises(chat_formats.ChatError, match=reason):
            deliveries.send(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.attempts == 1 and reason in delivery.last_error
        # the outbox retries: this time the platform accepts it
        assert deliveries.send(delivery.pk) == DeliveryStatus.SENT
        delivery.refresh_from_db()
        assert delivery.attempts == 2 and delivery.last_error == ""
        # a third copy of the task finds it sent and posts nothing
        assert deliveries.send(delivery.pk) == DeliveryStatus.SENT
    assert len(server.posted("/slack/hook")) == 2
    assert len(server.posted("/dingtalk/hook")) == 2


def test_a_redirect_is_a_failure_and_is_not_followed(world, server):
    _channel(world, server, "wecom")
    server.script("/wecom/hook", (302, ""))
    chat.fan_out([seed.alert(world)], now=NOW)
    delivery = Delivery.objects.get()
    with pytest.raises(chat_formats.ChatError, match="HTTP 302"):
        deliveries.send(delivery.pk)
    assert len(server.posted()) == 1


def test_the_same_alert_opened_twice_posts_once(world, server):
    _channel(world, server, "feishu")
    alert = seed.alert(world)
    chat.fan_out([alert], now=NOW)
    _send_all()
    chat.fan_out([alert], now=NOW)  # the recompute runs again
    chat.fan_out([alert], now=NOW.replace(hour=10))  # even in a later window
    _send_all()
    assert AlertNotice.objects.count() == 1
    assert Delivery.objects.count() == 1
    assert len(server.posted()) == 1


def test_an_escalation_to_a_wanted_severity_posts_to_the_channel(world, server):
    # given a channel that wants only critical alerts, and a warning it never heard of
    _channel(world, server, "slack", alert_severities=["critical"])
    alert = seed.alert(world, severity="warning")
    chat.fan_out([alert], now=NOW)
    assert not AlertNotice.objects.exists()
    # when the alert becomes critical (the recompute's escalation), twice
    alert.severity = "critical"
    alert.save(update_fields=["severity"])
    for _ in range(2):
        chat.fan_out([alert], now=NOW, escalated=True)
    # then one message says so
    assert _send_all() == [DeliveryStatus.SENT]
    (posted,) = server.posted()
    raw = json.dumps(posted.body, ensure_ascii=False)
    assert posted.body["blocks"][0]["text"]["text"] == "1 alert opened or escalated in Annual plan"
    assert "[Critical, escalated] Spend" in raw


def test_inactive_channels_and_other_severities_hear_nothing(world, server):
    _channel(world, server, "slack", is_active=False)
    _channel(world, server, "wecom", alert_severities=["critical"])
    chat.fan_out([seed.alert(world, severity="warning")], now=NOW)
    assert not AlertNotice.objects.exists()
    assert not Delivery.objects.exists()
    assert server.posted() == []


def test_a_channel_paused_after_the_alert_posts_nothing(world, server):
    channel = _channel(world, server, "slack")
    chat.fan_out([seed.alert(world)], now=NOW)
    ChatChannel.objects.filter(pk=channel.pk).update(is_active=False)
    assert _send_all() == [DeliveryStatus.SKIPPED]
    assert server.posted() == []


def test_channels_of_another_workspace_never_hear_this_workspaces_alerts(world, server):
    mine = _channel(world, server, "slack")
    theirs = services.channel_create(
        workspace=world.other_workspace,
        actor=world.users["outsider"],
        name="Rival chat",
        platform="wecom",
        url=server.url("/wecom/rival?key=r"),
        language="en",
        alert_severities=["info", "warning", "critical"],
    )
    chat.fan_out([seed.alert(world)], now=NOW)
    _send_all()
    assert {d.chat_channel_id for d in Delivery.objects.all()} == {mine.pk}
    assert server.posted("/wecom/rival") == []
    assert Delivery.objects.get().workspace_id == world.workspace.pk
    assert theirs.deliveries.count() == 0


def test_the_test_message_is_claimed_once_a_minute_and_posted(world, server):
    channel = _channel(world, server, "dingtalk", secret="SECding0123456789")
    first = services.send_test(channel=channel, actor=world.users["admin"], now=NOW)
    again = services.send_test(channel=channel, actor=world.users["admin"], now=NOW)
    later = services.send_test(
        channel=channel, actor=world.users["admin"], now=NOW.replace(minute=1)
    )
    assert first is not None and again is None and later is not None
    assert first.kind == DeliveryKind.CHAT_TEST
    assert deliveries.send(first.pk) == DeliveryStatus.SENT
    [posted] = server.posted()
    assert "Test message from Almanac" in posted.body["markdown"]["text"]
    assert "/w/lumi/chat-channels/" in posted.body["markdown"]["text"]
    assert "sign" in posted.query


# --- SSRF ------------------------------------------------------------------------------------


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.CHAT_WEBHOOK_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.0.0.7/hook",
        "https://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_hosts_are_refused_in_production(production, url):
    with pytest.raises(chat.UnsafeWebhookURL):
        chat.check_url(url)


@pytest.mark.parametrize(
    "url",
    ["ftp://hooks.example.com/x", "file:///etc/passwd", "https://u:p@hooks.slack.com/x", "hooks"],
)
def test_only_plain_http_urls(production, url):
    with pytest.raises(chat.UnsafeWebhookURL):
        chat.check_url(url)


def test_a_public_address_is_allowed(production):
    assert chat.check_url("https://93.184.216.34/hook") == "93.184.216.34"


def test_saving_a_private_url_is_refused_with_a_clear_error(world, production):
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        services.channel_create(
            workspace=world.workspace,
            actor=world.users["admin"],
            name="Internal",
            platform="slack",
            url="http://10.1.2.3/hook",
        )
    assert "private network" in str(refused.value.fields["url"][0])
    assert not ChatChannel.objects.exists()


def test_a_private_url_is_refused_again_at_send_time(world, server, settings):
    channel = _channel(world, server, "slack")  # saved while allowed (e.g. DEBUG)
    chat.fan_out([seed.alert(world)], now=NOW)
    settings.CHAT_WEBHOOK_ALLOW_PRIVATE = False
    settings.DEBUG = False
    delivery = Delivery.objects.get(chat_channel=channel)
    with pytest.raises(chat_formats.ChatError, match="refused"):
        deliveries.send(delivery.pk)
    delivery.refresh_from_db()
    assert "private network" in delivery.last_error
    assert server.posted() == []


# --- services -----------------------------------------------------------------------------------


def test_only_admins_write_channels(world, server):
    from core.errors import NotAllowed

    for persona in ("manager", "editor", "viewer"):
        with pytest.raises(NotAllowed):
            services.channel_create(
                workspace=world.workspace,
                actor=world.users[persona],
                name="x",
                platform="slack",
                url=server.url("/slack/x"),
            )


def test_channel_names_are_unique_per_workspace_and_severities_checked(world, server):
    from core.errors import InvalidInput

    _channel(world, server, "slack")
    with pytest.raises(InvalidInput) as refused:
        _channel(world, server, "slack", alert_severities=["urgent"])
    assert set(refused.value.fields) == {"name", "alert_severities"}


def test_through_the_task_a_failure_is_recorded_and_the_sweep_posts_once(
    world, server, django_capture_on_commit_callbacks
):
    from core import outbox
    from core.models import OutboxMessage

    _channel(world, server, "wecom")
    server.script("/wecom/hook", (200, '{"errcode": 45009, "errmsg": "api freq out of limit"}'))
    with django_capture_on_commit_callbacks(execute=True):
        chat.fan_out([seed.alert(world)], now=NOW.replace(year=2020))  # a window long closed
    delivery = Delivery.objects.get()
    # the refused try is on the delivery: the task's rollback did not swallow it
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1 and "api freq out of limit" in delivery.last_error
    message = OutboxMessage.objects.get(task_name=deliveries.SEND_TASK, done_at__isnull=True)

    assert outbox.publish(message.pk)  # what the sweep does
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    assert outbox.publish(message.pk) is False  # done: never posted again
    assert len(server.posted("/wecom/hook")) == 2


def _resolving(answers: list[str]):
    """A fake DNS: each lookup of any name answers the next address (the last repeats)."""
    calls: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        address = answers[min(len(calls), len(answers)) - 1]
        return [(2, 1, 6, "", (address, port))]

    return getaddrinfo, calls


def test_the_post_goes_to_the_address_that_was_checked_not_a_new_lookup(
    world, server, settings, monkeypatch
):
    # given a channel whose name answers a public address when checked, then (DNS
    # rebinding) a loopback one, and private hosts refused
    channel = _channel(world, server, "slack")
    ChatChannel.objects.filter(pk=channel.pk).update(url="https://hooks.example.test/slack/hook")
    settings.DEBUG, settings.CHAT_WEBHOOK_ALLOW_PRIVATE = False, False
    getaddrinfo, lookups = _resolving(["93.184.216.34", "127.0.0.1"])
    monkeypatch.setattr(chat.socket, "getaddrinfo", getaddrinfo)
    connected: list[tuple[str, int]] = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise OSError("no network in tests")

    monkeypatch.setattr(chat.socket, "create_connection", create_connection)
    chat.fan_out([seed.alert(world)], now=NOW)
    # when it is sent, the connection goes to the checked address, without a second lookup
    with pytest.raises(chat_formats.ChatError, match="no network"):
        deliveries.send(Delivery.objects.get().pk)
    assert connected == [("93.184.216.34", 443)]
    assert lookups == ["hooks.example.test"]


def test_a_pinned_post_still_names_the_host(server):
    # the request reaches the pinned address with the URL's own host name (virtual hosts,
    # and over TLS the certificate check, need it)
    port = int(server.url("/").split(":")[2].split("/")[0])
    request = chat.urllib.request.Request(
        f"http://hooks.example.test:{port}/slack/hook", data=b"{}", method="POST"
    )
    with chat._opener(["127.0.0.1"]).open(request, timeout=5) as response:
        assert response.status == 200
    [posted] = server.posted("/slack/hook")
    assert posted.headers["Host"] == f"hooks.example.test:{port}"
