"""``GET /api/v1/plans/{id}/export/?type=xlsx|csv|pdf&section=<key>``: the plan's
exports as files, the same bytes as the pages' downloads.

``type`` rather than ``format``: DRF reserves ``?format=`` for its renderers.
Without ``section``, XLSX holds every table (one sheet each) and CSV every table
one after another; the PDF is always the whole plan document.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request

from core import spreadsheet
from core.errors import InvalidInput
from planner.access import PlanScopedAPIView
from planner.export import spreadsheets, views
from planner.sections import SECTIONS

TYPES = ("xlsx", "csv", "pdf")


class ExportView(PlanScopedAPIView):
    @extend_schema(
        operation_id="plan_export",
        parameters=[
            OpenApiParameter(
                "type", str, enum=list(TYPES), description="The file type (default xlsx)."
            ),
            OpenApiParameter(
                "section",
                str,
                enum=[s.key for s in SECTIONS],
                description="One section's tables (XLSX/CSV); default: the whole plan.",
            ),
        ],
        responses={
            (200, spreadsheet.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, views.PDF_CONTENT_TYPE): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="Unknown type or section."),
            404: OpenApiResponse(description="No such plan (or not yours)."),
        },
        description=(
            "The plan as a file: the plan document as PDF (in the request's language), or "
            "its tables as XLSX (one sheet per table; numbers, money and dates typed) or "
            "CSV (UTF-8 with BOM, CRLF; tables one after another, each under its title). "
            "Text that a spreadsheet would read as a formula is prefixed with an apostrophe."
        ),
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        plan = self.plan(request, pk)
        kind = request.query_params.get("type", "xlsx")
        section = request.query_params.get("section") or None
        if kind not in TYPES:
            raise InvalidInput(fields={"type": [_("Choose xlsx, csv or pdf.")]})
        if section is not None and section not in {s.key for s in SECTIONS}:
            raise InvalidInput(fields={"section": [_("No such section.")]})
        if kind == "pdf":
            return views.attachment(
                views.render_pdf(request._request, plan),
                views.PDF_CONTENT_TYPE,
                f"{spreadsheets.base_name(plan)}.pdf",
            )
        if section is None and kind == "xlsx":
            return views.file_response(spreadsheets.plan_file(plan))
        if section is None:
            return views.file_response(spreadsheets.plan_csv(plan))
        try:
            return views.file_response(spreadsheets.section_file(plan, section, kind))
        except spreadsheets.UnknownSection:
            raise InvalidInput(fields={"section": [_("No such section.")]}) from None
