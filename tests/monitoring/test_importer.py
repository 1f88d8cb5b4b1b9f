"""The daily metrics import (monitoring.importer.load_metrics).

A corpus of bad sources, each refused with a precise row, column and reason and with
nothing written; good CSV, XLSX and JSON rows; the accepted variants; re-import
idempotence, partial overlaps and dry runs. Runs on SQLite and on PostgreSQL (COPY).
"""

from __future__ import annotations

import codecs
import io
import itertools
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.db import connection, connections
from django.db.models import F
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from content import services as content_services
from monitoring import importer
from monitoring.importer import MAX_ERRORS, ImportOutcome, RowError, load_metrics
from monitoring.models import DailyMetric, MetricImport
from tests.content.helpers import campaign

HEADER = (
    "date,channel,campaign,impressions,clicks,visits,signups,conversions,new_users,spend,revenue"
)
ROW_A = "2027-03-01,douyin,,1000,50,40,10,5,3,120.50,300.00"
ROW_B = "2027-03-01,douyin,spring-2027,800,40,30,8,4,2,99.99,150"
ROW_C = "2027-03-02,wechat,,500,0,70,2,1,1,0,0"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8", eol: str = "\n") -> bytes:
    return eol.join([header, *rows, ""]).encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def cell_datetime(*parts: int) -> datetime:
    """A date cell as openpyxl writes and reads it: spreadsheets have no time zones."""
    return datetime(*parts)  # noqa: DTZ001


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def xlsx_bomb() -> bytes:
    """A workbook whose sheet unpacks to 40 MB from a few dozen KB (ratio ≫ 100)."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER.split(",")])))
    parts = {name: good.read(name) for name in good.namelist()}
    rows = b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>' * 620_000
    parts["xl/worksheets/sheet1.xml"] = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + rows + b"</sheetData></worksheet>"
    )
    return zip_bytes(parts)


def metrics(world) -> list[tuple]:
    """The plan's stored rows, comparable across imports."""
    return list(
        DailyMetric.objects.filter(plan=world.plan)
        .order_by("date", "channel__code", F("campaign__code").asc(nulls_first=True))
        .values_list(
            "date",
            "channel__code",
            "campaign__code",
            "impressions",
            "clicks",
            "visits",
            "signups",
            "conversions",
            "new_users",
            "spend",
            "revenue",
        )
    )


def run(world, data: Any, filename: str = "metrics.csv", **kwargs: Any) -> ImportOutcome:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    return load_metrics(plan=world.plan, source=source, filename=filename, **kwargs)


@pytest.fixture
def plan_campaign(world):
    """The plan's campaign ``spring-2027``, and ``rival-2027`` in the *other* plan."""
    content_services.campaign_create(
        plan=world.other_plan,
        actor=world.users["outsider"],
        code="rival-2027",
        name="Rival launch",
        theme="product_launch",
        start=date(2027, 3, 1),
        end=date(2027, 3, 31),
    )
    return campaign(world)


# --- the corpus of bad sources -------------------------------------------------------------


@dataclass
class Bad:
    """A source and the first problem it must be refused with."""

    data: bytes | Callable[[], bytes] | list
    row: int | None
    column: str | None
    message: str  # a fragment of the message, checked with ``in``
    filename: str = "metrics.csv"
    patch: dict[str, int] = field(default_factory=dict)
    count: int | None = 1  # the number of problems, when it is part of the point


def rows_with(row: str, **cells: str) -> str:
    """ROW_A-like row with some cells replaced."""
    values = dict(zip(HEADER.split(","), row.split(","), strict=True))
    values.update(cells)
    return ",".join(values[name] for name in HEADER.split(","))


