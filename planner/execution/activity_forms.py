"""Forms of the key activities and the rapid-response pools: they parse;
planner/execution/activity_services.py validates and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from planner.execution import activity_services as services
from planner.execution.activity_models import Activity, ResponsePool
from planner.execution.forms import DATE, LEVEL_CHOICES
from planner.execution.models import Risk
from planner.forms import ServiceForm, members
from planner.models import Plan


class ActivityForm(ServiceForm):
    required_by_service = True

    class Meta:
        model = Activity
        fields = list(services.ACTIVITY_EDITABLE)
        widgets = {
            "start": DATE,
            "end": DATE,
            "departments": forms.CheckboxSelectMultiple,
            "suppliers": forms.CheckboxSelectMultiple,
            "depends_on": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        from budget.models import Department, Supplier
        from content.models import Campaign

        instance = kwargs.get("instance")
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {"version": instance.version}
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["departments"].queryset = Department.objects.filter(
            workspace_id=plan.workspace_id
        ).order_by("name")
        fields["suppliers"].queryset = Supplier.objects.filter(
            workspace_id=plan.workspace_id
        ).order_by("name")
        others = Activity.objects.filter(plan=plan).order_by("start", "title")
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        fields["depends_on"].queryset = others
        fields["campaign"].queryset = Campaign.objects.filter(plan=plan)
        fields["owner"].queryset = members(plan)


class PoolForm(ServiceForm):
    required_by_service = True

    level = forms.TypedChoiceField(label=_("Risk impact level"), choices=LEVEL_CHOICES, coerce=int)

    class Meta:
        model = ResponsePool
        fields = list(services.POOL_EDITABLE)
        widgets = {
            "people": forms.Textarea(attrs={"rows": 3}),
            "authorisers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {"version": instance.version}
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["authorisers"].queryset = members(plan).filter(
            memberships__role__in=["manager", "admin"]
        )


class ActivationForm(forms.Form):
    pool = forms.ModelChoiceField(label=_("Pool"), queryset=ResponsePool.objects.none())
    risk = forms.ModelChoiceField(label=_("Risk"), queryset=Risk.objects.none())
    line = forms.ModelChoiceField(
        label=_("Budget line the money goes to"), queryset=Risk.objects.none(), required=False
    )
    amount = forms.DecimalField(label=_("Amount"), min_value=0, decimal_places=2, initial=0)
    people_used = forms.IntegerField(label=_("People used"), min_value=0, initial=0)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        from budget.models import BudgetLine

        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["pool"].queryset = ResponsePool.objects.filter(plan=plan)
        fields["pool"].label_from_instance = lambda p: _("Impact %(level)s") % {"level": p.level}
        fields["risk"].queryset = Risk.objects.filter(plan=plan)
        fields["risk"].label_from_instance = lambda r: f"{r.title} ({r.impact}×{r.likelihood})"
        fields["line"].queryset = BudgetLine.objects.filter(plan=plan).select_related(
            "channel", "campaign"
        )
