"""Competitor tracking: the competitors of a plan, what the team observes about them over
time, and the feature comparison matrix (imported at the bottom of monitoring/models.py).

"Us" is the plan's own brand: a voice or traffic observation without a competitor and a
matrix cell without a competitor are ours, so our voice volume is entered and imported
exactly like a competitor's and the share of voice compares like with like.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import VersionedModel


class Competitor(VersionedModel):
    """A brand the plan benchmarks against."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="competitors",
        verbose_name=_("plan"),
    )
    name = models.CharField(_("name"), max_length=120)
    website = models.URLField(_("website"), max_length=300, blank=True, default="")
    positioning = models.CharField(
        _("positioning"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("Who they sell to and how, in one line."),
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    is_active = models.BooleanField(
        _("tracked"), default=True, help_text=_("Untracked competitors keep their history.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "sort_order", "name", "id"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="competitor_name_unique_per_plan")
        ]

    def __str__(self) -> str:
        return self.name


class ObservationKind(models.TextChoices):
    PROMOTION = "promotion", _("Promotion")
    AD_CREATIVE = "ad_creative", _("Ad creative")
    LANDING_PAGE = "landing_page", _("Landing page")
    TRAFFIC_SHARE = "traffic_share", _("Traffic-source share")
    VOICE = "voice", _("Sentiment and voice volume")
    PRODUCT_UPDATE = "product_update", _("Product update")


#: Kinds that carry a screenshot.
SCREENSHOT_KINDS = (ObservationKind.AD_CREATIVE, ObservationKind.LANDING_PAGE)
#: Kinds that may be about our own brand (no competitor).
OURS_KINDS = (ObservationKind.TRAFFIC_SHARE, ObservationKind.VOICE)


class Mechanism(models.TextChoices):
    DISCOUNT = "discount", _("Discount")
    COUPON = "coupon", _("Coupon")
    GIFT = "gift", _("Free gift")
    BUNDLE = "bundle", _("Bundle")
    FLASH_SALE = "flash_sale", _("Flash sale")
    MEMBERSHIP = "membership", _("Member price")
    FREE_SHIPPING = "free_shipping", _("Free delivery")
    OTHER = "other", pgettext_lazy("promotion mechanism", "Other")


class Impact(models.TextChoices):
    HIGH = "high", pgettext_lazy("impact", "High")
    MEDIUM = "medium", pgettext_lazy("impact", "Medium")
    LOW = "low", pgettext_lazy("impact", "Low")


def screenshot_path(instance: CompetitorObservation, filename: str) -> str:
    """A random name under the plan's folder: the uploader's file name is never a path."""
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"competitors/{instance.plan_id}/{uuid.uuid4().hex}{suffix}"


class CompetitorObservation(VersionedModel):
    """One thing seen about a competitor (or, for voice and traffic, about us) on a day.

    Common fields say what, when, where from and who recorded it; the kind decides which
    of the other fields are used (the services clear the rest):

    * promotion: ``promo_start``/``promo_end``, ``mechanism``, ``seen_on`` (channels);
    * ad creative, landing page: ``screenshot`` (PNG, JPEG or WebP, checked on upload);
    * traffic-source share: ``traffic`` = {source: fraction}, the fractions sum to ≤ 1;
    * sentiment and voice volume: ``mentions`` and ``positive``/``neutral``/``negative``
      (fractions summing to 1) for the month starting ``observed_on``;
    * product update: ``impact`` and ``impact_note``.
    """

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="competitor_observations",
        verbose_name=_("plan"),
    )
    competitor = models.ForeignKey(
        Competitor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("competitor"),
        help_text=_("Empty: our own brand (voice and traffic only)."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ObservationKind.choices)
    observed_on = models.DateField(_("date observed"))
    title = models.CharField(_("title"), max_length=200, blank=True, default="")
    text = models.TextField(_("text"), blank=True, default="")
    link = models.URLField(_("link"), max_length=500, blank=True, default="")
    source = models.CharField(
        _("source"),
        max_length=120,
        blank=True,
        default="",
        help_text=_("Where it was seen or which tool reported it."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # promotion
    promo_start = models.DateField(_("promotion starts"), null=True, blank=True)
    promo_end = models.DateField(_("promotion ends"), null=True, blank=True)
    mechanism = models.CharField(
        _("mechanism"), max_length=16, choices=Mechanism.choices, blank=True, default=""
    )
    seen_on = models.JSONField(_("channels where seen"), default=list, blank=True)
    # ad creative, landing page
    screenshot = models.FileField(
        _("screenshot"), upload_to=screenshot_path, max_length=200, blank=True, default=""
    )
    screenshot_type = models.CharField(max_length=20, blank=True, default="")
    screenshot_width = models.PositiveIntegerField(null=True, blank=True)
    screenshot_height = models.PositiveIntegerField(null=True, blank=True)
    # traffic-source share
    traffic = models.JSONField(_("traffic-source shares"), default=dict, blank=True)
    # sentiment and voice volume
    mentions = models.PositiveBigIntegerField(_("mentions"), null=True, blank=True)
    positive = models.DecimalField(
        _("positive"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    neutral = models.DecimalField(
        pgettext_lazy("sentiment", "neutral"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    negative = models.DecimalField(
        _("negative"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    # product update
    impact = models.CharField(
        _("impact on us"), max_length=8, choices=Impact.choices, blank=True, default=""
    )
    impact_note = models.TextField(_("impact assessment"), blank=True, default="")
    history = HistoricalRecords(excluded_fields=["screenshot"])

    class Meta:
        ordering = ["plan", "-observed_on", "-id"]
        verbose_name = _("competitor observation")
        verbose_name_plural = _("competitor observations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ObservationKind.values), name="observation_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(competitor__isnull=False) | Q(kind__in=OURS_KINDS),
                name="observation_ours_only_voice_or_traffic",
            ),
            models.CheckConstraint(
                condition=Q(promo_start__isnull=True)
                | Q(promo_end__isnull=True)
                | Q(promo_end__gte=models.F("promo_start")),
                name="observation_promotion_ordered",
            ),
            # One voice figure and one traffic split per brand and day: an import replaces it.
            models.UniqueConstraint(
                "plan",
                "kind",
                Coalesce("competitor", Value(0)),
                "observed_on",
                condition=Q(kind__in=OURS_KINDS),
                name="observation_one_figure_per_brand_and_day",
            ),
        ]
        indexes = [models.Index(fields=["plan", "kind", "observed_on"], name="observation_kind")]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.observed_on}"

    @property
    def has_screenshot(self) -> bool:
        return bool(self.screenshot)


class Feature(VersionedModel):
    """A row of the feature comparison matrix."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="features", verbose_name=_("plan")
    )
    name = models.CharField(_("feature"), max_length=120)
    group = models.CharField(pgettext_lazy("feature group", "group"), max_length=80, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=1,
        default=1,
        help_text=_("How much the feature counts in the coverage score (0 to 10)."),
    )
    is_differentiator = models.BooleanField(_("our differentiator"), default=False)
    differentiator_note = models.CharField(
        _("why it sets us apart"), max_length=300, blank=True, default=""
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "group", "sort_order", "name", "id"]
        verbose_name = _("feature")
        verbose_name_plural = _("features")
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="feature_name_unique_per_plan"),
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=10), name="feature_weight_0_10"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    HAS = "has", _("Has it")
    PARTIAL = "partial", _("Partly")
    NO = "no", _("Does not have it")


class FeatureValue(VersionedModel):
    """A cell of the matrix: how one product (ours when ``competitor`` is empty) does on
    one feature, with an optional short text or score."""

    workspace_path = "feature__plan__workspace"

    feature = models.ForeignKey(
        Feature, on_delete=models.CASCADE, related_name="values", verbose_name=_("feature")
    )
    competitor = models.ForeignKey(
        Competitor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feature_values",
        verbose_name=_("competitor"),
        help_text=_("Empty: our product."),
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, blank=True)
    note = models.CharField(_("short note or score"), max_length=80, blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["feature", "competitor"]
        verbose_name = _("matrix cell")
        verbose_name_plural = _("matrix cells")
        constraints = [
            models.UniqueConstraint(
                "feature", Coalesce("competitor", Value(0)), name="feature_value_one_per_product"
            ),
            models.CheckConstraint(
                condition=Q(level__in=[*Level.values, ""]), name="feature_value_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature_id}/{self.competitor_id or 'us'}: {self.level}"


def product_key(competitor_id: Any) -> str:
    """The matrix's key of a product: ``us`` or the competitor's id."""
    return "us" if competitor_id in (None, "", "us") else str(int(competitor_id))
