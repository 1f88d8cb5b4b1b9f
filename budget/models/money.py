"""The plan's money: one budget per plan, its lines, and the ledger of transfers.

Money only ever moves between *accounts* — the unallocated pool, the reserve
fund and the budget lines — through ``budget.ledger.transfer``, which writes one
``Transfer`` row per movement and changes both sides in the same transaction.
So the plan total always reconciles::

    total = allocated (Σ line.planned) + reserve_balance + unallocated

The budget row carries a CHECK constraint for that identity and for every
balance being non-negative; on PostgreSQL a deferred constraint trigger also
checks Σ line.planned = allocated at commit (migration 0002).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import VersionedModel

ZERO = Decimal("0.00")
HALF_CENT = Decimal("0.005")


class Budget(VersionedModel):
    """The plan's budget: its total, the reserve fund and the unallocated pool.

    ``version`` guards the settings (total, reserve %, review limits) against
    concurrent edits; the balances change only under the budget's row lock
    (``budget.ledger.locked_budget``), never through a form.
    """

    workspace_path = "plan__workspace"

    plan = models.OneToOneField(
        "planner.Plan", on_delete=models.CASCADE, related_name="budget", verbose_name=_("plan")
    )
    total = models.DecimalField(_("total budget"), max_digits=16, decimal_places=2, default=ZERO)
    reserve_pct = models.DecimalField(
        _("reserve fund (percent of total)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(50))],
        help_text=_("Held back from allocation; drawn only with a manager's approval."),
    )
    allocated = models.DecimalField(
        _("allocated to lines"), max_digits=16, decimal_places=2, default=ZERO, editable=False
    )
    reserve_balance = models.DecimalField(
        _("reserve balance"), max_digits=16, decimal_places=2, default=ZERO, editable=False
    )
    unallocated = models.DecimalField(
        _("unallocated"), max_digits=16, decimal_places=2, default=ZERO, editable=False
    )
    max_move_pct = models.DecimalField(
        _("largest move per line (percent of the line)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("A quarterly review takes at most this share of a low-efficiency line."),
    )
    max_review_pct = models.DecimalField(
        _("largest review (percent of total)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("A quarterly review moves at most this share of the total budget."),
    )
    q1_share = models.DecimalField(
        _("Q1 share (%)"), max_digits=5, decimal_places=2, default=Decimal("25.00")
    )
    q2_share = models.DecimalField(
        _("Q2 share (%)"), max_digits=5, decimal_places=2, default=Decimal("25.00")
    )
    q3_share = models.DecimalField(
        _("Q3 share (%)"), max_digits=5, decimal_places=2, default=Decimal("25.00")
    )
    q4_share = models.DecimalField(
        _("Q4 share (%)"), max_digits=5, decimal_places=2, default=Decimal("25.00")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            # To the cent: SQLite compares decimals as floating point, where
            # 0.05 + 0.01 is not 0.06; every amount is whole cents, so a gap
            # below half a cent is rounding and a real gap is at least a cent.
            models.CheckConstraint(
                condition=Q(
                    total__lt=F("allocated") + F("reserve_balance") + F("unallocated") + HALF_CENT
                )
                & Q(total__gt=F("allocated") + F("reserve_balance") + F("unallocated") - HALF_CENT),
                name="budget_total_reconciles",
            ),
            models.CheckConstraint(
                condition=Q(allocated__gte=0, reserve_balance__gte=0, unallocated__gte=0),
                name="budget_balances_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(reserve_pct__gte=0, reserve_pct__lte=50),
                name="budget_reserve_pct_range",
            ),
            models.CheckConstraint(
                condition=Q(q1_share__gte=0, q2_share__gte=0, q3_share__gte=0, q4_share__gte=0)
                & Q(
                    q1_share__lt=Decimal(100)
                    + HALF_CENT
                    - F("q2_share")
                    - F("q3_share")
                    - F("q4_share")
                )
                & Q(
                    q1_share__gt=Decimal(100)
                    - HALF_CENT
                    - F("q2_share")
                    - F("q3_share")
                    - F("q4_share")
                ),
                name="budget_quarter_split_is_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.total}"

    @property
    def quarter_split(self) -> list[Decimal]:
        """The seasonality of the allocation: each quarter's share of a channel's year (%)."""
        return [self.q1_share, self.q2_share, self.q3_share, self.q4_share]

    @property
    def allocatable(self) -> Decimal:
        """What the allocation rules divide: the total less the reserve fund."""
        return self.allocated + self.unallocated

    @property
    def reserve_target(self) -> Decimal:
        """The reserve the percentage asks for (before any draws)."""
        return (self.total * self.reserve_pct / 100).quantize(Decimal("0.01"))


class BudgetLine(VersionedModel):
    """Money planned for one channel (optionally one campaign) in one quarter.

    ``planned`` changes only through transfers (``budget.ledger``); each change
    bumps ``version`` so that an editor holding an older copy gets a conflict
    instead of overwriting a move.
    """

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="budget_lines",
        verbose_name=_("plan"),
    )
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("channel"),
    )
    campaign = models.ForeignKey(
        "content.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("campaign"),
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    planned = models.DecimalField(
        _("planned amount"), max_digits=16, decimal_places=2, default=ZERO, editable=False
    )
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "channel__family", "channel__sort_order", "channel__name", "quarter"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "channel", "quarter"],
                condition=Q(campaign__isnull=True),
                name="budget_line_one_per_channel_quarter",
            ),
            models.UniqueConstraint(
                fields=["plan", "channel", "campaign", "quarter"],
                condition=Q(campaign__isnull=False),
                name="budget_line_one_per_campaign_quarter",
            ),
            models.CheckConstraint(condition=Q(planned__gte=0), name="budget_line_not_negative"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="budget_line_quarter_range"
            ),
        ]
        indexes = [models.Index(fields=["plan", "quarter"], name="budget_line_plan_quarter_idx")]

    def __str__(self) -> str:
        where = f"{self.channel} · {self.campaign}" if self.campaign_id else str(self.channel)
        return f"{where} · Q{self.quarter}"


class Account(models.TextChoices):
    """Where a transfer takes money from or puts it."""

    OUTSIDE = "outside", _("Outside the plan")  # the total itself grows or shrinks
    UNALLOCATED = "unallocated", _("Unallocated")
    RESERVE = "reserve", _("Reserve fund")
    LINE = "line", pgettext_lazy("account", "Budget line")


class TransferKind(models.TextChoices):
    TOTAL = "total", _("Total changed")
    RESERVE = "reserve", _("Reserve set aside")
    ALLOCATE = "allocate", _("Allocation")
    ADJUST = "adjust", _("Line adjusted")
    REQUEST = "request", _("Approved request")
    MOVE = "move", _("Quarterly reallocation")
    DRAW = "draw", _("Reserve draw")


class Transfer(models.Model):
    """One movement of money between two accounts: the append-only budget ledger."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TransferKind.choices)
    source = models.CharField(_("from"), max_length=12, choices=Account.choices)
    source_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_out",
        verbose_name=_("from line"),
    )
    target = models.CharField(_("to"), max_length=12, choices=Account.choices)
    target_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
        verbose_name=_("to line"),
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=Q(source=Account.LINE, source_line__isnull=False)
                | (~Q(source=Account.LINE) & Q(source_line__isnull=True)),
                name="transfer_source_line_iff_line",
            ),
            models.CheckConstraint(
                condition=Q(target=Account.LINE, target_line__isnull=False)
                | (~Q(target=Account.LINE) & Q(target_line__isnull=True)),
                name="transfer_target_line_iff_line",
            ),
            models.CheckConstraint(
                condition=~Q(source=F("target")) | Q(source=Account.LINE),
                name="transfer_between_two_accounts",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TransferKind.values), name="transfer_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["plan", "created_at"], name="transfer_plan_created_idx")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}: {self.amount}"