CORPUS: dict[str, Bad] = {
    "empty file": Bad(b"", None, None, "The file is empty."),
    "header only": Bad(csv_bytes(), None, None, "The file has a header row but no data rows."),
    "header and blank lines only": Bad(
        csv_bytes("", ""), None, None, "The file has a header row but no data rows."
    ),
    "blank first row": Bad(
        b"\n" + csv_bytes(ROW_A), 1, None, "The first row is empty; it must hold the column names"
    ),
    "utf-16 without a byte-order mark": Bad(
        csv_bytes(ROW_A, encoding="utf-16-le"),
        None,
        None,
        "holds binary data (or UTF-16 text without a byte-order mark",
    ),
    "utf-16 broken off": Bad(
        csv_bytes(ROW_A, encoding="utf-16")[:-1],
        None,
        None,
        "The file starts as UTF-16 text but breaks off",
    ),
    "utf-16 with a bad channel (decoded, then checked)": Bad(
        csv_bytes(ROW_A, rows_with(ROW_C, channel="weixin"), encoding="utf-16"),
        3,
        "channel",
        "no channel with the code “weixin” in this plan",
    ),
    "gbk with a Chinese campaign code": Bad(
        csv_bytes(ROW_A, rows_with(ROW_B, campaign="春节大促"), encoding="gbk"),
        3,
        "campaign",
        "no campaign with the code “春节大促” in this plan",
    ),
    "neither utf-8 nor gbk": Bad(
        csv_bytes(ROW_A, ROW_C).replace(b"wechat", b"we\x80\xffchat"),
        3,
        None,
        "is not UTF-8 or GBK text (byte 0x80 cannot be read)",
    ),
    "semicolon delimiter": Bad(
        csv_bytes(ROW_A.replace(",", ";"), header=HEADER.replace(",", ";")),
        1,
        None,
        "Wrong delimiter: the columns are separated by semicolons",
    ),
    "tab delimiter": Bad(
        csv_bytes(ROW_A.replace(",", "\t"), header=HEADER.replace(",", "\t")),
        1,
        None,
        "Wrong delimiter: the columns are separated by tabs",
    ),
    "missing column": Bad(
        csv_bytes(ROW_A.rsplit(",", 1)[0], header=HEADER.rsplit(",", 1)[0]),
        1,
        "revenue",
        "this required column is missing",
    ),
    "duplicate column": Bad(
        csv_bytes(ROW_A + ",50", header=HEADER + ",clicks"),
        1,
        "clicks",
        "appears twice (columns E and L)",
    ),
    "unknown column": Bad(
        csv_bytes(ROW_A + ",7", header=HEADER + ",cost"),
        1,
        "cost",
        "is not a column of the daily metrics format (date, channel, campaign,",
    ),
    "unnamed column": Bad(
        csv_bytes(ROW_A + ",", header=HEADER + ","), 1, "L", "this column has no name"
    ),
    "more values than columns": Bad(
        csv_bytes(ROW_A, ROW_C + ",9"),
        3,
        None,
        "has 12 values but the header has 11 columns",
    ),
    "quote never closed": Bad(
        csv_bytes(ROW_A, rows_with(ROW_C, channel='"wechat'), ROW_B),
        3,
        None,
        'a quote (") opened in this row is never closed',
    ),
    "date not ISO": Bad(
        csv_bytes(rows_with(ROW_A, date="2027/3/1")),
        2,
        "date",
        "“2027/3/1” is not a date in the form YYYY-MM-DD (e.g. 2027-01-31)",
    ),
    "date that does not exist": Bad(
        csv_bytes(rows_with(ROW_A, date="2027-02-29")), 2, "date", "“2027-02-29” is not a real date"
    ),
    "date outside the plan year": Bad(
        csv_bytes(ROW_C, rows_with(ROW_A, date="2026-12-31")),
        3,
        "date",
        "2026-12-31 is outside the plan year 2027",
    ),
    "negative count": Bad(
        csv_bytes(rows_with(ROW_A, impressions="-5")),
        2,
        "impressions",
        "must not be negative (“-5”)",
    ),
    "non-numeric count": Bad(
        csv_bytes(rows_with(ROW_A, visits="forty")), 2, "visits", "“forty” is not a whole number"
    ),
    "fractional count": Bad(
        csv_bytes(rows_with(ROW_A, signups="2.5")),
        2,
        "signups",
        "must be a whole number (not “2.5”)",
    ),
    "empty count": Bad(
        csv_bytes(rows_with(ROW_A, new_users="")),
        2,
        "new_users",
        "a number is required (the cell is empty)",
    ),
    "NaN": Bad(
        csv_bytes(rows_with(ROW_A, conversions="NaN")),
        2,
        "conversions",
        "is not a number (NaN)",
    ),
    "infinity": Bad(csv_bytes(rows_with(ROW_A, spend="inf")), 2, "spend", "is infinite (inf)"),
    "spreadsheet error value": Bad(
        csv_bytes(rows_with(ROW_A, revenue="#DIV/0!")),
        2,
        "revenue",
        "holds the spreadsheet error #DIV/0!",
    ),
    "scientific notation": Bad(
        csv_bytes(rows_with(ROW_A, impressions="1.2E+11")),
        2,
        "impressions",
        "“1.2E+11” is in scientific notation, which may have lost digits",
    ),
    "too many decimals in money": Bad(
        csv_bytes(rows_with(ROW_A, spend="120.505")),
        2,
        "spend",
        "has more than 2 decimals (“120.505”)",
    ),
    "negative money": Bad(
        csv_bytes(rows_with(ROW_A, revenue="-3.50")),
        2,
        "revenue",
        "must not be negative (“-3.50”)",
    ),
    "currency sign": Bad(
        csv_bytes(rows_with(ROW_A, spend="¥120")),
        2,
        "spend",
        "write the amount without a currency sign (not “¥120”)",
    ),
    "money too large for Decimal(14, 2)": Bad(
        csv_bytes(rows_with(ROW_A, revenue="1000000000000")),
        2,
        "revenue",
        "is too large (at most 999,999,999,999.99)",
    ),
    "formula in the channel": Bad(
        csv_bytes(rows_with(ROW_A, channel='"=HYPERLINK(""http://x"")"')),
        2,
        "channel",
        "starts like a spreadsheet formula (= + - @)",
    ),
    "formula-like campaign": Bad(
        csv_bytes(rows_with(ROW_A, campaign="@SUM(A1)")),
        2,
        "campaign",
        "“@SUM(A1)” starts like a spreadsheet formula",
    ),
    "formula in a number": Bad(
        csv_bytes(rows_with(ROW_A, clicks="=B2*2")),
        2,
        "clicks",
        "“=B2*2” looks like a spreadsheet formula; write the value itself",
    ),
    "duplicate keys": Bad(
        csv_bytes(ROW_A, ROW_C, rows_with(ROW_A, impressions="7000")),
        4,
        None,
        "repeats the date, channel and campaign of row 2",
    ),
    "duplicate keys differing only in code case": Bad(
        csv_bytes(ROW_B, rows_with(ROW_B, channel="Douyin", campaign="SPRING-2027")),
        3,
        None,
        "repeats the date, channel and campaign of row 2",
    ),
    "unknown channel": Bad(
        csv_bytes(rows_with(ROW_A, channel="tiktok")),
        2,
        "channel",
        "no channel with the code “tiktok” in this plan",
    ),
    "empty channel": Bad(
        csv_bytes(rows_with(ROW_A, channel="")),
        2,
        "channel",
        "a channel code is required (the cell is empty)",
    ),
    "unknown campaign": Bad(
        csv_bytes(rows_with(ROW_A, campaign="summer-2027")),
        2,
        "campaign",
        "no campaign with the code “summer-2027” in this plan",
    ),
    "campaign of another plan": Bad(
        csv_bytes(rows_with(ROW_A, campaign="rival-2027")),
        2,
        "campaign",
        "no campaign with the code “rival-2027” in this plan",
    ),
    "clicks above impressions": Bad(
        csv_bytes(rows_with(ROW_A, impressions="1000", clicks="1200")),
        2,
        "clicks",
        "1,200 clicks exceed 1,000 impressions",
    ),
    "renamed PNG": Bad(
        b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64),
        None,
        None,
        "“chart.csv” is not a CSV or XLSX file: it is a PNG image.",
        filename="chart.csv",
    ),
    "renamed PDF": Bad(
        b"%PDF-1.7\n" + bytes(32),
        None,
        None,
        "“report.xlsx” is not a CSV or XLSX file: it is a PDF document.",
        filename="report.xlsx",
    ),
    "binary without a signature": Bad(
        bytes(range(256)) * 4, None, None, "holds binary data", filename="dump.csv"
    ),
    "old .xls workbook": Bad(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        None,
        None,
        "is an old Excel 97–2003 workbook (.xls) or a password-protected workbook",
        filename="metrics.xls",
    ),
    "ZIP that is not a workbook": Bad(
        lambda: zip_bytes({"readme.txt": b"hello", "data.csv": csv_bytes(ROW_A)}),
        None,
        None,
        "“metrics.xlsx” is a ZIP archive but not an Excel workbook (.xlsx).",
        filename="metrics.xlsx",
    ),
    "damaged ZIP": Bad(
        b"PK\x03\x04" + b"\x14\x00" + bytes(200),
        None,
        None,
        "is a damaged ZIP archive, not a readable Excel workbook",
        filename="metrics.xlsx",
    ),
    "XLSX bomb": Bad(
        xlsx_bomb,
        None,
        None,
        "it is refused as a possible decompression bomb",
        filename="bomb.xlsx",
    ),
    "XLSX value in a column without header": Bad(
        lambda: xlsx_bytes(
            [
                HEADER.split(","),
                ["2027-03-01", "douyin", None, 1, 1, 1, 1, 1, 1, 1, 1],
                ["2027-03-02", "douyin", None, 1, 1, 1, 1, 1, 1, 1, 1, None, "note"],
            ]
        ),
        3,
        "M",
        "holds a value but the column has no header",
        filename="metrics.xlsx",
    ),
    "XLSX float with 3 decimals": Bad(
        lambda: xlsx_bytes(
            [
                HEADER.split(","),
                [cell_datetime(2027, 3, 1), "douyin", None, 10, 1, 1, 1, 1, 1, 1.005, 0],
            ]
        ),
        2,
        "spend",
        "has more than 2 decimals (“1.005”)",
        filename="metrics.xlsx",
    ),
    "XLSX date with a time of day": Bad(
        lambda: xlsx_bytes(
            [
                HEADER.split(","),
                [cell_datetime(2027, 3, 1, 9, 30), "douyin", None, 1, 1, 1, 1, 1, 1, 1, 1],
            ]
        ),
        2,
        "date",
        "“2027-03-01 09:30:00” is not a date in the form YYYY-MM-DD",
        filename="metrics.xlsx",
    ),
    "JSON rows with other keys": Bad(
        [
            {
                "date": "2027-03-01",
                "channel": "douyin",
                "impressions": 1,
                "clicks": 0,
                "visits": 0,
                "signups": 0,
                "conversions": 0,
                "new_users": 0,
                "spend": 0,
                "revenue": 0,
            },
            {
                "date": "2027-03-02",
                "channel": "douyin",
                "impressions": 1,
                "clicks": 0,
                "visits": 0,
                "signups": 0,
                "conversions": 0,
                "new_users": 0,
                "spend": 0,
                "cost": 0,
            },
        ],
        2,
        None,
        "has other keys than the first row (missing: revenue; unexpected: cost)",
    ),
    "JSON boolean and NaN": Bad(
        [
            {
                "date": "2027-03-01",
                "channel": "douyin",
                "impressions": True,
                "clicks": 0,
                "visits": 0,
                "signups": 0,
                "conversions": 0,
                "new_users": 0,
                "spend": float("nan"),
                "revenue": 0,
            },
        ],
        1,
        "impressions",
        "“TRUE” is not a whole number",
        count=2,
    ),
    "too many rows": Bad(
        csv_bytes(ROW_A, ROW_B, ROW_C, rows_with(ROW_C, date="2027-03-03")),
        None,
        None,
        "The file has more than 3 data rows; split it into smaller files.",
        patch={"MAX_ROWS": 3},
    ),
    "too big": Bad(
        csv_bytes(ROW_A, ROW_B, ROW_C),
        None,
        None,
        "The file is 237 bytes; the limit is 200 bytes. Split it into smaller files.",
        patch={"MAX_BYTES": 200},
    ),
}


