"""Writes to the content section: campaigns, the brand standard, size specs,
assets with their elements and licences, and interaction mechanisms.

Planning writes (what a campaign is, when and where it runs) need a draft plan
(``plan_for_edit``). Execution writes — a campaign's status, assets and their
review, publishing, licences — go on after approval (``plan_for_execution``).
Every write locks the plan row and checks the version of the row it changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channels.models import Channel, RoiLayer
from content import festivals
from content.festival_campaigns import TEMPLATES
from content.models import (
    Asset,
    AssetElement,
    BrandStandard,
    Campaign,
    CampaignStatus,
    CommunityLevel,
    ContentLayer,
    ElementKind,
    InteractionMechanism,
    Licence,
    MechanismKind,
    ReviewStatus,
    SizeSpec,
    SpecKind,
    Territory,
    ThemeType,
)
from content.specs import STANDARD_SPECS
from core.errors import InvalidInput, InvalidTransition, StaleVersion
from core.locking import delete_versioned, update_versioned
from planner.access import Action, require, workspace_id_of
from planner.editing import plan_for_edit, plan_for_execution, reject_unknown, require_member

if TYPE_CHECKING:
    from planner.models import Plan

CAMPAIGN_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_CAMPAIGN_DAYS = 366

CAMPAIGN_EDITABLE = (
    "code",
    "name",
    "theme",
    "festival",
    "start",
    "end",
    "channels",
    "audience",
    "owner",
    "budget",
    "status",
    "key_message",
    "notes",
    "roi_layer",
)
CAMPAIGN_EXECUTION = frozenset({"status"})
CAMPAIGN_FLOW: tuple[str, ...] = tuple(CampaignStatus.values)
BRAND_EDITABLE = ("colours", "fonts", "graphic_elements", "vi_review_required", "notes")
SPEC_EDITABLE = (
    "channel",
    "name",
    "kind",
    "width",
    "height",
    "max_duration_s",
    "max_file_mb",
    "file_format",
    "notes",
)
ASSET_EDITABLE = (
    "name",
    "spec",
    "layers",
    "review_status",
    "vi_passed",
    "owner",
    "file_ref",
    "notes",
    "elements",
)
LICENCE_EDITABLE = (
    "name",
    "kind",
    "source",
    "scope",
    "territory",
    "starts",
    "expires",
    "document_ref",
    "notes",
)
# The review steps an asset may take; publishing also needs every element licensed.
ASSET_FLOW: dict[str, frozenset[str]] = {
    ReviewStatus.DRAFT: frozenset({ReviewStatus.IN_REVIEW}),
    ReviewStatus.IN_REVIEW: frozenset(
        {ReviewStatus.APPROVED, ReviewStatus.CHANGES_REQUESTED, ReviewStatus.DRAFT}
    ),
    ReviewStatus.CHANGES_REQUESTED: frozenset({ReviewStatus.IN_REVIEW, ReviewStatus.DRAFT}),
    ReviewStatus.APPROVED: frozenset({ReviewStatus.PUBLISHED, ReviewStatus.IN_REVIEW}),
    ReviewStatus.PUBLISHED: frozenset({ReviewStatus.APPROVED}),
}
MECHANISM_COMMON = ("kind", "name", "goal", "indicators", "owner")
MECHANISM_FIELDS: dict[str, tuple[str, ...]] = {
    MechanismKind.UGC_CHALLENGE: ("channel", "start", "end", "topic", "reward", "boost_rules"),
    MechanismKind.FEEDBACK_CHANNEL: ("channel", "sla_hours", "ai_first", "response_hours"),
    MechanismKind.COMMUNITY_TIER: ("channel", "level", "members", "activities"),
    MechanismKind.REWARD_TIER: ("points_rules", "badges", "levels"),
}
MECHANISM_EDITABLE = tuple(
    dict.fromkeys([*MECHANISM_COMMON, *(f for fs in MECHANISM_FIELDS.values() for f in fs)])
)
MAX_SAMPLES = 10_000


class PublishBlocked(InvalidTransition):
    """The asset cannot be published: ``problems`` says why, one line each."""

    code = "publish_blocked"

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            _("The asset cannot be published: %(problems)s") % {"problems": " ".join(self.problems)}
        )


def _save_new(obj: Any, actor: User) -> None:
    obj._history_user = actor
    obj.save()


def _number(value: Any, field: str, *, minimum: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(fields={field: [_("Enter a number.")]}) from None
    if not number.is_finite() or (minimum is not None and number < minimum):
        raise InvalidInput(fields={field: [_("Enter a number of at least %(n)s.") % {"n": 0}]})
    return number


# --- campaigns -------------------------------------------------------------------------------


def _same_plan_channels(plan: Plan, channels: Iterable[Channel]) -> list[Channel]:
    chosen = list(channels)
    if any(c.plan_id != plan.pk for c in chosen):
        raise InvalidInput(fields={"channels": [_("Choose channels of this plan.")]})
    return chosen


def _clean_campaign(plan: Plan, campaign: Campaign) -> None:
    errors: dict[str, list[Any]] = {}
    code = (campaign.code or "").strip()
    campaign.code = code
    campaign.name = (campaign.name or "").strip()
    if not CAMPAIGN_CODE_RE.match(code):
        errors["code"] = [
            _("Use lower-case letters, digits, - and _ (at most 40); start with a letter or digit.")
        ]
    elif Campaign.objects.filter(plan=plan, code=code).exclude(pk=campaign.pk).exists():
        errors["code"] = [_("This plan already has a campaign with this code.")]
    if not campaign.name:
        errors["name"] = [_("Give the campaign a name.")]
    if campaign.theme not in ThemeType.values:
        errors["theme"] = [_("Choose a theme.")]
    if campaign.status not in CampaignStatus.values:
        errors["status"] = [_("Choose a status.")]
    if campaign.roi_layer not in ("", *RoiLayer.values):
        errors["roi_layer"] = [
            _("Choose brand exposure, performance, or nothing (from the theme).")
        ]
    if campaign.festival and campaign.festival not in festivals.CODES:
        errors["festival"] = [_("Choose one of the calendar's festivals.")]
    if not isinstance(campaign.start, date):
        errors["start"] = [_("Enter the start date.")]
    if not isinstance(campaign.end, date):
        errors["end"] = [_("Enter the end date.")]
    if isinstance(campaign.start, date) and isinstance(campaign.end, date):
        year_start, year_end = date(plan.year, 1, 1), date(plan.year, 12, 31)
        if campaign.end < campaign.start:
            errors["end"] = [_("The campaign cannot end before it starts.")]
        elif campaign.end < year_start or campaign.start > year_end:
            errors["start"] = [
                _("The campaign must run at least partly in %(year)s, the plan year.")
                % {"year": plan.year}
            ]
        elif campaign.days > MAX_CAMPAIGN_DAYS:
            errors["end"] = [_("A campaign runs at most a year; split longer programmes.")]
    try:
        budget = Decimal(str(campaign.budget or 0))
    except (InvalidOperation, ValueError):
        budget = Decimal("NaN")
    if not budget.is_finite():
        errors["budget"] = [_("Enter a number.")]
    elif budget < 0:
        errors["budget"] = [_("The budget cannot be negative.")]
    if errors:
        raise InvalidInput(fields=errors)
    require_member(plan, campaign.owner)


def _status_step(current: str, target: str) -> None:
    if current == target:
        return
    flow = CAMPAIGN_FLOW
    if target not in flow or abs(flow.index(target) - flow.index(current)) != 1:
        allowed = [
            str(CampaignStatus(flow[i]).label)
            for i in (flow.index(current) - 1, flow.index(current) + 1)
            if 0 <= i < len(flow)
        ]
        raise InvalidInput(
            fields={
                "status": [
                    _("A campaign moves one step at a time; from %(current)s: %(allowed)s.")
                    % {
                        "current": CampaignStatus(current).label,
                        "allowed": " / ".join(allowed),
                    }
                ]
            }
        )


def campaign_create(
    *, plan: Plan, actor: User, channels: Iterable[Channel] = (), **fields: Any
) -> Campaign:
    reject_unknown({**fields, "channels": ()}, CAMPAIGN_EDITABLE)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        chosen = _same_plan_channels(plan, channels)
        campaign = Campaign(plan=plan, **fields)
        _clean_campaign(plan, campaign)
        try:
            with transaction.atomic():
                _save_new(campaign, actor)
        except IntegrityError:
            raise InvalidInput(
                fields={"code": [_("This plan already has a campaign with this code.")]}
            ) from None
        campaign.channels.set(chosen)
    return campaign


def campaign_update(
    *, campaign: Campaign, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Campaign:
    """Edit a campaign. Only its status may change once the plan is approved."""
    reject_unknown(changes, CAMPAIGN_EDITABLE)
    data = dict(changes)
    channels = data.pop("channels", None)
    planning = bool(set(changes) - CAMPAIGN_EXECUTION)
    lock = plan_for_edit if planning else plan_for_execution
    with transaction.atomic():
        plan = lock(plan_id=campaign.plan_id, actor=actor)
        candidate = Campaign.objects.get(pk=campaign.pk)
        if candidate.version != expected_version:
            raise StaleVersion(current=candidate)
        if "status" in data:
            _status_step(candidate.status, data["status"])
        for name, value in data.items():
            setattr(candidate, name, value)
        _clean_campaign(plan, candidate)
        chosen = _same_plan_channels(plan, channels) if channels is not None else None
        fields = {name: getattr(candidate, name) for name in data}
        fresh = update_versioned(
            campaign, expected_version=expected_version, changes=fields, actor=actor
        )
        if chosen is not None:
            fresh.channels.set(chosen)
    return fresh


def campaign_delete(*, campaign: Campaign, expected_version: int, actor: User) -> None:
    """Remove a campaign with its assets; one with metrics stays (its data refers to it)."""
    with transaction.atomic():
        plan_for_edit(plan_id=campaign.plan_id, actor=actor)
        # Locked first: an import of the plan holding it (FOR KEY SHARE) commits before
        # this looks, and one starting later waits for this delete (no orphan rows).
        Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
        if campaign.metrics.filter(plan_id=campaign.plan_id).exists():
            raise InvalidInput(_("Metrics were recorded for this campaign; it cannot be deleted."))
        delete_versioned(campaign, expected_version=expected_version, actor=actor)


def _free_code(plan: Plan, base: str) -> str:
    taken = set(
        Campaign.objects.filter(plan=plan, code__startswith=base).values_list("code", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def campaign_from_festival(*, plan: Plan, festival: str, actor: User) -> Campaign:
    """Spawn a campaign for one of the plan year's festivals from its template.

    The campaign starts with the template's lead-in before the festival, ends a little
    after it, runs on the template's channels the plan has, and is an idea until
    someone plans it. Its name is in the language of the person who spawns it.
    """
    found = {f.code: f for f in festivals.festivals(plan.year)}.get(festival)
    if found is None:
        raise InvalidInput(fields={"festival": [_("Choose one of the calendar's festivals.")]})
    template = TEMPLATES[festival]
    year_start, year_end = date(plan.year, 1, 1), date(plan.year, 12, 31)
    if found.end < year_start:  # Laba, in years when it falls in the December before
        raise InvalidInput(
            fields={"festival": [_("This festival falls before the plan year begins.")]}
        )
    start = max(found.start - timedelta(days=template.lead_days), year_start)
    end = min(found.end + timedelta(days=template.tail_days), year_end)
    channels = Channel.objects.filter(plan=plan, code__in=template.channels, is_active=True)
    return campaign_create(
        plan=plan,
        actor=actor,
        channels=list(channels),
        code=_free_code(plan, f"{festival.replace('_', '-')}-{plan.year}"),
        name=_("%(festival)s campaign") % {"festival": _(found.name)},
        theme=ThemeType.FESTIVAL,
        festival=festival,
        start=start,
        end=max(end, start),
        status=CampaignStatus.IDEA,
        key_message=str(template.key_message),
        owner=actor,
    )


# --- the brand standard ----------------------------------------------------------------------


def _clean_brand(standard: BrandStandard) -> None:
    errors: dict[str, list[Any]] = {}
    colours = standard.colours
    if not isinstance(colours, list) or not all(
        isinstance(c, dict)
        and set(c) <= {"name", "hex"}
        and str(c.get("name", "")).strip()
        and HEX_RE.fullmatch(str(c.get("hex", "")))
        for c in colours
    ):
        errors["colours"] = [_("Give each colour a name and a hex value like #C8102E.")]
    else:
        standard.colours = [
            {"name": str(c["name"]).strip(), "hex": str(c["hex"]).upper()} for c in colours
        ]
    fonts = standard.fonts
    if not isinstance(fonts, list) or not all(isinstance(f, str) and f.strip() for f in fonts):
        errors["fonts"] = [_("List each font by name.")]
    else:
        standard.fonts = list(dict.fromkeys(f.strip() for f in fonts))
    if errors:
        raise InvalidInput(fields=errors)


def brand_standard_save(
    *, plan: Plan, expected_version: int | None, changes: Mapping[str, Any], actor: User
) -> BrandStandard:
    """Create or edit the plan's brand standard; ``expected_version`` 0/None for a new one."""
    reject_unknown(changes, BRAND_EDITABLE)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        current = BrandStandard.objects.filter(plan=plan).first()
        candidate = current or BrandStandard(plan=plan)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_brand(candidate)
        if current is None:
            if expected_version:
                raise StaleVersion()
            try:
                with transaction.atomic():
                    _save_new(candidate, actor)
            except IntegrityError:
                raise StaleVersion(current=BrandStandard.objects.get(plan=plan)) from None
            return candidate
        fields = {name: getattr(candidate, name) for name in changes}
        return update_versioned(
            current, expected_version=int(expected_version or 0), changes=fields, actor=actor
        )


