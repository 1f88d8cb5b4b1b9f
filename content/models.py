"""The content matrix: the campaign calendar, creative production standards
(brand rules, size specs, assets and their licences) and user interaction
mechanisms."""

from __future__ import annotations

from datetime import date
from math import gcd

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from channels.models import RoiLayer
from core.models import VersionedModel

# --- campaigns ------------------------------------------------------------------------------


class ThemeType(models.TextChoices):
    FESTIVAL = "festival", pgettext_lazy("campaign theme", "Festival")
    SEASONAL = "seasonal", _("Seasonal push")
    IP_TIE_IN = "ip_tie_in", _("IP tie-in")
    CSR = "csr", _("Social responsibility")
    PRODUCT_LAUNCH = "product_launch", _("Product launch")
    ALWAYS_ON = "always_on", _("Always-on")


class CampaignStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLANNED = "planned", _("Planned")
    IN_PRODUCTION = "in_production", _("In production")
    LIVE = "live", _("Live")
    DONE = "done", _("Done")


# The layer of a campaign that is not tagged: what its theme is usually for.
LAYER_OF_THEME: dict[str, str] = {
    ThemeType.FESTIVAL: RoiLayer.PERFORMANCE,
    ThemeType.SEASONAL: RoiLayer.PERFORMANCE,
    ThemeType.ALWAYS_ON: RoiLayer.PERFORMANCE,
    ThemeType.PRODUCT_LAUNCH: RoiLayer.BRAND,
    ThemeType.IP_TIE_IN: RoiLayer.BRAND,
    ThemeType.CSR: RoiLayer.BRAND,
}


class Campaign(VersionedModel):
    """A themed campaign on the plan's calendar. ``code`` is what metric files refer to."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("plan")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=160)
    theme = models.CharField(_("theme"), max_length=20, choices=ThemeType.choices)
    festival = models.CharField(
        _("festival"),
        max_length=20,
        blank=True,
        default="",
        help_text=_("The festival the campaign is built around, if any."),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    channels = models.ManyToManyField(
        "channels.Channel", blank=True, related_name="campaigns", verbose_name=_("channels")
    )
    audience = models.CharField(_("target audience"), max_length=200, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    budget = models.DecimalField(_("planned budget"), max_digits=16, decimal_places=2, default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.IDEA
    )
    key_message = models.TextField(_("key message"), blank=True, default="")
    notes = models.TextField(_("notes"), blank=True, default="")
    roi_layer = models.CharField(
        _("ROI layer"),
        max_length=12,
        choices=RoiLayer.choices,
        blank=True,
        default="",
        help_text=_(
            "Empty: from the theme (launches, IP tie-ins and social responsibility are brand "
            "exposure; festivals, seasonal pushes and always-on are performance)."
        ),
    )
    history = HistoricalRecords(m2m_fields=[channels])

    class Meta:
        ordering = ["plan", "start", "end", "code"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="campaign_code_unique_per_plan"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="campaign_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="campaign_budget_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(theme__in=ThemeType.values), name="campaign_theme_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CampaignStatus.values),
                name="campaign_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(roi_layer__in=["", *RoiLayer.values]),
                name="campaign_roi_layer_valid",
            ),
        ]
        indexes = [models.Index(fields=["plan", "start"], name="campaign_plan_start_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def layer(self) -> str:
        """The ROI layer: the tag, else the usual layer of the campaign's theme."""
        return self.roi_layer or LAYER_OF_THEME.get(self.theme, RoiLayer.PERFORMANCE)

    def spills_over(self, year: int) -> bool:
        """True when part of the campaign lies outside the plan year."""
        return self.start < date(year, 1, 1) or self.end > date(year, 12, 31)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


# --- creative production standards ----------------------------------------------------------


