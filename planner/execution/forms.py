"""Forms of the execution pages: they parse (percent into fractions, lines into escalation
steps); planner/execution/services.py validates and saves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import AlertRule
from planner.execution import services
from planner.execution.models import Milestone, MilestoneStatus, Playbook, Risk
from planner.forms import ServiceForm, VersionField, members
from planner.models import Plan

HUNDRED = Decimal(100)
LEVEL_CHOICES = [(n, str(n)) for n in range(1, 6)]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MilestoneForm(ServiceForm):
    required_by_service = True

    class Meta:
        model = Milestone
        fields = list(services.MILESTONE_EDITABLE)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start": DATE,
            "due": DATE,
            "kpis": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kpis.models import Kpi

        self.fields["kpis"].queryset = Kpi.objects.filter(plan=plan).order_by(  # type: ignore[attr-defined]
            "sort_order", "id"
        )
        self.fields["owner"].queryset = members(plan)  # type: ignore[attr-defined]
        self.fields["quarter"].widget = forms.Select(
            choices=[(q, _("Q%(n)s") % {"n": q}) for q in (1, 2, 3, 4)]
        )
        self.fields["quarter"].initial = self.initial.get("quarter", 1)


class MilestoneStatusForm(forms.Form):
    """Running the plan: the progress entered by hand, or an override of the status."""

    action = forms.ChoiceField(choices=[("progress", "progress"), ("override", "override")])
    progress = forms.DecimalField(
        label=_("Progress (%)"),
        required=False,
        min_value=Decimal(0),
        max_value=HUNDRED,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "1", "min": "0", "max": "100"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("As derived from the KPIs")), *MilestoneStatus.choices],
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()

    def fraction(self) -> Decimal | None:
        value = self.cleaned_data.get("progress")
        return None if value is None else (value / HUNDRED).quantize(Decimal("0.0001"))


class RiskForm(ServiceForm):
    required_by_service = True

    impact = forms.TypedChoiceField(label=_("Impact"), choices=LEVEL_CHOICES, coerce=int)
    likelihood = forms.TypedChoiceField(label=_("Likelihood"), choices=LEVEL_CHOICES, coerce=int)
    trigger_metrics = forms.CharField(
        label=_("Indicator names"),
        required=False,
        help_text=_("KPI codes or metric names, separated by commas (e.g. cvr, new_users)."),
    )

    class Meta:
        model = Risk
        fields = list(services.RISK_EDITABLE)
        widgets = {
            "response": forms.Textarea(attrs={"rows": 3}),
            "triggers": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {"version": instance.version}
        super().__init__(*args, **kwargs)
        if instance is not None and not self.is_bound:
            self.initial["trigger_metrics"] = ", ".join(instance.trigger_metrics or [])
        self.fields["owner"].queryset = members(plan)  # type: ignore[attr-defined]
        self.fields["playbook"].queryset = Playbook.objects.filter(plan=plan)  # type: ignore[attr-defined]

    def clean_trigger_metrics(self) -> list[str]:
        raw = self.cleaned_data.get("trigger_metrics") or ""
        return [part.strip() for part in raw.replace("，", ",").split(",") if part.strip()]


class PlaybookForm(ServiceForm):
    required_by_service = True

    steps = forms.CharField(
        label=_("Escalation path"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One step a line, in order: role | person | response time in minutes "
            "(e.g. “PR lead | Chen Jing | 30”)."
        ),
    )

    alert_rules = forms.ModelMultipleChoiceField(
        label=_("Alert rules that trigger it"),
        queryset=AlertRule.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Playbook
        fields = [name for name in services.PLAYBOOK_EDITABLE if name != "alert_rules"]
        widgets = {
            "scenario": forms.Textarea(attrs={"rows": 3}),
            "statement_zh": forms.Textarea(attrs={"rows": 4, "lang": "zh-Hans"}),
            "statement_en": forms.Textarea(attrs={"rows": 4, "lang": "en"}),
            "legal_contact": forms.Textarea(attrs={"rows": 2}),
            "pr_contact": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        super().__init__(*args, **kwargs)
        rules = AlertRule.objects.filter(plan=plan).order_by("name")
        self.fields["alert_rules"].queryset = rules  # type: ignore[attr-defined]
        if instance is not None and not self.is_bound:
            self.initial["alert_rules"] = [r.pk for r in rules if r.playbook_id == instance.pk]
            self.initial["version"] = instance.version
            self.initial["steps"] = "\n".join(
                f"{s.role} | {s.person} | {s.response_minutes}" for s in instance.steps.all()
            )

    def changes(self) -> dict[str, Any]:
        changes = super().changes()
        if "alert_rules" in self.cleaned_data:
            changes["alert_rules"] = list(self.cleaned_data["alert_rules"])
        return changes

    def clean_steps(self) -> list[dict[str, Any]]:
        raw = self.cleaned_data.get("steps") or ""
        steps = []
        for number, line in enumerate((ln for ln in raw.splitlines() if ln.strip()), start=1):
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            if len(parts) == 2:
                parts = [parts[0], "", parts[1]]
            if len(parts) != 3 or not parts[2].isdigit():
                raise forms.ValidationError(
                    _("Line %(n)s: write “role | person | minutes”.") % {"n": number}
                )
            steps.append({"role": parts[0], "person": parts[1], "response_minutes": int(parts[2])})
        return steps


class DrillForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    participants = forms.CharField(label=_("Participants"), max_length=2000)
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RiskFilterForm(forms.Form):
    impact = forms.TypedChoiceField(choices=LEVEL_CHOICES, coerce=int, required=False)
    likelihood = forms.TypedChoiceField(choices=LEVEL_CHOICES, coerce=int, required=False)
    status = forms.CharField(required=False)
