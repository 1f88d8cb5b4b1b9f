"""HTML → PDF, the one place that does it (plan document, digest attachments).

WeasyPrint renders the page; it fetches nothing from the network: the URL fetcher
serves our own static files (found by the staticfiles finders or in STATIC_ROOT)
and ``data:`` URIs, and refuses everything else.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders


class RefusedFetch(ValueError):
    """A document asked for a resource outside our static files."""


def _static_path(url: str) -> Path | None:
    prefix = urlsplit(str(settings.STATIC_URL or "/static/")).path
    path = unquote(urlsplit(url).path)
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if isinstance(found, list):
        found = found[0] if found else None
    if found:
        return Path(found)
    root = getattr(settings, "STATIC_ROOT", None)
    if root:
        candidate = (Path(root) / relative).resolve()
        if candidate.is_file() and Path(root).resolve() in candidate.parents:
            return candidate
    return None


def _fetcher() -> Any:
    """WeasyPrint's fetcher: data: URIs and our static files only."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            if path is None:
                raise RefusedFetch(f"not fetched: {url[:200]}")
            mime_type, _encoding = mimetypes.guess_type(path.name)
            return URLFetcherResponse(
                url,
                path.read_bytes(),
                {"Content-Type": mime_type or "application/octet-stream"},
            )

    return StaticOnlyFetcher(allowed_protocols=("data", "http", "https", "file"))


def html_to_pdf(html: str, base_url: str) -> bytes:
    """The PDF of ``html``; relative URLs resolve against ``base_url`` (e.g. the
    page's absolute URL), and only static files and data: URIs are loaded."""
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=base_url, url_fetcher=_fetcher()).write_pdf()
    assert pdf is not None
    return bytes(pdf)