# --- size specs ------------------------------------------------------------------------------


def _every_language(text: Any) -> set[str]:
    """``text`` (a lazy translation) in each of the site's languages."""
    names = set()
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(text))
    return names


def specs_install(*, plan: Plan, actor: User | None = None) -> list[SizeSpec]:
    """Give a plan the standard size specs of the catalogue channels it has (idempotent).

    With an ``actor`` (someone pressing the button) it is a planning write: draft plan,
    editor, plan row locked. Without one it is part of creating the plan.
    """
    if actor is not None:
        with transaction.atomic():
            locked = plan_for_edit(plan_id=plan.pk, actor=actor)
            return specs_install(plan=locked)
    channels = {c.code: c for c in Channel.objects.filter(plan=plan)}
    existing = set(SizeSpec.objects.filter(plan=plan).values_list("channel_id", "name"))
    rows = []
    for spec in STANDARD_SPECS:
        channel = channels.get(spec.channel)
        # Names are stored in the installer's language: a spec installed in another
        # language is still the same spec.
        if channel is None or any((channel.pk, n) in existing for n in _every_language(spec.name)):
            continue
        rows.append(
            SizeSpec(
                plan=plan,
                channel=channel,
                name=str(spec.name),
                kind=spec.kind,
                width=spec.width,
                height=spec.height,
                max_duration_s=spec.max_duration_s,
                max_file_mb=spec.max_file_mb,
                file_format=spec.file_format,
            )
        )
        existing.add((channel.pk, str(spec.name)))
    return SizeSpec.objects.bulk_create(rows)


