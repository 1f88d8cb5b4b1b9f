"""Helpers shared by every page that edits something through a service."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.choices import flatten_choices
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from core.errors import DomainError, InvalidInput, NotAllowed, StaleVersion
from core.locking import parse_version
from core.models import VersionedModel

# (label, what the user typed, what is saved now): a row of a page's conflict box.
Conflict = list[tuple[str, Any, Any]]


def attach_error(
    form: forms.BaseForm, error: DomainError, field_of: Mapping[str, str | None] | None = None
) -> None:
    """Put a service's error on the form: on its field when the form has it (or, with
    ``field_of``, on the form field that mapping names for the service's field)."""
    fields = getattr(error, "fields", {}) or {}
    for name, problems in fields.items():
        target = field_of.get(name) if field_of is not None else name
        for problem in problems:
            form.add_error(target if target in form.fields else None, str(problem))
    if not fields:
        form.add_error(None, str(error.message))


def posted_version(request: HttpRequest) -> int:
    """The version a form was rendered with (its hidden ``version``); 0 when it is
    missing or does not parse, which a service reports as stale."""
    return parse_version(request.POST.get("version")) or 0


def shown(value: Any, field: forms.Field | None = None) -> Any:
    """A value as a person reads it in a conflict box: "—" for nothing, Yes / No,
    lists joined, dates localised, choices by their label, objects by their name.
    Numbers and text stay as they are (the template localises them)."""
    if _empty(value):
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list | tuple):
        return ", ".join(str(shown(item, field)) for item in value)
    if isinstance(value, date):
        return date_format(value)
    if isinstance(value, models.Model):
        return str(value)
    if field is not None and not isinstance(field, forms.ModelChoiceField):
        choices = getattr(field, "choices", None)
        if choices is not None:
            pairs: Iterable[tuple[Any, Any]] = flatten_choices(choices)
            labels = {str(key): label for key, label in pairs}
            if str(value) in labels:
                return str(labels[str(value)])
    return value


def conflict_rows(
    form: forms.BaseForm,
    changes: Mapping[str, Any],
    current: Any,
    *,
    display: Mapping[str, Callable[[Any], Any]] | None = None,
    normalise: Mapping[str, Callable[[Any], Any]] | None = None,
) -> Conflict:
    """After a stale save: (label, what the user typed, what is saved now) per
    field that differs, for the conflict box.

    A many-to-many field is compared by the set of objects chosen. ``normalise``
    maps a field to what both sides are turned into before they are compared and
    shown (e.g. a list put in a fixed order); ``display`` to how a value of it
    reads when it is not empty (e.g. a list as it is typed)."""
    display = display or {}
    normalise = normalise or {}
    rows = []
    for name, mine in changes.items():
        theirs = getattr(current, name)
        if isinstance(theirs, models.Manager):
            mine, theirs = list(mine or []), list(theirs.all())
            differs = {obj.pk for obj in mine} != {obj.pk for obj in theirs}
        else:
            if name in normalise:
                mine, theirs = normalise[name](mine), normalise[name](theirs)
            differs = mine != theirs
        if not differs:
            continue
        field = form.fields.get(name)
        label = str(field.label) if field is not None else name
        to_text = display.get(name)
        if to_text is None:
            rows.append((label, shown(mine, field), shown(theirs, field)))
        else:
            rows.append((label, _text(to_text, mine), _text(to_text, theirs)))
    return rows


def _text(to_text: Callable[[Any], Any], value: Any) -> Any:
    return "—" if _empty(value) else to_text(value)


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def raise_if_forbidden(error: DomainError) -> None:
    """Let a ``NotAllowed`` through (it becomes a 403); other domain errors go on the form."""
    if isinstance(error, NotAllowed):
        raise error


STALE = gettext_lazy("Someone changed this in the meantime; here it is as saved now.")


def save_or_delete(
    request: HttpRequest,
    *,
    found: VersionedModel,
    form: Any,
    fresh_form: Callable[[], Any],
    render: Callable[..., HttpResponse],
    update: Callable[[int, dict[str, Any]], Any],
    delete: Callable[[int], Any],
    saved: str,
    removed: str,
    after_save: Callable[[], HttpResponse],
    after_delete: Callable[[], HttpResponse],
    stale_text: Any = STALE,
) -> HttpResponse:
    """The POST of an edit page: delete (``delete`` posted) or save the form.

    A stale version shows the row as saved now (409); any other refusal shows the
    form with its errors (400); a missing permission is a 403.
    """
    version = posted_version(request)
    try:
        if request.POST.get("delete"):
            delete(version)
            messages.success(request, removed)
            return after_delete()
        if not form.is_valid():
            raise InvalidInput(gettext("Check the fields."))
        update(version, form.changes())
    except StaleVersion:
        found.refresh_from_db()
        return render(fresh_form(), error_text=str(stale_text), status=409)
    except DomainError as error:
        raise_if_forbidden(error)
        attach_error(form, error)
        return render(form, status=400)
    messages.success(request, saved)
    return after_save()
