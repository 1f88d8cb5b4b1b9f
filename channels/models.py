"""The plan's channels: the standard catalogue plus the team's own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from channels.catalogue import BY_CODE
from core.models import VersionedModel


class ChannelFamily(models.TextChoices):
    ONLINE = "online", _("Online platforms")
    OFFLINE = "offline", _("Offline scenes")
    CROSSOVER = "crossover", _("Cross-border resources")


class ChannelGroup(models.TextChoices):
    SOCIAL = "social", _("Social-media matrix")
    SEARCH = "search", _("Search: SEO and SEM")
    ECOMMERCE = "ecommerce", _("E-commerce flagship stores")
    RETAIL = "retail", _("Pop-ups and experience centres")
    COMMUNITY = "community", _("Community and partners")
    EVENTS = "events", _("Trade shows and summits")
    PARTNERSHIP = "partnership", _("Causes and IP co-branding")
    CREATORS = "creators", _("KOL/KOC creators")


class RoiLayer(models.TextChoices):
    """How the ROI model judges a channel or campaign (layered ROI)."""

    BRAND = "brand", _("Brand exposure")
    PERFORMANCE = "performance", _("Performance")


# The layer of a channel that is not tagged: what its group is usually bought for.
LAYER_OF_GROUP: dict[str, str] = {
    ChannelGroup.SOCIAL: RoiLayer.BRAND,
    ChannelGroup.SEARCH: RoiLayer.PERFORMANCE,
    ChannelGroup.ECOMMERCE: RoiLayer.PERFORMANCE,
    ChannelGroup.RETAIL: RoiLayer.BRAND,
    ChannelGroup.COMMUNITY: RoiLayer.BRAND,
    ChannelGroup.EVENTS: RoiLayer.BRAND,
    ChannelGroup.PARTNERSHIP: RoiLayer.BRAND,
    ChannelGroup.CREATORS: RoiLayer.PERFORMANCE,
}


class ContentFormat(models.TextChoices):
    GRAPHIC = "graphic", _("Graphic and text")
    SHORT_VIDEO = "short_video", _("Short video")
    LIVE_STREAM = "live_stream", _("Live stream")
    LONG_VIDEO = "long_video", _("Long video")
    SEARCH_AD = "search_ad", _("Search ad")
    OFFLINE_EVENT = "offline_event", _("Offline event")
    UGC = "ugc", _("User-generated content")


class Channel(VersionedModel):
    """One promotion channel of a plan. ``code`` is what metric files refer to."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="channels", verbose_name=_("plan")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(
        _("name (English)"),
        max_length=120,
        blank=True,
        default="",
        help_text=_("Empty: the catalogue name."),
    )
    name_zh = models.CharField(
        _("name (Chinese)"),
        max_length=120,
        blank=True,
        default="",
        help_text=_("Empty: the catalogue name."),
    )
    platform = models.CharField(_("platform"), max_length=60, blank=True, default="")
    formats = models.JSONField(_("content formats"), default=list, blank=True)
    family = models.CharField(_("family"), max_length=16, choices=ChannelFamily.choices)
    group = models.CharField(_("group"), max_length=16, choices=ChannelGroup.choices)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    roi_layer = models.CharField(
        _("ROI layer"),
        max_length=12,
        choices=RoiLayer.choices,
        blank=True,
        default="",
        help_text=_(
            "Empty: from the group (social, offline and partnership channels are brand "
            "exposure; search, e-commerce and creators are performance)."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "sort_order", "code"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="channel_code_unique_per_plan"),
            models.CheckConstraint(
                condition=models.Q(family__in=ChannelFamily.values), name="channel_family_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(roi_layer__in=["", *RoiLayer.values]),
                name="channel_roi_layer_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(self.display_name)

    @property
    def display_name(self) -> str:
        """The name in the reader's language: the team's own, else the catalogue's."""
        if get_language() == "zh-hans" and self.name_zh:
            return self.name_zh
        if self.name:
            return self.name
        entry = BY_CODE.get(self.code)
        return str(entry.label) if entry else self.name_zh or self.code

    @property
    def layer(self) -> str:
        """The ROI layer: the tag, else the usual layer of the channel's group."""
        return self.roi_layer or LAYER_OF_GROUP.get(self.group, RoiLayer.PERFORMANCE)

    def format_labels(self) -> list[str]:
        labels = dict(ContentFormat.choices)
        return [str(labels.get(code, code)) for code in self.formats]


class ChannelPlan(VersionedModel):
    """What a channel does in one quarter: its role, formats, audience, budget
    and the KPIs it is meant to move."""

    workspace_path = "channel__plan__workspace"

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="quarter_plans", verbose_name=_("channel")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    role = models.CharField(_("role in the mix"), max_length=200, blank=True, default="")
    formats = models.JSONField(_("content formats"), default=list, blank=True)
    audience = models.CharField(_("target audience"), max_length=200, blank=True, default="")
    budget = models.DecimalField(_("planned budget"), max_digits=16, decimal_places=2, default=0)
    kpis = models.ManyToManyField(
        "kpis.Kpi", blank=True, related_name="channel_plans", verbose_name=_("target KPIs")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    history = HistoricalRecords(m2m_fields=[kpis])

    class Meta:
        ordering = ["channel", "quarter"]
        verbose_name = _("channel plan")
        verbose_name_plural = _("channel plans")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "quarter"], name="one_plan_per_channel_quarter"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="channel_plan_quarter_1_4"
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="channel_plan_budget_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} Q{self.quarter}"


class CreatorTier(models.TextChoices):
    HEAD = "head", _("Head creators (sales)")
    MID = "mid", _("Mid-tier creators (seeding)")
    KOC = "koc", _("KOC and ordinary users (word of mouth)")


class Creator(VersionedModel):
    """A KOL or KOC on the plan's roster."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="creators", verbose_name=_("plan")
    )
    name = models.CharField(_("name"), max_length=120)
    platform = models.CharField(_("platform"), max_length=60)
    profile_url = models.URLField(_("profile link"), blank=True, default="")
    followers = models.PositiveBigIntegerField(_("followers"), default=0)
    tier = models.CharField(_("tier"), max_length=8, choices=CreatorTier.choices)
    category = models.CharField(_("category"), max_length=80, blank=True, default="")
    fee = models.DecimalField(_("fee per cooperation"), max_digits=14, decimal_places=2, default=0)
    contact_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact owner"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "tier", "name"]
        verbose_name = _("creator")
        verbose_name_plural = _("creators")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "platform", "name"], name="creator_unique_per_plan_platform"
            ),
            models.CheckConstraint(
                condition=models.Q(tier__in=CreatorTier.values), name="creator_tier_valid"
            ),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="creator_fee_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.platform})"


class Cooperation(VersionedModel):
    """One piece of work with a creator, and what it brought."""

    workspace_path = "creator__plan__workspace"

    creator = models.ForeignKey(
        Creator, on_delete=models.CASCADE, related_name="cooperations", verbose_name=_("creator")
    )
    campaign = models.CharField(_("campaign"), max_length=200)
    date = models.DateField(_("date"))
    deliverables = models.CharField(_("deliverables"), max_length=300, blank=True, default="")
    fee = models.DecimalField(_("fee"), max_digits=14, decimal_places=2, default=0)
    views = models.PositiveBigIntegerField(_("views"), default=0)
    engagements = models.PositiveBigIntegerField(_("engagements"), default=0)
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    conversions = models.PositiveBigIntegerField(_("conversions"), default=0)
    gmv = models.DecimalField(_("GMV"), max_digits=16, decimal_places=2, default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("cooperation")
        verbose_name_plural = _("cooperations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fee__gte=0, gmv__gte=0), name="cooperation_amounts_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.creator} · {self.campaign}"
