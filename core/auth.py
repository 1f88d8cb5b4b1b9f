"""The acting user of a request that has already passed authentication."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from rest_framework.request import Request


def actor_of(request: HttpRequest | Request) -> User:
    """The signed-in user; views call it after ``login_required`` / ``IsAuthenticated``."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionError("actor_of() needs an authenticated request")
    return user
