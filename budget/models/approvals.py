"""Approvals of the plan's money: budget requests with their cost-benefit sheet and
decision log, reserve-fund draws, and the quarterly reallocation review.

None of these rows holds money: an approval moves it through ``budget.ledger`` and
keeps the ``Transfer`` it made.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from budget.models.money import ZERO, BudgetLine, Transfer
from core.models import TimeStampedModel, VersionedModel


class RequestStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("request status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("request status", "Submitted")
    APPROVED = "approved", pgettext_lazy("request status", "Approved")
    REJECTED = "rejected", pgettext_lazy("request status", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("request status", "Withdrawn")


class BudgetRequest(VersionedModel):
    """A request for money with its cost-benefit sheet (成本效益分析表).

    ``expected_roi`` is computed from the expected revenue and the cost by the plan's
    ROI definition (value = revenue, or revenue × gross margin on a margin basis;
    ROI = (value − cost) ÷ cost); nobody types it.
    """

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="budget_requests",
        verbose_name=_("plan"),
    )
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.PROTECT, related_name="+", verbose_name=_("channel")
    )
    campaign = models.ForeignKey(
        "content.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(_("cost"), max_digits=16, decimal_places=2)
    expected_users = models.PositiveIntegerField(_("expected users"), default=0)
    expected_revenue = models.DecimalField(
        _("expected revenue"), max_digits=16, decimal_places=2, default=ZERO
    )
    expected_roi = models.DecimalField(
        _("expected ROI"), max_digits=12, decimal_places=4, null=True, blank=True, editable=False
    )
    assumptions = models.TextField(_("assumptions"))
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("budget line"),
    )
    from_reserve = models.DecimalField(
        _("funded from the reserve"), max_digits=16, decimal_places=2, default=ZERO
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("budget request")
        verbose_name_plural = _("budget requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_request_cost_positive"),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="budget_request_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="budget_request_quarter_range"
            ),
            models.CheckConstraint(
                condition=Q(expected_revenue__gte=0, from_reserve__gte=0),
                name="budget_request_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"], name="budget_request_status_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def cost_per_user(self) -> Decimal | None:
        if not self.expected_users:
            return None
        return (self.amount / self.expected_users).quantize(Decimal("0.01"))


class DecisionAction(models.TextChoices):
    CREATE = "create", _("Drafted")
    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    WITHDRAW = "withdraw", _("Withdrawn")


class RequestDecision(TimeStampedModel):
    """One step of a request's life: who moved it from where to where, and why."""

    workspace_path = "request__plan__workspace"

    Action = DecisionAction

    request = models.ForeignKey(
        BudgetRequest,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("budget request"),
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=RequestStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=RequestStatus.choices)
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
        verbose_name = _("request decision")
        verbose_name_plural = _("request decisions")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"


class DrawStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("draw status", "Waiting for approval")
    APPROVED = "approved", pgettext_lazy("draw status", "Approved")
    REJECTED = "rejected", pgettext_lazy("draw status", "Rejected")


class ReserveDraw(VersionedModel):
    """A draw on the reserve fund (预留资金) into one budget line, approved by a manager."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="reserve_draws",
        verbose_name=_("plan"),
    )
    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="draws", verbose_name=_("budget line")
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=DrawStatus.choices, default=DrawStatus.PENDING
    )
    request = models.ForeignKey(
        BudgetRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="draws",
        verbose_name=_("for the budget request"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, default="")
    transfer = models.OneToOneField(
        Transfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transfer"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reserve draw")
        verbose_name_plural = _("reserve draws")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reserve_draw_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=DrawStatus.values), name="reserve_draw_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(transfer__isnull=False),
                name="reserve_draw_approved_has_transfer",
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"], name="reserve_draw_status_idx")]

    def __str__(self) -> str:
        return f"{self.line} · {self.amount}"


class ReallocationReview(TimeStampedModel):
    """The rolling review at the end of ``quarter``: moves among the lines of the
    quarters still ahead, from low-efficiency lines to the best ones."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="reallocation_reviews",
        verbose_name=_("plan"),
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter reviewed"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
        help_text=_("Empty: proposed by the scheduled job at the quarter's end."),
    )
    roi_floor = models.DecimalField(_("ROI floor"), max_digits=7, decimal_places=4, default=ZERO)
    max_move_pct = models.DecimalField(
        _("largest move per line (percent of the line)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
    )
    max_review_pct = models.DecimalField(
        _("largest review (percent of total)"), max_digits=5, decimal_places=2, default=ZERO
    )
    limit = models.DecimalField(
        _("most the review may move"), max_digits=16, decimal_places=2, default=ZERO
    )
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["plan", "-quarter"]
        verbose_name = _("reallocation review")
        verbose_name_plural = _("reallocation reviews")
        constraints = [
            models.UniqueConstraint(fields=["plan", "quarter"], name="one_review_per_quarter"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=3), name="review_quarter_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · Q{self.quarter}"


class MoveStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("move status", "Proposed")
    APPROVED = "approved", pgettext_lazy("move status", "Approved")
    REJECTED = "rejected", pgettext_lazy("move status", "Rejected")


class ReallocationMove(VersionedModel):
    """One proposed move of a review, with the reasons it was proposed (the donor's and
    the receiver's grade and ROI as they were), and the manager's decision."""

    workspace_path = "review__plan__workspace"

    review = models.ForeignKey(
        ReallocationReview,
        on_delete=models.CASCADE,
        related_name="moves",
        verbose_name=_("review"),
    )
    from_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("from line")
    )
    to_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("to line")
    )
    proposed_amount = models.DecimalField(_("proposed"), max_digits=16, decimal_places=2)
    approved_amount = models.DecimalField(
        _("approved"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    from_grade = models.CharField(_("grade of the source"), max_length=1, blank=True, default="")
    from_roi = models.FloatField(_("ROI of the source"), null=True, blank=True)
    to_grade = models.CharField(_("grade of the destination"), max_length=1, blank=True, default="")
    to_roi = models.FloatField(_("ROI of the destination"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=MoveStatus.choices, default=MoveStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, default="")
    transfer = models.OneToOneField(
        Transfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transfer"),
    )

    class Meta:
        ordering = ["review", "id"]
        verbose_name = _("reallocation move")
        verbose_name_plural = _("reallocation moves")
        constraints = [
            models.CheckConstraint(
                condition=Q(proposed_amount__gt=0), name="reallocation_move_positive"
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True)
                | Q(approved_amount__gt=0, approved_amount__lte=models.F("proposed_amount")),
                name="reallocation_move_approved_within_proposed",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MoveStatus.values), name="reallocation_move_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(transfer__isnull=False),
                name="reallocation_move_approved_has_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_line} → {self.to_line}: {self.proposed_amount}"