@pytest.mark.parametrize("case", list(CORPUS), ids=list(CORPUS))
def test_bad_sources_are_refused_precisely_and_write_nothing(
    world, plan_campaign, monkeypatch, case
):
    # given a bad source (and caps lowered where the case says so)
    bad = CORPUS[case]
    for name, value in bad.patch.items():
        monkeypatch.setattr(importer, name, value)
    data = bad.data() if callable(bad.data) else bad.data
    source = data if isinstance(data, list) else io.BytesIO(data)
    # when it is imported (for real)
    outcome = load_metrics(plan=world.plan, source=source, filename=bad.filename)
    # then it is refused with the expected first problem, and nothing is written
    assert not outcome.ok
    first = outcome.errors[0]
    assert (first.row, first.column) == (bad.row, bad.column), outcome.errors
    assert bad.message in first.message, first.message
    if bad.count is not None:
        assert outcome.error_count == bad.count, outcome.errors
    assert (outcome.inserted, outcome.replaced) == (0, 0)
    assert not DailyMetric.objects.exists()


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 25


def test_header_problems_are_all_listed_at_once(world):
    # given a header with an unknown, a duplicated and two missing columns
    header = "date,channel,impressions,impressions,clicks,visits,signups,cost"
    # when it is imported
    outcome = run(world, csv_bytes("2027-03-01,douyin,1,1,1,1,1,1", header=header))
    # then every header problem is named (in the format's column order, unknown names
    # last), and nothing else is checked
    assert [(e.row, e.column, e.message) for e in outcome.errors] == [
        (1, "impressions", "appears twice (columns C and D)"),
        (1, "conversions", "this required column is missing"),
        (1, "new_users", "this required column is missing"),
        (1, "spend", "this required column is missing"),
        (1, "revenue", "this required column is missing"),
        (1, "cost", outcome.errors[-1].message),
    ]
    assert outcome.errors[-1].message.startswith("is not a column of the daily metrics format")


