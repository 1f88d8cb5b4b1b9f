"""Execution data: quarterly milestones, the risk register and crisis playbooks.

The models belong to the ``planner`` app (``planner/models.py`` imports them). Other apps
are named by string references only, so importing ``planner.models`` never imports
``kpis`` or ``monitoring``.
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


class MilestoneStatus(models.TextChoices):
    """The same values as ``planner.progress.Status``."""

    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    LATE = "late", _("Late")
    DONE = "done", pgettext_lazy("milestone status", "Done")


class Milestone(VersionedModel):
    """A quarterly milestone: a piece of an annual goal due in one quarter.

    Its status is derived from the linked KPIs' attainment (``planner.progress``);
    ``entered_progress`` is used only when no linked KPI has data yet. A person may
    override the status with a reason (``override_*``; every change kept in history).
    """

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="milestones", verbose_name=_("plan")
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True, default="")
    kpis = models.ManyToManyField(
        "kpis.Kpi", blank=True, related_name="milestones", verbose_name=_("core indicators")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    start = models.DateField(_("start"))
    due = models.DateField(_("due date"))
    entered_progress = models.DecimalField(
        _("entered progress"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("0–1; used only while no linked KPI has data."),
    )
    override_status = models.CharField(
        _("status override"),
        max_length=12,
        choices=MilestoneStatus.choices,
        blank=True,
        default="",
    )
    override_reason = models.TextField(_("override reason"), blank=True, default="")
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("overridden by"),
    )
    override_at = models.DateTimeField(_("overridden"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "quarter", "sort_order", "due", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="milestone_quarter_valid"
            ),
            models.CheckConstraint(condition=Q(due__gte=models.F("start")), name="milestone_dates"),
            models.CheckConstraint(
                condition=Q(entered_progress__isnull=True)
                | Q(entered_progress__gte=0, entered_progress__lte=1),
                name="milestone_progress_fraction",
            ),
            models.CheckConstraint(
                condition=Q(override_status="")
                | (Q(override_status__in=MilestoneStatus.values) & ~Q(override_reason="")),
                name="milestone_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.quarter} · {self.title}"


class RiskCategory(models.TextChoices):
    MARKET_POLICY = "market_policy", _("Market policy change")
    COMPETITOR = "competitor", _("Competitor move")
    TECHNICAL = "technical", _("Technical failure")
    PR_CRISIS = "pr_crisis", _("PR crisis")
    SUPPLIER = "supplier", _("Supplier failure")
    OTHER = "other", pgettext_lazy("risk category", "Other")


class RiskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("risk status", "Open")
    MITIGATED = "mitigated", _("Mitigated")
    CLOSED = "closed", pgettext_lazy("risk status", "Closed")


LEVELS = [MinValueValidator(1), MaxValueValidator(5)]


class Risk(VersionedModel):
    """One entry of the risk register, placed on the heat map by impact × likelihood."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="risks", verbose_name=_("plan")
    )
    title = models.CharField(_("title"), max_length=160)
    category = models.CharField(_("category"), max_length=16, choices=RiskCategory.choices)
    impact = models.PositiveSmallIntegerField(_("impact"), validators=LEVELS)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=LEVELS)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    response = models.TextField(_("response procedure"), blank=True, default="")
    triggers = models.TextField(_("trigger indicators"), blank=True, default="")
    trigger_metrics = models.JSONField(
        _("indicator names"),
        default=list,
        blank=True,
        help_text=_("KPI codes or metric names that signal the risk."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN
    )
    playbook = models.ForeignKey(
        "planner.Playbook",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risks",
        verbose_name=_("playbook"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-impact", "-likelihood", "title", "id"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=5, likelihood__gte=1, likelihood__lte=5),
                name="risk_levels_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(category__in=RiskCategory.values), name="risk_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RiskStatus.values), name="risk_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return int(self.impact) * int(self.likelihood)


class Playbook(VersionedModel):
    """A crisis playbook: the scenario, prepared statements in Chinese and English, the
    escalation path (``steps``), the legal and PR contacts and the drill log."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="playbooks", verbose_name=_("plan")
    )
    title = models.CharField(_("title"), max_length=160)
    scenario = models.TextField(_("scenario"))
    statement_zh = models.TextField(_("prepared statement (Chinese)"), blank=True, default="")
    statement_en = models.TextField(_("prepared statement (English)"), blank=True, default="")
    legal_contact = models.TextField(_("legal contact"), blank=True, default="")
    pr_contact = models.TextField(_("PR contact"), blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "title", "id"]
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")

    def __str__(self) -> str:
        return self.title


class EscalationStep(models.Model):
    """One step of a playbook's escalation path, in order (written with the playbook)."""

    workspace_path = "playbook__plan__workspace"

    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="steps", verbose_name=_("playbook")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    role = models.CharField(_("role"), max_length=120)
    person = models.CharField(_("person"), max_length=120, blank=True, default="")
    response_minutes = models.PositiveIntegerField(
        _("response time (minutes)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["playbook", "order"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.UniqueConstraint(fields=["playbook", "order"], name="one_step_per_order"),
            models.CheckConstraint(condition=Q(response_minutes__gte=1), name="step_minutes_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.role}"


class Drill(TimeStampedModel):
    """One rehearsal of a playbook: when, who took part, what was found."""

    workspace_path = "playbook__plan__workspace"

    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="drills", verbose_name=_("playbook")
    )
    held_on = models.DateField(_("date"))
    participants = models.TextField(_("participants"))
    findings = models.TextField(_("findings"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["playbook", "-held_on", "-id"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")

    def __str__(self) -> str:
        return f"{self.playbook_id} @ {self.held_on}"


class StepAcknowledgement(models.Model):
    """An escalation step acknowledged for one alert: who and when (once per alert)."""

    workspace_path = "alert__plan__workspace"

    alert = models.ForeignKey(
        "monitoring.Alert",
        on_delete=models.CASCADE,
        related_name="step_acks",
        verbose_name=_("alert"),
    )
    step = models.ForeignKey(
        EscalationStep, on_delete=models.CASCADE, related_name="acks", verbose_name=_("step")
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), auto_now_add=True)

    class Meta:
        ordering = ["alert", "step__order"]
        verbose_name = _("step acknowledgement")
        verbose_name_plural = _("step acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["alert", "step"], name="one_ack_per_alert_step")
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}/{self.step_id}"
