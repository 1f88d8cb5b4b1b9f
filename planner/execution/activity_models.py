"""Key activities (scheduled work with departments, suppliers and finish-to-start
dependencies) and the rapid-response pools of each risk level with their activation log.

Part of the ``planner`` app (``planner/models.py`` imports them). Other apps are named by
string references only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel, VersionedModel


class ActivityKind(models.TextChoices):
    FESTIVAL = "festival", _("Festival campaign")
    LAUNCH = "launch", _("Product launch")
    EVENT = "event", _("Online-offline event")
    PRODUCTION = "production", _("Production and preparation")
    OTHER = "other", pgettext_lazy("activity kind", "Other")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("activity status", "Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("activity status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("activity status", "Cancelled")


class Activity(VersionedModel):
    """A key activity of the plan: what, when, which departments and suppliers it needs,
    and which activities must finish before it starts (finish-to-start)."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="activities", verbose_name=_("plan")
    )
    title = models.CharField(_("title"), max_length=160)
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    campaign = models.ForeignKey(
        "content.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("campaign"),
    )
    departments = models.ManyToManyField(
        "budget.Department", blank=True, related_name="activities", verbose_name=_("departments")
    )
    suppliers = models.ManyToManyField(
        "budget.Supplier", blank=True, related_name="activities", verbose_name=_("suppliers")
    )
    depends_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="successors",
        verbose_name=_("after (finish-to-start)"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "start", "end", "title", "id"]
        verbose_name = _("key activity")
        verbose_name_plural = _("key activities")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="activity_dates"),
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="activity_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values), name="activity_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AuthoriseRole(models.TextChoices):
    """Who may authorise a pool's use by role: a reserve draw needs a manager at least."""

    MANAGER = "manager", _("Managers and admins")
    ADMIN = "admin", _("Admins only")


class ResponsePool(VersionedModel):
    """The reserve kept ready for risks of one impact level: money and people, and who
    may authorise its use (a role, or the named members when any are named)."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="response_pools",
        verbose_name=_("plan"),
    )
    level = models.PositiveSmallIntegerField(
        _("risk impact level"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    amount = models.DecimalField(_("reserved amount"), max_digits=16, decimal_places=2)
    headcount = models.PositiveSmallIntegerField(_("people in the pool"), default=0)
    people = models.TextField(
        _("people and roles"), blank=True, default="", help_text=_("One person or role a line.")
    )
    authorise_role = models.CharField(
        _("may authorise (role)"),
        max_length=10,
        choices=AuthoriseRole.choices,
        default=AuthoriseRole.MANAGER,
    )
    authorisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("may authorise (named)"),
        help_text=_("When anyone is named, only they may authorise."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-level", "id"]
        verbose_name = _("response pool")
        verbose_name_plural = _("response pools")
        constraints = [
            models.UniqueConstraint(fields=["plan", "level"], name="one_pool_per_level"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="pool_level_1_to_5"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="pool_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} · {self.level}"


class PoolActivation(TimeStampedModel):
    """One use of a pool for a risk: money (drawn from the reserve fund at once, by the
    person who authorised it) and people. Append-only."""

    workspace_path = "pool__plan__workspace"

    pool = models.ForeignKey(
        ResponsePool,
        on_delete=models.PROTECT,
        related_name="activations",
        verbose_name=_("pool"),
    )
    risk = models.ForeignKey(
        "planner.Risk",
        on_delete=models.PROTECT,
        related_name="activations",
        verbose_name=_("risk"),
    )
    amount = models.DecimalField(_("amount used"), max_digits=16, decimal_places=2)
    people_used = models.PositiveSmallIntegerField(_("people used"), default=0)
    reason = models.TextField(_("reason"))
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("authorised by"),
    )
    draw = models.OneToOneField(
        "budget.ReserveDraw",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activation",
        verbose_name=_("reserve draw"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pool activation")
        verbose_name_plural = _("pool activations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="activation_amount_ok"),
        ]

    def __str__(self) -> str:
        return f"{self.pool_id} @ {self.created_at:%Y-%m-%d}"
