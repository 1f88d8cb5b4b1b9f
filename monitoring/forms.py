"""Forms of the monitoring pages: they parse; the services validate and save."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channels.models import Channel
from monitoring import services
from monitoring.models import (
    COUNT_FIELDS,
    AlertRule,
    AlertStatus,
    AttributionSettings,
    JourneyImportMode,
    Metric,
    MonitoringSettings,
    Period,
    RuleKind,
    Severity,
)
from planner.forms import ServiceForm, VersionField
from planner.models import Plan

MAX_STAGES = len(COUNT_FIELDS)
TREND_EVERY = (("day", _("Daily")), ("week", _("Weekly")))
TABLE_PERIODS = [(p.value, p.label) for p in Period if p != Period.YEAR]
DEFAULT_STATUSES = [AlertStatus.OPEN.value, AlertStatus.ACKNOWLEDGED.value]


def _channels(plan: Plan) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.filter(plan=plan).order_by("sort_order", "code"),
        required=False,
        empty_label=_("All channels"),
    )


class OverviewForm(forms.Form):
    """The overview's choices (GET): the trend's channel and metrics, the funnel table's period."""

    channel = forms.ModelChoiceField(queryset=Channel.objects.none(), required=False)
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices, required=False)
    compare = forms.ChoiceField(
        label=_("Compared with"),
        choices=[("", _("Nothing")), *Metric.choices],
        required=False,
    )
    every = forms.ChoiceField(label=_("Points"), choices=TREND_EVERY, required=False)
    period = forms.ChoiceField(
        label=pgettext_lazy("reporting period", "Period"), choices=TABLE_PERIODS, required=False
    )
    start = forms.DateField(label=_("Which one"), required=False, widget=forms.Select)

    DEFAULTS: dict[str, Any] = {
        "metric": "spend",
        "compare": "ctr",
        "every": "week",
        "period": Period.MONTH.value,
    }

    def __init__(self, data: Any, *, plan: Plan) -> None:
        """Unbound: each choice is read on its own, and one that does not parse falls
        back to its default rather than spoiling the others."""
        super().__init__(auto_id="f_%s")
        self.fields["channel"] = _channels(plan)
        self.chosen: dict[str, Any] = {}
        for name, field in self.fields.items():
            raw = data.get(name)
            try:
                value = field.clean(raw) if raw is not None else None
            except forms.ValidationError:
                value = None
            if value in (None, "") and not (name == "compare" and raw == ""):
                value = self.DEFAULTS.get(name)
            self.chosen[name] = value or None
        self.initial = {
            "channel": self.chosen["channel"].pk if self.chosen["channel"] else None,
            "metric": self.chosen["metric"],
            "compare": self.chosen["compare"] or "",
            "every": self.chosen["every"],
            "period": self.chosen["period"],
        }

    def choice(self, name: str) -> Any:
        return self.chosen.get(name)

    def set_starts(self, starts: list[Any], labels: list[str], chosen: Any) -> None:
        """Offer the periods that have data; ``chosen`` is selected."""
        field = self.fields["start"]
        choices = [(d.isoformat(), label) for d, label in zip(starts, labels, strict=True)]
        cast(forms.Select, field.widget).choices = choices
        self.initial["start"] = chosen.isoformat() if chosen else None


class AlertFilterForm(forms.Form):
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=AlertStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[("", _("Any severity")), *Severity.choices],
        required=False,
    )

    def __init__(self, data: Any) -> None:
        """Unbound, showing what was chosen: open and acknowledged alerts unless a
        status is ticked, any severity unless one is chosen."""
        super().__init__(auto_id="af_%s")
        statuses = [s for s in data.getlist("status") if s in AlertStatus.values]
        severity = data.get("severity", "")
        self.statuses = statuses or list(DEFAULT_STATUSES)
        self.chosen_severity = severity if severity in Severity.values else ""
        self.initial = {"status": self.statuses, "severity": self.chosen_severity}


class AlertActionForm(forms.Form):
    ACTIONS = (
        ("acknowledge", _("Acknowledge")),
        ("resolve", _("Resolve")),
        ("reopen", _("Reopen")),
    )

    action = forms.ChoiceField(choices=ACTIONS)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()


