"""Routes of the plan exports (included by planner/urls.py, app ``planner``)."""

from django.urls import path, register_converter

from planner.export import views


class TableFormat:
    regex = "xlsx|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TableFormat, "table_format")

BASE = "plans/<int:plan_id>/"

urlpatterns = [
    path(f"{BASE}document/", views.document_page, name="plan-document"),
    path(f"{BASE}document.pdf", views.document_pdf, name="plan-document-pdf"),
    path(f"{BASE}export/plan.xlsx", views.plan_export, name="plan-export-xlsx"),
    path(
        f"{BASE}export/<slug:section>.<table_format:fmt>",
        views.section_export,
        name="plan-export-section",
    ),
]
