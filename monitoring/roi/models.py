"""The ROI model of a plan: its agreed definition and the departments' sign-offs, the
cohorts that give the LTV, and the response curves the recompute job fits.

Imported by ``monitoring.models`` (the app's model module), so the tables belong to the
monitoring app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import VersionedModel
from monitoring.models import AttributionModel


class RoiBasis(models.TextChoices):
    REVENUE = "revenue", _("Revenue")
    MARGIN = "margin", _("Gross margin")


# Which revenue a channel is credited with: ``platform``, the revenue reported in the
# daily metrics, or one of the attribution models' credited value.
RoiAttribution = models.TextChoices(  # type: ignore[call-overload]  # the functional API
    "RoiAttribution",
    [
        ("PLATFORM", ("platform", _("As reported by the platforms"))),
        *((model.name, (model.value, model.label)) for model in AttributionModel),
    ],
)


class Department(models.TextChoices):
    FINANCE = "finance", _("Finance")
    OPERATIONS = "operations", _("Operations")


class RoiDefinition(VersionedModel):
    """How the plan measures ROI, agreed between marketing, finance and operations.

    ROI = (value − cost) ÷ cost, where value is revenue (revenue basis) or revenue × gross
    margin (margin basis) and cost is the media spend plus the optional costs chosen here.
    Every change clears the sign-offs (they are kept, marked cleared).
    """

    workspace_path = "plan__workspace"

    plan = models.OneToOneField(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="roi_definition",
        verbose_name=_("plan"),
    )
    basis = models.CharField(
        _("basis"), max_length=8, choices=RoiBasis.choices, default=RoiBasis.REVENUE
    )
    gross_margin = models.DecimalField(
        _("gross margin"),
        max_digits=5,
        decimal_places=4,
        default=0,
        help_text=_("A fraction: 0.35 is 35 %. Used on a margin basis."),
    )
    include_production = models.BooleanField(
        _("count campaign budgets (production)"), default=False
    )
    include_kol_fees = models.BooleanField(_("count KOL cooperation fees"), default=False)
    attribution_model = models.CharField(
        _("attribution model"),
        max_length=16,
        choices=RoiAttribution.choices,
        default=RoiAttribution.PLATFORM,
    )
    roi_floor = models.DecimalField(
        _("ROI floor"),
        max_digits=7,
        decimal_places=4,
        default=0,
        help_text=_("The lowest acceptable ROI, a fraction (0 = break even, 0.2 = 20 %)."),
    )
    ltv_horizon_months = models.PositiveSmallIntegerField(_("LTV horizon (months)"), default=12)
    discount_rate = models.DecimalField(
        _("annual discount rate"),
        max_digits=5,
        decimal_places=4,
        default=0.1,
        help_text=_("A fraction: 0.1 is 10 % a year."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ROI definition")
        verbose_name_plural = _("ROI definitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(basis__in=RoiBasis.values), name="roi_definition_basis_valid"
            ),
            models.CheckConstraint(
                condition=Q(attribution_model__in=RoiAttribution.values),
                name="roi_definition_attribution_valid",
            ),
            models.CheckConstraint(
                condition=Q(gross_margin__gte=0, gross_margin__lte=1),
                name="roi_definition_margin_0_1",
            ),
            models.CheckConstraint(
                condition=Q(ltv_horizon_months__gte=1, ltv_horizon_months__lte=120),
                name="roi_definition_horizon_1_120",
            ),
            models.CheckConstraint(
                condition=Q(discount_rate__gte=0, discount_rate__lte=1),
                name="roi_definition_discount_0_1",
            ),
        ]

    def __str__(self) -> str:
        return str(_("ROI definition of %(plan)s") % {"plan": self.plan})

    @property
    def value_share(self) -> float:
        """What part of revenue counts as value: the margin, or all of it."""
        return float(self.gross_margin) if self.basis == RoiBasis.MARGIN else 1.0


class RoiSignoff(models.Model):
    """A department's agreement to one version of the definition (who and when).

    A change of the definition clears the sign-offs standing on it (``cleared_at``); the
    rows stay as the history of who agreed to what.
    """

    workspace_path = "definition__plan__workspace"

    definition = models.ForeignKey(
        RoiDefinition,
        on_delete=models.CASCADE,
        related_name="signoffs",
        verbose_name=_("ROI definition"),
    )
    department = models.CharField(_("department"), max_length=12, choices=Department.choices)
    definition_version = models.PositiveIntegerField(_("version signed"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed"))
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = _("ROI sign-off")
        verbose_name_plural = _("ROI sign-offs")
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "department"],
                condition=Q(cleared_at__isnull=True),
                name="one_standing_signoff_per_department",
            ),
            models.CheckConstraint(
                condition=Q(department__in=Department.values), name="roi_signoff_department_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} v{self.definition_version}"


class RoiCohort(VersionedModel):
    """Users acquired in one month (by one channel, or plan-wide), how many stayed month by
    month, and what a retained user brings a month."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="roi_cohorts", verbose_name=_("plan")
    )
    month = models.DateField(_("cohort month"), help_text=_("The first day of the month."))
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("channel"),
        help_text=_("Empty: all channels (the plan-wide cohort)."),
    )
    users = models.PositiveIntegerField(_("users acquired"))
    retention = models.JSONField(
        _("retention by month"),
        default=list,
        help_text=_("Month 1, 2, …: the share of the users still active, as fractions."),
    )
    arpu = models.DecimalField(
        _("revenue per retained user a month"), max_digits=12, decimal_places=2, default=0
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "month", "channel"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(
                "plan", "month", Coalesce("channel", Value(0)), name="roi_cohort_one_per_key"
            ),
            models.CheckConstraint(condition=Q(arpu__gte=0), name="roi_cohort_arpu_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel_id or '*'}"


class CurveStatus(models.TextChoices):
    FITTED = "fitted", _("Fitted")
    FEW_WEEKS = "few_weeks", _("Not enough data: kept linear")
    FLAT = "flat", _("Spend hardly varies: kept linear")
    NO_SPEND = "no_spend", _("No spend")


class ResponseCurve(models.Model):
    """A channel's fitted spend → revenue curve and its bootstrap resamples, with the weekly
    spend history the scenarios start from. Written only by the recompute job."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="+", verbose_name=_("channel")
    )
    status = models.CharField(_("status"), max_length=10, choices=CurveStatus.choices)
    kind = models.CharField(max_length=10)  # hill | linear | constant
    params = models.JSONField(default=list)  # hill: [top, half, shape]; else [slope or level]
    samples = models.JSONField(default=list)  # the bootstrap resamples' params
    weekly_spend = models.JSONField(default=list)  # the history's weeks, oldest first
    weekly_revenue = models.JSONField(default=list)
    weeks = models.PositiveIntegerField(default=0)
    r2 = models.FloatField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "channel"], name="one_curve_per_channel"),
            models.CheckConstraint(
                condition=Q(status__in=CurveStatus.values), name="response_curve_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.status}"
