"""Cross-department collaboration (跨部门协作): departments, the RACI matrix of each
workstream with its decision rights, communication rules, the conflict-resolution
path and the quarterly collaboration score of each department.

Departments belong to the workspace (they outlive a plan); everything else belongs to
one plan. Writes go through ``budget/team_services.py``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from budget.collaboration import CRITERIA, RATING_MAX, RATING_MIN
from core.models import VersionedModel


class Department(VersionedModel):
    """A department of the workspace's company that takes part in the plan's work."""

    workspace_path = "workspace"

    workspace = models.ForeignKey(
        "planner.Workspace",
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name=_("workspace"),
    )
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("short code"),
        max_length=12,
        help_text=_("Capital letters, digits and hyphens, e.g. BRAND or CRM."),
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_departments",
        verbose_name=_("lead"),
    )
    description = models.TextField(_("description"), blank=True, default="")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["workspace", "sort_order", "name", "id"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "code"], name="department_code_unique_per_workspace"
            ),
            models.UniqueConstraint(
                fields=["workspace", "name"], name="department_name_unique_per_workspace"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WorkstreamKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Campaign")
    CHANNEL = "channel", _("Channel")
    MILESTONE = "milestone", _("Milestone")
    OTHER = "other", pgettext_lazy("workstream kind", "Other")


class Workstream(VersionedModel):
    """A row of the RACI matrix: a campaign, a channel, a milestone or another named
    stream of work, with the decision rights of its accountable department.

    ``version`` covers the row and its cells: the cells are saved together with it.
    """

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="workstreams", verbose_name=_("plan")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=WorkstreamKind.choices)
    name = models.CharField(_("name"), max_length=160)
    campaign = models.ForeignKey(
        "content.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workstreams",
        verbose_name=_("campaign"),
    )
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workstreams",
        verbose_name=_("channel"),
    )
    decides_alone = models.TextField(
        _("decides alone"),
        blank=True,
        default="",
        help_text=_("What the accountable department may decide without asking anyone."),
    )
    spend_limit = models.DecimalField(
        _("spend limit"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Spend the accountable department may commit alone; above it, escalate."),
    )
    escalation = models.TextField(
        _("needs escalation"),
        blank=True,
        default="",
        help_text=_("Decisions that go to the coordinator group."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "sort_order", "kind", "name", "id"]
        verbose_name = _("workstream")
        verbose_name_plural = _("workstreams")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"], name="workstream_name_unique_per_plan"
            ),
            models.UniqueConstraint(
                fields=["plan", "campaign"],
                condition=Q(campaign__isnull=False),
                name="workstream_one_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["plan", "channel"],
                condition=Q(channel__isnull=False),
                name="workstream_one_per_channel",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="campaign", campaign__isnull=False, channel__isnull=True)
                    | Q(kind="channel", channel__isnull=False, campaign__isnull=True)
                    | Q(
                        kind__in=["milestone", "other"], campaign__isnull=True, channel__isnull=True
                    )
                ),
                name="workstream_link_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(spend_limit__isnull=True) | Q(spend_limit__gte=0),
                name="workstream_spend_limit_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class RaciAssignment(models.Model):
    """One cell of the RACI matrix: a department's role in a workstream."""

    workspace_path = "workstream__plan__workspace"

    workstream = models.ForeignKey(
        Workstream, on_delete=models.CASCADE, related_name="cells", verbose_name=_("workstream")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="raci_cells",
        verbose_name=_("department"),
    )
    role = models.CharField(_("role"), max_length=1, choices=RaciRole.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["workstream", "department__sort_order", "department__name"]
        verbose_name = _("RACI assignment")
        verbose_name_plural = _("RACI assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["workstream", "department"], name="raci_one_role_per_department"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["R", "A", "C", "I"]), name="raci_role_is_a_letter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workstream} · {self.department} · {self.role}"


class RuleKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    DOCUMENT = "document", _("Shared document")
    MESSAGING = "messaging", _("Messaging tool")


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class MessagingTool(models.TextChoices):
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    SLACK = "slack", _("Slack")
    EMAIL = "email", _("Email")


class CommunicationRule(VersionedModel):
    """How the departments keep each other informed: a meeting with its cadence, a
    shared document with its link, or a messaging group on a tool."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="communication_rules",
        verbose_name=_("plan"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RuleKind.choices)
    name = models.CharField(_("name"), max_length=160)
    cadence = models.CharField(
        _("cadence"), max_length=12, choices=Cadence.choices, blank=True, default=""
    )
    link = models.URLField(_("link"), max_length=400, blank=True, default="")
    tool = models.CharField(
        _("tool"), max_length=12, choices=MessagingTool.choices, blank=True, default=""
    )
    group = models.CharField(
        _("group or channel"),
        max_length=160,
        blank=True,
        default="",
        help_text=_("The group, channel or mailing list on the tool."),
    )
    owner = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="owned_rules",
        verbose_name=_("owner"),
    )
    participants = models.ManyToManyField(
        Department, blank=True, related_name="communication_rules", verbose_name=_("participants")
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True, default="")
    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        ordering = ["plan", "kind", "name", "id"]
        verbose_name = _("communication rule")
        verbose_name_plural = _("communication rules")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "name"], name="communication_rule_unique_name"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="meeting") & ~Q(cadence="")
                    | Q(kind="document") & ~Q(link="")
                    | Q(kind="messaging") & ~Q(tool="")
                ),
                name="communication_rule_has_its_kind_field",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CoordinatorGroup(VersionedModel):
    """The plan's coordinator group (第三方协调小组): who arbitrates between departments."""

    workspace_path = "plan__workspace"

    plan = models.OneToOneField(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="coordinator_group",
        verbose_name=_("plan"),
    )
    name = models.CharField(_("name"), max_length=160)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chair"),
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="coordinator_groups", verbose_name=_("departments")
    )
    mandate = models.TextField(_("mandate"), blank=True, default="")
    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        verbose_name = _("coordinator group")
        verbose_name_plural = _("coordinator groups")

    def __str__(self) -> str:
        return self.name