def test_errors_are_capped_counted_and_in_row_order(world, monkeypatch):
    # given 120 rows with an unknown channel and, in the second chunk, negative clicks
    monkeypatch.setattr(importer, "CHUNK_ROWS", 40)
    rows = [
        rows_with(ROW_A, date=f"2027-{1 + i // 28:02d}-{1 + i % 28:02d}", channel="nope")
        for i in range(120)
    ]
    rows[45] = rows_with(ROW_A, date="2027-12-01", clicks="-1")
    # when it is imported
    outcome = run(world, csv_bytes(*rows))
    # then MAX_ERRORS problems are listed in row order, all 120 counted
    assert outcome.error_count == 120
    assert len(outcome.errors) == MAX_ERRORS
    assert outcome.more_errors == 70
    assert outcome.more_errors_text() == "+70 more problems"
    listed = [(e.row, e.column) for e in outcome.errors]
    assert listed == sorted(listed)
    assert (47, "clicks") in listed  # the data row 46 is row 47 in the file
    assert (47, "channel") not in listed
    assert outcome.rows_total == 120
    assert not DailyMetric.objects.exists()


def test_duplicates_across_chunks_name_both_rows(world, monkeypatch):
    # given a file read in chunks of 10 rows whose row 27 repeats row 3
    monkeypatch.setattr(importer, "CHUNK_ROWS", 10)
    rows = [rows_with(ROW_A, date=f"2027-05-{d:02d}") for d in range(1, 31)]
    rows[25] = rows[1]
    # when it is imported
    outcome = run(world, csv_bytes(*rows))
    # then the later row is refused, naming the earlier one
    assert outcome.errors == [RowError(27, None, "repeats the date, channel and campaign of row 3")]


# --- good sources ------------------------------------------------------------------------------


def test_good_csv_is_written_with_exact_values(world, plan_campaign):
    # given an import record and a file with a campaign row and two channel totals
    record = MetricImport.objects.create(plan=world.plan, filename="metrics.csv")
    seen: list[int] = []
    # when it is imported
    outcome = run(world, csv_bytes(ROW_A, ROW_B, ROW_C), import_record=record, progress=seen.append)
    # then all three rows are added, exactly as written, pointing at the record
    assert outcome.ok and outcome.errors == [] and outcome.error_count == 0
    assert (outcome.rows_total, outcome.inserted, outcome.replaced) == (3, 3, 0)
    assert (outcome.first_date, outcome.last_date) == (date(2027, 3, 1), date(2027, 3, 2))
    assert metrics(world) == [
        (
            date(2027, 3, 1),
            "douyin",
            None,
            1000,
            50,
            40,
            10,
            5,
            3,
            Decimal("120.50"),
            Decimal("300.00"),
        ),
        (
            date(2027, 3, 1),
            "douyin",
            "spring-2027",
            800,
            40,
            30,
            8,
            4,
            2,
            Decimal("99.99"),
            Decimal("150.00"),
        ),
        (date(2027, 3, 2), "wechat", None, 500, 0, 70, 2, 1, 1, Decimal("0.00"), Decimal("0.00")),
    ]
    assert set(DailyMetric.objects.values_list("source_import", flat=True)) == {record.pk}
    # and the progress went from 0 to 100, only upwards
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen)


def test_accepted_variants(world, plan_campaign):
    # given a file in another column order, with a BOM, CRLF, quoted thousands, spaces,
    # an upper-case header and codes, "12.0", full-width digits, "-0" and trailing zeros
    header = (
        "Revenue, spend ,NEW_USERS,conversions,signups,visits,clicks,impressions,campaign,"
        "channel,date"
    )
    rows = [
        '"1,234.50",0.5,0,-0,12.0,"1,200",10,"12,345",SPRING-2027, Douyin ,2027-01-01',
        "0,10.500,１２,0,0,0,0,0,,tmall,2027-12-31",
    ]
    data = codecs.BOM_UTF8 + csv_bytes(*rows, header=header, eol="\r\n")
    # when it is imported
    outcome = run(world, data)
    # then it is accepted and every value is read as meant
    assert outcome.ok, outcome.errors
    assert metrics(world) == [
        (
            date(2027, 1, 1),
            "douyin",
            "spring-2027",
            12345,
            10,
            1200,
            12,
            0,
            0,
            Decimal("0.50"),
            Decimal("1234.50"),
        ),
        (date(2027, 12, 31), "tmall", None, 0, 0, 0, 0, 0, 12, Decimal("10.50"), Decimal("0.00")),
    ]


def test_utf16_with_byte_order_mark_and_gbk_are_decoded(world):
    # given the same rows as UTF-16 (Excel "Unicode text", but with commas) and as GBK
    rows = (ROW_A, ROW_C)
    # when both are imported
    first = run(world, csv_bytes(*rows, encoding="utf-16"))
    second = run(world, csv_bytes(*rows, encoding="gbk"))
    # then both are read; the second replaces the first
    assert (first.ok, first.inserted) == (True, 2)
    assert (second.ok, second.inserted, second.replaced) == (True, 0, 2)


def test_campaign_is_optional(world, plan_campaign):
    # given a file without a campaign column, and one with the same day as a campaign row
    no_campaign = HEADER.replace("campaign,", "")
    first = run(world, csv_bytes(ROW_A.replace(",,", ","), header=no_campaign))
    second = run(world, csv_bytes(ROW_B))
    # then the channel total and the campaign row are two rows
    assert (first.inserted, second.inserted, second.replaced) == (1, 1, 0)
    assert [(row[2], row[3]) for row in metrics(world)] == [(None, 1000), ("spring-2027", 800)]