def _clean_spec(plan: Plan, spec: SizeSpec) -> None:
    errors: dict[str, list[Any]] = {}
    spec.name = (spec.name or "").strip()
    if not spec.name:
        errors["name"] = [_("Name the spec, e.g. vertical video.")]
    if spec.kind not in SpecKind.values:
        errors["kind"] = [_("Choose a kind.")]
    if spec.channel is not None and spec.channel.plan_id != plan.pk:
        errors["channel"] = [_("Choose a channel of this plan.")]
    if spec.kind in (SpecKind.VIDEO, SpecKind.IMAGE) and not (spec.width and spec.height):
        errors["width"] = [_("Give the width and height in pixels.")]
    if spec.kind == SpecKind.AUDIO and (spec.width or spec.height):
        errors["width"] = [_("Audio has no pixel size.")]
    if spec.kind == SpecKind.IMAGE and spec.max_duration_s:
        errors["max_duration_s"] = [_("An image has no duration.")]
    if spec.max_file_mb is not None and Decimal(spec.max_file_mb) <= 0:
        errors["max_file_mb"] = [_("The file size must be more than zero.")]
    clash = SizeSpec.objects.filter(plan=plan, channel=spec.channel, name=spec.name)
    if not errors and clash.exclude(pk=spec.pk).exists():
        errors["name"] = [_("This channel already has a spec with this name.")]
    if errors:
        raise InvalidInput(fields=errors)


