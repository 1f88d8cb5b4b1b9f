"""The plan exported: the document (HTML, PDF) and the tables (XLSX, CSV).

Every member of the workspace (viewer upwards) may export; an outsider gets 404.
The document is in the request's language.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.pdf import html_to_pdf
from monitoring.queries import SEVERITY_ORDER
from planner.access import plan_for_user
from planner.export import document, spreadsheets
from planner.models import Plan

TEMPLATE = "planner/export/document.html"
PDF_CONTENT_TYPE = "application/pdf"


def document_context(plan: Plan, *, pdf: bool) -> dict[str, Any]:
    return {
        "plan": plan,
        "doc": document.build(plan),
        "pdf": pdf,
        "quarters": [_("Q%(q)s") % {"q": q} for q in (1, 2, 3, 4)],
        "severity_labels": {s.value: s.label for s in SEVERITY_ORDER},
    }


def attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def render_pdf(request: HttpRequest, plan: Plan) -> bytes:
    html = render_to_string(TEMPLATE, document_context(plan, pdf=True), request=request)
    return html_to_pdf(html, base_url=request.build_absolute_uri("/"))


@login_required
@require_GET
def document_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    html = render_to_string(TEMPLATE, document_context(plan, pdf=False), request=request)
    return HttpResponse(html)


@login_required
@require_GET
def document_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    return attachment(
        render_pdf(request, plan), PDF_CONTENT_TYPE, f"{spreadsheets.base_name(plan)}.pdf"
    )


def file_response(found: spreadsheets.ExportFile) -> HttpResponse:
    return attachment(found.body, found.content_type, found.filename)


@login_required
@require_GET
def section_export(request: HttpRequest, plan_id: int, section: str, fmt: str) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    try:
        return file_response(spreadsheets.section_file(plan, section, fmt))
    except spreadsheets.UnknownSection:
        raise Http404(_("No such section.")) from None


@login_required
@require_GET
def plan_export(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    return file_response(spreadsheets.plan_file(plan))
