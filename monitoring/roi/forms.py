"""Forms of the ROI page: they parse (percentages into fractions); the services validate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channels.models import Channel
from monitoring.roi.models import Department, RoiAttribution, RoiBasis, RoiCohort, RoiDefinition
from planner.forms import VersionField
from planner.models import Plan

HUNDRED = Decimal(100)


def _pct(value: Any) -> str:
    return format((Decimal(str(value)) * HUNDRED).normalize(), "f")


class DefinitionForm(forms.Form):
    version = VersionField()
    basis = forms.ChoiceField(label=_("ROI basis"), choices=RoiBasis.choices)
    gross_margin = forms.DecimalField(
        label=_("Gross margin (%)"),
        min_value=Decimal(0),
        max_value=HUNDRED,
        decimal_places=2,
        required=False,
        help_text=_("Used on a margin basis: value = revenue × margin."),
    )
    include_production = forms.BooleanField(
        label=_("Count campaign budgets (production)"), required=False
    )
    include_kol_fees = forms.BooleanField(label=_("Count KOL cooperation fees"), required=False)
    attribution_model = forms.ChoiceField(
        label=_("Revenue per channel"), choices=RoiAttribution.choices
    )
    roi_floor = forms.DecimalField(
        label=_("ROI floor (%)"),
        min_value=Decimal(-100),
        decimal_places=2,
        help_text=_("Channels below it are flagged; budget reallocation uses it."),
    )
    ltv_horizon_months = forms.IntegerField(
        label=_("LTV horizon (months)"), min_value=1, max_value=120
    )
    discount_rate = forms.DecimalField(
        label=_("Annual discount rate (%)"),
        min_value=Decimal(0),
        max_value=HUNDRED,
        decimal_places=2,
    )

    @classmethod
    def initial_of(cls, found: RoiDefinition) -> dict[str, Any]:
        return {
            "version": found.version,
            "basis": found.basis,
            "gross_margin": _pct(found.gross_margin),
            "include_production": found.include_production,
            "include_kol_fees": found.include_kol_fees,
            "attribution_model": found.attribution_model,
            "roi_floor": _pct(found.roi_floor),
            "ltv_horizon_months": found.ltv_horizon_months,
            "discount_rate": _pct(found.discount_rate),
        }

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "basis": data["basis"],
            "gross_margin": (data["gross_margin"] or Decimal(0)) / HUNDRED,
            "include_production": data["include_production"],
            "include_kol_fees": data["include_kol_fees"],
            "attribution_model": data["attribution_model"],
            "roi_floor": data["roi_floor"] / HUNDRED,
            "ltv_horizon_months": data["ltv_horizon_months"],
            "discount_rate": data["discount_rate"] / HUNDRED,
        }


class SignoffForm(forms.Form):
    version = VersionField()
    department = forms.ChoiceField(choices=Department.choices)


class CohortForm(forms.Form):
    version = VersionField(required=False)
    month = forms.DateField(
        label=_("Cohort month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False
    )
    users = forms.IntegerField(label=_("Users acquired"), min_value=1)
    retention = forms.CharField(
        label=_("Retention by month (%)"),
        required=False,
        help_text=_("Month 1, 2, … separated by commas, e.g. 42, 31, 26."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    arpu = forms.DecimalField(
        label=_("Revenue per retained user a month"), min_value=Decimal(0), decimal_places=2
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["channel"])
        field.queryset = Channel.objects.filter(plan=plan).order_by("sort_order", "code")
        field.empty_label = str(_("All channels (plan-wide)"))

    @classmethod
    def initial_of(cls, cohort: RoiCohort) -> dict[str, Any]:
        return {
            "version": cohort.version,
            "month": cohort.month,
            "channel": cohort.channel_id,
            "users": cohort.users,
            "retention": ", ".join(
                format((Decimal(str(v)) * HUNDRED).quantize(Decimal("0.01")).normalize(), "f")
                for v in cohort.retention
            ),
            "arpu": cohort.arpu,
        }

    def clean_retention(self) -> list[float]:
        raw = self.cleaned_data.get("retention") or ""
        values = []
        for k, part in enumerate((p.strip() for p in raw.replace("，", ",").split(",")), start=1):
            if not part:
                continue
            try:
                number = Decimal(part.rstrip("%").strip())
            except ArithmeticError:
                raise forms.ValidationError(
                    _("Month %(k)s: %(value)s is not a number.") % {"k": k, "value": part}
                ) from None
            if not number.is_finite() or not 0 <= number <= 100:
                raise forms.ValidationError(
                    _("Month %(k)s: a percentage from 0 to 100.") % {"k": k}
                )
            values.append(float(number / HUNDRED))
        return values

    def clean_month(self) -> date:
        month: date = self.cleaned_data["month"]
        return month.replace(day=1)

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("month", "channel", "users", "retention", "arpu")}


class MoveForm(forms.Form):
    """The "what if" form (GET): move a share of one channel's budget to another."""

    move_from = forms.ChoiceField(label=_("Move budget from"))
    move_to = forms.ChoiceField(label=pgettext_lazy("budget moved to a channel", "to"))
    percent = forms.DecimalField(
        label=_("Share moved (%)"), min_value=Decimal(0), max_value=HUNDRED, decimal_places=1
    )

    def __init__(self, *args: Any, channels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["move_from"]).choices = channels
        cast(forms.ChoiceField, self.fields["move_to"]).choices = channels

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("move_from") and data.get("move_from") == data.get("move_to"):
            self.add_error("move_to", _("Choose another channel than the one the budget leaves."))
        return data


WHAT_IF_PREFIX = "pct_"


class WhatIfForm(forms.Form):
    """The per-channel "what if" form (GET): one change in percent per channel, blank =
    unchanged (−100 removes the channel). Fields are ``pct_<channel code>``."""

    def __init__(self, *args: Any, channels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in channels:
            self.fields[WHAT_IF_PREFIX + code] = forms.DecimalField(
                label=name,
                required=False,
                min_value=-HUNDRED,
                max_value=Decimal(1000),
                decimal_places=1,
                widget=forms.NumberInput(attrs={"step": "any", "placeholder": "±0"}),
            )

    @classmethod
    def submitted(cls, data: Any) -> bool:
        return any(key.startswith(WHAT_IF_PREFIX) for key in data)

    def changes(self) -> dict[str, float]:
        """{code: fraction} of the filled-in channels (valid forms only)."""
        return {
            name.removeprefix(WHAT_IF_PREFIX): float(value) / 100
            for name, value in self.cleaned_data.items()
            if value is not None
        }
