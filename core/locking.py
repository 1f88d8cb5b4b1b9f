"""Optimistic locking: the only way an edited versioned row is saved.

A conditional ``UPDATE … SET version = version + 1 WHERE pk = … AND version = …``
claims the row first. It is atomic on every database, so of N writers holding
the same version exactly one wins; the others get ``StaleVersion`` with the
current row, and nothing of theirs is written. The winner then saves its fields
with ``save(update_fields=…)`` inside the same transaction (its UPDATE holds the
row lock), which lets django-simple-history record who changed what.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F

from core.errors import StaleVersion
from core.models import VersionedModel

M = TypeVar("M", bound=VersionedModel)


# django-simple-history keeps a change reason in a 100-character column; the full
# text stays on the row that carries it (an override reason, a comment…).
HISTORY_REASON_MAX = 100


def history_reason(reason: str) -> str:
    """The reason as history can store it: shortened with an ellipsis past 100 characters."""
    if len(reason) <= HISTORY_REASON_MAX:
        return reason
    return reason[: HISTORY_REASON_MAX - 1] + "…"


def parse_version(raw: object) -> int | None:
    """A version from a form field or an If-Match header (``"3"``, ``W/"3"``, ``3``)."""
    if raw is None:
        return None
    text = str(raw).strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    return int(text) if text.isdigit() else None


def _claim(instance: M, expected_version: int) -> M:
    model = type(instance)
    claimed = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StaleVersion(current=model._default_manager.filter(pk=instance.pk).first())
    return model._default_manager.get(pk=instance.pk)


def update_versioned(
    instance: M,
    *,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: AbstractBaseUser | None = None,
    reason: str = "",
) -> M:
    """Apply ``changes`` if the row is still at ``expected_version``; return the fresh row."""
    with transaction.atomic():
        fresh = _claim(instance, expected_version)
        for field, value in changes.items():
            setattr(fresh, field, value)
        fresh._history_user = actor  # type: ignore[attr-defined]
        fresh._change_reason = history_reason(reason)  # type: ignore[attr-defined]
        fresh.save(update_fields=[*changes, "version", "updated_at"])
        return fresh


def delete_versioned(
    instance: M, *, expected_version: int, actor: AbstractBaseUser | None = None
) -> None:
    """Delete the row if it is still at ``expected_version``."""
    with transaction.atomic():
        fresh = _claim(instance, expected_version)
        fresh._history_user = actor  # type: ignore[attr-defined]
        fresh.delete()
