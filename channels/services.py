"""Writes to the channel section: the catalogue, quarterly channel plans, the
KOL/KOC roster and cooperations. Every write locks the plan row and checks the
version of the row it changes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from channels.catalogue import CATALOGUE
from channels.models import (
    Channel,
    ChannelFamily,
    ChannelGroup,
    ChannelPlan,
    ContentFormat,
    Cooperation,
    Creator,
    CreatorTier,
    RoiLayer,
)
from core.errors import InvalidInput, StaleVersion
from core.locking import delete_versioned, update_versioned
from planner.editing import plan_for_edit, reject_unknown, require_member

if TYPE_CHECKING:
    from planner.models import Plan

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CHANNEL_EDITABLE = (
    "code",
    "name",
    "name_zh",
    "family",
    "group",
    "platform",
    "formats",
    "is_active",
    "sort_order",
    "roi_layer",
)
PLAN_EDITABLE = ("role", "formats", "audience", "budget", "kpis", "owner", "notes")
CREATOR_EDITABLE = (
    "name",
    "platform",
    "profile_url",
    "followers",
    "tier",
    "category",
    "fee",
    "contact_owner",
)
COOPERATION_EDITABLE = (
    "creator",
    "campaign",
    "date",
    "deliverables",
    "fee",
    "views",
    "engagements",
    "clicks",
    "conversions",
    "gmv",
)


def catalogue_install(*, plan: Plan) -> list[Channel]:
    """Give a new plan the standard channel catalogue (idempotent)."""
    existing = set(plan.channels.values_list("code", flat=True))
    rows = [
        Channel(
            plan=plan,
            code=entry.code,
            family=entry.family,
            group=entry.group,
            platform=entry.platform,
            formats=list(entry.formats),
            sort_order=index * 10,
        )
        for index, entry in enumerate(CATALOGUE)
        if entry.code not in existing
    ]
    return Channel.objects.bulk_create(rows)


def _editable(plan_id: int, actor: User) -> Plan:
    return plan_for_edit(plan_id=plan_id, actor=actor)


def _formats(value: Any) -> list[str]:
    formats = list(value or [])
    bad = [f for f in formats if f not in ContentFormat.values]
    if bad:
        raise InvalidInput(fields={"formats": [_("Unknown format %(f)s.") % {"f": bad[0]}]})
    return list(dict.fromkeys(formats))


# --- channels -------------------------------------------------------------------------


def _clean_channel(plan: Plan, channel: Channel) -> None:
    errors: dict[str, list[Any]] = {}
    if not CODE_RE.match(channel.code or ""):
        errors["code"] = [_("Use lower-case letters, digits and _; start with a letter.")]
    elif Channel.objects.filter(plan=plan, code=channel.code).exclude(pk=channel.pk).exists():
        errors["code"] = [_("This plan already has a channel with this code.")]
    if channel.family not in ChannelFamily.values:
        errors["family"] = [_("Choose a family.")]
    if channel.group not in ChannelGroup.values:
        errors["group"] = [_("Choose a group.")]
    if channel.roi_layer not in ("", *RoiLayer.values):
        errors["roi_layer"] = [
            _("Choose brand exposure, performance, or nothing (from the group).")
        ]
    if not (channel.name or channel.name_zh or channel.code in {e.code for e in CATALOGUE}):
        errors["name"] = [_("Give the channel a name.")]
    if errors:
        raise InvalidInput(fields=errors)
    channel.formats = _formats(channel.formats)


def channel_create(*, plan: Plan, actor: User, **fields: Any) -> Channel:
    reject_unknown(fields, CHANNEL_EDITABLE)
    with transaction.atomic():
        plan = _editable(plan.pk, actor)
        channel = Channel(plan=plan, **fields)
        if not channel.sort_order:
            channel.sort_order = (plan.channels.count() + 1) * 10
        _clean_channel(plan, channel)
        channel._history_user = actor  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                channel.save()
        except IntegrityError:
            raise InvalidInput(
                fields={"code": [_("This plan already has a channel with this code.")]}
            ) from None
    return channel


def channel_update(
    *, channel: Channel, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Channel:
    reject_unknown(changes, CHANNEL_EDITABLE)
    with transaction.atomic():
        plan = _editable(channel.plan_id, actor)
        candidate = Channel.objects.get(pk=channel.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_channel(plan, candidate)
        fields = {name: getattr(candidate, name) for name in changes}
        return update_versioned(
            channel, expected_version=expected_version, changes=fields, actor=actor
        )


def channel_delete(*, channel: Channel, expected_version: int, actor: User) -> None:
    """Remove a channel with its quarterly plans; one with metrics stays (deactivate it)."""
    with transaction.atomic():
        _editable(channel.plan_id, actor)
        # Locked first: an import of the plan holding it (FOR KEY SHARE) commits before
        # this looks, and one starting later waits for this delete (no orphan rows).
        Channel.objects.select_for_update().filter(pk=channel.pk).exists()
        if channel.metrics.filter(plan_id=channel.plan_id).exists():
            raise InvalidInput(
                _("Metrics were recorded for this channel; deactivate it instead of deleting it.")
            )
        delete_versioned(channel, expected_version=expected_version, actor=actor)


# --- quarterly channel plans ------------------------------------------------------------


def channel_plan_save(
    *,
    channel: Channel,
    quarter: int,
    changes: Mapping[str, Any],
    expected_version: int | None,
    actor: User,
) -> ChannelPlan:
    """Create or edit one cell of the channels × quarters matrix.

    ``expected_version`` is the version the editor saw, or None/0 for a cell
    that did not exist yet; a cell someone else created meanwhile is a conflict.
    """
    reject_unknown(changes, PLAN_EDITABLE)
    if not 1 <= int(quarter) <= 4:
        raise InvalidInput(fields={"quarter": [_("Quarters run from 1 to 4.")]})
    data = dict(changes)
    if "formats" in data:
        data["formats"] = _formats(data["formats"])
    if "budget" in data:
        budget = Decimal(str(data["budget"] or 0))
        if budget < 0:
            raise InvalidInput(fields={"budget": [_("The budget cannot be negative.")]})
        data["budget"] = budget
    kpis = data.pop("kpis", None)
    with transaction.atomic():
        plan = _editable(channel.plan_id, actor)
        require_member(plan, data.get("owner"), "owner")
        if kpis is not None and any(k.plan_id != plan.pk for k in kpis):
            raise InvalidInput(fields={"kpis": [_("Choose KPIs of this plan.")]})
        cell = ChannelPlan.objects.filter(channel=channel, quarter=quarter).first()
        if cell is None:
            if expected_version:
                raise StaleVersion()
            cell = ChannelPlan(channel=channel, quarter=quarter, **data)
            cell._history_user = actor  # type: ignore[attr-defined]
            try:
                with transaction.atomic():
                    cell.save()
            except IntegrityError:  # created by someone else since the page was drawn
                raise StaleVersion(
                    current=ChannelPlan.objects.filter(channel=channel, quarter=quarter).first()
                ) from None
        else:
            cell = update_versioned(
                cell, expected_version=int(expected_version or 0), changes=data, actor=actor
            )
        if kpis is not None:
            cell.kpis.set(kpis)
    return cell


def channel_plan_delete(*, cell: ChannelPlan, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        _editable(cell.channel.plan_id, actor)
        delete_versioned(cell, expected_version=expected_version, actor=actor)


# --- creators and cooperations ------------------------------------------------------------


def _clean_creator(plan: Plan, creator: Creator) -> None:
    errors: dict[str, list[Any]] = {}
    if not (creator.name or "").strip():
        errors["name"] = [_("Give the creator's name.")]
    if not (creator.platform or "").strip():
        errors["platform"] = [_("Give the platform.")]
    if creator.tier not in CreatorTier.values:
        errors["tier"] = [_("Choose a tier.")]
    if creator.fee is not None and Decimal(creator.fee) < 0:
        errors["fee"] = [_("The fee cannot be negative.")]
    clash = Creator.objects.filter(plan=plan, platform=creator.platform, name=creator.name)
    if not errors and clash.exclude(pk=creator.pk).exists():
        errors["name"] = [_("This creator is already on the roster for this platform.")]
    if errors:
        raise InvalidInput(fields=errors)
    require_member(plan, creator.contact_owner, "contact_owner")


def creator_create(*, plan: Plan, actor: User, **fields: Any) -> Creator:
    reject_unknown(fields, CREATOR_EDITABLE)
    with transaction.atomic():
        plan = _editable(plan.pk, actor)
        creator = Creator(plan=plan, **fields)
        _clean_creator(plan, creator)
        creator._history_user = actor  # type: ignore[attr-defined]
        creator.save()
    return creator


def creator_update(
    *, creator: Creator, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Creator:
    reject_unknown(changes, CREATOR_EDITABLE)
    with transaction.atomic():
        plan = _editable(creator.plan_id, actor)
        candidate = Creator.objects.get(pk=creator.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_creator(plan, candidate)
        return update_versioned(
            creator, expected_version=expected_version, changes=changes, actor=actor
        )


def creator_delete(*, creator: Creator, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        _editable(creator.plan_id, actor)
        delete_versioned(creator, expected_version=expected_version, actor=actor)


def _clean_cooperation(plan: Plan, cooperation: Cooperation) -> None:
    errors: dict[str, list[Any]] = {}
    if cooperation.creator.plan_id != plan.pk:
        errors["creator"] = [_("Choose a creator of this plan.")]
    if not (cooperation.campaign or "").strip():
        errors["campaign"] = [_("Name the campaign.")]
    for name in ("fee", "gmv"):
        if Decimal(getattr(cooperation, name) or 0) < 0:
            errors[name] = [_("Cannot be negative.")]
    if errors:
        raise InvalidInput(fields=errors)


def cooperation_create(*, actor: User, creator: Creator, **fields: Any) -> Cooperation:
    reject_unknown({**fields, "creator": creator}, COOPERATION_EDITABLE)
    with transaction.atomic():
        plan = _editable(creator.plan_id, actor)
        cooperation = Cooperation(creator=creator, **fields)
        _clean_cooperation(plan, cooperation)
        cooperation._history_user = actor  # type: ignore[attr-defined]
        cooperation.save()
    return cooperation


def cooperation_update(
    *, cooperation: Cooperation, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Cooperation:
    reject_unknown(changes, COOPERATION_EDITABLE)
    with transaction.atomic():
        plan = _editable(cooperation.creator.plan_id, actor)
        candidate = Cooperation.objects.select_related("creator").get(pk=cooperation.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_cooperation(plan, candidate)
        return update_versioned(
            cooperation, expected_version=expected_version, changes=changes, actor=actor
        )


def cooperation_delete(*, cooperation: Cooperation, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        _editable(cooperation.creator.plan_id, actor)
        delete_versioned(cooperation, expected_version=expected_version, actor=actor)