def test_good_xlsx(world, plan_campaign):
    # given a workbook with date cells, numbers, float noise and trailing empty cells
    data = xlsx_bytes(
        [
            [*HEADER.split(","), None],
            [
                cell_datetime(2027, 6, 18),
                "tmall",
                "spring-2027",
                90000,
                4500,
                3000,
                300,
                200,
                150,
                0.1 + 0.2,
                8888.8,
            ],
            ["2027-06-19", "jd", None, 100, 0, 0, 0, 0, 0, 12, 0],
            [None] * 11,  # an empty row is skipped
        ]
    )
    # when it is imported (the name says .csv: the content decides)
    outcome = run(world, data, filename="export.csv")
    # then both rows are written
    assert outcome.ok, outcome.errors
    assert outcome.rows_total == 2
    assert metrics(world) == [
        (
            date(2027, 6, 18),
            "tmall",
            "spring-2027",
            90000,
            4500,
            3000,
            300,
            200,
            150,
            Decimal("0.30"),
            Decimal("8888.80"),
        ),
        (date(2027, 6, 19), "jd", None, 100, 0, 0, 0, 0, 0, Decimal("12.00"), Decimal("0.00")),
    ]


def test_json_rows(world, plan_campaign):
    # given JSON rows as the API receives them: numbers as numbers or strings
    rows = [
        {
            "date": "2027-02-01",
            "channel": "weibo",
            "campaign": None,
            "impressions": 10,
            "clicks": 1,
            "visits": "1",
            "signups": 0,
            "conversions": 0,
            "new_users": 0,
            "spend": 1.5,
            "revenue": "2.25",
        },
        {
            "date": "2027-02-02",
            "channel": "weibo",
            "campaign": "spring-2027",
            "impressions": 0,
            "clicks": 3,
            "visits": 1,
            "signups": 0,
            "conversions": 0,
            "new_users": 0,
            "spend": 0,
            "revenue": 0,
        },
    ]
    # when they are imported
    outcome = load_metrics(plan=world.plan, source=rows, filename="api")
    # then both are written (3 clicks on 0 impressions: impressions not tracked)
    assert (outcome.ok, outcome.inserted) == (True, 2)
    assert metrics(world)[0][-2:] == (Decimal("1.50"), Decimal("2.25"))


def test_json_problems_name_the_list_position(world):
    rows = [
        {
            "date": "2027-02-01",
            "channel": "weibo",
            "impressions": 10,
            "clicks": 11,
            "visits": 1,
            "signups": 0,
            "conversions": 0,
            "new_users": 0,
            "spend": 1,
            "revenue": 0,
        },
    ]
    outcome = load_metrics(plan=world.plan, source=rows, filename="api")
    assert outcome.errors == [
        RowError(
            1,
            "clicks",
            "11 clicks exceed 10 impressions (write 0 impressions if they are not tracked)",
        )
    ]


def test_path_and_unseekable_sources(world, tmp_path):
    # given the same file as a path and as a stream that cannot seek
    path = tmp_path / "metrics.csv"
    path.write_bytes(csv_bytes(ROW_A))

    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer) -> int:
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    # when both are imported
    first = load_metrics(plan=world.plan, source=path, filename=path.name)
    second = load_metrics(plan=world.plan, source=Pipe(csv_bytes(ROW_A)), filename="pipe")
    # then both are read
    assert (first.inserted, second.replaced) == (1, 1)


def test_missing_path_is_a_problem_not_a_crash(world, tmp_path):
    outcome = load_metrics(plan=world.plan, source=tmp_path / "nope.csv", filename="nope.csv")
    assert outcome.error_count == 1
    assert outcome.errors[0].message.startswith("The file cannot be opened")


# --- re-import, overlap, dry run -----------------------------------------------------------------


def test_reimport_is_idempotent(world, plan_campaign, monkeypatch):
    # given a file of 60 rows read in chunks of 25, already imported once
    monkeypatch.setattr(importer, "CHUNK_ROWS", 25)
    rows = [
        rows_with(ROW_B if i % 2 else ROW_A, date=f"2027-04-{1 + i // 2:02d}") for i in range(60)
    ]
    data = csv_bytes(*rows)
    first = run(world, data)
    before = metrics(world)
    # when the same file is imported again
    second = run(world, data)
    # then every row replaces itself and the table is the same
    assert (first.inserted, first.replaced) == (60, 0)
    assert (second.inserted, second.replaced, second.rows_total) == (0, 60, 60)
    assert metrics(world) == before
    assert DailyMetric.objects.count() == 60


def test_partial_overlap_replaces_only_the_same_keys(world, plan_campaign):
    # given rows A and B imported
    run(world, csv_bytes(ROW_A, ROW_B))
    # when a file with a new version of B and a new row C is imported
    outcome = run(world, csv_bytes(rows_with(ROW_B, impressions="801"), ROW_C))
    # then B is replaced, C added, A untouched
    assert (outcome.inserted, outcome.replaced) == (1, 1)
    assert [row[3] for row in metrics(world)] == [1000, 801, 500]
    # and a row of another plan with the same key is not touched by either
    assert DailyMetric.objects.filter(plan=world.other_plan).count() == 0


def test_other_plans_rows_are_not_replaced(world):
    # given the other plan holds the same date and channel code
    load_metrics(plan=world.other_plan, source=io.BytesIO(csv_bytes(ROW_A)), filename="x.csv")
    # when this plan imports it
    outcome = run(world, csv_bytes(ROW_A))
    # then it is added for this plan, and the other plan keeps its row
    assert (outcome.inserted, outcome.replaced) == (1, 0)
    assert DailyMetric.objects.filter(plan=world.other_plan).count() == 1


