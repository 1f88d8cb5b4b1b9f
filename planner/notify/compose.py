"""What every notification email shares: the recipient's language and time zone, the
footer with the unsubscribe and settings links, and the message itself (HTML with a
plain-text alternative and the List-Unsubscribe headers)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from planner.models import Membership
from planner.notify import subscriptions
from planner.notify.models import Subscription
from planner.notify.unsubscribe import unsubscribe_headers, unsubscribe_url


@contextmanager
def recipient_locale(subscription: Subscription) -> Iterator[None]:
    """Render in the recipient's language and time zone."""
    with (
        translation.override(subscription.language or settings.LANGUAGE_CODE),
        timezone.override(subscriptions.zone(subscription.timezone)),
    ):
        yield


def membership_of(user: Any, workspace_id: int) -> Membership | None:
    return (
        Membership.objects.select_related("workspace", "user")
        .filter(user=user, workspace_id=workspace_id)
        .first()
    )


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def footer(membership: Membership, category: str) -> dict[str, Any]:
    """Links of the footer: unsubscribe from this kind of email, and the settings page."""
    workspace = membership.workspace
    return {
        "workspace": workspace,
        "unsubscribe_link": unsubscribe_url(membership.user, workspace, category),
        "settings_link": absolute(
            reverse("planner:notifications", kwargs={"slug": workspace.slug})
        ),
        "category": category,
    }


def message(
    *,
    template: str,
    context: dict[str, Any],
    subject: str,
    to: str,
    membership: Membership,
    category: str,
) -> EmailMultiAlternatives:
    """``emails/<template>.txt`` and ``.html`` rendered (in the caller's locale) into one
    message to ``to`` with the unsubscribe headers for ``category``."""
    links = footer(membership, category)
    full = {**context, **links, "subject": subject}
    text = render_to_string(f"emails/{template}.txt", full)
    html = render_to_string(f"emails/{template}.html", full)
    headers = {
        **unsubscribe_headers(
            membership.user, membership.workspace, category, url=links["unsubscribe_link"]
        ),
        "Auto-Submitted": "auto-generated",
    }
    email = EmailMultiAlternatives(subject, text, to=[to], headers=headers)
    email.attach_alternative(html, "text/html")
    return email
