"""Middleware: request size limits, 503 while the database is down, domain errors."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed

logger = logging.getLogger(__name__)


class RequestLimitsMiddleware:
    """Refuse a body larger than its kind allows (413) before a byte of it is read.

    Uploads (``multipart/form-data``) may be up to ``REQUEST_MAX_UPLOAD_BYTES`` (the
    largest import plus room for the form); Django streams their files to disk in
    chunks. Every other body (JSON, forms) is read into memory whole, so it may be at
    most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` — Django checks that only when it reads the
    body itself, DRF's parsers read the stream directly. A body without a
    Content-Length is never read (Django reads ``CONTENT_LENGTH`` bytes, zero).
    Too many form fields or files: Django's own limits, a 400.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then either
        if request.content_type == "multipart/form-data":
            limit = settings.REQUEST_MAX_UPLOAD_BYTES
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _too_large(request, limit)
        return self.get_response(request)


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = _("The request is too large: at most %(size)s MB.") % {
        "size": f"{limit / 1024 / 1024:g}"
    }
    return _refusal(request, 413, "request_too_large", message, "413.html")


def _refusal(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    template: str,
    *,
    page_context: bool = True,
) -> HttpResponse:
    """The API's JSON error (``detail``, ``code``) or the error page, in the request's
    language. ``page_context=False`` renders the page without the request's context
    processors (they may need the database)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=status)
    page = render_to_string(
        template, {"detail": message}, request=request if page_context else None
    )
    return HttpResponse(page, status=status)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable: %s", exception)
        message = _("The database is unavailable; try again shortly.")
        response = _refusal(
            request, 503, "service_unavailable", message, "503.html", page_context=False
        )
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