def test_dry_run_counts_but_writes_nothing(world, plan_campaign):
    # given row A stored
    run(world, csv_bytes(ROW_A))
    before = metrics(world)
    # when a file with a changed A and new B and C is checked in a dry run
    outcome = run(
        world, csv_bytes(rows_with(ROW_A, impressions="5000"), ROW_B, ROW_C), dry_run=True
    )
    # then it reports what would happen, and nothing changed
    assert outcome.ok and outcome.dry_run
    assert (outcome.rows_total, outcome.inserted, outcome.replaced) == (3, 2, 1)
    assert metrics(world) == before
    # and a dry run on an empty plan counts everything as added
    DailyMetric.objects.all().delete()
    fresh = run(world, csv_bytes(ROW_A, ROW_C), dry_run=True)
    assert (fresh.inserted, fresh.replaced) == (2, 0)
    assert not DailyMetric.objects.exists()


def test_dry_run_of_a_bad_file_reports_its_problems(world):
    outcome = run(world, csv_bytes(rows_with(ROW_A, channel="nope")), dry_run=True)
    assert outcome.dry_run and not outcome.ok
    assert outcome.errors[0].column == "channel"


def test_outcome_as_record_fields(world):
    outcome = run(world, csv_bytes(rows_with(ROW_A, clicks="x")))
    fields = outcome.record_fields()
    assert fields["error_count"] == 1
    assert fields["errors"] == [
        {"row": 2, "column": "clicks", "message": "“x” is not a whole number"}
    ]
    assert outcome.errors[0].line() == "Row 2, clicks: “x” is not a whole number"


# --- the fast path agrees with the per-cell rules ----------------------------------------------

plain_count = st.from_regex(r"[0-9]{1,20}", fullmatch=True)
plain_money = st.from_regex(r"[0-9]{1,14}(\.[0-9]{0,3})?|\.[0-9]{1,2}", fullmatch=True)
odd_text = st.text(alphabet="0123456789.,-+ eE\x00١２", max_size=12)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.lists(st.one_of(plain_count, odd_text), min_size=1, max_size=40))
def test_fast_counts_match_the_per_cell_rules(texts):
    cells = np.array(texts, dtype=object)
    values, ok = importer._fast_numbers(cells, money=False)
    for text, value, fast in zip(texts, values.tolist(), ok.tolist(), strict=True):
        expected, problem = importer._count_from_text(text)
        if fast:  # what the fast path takes, the rules take, with the same value
            assert problem is None and value == expected, text


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.lists(st.one_of(plain_money, odd_text), min_size=1, max_size=40))
def test_fast_money_matches_the_per_cell_rules(texts):
    cells = np.array(texts, dtype=object)
    values, ok = importer._fast_numbers(cells, money=True)
    for text, value, fast in zip(texts, values.tolist(), ok.tolist(), strict=True):
        expected, problem = importer._cents_from_text(text)
        if fast:
            assert problem is None and value == expected, text
    # and the common plain forms do take the fast path
    _values, ok = importer._fast_numbers(
        np.array(["0", "12", "12.5", "12.05", "999999999999.99"], dtype=object), money=True
    )
    assert ok.all()


def test_a_huge_cell_is_refused_without_blowing_memory(world):
    # given a 5 MB cell in a number column (fixed-width arrays would need 5 MB × rows)
    rows = [ROW_A, rows_with(ROW_C, visits="9" * 5_000_000)] + [
        rows_with(ROW_C, date=f"2027-04-{d:02d}") for d in range(1, 29)
    ]
    outcome = run(world, csv_bytes(*rows))
    assert outcome.errors == [
        RowError(3, "visits", "is too long for a number (5,000,000 characters)")
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory lock: PostgreSQL only")
def test_concurrent_imports_of_one_plan_both_succeed(transactional_db, world):
    # given two files whose days overlap (1–40 and 20–60), imported at the same moment
    def rows(first: int, last: int) -> bytes:
        days = [
            date.fromordinal(date(2027, 1, 1).toordinal() + d - 1) for d in range(first, last + 1)
        ]
        return csv_bytes(*(rows_with(ROW_A, date=day.isoformat()) for day in days))

    start = threading.Barrier(2)

    def work(data: bytes) -> ImportOutcome:
        try:
            start.wait()
            return load_metrics(plan=world.plan, source=io.BytesIO(data), filename="x.csv")
        finally:
            connections.close_all()

    # when both run in their own connections
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(work, [rows(1, 40), rows(20, 60)]))
    # then both succeed, one after the other: 60 rows, the 21 shared days replaced once
    assert all(outcome.ok for outcome in outcomes)
    assert sum(outcome.inserted for outcome in outcomes) == 60
    assert sum(outcome.replaced for outcome in outcomes) == 21
    assert DailyMetric.objects.filter(plan=world.plan).count() == 60


# --- streamed writes: chunks go to the table while the rest is read -------------------------


def days_of_march(count: int, row: str = ROW_A) -> list[str]:
    return [rows_with(row, date=f"2027-03-{day:02d}") for day in range(1, count + 1)]


def test_a_problem_in_a_late_chunk_leaves_nothing_written(world, monkeypatch):
    # given chunks of 4 rows, earlier rows already stored, and a file whose 23rd row is bad
    monkeypatch.setattr(importer, "CHUNK_ROWS", 4)
    assert run(world, csv_bytes(ROW_C)).ok
    before = metrics(world)
    rows = days_of_march(25)
    rows[22] = rows_with(rows[22], clicks="-3")
    # when it is imported (the first five chunks were clean and sent)
    outcome = run(world, csv_bytes(*rows))
    # then the import is refused and the table is as it was
    assert outcome.errors == [RowError(24, "clicks", "must not be negative (“-3”)")]
    assert metrics(world) == before


def test_a_repeated_key_found_at_the_end_leaves_nothing_written(world, monkeypatch):
    # given chunks of 4 rows and a last row that repeats the first row's key
    monkeypatch.setattr(importer, "CHUNK_ROWS", 4)
    rows = [*days_of_march(20), rows_with(ROW_A, revenue="7")]
    # when it is imported: every chunk was clean until the keys were compared
    outcome = run(world, csv_bytes(*rows))
    # then nothing is written
    assert outcome.errors == [RowError(22, None, "repeats the date, channel and campaign of row 2")]
    assert not DailyMetric.objects.filter(plan=world.plan).exists()


