"""Forms of the versions and scenarios pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SnapshotForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("What this version is, e.g. “before the Q3 review”."),
    )


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Scenario name"), max_length=120)