def spec_create(*, plan: Plan, actor: User, **fields: Any) -> SizeSpec:
    reject_unknown(fields, SPEC_EDITABLE)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        spec = SizeSpec(plan=plan, **fields)
        _clean_spec(plan, spec)
        try:
            with transaction.atomic():
                _save_new(spec, actor)
        except IntegrityError:
            raise InvalidInput(
                fields={"name": [_("This channel already has a spec with this name.")]}
            ) from None
    return spec


def spec_update(
    *, spec: SizeSpec, expected_version: int, changes: Mapping[str, Any], actor: User
) -> SizeSpec:
    reject_unknown(changes, SPEC_EDITABLE)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=spec.plan_id, actor=actor)
        candidate = SizeSpec.objects.get(pk=spec.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_spec(plan, candidate)
        fields = {name: getattr(candidate, name) for name in changes}
        return update_versioned(
            spec, expected_version=expected_version, changes=fields, actor=actor
        )


def spec_delete(*, spec: SizeSpec, expected_version: int, actor: User) -> None:
    """Remove a spec; its assets keep their files but lose the spec link."""
    with transaction.atomic():
        plan_for_edit(plan_id=spec.plan_id, actor=actor)
        delete_versioned(spec, expected_version=expected_version, actor=actor)


# --- licences --------------------------------------------------------------------------------


def _clean_licence(licence: Licence) -> None:
    errors: dict[str, list[Any]] = {}
    for name, message in (
        ("name", _("Name the licensed work.")),
        ("source", _("Give the licensor or library.")),
        ("scope", _("Describe the licensed use.")),
        ("document_ref", _("Give the contract number or a link to the licence document.")),
    ):
        setattr(licence, name, (getattr(licence, name) or "").strip())
        if not getattr(licence, name):
            errors[name] = [message]
    if licence.kind not in ElementKind.values:
        errors["kind"] = [_("Choose what the licence covers.")]
    if licence.territory not in Territory.values:
        errors["territory"] = [_("Choose a territory.")]
    if licence.starts and licence.expires and licence.expires < licence.starts:
        errors["expires"] = [_("A licence cannot expire before it starts.")]
    if errors:
        raise InvalidInput(fields=errors)


def licence_create(*, plan: Plan, actor: User, **fields: Any) -> Licence:
    reject_unknown(fields, LICENCE_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        licence = Licence(plan=plan, **fields)
        _clean_licence(licence)
        _save_new(licence, actor)
    return licence


def licence_update(
    *, licence: Licence, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Licence:
    reject_unknown(changes, LICENCE_EDITABLE)
    with transaction.atomic():
        plan_for_execution(plan_id=licence.plan_id, actor=actor)
        candidate = Licence.objects.get(pk=licence.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_licence(candidate)
        fields = {name: getattr(candidate, name) for name in changes}
        return update_versioned(
            licence, expected_version=expected_version, changes=fields, actor=actor
        )


def licence_delete(*, licence: Licence, expected_version: int, actor: User) -> None:
    """Remove a licence that no asset element uses."""
    with transaction.atomic():
        plan_for_execution(plan_id=licence.plan_id, actor=actor)
        used = AssetElement.objects.filter(licence=licence).count()
        if used:
            raise InvalidInput(
                ngettext(
                    "%(n)s asset element uses this licence; give it another one first.",
                    "%(n)s asset elements use this licence; give them another one first.",
                    used,
                )
                % {"n": used}
            )
        delete_versioned(licence, expected_version=expected_version, actor=actor)


# --- assets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementInput:
    """One element of an asset as written: kind, name and (ideally) its licence."""

    kind: str
    name: str
    licence: Licence | None


def _elements(plan: Plan, raw: Iterable[Any]) -> list[ElementInput]:
    rows: list[ElementInput] = []
    problems: list[str] = []
    for index, item in enumerate(raw, start=1):
        get = item.get if isinstance(item, Mapping) else lambda k, i=item: getattr(i, k, None)
        kind, name, licence = get("kind"), str(get("name") or "").strip(), get("licence")
        if kind not in ElementKind.values:
            problems.append(_("Element %(n)s: choose a kind.") % {"n": index})
        if not name:
            problems.append(_("Element %(n)s: give its name.") % {"n": index})
        if licence is not None and (not isinstance(licence, Licence) or licence.plan_id != plan.pk):
            problems.append(_("Element %(n)s: choose a licence of this plan.") % {"n": index})
        elif licence is not None and kind in ElementKind.values and licence.kind != kind:
            problems.append(
                _("Element %(n)s: its licence covers %(licence)s, not %(element)s.")
                % {
                    "n": index,
                    "element": ElementKind(kind).label.lower(),
                    "licence": ElementKind(licence.kind).label.lower(),
                }
            )
        rows.append(ElementInput(str(kind), name, licence))
    if problems:
        raise InvalidInput(fields={"elements": problems})
    return rows


def publish_problems(asset: Asset, elements: Sequence[Any], today: date) -> list[str]:
    """Why ``asset`` with ``elements`` (AssetElement or ElementInput) cannot be published
    on ``today``; empty when it can.

    The copyright rule: the asset lists what it is made of, and every font, image,
    music and footage element carries a licence that is valid on the day.
    """
    problems: list[str] = []
    if not elements:
        problems.append(
            _("List the fonts, images, music and footage the asset uses, with their licences.")
        )
    for element in elements:
        licence = element.licence
        label = f"{element.name} ({ElementKind(element.kind).label})"
        if licence is None:
            problems.append(_("%(element)s has no licence.") % {"element": label})
        elif licence.expires is not None and licence.expires < today:
            problems.append(
                _("The licence of %(element)s expired on %(date)s.")
                % {"element": label, "date": date_format(licence.expires)}
            )
        elif licence.starts is not None and licence.starts > today:
            problems.append(
                _("The licence of %(element)s is valid only from %(date)s.")
                % {"element": label, "date": date_format(licence.starts)}
            )
    return problems


def _vi_required(plan: Plan) -> bool:
    standard = BrandStandard.objects.filter(plan=plan).first()
    return bool(standard and standard.vi_review_required)


def _clean_asset(
    plan: Plan,
    asset: Asset,
    *,
    previous_status: str | None,
    elements: Sequence[Any],
    today: date,
) -> None:
    errors: dict[str, list[Any]] = {}
    asset.name = (asset.name or "").strip()
    if not asset.name:
        errors["name"] = [_("Name the asset.")]
    if asset.spec is not None and asset.spec.plan_id != plan.pk:
        errors["spec"] = [_("Choose a spec of this plan.")]
    layers = asset.layers if isinstance(asset.layers, list) else None
    if layers is None or any(layer not in ContentLayer.values for layer in layers):
        errors["layers"] = [_("Choose among the content layers.")]
    else:
        asset.layers = [v for v in ContentLayer.values if v in layers]
    status = asset.review_status
    if status not in ReviewStatus.values:
        errors["review_status"] = [_("Choose a review status.")]
    elif (
        previous_status is not None
        and status != previous_status
        and status not in ASSET_FLOW[previous_status]
    ):
        errors["review_status"] = [
            _("An asset cannot go from %(current)s to %(target)s.")
            % {
                "current": ReviewStatus(previous_status).label,
                "target": ReviewStatus(status).label,
            }
        ]
    if errors:
        raise InvalidInput(fields=errors)
    require_member(plan, asset.owner)
    entering = status != previous_status
    if (
        entering
        and status == ReviewStatus.APPROVED
        and previous_status != ReviewStatus.PUBLISHED
        and not asset.vi_passed
        and _vi_required(plan)
    ):
        raise InvalidTransition(
            _("The brand standard requires a VI review: mark the VI review as passed first.")
        )
    if status == ReviewStatus.PUBLISHED:
        problems = publish_problems(asset, elements, today)
        if problems:
            raise PublishBlocked(problems)


def _write_elements(asset: Asset, elements: Sequence[ElementInput]) -> None:
    asset.elements.all().delete()
    AssetElement.objects.bulk_create(
        AssetElement(asset=asset, kind=e.kind, name=e.name, licence=e.licence) for e in elements
    )


def asset_create(
    *, campaign: Campaign, actor: User, elements: Iterable[Any] = (), **fields: Any
) -> Asset:
    reject_unknown({**fields, "elements": ()}, ASSET_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=campaign.plan_id, actor=actor)
        rows = _elements(plan, elements)
        asset = Asset(campaign=campaign, **fields)
        if asset.review_status == ReviewStatus.PUBLISHED:
            raise InvalidTransition(_("Create the asset first, then publish it."))
        _clean_asset(plan, asset, previous_status=None, elements=rows, today=timezone.localdate())
        _save_new(asset, actor)
        _write_elements(asset, rows)
    return asset


def asset_update(
    *, asset: Asset, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Asset:
    """Edit an asset (and replace its elements when ``elements`` is given).

    Moving it to published, or changing a published asset, applies the licence rule.
    """
    reject_unknown(changes, ASSET_EDITABLE)
    data = dict(changes)
    raw_elements = data.pop("elements", None)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=asset.campaign.plan_id, actor=actor)
        candidate = Asset.objects.get(pk=asset.pk)
        if candidate.version != expected_version:
            raise StaleVersion(current=candidate)
        previous = candidate.review_status
        for name, value in data.items():
            setattr(candidate, name, value)
        if raw_elements is not None:
            rows: Sequence[Any] = _elements(plan, raw_elements)
        else:
            rows = list(candidate.elements.select_related("licence"))
        _clean_asset(
            plan, candidate, previous_status=previous, elements=rows, today=timezone.localdate()
        )
        fields = {name: getattr(candidate, name) for name in data}
        if (
            candidate.review_status == ReviewStatus.PUBLISHED
            and previous != candidate.review_status
        ):
            fields.update(published_at=timezone.now(), published_by=actor)
        elif candidate.review_status != ReviewStatus.PUBLISHED and candidate.published_at:
            fields.update(published_at=None, published_by=None)
        fresh = update_versioned(
            asset, expected_version=expected_version, changes=fields, actor=actor
        )
        if raw_elements is not None:
            _write_elements(fresh, rows)
    return fresh


def asset_publish(*, asset: Asset, expected_version: int, actor: User) -> Asset:
    """Mark an approved asset published, if every element's licence is valid today."""
    require(actor, workspace_id_of(asset), Action.EDIT)  # a viewer learns nothing more
    if asset.review_status == ReviewStatus.PUBLISHED:
        raise InvalidTransition(_("The asset is already published."))
    if asset.review_status != ReviewStatus.APPROVED:
        raise InvalidTransition(
            _("Only an approved asset can be published; this one is %(status)s.")
            % {"status": ReviewStatus(asset.review_status).label}
        )
    return asset_update(
        asset=asset,
        expected_version=expected_version,
        changes={"review_status": ReviewStatus.PUBLISHED},
        actor=actor,
    )


def asset_delete(*, asset: Asset, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=asset.campaign.plan_id, actor=actor)
        delete_versioned(asset, expected_version=expected_version, actor=actor)


# --- interaction mechanisms ------------------------------------------------------------------


def _indicators(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise InvalidInput(fields={"indicators": [_("Give a list of indicators.")]})
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping) or not str(item.get("name", "")).strip():
            problems.append(_("Indicator %(n)s: give its name.") % {"n": index})
            continue
        unknown = set(item) - {"name", "target", "actual", "unit"}
        if unknown:
            problems.append(
                _("Indicator %(n)s: unknown key %(key)s.") % {"n": index, "key": sorted(unknown)[0]}
            )
            continue
        row: dict[str, Any] = {
            "name": str(item["name"]).strip(),
            "unit": str(item.get("unit") or ""),
        }
        not_a_number = {
            "target": _("Indicator %(n)s: the target must be a number."),
            "actual": _("Indicator %(n)s: the actual value must be a number."),
        }
        for key in ("target", "actual"):
            value = item.get(key)
            if value in (None, ""):
                row[key] = None
                continue
            try:
                number = Decimal(str(value))
            except (InvalidOperation, ValueError):
                number = Decimal("NaN")
            if not number.is_finite():
                problems.append(not_a_number[key] % {"n": index})
                continue
            row[key] = float(number)
        rows.append(row)
    if problems:
        raise InvalidInput(fields={"indicators": problems})
    return rows


def _samples(raw: Any) -> list[float]:
    if not isinstance(raw, list) or len(raw) > MAX_SAMPLES:
        raise InvalidInput(
            fields={
                "response_hours": [_("Give at most %(n)s response times.") % {"n": MAX_SAMPLES}]
            }
        )
    values = []
    for index, value in enumerate(raw, start=1):
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            number = Decimal(-1)
        if not number.is_finite() or number < 0:
            raise InvalidInput(
                fields={
                    "response_hours": [
                        _("Response time %(n)s must be a number of hours, at least 0.")
                        % {"n": index}
                    ]
                }
            )
        values.append(float(number))
    return values


def _levels(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise InvalidInput(fields={"levels": [_("Give a list of levels.")]})
    rows: list[dict[str, Any]] = []
    for index, item in enumerate(raw, start=1):
        name = str(item.get("name", "")).strip() if isinstance(item, Mapping) else ""
        try:
            points = int(str(item.get("min_points"))) if isinstance(item, Mapping) else -1
        except (TypeError, ValueError):
            points = -1
        if not name or points < 0:
            raise InvalidInput(
                fields={
                    "levels": [
                        _("Level %(n)s: give its name and the points it needs (0 or more).")
                        % {"n": index}
                    ]
                }
            )
        rows.append({"name": name, "min_points": points, "perks": str(item.get("perks") or "")})
    names = [r["name"] for r in rows]
    if len(set(names)) != len(names):
        raise InvalidInput(fields={"levels": [_("Each level needs its own name.")]})
    thresholds = [r["min_points"] for r in rows]
    if thresholds != sorted(set(thresholds)):
        raise InvalidInput(
            fields={"levels": [_("List the levels from the lowest to the highest points.")]}
        )
    return rows


def _clean_mechanism(plan: Plan, m: InteractionMechanism, *, given: Iterable[str]) -> None:
    errors: dict[str, list[Any]] = {}
    m.name = (m.name or "").strip()
    if not m.name:
        errors["name"] = [_("Name the mechanism.")]
    if m.kind not in MechanismKind.values:
        raise InvalidInput(fields={"kind": [_("Choose a kind.")]})
    own = set(MECHANISM_COMMON) | set(MECHANISM_FIELDS[m.kind])
    for name in sorted(set(given) - own):
        errors[name] = [
            _("Does not apply to this kind of mechanism (%(kind)s).")
            % {"kind": MechanismKind(m.kind).label}
        ]
    if m.channel is not None and m.channel.plan_id != plan.pk:
        errors["channel"] = [_("Choose a channel of this plan.")]
    if (m.start is None) != (m.end is None):
        errors["end"] = [_("Give both the start and the end, or neither.")]
    elif m.start and m.end and m.end < m.start:
        errors["end"] = [_("The end cannot be before the start.")]
    if m.kind == MechanismKind.UGC_CHALLENGE:
        if not m.topic.strip():
            errors["topic"] = [_("Give the challenge's topic or hashtag.")]
        if m.channel is None:
            errors["channel"] = [_("Choose the platform the challenge runs on.")]
        if m.start is None:
            errors["start"] = [_("Give the challenge's period.")]
    if m.kind == MechanismKind.FEEDBACK_CHANNEL and (m.sla_hours is None or m.sla_hours <= 0):
        errors["sla_hours"] = [_("Give the response-time SLA in hours.")]
    if m.kind == MechanismKind.COMMUNITY_TIER and m.level not in CommunityLevel.values:
        errors["level"] = [_("Choose the community level.")]
    if errors:
        raise InvalidInput(fields=errors)
    m.indicators = _indicators(m.indicators)
    m.response_hours = _samples(m.response_hours)
    m.levels = _levels(m.levels)
    if m.kind == MechanismKind.REWARD_TIER and not m.levels:
        raise InvalidInput(fields={"levels": [_("Give at least one level.")]})
    if not isinstance(m.badges, list) or not all(
        isinstance(b, str) and b.strip() for b in m.badges
    ):
        raise InvalidInput(fields={"badges": [_("List each badge by name.")]})
    m.badges = list(dict.fromkeys(b.strip() for b in m.badges))
    if m.sla_hours is not None:
        m.sla_hours = _number(m.sla_hours, "sla_hours", minimum=Decimal(0))
    require_member(plan, m.owner)


def _clear_other_kinds(m: InteractionMechanism) -> list[str]:
    """When the kind changes, the previous kind's fields are reset; their names."""
    own = set(MECHANISM_FIELDS[m.kind])
    cleared = []
    for name in MECHANISM_EDITABLE:
        if name in MECHANISM_COMMON or name in own:
            continue
        field = cast("Field[Any, Any]", InteractionMechanism._meta.get_field(name))
        default = field.get_default()
        if getattr(m, field.attname if name == "channel" else name) != default:
            setattr(m, name, default)
            cleared.append(name)
    return cleared


def _given(fields: Mapping[str, Any]) -> list[str]:
    """The fields given a value: 0 is one (``0 in (False,)`` is true, so test identity)."""
    return [k for k, v in fields.items() if not (v is None or v is False or v in ("", []))]


def mechanism_create(*, plan: Plan, actor: User, **fields: Any) -> InteractionMechanism:
    reject_unknown(fields, MECHANISM_EDITABLE)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        mechanism = InteractionMechanism(plan=plan, **fields)
        _clean_mechanism(plan, mechanism, given=_given(fields))
        _save_new(mechanism, actor)
    return mechanism


def mechanism_update(
    *,
    mechanism: InteractionMechanism,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: User,
) -> InteractionMechanism:
    reject_unknown(changes, MECHANISM_EDITABLE)
    with transaction.atomic():
        plan = plan_for_edit(plan_id=mechanism.plan_id, actor=actor)
        candidate = InteractionMechanism.objects.get(pk=mechanism.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        cleared = _clear_other_kinds(candidate) if "kind" in changes else []
        given = _given(changes)
        _clean_mechanism(plan, candidate, given=given)
        fields = {name: getattr(candidate, name) for name in {*changes, *cleared}}
        return update_versioned(
            mechanism, expected_version=expected_version, changes=fields, actor=actor
        )


def mechanism_delete(
    *, mechanism: InteractionMechanism, expected_version: int, actor: User
) -> None:
    with transaction.atomic():
        plan_for_edit(plan_id=mechanism.plan_id, actor=actor)
        delete_versioned(mechanism, expected_version=expected_version, actor=actor)


def brand_standard_for(plan: Plan) -> BrandStandard:
    """The plan's brand standard (an empty one is created on first read, like other settings)."""
    standard, _created = BrandStandard.objects.get_or_create(plan=plan)
    return standard
