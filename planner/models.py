"""Workspaces, members and their roles, plans and the plan lifecycle."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel, VersionedModel


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    ARCHIVED = "archived", _("Archived")


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan (CNY)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    JPY = "JPY", _("Japanese yen (JPY)")
    GBP = "GBP", _("Pound sterling (GBP)")


class Workspace(TimeStampedModel):
    """One brand team: its members and all of its plans."""

    workspace_path = "pk"

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self) -> str:
        return self.name


class Membership(VersionedModel):
    """A user's role in one workspace."""

    workspace_path = "workspace"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("workspace")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    history = HistoricalRecords()

    class Meta:
        ordering = ["workspace", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace} ({self.role})"


class Plan(VersionedModel):
    """An annual marketing plan (or a scenario of one) and its lifecycle status.

    Only a draft can be edited: submitting freezes it for review, approving
    locks it until a manager reopens it.
    """

    workspace_path = "workspace"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="plans", verbose_name=_("workspace")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, default="")
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    scenario_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scenarios",
        verbose_name=_("scenario of"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "year", "name"], name="plan_name_unique_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PlanStatus.values), name="plan_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="plan_year_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT


class PlanTransition(TimeStampedModel):
    """One lifecycle step of a plan: who moved it from where to where, and why."""

    workspace_path = "plan__workspace"

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submit for review")
        APPROVE = "approve", _("Approve")
        SEND_BACK = "send_back", _("Send back")
        REOPEN = "reopen", _("Reopen")
        ARCHIVE = "archive", _("Archive")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("plan")
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=PlanStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=PlanStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    comment = models.TextField(_("comment"), blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("plan transition")
        verbose_name_plural = _("plan transitions")

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.from_status} → {self.to_status}"


# Execution (section 6): defined in planner/execution/models.py, part of this app.
# Key activities and rapid-response pools (issue 9 items 2 and 5).
from planner.execution.activity_models import (  # noqa: E402
    Activity,
    ActivityKind,
    ActivityStatus,
    AuthoriseRole,
    PoolActivation,
    ResponsePool,
)
from planner.execution.models import (  # noqa: E402
    Drill,
    EscalationStep,
    Milestone,
    MilestoneStatus,
    Playbook,
    Risk,
    RiskCategory,
    RiskStatus,
    StepAcknowledgement,
)
from planner.notify.models import (  # noqa: E402
    AlertNotice,
    ChatChannel,
    ChatPlatform,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DigestCadence,
    Subscription,
)

# Plan versions and baselines (issue 10 item 7): planner/versions/models.py.
from planner.versions.models import PlanVersion, VersionKind  # noqa: E402

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivityStatus",
    "AlertNotice",
    "AuthoriseRole",
    "ChatChannel",
    "ChatPlatform",
    "Currency",
    "Delivery",
    "DeliveryKind",
    "DeliveryStatus",
    "DigestCadence",
    "Drill",
    "EscalationStep",
    "Membership",
    "Milestone",
    "MilestoneStatus",
    "Plan",
    "PlanStatus",
    "PlanTransition",
    "PlanVersion",
    "Playbook",
    "PoolActivation",
    "ResponsePool",
    "Risk",
    "RiskCategory",
    "RiskStatus",
    "Role",
    "StepAcknowledgement",
    "Subscription",
    "VersionKind",
    "Workspace",
]