class RuleForm(ServiceForm):
    """An alert rule; only the fields of its kind are kept (the others are cleared)."""

    required_by_service = True
    KIND_FIELDS = {
        "lower": RuleKind.BOUNDS,
        "upper": RuleKind.BOUNDS,
        "change_pct": RuleKind.CHANGE,
        "baseline_days": RuleKind.CHANGE,
        "threshold": RuleKind.STATISTICAL,
    }

    class Meta:
        model = AlertRule
        fields = list(services.RULE_EDITABLE)
        widgets = {
            "lower": forms.NumberInput(attrs={"step": "any"}),
            "upper": forms.NumberInput(attrs={"step": "any"}),
            "change_pct": forms.NumberInput(attrs={"step": "any", "min": "0"}),
            "threshold": forms.NumberInput(attrs={"step": "0.1", "min": "1", "max": "10"}),
        }
        help_texts = {
            "lower": _("For a rate, a fraction: 0.01 is 1%."),
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = cast(forms.ModelChoiceField, self.fields["channel"])
        channel.queryset = Channel.objects.filter(plan=plan).order_by("sort_order", "code")
        channel.empty_label = _("All channels")
        # No empty choice: a rule always has a metric, a kind and a severity.
        choices = {"metric": Metric.choices, "kind": RuleKind.choices, "severity": Severity.choices}
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options

    def changes(self) -> dict[str, Any]:
        data = super().changes()
        kind = data.get("kind")
        for name, owner in self.KIND_FIELDS.items():
            if name not in data:
                continue
            if kind != owner and name in ("lower", "upper", "change_pct"):
                data[name] = None  # a bound or a change of another kind would mislead
            elif data[name] is None and name in ("baseline_days", "threshold"):
                del data[name]  # empty: keep what is saved (or the default)
        return data


class SettingsForm(forms.Form):
    """The funnel stages as an ordered choice, the grading weights and cut-offs, the shift."""

    version = VersionField()
    weight_quality = forms.FloatField(label=_("User quality"), min_value=0)
    weight_cost = forms.FloatField(label=_("Cost (CPA)"), min_value=0)
    weight_volume = forms.FloatField(label=_("Volume"), min_value=0)
    cutoff_a = forms.FloatField(label=_("Grade A from"), min_value=0, max_value=100)
    cutoff_b = forms.FloatField(label=_("Grade B from"), min_value=0, max_value=100)
    max_shift = forms.DecimalField(
        label=_("Largest suggested budget shift (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        help_text=_("The share of a channel's budget a grade may move."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stage_choices = [("", "—"), *((name, Metric(name).label) for name in COUNT_FIELDS)]
        for n in range(1, MAX_STAGES + 1):
            self.fields[f"stage_{n}"] = forms.ChoiceField(
                label=_("Stage %(n)s") % {"n": n}, choices=stage_choices, required=False
            )

    @classmethod
    def initial_of(cls, found: MonitoringSettings) -> dict[str, Any]:
        weights, cutoffs = found.weights(), found.cutoffs()
        initial: dict[str, Any] = {
            "version": found.version,
            "weight_quality": weights.quality,
            "weight_cost": weights.cost,
            "weight_volume": weights.volume,
            "cutoff_a": cutoffs.a,
            "cutoff_b": cutoffs.b,
            "max_shift": format((Decimal(str(found.max_shift)) * 100).normalize(), "f"),
        }
        for n, stage in enumerate(found.stages(), start=1):
            initial[f"stage_{n}"] = stage
        return initial

    def stage_fields(self) -> list[forms.BoundField]:
        return [self[f"stage_{n}"] for n in range(1, MAX_STAGES + 1)]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        stages = [data[f"stage_{n}"] for n in range(1, MAX_STAGES + 1) if data[f"stage_{n}"]]
        return {
            "funnel_stages": stages,
            "grade_weights": {
                "quality": data["weight_quality"],
                "cost": data["weight_cost"],
                "volume": data["weight_volume"],
            },
            "grade_cutoffs": {"a": data["cutoff_a"], "b": data["cutoff_b"]},
            "max_shift": data["max_shift"] / 100,
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Metrics file (CSV or XLSX)"))
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and report what would change, without saving"),
        required=False,
    )


class JourneyImportForm(forms.Form):
    file = forms.FileField(label=_("Journeys file (CSV or XLSX)"))
    mode = forms.ChoiceField(
        label=_("The plan's journeys"),
        choices=JourneyImportMode.choices,
        initial=JourneyImportMode.REPLACE,
        widget=forms.RadioSelect,
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and report what it holds, without saving"),
        required=False,
    )


class AttributionSettingsForm(forms.Form):
    """The time-decay half-life and the position-based shares (in percent)."""

    version = VersionField()
    half_life_days = forms.DecimalField(
        label=_("Time-decay half-life (days)"),
        min_value=Decimal("0.1"),
        max_value=Decimal(365),
        decimal_places=2,
        help_text=_("A touch this many days before the conversion counts half as much."),
    )
    first_share = forms.DecimalField(
        label=_("First touch (%)"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=2
    )
    last_share = forms.DecimalField(
        label=_("Last touch (%)"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=2
    )

    @classmethod
    def initial_of(cls, found: AttributionSettings) -> dict[str, Any]:
        def percent(share: Decimal) -> str:
            return format((Decimal(share) * 100).normalize(), "f")

        return {
            "version": found.version,
            "half_life_days": format(Decimal(found.half_life_days).normalize(), "f"),
            "first_share": percent(found.first_share),
            "last_share": percent(found.last_share),
        }

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "half_life_days": data["half_life_days"],
            "first_share": data["first_share"] / 100,
            "last_share": data["last_share"] / 100,
        }
