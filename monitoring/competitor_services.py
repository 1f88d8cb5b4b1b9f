"""Writes of competitor tracking: competitors, observations (with their screenshots),
features and the matrix cells.

Tracking goes on while the plan runs, so every write needs an editor of a plan that is
not archived (``plan_for_execution``), like metrics imports and alert rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput, StaleVersion
from core.locking import delete_versioned, update_versioned
from monitoring.analytics import competition, images
from monitoring.competitors import (
    OURS_KINDS,
    SCREENSHOT_KINDS,
    Competitor,
    CompetitorObservation,
    Feature,
    FeatureValue,
    Impact,
    Level,
    Mechanism,
    ObservationKind,
)
from planner.editing import plan_for_execution, reject_unknown
from planner.models import Plan

SCREENSHOT_MAX_BYTES = 5 * 1024 * 1024
SCREENSHOT_MAX_PIXELS = 40_000_000  # 40 MP: a full-page capture of a long landing page
SCREENSHOT_MAX_SIDE = 20_000
SNIFF_BYTES = 64 * 1024
MAX_SEEN_ON = 12
MAX_TRAFFIC_SOURCES = 20
SUM_DIGITS = 4  # a sum of shares as the messages show it

COMPETITOR_EDITABLE = ("name", "website", "positioning", "notes", "is_active", "sort_order")
OBSERVATION_COMMON = ("competitor", "kind", "observed_on", "title", "text", "link", "source")
OBSERVATION_BY_KIND: dict[str, tuple[str, ...]] = {
    ObservationKind.PROMOTION: ("promo_start", "promo_end", "mechanism", "seen_on"),
    ObservationKind.AD_CREATIVE: (),
    ObservationKind.LANDING_PAGE: (),
    ObservationKind.TRAFFIC_SHARE: ("traffic",),
    ObservationKind.VOICE: ("mentions", "positive", "neutral", "negative"),
    ObservationKind.PRODUCT_UPDATE: ("impact", "impact_note"),
}
OBSERVATION_EDITABLE = (
    *OBSERVATION_COMMON,
    *sorted({f for fields in OBSERVATION_BY_KIND.values() for f in fields}),
)
#: Empty values of the kind-specific fields (what a field of another kind is cleared to).
KIND_FIELD_EMPTY: dict[str, Any] = {
    "promo_start": None,
    "promo_end": None,
    "mechanism": "",
    "seen_on": [],
    "traffic": {},
    "mentions": None,
    "positive": None,
    "neutral": None,
    "negative": None,
    "impact": "",
    "impact_note": "",
}
FEATURE_EDITABLE = ("name", "group", "weight", "is_differentiator", "differentiator_note")
CELL_EDITABLE = ("level", "note")
TITLED_KINDS = (
    ObservationKind.PROMOTION,
    ObservationKind.AD_CREATIVE,
    ObservationKind.LANDING_PAGE,
    ObservationKind.PRODUCT_UPDATE,
)

_web_url = URLValidator(schemes=["http", "https"])


def _url_problem(value: str) -> str | None:
    if not value:
        return None
    try:
        _web_url(value)
    except ValidationError:
        return _("Give a web address starting with http:// or https://.")
    return None


# --- competitors ---------------------------------------------------------------------------------


def _clean_competitor(plan: Plan, competitor: Competitor) -> None:
    errors: dict[str, list[Any]] = {}
    competitor.name = (competitor.name or "").strip()
    if not competitor.name:
        errors["name"] = [_("Name the competitor.")]
    elif (
        Competitor.objects.filter(plan=plan, name__iexact=competitor.name)
        .exclude(pk=competitor.pk)
        .exists()
    ):
        errors["name"] = [_("The plan already tracks a competitor of this name.")]
    elif competitor.name.casefold() == competition.US:
        errors["name"] = [_("“us” stands for our own brand; choose another name.")]
    problem = _url_problem(competitor.website or "")
    if problem:
        errors["website"] = [problem]
    if errors:
        raise InvalidInput(fields=errors)


def competitor_create(*, plan: Plan, actor: User, **fields: Any) -> Competitor:
    reject_unknown(fields, COMPETITOR_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        competitor = Competitor(plan=plan, **fields)
        _clean_competitor(plan, competitor)
        competitor._history_user = actor  # type: ignore[attr-defined]
        competitor.save()
    return competitor


def competitor_update(
    *, competitor: Competitor, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Competitor:
    reject_unknown(changes, COMPETITOR_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=competitor.plan_id, actor=actor)
        candidate = Competitor.objects.get(pk=competitor.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_competitor(plan, candidate)
        fields = {name: getattr(candidate, name) for name in changes}
        return update_versioned(
            competitor, expected_version=expected_version, changes=fields, actor=actor
        )


def competitor_delete(*, competitor: Competitor, expected_version: int, actor: User) -> None:
    """Remove a competitor with its observations and matrix cells (untrack it to keep them)."""
    with transaction.atomic():
        plan_for_execution(plan_id=competitor.plan_id, actor=actor)
        files = list(
            CompetitorObservation.objects.filter(competitor=competitor)
            .exclude(screenshot="")
            .values_list("screenshot", flat=True)
        )
        delete_versioned(competitor, expected_version=expected_version, actor=actor)
        _delete_files_on_commit(files)


# --- screenshots ---------------------------------------------------------------------------------


def check_screenshot(upload: UploadedFile) -> images.ImageInfo:
    """What the upload really is: PNG, JPEG or WebP by its bytes, at most 5 MB and
    40 megapixels. Raises ``InvalidInput`` on the ``screenshot`` field otherwise."""
    size = upload.size or 0
    if size > SCREENSHOT_MAX_BYTES:
        raise InvalidInput(
            fields={
                "screenshot": [
                    _("The screenshot is %(size)s MB; the limit is %(limit)s MB.")
                    % {"size": f"{size / 1024 / 1024:.1f}", "limit": SCREENSHOT_MAX_BYTES >> 20}
                ]
            }
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    try:
        info = images.sniff(head)
    except images.NotAnImage:
        raise InvalidInput(
            fields={
                "screenshot": [
                    _(
                        "“%(name)s” is not a PNG, JPEG or WebP image (its content was checked, "
                        "not its name)."
                    )
                    % {"name": upload.name or "?"}
                ]
            }
        ) from None
    if info.pixels > SCREENSHOT_MAX_PIXELS or max(info.width, info.height) > SCREENSHOT_MAX_SIDE:
        raise InvalidInput(
            fields={
                "screenshot": [
                    _(
                        "The image declares %(width)s × %(height)s pixels; the limit is "
                        "%(limit)s megapixels and %(side)s pixels a side."
                    )
                    % {
                        "width": info.width,
                        "height": info.height,
                        "limit": SCREENSHOT_MAX_PIXELS // 1_000_000,
                        "side": SCREENSHOT_MAX_SIDE,
                    }
                ]
            }
        )
    return info


def _delete_files_on_commit(names: list[str]) -> None:
    if not names:
        return
    storage = CompetitorObservation._meta.get_field("screenshot").storage

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


# --- observations --------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def clean_traffic(raw: Any) -> tuple[dict[str, str], list[str]]:
    """``{source: share}`` with sources in lower case and shares as 4-place decimal strings,
    and the problems found (empty when it is valid)."""
    if not isinstance(raw, Mapping) or not raw:
        return {}, [_("Give the share of at least one traffic source.")]
    problems: list[str] = []
    shares: dict[str, Decimal] = {}
    for key, value in raw.items():
        source = str(key).strip().lower()
        if not source or len(source) > 40:
            problems.append(_("A traffic source needs a name of up to 40 characters."))
            continue
        if source in shares:
            problems.append(_("The source “%(source)s” is given twice.") % {"source": source})
            continue
        number = _decimal(value)
        if number is None:
            problems.append(_("The share of “%(source)s” is not a number.") % {"source": source})
            continue
        shares[source] = number
    if len(shares) > MAX_TRAFFIC_SOURCES:
        problems.append(_("Give at most %(n)s sources.") % {"n": MAX_TRAFFIC_SOURCES})
    if not problems:
        problem = competition.split_problem(shares, total=None)
        if problem == "range":
            problems.append(_("Each share is a fraction from 0 to 1 (0.25 is 25 %)."))
        elif problem == "over":
            problems.append(
                _("The shares add up to %(sum)s; together they can be at most 1.")
                % {"sum": f"{sum(shares.values(), Decimal(0)):.4f}"}
            )
    return {k: f"{v.quantize(Decimal('0.0001'))}" for k, v in shares.items()}, problems


def _clean_observation(plan: Plan, obs: CompetitorObservation) -> None:
    errors: dict[str, list[Any]] = {}

    def problem(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if obs.kind not in ObservationKind.values:
        raise InvalidInput(fields={"kind": [_("Choose what was observed.")]})
    kind = ObservationKind(obs.kind)
    if obs.competitor is not None and obs.competitor.plan_id != plan.pk:
        problem("competitor", _("Choose a competitor of this plan."))
    if obs.competitor is None and kind not in OURS_KINDS:
        problem("competitor", _("Choose the competitor it is about."))
    if not isinstance(obs.observed_on, date):
        problem("observed_on", _("Give the date it was observed."))
    obs.title = (obs.title or "").strip()
    if kind in TITLED_KINDS and not obs.title:
        problem("title", _("Give it a title."))
    link_problem = _url_problem((obs.link or "").strip())
    obs.link = (obs.link or "").strip()
    if link_problem:
        problem("link", link_problem)
    obs.source = (obs.source or "").strip()
    # the fields of other kinds are cleared
    for name, empty in KIND_FIELD_EMPTY.items():
        if name not in OBSERVATION_BY_KIND[kind]:
            setattr(obs, name, empty)
    if kind not in SCREENSHOT_KINDS and obs.screenshot:
        problem("screenshot", _("Only ad creatives and landing pages carry a screenshot."))
    if kind == ObservationKind.PROMOTION:
        if obs.promo_start is None:
            problem("promo_start", _("Give the first day of the promotion."))
        elif obs.promo_end is not None and obs.promo_end < obs.promo_start:
            problem("promo_end", _("The promotion cannot end before it starts."))
        if obs.mechanism not in Mechanism.values:
            problem("mechanism", _("Choose the mechanism (discount, gift, bundle…)."))
        seen = obs.seen_on or []
        if isinstance(seen, str):
            seen = seen.replace("，", ",").split(",")
        cleaned = [str(s).strip() for s in seen if str(s).strip()]
        if not isinstance(obs.seen_on, list | str) or len(cleaned) > MAX_SEEN_ON:
            problem("seen_on", _("List up to %(n)s channels.") % {"n": MAX_SEEN_ON})
        elif any(len(s) > 40 for s in cleaned):
            problem("seen_on", _("A channel name has at most 40 characters."))
        obs.seen_on = list(dict.fromkeys(cleaned))
    elif kind == ObservationKind.TRAFFIC_SHARE:
        obs.traffic, problems = clean_traffic(obs.traffic)
        for message in problems:
            problem("traffic", message)
    elif kind == ObservationKind.VOICE:
        if obs.mentions is None or int(obs.mentions) < 0:
            problem("mentions", _("Give the number of mentions (0 or more)."))
        parts = {name: _decimal(getattr(obs, name)) for name in ("positive", "neutral", "negative")}
        if any(v is None for v in parts.values()):
            problem("positive", _("Give the positive, neutral and negative shares."))
        else:
            shares = {k: v for k, v in parts.items() if v is not None}
            why = competition.split_problem(shares, total=Decimal(1))
            if why == "range":
                problem("positive", _("Each share is a fraction from 0 to 1 (0.25 is 25 %)."))
            elif why == "sum":
                problem(
                    "positive",
                    _("Positive, neutral and negative add up to %(sum)s; they must add up to 1.")
                    % {"sum": f"{sum(shares.values(), Decimal(0)):.4f}"},
                )
            for name, value in shares.items():
                setattr(obs, name, value.quantize(Decimal("0.0001")))
        if isinstance(obs.observed_on, date):
            obs.observed_on = obs.observed_on.replace(day=1)  # a month's figure
    elif kind == ObservationKind.PRODUCT_UPDATE and obs.impact not in Impact.values:
        problem("impact", _("Assess the impact on us: high, medium or low."))
    if not errors and kind in OURS_KINDS:
        duplicate = CompetitorObservation.objects.filter(
            plan=plan, kind=kind, competitor=obs.competitor, observed_on=obs.observed_on
        ).exclude(pk=obs.pk)
        if duplicate.exists():
            field = "observed_on"
            problem(
                field,
                _("There is already a figure for this brand on this date; edit that one.")
                if kind == ObservationKind.TRAFFIC_SHARE
                else _("There is already a figure for this brand in this month; edit that one."),
            )
    if errors:
        raise InvalidInput(fields=errors)


def observation_create(
    *,
    plan: Plan,
    actor: User,
    screenshot: UploadedFile | None = None,
    **fields: Any,
) -> CompetitorObservation:
    """Record an observation; ``screenshot`` (ad creatives and landing pages) is checked
    by its bytes before anything is written."""
    reject_unknown(fields, OBSERVATION_EDITABLE)
    info = check_screenshot(screenshot) if screenshot is not None else None
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        obs = CompetitorObservation(plan=plan, recorded_by=actor, **fields)
        _clean_observation(plan, obs)
        if screenshot is not None and info is not None:
            if obs.kind not in SCREENSHOT_KINDS:
                raise InvalidInput(
                    fields={
                        "screenshot": [_("Only ad creatives and landing pages carry a screenshot.")]
                    }
                )
            _attach(obs, screenshot, info)
        obs._history_user = actor  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                obs.save()
        except IntegrityError:  # a concurrent twin won the unique key
            raise InvalidInput(
                fields={"observed_on": [_("There is already a figure for this brand then.")]}
            ) from None
    return obs


def _attach(obs: CompetitorObservation, upload: UploadedFile, info: images.ImageInfo) -> None:
    # The stored name takes the extension of what the bytes are, not of what it was called.
    upload.name = f"screenshot{info.extension}"
    obs.screenshot = upload
    obs.screenshot_type = info.content_type
    obs.screenshot_width, obs.screenshot_height = info.width, info.height


def observation_update(
    *,
    observation: CompetitorObservation,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: User,
    screenshot: UploadedFile | None = None,
    remove_screenshot: bool = False,
) -> CompetitorObservation:
    reject_unknown(changes, OBSERVATION_EDITABLE)
    info = check_screenshot(screenshot) if screenshot is not None else None
    with transaction.atomic():
        plan = plan_for_execution(plan_id=observation.plan_id, actor=actor)
        candidate = CompetitorObservation.objects.select_related("competitor").get(
            pk=observation.pk
        )
        if candidate.version != expected_version:
            raise StaleVersion(current=candidate)
        old_file = candidate.screenshot.name or ""
        for name, value in changes.items():
            setattr(candidate, name, value)
        if remove_screenshot or candidate.kind not in SCREENSHOT_KINDS:
            candidate.screenshot = ""
        _clean_observation(plan, candidate)
        new_file = ""
        if screenshot is not None and info is not None:
            if candidate.kind not in SCREENSHOT_KINDS:
                raise InvalidInput(
                    fields={
                        "screenshot": [_("Only ad creatives and landing pages carry a screenshot.")]
                    }
                )
            _attach(candidate, screenshot, info)
            candidate.screenshot.save(screenshot.name or "x", screenshot, save=False)
            new_file = candidate.screenshot.name or ""
        if not candidate.screenshot:
            candidate.screenshot_type = ""
            candidate.screenshot_width = candidate.screenshot_height = None
        # The whole cleaned row is written: clearing a field of another kind is a change too.
        fields = {name: getattr(candidate, name) for name in OBSERVATION_EDITABLE}
        fields.update(
            screenshot=candidate.screenshot.name or "",
            screenshot_type=candidate.screenshot_type,
            screenshot_width=candidate.screenshot_width,
            screenshot_height=candidate.screenshot_height,
        )
        try:
            with transaction.atomic():
                fresh = update_versioned(
                    observation, expected_version=expected_version, changes=fields, actor=actor
                )
        except (IntegrityError, StaleVersion) as error:
            if new_file:  # nothing refers to it: the row was not written
                candidate.screenshot.storage.delete(new_file)
            if isinstance(error, StaleVersion):
                raise
            raise InvalidInput(
                fields={"observed_on": [_("There is already a figure for this brand then.")]}
            ) from None
        if old_file and old_file != (fresh.screenshot.name or ""):
            _delete_files_on_commit([old_file])
    return fresh


def observation_delete(
    *, observation: CompetitorObservation, expected_version: int, actor: User
) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=observation.plan_id, actor=actor)
        name = observation.screenshot.name or ""
        delete_versioned(observation, expected_version=expected_version, actor=actor)
        _delete_files_on_commit([name] if name else [])


# --- features and the matrix ---------------------------------------------------------------------


def _clean_feature(plan: Plan, feature: Feature) -> None:
    errors: dict[str, list[Any]] = {}
    feature.name = (feature.name or "").strip()
    feature.group = (feature.group or "").strip()
    if not feature.name:
        errors["name"] = [_("Name the feature.")]
    elif (
        Feature.objects.filter(plan=plan, name__iexact=feature.name).exclude(pk=feature.pk).exists()
    ):
        errors["name"] = [_("The matrix already has a feature of this name.")]
    weight = _decimal(feature.weight)
    if weight is None or not Decimal(0) <= weight <= Decimal(10):
        errors["weight"] = [_("The weight is a number from 0 to 10.")]
    else:
        feature.weight = weight.quantize(Decimal("0.1"))
    if not feature.is_differentiator:
        feature.differentiator_note = ""
    if errors:
        raise InvalidInput(fields=errors)


def feature_create(*, plan: Plan, actor: User, **fields: Any) -> Feature:
    reject_unknown(fields, FEATURE_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        last = Feature.objects.filter(plan=plan).order_by("-sort_order").first()
        feature = Feature(plan=plan, sort_order=(last.sort_order + 1) if last else 0, **fields)
        _clean_feature(plan, feature)
        feature._history_user = actor  # type: ignore[attr-defined]
        feature.save()
    return feature


def feature_update(
    *, feature: Feature, expected_version: int, changes: Mapping[str, Any], actor: User
) -> Feature:
    reject_unknown(changes, FEATURE_EDITABLE)
    with transaction.atomic():
        plan = plan_for_execution(plan_id=feature.plan_id, actor=actor)
        candidate = Feature.objects.get(pk=feature.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_feature(plan, candidate)
        fields = {name: getattr(candidate, name) for name in changes}
        if "is_differentiator" in changes:
            fields["differentiator_note"] = candidate.differentiator_note
        return update_versioned(
            feature, expected_version=expected_version, changes=fields, actor=actor
        )


def feature_delete(*, feature: Feature, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=feature.plan_id, actor=actor)
        delete_versioned(feature, expected_version=expected_version, actor=actor)


def _clean_cell(feature: Feature, cell: FeatureValue) -> None:
    errors: dict[str, list[Any]] = {}
    if cell.competitor is not None and cell.competitor.plan_id != feature.plan_id:
        errors["competitor"] = [_("Choose a competitor of this plan.")]
    cell.level = cell.level or ""
    if cell.level not in [*Level.values, ""]:
        errors["level"] = [_("Choose has it, partly or does not have it.")]
    cell.note = (cell.note or "").strip()
    if len(cell.note) > 80:
        errors["note"] = [_("Keep the note to 80 characters.")]
    if errors:
        raise InvalidInput(fields=errors)


def cell_create(
    *, feature: Feature, competitor: Competitor | None, actor: User, level: str = "", note: str = ""
) -> FeatureValue:
    """A new cell of the matrix; a product has one cell per feature."""
    with transaction.atomic():
        plan = plan_for_execution(plan_id=feature.plan_id, actor=actor)
        if feature.plan_id != plan.pk:  # pragma: no cover - the caller fetched both
            raise InvalidInput(fields={"feature": [_("Choose a feature of this plan.")]})
        cell = FeatureValue(feature=feature, competitor=competitor, level=level, note=note)
        _clean_cell(feature, cell)
        if FeatureValue.objects.filter(feature=feature, competitor=competitor).exists():
            raise InvalidInput(
                fields={"competitor": [_("This product already has a value for the feature.")]}
            )
        cell._history_user = actor  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                cell.save()
        except IntegrityError:
            raise StaleVersion(
                current=FeatureValue.objects.filter(feature=feature, competitor=competitor).first()
            ) from None
    return cell


def cell_update(
    *, cell: FeatureValue, expected_version: int, changes: Mapping[str, Any], actor: User
) -> FeatureValue:
    reject_unknown(changes, CELL_EDITABLE)
    with transaction.atomic():
        plan_for_execution(plan_id=cell.feature.plan_id, actor=actor)
        candidate = FeatureValue.objects.select_related("feature", "competitor").get(pk=cell.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        _clean_cell(candidate.feature, candidate)
        fields = {name: getattr(candidate, name) for name in changes}
        return update_versioned(
            cell, expected_version=expected_version, changes=fields, actor=actor
        )


def cell_delete(*, cell: FeatureValue, expected_version: int, actor: User) -> None:
    with transaction.atomic():
        plan_for_execution(plan_id=cell.feature.plan_id, actor=actor)
        delete_versioned(cell, expected_version=expected_version, actor=actor)


def cell_set(
    *,
    feature: Feature,
    competitor: Competitor | None,
    expected_version: int,
    level: str,
    note: str,
    actor: User,
) -> FeatureValue:
    """The page's cell edit: version 0 creates the cell, any other updates it (a cell
    created by someone else since the page was drawn is a stale save)."""
    cell = (
        FeatureValue.objects.select_related("feature")
        .filter(feature=feature, competitor=competitor)
        .first()
    )
    if expected_version == 0 and cell is not None:
        raise StaleVersion(current=cell)  # created by someone since the page was drawn
    if expected_version == 0:
        return cell_create(
            feature=feature, competitor=competitor, actor=actor, level=level, note=note
        )
    if cell is None:
        raise StaleVersion(current=None)
    return cell_update(
        cell=cell,
        expected_version=expected_version,
        changes={"level": level, "note": note},
        actor=actor,
    )
