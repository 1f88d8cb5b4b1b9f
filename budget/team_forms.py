"""Forms of the collaboration pages: they parse; budget/team_services.py validates and
saves. Choices are limited to the plan's workspace (departments, members) and plan
(campaigns, channels)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budget import team_services as services
from budget.models.teams import (
    ArbitrationStep,
    CollaborationScore,
    CommunicationRule,
    Conflict,
    CoordinatorGroup,
    Department,
    RaciRole,
    Workstream,
)
from channels.models import Channel
from content.models import Campaign
from planner.forms import ServiceForm, VersionField, members
from planner.models import Plan

RATING_CHOICES = [
    (1, _("1 · poor")),
    (2, _("2 · below expectations")),
    (3, _("3 · meets expectations")),
    (4, _("4 · good")),
    (5, _("5 · excellent")),
]
#: The letters only: the matrix legend spells them out, and a select stays narrow at 390 px.
ROLE_CHOICES = [("", "—"), *((letter, letter) for letter in RaciRole.values)]


def _departments(plan: Plan) -> Any:
    return Department.objects.filter(workspace_id=plan.workspace_id)


class DepartmentForm(ServiceForm):
    class Meta:
        model = Department
        fields = list(services.DEPARTMENT_EDITABLE)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = members(plan)  # type: ignore[attr-defined]


class WorkstreamForm(ServiceForm):
    """The row's fields and one R / A / C / I select per department (``cell_<id>``)."""

    class Meta:
        model = Workstream
        fields = [f for f in services.WORKSTREAM_EDITABLE if f != "cells"]
        widgets = {
            "decides_alone": forms.Textarea(attrs={"rows": 2}),
            "escalation": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, plan: Plan, cells: dict[int, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False  # a campaign or channel row takes its name
        self.fields["campaign"].queryset = Campaign.objects.filter(plan=plan)  # type: ignore[attr-defined]
        self.fields["channel"].queryset = Channel.objects.filter(plan=plan)  # type: ignore[attr-defined]
        self.departments = list(_departments(plan))
        for department in self.departments:
            self.fields[f"cell_{department.pk}"] = forms.ChoiceField(
                label=department.name,
                choices=ROLE_CHOICES,
                required=False,
                initial=(cells or {}).get(department.pk, ""),
            )

    def cell_fields(self) -> list[tuple[Department, Any]]:
        return [(d, self[f"cell_{d.pk}"]) for d in self.departments]

    def cells(self) -> dict[Department, str]:
        return {
            d: self.cleaned_data[f"cell_{d.pk}"]
            for d in self.departments
            if self.cleaned_data.get(f"cell_{d.pk}")
        }


class RuleForm(ServiceForm):
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")

    class Meta:
        model = CommunicationRule
        fields = list(services.RULE_EDITABLE)
        widgets = {"participants": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _departments(plan)  # type: ignore[attr-defined]
        self.fields["participants"].queryset = _departments(plan)  # type: ignore[attr-defined]


class GroupForm(ServiceForm):
    version = VersionField(required=False, min_value=0)

    class Meta:
        model = CoordinatorGroup
        fields = list(services.GROUP_EDITABLE)
        widgets = {
            "departments": forms.CheckboxSelectMultiple,
            "mandate": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = members(plan)  # type: ignore[attr-defined]
        self.fields["departments"].queryset = _departments(plan)  # type: ignore[attr-defined]


class StepForm(ServiceForm):
    class Meta:
        model = ArbitrationStep
        fields = list(services.STEP_EDITABLE)


class ConflictForm(ServiceForm):
    raised_at = forms.DateTimeField(
        label=_("Raised"),
        required=False,
        help_text=_("Empty: now. The first step's SLA runs from then."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Conflict
        fields = list(services.CONFLICT_EDITABLE)
        widgets = {
            "departments": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].required = False  # the service names what is missing
        self.fields["departments"].queryset = _departments(plan)  # type: ignore[attr-defined]


class ConflictEditForm(ConflictForm):
    """What a logged conflict is about; when it was raised stays as logged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["raised_at"]


class ConflictActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("escalate", "escalate"), ("resolve", "resolve")])
    outcome = forms.CharField(
        label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()


class ScoreForm(ServiceForm):
    version = VersionField(required=False, min_value=0)  # 0: not scored yet
    responsiveness = forms.TypedChoiceField(
        label=_("Responsiveness"), choices=RATING_CHOICES, coerce=int
    )
    delivery = forms.TypedChoiceField(
        label=_("Delivery on commitments"), choices=RATING_CHOICES, coerce=int
    )
    communication = forms.TypedChoiceField(
        label=_("Communication"), choices=RATING_CHOICES, coerce=int
    )
    conflict_handling = forms.TypedChoiceField(
        label=_("Conflict handling"), choices=RATING_CHOICES, coerce=int
    )

    class Meta:
        model = CollaborationScore
        fields = list(services.SCORE_EDITABLE)
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}
