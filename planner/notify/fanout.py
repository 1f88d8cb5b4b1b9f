"""Opened and escalated alerts → notices → grouped deliveries.

The recompute calls ``alerts_opened`` in its own transaction, right after it
creates alerts, and ``alerts_escalated`` for open alerts whose severity went up.
Each interested recipient (a member by their subscription, a chat channel by its
severities) gets one ``AlertNotice`` per alert and severity (unique), and the
notices of one burst share one ``Delivery``: the recipient's pending message for
the current group window (``NOTIFY_ALERT_GROUP_SECONDS``), sent when the window
closes. A message already sent (or being sent) for that window is left alone and a
new one is started.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from planner.notify import delivery as deliveries
from planner.notify.models import AlertNotice, Delivery, DeliveryStatus

if TYPE_CHECKING:
    from monitoring.models import Alert

# At most this many messages per recipient and window (then the window is full).
_MAX_SPLITS = 50


def alert_section(alert: Alert) -> str:
    """The plan section an alert belongs to (keys of planner.sections.SECTIONS)."""
    return "goals" if alert.kpi_id is not None else "monitoring"


def group_window(now: datetime) -> tuple[datetime, datetime]:
    """The alert group window ``now`` falls in: [start, start + window)."""
    seconds = int(settings.NOTIFY_ALERT_GROUP_SECONDS)
    if seconds <= 0:
        return now, now
    epoch = int(now.timestamp())
    start = datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo or UTC)
    return start, start + timedelta(seconds=seconds)


def attach(
    alert: Alert,
    *,
    kind: str,
    now: datetime,
    recipient: Any = None,
    chat_channel: Any = None,
    address: str = "",
    escalated: bool = False,
) -> AlertNotice | None:
    """Record that ``recipient`` (or ``chat_channel``) must hear about ``alert`` at its
    severity now (opened, or ``escalated`` to it).

    Returns ``None`` when it was already recorded (a second recompute, a retry).
    """
    who = f"u{recipient.pk}" if recipient is not None else f"c{chat_channel.pk}"
    try:
        with transaction.atomic():
            notice = AlertNotice.objects.create(
                alert=alert,
                recipient=recipient,
                chat_channel=chat_channel,
                severity=alert.severity,
                escalated=escalated,
            )
    except IntegrityError:
        return None
    start, due = group_window(now)
    base = f"{kind}:{alert.plan.workspace_id}:{who}:{start:%Y%m%dT%H%M%S}"
    for split in range(_MAX_SPLITS):
        key = base if split == 0 else f"{base}:{split}"
        delivery = Delivery.objects.select_for_update().filter(dedup_key=key).first()
        if delivery is None:
            delivery = deliveries.claim(
                dedup_key=key,
                due_at=due if due > now else None,
                workspace_id=alert.plan.workspace_id,
                plan=alert.plan,
                kind=kind,
                recipient=recipient,
                chat_channel=chat_channel,
                address=address,
                period=f"{start:%Y-%m-%dT%H:%M}",
            )
            if delivery is None:  # a concurrent recompute claimed it: look again
                delivery = Delivery.objects.select_for_update().filter(dedup_key=key).first()
        if delivery is not None and delivery.status == DeliveryStatus.PENDING:
            AlertNotice.objects.filter(pk=notice.pk).update(delivery=delivery)
            notice.delivery = delivery
            return notice
    return notice  # the window is full: the notice waits for the digest


def distinct_alerts(notices: Iterable[AlertNotice]) -> list[tuple[Alert, bool]]:
    """Each alert of ``notices`` once, in their order, with whether it comes only as an
    escalation (an alert opened and escalated in one message reads as opened, at the
    severity it has now)."""
    found: dict[int, tuple[Alert, bool]] = {}
    for notice in notices:
        alert, escalated = found.get(notice.alert_id, (notice.alert, True))
        found[notice.alert_id] = (alert, escalated and notice.escalated)
    return list(found.values())


def alerts_opened(
    alerts: list[Alert], *, now: datetime | None = None, escalated: bool = False
) -> None:
    """The recompute opened ``alerts`` (in its transaction): tell whoever wants to know,
    by email (members' subscriptions) and in team chats (channels' severities)."""
    from planner.notify import alert_emails, chat

    if not alerts:
        return
    now = now or timezone.now()
    alert_emails.fan_out(alerts, now=now, escalated=escalated)
    chat.fan_out(alerts, now=now, escalated=escalated)


def alerts_escalated(alerts: list[Alert], *, now: datetime | None = None) -> None:
    """The recompute raised the severity of open (or acknowledged) ``alerts``: tell
    whoever wants to know of the new severity, once per alert and severity — a member
    who wants only critical alerts hears of a warning when it becomes critical."""
    alerts_opened(alerts, now=now, escalated=True)
