"""One URL serves a page and its fragments (django-htmx + template partials)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the whole page, or only ``template#partial`` for an htmx request."""
    is_htmx = bool(getattr(request, "htmx", False))
    name = f"{template}#{partial}" if partial and is_htmx else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def refresh() -> HttpResponse:
    """After an in-place save: other parts of the page changed too, so htmx reloads it."""
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


def refresh_or_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """After a save or a removal: reload the page the form sits in (htmx), or go to ``url``."""
    return refresh() if is_htmx(request) else redirect(url)
