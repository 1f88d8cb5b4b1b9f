"""Data monitoring: the daily metrics that come in, their imports, and what the
recompute job stores from them (rollups, channel grades, alerts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.db import BlockRangeIndex
from core.models import VersionedModel
from monitoring.analytics import grading

#: The metric columns of a daily metrics file, in the order of SPEC.md.
COUNT_FIELDS = ("impressions", "clicks", "visits", "signups", "conversions", "new_users")
MONEY_FIELDS = ("spend", "revenue")
METRIC_FIELDS = (*COUNT_FIELDS, *MONEY_FIELDS)
DEFAULT_STAGES = ["impressions", "clicks", "visits", "signups", "conversions"]


class MonitoringSettings(VersionedModel):
    """How a plan reads its data: funnel stages, grading weights and cut-offs."""

    workspace_path = "plan__workspace"

    plan = models.OneToOneField(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="monitoring_settings",
        verbose_name=_("plan"),
    )
    funnel_stages = models.JSONField(_("funnel stages"), default=list)
    grade_weights = models.JSONField(_("grading weights"), default=dict)
    grade_cutoffs = models.JSONField(_("grade cut-offs"), default=dict)
    max_shift = models.DecimalField(
        _("largest suggested budget shift"),
        max_digits=5,
        decimal_places=4,
        default=0.2,
        help_text=_("The share of a channel's budget a grade may move (0.2 = 20 %)."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monitoring settings")
        verbose_name_plural = _("monitoring settings")

    def __str__(self) -> str:
        return str(_("Monitoring settings of %(plan)s") % {"plan": self.plan})

    def stages(self) -> list[str]:
        return list(self.funnel_stages or DEFAULT_STAGES)

    def weights(self) -> grading.Weights:
        """The grading weights (the defaults of ``monitoring.analytics.grading`` if unset)."""
        return grading.Weights(**self.grade_weights) if self.grade_weights else grading.Weights()

    def cutoffs(self) -> grading.Cutoffs:
        return grading.Cutoffs(**self.grade_cutoffs) if self.grade_cutoffs else grading.Cutoffs()


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Imported")
    CHECKED = "checked", _("Checked (dry run)")
    FAILED = "failed", _("Refused")


class ImportRecord(models.Model):
    """What every import's history row has: who uploaded what, when, its outcome and
    every problem found (capped: ``[{"row": 12, "column": "clicks", "message": "…"}]``)."""

    workspace_path = "plan__workspace"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    filename = models.CharField(_("file"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size"), default=0)
    dry_run = models.BooleanField(_("dry run"), default=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    errors = models.JSONField(_("problems found"), default=list, blank=True)
    first_date = models.DateField(_("first day"), null=True, blank=True)
    last_date = models.DateField(_("last day"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"  # type: ignore[attr-defined]


class MetricImport(ImportRecord):
    """One upload of daily metrics: who, when, what it did, and every problem found."""

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="metric_imports",
        verbose_name=_("plan"),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    file = models.FileField(
        _("stored file"), upload_to="imports/metrics/", blank=True, default=""
    )  # kept only while a background import waits or runs
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_inserted = models.PositiveIntegerField(_("rows added"), default=0)
    rows_replaced = models.PositiveIntegerField(_("rows replaced"), default=0)

    class Meta(ImportRecord.Meta):
        verbose_name = _("metrics import")
        verbose_name_plural = _("metrics imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="metric_import_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="metric_import_progress_0_100"
            ),
        ]


class DailyMetric(models.Model):
    """One day of one channel (and optionally one campaign) of a plan.

    A row with the same plan, date, channel and campaign replaces the earlier one.
    The importer keeps that true (``monitoring.importer``): under the plan's import
    lock it appends the new rows and deletes the rows they replace, in one
    transaction. There is no unique index to do it: a bulk load pays for every index
    and every per-row check, and this table takes a million rows at a time.
    """

    workspace_path = "plan__workspace"

    # On PostgreSQL the id sequence steps by a block of this many ids (migration 0008):
    # a row inserted on its own takes a fresh block's first id; an import takes one
    # block and numbers its rows itself, so its COPY pays no ``nextval`` per row.
    ID_BLOCK = 2**21

    # No database constraints on the foreign keys: every row of an import has the one
    # plan the import checked and the plan's channel and campaign codes, read under
    # row locks that a concurrent delete waits for (channels and content services
    # lock the row before they look for metrics). Django still refuses to delete a
    # channel or campaign with metrics (RESTRICT is enforced by Django's collector).
    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="metrics",
        verbose_name=_("plan"),
        db_index=False,  # the block range index below serves it
        db_constraint=False,
    )
    date = models.DateField(_("date"))
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.RESTRICT,  # a channel with data is deactivated, not deleted
        related_name="metrics",
        verbose_name=_("channel"),
        db_index=False,
        db_constraint=False,
    )
    campaign = models.ForeignKey(
        "content.Campaign",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="metrics",
        verbose_name=_("campaign"),
        db_index=False,
        db_constraint=False,
    )
    impressions = models.PositiveBigIntegerField(_("impressions"), default=0)
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    visits = models.PositiveBigIntegerField(_("visits"), default=0)
    signups = models.PositiveBigIntegerField(_("sign-ups"), default=0)
    conversions = models.PositiveBigIntegerField(_("conversions"), default=0)
    new_users = models.PositiveBigIntegerField(_("new users"), default=0)
    spend = models.DecimalField(_("spend"), max_digits=14, decimal_places=2, default=0)
    revenue = models.DecimalField(_("revenue"), max_digits=14, decimal_places=2, default=0)
    source_import = models.ForeignKey(
        MetricImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import"),
        db_index=False,  # imports are history: never deleted by the application
        db_constraint=False,
    )

    class Meta:
        ordering = ["plan", "date", "channel"]
        verbose_name = _("daily metric")
        verbose_name_plural = _("daily metrics")
        constraints = [
            models.CheckConstraint(
                condition=Q(spend__gte=0, revenue__gte=0), name="daily_metric_money_positive"
            ),
            models.CheckConstraint(
                condition=Q(clicks__lte=models.F("impressions")) | Q(impressions=0),
                name="daily_metric_clicks_within_impressions",
            ),
        ]
        # One index only: a plan's days. BRIN on PostgreSQL (imports append a plan's
        # rows in large runs), B-tree elsewhere.
        indexes = [BlockRangeIndex(fields=["plan", "date"], name="metric_plan_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.channel_id}"


class Period(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class MetricRollup(models.Model):
    """Stored sums of the daily metrics per period, for the plan (no channel, no
    campaign), per channel, or per campaign. Written only by the recompute job."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    start = models.DateField(_("period start"))
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, null=True, related_name="+"
    )
    campaign = models.ForeignKey(
        "content.Campaign", on_delete=models.CASCADE, null=True, related_name="+"
    )
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    visits = models.PositiveBigIntegerField(default=0)
    signups = models.PositiveBigIntegerField(default=0)
    conversions = models.PositiveBigIntegerField(default=0)
    new_users = models.PositiveBigIntegerField(default=0)
    spend = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        ordering = ["plan", "period", "start"]
        constraints = [
            models.UniqueConstraint(
                "plan",
                "period",
                "start",
                Coalesce("channel", Value(0)),
                Coalesce("campaign", Value(0)),
                name="rollup_one_row_per_key",
            ),
            models.CheckConstraint(
                condition=Q(channel__isnull=True) | Q(campaign__isnull=True),
                name="rollup_channel_or_campaign",
            ),
        ]
        indexes = [models.Index(fields=["plan", "period", "start"], name="rollup_plan_period")]

    def __str__(self) -> str:
        return f"{self.period} {self.start}"


