"""The plan's channels: the standard catalogue plus the team's own."""

from __future__ import annotations

from django.db import models
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


class Channel(VersionedModel):
    """One promotion channel of a plan. ``code`` is what metric files refer to."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="channels", verbose_name=_("plan")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(
        _("name"), max_length=120, blank=True, default="", help_text=_("Empty: catalogue name.")
    )
    family = models.CharField(_("family"), max_length=16, choices=ChannelFamily.choices)
    group = models.CharField(_("group"), max_length=16, choices=ChannelGroup.choices)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
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
        ]

    def __str__(self) -> str:
        return str(self.display_name)

    @property
    def display_name(self) -> str:
        """The team's own name, or the catalogue's, translated."""
        if self.name:
            return self.name
        entry = BY_CODE.get(self.code)
        return str(entry.label) if entry else self.code
