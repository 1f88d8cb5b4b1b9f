"""Unsubscribe links: signed, per recipient, workspace and category.

A token carries the user id, the workspace id and the category (``alerts``,
``digest`` or ``all``), signed with ``SECRET_KEY`` and a salt of its own per
category, and timestamped (it expires after ``NOTIFY_UNSUBSCRIBE_MAX_AGE_DAYS``).
It is the only credential of the unsubscribe page: no login. Every email carries
the link twice: in the ``List-Unsubscribe`` header (with RFC 8058's one-click
``List-Unsubscribe-Post``) and in a visible footer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from planner.notify.subscriptions import CATEGORIES

SALT = "almanac.notify.unsubscribe.{category}"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    workspace_id: int
    category: str


class BadToken(Exception):
    """The token was changed, is not one of ours, or has expired."""


def make_token(user: Any, workspace: Any, category: str) -> str:
    if category not in CATEGORIES:
        raise ValueError(f"unknown unsubscribe category {category!r}")
    payload = {"u": _pk(user), "w": _pk(workspace), "c": category}
    return signing.dumps(payload, salt=SALT.format(category=category), compress=True)


def read_token(token: str) -> Unsubscribe:
    """The request a token carries; ``BadToken`` if it was tampered with or expired."""
    max_age = 86400 * int(settings.NOTIFY_UNSUBSCRIBE_MAX_AGE_DAYS)
    for category in CATEGORIES:
        try:
            payload = signing.loads(token, salt=SALT.format(category=category), max_age=max_age)
        except signing.SignatureExpired as exc:
            raise BadToken("expired") from exc
        except signing.BadSignature:
            continue
        if (
            isinstance(payload, dict)
            and payload.get("c") == category
            and isinstance(payload.get("u"), int)
            and isinstance(payload.get("w"), int)
        ):
            return Unsubscribe(payload["u"], payload["w"], category)
        break
    raise BadToken("invalid")


def unsubscribe_url(user: Any, workspace: Any, category: str) -> str:
    """The absolute link of the confirm page."""
    token = make_token(user, workspace, category)
    return settings.SITE_URL + reverse("planner:unsubscribe", kwargs={"token": token})


def unsubscribe_headers(
    user: Any, workspace: Any, category: str, *, url: str | None = None
) -> dict[str, str]:
    """``List-Unsubscribe`` (the signed link; ``url`` when the footer already has it, so
    both carry the same token) and the RFC 8058 one-click header."""
    return {
        "List-Unsubscribe": f"<{url or unsubscribe_url(user, workspace, category)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _pk(obj: Any) -> int:
    return int(obj if isinstance(obj, int) else obj.pk)
