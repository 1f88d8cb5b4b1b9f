"""Annual goals: objectives, KPIs with targets, breakdowns and actuals, and the
market-share and brand-voice goals of the plan (年度目标设定)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import VersionedModel
from kpis.breakdown import Rule

# Digits kept per unit: counts are whole, money has cents, rates are fractions
# (3.5 % is stored as 0.0350).
PLACES = {"count": 0, "money": 2, "percent": 4, "ratio": 4}


class ObjectiveArea(models.TextChoices):
    GROWTH = "growth", _("User growth")
    CONVERSION = "conversion", _("Conversion")
    COST = "cost", _("Cost and ROI")
    MARKET = "market", _("Market share")
    BRAND = "brand", _("Brand voice")


class Unit(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Percent")
    MONEY = "money", _("Money")
    RATIO = "ratio", _("Ratio")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Source(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    MONITORING = "monitoring", _("Computed from monitoring metrics")
    FORMULA = "formula", _("Driver formula")


class Aggregation(models.TextChoices):
    SUM = "sum", _("The parts add up to the year")
    WEIGHTED = "weighted", _("The year is the weighted average of the parts")


class Profile(models.TextChoices):
    EVEN = "even", _("Even")
    CHINA_RETAIL = "china_retail", _("Consumer retail seasons (Spring Festival, 618, Double 11)")
    B2B = "b2b", _("B2B seasons")
    MANUAL = "manual", _("By hand")


class Objective(VersionedModel):
    """An annual objective that groups KPIs (e.g. "grow the member base")."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="objectives", verbose_name=_("plan")
    )
    area = models.CharField(_("area"), max_length=16, choices=ObjectiveArea.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "sort_order", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area__in=ObjectiveArea.values), name="objective_area_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Kpi(VersionedModel):
    """A key indicator with an annual target, its breakdown and its actuals.

    An input KPI holds its own annual target. A formula KPI's value is computed
    from the KPIs its formula names (see kpis/formulas.py); its ``annual_target``,
    when set, is the goal the team committed to, and the difference is the gap
    that goal seek helps to close.
    ``months`` holds the monthly breakdown as 12 ``[value, weight]`` pairs
    (strings, to keep Decimals exact); ``channel_split`` and ``region_split``
    map a channel code or a region name to its part of the annual target.
    """

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="kpis", verbose_name=_("plan")
    )
    objective = models.ForeignKey(
        Objective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kpis",
        verbose_name=_("objective"),
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and _; used in formulas, uploads and the API."),
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=40, default="custom")
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.COUNT)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.MANUAL
    )
    formula = models.CharField(_("formula"), max_length=500, blank=True, default="")
    annual_target = models.DecimalField(
        _("annual target"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    aggregation = models.CharField(
        _("parts reconcile by"),
        max_length=8,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text=_("Counts and totals add up; rates and averages (CTR, AOV, CAC) are weighted."),
    )
    profile = models.CharField(
        _("breakdown"), max_length=16, choices=Profile.choices, default=Profile.EVEN
    )
    months = models.JSONField(_("monthly breakdown"), default=list, blank=True)
    channel_split = models.JSONField(_("split by channel"), default=dict, blank=True)
    region_split = models.JSONField(_("split by region"), default=dict, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "sort_order", "id"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="kpi_code_unique_per_plan"),
            models.CheckConstraint(condition=models.Q(unit__in=Unit.values), name="kpi_unit_valid"),
            models.CheckConstraint(
                condition=models.Q(aggregation__in=Aggregation.values), name="kpi_aggregation_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(source=Source.FORMULA, formula__gt="")
                | (~models.Q(source=Source.FORMULA) & models.Q(formula="")),
                name="kpi_formula_iff_formula_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def places(self) -> int:
        return PLACES[self.unit]

    @property
    def rule(self) -> Rule:
        return "weighted" if self.aggregation == Aggregation.WEIGHTED else "sum"

    @property
    def is_formula(self) -> bool:
        return self.source == Source.FORMULA

    def month_values(self) -> list[Decimal]:
        return [Decimal(value) for value, _weight in self.months]

    def month_weights(self) -> list[Decimal]:
        return [Decimal(weight) for _value, weight in self.months]


class KpiActual(models.Model):
    """The actual value of a KPI for one month (entered by hand or computed)."""

    workspace_path = "kpi__plan__workspace"

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="actuals")
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    value = models.DecimalField(_("actual"), max_digits=20, decimal_places=6)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kpi", "month"]
        verbose_name = _("KPI actual")
        verbose_name_plural = _("KPI actuals")
        constraints = [
            models.UniqueConstraint(fields=["kpi", "month"], name="one_actual_per_kpi_month"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="actual_month_in_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} m{self.month}: {self.value}"


class AttainmentPolicy(VersionedModel):
    """When a KPI counts as on track, at risk or off track, for one plan.

    Attainment is actual ÷ target (target ÷ actual when lower is better).
    At or above ``at_risk_below`` it is on track; at or above
    ``off_track_below`` at risk; below that off track. The same tolerance is
    what monitoring treats as "behind plan".
    """

    workspace_path = "plan__workspace"

    plan = models.OneToOneField(
        "planner.Plan", on_delete=models.CASCADE, related_name="attainment_policy"
    )
    at_risk_below = models.DecimalField(
        _("at risk below"), max_digits=5, decimal_places=4, default=Decimal("0.95")
    )
    off_track_below = models.DecimalField(
        _("off track below"), max_digits=5, decimal_places=4, default=Decimal("0.85")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attainment policy")
        verbose_name_plural = _("attainment policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(off_track_below__gt=0)
                & models.Q(at_risk_below__gte=models.F("off_track_below"))
                & models.Q(at_risk_below__lte=2),
                name="attainment_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at_risk_below}/{self.off_track_below}"


class GoalFamily(models.TextChoices):
    MARKET = "market", _("Market-share goals")
    BRAND = "brand", _("Brand-voice goals")


class GoalKind(models.TextChoices):
    COMPETITOR = "competitor", _("Competitor benchmark")
    SEGMENT = "segment", _("Niche segment")
    REGION = "region", _("Regional penetration")
    CHANNEL_MIX = "channel_mix", _("Channel diversification")
    CONTENT = "content", _("Content marketing")
    SOCIAL = "social", _("Social-media interaction")
    PR = "pr", _("PR and media partnerships")
    REPUTATION = "reputation", _("Reputation and feedback handling")


GOAL_KINDS_BY_FAMILY = {
    GoalFamily.MARKET: [
        GoalKind.COMPETITOR,
        GoalKind.SEGMENT,
        GoalKind.REGION,
        GoalKind.CHANNEL_MIX,
    ],
    GoalFamily.BRAND: [GoalKind.CONTENT, GoalKind.SOCIAL, GoalKind.PR, GoalKind.REPUTATION],
}


class StrategicGoal(VersionedModel):
    """A market-share or brand-voice goal with a measurable indicator.

    ``subject`` is what the goal is about: the named competitor, the niche
    segment, the region, the channel family, the content programme…
    ``reference`` is the comparison value where one applies (the competitor's
    share; the region's market size).
    """

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="strategic_goals"
    )
    family = models.CharField(_("family"), max_length=8, choices=GoalFamily.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=GoalKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    indicator = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.PERCENT)
    baseline = models.DecimalField(
        _("baseline"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=6)
    reference = models.DecimalField(
        _("reference"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    kpi = models.ForeignKey(
        Kpi,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="strategic_goals",
        verbose_name=_("measured by KPI"),
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "family", "kind", "id"]
        verbose_name = _("market or brand goal")
        verbose_name_plural = _("market and brand goals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    family=GoalFamily.MARKET, kind__in=GOAL_KINDS_BY_FAMILY[GoalFamily.MARKET]
                )
                | models.Q(
                    family=GoalFamily.BRAND, kind__in=GOAL_KINDS_BY_FAMILY[GoalFamily.BRAND]
                ),
                name="goal_kind_matches_family",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"