class BrandStandard(VersionedModel):
    """The plan's brand visual rules (VI): colours, fonts, graphic elements."""

    workspace_path = "plan__workspace"

    plan = models.OneToOneField(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="brand_standard",
        verbose_name=_("plan"),
    )
    colours = models.JSONField(
        _("brand colours"), default=list, blank=True, help_text=_("Name and hex value of each.")
    )
    fonts = models.JSONField(_("brand fonts"), default=list, blank=True)
    graphic_elements = models.TextField(_("graphic elements"), blank=True, default="")
    vi_review_required = models.BooleanField(
        _("VI review required"),
        default=True,
        help_text=_("Assets need a passed VI (visual identity) review before approval."),
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("brand standard")
        verbose_name_plural = _("brand standards")

    def __str__(self) -> str:
        return str(_("Brand standard of %(plan)s") % {"plan": self.plan})


class SpecKind(models.TextChoices):
    VIDEO = "video", _("Video")
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")


class SizeSpec(VersionedModel):
    """A size-adaptation spec: what an asset for a channel must measure."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="size_specs", verbose_name=_("plan")
    )
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="size_specs",
        verbose_name=_("channel"),
        help_text=_("Empty: any channel."),
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=SpecKind.choices)
    width = models.PositiveIntegerField(_("width (px)"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height (px)"), null=True, blank=True)
    max_duration_s = models.PositiveIntegerField(_("max. duration (s)"), null=True, blank=True)
    max_file_mb = models.DecimalField(
        _("max. file size (MB)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    file_format = models.CharField(_("file format"), max_length=60, blank=True, default="")
    notes = models.CharField(_("notes"), max_length=300, blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "channel__sort_order", "name"]
        verbose_name = _("size spec")
        verbose_name_plural = _("size specs")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "channel", "name"], name="size_spec_unique_per_channel"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=SpecKind.values), name="size_spec_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        size = f" {self.width}×{self.height}" if self.width and self.height else ""
        return f"{self.name}{size}"

    @property
    def aspect_ratio(self) -> str:
        """``9:16`` for 1080×1920; empty without both dimensions."""
        if not (self.width and self.height):
            return ""
        d = gcd(self.width, self.height)
        return f"{self.width // d}:{self.height // d}"


class ContentLayer(models.TextChoices):
    SELLING_POINT = "selling_point", _("Selling point")
    EMOTIONAL_STORY = "emotional_story", _("Emotional story")
    CALL_TO_ACTION = "call_to_action", _("Call to action")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Asset(VersionedModel):
    """A creative asset of a campaign: a poster, a video, a live-stream cover…"""

    workspace_path = "campaign__plan__workspace"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="assets", verbose_name=_("campaign")
    )
    name = models.CharField(_("name"), max_length=160)
    spec = models.ForeignKey(
        SizeSpec,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("size spec"),
    )
    layers = models.JSONField(_("content layers covered"), default=list, blank=True)
    review_status = models.CharField(
        _("review status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    vi_passed = models.BooleanField(_("VI review passed"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    file_ref = models.CharField(
        _("file reference"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("Where the file lives: a DAM id, a path or a link."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "name", "id"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_status__in=ReviewStatus.values),
                name="asset_review_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def missing_layers(self) -> list[str]:
        """The content layers the asset does not cover, as labels."""
        return [str(label) for value, label in ContentLayer.choices if value not in self.layers]


class ElementKind(models.TextChoices):
    FONT = "font", _("Font")
    IMAGE = "image", _("Image")
    MUSIC = "music", _("Music")
    FOOTAGE = "footage", _("Footage")


class Territory(models.TextChoices):
    MAINLAND_CHINA = "mainland_china", _("Mainland China")
    GREATER_CHINA = "greater_china", _("Greater China")
    ASIA_PACIFIC = "asia_pacific", _("Asia-Pacific")
    WORLDWIDE = "worldwide", _("Worldwide")


class Licence(VersionedModel):
    """The right to use a font, image, music or footage: where from, how, where, until when."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="licences", verbose_name=_("plan")
    )
    name = models.CharField(_("licensed work"), max_length=160)
    kind = models.CharField(_("kind"), max_length=8, choices=ElementKind.choices)
    source = models.CharField(
        pgettext_lazy("licence", "source"),
        max_length=160,
        help_text=_("The licensor or library it comes from."),
    )
    scope = models.CharField(
        _("scope"),
        max_length=300,
        help_text=_("What use is licensed, e.g. commercial use online and in print."),
    )
    territory = models.CharField(
        _("territory"), max_length=16, choices=Territory.choices, default=Territory.MAINLAND_CHINA
    )
    starts = models.DateField(_("valid from"), null=True, blank=True)
    expires = models.DateField(
        _("expires"), null=True, blank=True, help_text=_("Empty: perpetual.")
    )
    document_ref = models.CharField(
        _("document reference"),
        max_length=200,
        help_text=_("Contract number, invoice or link to the licence document."),
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "expires", "name"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ElementKind.values), name="licence_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(starts__isnull=True)
                | models.Q(expires__isnull=True)
                | models.Q(expires__gte=models.F("starts")),
                name="licence_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.source})"

    def is_valid_on(self, day: date) -> bool:
        return (self.starts is None or self.starts <= day) and (
            self.expires is None or self.expires >= day
        )


