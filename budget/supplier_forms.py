"""Forms of the supplier pages: they parse; budget/supplier_services.py validates and saves."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from budget import supplier_services as services
from budget.models import (
    FlagAction,
    InnovationFund,
    InnovationProject,
    RiskClause,
    Supplier,
    SupplierCategory,
    SupplierPolicy,
    SupplierReview,
    SupplierTier,
)
from planner.forms import ServiceForm, VersionField, members
from planner.models import Plan

QUARTERS = [(q, f"Q{q}") for q in range(1, 5)]


def _score_widget() -> forms.NumberInput:
    return forms.NumberInput(attrs={"min": "0", "max": "100", "step": "1", "inputmode": "numeric"})


class SupplierForm(ServiceForm):
    class Meta:
        model = Supplier
        fields = list(services.SUPPLIER_EDITABLE)
        widgets = {
            "contract_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contract_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "qualification_score": _score_widget(),
            "capability_score": _score_widget(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class SupplierFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *SupplierCategory.choices],
    )
    tier = forms.ChoiceField(
        label=_("Tier"), required=False, choices=[("", _("All tiers")), *SupplierTier.choices]
    )
    flagged = forms.BooleanField(label=_("Flagged only"), required=False)


class ReviewForm(ServiceForm):
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int)

    class Meta:
        model = SupplierReview
        fields = list(services.REVIEW_EDITABLE)
        widgets = {
            "quality": _score_widget(),
            "timeliness": _score_widget(),
            "compliance": _score_widget(),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reviewer = cast(forms.ModelChoiceField, self.fields["reviewer"])
        reviewer.queryset = members(plan)
        reviewer.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[method-assign,assignment]


class ClauseForm(ServiceForm):
    required_by_service = True

    class Meta:
        model = RiskClause
        fields = list(services.CLAUSE_EDITABLE)
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "events": forms.Textarea(attrs={"rows": 2}),
            "threshold_pct": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
            "supplier_share_pct": forms.NumberInput(
                attrs={"step": "0.01", "min": "0", "max": "100"}
            ),
        }

    def __init__(self, *args: Any, supplier: Supplier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = True
        backup = cast(forms.ModelChoiceField, self.fields["backup"])
        backup.queryset = (
            Supplier.objects.filter(workspace_id=supplier.workspace_id)
            .exclude(pk=supplier.pk)
            .order_by("name")
        )


class PolicyForm(ServiceForm):
    class Meta:
        model = SupplierPolicy
        fields = list(services.POLICY_EDITABLE)


class FundForm(ServiceForm):
    class Meta:
        model = InnovationFund
        fields = list(services.FUND_EDITABLE)
        widgets = {
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "purpose": forms.Textarea(attrs={"rows": 2}),
        }


class ProjectForm(ServiceForm):
    class Meta:
        model = InnovationProject
        fields = list(services.PROJECT_EDITABLE)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "results": forms.Textarea(attrs={"rows": 3}),
            "suppliers": forms.CheckboxSelectMultiple,
            "budget": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        suppliers = cast(forms.ModelMultipleChoiceField, self.fields["suppliers"])
        suppliers.queryset = Supplier.objects.filter(workspace_id=plan.workspace_id).order_by(
            "name"
        )
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = members(plan)
        owner.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[method-assign,assignment]


class FlagForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", "—"), *FlagAction.choices]
    )
    action_note = forms.CharField(
        label=_("Plan of action"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    resolution = forms.CharField(
        label=_("How it was resolved"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to resolve the flag."),
    )
    version = VersionField()
