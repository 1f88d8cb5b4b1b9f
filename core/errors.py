"""Domain errors raised by services; translated to HTTP once for the API
(core.api.exception_handler) and once for pages (core.views helpers)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base class: a message a person can read, and a stable code for machines."""

    code = "error"
    default_message: Any = _("The request could not be completed.")

    def __init__(self, message: Any = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))

    def describe(self) -> str:
        """One line for a flash message: the field problems, or the message."""
        fields = getattr(self, "fields", {}) or {}
        problems = " ".join(str(p) for ps in fields.values() for p in ps)
        return problems or str(self.message)


class InvalidInput(DomainError):
    """Input that breaks a rule; ``fields`` maps field name → list of messages."""

    code = "invalid"

    def __init__(self, message: Any = None, *, fields: dict[str, list[Any]] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class NotAllowed(DomainError):
    """The user may see the object but not do this to it (403)."""

    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class StaleVersion(DomainError):
    """Someone saved the object since the caller read it (optimistic locking)."""

    code = "stale_version"
    default_message = _("Someone else changed this in the meantime. Review their values.")

    def __init__(self, message: Any = None, *, current: Any = None) -> None:
        super().__init__(message)
        self.current = current


class InvalidTransition(DomainError):
    """A lifecycle step that the current status does not allow."""

    code = "invalid_transition"


class Locked(DomainError):
    """The object is frozen (e.g. an approved plan) and cannot be edited."""

    code = "locked"
