"""Team-chat webhooks: which channels hear about an alert, what they are told, and
the POST that tells them.

- ``fan_out(alerts, now=…)`` (called by ``fanout.alerts_opened``) attaches each
  alert to every active channel of its workspace that wants its severity; the
  notices of one burst share one ``Delivery`` per channel (``fanout.attach``).
- The renderers write the message (``CHAT_ALERT``: every alert the delivery
  carries; ``CHAT_TEST``: a hello) in the channel's language; ``delivery.send``
  transmits it through ``post`` under the row lock, so the dedup and retries are
  the email's: a failure is recorded and the outbox retries with backoff.
- ``post`` builds the platform's JSON (``planner.chat_formats``), checks the URL
  again (SSRF: no loopback or private hosts in production), POSTs it without
  following redirects and checks the platform's answer.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from planner import chat_formats
from planner.notify import delivery as deliveries
from planner.notify import fanout
from planner.notify.models import ChatChannel, Delivery, DeliveryKind

if TYPE_CHECKING:
    from monitoring.models import Alert

logger = logging.getLogger(__name__)

USER_AGENT = "Almanac-webhook/1.0"
_MAX_ANSWER = 64 * 1024


class UnsafeWebhookURL(ValueError):
    """A webhook URL that must not be called (wrong scheme, or a host inside the network)."""


# --- the URL check (on save and before every POST) -----------------------------------------


def private_hosts_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "CHAT_WEBHOOK_ALLOW_PRIVATE", False))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, resolve: bool = True) -> str:
    """Return the URL's host, or raise ``UnsafeWebhookURL`` (message for people).

    Only http(s), no user:password part; unless private hosts are allowed (DEBUG or
    ``CHAT_WEBHOOK_ALLOW_PRIVATE``) every address the host resolves to must be public.
    """
    host, _addresses = _checked(url, resolve=resolve)
    return host


def _checked(url: str, *, resolve: bool) -> tuple[str, list[str]]:
    """The URL's host and the public addresses it was checked with (none when private
    hosts are allowed, or when not resolving)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise UnsafeWebhookURL(_("This is not a valid URL.")) from None
    if parts.scheme not in ("http", "https") or not host:
        raise UnsafeWebhookURL(_("The webhook URL must start with https:// (or http://)."))
    if parts.username or parts.password:
        raise UnsafeWebhookURL(_("The webhook URL must not contain a user name or password."))
    if private_hosts_allowed():
        return host, []
    try:
        addresses = [_literal(host)]
    except ValueError:
        if not resolve:
            return host, []
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except OSError:
            raise UnsafeWebhookURL(
                _("The host %(host)s cannot be found.") % {"host": host}
            ) from None
        addresses = sorted({str(info[4][0]) for info in infos})
    if not addresses or not all(_is_public(a) for a in addresses):
        raise UnsafeWebhookURL(
            _(
                "The host %(host)s is inside a private network; webhooks can only go to "
                "public chat services."
            )
            % {"host": host}
        )
    return host, addresses


def _literal(host: str) -> str:
    return str(ipaddress.ip_address(host.strip("[]")))


# --- the transport --------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other (a failure here), never followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address the host was checked with, not to a new lookup: a DNS
    answer that changes between the check and the connection (rebinding) cannot send
    the request into a private network."""

    def __init__(self, host: str, *, address: str, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate is still checked against the host's name."""

    def __init__(self, host: str, *, address: str, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(functools.partial(_PinnedHTTPConnection, address=self.address), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, address: str) -> None:
        super().__init__(context=ssl.create_default_context())
        self.address = address

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(
            functools.partial(_PinnedHTTPSConnection, address=self.address),
            req,
            context=self._context,  # type: ignore[attr-defined]
        )


def _opener(addresses: list[str]) -> urllib.request.OpenerDirector:
    """No proxy, no redirects; pinned to the first checked address when there is one."""
    handlers: list[Any] = [urllib.request.ProxyHandler({}), _NoRedirects()]
    if addresses:
        handlers += [_PinnedHTTPHandler(addresses[0]), _PinnedHTTPSHandler(addresses[0])]
    return urllib.request.build_opener(*handlers)


def post(delivery: Delivery, chat: deliveries.ChatText) -> None:
    """POST ``chat`` to the delivery's channel; raise ``ChatError`` unless it was accepted."""
    channel = delivery.chat_channel
    if channel is None:
        raise chat_formats.ChatError("the delivery has no chat channel")
    try:
        _host, addresses = _checked(channel.url, resolve=True)
    except UnsafeWebhookURL as refused:
        raise chat_formats.ChatError(f"refused: {refused}") from None
    message = chat_formats.ChatMessage(
        title=chat.title,
        lines=list(chat.lines),
        link=chat.link,
        link_text=_link_text(channel.language),
        language=channel.language,
    )
    request = chat_formats.build(
        channel.platform, message, url=channel.url, secret=channel.secret, now=time.time()
    )
    # check_url above: only http(s), so S310's file:/custom schemes cannot get here.
    http_request = urllib.request.Request(  # noqa: S310
        request.url,
        data=request.data(),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
    )
    timeout = float(getattr(settings, "CHAT_WEBHOOK_TIMEOUT", 10))
    try:
        with _opener(addresses).open(http_request, timeout=timeout) as response:
            status, body = response.status, response.read(_MAX_ANSWER)
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read(_MAX_ANSWER) if error.fp else b""
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise chat_formats.ChatError(f"{channel.platform}: {reason}") from None
    chat_formats.check_response(channel.platform, status, body)
    logger.info("chat channel %s: delivery %s posted", channel.pk, delivery.pk)


def _link_text(language: str) -> str:
    with translation.override(language):
        return _("Open in Almanac")


deliveries.register_transport(post)


# --- who hears about an alert -----------------------------------------------------------------


def wants(channel: ChatChannel, alert: Alert) -> bool:
    return channel.is_active and alert.severity in (channel.alert_severities or [])


def fan_out(alerts: list[Alert], *, now: datetime, escalated: bool = False) -> None:
    """Attach each alert to every active chat channel of its workspace that wants its
    severity (once: a second run finds the notices and does nothing)."""
    channels: dict[int, list[ChatChannel]] = {}
    for alert in alerts:
        workspace_id = alert.plan.workspace_id
        if workspace_id not in channels:
            channels[workspace_id] = list(
                ChatChannel.objects.filter(workspace_id=workspace_id, is_active=True).order_by("pk")
            )
        for channel in channels[workspace_id]:
            if wants(channel, alert):
                fanout.attach(
                    alert,
                    kind=DeliveryKind.CHAT_ALERT,
                    chat_channel=channel,
                    address=host_of(channel.url),
                    now=now,
                    escalated=escalated,
                )


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "")[:254]
    except ValueError:
        return ""


