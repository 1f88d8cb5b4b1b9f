"""Who wants to hear about what, and one row per message that must go out.

``Delivery`` is the notification outbox: one row per (kind, subject, recipient,
period) with a unique ``dedup_key``. Creating the row is the claim (a second
worker or beat process that tries the same key gets an IntegrityError and stops);
sending happens under a row lock, and ``sent_at`` is written in the same
transaction as the lock is released, so a retry or a second copy of the task finds
the row sent and does nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel, VersionedModel


class DigestCadence(models.TextChoices):
    NONE = "none", _("No digest")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    QUARTERLY = "quarterly", _("Quarterly")


# The sections an alert can belong to (keys of planner.sections.SECTIONS).
ALERT_SECTIONS = ("goals", "channels", "content", "monitoring", "budget", "execution")


def _all_severities() -> list[str]:
    return ["warning", "critical"]


def _all_sections() -> list[str]:
    return list(ALERT_SECTIONS)


def _site_language() -> str:
    """The site's default language (``LANGUAGE_CODE``) until the member chooses."""
    codes = [code for code, _name in settings.LANGUAGES]
    code = str(settings.LANGUAGE_CODE).lower()
    return code if code in codes else codes[0]


def _site_timezone() -> str:
    return str(settings.TIME_ZONE)


class Subscription(VersionedModel):
    """One member's choices for one workspace: which alerts by email, which digest."""

    workspace_path = "membership__workspace"

    membership = models.OneToOneField(
        "planner.Membership",
        on_delete=models.CASCADE,
        related_name="subscription",
        verbose_name=_("membership"),
    )
    alert_severities = models.JSONField(
        _("alert emails for"),
        default=_all_severities,
        blank=True,
        help_text=_("Severities that send an email; none: no alert emails."),
    )
    alert_sections = models.JSONField(
        _("sections"),
        default=_all_sections,
        blank=True,
        help_text=_("Alerts of these plan sections send an email."),
    )
    digest = models.CharField(
        _("digest"), max_length=10, choices=DigestCadence.choices, default=DigestCadence.WEEKLY
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"), default=8, help_text=_("Local hour (0–23) the digest is sent at.")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=_site_language
    )
    timezone = models.CharField(_("time zone"), max_length=64, default=_site_timezone)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(digest__in=DigestCadence.values), name="subscription_digest_valid"
            ),
            models.CheckConstraint(
                condition=Q(digest_hour__lte=23), name="subscription_digest_hour_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership}"


class ChatPlatform(models.TextChoices):
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    SLACK = "slack", _("Slack")


class ChatChannel(VersionedModel):
    """A team chat that receives the workspace's alerts through an incoming webhook."""

    workspace_path = "workspace"

    workspace = models.ForeignKey(
        "planner.Workspace",
        on_delete=models.CASCADE,
        related_name="chat_channels",
        verbose_name=_("workspace"),
    )
    name = models.CharField(_("name"), max_length=80)
    platform = models.CharField(_("platform"), max_length=10, choices=ChatPlatform.choices)
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("DingTalk and Feishu sign each message with it; leave empty if unused."),
    )
    alert_severities = models.JSONField(_("alerts for"), default=_all_severities, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["workspace", "name"]
        verbose_name = _("chat channel")
        verbose_name_plural = _("chat channels")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="chat_channel_name_unique"),
            models.CheckConstraint(
                condition=Q(platform__in=ChatPlatform.values), name="chat_channel_platform_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DeliveryKind(models.TextChoices):
    ALERT_EMAIL = "alert_email", _("Alert email")
    DIGEST_EMAIL = "digest_email", _("Digest")
    TEST_EMAIL = "test_email", _("Test email")
    CHAT_ALERT = "chat_alert", _("Chat alert")
    CHAT_TEST = "chat_test", _("Chat test message")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    DEFERRED = "deferred", _("Deferred to the digest")
    SKIPPED = "skipped", _("Nothing to send")


class Delivery(TimeStampedModel):
    """One message to one recipient (a member's email or a chat channel).

    ``period`` says which window the message belongs to (the alert group, the
    digest's day/week/quarter); with kind and recipient it makes ``dedup_key``.
    """

    workspace_path = "workspace"

    workspace = models.ForeignKey(
        "planner.Workspace",
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("workspace"),
    )
    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("plan"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DeliveryKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("recipient"),
    )
    chat_channel = models.ForeignKey(
        ChatChannel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("chat channel"),
    )
    address = models.CharField(_("address"), max_length=254, blank=True, default="")
    period = models.CharField(_("period"), max_length=40)
    dedup_key = models.CharField(_("delivery key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True, default="")
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DeliveryKind.values), name="delivery_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | Q(chat_channel__isnull=False),
                name="delivery_has_recipient",
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="delivery_sent_at_iff_sent",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="delivery_log_idx"),
            models.Index(fields=["status", "due_at"], name="delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return self.dedup_key


class AlertNotice(models.Model):
    """An alert that a recipient (member or chat channel) must hear about: opened, or
    escalated to a higher severity (``escalated``; ``severity`` is the one announced).

    Unique per (alert, member, severity) and (alert, channel, severity): re-running the
    recompute or delivering the task twice never notifies twice, and an alert that
    goes back and forth between two severities is announced at each severity once.
    ``delivery`` is the message that carries it (several notices of one burst share
    one delivery); a notice whose email hit the hourly cap is carried by the next
    digest instead.
    """

    alert = models.ForeignKey("monitoring.Alert", on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_notices",
    )
    chat_channel = models.ForeignKey(
        ChatChannel, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    delivery = models.ForeignKey(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices"
    )
    # The message that finally carried a notice whose own delivery was deferred (the
    # hourly cap): the next digest, or a catch-up alert email for "no digest" members.
    carried_by = models.ForeignKey(
        Delivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_notices",
    )
    severity = models.CharField(max_length=8, blank=True)
    escalated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "recipient", "severity"],
                condition=Q(recipient__isnull=False),
                name="one_notice_per_alert_member_severity",
            ),
            models.UniqueConstraint(
                fields=["alert", "chat_channel", "severity"],
                condition=Q(chat_channel__isnull=False),
                name="one_notice_per_alert_channel_severity",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) ^ Q(chat_channel__isnull=False),
                name="notice_has_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"alert {self.alert_id} → {self.recipient_id or self.chat_channel_id}"
