"""Alert emails: who hears about an opened alert, and the email that tells them.

1. ``fan_out`` (called by ``fanout.alerts_opened`` in the recompute's transaction)
   attaches each alert to every member of the plan's workspace whose subscription
   wants its severity and section (active users with an email address only). The
   notices of one burst share one delivery (``fanout.attach``): one email per
   recipient and group window, listing every alert of the window.
2. ``render`` writes that email in the recipient's language and time zone. It raises
   ``Defer`` when the recipient already got ``NOTIFY_ALERT_HOURLY_CAP`` alert emails in
   the last hour: the delivery becomes *deferred* and its notices wait, never dropped:
   the next digest carries them (``AlertNotice.carried_by``), or, for members without a
   digest, a catch-up alert email at the next hour (``flush_deferred``, hourly).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from planner.models import Membership
from planner.notify import compose, fanout, subscriptions
from planner.notify import delivery as deliveries
from planner.notify.models import (
    AlertNotice,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DigestCadence,
)

if TYPE_CHECKING:
    from monitoring.models import Alert

logger = logging.getLogger(__name__)

KIND = DeliveryKind.ALERT_EMAIL
CATCH_UP_PREFIX = f"{KIND}:catch-up:"
STEPS_SHOWN = 3
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


# --- who hears about what ------------------------------------------------------------


def fan_out(alerts: list[Alert], *, now: datetime, escalated: bool = False) -> None:
    """Attach each alert to every member who wants it (idempotent: notices are unique)."""
    if not alerts:
        return
    workspace_ids = {alert.plan.workspace_id for alert in alerts}
    members: dict[int, list[Membership]] = {}
    found = (
        Membership.objects.filter(workspace_id__in=workspace_ids, user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "subscription")
        .order_by("pk")
    )
    for membership in found:
        members.setdefault(membership.workspace_id, []).append(membership)
    for alert in alerts:
        section = fanout.alert_section(alert)
        for membership in members.get(alert.plan.workspace_id, []):
            choices = subscriptions.preview(membership)
            if subscriptions.wants_alert(choices, alert.severity, section):
                fanout.attach(
                    alert,
                    kind=KIND,
                    now=now,
                    recipient=membership.user,
                    address=membership.user.email,
                    escalated=escalated,
                )


def sent_in_last_hour(user_id: int, now: datetime) -> int:
    """Alert emails the user was sent in the hour before ``now`` (all workspaces)."""
    return Delivery.objects.filter(
        kind=KIND,
        recipient_id=user_id,
        status=DeliveryStatus.SENT,
        sent_at__gt=now - timedelta(hours=1),
    ).count()


def is_catch_up(delivery: Delivery) -> bool:
    return delivery.dedup_key.startswith(CATCH_UP_PREFIX)


# --- the email ---------------------------------------------------------------------------


@dataclass
class Item:
    """One alert as the email lists it."""

    alert: Alert
    severity: str
    metric: str
    subject: str
    expected: str
    observed: str
    link: str
    playbook: Any
    playbook_link: str
    steps: list[Any]
    escalated: bool = False  # the alert was opened earlier: this is its new severity


def _short(label: str) -> str:
    """ "CTR (clicks / impressions)" → "CTR" for a subject line."""
    for mark in (" (", "（", "("):
        if mark in label:
            return label.split(mark)[0].strip()
    return label


def _item(alert: Alert, *, escalated: bool = False) -> Item:
    from monitoring.views import AlertCard  # the inbox's formatting of one alert

    card = AlertCard.of(alert, alert.plan.currency)
    playbook = alert.rule.playbook if alert.rule is not None else None
    link = compose.absolute(
        reverse("monitoring:alerts", kwargs={"plan_id": alert.plan_id}) + f"#alert-{alert.pk}"
    )
    playbook_link = ""
    steps: list[Any] = []
    if playbook is not None:
        playbook_link = compose.absolute(
            reverse(
                "planner:playbook",
                kwargs={"plan_id": playbook.plan_id, "playbook_id": playbook.pk},
            )
        )
        steps = list(playbook.steps.all()[:STEPS_SHOWN])
    return Item(
        alert=alert,
        severity=str(alert.get_severity_display()),
        metric=str(card.metric),
        subject=str(card.subject),
        expected=str(card.expected),
        observed=str(card.observed),
        link=link,
        playbook=playbook,
        playbook_link=playbook_link,
        steps=steps,
        escalated=escalated,
    )


def _subject(items: list[Item], where: str, *, catch_up: bool) -> str:
    count = len(items)
    if catch_up:
        return ngettext(
            "[Almanac] %(count)d alert held back by the hourly limit — %(plan)s",
            "[Almanac] %(count)d alerts held back by the hourly limit — %(plan)s",
            count,
        ) % {"count": count, "plan": where}
    if count == 1 and items[0].escalated:
        item = items[0]
        names = {"severity": item.severity, "metric": _short(item.metric), "plan": where}
        if item.alert.kpi_id is not None:
            return _(
                "[Almanac] Escalated to %(severity)s: %(metric)s is behind plan — %(plan)s"
            ) % (names)
        return _("[Almanac] Escalated to %(severity)s: %(metric)s on %(subject)s — %(plan)s") % {
            **names,
            "subject": item.subject,
        }
    if count == 1:
        item = items[0]
        if item.alert.kpi_id is not None:
            return _("[Almanac] %(severity)s: %(metric)s is behind plan — %(plan)s") % {
                "severity": item.severity,
                "metric": _short(item.metric),
                "plan": where,
            }
        return _("[Almanac] %(severity)s: %(metric)s on %(subject)s — %(plan)s") % {
            "severity": item.severity,
            "metric": _short(item.metric),
            "subject": item.subject,
            "plan": where,
        }
    if any(item.escalated for item in items):
        return ngettext(
            "[Almanac] %(count)d alert opened or escalated — %(plan)s",
            "[Almanac] %(count)d alerts opened or escalated — %(plan)s",
            count,
        ) % {"count": count, "plan": where}
    return ngettext(
        "[Almanac] %(count)d new alert — %(plan)s",
        "[Almanac] %(count)d new alerts — %(plan)s",
        count,
    ) % {"count": count, "plan": where}


def notices_of(delivery: Delivery) -> list[AlertNotice]:
    """The notices a delivery carries: its own, and (catch-up) the deferred ones."""
    return list(
        AlertNotice.objects.filter(Q(delivery=delivery) | Q(carried_by=delivery))
        .select_related(
            "alert__plan__workspace", "alert__rule__playbook", "alert__channel", "alert__kpi"
        )
        .order_by("alert__opened_at", "alert_id")
        .distinct()
    )


def render(delivery: Delivery) -> deliveries.Rendered | None:
    user = delivery.recipient
    if user is None or not user.is_active or not delivery.address:
        return None
    membership = compose.membership_of(user, delivery.workspace_id)
    if membership is None:  # no longer a member: nothing of this workspace for them
        return None
    choices = subscriptions.preview(membership)
    catch_up = is_catch_up(delivery)
    alerts = [
        (alert, escalated)
        for alert, escalated in fanout.distinct_alerts(notices_of(delivery))
        if alert.plan.workspace_id == delivery.workspace_id
        and subscriptions.wants_alert(choices, alert.severity, fanout.alert_section(alert))
    ]
    if not alerts:  # unsubscribed in the meantime
        return None
    now = timezone.now()
    if not catch_up and sent_in_last_hour(user.pk, now) >= int(settings.NOTIFY_ALERT_HOURLY_CAP):
        logger.info("delivery %s: hourly cap reached for user %s, deferred", delivery.pk, user.pk)
        raise deliveries.Defer
    alerts.sort(key=lambda a: (SEVERITY_ORDER.get(a[0].severity, 9), a[0].opened_at, a[0].pk))
    plans = {alert.plan_id: alert.plan for alert, _escalated in alerts}
    with compose.recipient_locale(choices):
        items = [_item(alert, escalated=escalated) for alert, escalated in alerts]
        plan = next(iter(plans.values())) if len(plans) == 1 else None
        where = plan.name if plan is not None else membership.workspace.name
        subject = _subject(items, where, catch_up=catch_up)
        inbox = (
            compose.absolute(reverse("monitoring:alerts", kwargs={"plan_id": plan.pk}))
            if plan is not None
            else ""
        )
        email = compose.message(
            template="alert",
            context={
                "items": items,
                "any_escalated": any(item.escalated for item in items),
                "plan": plan,
                "where": where,
                "inbox_link": inbox,
                "catch_up": catch_up,
                "user": user,
            },
            subject=subject,
            to=delivery.address,
            membership=membership,
            category="alerts",
        )
    return deliveries.Rendered(subject=subject, email=email)


def register() -> None:
    deliveries.register(KIND, render)


register()


# --- deferred notices of members without a digest -------------------------------------


def flush_deferred(now: datetime | None = None) -> int:
    """Claim a catch-up alert email for each member (and workspace) with deferred notices
    and no digest to carry them; return how many were claimed.

    Runs hourly; one catch-up per member, workspace and hour (the dedup key), and only
    when the member is under the hourly cap again (else: the next hour).
    """
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    waiting = _deferred().values_list("recipient_id", "delivery__workspace_id").distinct()
    claimed = 0
    for user_id, workspace_id in sorted(set(waiting)):
        membership = (
            Membership.objects.select_related("user", "workspace", "subscription")
            .filter(user_id=user_id, workspace_id=workspace_id, user__is_active=True)
            .first()
        )
        if membership is None or not membership.user.email:
            continue
        if subscriptions.preview(membership).digest != DigestCadence.NONE:
            continue  # the member's next digest carries them
        if sent_in_last_hour(user_id, now) >= int(settings.NOTIFY_ALERT_HOURLY_CAP):
            continue
        with transaction.atomic():
            notices = list(
                _deferred()
                .select_for_update(of=("self",))
                .filter(recipient_id=user_id, delivery__workspace_id=workspace_id)
                .select_related("alert")
                .order_by("pk")
            )
            if not notices:
                continue
            delivery = deliveries.claim(
                dedup_key=f"{CATCH_UP_PREFIX}{workspace_id}:u{user_id}:{hour:%Y%m%dT%H}",
                workspace_id=workspace_id,
                plan_id=notices[0].alert.plan_id,
                kind=KIND,
                recipient=membership.user,
                address=membership.user.email,
                period=f"catch-up {hour:%Y-%m-%dT%H:%M}",
            )
            if delivery is None:
                continue
            AlertNotice.objects.filter(pk__in=[n.pk for n in notices]).update(carried_by=delivery)
            claimed += 1
    return claimed


def _deferred() -> Any:
    """Notices whose own email was deferred and that nothing has carried yet."""
    return AlertNotice.objects.filter(
        recipient__isnull=False,
        delivery__status=DeliveryStatus.DEFERRED,
        delivery__kind=KIND,
        carried_by__isnull=True,
    )