class Grade(models.TextChoices):
    A = "A", _("A: scale up")
    B = "B", _("B: keep and optimise")
    C = "C", _("C: cut or rework")


class ChannelGrade(models.Model):
    """A channel's ABC grade from its year-to-date results (stored by the recompute)."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.CASCADE,
        related_name="grades",
        verbose_name=_("channel"),
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    score = models.FloatField(_("score"))
    quality = models.FloatField(_("user quality score"))
    cost = models.FloatField(_("cost score"))
    volume = models.FloatField(_("volume score"))
    conversions = models.PositiveBigIntegerField(_("conversions"), default=0)
    spend = models.DecimalField(_("spend"), max_digits=16, decimal_places=2, default=0)
    cvr = models.FloatField(_("conversion rate"), null=True)
    cpa = models.FloatField(_("cost per acquisition"), null=True)
    retention = models.FloatField(_("retention"), null=True)
    suggested_shift = models.DecimalField(
        _("suggested budget shift"), max_digits=16, decimal_places=2, default=0
    )
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["plan", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "channel"], name="one_grade_per_channel"),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="channel_grade_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.grade}"


class Metric(models.TextChoices):
    """What an alert rule watches: a daily metric or a rate derived from them."""

    IMPRESSIONS = "impressions", _("Impressions")
    CLICKS = "clicks", _("Clicks")
    VISITS = "visits", _("Visits")
    SIGNUPS = "signups", _("Sign-ups")
    CONVERSIONS = "conversions", _("Conversions")
    NEW_USERS = "new_users", _("New users")
    SPEND = "spend", _("Spend")
    REVENUE = "revenue", _("Revenue")
    CTR = "ctr", _("CTR (clicks / impressions)")
    CVR = "cvr", _("CVR (conversions / clicks)")
    CPC = "cpc", _("CPC (spend / clicks)")
    CPA = "cpa", _("CPA (spend / conversions)")
    ROAS = "roas", _("ROAS (revenue / spend)")


class RuleKind(models.TextChoices):
    BOUNDS = "bounds", _("Fixed bounds")
    CHANGE = "change", _("Change against a baseline")
    STATISTICAL = "statistical", _("Statistical (weekly seasonality)")


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class AlertRule(VersionedModel):
    """When to raise an alert on a metric, for one channel or all of them."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="alert_rules",
        verbose_name=_("plan"),
    )
    name = models.CharField(_("name"), max_length=120)
    metric = models.CharField(_("metric"), max_length=12, choices=Metric.choices)
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_rules",
        verbose_name=_("channel"),
        help_text=_("Empty: every channel, each on its own."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RuleKind.choices)
    lower = models.FloatField(_("lower bound"), null=True, blank=True)
    upper = models.FloatField(_("upper bound"), null=True, blank=True)
    change_pct = models.FloatField(
        _("allowed change (%)"),
        null=True,
        blank=True,
        help_text=_("Alert when the day differs from the baseline by more than this."),
    )
    baseline_days = models.PositiveSmallIntegerField(_("baseline (days)"), default=28)
    threshold = models.FloatField(
        _("robust z threshold"),
        default=3.5,
        help_text=_("How unusual a day must be, in robust standard deviations."),
    )
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.WARNING
    )
    is_active = models.BooleanField(_("active"), default=True)
    playbook = models.ForeignKey(
        "planner.Playbook",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alert_rules",
        verbose_name=_("playbook"),
        help_text=_("The crisis playbook an alert of this rule triggers."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "metric", "name"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        constraints = [
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="rule_metric_valid"),
            models.CheckConstraint(condition=Q(kind__in=RuleKind.values), name="rule_kind_valid"),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="rule_severity_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class AlertSource(models.TextChoices):
    RULE = "rule", _("Alert rule")
    BEHIND_PLAN = "behind_plan", _("Behind plan")


class Alert(VersionedModel):
    """One incident: raised once however often the recompute runs (``dedup_key``)."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="alerts", verbose_name=_("plan")
    )
    source = models.CharField(_("source"), max_length=12, choices=AlertSource.choices)
    rule = models.ForeignKey(
        AlertRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("rule"),
    )
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("channel"),
    )
    kpi = models.ForeignKey(
        "kpis.Kpi",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("KPI"),
    )
    metric = models.CharField(_("metric"), max_length=40)
    window_start = models.DateField(pgettext_lazy("alert window", "from"))
    window_end = models.DateField(pgettext_lazy("alert window", "to"))
    expected_low = models.FloatField(_("expected from"), null=True, blank=True)
    expected_high = models.FloatField(_("expected to"), null=True, blank=True)
    observed = models.FloatField(_("observed"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    message = models.CharField(_("message"), max_length=300, blank=True, default="")
    dedup_key = models.CharField(_("incident key"), max_length=200)
    opened_at = models.DateTimeField(_("opened"))
    last_seen_at = models.DateTimeField(_("last seen"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    note = models.TextField(_("note"), blank=True, default="")

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["plan", "dedup_key"], name="one_alert_per_incident"),
            models.CheckConstraint(
                condition=Q(status__in=AlertStatus.values), name="alert_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="alert_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")), name="alert_window_ordered"
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"], name="alert_plan_status")]

    def __str__(self) -> str:
        return f"{self.metric} {self.window_start}"


class ComputeState(models.Model):
    """Where a plan's recompute stands: asked for when, run when, how it went."""

    workspace_path = "plan__workspace"

    plan = models.OneToOneField(
        "planner.Plan", on_delete=models.CASCADE, related_name="compute_state"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    # Requests made (each counted in its own transaction) and the count the last
    # successful run had seen when it began: a run with nothing new to cover is skipped.
    requests = models.PositiveBigIntegerField(default=0)
    covered = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"compute state of plan {self.plan_id}"


# --- attribution ---------------------------------------------------------------------------------


class AttributionModel(models.TextChoices):
    """The attribution models (their keys are part of the API and of the ROI definition)."""

    LAST_CLICK = "last_click", _("Last click")
    FIRST_CLICK = "first_click", _("First click")
    LINEAR = "linear", _("Linear")
    TIME_DECAY = "time_decay", _("Time decay")
    POSITION_BASED = "position_based", _("Position based")
    MARKOV = "markov", _("Data-driven (Markov)")


class JourneyFormat(models.TextChoices):
    TOUCHPOINTS = "touchpoints", _("Touchpoint rows")
    PATHS = "paths", _("Path rows")


class JourneyImportMode(models.TextChoices):
    REPLACE = "replace", _("Replace the plan's journeys")
    APPEND = "append", _("Add to the plan's journeys")


class AttributionSettings(VersionedModel):
    """How a plan's attribution models are parameterised."""

    workspace_path = "plan__workspace"

    plan = models.OneToOneField(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="attribution_settings",
        verbose_name=_("plan"),
    )
    half_life_days = models.DecimalField(
        _("time-decay half-life (days)"),
        max_digits=6,
        decimal_places=2,
        default=7,
        help_text=_("A touch this many days before the conversion counts half as much."),
    )
    first_share = models.DecimalField(
        _("first touch share"), max_digits=5, decimal_places=4, default=0.4
    )
    last_share = models.DecimalField(
        _("last touch share"), max_digits=5, decimal_places=4, default=0.4
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attribution settings")
        verbose_name_plural = _("attribution settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(half_life_days__gt=0), name="attribution_half_life_positive"
            ),
            models.CheckConstraint(
                condition=Q(first_share__gte=0, last_share__gte=0)
                & Q(first_share__lte=1 - models.F("last_share")),
                name="attribution_shares_within_one",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Attribution settings of %(plan)s") % {"plan": self.plan})


class JourneyImport(ImportRecord):
    """One upload of customer journeys: who, when, what it held, and every problem found."""

    plan = models.ForeignKey(
        "planner.Plan",
        on_delete=models.CASCADE,
        related_name="journey_imports",
        verbose_name=_("plan"),
    )
    mode = models.CharField(
        _("mode"),
        max_length=8,
        choices=JourneyImportMode.choices,
        default=JourneyImportMode.REPLACE,
    )
    format = models.CharField(
        _("format"), max_length=12, choices=JourneyFormat.choices, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    journeys = models.PositiveBigIntegerField(_("journeys"), default=0)
    conversions = models.PositiveBigIntegerField(_("conversions"), default=0)
    value = models.DecimalField(_("conversion value"), max_digits=16, decimal_places=2, default=0)
    paths = models.PositiveIntegerField(_("distinct paths"), default=0)
    touches_cut = models.PositiveIntegerField(_("touches after a conversion (dropped)"), default=0)

    class Meta(ImportRecord.Meta):
        verbose_name = _("journeys import")
        verbose_name_plural = _("journeys imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="journey_import_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=JourneyImportMode.values), name="journey_import_mode_valid"
            ),
        ]


class JourneyPath(models.Model):
    """A distinct path of a plan's journeys with its counts (what the models read).

    ``channels``: the channel ids in order. ``ages``: for a converting path from
    touchpoints, each touch's whole days before the conversion (time decay needs
    them); null for paths that did not convert and for path-row imports.
    """

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    source_import = models.ForeignKey(
        JourneyImport,
        on_delete=models.CASCADE,
        related_name="stored_paths",
        verbose_name=_("import"),
    )
    channels = models.JSONField(_("channels"))
    ages = models.JSONField(_("days before the conversion"), null=True, blank=True)
    conversions = models.PositiveBigIntegerField(_("conversions"), default=0)
    value = models.DecimalField(_("conversion value"), max_digits=16, decimal_places=2, default=0)
    nulls = models.PositiveBigIntegerField(_("journeys without conversion"), default=0)

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("journey path")
        verbose_name_plural = _("journey paths")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0), name="journey_path_value_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["plan", "source_import"], name="journey_path_plan")]

    def __str__(self) -> str:
        return " > ".join(str(c) for c in self.channels)


class AttributionRun(models.Model):
    """The dataset and parameters of a plan's last attribution (stored by the recompute)."""

    workspace_path = "plan__workspace"

    plan = models.OneToOneField(
        "planner.Plan", on_delete=models.CASCADE, related_name="attribution_run"
    )
    computed_at = models.DateTimeField(_("computed"))
    journeys = models.PositiveBigIntegerField(_("journeys"), default=0)
    paths = models.PositiveIntegerField(_("distinct paths"), default=0)
    conversions = models.PositiveBigIntegerField(_("conversions"), default=0)
    value = models.DecimalField(_("conversion value"), max_digits=16, decimal_places=2, default=0)
    has_timestamps = models.BooleanField(_("time decay available"), default=False)
    half_life_days = models.DecimalField(max_digits=6, decimal_places=2, default=7)
    first_share = models.DecimalField(max_digits=5, decimal_places=4, default=0.4)
    last_share = models.DecimalField(max_digits=5, decimal_places=4, default=0.4)
    conversion_probability = models.FloatField(_("conversion probability"), default=0)

    def __str__(self) -> str:
        return f"attribution of plan {self.plan_id}"


class AttributionResult(models.Model):
    """A channel's credit under one model (stored by the recompute)."""

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    model = models.CharField(_("model"), max_length=16, choices=AttributionModel.choices)
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="+", verbose_name=_("channel")
    )
    conversions = models.FloatField(_("attributed conversions"))
    value = models.DecimalField(_("attributed value"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        ordering = ["plan", "model", "-conversions"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "model", "channel"], name="one_attribution_per_model_channel"
            ),
            models.CheckConstraint(
                condition=Q(model__in=AttributionModel.values), name="attribution_model_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.channel_id}"


# The ROI model's tables (definition, sign-offs, cohorts, response curves) live in their
# own module; importing them here registers them with the monitoring app.
# --- competitor tracking (monitoring/competitors.py) ------------------------------------------
from monitoring.competitors import (  # noqa: E402, F401 - models kept in their own module
    Competitor,
    CompetitorObservation,
    Feature,
    FeatureValue,
)
from monitoring.roi.models import (  # noqa: E402, F401
    Department,
    ResponseCurve,
    RoiAttribution,
    RoiBasis,
    RoiCohort,
    RoiDefinition,
    RoiSignoff,
)
