from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planner.models import Currency, Plan, PlanTransition, Role


class VersionField(forms.IntegerField):
    """The version the form was rendered with, sent back to detect stale saves."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, **kwargs)


class WorkspaceForm(forms.Form):
    name = forms.CharField(label=_("Workspace name"), max_length=120)


class PlanFieldsForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Plan
        fields = ["name", "year", "currency", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class PlanCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, initial=_("Annual marketing plan"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial="CNY")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year + 1


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=PlanTransition.Action.choices)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)
    version = VersionField()


class MemberAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, required=False)
    remove = forms.BooleanField(required=False)
    version = VersionField()
