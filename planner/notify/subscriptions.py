"""Each member's notification choices: read (created lazily), changed with a version check.

A member who never opened the settings page still has choices: the model's
defaults (warning and critical alerts of every section, a weekly digest), in the
language they use the site in when the row is first written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from core.locking import update_versioned
from planner.notify.models import ALERT_SECTIONS, DigestCadence, Subscription

# The severities an alert email can be chosen for (monitoring.models.Severity values).
ALERT_SEVERITIES = ("info", "warning", "critical")

# The time zones offered first on the settings page; any IANA zone is accepted.
COMMON_TIMEZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Australia/Sydney",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "UTC",
)

EDITABLE = ("alert_severities", "alert_sections", "digest", "digest_hour", "language", "timezone")

# Unsubscribe categories → the fields they clear.
CATEGORIES = ("alerts", "digest", "all")


def default_language(language: str | None = None) -> str:
    """A language the site speaks: ``language`` (e.g. the request's) or the default."""
    codes = {code for code, _label in settings.LANGUAGES}
    if language in codes:
        return str(language)
    short = (language or "").split("-")[0]
    for code in codes:
        if short and code.startswith(short):
            return code
    return str(Subscription._meta.get_field("language").get_default())


def subscription_for(membership: Any, *, language: str | None = None) -> Subscription:
    """The member's subscription, created with the defaults (and ``language``) if missing."""
    existing = Subscription.objects.filter(membership=membership).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        subscription, _created = Subscription.objects.get_or_create(
            membership=membership, defaults={"language": default_language(language)}
        )
    return subscription


def preview(membership: Any) -> Subscription:
    """The member's choices without writing anything (an unsaved default when missing)."""
    try:
        found: Subscription = membership.subscription
    except Subscription.DoesNotExist:
        return Subscription(membership=membership)
    return found


def wants_alert(subscription: Subscription, severity: str, section: str) -> bool:
    return severity in (subscription.alert_severities or []) and section in (
        subscription.alert_sections or []
    )


def zone(name: str) -> ZoneInfo:
    """The subscription's zone; the site's zone if the stored name is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def timezone_choices() -> list[tuple[str, str]]:
    """The common zones first (Asia/Shanghai on top), then every other IANA zone."""
    others = sorted(available_timezones() - set(COMMON_TIMEZONES))
    return [(name, name.replace("_", " ")) for name in (*COMMON_TIMEZONES, *others)]


def validate(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes, cleaned; ``InvalidInput`` naming each bad field."""
    problems: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE:
            problems.setdefault(name, []).append(_("This field cannot be changed here."))
            continue
        if name == "alert_severities":
            chosen = list(value or [])
            if not set(chosen) <= set(ALERT_SEVERITIES):
                problems[name] = [_("Choose among info, warning and critical.")]
            clean[name] = [s for s in ALERT_SEVERITIES if s in chosen]
        elif name == "alert_sections":
            chosen = list(value or [])
            if not set(chosen) <= set(ALERT_SECTIONS):
                problems[name] = [_("Unknown plan section.")]
            clean[name] = [s for s in ALERT_SECTIONS if s in chosen]
        elif name == "digest":
            if value not in DigestCadence.values:
                problems[name] = [_("Choose a digest cadence.")]
            clean[name] = value
        elif name == "digest_hour":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 23:
                problems[name] = [_("An hour from 0 to 23.")]
            clean[name] = value
        elif name == "language":
            if value not in {code for code, _label in settings.LANGUAGES}:
                problems[name] = [_("Choose a language the site speaks.")]
            clean[name] = value
        elif name == "timezone":
            try:
                ZoneInfo(str(value))
            except (ZoneInfoNotFoundError, ValueError):
                problems[name] = [_("Unknown time zone.")]
            else:
                if str(value) not in available_timezones():
                    problems[name] = [_("Unknown time zone.")]
            clean[name] = str(value)
    if problems:
        raise InvalidInput(_("Check the notification settings."), fields=problems)
    return clean


def subscription_update(
    *,
    subscription: Subscription,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: AbstractBaseUser | None = None,
) -> Subscription:
    """Save the member's choices if nobody changed them since ``expected_version``."""
    clean = validate(changes)
    return update_versioned(
        subscription, expected_version=expected_version, changes=clean, actor=actor
    )


def unsubscribe(*, membership: Any, category: str) -> Subscription:
    """Stop alert emails, digests or both (an unsubscribe link: no version to check)."""
    if category not in CATEGORIES:
        raise InvalidInput(_("Unknown kind of email."))
    subscription = subscription_for(membership)
    fields: dict[str, Any] = {}
    if category in ("alerts", "all"):
        fields["alert_severities"] = []
    if category in ("digest", "all"):
        fields["digest"] = DigestCadence.NONE
    Subscription.objects.filter(pk=subscription.pk).update(
        **fields, version=F("version") + 1, updated_at=dj_timezone.now()
    )
    subscription.refresh_from_db()
    return subscription
