"""Display helpers of the collaboration pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """A member as people read it: the full name, else the username; "—" for nobody."""
    if user is None:
        return "—"
    return str(user.get_full_name() or user.username)
