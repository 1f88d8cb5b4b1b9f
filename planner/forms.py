from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planner.models import Currency, Plan, PlanTransition, Role


class VersionField(forms.IntegerField):
    """The version the form was rendered with, sent back to detect stale saves
    (``min_value=0`` where 0 means "nothing saved yet")."""

    widget = forms.HiddenInput

    def __init__(self, *, min_value: int = 1, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, **kwargs)


def members(plan: Plan) -> QuerySet[Any]:
    """The people of the plan's workspace, for an owner select."""
    return (
        get_user_model()
        .objects.filter(memberships__workspace_id=plan.workspace_id)
        .order_by("username")
    )


class ServiceForm(forms.ModelForm):
    """A form that parses input for a service; the service validates and saves
    (so the model is not validated here, and no instance is changed)."""

    version = VersionField(required=False)
    # True: no field is required here; the service says what is missing, in its own words.
    required_by_service: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.required_by_service:
            for field in self.fields.values():
                field.required = False

    def changes(self) -> dict[str, Any]:
        """The model's fields the form edits, as the service takes them, in form order."""
        editable = set(self._meta.fields or [])
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name in editable and name in self.cleaned_data
        }

    def _post_clean(self) -> None:
        pass


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