def test_chunked_reimport_keeps_one_row_per_key_with_the_latest_values(world, monkeypatch):
    # given 20 days stored, in chunks of 3 rows
    monkeypatch.setattr(importer, "CHUNK_ROWS", 3)
    assert run(world, csv_bytes(*days_of_march(20))).inserted == 20
    # when days 11–25 come again with other values
    again = [rows_with(row, impressions="2000") for row in days_of_march(25)[10:]]
    outcome = run(world, csv_bytes(*again))
    # then 10 are replaced, 5 added, and each key has one row: the newest
    assert (outcome.inserted, outcome.replaced) == (5, 10)
    stored = metrics(world)
    assert len(stored) == 25
    assert len({row[:3] for row in stored}) == 25
    assert [row[3] for row in stored] == [1000] * 10 + [2000] * 15


def wait_for_a_lock_wait(seconds: float = 10) -> bool:
    """Whether another connection comes to wait on a lock (PostgreSQL) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
def test_a_channel_delete_waits_for_an_import_and_then_refuses(transactional_db, world):
    # given an import of the plan that holds its locks, with rows of douyin not committed
    from channels import services as channel_services
    from channels.models import Channel
    from core.errors import InvalidInput

    locked, release = threading.Event(), threading.Event()

    def slow_source() -> Any:
        class Source(io.BytesIO):
            def read(self, *args: Any) -> bytes:
                locked.set()
                release.wait(10)
                return super().read(*args)

        return Source(csv_bytes(ROW_A))

    def do_import() -> ImportOutcome:
        try:
            return run(world, slow_source())
        finally:
            connections.close_all()

    douyin = Channel.objects.get(plan=world.plan, code="douyin")
    result: dict[str, Any] = {}

    def do_delete() -> None:
        try:
            channel_services.channel_delete(
                channel=douyin, expected_version=douyin.version, actor=world.users["editor"]
            )
            result["deleted"] = True
        except InvalidInput as error:
            result["refused"] = str(error)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        importing = pool.submit(do_import)
        assert locked.wait(10)
        deleting = pool.submit(do_delete)
        # when the delete runs while the import holds the plan: it waits on a lock
        assert wait_for_a_lock_wait(), "the delete did not wait for the import"
        assert not deleting.done()
        release.set()
        assert importing.result(timeout=20).ok
        deleting.result(timeout=20)
    # then the delete saw the committed rows and refused; no row lost its channel
    assert "refused" in result
    assert Channel.objects.filter(pk=douyin.pk).exists()
    assert DailyMetric.objects.filter(plan=world.plan, channel=douyin).count() == 1


# --- Arrow and pandas read a CSV file the same way -------------------------------------------
#
# A UTF-8 file is read by Arrow's CSV reader (no Python object per cell); at a row it
# cannot read it gives up, what was written is rolled back, and pandas reads the file.


@pytest.fixture
def arrow_runs(monkeypatch) -> dict[str, int]:
    """How many times Arrow read a file to its end, and how many times it gave up."""
    counts = {"read": 0, "gave up": 0}
    real = importer._arrow_rows

    def counted(*args: Any, **kwargs: Any):
        try:
            yield from real(*args, **kwargs)
        except importer._ArrowGaveUp:
            counts["gave up"] += 1
            raise
        counts["read"] += 1

    monkeypatch.setattr(importer, "_arrow_rows", counted)
    return counts


def without_arrow(monkeypatch) -> None:
    def gave_up(*_args: Any, **_kwargs: Any):
        raise importer._ArrowGaveUp

    monkeypatch.setattr(importer, "_arrow_rows", gave_up)


def outcome_and_rows(world, data: bytes) -> tuple[Any, ...]:
    outcome = run(world, data)
    stored = metrics(world)
    DailyMetric.objects.filter(plan=world.plan).delete()
    return (
        [error.as_dict() for error in outcome.errors],
        outcome.error_count,
        (outcome.rows_total, outcome.inserted, outcome.replaced),
        (outcome.first_date, outcome.last_date),
        stored,
    )


CAMPAIGN_LAST = HEADER.replace("campaign,", "") + ",campaign"
SAME_READING: dict[str, tuple[bytes, bool | None]] = {
    # name: (file, whether Arrow reads it to its end or gives up; None: either, or neither)
    "plain rows": (csv_bytes(ROW_A, ROW_B, ROW_C), True),
    "CRLF, a byte-order mark, quotes": (
        codecs.BOM_UTF8
        + csv_bytes('"2027-03-01","douyin","","1,000","50",40,10,5,3,"120.50",300', eol="\r\n"),
        True,
    ),
    "CR only": (csv_bytes(ROW_A, ROW_C, eol="\r"), True),
    "blank lines and a row of empty cells": (
        csv_bytes(ROW_A, "", ",,,,,,,,,,", ROW_C, ""),
        True,
    ),
    "a line break inside quotes": (csv_bytes(ROW_A, rows_with(ROW_C, campaign='"a\nb"')), True),
    "a quote inside a value": (csv_bytes(rows_with(ROW_A, visits='4"0')), True),
    "odd numbers": (
        csv_bytes(
            rows_with(ROW_A, impressions="007", clicks="-0", visits=" 40", signups="１０"),
            rows_with(ROW_C, spend="12.", revenue=".5", visits="+7", clicks="1e3"),
            rows_with(ROW_B, spend="999999999999.99", revenue="1000000000000", visits="4.0"),
        ),
        True,
    ),
    "nineteen digits and more": (
        csv_bytes(
            rows_with(ROW_A, impressions="9223372036854775807", clicks="9" * 19),
            rows_with(ROW_C, impressions="9223372036854775808", visits="1" + "0" * 18),
        ),
        True,
    ),
    "cells that are not numbers": (
        csv_bytes(
            rows_with(ROW_A, visits="", signups="NaN", spend="¥12", revenue="=1+1"),
            rows_with(ROW_C, visits="#N/A", spend="12.505", revenue="-1"),
        ),
        True,
    ),
    "a NUL byte after the first 8 KB": (
        csv_bytes(
            *(
                rows_with(
                    ROW_A, date=date.fromordinal(date(2027, 1, 1).toordinal() + n).isoformat()
                )
                for n in range(200)
            ),
            rows_with(ROW_C, visits="7\x008", campaign="a\x00b"),
        ),
        True,
    ),
    "a short row pandas fills": (
        csv_bytes(
            "2027-03-01,douyin,1000,50,40,10,5,3,120.50,300.00,spring-2027",
            "2027-03-02,douyin,1000,50,40,10,5,3,120.50,300.00",
            header=CAMPAIGN_LAST,
        ),
        False,
    ),
    "a long row": (csv_bytes(ROW_A, ROW_C + ",7"), False),
}
SAME_READING |= {
    f"corpus: {name}": (bad.data, None)
    for name, bad in CORPUS.items()
    if isinstance(bad.data, bytes) and not bad.patch
}


@pytest.mark.parametrize("name", list(SAME_READING))
def test_arrow_and_pandas_read_a_file_the_same(world, plan_campaign, monkeypatch, arrow_runs, name):
    data, arrow_reads_it = SAME_READING[name]
    # given the file read as it is (Arrow first)
    fast = outcome_and_rows(world, data)
    used = dict(arrow_runs)
    # when it is read by pandas alone
    without_arrow(monkeypatch)
    slow = outcome_and_rows(world, data)
    # then the outcome and the stored rows are the same; Arrow read the file when it could
    assert fast == slow
    if arrow_reads_it is not None:
        assert used == {"read": int(arrow_reads_it), "gave up": int(not arrow_reads_it)}


def test_the_same_reading_corpus_covers_the_bad_csv_files():
    assert sum(name.startswith("corpus: ") for name in SAME_READING) >= 10


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
def test_a_row_arrow_cannot_read_rolls_back_what_it_wrote(world, monkeypatch, arrow_runs, dry_run):
    # given chunks of 4 rows and 20 rows of which the 15th has no campaign value at all
    # (pandas reads the missing last value as empty: the channel total)
    monkeypatch.setattr(importer, "CHUNK_ROWS", 4)
    rows = [f"2027-03-{day:02d},douyin,1000,50,40,10,5,3,120.50,300.00," for day in range(1, 21)]
    rows[14] = rows[14].rstrip(",")
    # when it is imported: Arrow wrote three chunks before it met that row
    outcome = run(world, csv_bytes(*rows, header=CAMPAIGN_LAST), dry_run=dry_run)
    # then pandas read the whole file again, and each row is stored once
    assert arrow_runs == {"read": 0, "gave up": 1}
    assert outcome.ok, outcome.errors
    assert (outcome.rows_total, outcome.inserted, outcome.replaced) == (20, 20, 0)
    stored = metrics(world)
    assert len(stored) == (0 if dry_run else 20)
    assert len({row[0] for row in stored}) == len(stored)


def test_a_row_with_too_many_values_after_written_chunks_leaves_nothing(
    world, monkeypatch, arrow_runs
):
    # given earlier rows, chunks of 4 rows, and a file whose 18th row has a value too many
    monkeypatch.setattr(importer, "CHUNK_ROWS", 4)
    assert run(world, csv_bytes(ROW_C)).ok
    before = metrics(world)
    rows = days_of_march(20)
    rows[16] += ",9"
    # when it is imported
    outcome = run(world, csv_bytes(*rows))
    # then Arrow gave up (it read the first file), pandas says where the file breaks,
    # and the table is as it was
    assert arrow_runs == {"read": 1, "gave up": 1}
    assert [(e.row, e.column) for e in outcome.errors] == [(18, None)]
    assert "has 12 values but the header has 11 columns" in outcome.errors[0].message
    assert metrics(world) == before


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(plain_count, plain_money, odd_text), min_size=1, max_size=40),
    st.booleans(),
)
def test_arrow_numbers_read_every_cell_as_the_rules_do(texts, money):
    # given the cells as an object array and as a slice of an Arrow string array
    import pyarrow as pa

    column = pa.array(["padding", *texts], type=pa.string()).slice(1)
    # when both are read
    expected = importer._parse_numbers(np.array(texts, dtype=object), money=money)
    found = importer._parse_numbers(importer._arrow_numbers(column, money=money), money=money)
    # then the values, the refused cells and the reasons are the same
    assert found[0].tolist() == expected[0].tolist()
    assert found[1:] == expected[1:]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="id blocks: PostgreSQL only")
def test_an_import_numbers_its_rows_in_one_block_of_ids(world):
    block = DailyMetric.ID_BLOCK
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT increment_by FROM pg_sequences WHERE sequencename = %s",
            [f"{DailyMetric._meta.db_table}_id_seq"],
        )
        assert cursor.fetchone() == (block,)

    def ids(outcome_rows: int) -> list[int]:
        found = sorted(DailyMetric.objects.filter(plan=world.plan).values_list("id", flat=True))
        assert len(found) == outcome_rows
        return found

    # given an import of 30 rows
    assert run(world, csv_bytes(*days_of_march(30))).inserted == 30
    first = ids(30)
    # when a row is added on its own, and 31 more rows are imported
    single = DailyMetric.objects.create(
        plan=world.plan, date=date(2027, 4, 1), channel=world.plan.channels.get(code="wechat")
    )
    assert run(world, csv_bytes(*days_of_march(31, ROW_C))).inserted == 31
    # then each import's ids run on from its block's first id, and nothing shares a block
    second = [pk for pk in ids(62) if pk not in first and pk != single.pk]
    for numbered in (first, second):
        assert numbered == list(range(numbered[0], numbered[0] + len(numbered)))
    starts = sorted([first[0], single.pk, second[0]])
    assert starts == [first[0], single.pk, second[0]]
    assert all(later - earlier >= block for earlier, later in itertools.pairwise(starts))
