"""Suppliers: the workspace's suppliers and their tiers, each plan's supplier policy,
periodic reviews, flags after repeated failures, risk-sharing clauses and the
joint-innovation fund with its projects.

A supplier belongs to the workspace (it outlives a plan); what is judged belongs to a
plan: the policy (pass mark, weights, tier cut-offs, failures before a flag), the
quarterly reviews, the flags and the innovation fund.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import VersionedModel

ZERO = Decimal("0.00")


def _score(label: Any, help_text: Any = "") -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        validators=[MaxValueValidator(100)],
        help_text=help_text,
    )


class SupplierCategory(models.TextChoices):
    MEDIA_BUYING = "media_buying", _("Media buying")
    CREATIVE = "creative", _("Creative and production")
    KOL_AGENCY = "kol_agency", _("KOL agency")
    PRINTING = "printing", _("Printing and packaging")
    EVENTS = "events", _("Events and exhibitions")
    LOGISTICS = "logistics", _("Logistics and warehousing")
    TECHNOLOGY = "technology", _("Technology and data")
    RESEARCH = "research", _("Market research")
    OTHER = "other", pgettext_lazy("supplier category", "Other")


class SupplierTier(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    PRIORITY = "priority", pgettext_lazy("supplier tier", "Priority")
    BASIC = "basic", pgettext_lazy("supplier tier", "Basic")


class Supplier(VersionedModel):
    """A supplier of the workspace, with its contract and the scores its tier comes from."""

    workspace_path = "workspace"

    workspace = models.ForeignKey(
        "planner.Workspace",
        on_delete=models.CASCADE,
        related_name="suppliers",
        verbose_name=_("workspace"),
    )
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(
        pgettext_lazy("supplier", "category"), max_length=16, choices=SupplierCategory.choices
    )
    contact_name = models.CharField(_("contact person"), max_length=80, blank=True, default="")
    contact_email = models.EmailField(_("contact email"), blank=True, default="")
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True, default="")
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    qualification_score = _score(
        _("qualification score"),
        _(
            "0–100: licences, certifications, financial standing and compliance record "
            "checked when the supplier was admitted."
        ),
    )
    capability_score = _score(
        _("capability score"),
        _("0–100: what they can deliver: team, scale, references and know-how in the category."),
    )
    tier_override = models.CharField(
        _("tier set by hand"),
        max_length=12,
        choices=SupplierTier.choices,
        blank=True,
        default="",
        help_text=_("Empty: the tier follows from the scores and the plan's cut-offs."),
    )
    tier_override_reason = models.CharField(
        _("reason for the manual tier"), max_length=300, blank=True, default=""
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive suppliers keep their history.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["workspace", "name", "id"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="supplier_name_unique_per_workspace"
            ),
            models.CheckConstraint(
                condition=Q(qualification_score__lte=100) & Q(capability_score__lte=100),
                name="supplier_scores_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(tier_override="") | ~Q(tier_override_reason=""),
                name="supplier_tier_override_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(contract_start__isnull=True)
                | Q(contract_end__isnull=True)
                | Q(contract_end__gte=F("contract_start")),
                name="supplier_contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SupplierPolicy(VersionedModel):
    """How a plan judges its suppliers: weights, pass mark, flags and tier cut-offs."""

    workspace_path = "plan__workspace"

    plan = models.OneToOneField(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="supplier_policy",
        verbose_name=_("plan"),
    )
    failures_to_flag = models.PositiveSmallIntegerField(
        _("failed reviews in a row before a flag"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("A supplier failing this many reviews in a row is flagged."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"),
        default=70,
        validators=[MaxValueValidator(100)],
        help_text=_("A review passes when its weighted score reaches this mark."),
    )
    weight_quality = models.PositiveSmallIntegerField(
        _("weight of quality (%)"), default=40, validators=[MaxValueValidator(100)]
    )
    weight_timeliness = models.PositiveSmallIntegerField(
        _("weight of timeliness (%)"), default=30, validators=[MaxValueValidator(100)]
    )
    weight_compliance = models.PositiveSmallIntegerField(
        _("weight of compliance (%)"), default=30, validators=[MaxValueValidator(100)]
    )
    strategic_min = models.PositiveSmallIntegerField(
        _("strategic cut-off"),
        default=85,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Strategic: qualification, capability and past performance all reach this score."
        ),
    )
    priority_min = models.PositiveSmallIntegerField(
        _("priority cut-off"),
        default=70,
        validators=[MaxValueValidator(100)],
        help_text=_("Priority: all three reach this score. Below it: basic."),
    )
    performance_window = models.PositiveSmallIntegerField(
        _("reviews counted as past performance"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Past performance is the average score of this many latest reviews."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplier policy")
        verbose_name_plural = _("supplier policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_quality__lte=100)
                & Q(weight_timeliness__lte=100)
                & Q(weight_compliance__lte=100),
                name="supplier_policy_weights_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(priority_min__lte=F("strategic_min")),
                name="supplier_policy_priority_below_strategic",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Supplier policy of %(plan)s") % {"plan": self.plan})


class SupplierReview(VersionedModel):
    """A supplier's review in a quarter of a plan: three scores and what they add up to.

    ``score`` and ``passed`` are derived from the scores and the plan's policy by the
    services (and recomputed when the policy changes); never set them by hand.
    """

    workspace_path = "plan__workspace"

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("supplier")
    )
    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="supplier_reviews",
        verbose_name=_("plan"),
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    quality = _score(_("quality"), _("0–100: the work met the brief and the brand standard."))
    timeliness = _score(_("timeliness"), _("0–100: deadlines and launch dates were kept."))
    compliance = _score(
        _("compliance"), _("0–100: contract, advertising law, data and invoicing rules.")
    )
    score = models.DecimalField(
        _("weighted score"), max_digits=4, decimal_places=1, default=Decimal("0.0"), editable=False
    )
    passed = models.BooleanField(_("passed"), default=False, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    comment = models.TextField(_("comment"), blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "supplier", "quarter"]
        verbose_name = _("supplier review")
        verbose_name_plural = _("supplier reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "plan", "quarter"], name="supplier_review_one_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="supplier_review_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quality__lte=100) & Q(timeliness__lte=100) & Q(compliance__lte=100),
                name="supplier_review_scores_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} Q{self.quarter}"


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("flag", "Open")
    RESOLVED = "resolved", pgettext_lazy("flag", "Resolved")
    WITHDRAWN = "withdrawn", pgettext_lazy("flag", "Withdrawn")


class FlagAction(models.TextChoices):
    CORRECTION = "correction", _("Correction plan")
    REPLACEMENT = "replacement", _("Replace the supplier")


class SupplierFlag(VersionedModel):
    """A supplier flagged in a plan after ``failures_to_flag`` failed reviews in a row.

    Raised and withdrawn only by the review services (recomputed on every review write);
    a later pass leaves it open: a manager chooses the action and resolves it. When the
    reviews that raised it are edited or deleted so that the run is gone, it is withdrawn
    automatically (kept, with why).
    """

    workspace_path = "plan__workspace"

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="flags", verbose_name=_("supplier")
    )
    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="supplier_flags",
        verbose_name=_("plan"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    opened_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    quarters = models.JSONField(
        _("failed quarters"), default=list, help_text=_("The failed reviews in a row, in order.")
    )
    trigger_quarter = models.PositiveSmallIntegerField(
        _("flagged in quarter"),
        help_text=_("The quarter whose failure completed the run."),
    )
    scores = models.JSONField(
        _("scores of the failed reviews"), default=list, help_text=_("In the same order.")
    )
    pass_mark = models.PositiveSmallIntegerField(_("pass mark then"))
    failures_to_flag = models.PositiveSmallIntegerField(_("failures that raise a flag then"))
    action = models.CharField(
        _("action chosen"), max_length=12, choices=FlagAction.choices, blank=True, default=""
    )
    action_note = models.TextField(_("plan of action"), blank=True, default="")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("how it was resolved"), blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "supplier", "-opened_at", "-id"]
        verbose_name = _("supplier flag")
        verbose_name_plural = _("supplier flags")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "plan"],
                condition=Q(status="open"),
                name="supplier_flag_one_open_per_plan",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | (~Q(action="") & ~Q(resolution="")),
                name="supplier_flag_resolved_has_action_and_resolution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} · {self.get_status_display()}"

    @property
    def failures(self) -> list[tuple[int, str]]:
        """(quarter, weighted score) of each failed review of the run, in order."""
        return list(zip(self.quarters, self.scores, strict=False))


class ClauseKind(models.TextChoices):
    PRICE_INDEX = "price_index", _("Price-index adjustment")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    BACKUP = "backup", _("Backup supplier")
    OTHER = "other", pgettext_lazy("clause kind", "Other")


class RiskClause(VersionedModel):
    """A risk-sharing clause of a supplier's contract.

    * price-index adjustment: ``index_name``, ``threshold_pct`` (the index moves by more
      than this before prices change) and ``supplier_share_pct`` (the supplier bears this
      share of the change; we bear the rest);
    * force majeure: ``events`` and ``notice_days``;
    * backup supplier: ``backup`` (another supplier of the workspace);
    * other: ``text`` only.
    """

    workspace_path = "supplier__workspace"

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="clauses", verbose_name=_("supplier")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ClauseKind.choices)
    title = models.CharField(_("title"), max_length=160, blank=True, default="")
    text = models.TextField(_("terms"), blank=True, default="")
    index_name = models.CharField(_("price index"), max_length=120, blank=True, default="")
    threshold_pct = models.DecimalField(
        _("threshold (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Prices are adjusted only when the index moves by more than this."),
    )
    supplier_share_pct = models.DecimalField(
        _("share borne by the supplier (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("The rest of the change is borne by us."),
    )
    events = models.TextField(_("events covered"), blank=True, default="")
    notice_days = models.PositiveSmallIntegerField(
        _("notice (days)"), null=True, blank=True, validators=[MaxValueValidator(365)]
    )
    backup = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="backing_clauses",
        verbose_name=_("backup supplier"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier", "kind", "id"]
        verbose_name = _("risk-sharing clause")
        verbose_name_plural = _("risk-sharing clauses")
        constraints = [
            models.CheckConstraint(
                condition=Q(backup__isnull=True) | ~Q(backup=F("supplier")),
                name="risk_clause_backup_is_another_supplier",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(self.get_kind_display())

    @property
    def our_share_pct(self) -> Decimal | None:
        if self.supplier_share_pct is None:
            return None
        return Decimal(100) - self.supplier_share_pct


class InnovationFund(VersionedModel):
    """The plan's joint-innovation fund: money set aside for projects with suppliers."""

    workspace_path = "plan__workspace"

    plan = models.OneToOneField(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="innovation_fund",
        verbose_name=_("plan"),
    )
    amount = models.DecimalField(_("fund amount"), max_digits=16, decimal_places=2, default=ZERO)
    purpose = models.TextField(_("purpose"), blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("joint-innovation fund")
        verbose_name_plural = _("joint-innovation funds")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="innovation_fund_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return str(_("Joint-innovation fund of %(plan)s") % {"plan": self.plan})


class ProjectStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    RUNNING = "running", pgettext_lazy("project", "Running")
    DONE = "done", pgettext_lazy("project", "Done")
    STOPPED = "stopped", pgettext_lazy("project", "Stopped")


class InnovationProject(VersionedModel):
    """A project of the joint-innovation fund; Σ budgets of a plan's projects ≤ the fund."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="innovation_projects",
        verbose_name=_("plan"),
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("goal"), blank=True, default="")
    suppliers = models.ManyToManyField(
        Supplier, related_name="innovation_projects", blank=True, verbose_name=_("suppliers")
    )
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, default=ZERO)
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.IDEA
    )
    results = models.TextField(
        _("shared results"),
        blank=True,
        default="",
        help_text=_("What came out of it and who may use it (IP, data, formats)."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "name", "id"]
        verbose_name = _("innovation project")
        verbose_name_plural = _("innovation projects")
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="innovation_project_name_unique"),
            models.CheckConstraint(
                condition=Q(budget__gte=0), name="innovation_project_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name