# --- allocation rules ------------------------------------------------------------------------


class ObjectiveWeight(VersionedModel):
    """How much an annual objective counts when the budget is divided (e.g. growth 3, brand 1)."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    objective = models.OneToOneField(
        "kpis.Objective",
        on_delete=models.CASCADE,
        related_name="budget_weight",
        verbose_name=_("objective"),
    )
    weight = models.DecimalField(
        _("objective weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "objective__sort_order", "objective_id"]
        verbose_name = _("objective weight")
        verbose_name_plural = _("objective weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=100), name="objective_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective} × {self.weight}"


class AllocationRule(VersionedModel):
    """A channel's strategic priority and the objective it mainly serves.

    Its weight in the proposed allocation is ``priority × objective weight`` (the
    objective counts 1 when none is chosen); priority 0 leaves the channel out.
    """

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    channel = models.OneToOneField(
        "channels.Channel",
        on_delete=models.CASCADE,
        related_name="allocation_rule",
        verbose_name=_("channel"),
    )
    priority = models.DecimalField(
        _("strategic priority"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("0 leaves the channel out; 2 gets twice the money of 1."),
    )
    objective = models.ForeignKey(
        "kpis.Objective",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("serves objective"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "channel__family", "channel__sort_order", "channel__code"]
        verbose_name = _("allocation rule")
        verbose_name_plural = _("allocation rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__gte=0, priority__lte=100), name="allocation_priority_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} × {self.priority}"


# --- committed and actual: purchase orders and invoices ----------------------------------------


class PoStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("purchase order", "Open")
    INVOICED = "invoiced", _("Invoiced")
    CANCELLED = "cancelled", pgettext_lazy("purchase order", "Cancelled")


class PurchaseOrder(VersionedModel):
    """Money promised to a supplier against a line: committed until it is invoiced."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="purchase_orders",
        verbose_name=_("plan"),
    )
    line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("budget line"),
    )
    number = models.CharField(_("PO number"), max_length=40)
    supplier_name = models.CharField(_("supplier"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True, default="")
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    issued_on = models.DateField(_("issued on"))
    status = models.CharField(
        _("status"), max_length=12, choices=PoStatus.choices, default=PoStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-issued_on", "-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="po_number_unique_per_plan"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="po_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=PoStatus.values), name="po_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.supplier_name}"


class Invoice(VersionedModel):
    """A supplier's invoice against a line (and the purchase order it settles): actual spend."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="invoices", verbose_name=_("plan")
    )
    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("budget line")
    )
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("purchase order"),
    )
    number = models.CharField(_("invoice number"), max_length=40)
    supplier_name = models.CharField(_("supplier"), max_length=200, blank=True, default="")
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    invoiced_on = models.DateField(_("invoice date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-invoiced_on", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="invoice_number_unique_per_plan"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.amount}"
