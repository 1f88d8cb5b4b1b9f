"""core.spreadsheet: formula escaping, typed cells, CSV and XLSX files."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.spreadsheet import (
    BOM,
    Sheet,
    is_dangerous,
    money_format_for,
    safe_cell,
    sheet_names,
    write_csv,
    write_xlsx,
)

DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://evil.example","click")',
    "+1",
    "-1",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
    "\t",
    "\rplain",
    "  =1",
    "\n=1",
    "\u3000=1",  # ideographic space first
    "＝1+1",  # full-width equals
    "＋1",
    "－1",
    "＠SUM(A1)",
    "=cmd|' /C calc'!A0",
]
HARMLESS = ["", "plain", "a=b", "Spring 2027", "1+1", "年度目标", "email@example.com", "(=1)"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_text_gets_a_leading_apostrophe(text):
    assert is_dangerous(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_unchanged(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [-5, 0, 3.5, Decimal("-12.50"), True, None, date(2027, 1, 1)])
def test_numbers_dates_and_booleans_stay_what_they_are(value):
    assert safe_cell(value) is value


def _sheet(rows):
    return Sheet(
        "Campaigns",
        [("Name", "text"), ("Budget", "money"), ("Share", "percent"), ("Start", "date")],
        rows,
    )


def test_xlsx_round_trip_shows_text_not_formulas():
    rows = [[text, "-1500.50", "0.25", "2027-02-01"] for text in DANGEROUS]
    book = load_workbook(io.BytesIO(write_xlsx([_sheet(rows)])))
    ws = book["Campaigns"]
    assert ws["A1"].value == "Campaigns"
    assert [c.value for c in ws[2]] == ["Name", "Budget", "Share", "Start"]
    for index, text in enumerate(DANGEROUS, start=3):
        name, budget, share, start = ws[index]
        assert name.data_type == "s", text
        # XML stores a bare CR as LF; the apostrophe still comes first
        assert name.value == ("'" + text).replace("\r", "\n")
        assert budget.data_type == "n" and budget.value == pytest.approx(-1500.5)
        assert budget.number_format == "#,##0.00"
        assert share.value == pytest.approx(0.25) and share.number_format == "0.0%"
        assert start.is_date and start.value.date() == date(2027, 2, 1)
    formulas = [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_xlsx_money_format_names_the_currency_and_columns_are_sized():
    rows = [["Spring Festival campaign with a long name", "250000", "0.1", "2027-01-20"]]
    book = load_workbook(
        io.BytesIO(write_xlsx([_sheet(rows)], money_format=money_format_for("CNY")))
    )
    ws = book.active
    assert ws["B3"].number_format == '#,##0.00 "CNY"'
    assert ws.column_dimensions["A"].width > len("Spring Festival campaign")
    assert ws["A2"].font.bold


def test_csv_is_utf8_with_bom_crlf_and_prefixes_dangerous_cells():
    body = write_csv(
        [
            _sheet([["=1+1", "100", "0.5", "2027-03-01"], ["春节", None, None, None]]),
            Sheet("=Second", [("＝Label", "text")], [["@x"]]),
        ]
    )
    assert body.startswith(BOM.encode("utf-8"))
    text = body.decode("utf-8").removeprefix(BOM)
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Campaigns"]
    assert rows[1] == ["Name", "Budget", "Share", "Start"]
    assert rows[2] == ["'=1+1", "100", "0.5", "2027-03-01"]
    assert rows[3] == ["春节", "", "", ""]
    assert rows[4] == []  # an empty line between tables
    assert rows[5:] == [["'=Second"], ["'＝Label"], ["'@x"]]


def test_sheet_names_are_valid_unique_and_short():
    names = sheet_names(
        ["KPI breakdown by quarter and month", "KPI breakdown by quarter and month", "a/b:c", ""]
    )
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == 4
    assert names[2] == "a b c"
