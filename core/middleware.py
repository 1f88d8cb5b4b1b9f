"""Answer 503 with a readable page, not a traceback, while the database is down."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from core.errors import DomainError, NotAllowed

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable: %s", exception)
        if request.path.startswith("/api/"):
            response = HttpResponse(
                '{"detail": "The database is unavailable; try again shortly.",'
                ' "code": "service_unavailable"}',
                content_type="application/json",
                status=503,
            )
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response


class DomainErrorMiddleware:
    """Pages: the one translation of domain errors a view did not handle itself.

    ``NotAllowed`` becomes the 403 page, any other domain error a 400 page with
    its message (views handle the errors they expect, next to their forms).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, NotAllowed):
            return HttpResponse(render_to_string("403.html", request=request), status=403)
        return HttpResponse(
            render_to_string("400.html", {"detail": exception.message}, request=request),
            status=400,
        )