class AssetElement(models.Model):
    """A font, image, music or footage element used in an asset, with its licence.

    Edited as part of its asset (the asset's version covers its elements)."""

    workspace_path = "asset__campaign__plan__workspace"

    asset = models.ForeignKey(
        Asset, on_delete=models.CASCADE, related_name="elements", verbose_name=_("asset")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ElementKind.choices)
    name = models.CharField(_("name"), max_length=160)
    licence = models.ForeignKey(
        Licence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elements",
        verbose_name=_("licence"),
    )

    class Meta:
        ordering = ["asset", "id"]
        verbose_name = _("asset element")
        verbose_name_plural = _("asset elements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ElementKind.values), name="asset_element_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


# --- user interaction mechanisms --------------------------------------------------------------


class MechanismKind(models.TextChoices):
    UGC_CHALLENGE = "ugc_challenge", _("UGC challenge")
    FEEDBACK_CHANNEL = "feedback_channel", _("Feedback channel")
    COMMUNITY_TIER = "community_tier", _("Community tier")
    REWARD_TIER = "reward_tier", _("Tiered rewards")


class CommunityLevel(models.TextChoices):
    BASIC = "basic", _("Basic members")
    VIP = "vip", _("VIP members")
    KOC = "koc", _("KOC group")


class InteractionMechanism(VersionedModel):
    """One way the brand interacts with its users, with its goal and indicators.

    The kind decides which of the kind-specific fields apply (the service checks
    them): a UGC challenge has a topic, platform, period, reward and boost rules;
    a feedback channel an SLA and measured response times; a community tier its
    level, size and activities; tiered rewards their points rules, badges and levels.
    """

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="interaction_mechanisms",
        verbose_name=_("plan"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MechanismKind.choices)
    name = models.CharField(_("name"), max_length=160)
    goal = models.TextField(_("goal"), blank=True, default="")
    indicators = models.JSONField(
        _("indicators"),
        default=list,
        blank=True,
        help_text=_("Each with a name, a target, the actual value so far and a unit."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interaction_mechanisms",
        verbose_name=_("platform"),
    )
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    # UGC challenges
    topic = models.CharField(_("topic"), max_length=160, blank=True, default="")
    reward = models.CharField(_("reward"), max_length=300, blank=True, default="")
    boost_rules = models.TextField(_("boost rules"), blank=True, default="")
    # feedback channels
    sla_hours = models.DecimalField(
        _("response SLA (hours)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    ai_first = models.BooleanField(
        _("AI answers first"),
        default=False,
        help_text=_("An AI assistant answers first and hands over to a person."),
    )
    response_hours = models.JSONField(
        _("measured response times (hours)"), default=list, blank=True
    )
    # community tiers
    level = models.CharField(
        _("community level"), max_length=8, choices=CommunityLevel.choices, blank=True, default=""
    )
    members = models.PositiveIntegerField(_("members"), null=True, blank=True)
    activities = models.TextField(_("activities"), blank=True, default="")
    # tiered rewards
    points_rules = models.TextField(_("points rules"), blank=True, default="")
    badges = models.JSONField(_("badges"), default=list, blank=True)
    levels = models.JSONField(
        _("levels"),
        default=list,
        blank=True,
        help_text=_("Each with a name, the points it needs and its perks."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "kind", "name"]
        verbose_name = _("interaction mechanism")
        verbose_name_plural = _("interaction mechanisms")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MechanismKind.values), name="mechanism_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(start__isnull=True)
                | models.Q(end__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="mechanism_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(sla_hours__isnull=True) | models.Q(sla_hours__gt=0),
                name="mechanism_sla_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name
