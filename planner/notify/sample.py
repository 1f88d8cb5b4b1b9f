"""The "send me a test" email: proves the way from the app to the member's inbox.

One test email per member and minute (the dedup key names the minute), so a double
click sends one email; it goes through the same outbox, renderer and mail backend as
every other notification, and shows in the delivery log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import InvalidInput
from planner.notify import compose, subscriptions
from planner.notify import delivery as deliveries
from planner.notify.models import Delivery, DeliveryKind

KIND = DeliveryKind.TEST_EMAIL


def request_test(*, user: Any, workspace: Any, now: datetime | None = None) -> Delivery | None:
    """Claim a test email to ``user``; ``None`` when one was claimed this minute already."""
    if not getattr(user, "email", ""):
        raise InvalidInput(gettext_lazy("Your account has no email address to send a test to."))
    now = now or timezone.now()
    return deliveries.claim(
        dedup_key=f"test:{user.pk}:{now:%Y%m%dT%H%M}",
        workspace=workspace,
        kind=KIND,
        recipient=user,
        address=user.email,
        period=f"{now:%Y-%m-%dT%H:%M}",
    )


def render(delivery: Delivery) -> deliveries.Rendered | None:
    user = delivery.recipient
    if user is None or not delivery.address:
        return None
    membership = compose.membership_of(user, delivery.workspace_id)
    if membership is None:
        return None
    choices = subscriptions.preview(membership)
    with compose.recipient_locale(choices):
        subject = _("[Almanac] Test email — %(workspace)s") % {
            "workspace": membership.workspace.name
        }
        email = compose.message(
            template="test_email",
            context={
                "user": user,
                "subscription": choices,
                "severities": ", ".join(
                    str(label)
                    for value, label in _severity_labels()
                    if value in (choices.alert_severities or [])
                ),
                "log_link": compose.absolute(
                    reverse("planner:deliveries", kwargs={"slug": membership.workspace.slug})
                ),
                "requested_at": delivery.created_at,
            },
            subject=subject,
            to=delivery.address,
            membership=membership,
            category="all",
        )
    return deliveries.Rendered(subject=subject, email=email)


def _severity_labels() -> list[tuple[str, Any]]:
    from monitoring.models import Severity

    return list(Severity.choices)


def register() -> None:
    deliveries.register(KIND, render)


register()