# --- what they are told -------------------------------------------------------------------------


def _alert_lines(alerts: Iterable[tuple[Alert, bool]]) -> list[str]:
    """The lines of each (alert, escalated)."""
    from monitoring.views import AlertCard  # a page's formatting, read lazily (no cycle)

    lines: list[str] = []
    for alert, escalated in alerts:
        card = AlertCard.of(alert, alert.plan.currency)
        severity = alert.get_severity_display()
        if escalated:
            severity = _("%(severity)s, escalated") % {"severity": severity}
        if alert.window_start == alert.window_end:
            when = _date(alert.window_start)
        else:
            when = f"{_date(alert.window_start)} – {_date(alert.window_end)}"
        lines.append(
            _("[%(severity)s] %(metric)s · %(subject)s (%(when)s)")
            % {
                "severity": severity,
                "metric": card.metric,
                "subject": card.subject,
                "when": when,
            }
        )
        lines.append(
            "· "
            + _("Observed %(observed)s; expected %(expected)s")
            % {"observed": card.observed, "expected": card.expected}
        )
        if alert.message and alert.message != card.metric:
            lines.append(f"· {alert.message}")
    return lines


def _date(value: Any) -> str:
    from django.utils.formats import date_format

    return date_format(value)


def _alerts_link(plan_id: int, alert_id: int | None = None) -> str:
    url = settings.SITE_URL + reverse("monitoring:alerts", kwargs={"plan_id": plan_id})
    return f"{url}#alert-{alert_id}" if alert_id else url


def render_alert(delivery: Delivery) -> deliveries.Rendered | None:
    """One message for every alert the delivery carries; nothing left: skipped."""
    channel = delivery.chat_channel
    if channel is None or not channel.is_active:
        return None
    alerts = fanout.distinct_alerts(
        delivery.notices.select_related("alert__plan", "alert__kpi", "alert__channel").order_by(
            "alert__opened_at", "alert_id", "pk"
        )
    )
    if not alerts:
        return None
    plan = alerts[0][0].plan
    with translation.override(channel.language):
        if any(escalated for _alert, escalated in alerts):
            title = ngettext(
                "%(count)d alert opened or escalated in %(plan)s",
                "%(count)d alerts opened or escalated in %(plan)s",
                len(alerts),
            ) % {"count": len(alerts), "plan": plan.name}
        else:
            title = ngettext(
                "%(count)d new alert in %(plan)s", "%(count)d new alerts in %(plan)s", len(alerts)
            ) % {"count": len(alerts), "plan": plan.name}
        lines = _alert_lines(alerts)
        link = _alerts_link(plan.pk, alerts[0][0].pk if len(alerts) == 1 else None)
    return deliveries.Rendered(subject=title, chat=deliveries.ChatText(title, lines, link))


def render_test(delivery: Delivery) -> deliveries.Rendered | None:
    channel = delivery.chat_channel
    if channel is None:
        return None
    workspace = delivery.workspace
    with translation.override(channel.language):
        title = _("Test message from Almanac")
        lines = [
            _("This channel will receive the alerts of %(workspace)s.")
            % {"workspace": workspace.name},
            _("Severities: %(severities)s")
            % {"severities": ", ".join(_severity_labels(channel.alert_severities)) or "—"},
        ]
        link = settings.SITE_URL + reverse("planner:chat-channels", kwargs={"slug": workspace.slug})
    return deliveries.Rendered(subject=title, chat=deliveries.ChatText(title, lines, link))


def _severity_labels(values: Iterable[str]) -> list[str]:
    from monitoring.models import Severity

    labels = dict(Severity.choices)
    return [str(labels.get(value, value)) for value in values]


deliveries.register(DeliveryKind.CHAT_ALERT, render_alert)
deliveries.register(DeliveryKind.CHAT_TEST, render_test)