class ArbitrationStep(VersionedModel):
    """One level of the arbitration path: who decides, within how many hours."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="arbitration_steps",
        verbose_name=_("plan"),
    )
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=160)
    decider = models.CharField(_("who decides"), max_length=200)
    sla_hours = models.PositiveIntegerField(
        _("SLA (hours)"),
        validators=[MinValueValidator(1), MaxValueValidator(24 * 90)],
        help_text=_("A conflict at this step longer than this is overdue."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "level"]
        verbose_name = _("arbitration step")
        verbose_name_plural = _("arbitration steps")
        constraints = [
            models.UniqueConstraint(fields=["plan", "level"], name="arbitration_level_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1, sla_hours__gte=1), name="arbitration_step_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}. {self.name}"


class ConflictStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("conflict status", "Open")
    RESOLVED = "resolved", pgettext_lazy("conflict status", "Resolved")


class Conflict(VersionedModel):
    """A conflict between departments (resources, goals…) on its way through arbitration."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("plan")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    departments = models.ManyToManyField(
        Department, related_name="conflicts", verbose_name=_("departments involved")
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    step = models.ForeignKey(
        ArbitrationStep,
        on_delete=models.PROTECT,
        related_name="conflicts",
        verbose_name=_("current step"),
    )
    step_since = models.DateTimeField(_("at this step since"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True, default="")
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        ordering = ["plan", "status", "-raised_at", "-id"]
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | Q(status="resolved", resolved_at__isnull=False),
                name="conflict_resolved_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title


RATING = [MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]


class CollaborationScore(VersionedModel):
    """A manager's rating of a department's collaboration in one quarter of the plan:
    four criteria 1–5, weighted into ``score`` on 0–100 (``budget.collaboration``)."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="collaboration_scores",
        verbose_name=_("plan"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="scores",
        verbose_name=_("department"),
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    responsiveness = models.PositiveSmallIntegerField(_("responsiveness"), validators=RATING)
    delivery = models.PositiveSmallIntegerField(_("delivery on commitments"), validators=RATING)
    communication = models.PositiveSmallIntegerField(_("communication"), validators=RATING)
    conflict_handling = models.PositiveSmallIntegerField(_("conflict handling"), validators=RATING)
    score = models.DecimalField(
        _("score"), max_digits=4, decimal_places=1, default=Decimal("0.0"), editable=False
    )
    comment = models.TextField(_("comment"), blank=True, default="")
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("scored by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "department__sort_order", "department__name", "quarter"]
        verbose_name = _("collaboration score")
        verbose_name_plural = _("collaboration scores")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "plan", "quarter"], name="collaboration_score_unique"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="collaboration_score_quarter"
            ),
            models.CheckConstraint(
                condition=Q(
                    **{
                        f"{name}__{op}": bound
                        for name, _weight in CRITERIA
                        for op, bound in (("gte", RATING_MIN), ("lte", RATING_MAX))
                    }
                ),
                name="collaboration_score_ratings_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · Q{self.quarter} · {self.score}"

    def ratings(self) -> dict[str, int]:
        return {name: getattr(self, name) for name, _weight in CRITERIA}
