"""Notification data in the ``world`` workspace: subscriptions, opened alerts, the
emails that went out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core import mail

from monitoring.models import Alert
from planner.models import Delivery, DeliveryKind, Membership, Subscription
from planner.notify import alert_emails, sample
from planner.notify.fanout import alerts_opened
from planner.notify.subscriptions import subscription_for
from tests.monitoring import seed

# A moment at the start of a group window (windows are aligned to 180 s from the epoch).
T0 = datetime(2027, 3, 11, 2, 0, tzinfo=UTC)


def register_renderers() -> None:
    """Other tests register throwaway renderers for these kinds; put ours back."""
    alert_emails.register()
    sample.register()


def membership(world: Any, persona: str) -> Membership:
    return Membership.objects.get(user=world.users[persona], workspace=world.workspace)


def subscribe(world: Any, persona: str, **fields: Any) -> Subscription:
    found = subscription_for(membership(world, persona))
    Subscription.objects.filter(pk=found.pk).update(**fields)
    found.refresh_from_db()
    return found


def open_alert(world: Any, *, now: datetime = T0, **fields: Any) -> Alert:
    """One alert opened (as the recompute does) and fanned out at ``now``."""
    alert = seed.alert(world, opened_at=now, last_seen_at=now, **fields)
    alerts_opened([alert], now=now)
    return alert


def alert_deliveries(persona_user: Any = None) -> list[Delivery]:
    found = Delivery.objects.filter(kind=DeliveryKind.ALERT_EMAIL).order_by("pk")
    if persona_user is not None:
        found = found.filter(recipient=persona_user)
    return list(found)


def emails_to(address: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [address]]


def html_of(message: Any) -> str:
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return str(html)


def send_all_alerts() -> list[str]:
    """Send every alert email due (as the worker would when the windows close)."""
    from planner.notify import delivery as deliveries

    return [deliveries.send(d.pk) for d in alert_deliveries()]
