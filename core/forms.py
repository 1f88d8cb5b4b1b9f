"""Helpers shared by every page that edits something through a service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from core.errors import DomainError


def attach_error(form: forms.BaseForm, error: DomainError) -> None:
    """Put a service's error on the form: on its field when the form has it."""
    fields = getattr(error, "fields", {}) or {}
    for name, problems in fields.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, str(problem))
    if not fields:
        form.add_error(None, str(error.message))


def conflict_rows(
    form: forms.BaseForm, changes: Mapping[str, Any], current: Any
) -> list[tuple[str, Any, Any]]:
    """After a stale save: (label, what the user typed, what is saved now) per
    field that differs, for the conflict box."""
    return [
        (str(form.fields[name].label), value, getattr(current, name))
        for name, value in changes.items()
        if value != getattr(current, name)
    ]
