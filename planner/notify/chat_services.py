"""Writes of chat channels (workspace admins only) and the "send test message" claim."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.locking import delete_versioned, update_versioned
from monitoring.models import Severity
from planner.access import Action, require
from planner.editing import reject_unknown
from planner.models import Workspace
from planner.notify import chat
from planner.notify import delivery as deliveries
from planner.notify.models import ChatChannel, ChatPlatform, Delivery, DeliveryKind

CHANNEL_EDITABLE = (
    "name",
    "platform",
    "url",
    "secret",
    "alert_severities",
    "language",
    "is_active",
)


def _name_taken(workspace_id: int, name: str, pk: int | None) -> bool:
    others = ChatChannel.objects.filter(workspace_id=workspace_id, name=name)
    if pk is not None:
        others = others.exclude(pk=pk)
    return others.exists()


def _clean(
    workspace_id: int, values: Mapping[str, Any], *, pk: int | None = None
) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    cleaned = dict(values)
    if "name" in cleaned:
        name = str(cleaned["name"] or "").strip()
        cleaned["name"] = name
        if not name:
            errors["name"] = [_("Give the chat channel a name.")]
        elif len(name) > 80:
            errors["name"] = [_("At most 80 characters.")]
        elif _name_taken(workspace_id, name, pk):
            errors["name"] = [_("The workspace already has a chat channel with this name.")]
    if "platform" in cleaned and cleaned["platform"] not in ChatPlatform.values:
        errors["platform"] = [_("Choose WeCom, DingTalk, Feishu or Slack.")]
    if "url" in cleaned:
        url = str(cleaned["url"] or "").strip()
        cleaned["url"] = url
        if not url:
            errors["url"] = [_("Paste the webhook URL the chat platform gave you.")]
        elif len(url) > 500:
            errors["url"] = [_("At most 500 characters.")]
        else:
            try:
                chat.check_url(url)
            except chat.UnsafeWebhookURL as refused:
                errors["url"] = [str(refused)]
    if "secret" in cleaned:
        cleaned["secret"] = str(cleaned["secret"] or "").strip()
        if len(cleaned["secret"]) > 200:
            errors["secret"] = [_("At most 200 characters.")]
    if "alert_severities" in cleaned:
        chosen = list(cleaned["alert_severities"] or [])
        unknown = [s for s in chosen if s not in Severity.values]
        if unknown:
            errors["alert_severities"] = [_("Choose among info, warning and critical.")]
        cleaned["alert_severities"] = [s for s in Severity.values if s in chosen]
    if "language" in cleaned and cleaned["language"] not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose a language.")]
    if "is_active" in cleaned:
        cleaned["is_active"] = bool(cleaned["is_active"])
    if errors:
        raise InvalidInput(_("Check the fields."), fields=errors)
    return cleaned


def channel_create(*, workspace: Workspace, actor: AbstractBaseUser, **fields: Any) -> ChatChannel:
    reject_unknown(fields, CHANNEL_EDITABLE)
    require(actor, workspace.pk, Action.ADMIN)
    values = {"platform": "", "url": "", "name": "", **fields}
    with transaction.atomic():
        cleaned = _clean(workspace.pk, values)
        channel = ChatChannel(workspace=workspace, **cleaned)
        channel.save()
    return channel


def channel_update(
    *,
    channel: ChatChannel,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: AbstractBaseUser,
) -> ChatChannel:
    reject_unknown(changes, CHANNEL_EDITABLE)
    require(actor, channel.workspace_id, Action.ADMIN)
    with transaction.atomic():
        cleaned = _clean(channel.workspace_id, changes, pk=channel.pk)
        return update_versioned(
            channel, expected_version=expected_version, changes=cleaned, actor=actor
        )


def channel_delete(*, channel: ChatChannel, expected_version: int, actor: AbstractBaseUser) -> None:
    require(actor, channel.workspace_id, Action.ADMIN)
    delete_versioned(channel, expected_version=expected_version, actor=actor)


def send_test(
    *, channel: ChatChannel, actor: AbstractBaseUser, now: datetime | None = None
) -> Delivery | None:
    """Queue a test message to the channel; ``None`` when one was queued this minute."""
    require(actor, channel.workspace_id, Action.ADMIN)
    now = now or timezone.now()
    minute = now.astimezone(UTC)
    with transaction.atomic():
        return deliveries.claim(
            dedup_key=f"{DeliveryKind.CHAT_TEST}:{channel.pk}:{minute:%Y%m%dT%H%M}",
            workspace_id=channel.workspace_id,
            kind=DeliveryKind.CHAT_TEST,
            chat_channel=channel,
            address=chat.host_of(channel.url),
            period=f"{minute:%Y-%m-%dT%H:%M}",
        )
