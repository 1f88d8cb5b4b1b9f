from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kpis.catalogue import CATALOGUE
from kpis.models import Aggregation, Kpi, Objective, StrategicGoal, Unit
from kpis.services import GOAL_EDITABLE, KPI_EDITABLE
from planner.forms import ServiceForm, VersionField, members
from planner.models import Plan

HUNDRED = Decimal(100)


def to_display(value: Decimal | None, unit: str) -> str:
    """Rates are stored as fractions and typed as percentages (3.5 for 3.5 %).

    Plain digits, no exponent, no trailing zeros: what a number input shows.
    """
    if value is None:
        return ""
    shown = value * HUNDRED if unit == Unit.PERCENT else value
    return f"{shown.normalize():f}"


def from_display(value: Decimal | None, unit: str) -> Decimal | None:
    if value is None:
        return None
    return value / HUNDRED if unit == Unit.PERCENT else value


class KpiForm(ServiceForm):
    """Create or edit a KPI. Percent targets are typed as percentages."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)

    class Meta:
        model = Kpi
        fields = [name for name in KPI_EDITABLE if name != "sort_order"]
        help_texts = {
            "formula": _("E.g. visits * cvr. Use KPI codes, numbers, + − × ÷ and parentheses."),
            "annual_target": _(
                "For a formula KPI this is the goal its computed value is compared with. "
                "For a percent KPI type the percentage: 3.5 means 3.5 %."
            ),
        }
        widgets = {"formula": forms.TextInput(attrs={"class": "mono", "spellcheck": "false"})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["objective"]).queryset = Objective.objects.filter(
            plan=plan
        )
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = members(plan)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("custom", _("Custom KPI"))] + [
            (entry.kind, entry.label) for entry in CATALOGUE
        ]
        self.fields["aggregation"].required = False
        cast(forms.ChoiceField, self.fields["aggregation"]).choices = [
            ("", _("By unit: totals add up, rates average")),
            *Aggregation.choices,
        ]
        self.fields["code"].required = False
        self.fields["name"].required = False
        if self.instance.pk and not self.is_bound:
            self.initial["annual_target"] = to_display(
                self.instance.annual_target, self.instance.unit
            )
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["annual_target"] = from_display(data.get("annual_target"), data.get("unit", ""))
        return data


class ObjectiveForm(ServiceForm):
    class Meta:
        model = Objective
        fields = ["area", "title", "description", "owner"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = members(plan)


class StrategicGoalForm(ServiceForm):
    class Meta:
        model = StrategicGoal
        fields = list(GOAL_EDITABLE)
        help_texts = {"target": _("For a percent goal type the percentage: 12 means 12 %.")}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["kpi"]).queryset = Kpi.objects.filter(plan=plan)
        if self.instance.pk and not self.is_bound:
            for name in ("baseline", "target", "reference"):
                self.initial[name] = to_display(getattr(self.instance, name), self.instance.unit)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("baseline", "target", "reference"):
            data[name] = from_display(data.get(name), data.get("unit", ""))
        return data


class MonthsForm(forms.Form):
    """The 12 monthly targets (and an optional quarter total to set)."""

    version = VersionField()
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("save", "rebalance", "quarter", "splits")],
        initial="save",
    )
    quarter = forms.IntegerField(min_value=1, max_value=4, required=False)
    quarter_total = forms.DecimalField(required=False, max_digits=20, decimal_places=6)
    locked = forms.MultipleChoiceField(
        choices=[(str(m), str(m)) for m in range(1, 13)], required=False
    )

    def __init__(self, *args: Any, unit: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        for month in range(1, 13):
            self.fields[f"m{month}"] = forms.DecimalField(
                required=False, max_digits=20, decimal_places=6, min_value=0
            )

    def months(self) -> list[Decimal]:
        return [
            from_display(self.cleaned_data.get(f"m{m}") or Decimal(0), self.unit) or Decimal(0)
            for m in range(1, 13)
        ]


class ActualsForm(forms.Form):
    def __init__(self, *args: Any, unit: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        for month in range(1, 13):
            self.fields[f"a{month}"] = forms.DecimalField(
                required=False, max_digits=20, decimal_places=6, min_value=0
            )

    def values(self) -> dict[int, Decimal | None]:
        return {m: from_display(self.cleaned_data.get(f"a{m}"), self.unit) for m in range(1, 13)}


class GoalSeekForm(forms.Form):
    kpi = forms.ChoiceField(label=_("Bring KPI"))
    target = forms.DecimalField(label=_("to the target"), max_digits=20, decimal_places=6)
    solve_for = forms.ChoiceField(label=_("by changing"))

    def __init__(self, *args: Any, kpis: list[Kpi], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {k.code: k.unit for k in kpis}
        cast(forms.ChoiceField, self.fields["kpi"]).choices = [
            (k.code, f"{k.name} · {k.code}") for k in kpis
        ]
        cast(forms.ChoiceField, self.fields["solve_for"]).choices = [
            (k.code, f"{k.name} · {k.code}") for k in kpis if not k.is_formula
        ]
        codes = set(self.units)
        # A sensible first question: which budget reaches the new-user goal?
        self.fields["kpi"].initial = "new_users" if "new_users" in codes else None
        goals = {k.code: k.annual_target for k in kpis if k.is_formula and k.annual_target}
        if self.fields["kpi"].initial in goals:
            self.fields["target"].initial = to_display(goals["new_users"], self.units["new_users"])
        self.fields["solve_for"].initial = "budget" if "budget" in codes else None

    def goal(self) -> float:
        value = from_display(
            self.cleaned_data["target"], self.units.get(self.cleaned_data["kpi"], "")
        )
        return float(value or 0)


class PolicyForm(forms.Form):
    version = VersionField()
    at_risk_below = forms.DecimalField(
        label=_("On track from, in percent of target"), min_value=1, max_value=200
    )
    off_track_below = forms.DecimalField(
        label=_("At risk from, in percent of target"), min_value=1, max_value=200
    )
