"""Forms of the approvals pages: they parse; budget/approval_services.py validates and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budget import approval_queries as queries
from budget import approval_services as services
from budget.models import BudgetLine, BudgetRequest, RequestStatus
from channels.models import Channel
from content.models import Campaign
from planner.forms import ServiceForm, VersionField
from planner.models import Plan

QUARTERS = [(q, f"Q{q}") for q in (1, 2, 3, 4)]


def line_label(line: BudgetLine) -> str:
    where = line.channel.display_name
    if line.campaign is not None:
        where = f"{where} · {line.campaign.name}"
    return f"{where} · Q{line.quarter}"


class ChannelChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class LineChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return line_label(obj)


class RequestForm(ServiceForm):
    """The cost-benefit sheet (the expected ROI is computed, not typed)."""

    required_by_service = True
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int)

    class Meta:
        model = BudgetRequest
        fields = list(services.REQUEST_EDITABLE)
        widgets = {
            "assumptions": forms.Textarea(attrs={"rows": 4}),
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "expected_revenue": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }
        field_classes = {"channel": ChannelChoice}
        help_texts = {
            "assumptions": _("What the figures rest on: audience, prices, conversion rates…"),
            "amount": _("What the request costs, in the plan's currency."),
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = self.fields["channel"]
        assert isinstance(channel, ChannelChoice)
        channel.queryset = Channel.objects.filter(plan=plan, is_active=True).order_by(
            "sort_order", "code"
        )
        campaign = self.fields["campaign"]
        assert isinstance(campaign, forms.ModelChoiceField)
        campaign.queryset = Campaign.objects.filter(plan=plan).order_by("start", "code")
        campaign.required = False


class StepForm(forms.Form):
    """A lifecycle step of a request: the version it was shown at, and a comment."""

    version = VersionField()
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    use_reserve = forms.BooleanField(
        label=_("Fund what the unallocated money does not cover from the reserve fund"),
        required=False,
    )


class StatusFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *RequestStatus.choices],
    )


class DrawForm(forms.Form):
    line = LineChoice(label=_("Budget line"), queryset=BudgetLine.objects.none())
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=0,
        decimal_places=2,
        max_digits=16,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    approve = forms.BooleanField(
        label=_("Draw now (approve it myself)"),
        required=False,
        help_text=_("Managers only: asked and approved in one step."),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        line = self.fields["line"]
        assert isinstance(line, LineChoice)
        line.queryset = queries.lines(plan)


class DecisionForm(forms.Form):
    version = VersionField()
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MoveForm(forms.Form):
    version = VersionField()
    amount = forms.DecimalField(
        label=_("Amount to move"), required=False, min_value=0, decimal_places=2, max_digits=16
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000)


class ProposeForm(forms.Form):
    quarter = forms.TypedChoiceField(label=_("Quarter that ends"), choices=QUARTERS[:3], coerce=int)
