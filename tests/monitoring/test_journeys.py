"""Importing journeys (monitoring/journeys.py, monitoring/attribution.py, the
``import_journeys`` command) and the recompute step that stores the credits."""

from __future__ import annotations

import io
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import OutboxMessage
from monitoring import attribution as service
from monitoring.models import (
    AttributionResult,
    AttributionRun,
    JourneyImport,
    JourneyPath,
)
from monitoring.recompute import recompute_plan
from monitoring.services import RECOMPUTE_TASK
from tests.monitoring.seed import channel

TOUCH = "journey_id,timestamp,channel,conversion,conversion_value"
PATH = "path,conversions,conversion_value,nulls"
GOOD_TOUCHES = [
    "j1,2027-03-01 10:00:00,douyin,0,",
    "j1,2027-03-03 10:00:00,sem_baidu,0,",
    "j1,2027-03-05 10:00:00,tmall,1,120.50",
    "j1,2027-03-06 10:00:00,tmall,0,",  # after the conversion: cut
    "j2,2027-03-02T09:00:00+08:00,douyin,0,0",
    "j3,2027-04-01 08:00,douyin,0,",
    "j3,2027-04-02 08:00,sem_baidu,0,",
    "j3,2027-04-02 09:00,tmall,1,80",
]


def body(header: str, *rows: str) -> bytes:
    return "\n".join([header, *rows, ""]).encode()


def run(world, data, *, actor="editor", **kwargs) -> JourneyImport:
    return service.import_journeys(
        plan=world.plan,
        actor=world.users[actor] if actor else None,
        source=io.BytesIO(data) if isinstance(data, bytes) else data,
        filename="journeys.csv",
        size=len(data) if isinstance(data, bytes) else 0,
        **kwargs,
    )


def stored(world) -> list[tuple]:
    return sorted(
        (tuple(p.channels), tuple(p.ages or ()), p.conversions, p.value, p.nulls)
        for p in JourneyPath.objects.filter(plan=world.plan)
    )


def test_touchpoints_are_reduced_to_paths_and_a_recompute_is_requested(world):
    # when
    record = run(world, body(TOUCH, *GOOD_TOUCHES))
    # then
    assert record.status == "succeeded", record.errors
    assert (record.format, record.rows_total, record.journeys) == ("touchpoints", 8, 3)
    assert (record.conversions, record.value, record.paths, record.touches_cut) == (
        2,
        Decimal("200.50"),
        2,
        1,
    )
    assert (str(record.first_date), str(record.last_date)) == ("2027-03-02", "2027-04-02")
    ids = [channel(world, c).pk for c in ("douyin", "sem_baidu", "tmall")]
    assert stored(world) == sorted(
        [
            ((ids[0],), (), 0, Decimal("0.00"), 1),
            (tuple(ids), (4, 2, 0), 1, Decimal("120.50"), 0),
            (tuple(ids), (1, 0, 0), 1, Decimal("80.00"), 0),
        ]
    )
    assert OutboxMessage.objects.filter(
        task_name=RECOMPUTE_TASK, dedup_key=f"recompute:{world.plan.pk}"
    ).exists()


def test_reimporting_the_same_file_stores_the_same_paths(world):
    run(world, body(TOUCH, *GOOD_TOUCHES))
    first = stored(world)
    run(world, body(TOUCH, *reversed(GOOD_TOUCHES)))
    assert stored(world) == first
    assert JourneyPath.objects.filter(plan=world.plan).count() == 3


def test_append_adds_to_the_stored_journeys_and_replace_starts_over(world):
    run(world, body(TOUCH, *GOOD_TOUCHES))
    run(world, body(PATH, "douyin > tmall,2,300,5"), mode="append")
    assert JourneyPath.objects.filter(plan=world.plan).count() == 4
    run(world, body(PATH, "douyin > tmall,2,300,5"))
    assert JourneyPath.objects.filter(plan=world.plan).count() == 1


def test_a_dry_run_reports_and_writes_nothing(world):
    record = run(world, body(TOUCH, *GOOD_TOUCHES), dry_run=True)
    assert record.status == "checked" and record.journeys == 3
    assert not JourneyPath.objects.exists()


def test_path_rows_xlsx_and_json_rows_are_accepted(world):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Path", "conversions", "conversion_value", "nulls"])
    sheet.append(["douyin > sem_baidu > tmall", 3, 450.5, 10])
    sheet.append(["WECHAT>jd", 0, 0, 4])
    buffer = io.BytesIO()
    book.save(buffer)
    record = run(world, buffer.getvalue())
    assert record.status == "succeeded", record.errors
    assert (record.format, record.journeys, record.conversions) == ("paths", 17, 3)
    rows = [
        {"path": "douyin>tmall", "conversions": 1, "conversion_value": "10", "nulls": 0},
        {"path": "tmall", "conversions": 2, "conversion_value": 20, "nulls": 1},
    ]
    record = run(world, rows)
    assert record.status == "succeeded", record.errors
    assert record.paths == 2


BAD_FILES = [
    # (what, content, row, column, message part)
    ("empty file", b"", None, None, "The file is empty"),
    ("an image", b"\x89PNG\r\n\x1a\n....", None, None, "PNG image"),
    ("no format", body("date,channel", "2027-01-01,douyin"), 1, None, "neither touchpoint"),
    ("semicolons", body("journey_id;timestamp;channel"), 1, None, "Wrong delimiter"),
    (
        "missing column",
        body("journey_id,timestamp,channel,conversion"),
        1,
        "conversion_value",
        "required column is missing",
    ),
    (
        "extra column",
        body(TOUCH + ",campaign", "j,2027-01-01,douyin,1,1,x"),
        1,
        "campaign",
        "not a column of this format",
    ),
    ("header only", body(TOUCH), None, None, "no data rows"),
    (
        "unknown channel",
        body(TOUCH, "j1,2027-03-01 10:00,tiktok,1,5"),
        2,
        "channel",
        "no channel with the code “tiktok”",
    ),
    (
        "bad timestamp",
        body(TOUCH, "j1,03/01/2027,douyin,1,5"),
        2,
        "timestamp",
        "is not a timestamp",
    ),
    (
        "impossible date",
        body(TOUCH, "j1,2027-02-30 10:00,douyin,1,5"),
        2,
        "timestamp",
        "not a real date",
    ),
    (
        "outside the year",
        body(TOUCH, "j1,2026-12-30 10:00,douyin,1,5"),
        2,
        "timestamp",
        "outside the plan year 2027",
    ),
    (
        "too early a touch",
        body(TOUCH, "j1,2026-08-01 10:00,douyin,0,", "j1,2027-01-05,tmall,1,5"),
        2,
        "timestamp",
        "more than 90 days before",
    ),
    (
        "conversion not 0/1",
        body(TOUCH, "j1,2027-03-01 10:00,douyin,yes,5"),
        2,
        "conversion",
        "must be 1",
    ),
    (
        "negative value",
        body(TOUCH, "j1,2027-03-01 10:00,douyin,1,-5"),
        2,
        "conversion_value",
        "must not be negative",
    ),
    (
        "NaN value",
        body(TOUCH, "j1,2027-03-01 10:00,douyin,1,NaN"),
        2,
        "conversion_value",
        "not a number (NaN)",
    ),
    (
        "value without conversion",
        body(TOUCH, "j1,2027-03-01 10:00,douyin,0,12"),
        2,
        "conversion_value",
        "without a conversion",
    ),
    (
        "two conversions",
        body(TOUCH, "j1,2027-03-01 10:00,douyin,1,5", "j1,2027-03-02,tmall,1,5"),
        3,
        "conversion",
        "already converted on row 2",
    ),
    (
        "duplicate touch",
        body(TOUCH, "j1,2027-03-01 10:00,douyin,0,", "j1,2027-03-01 10:00,douyin,1,5"),
        3,
        None,
        "repeats the journey, timestamp and channel of row 2",
    ),
    (
        "empty journey id",
        body(TOUCH, " ,2027-03-01 10:00,douyin,1,5"),
        2,
        "journey_id",
        "journey id is required",
    ),
    ("empty path", body(PATH, ",1,5,0"), 2, "path", "the path is empty"),
    ("unknown code in a path", body(PATH, "douyin > tiktok,1,5,0"), 2, "path", "“tiktok”"),
    ("empty step", body(PATH, "douyin > > tmall,1,5,0"), 2, "path", "empty step"),
    ("negative nulls", body(PATH, "douyin,1,5,-3"), 2, "nulls", "must not be negative"),
    ("negative conversions", body(PATH, "douyin,-1,5,3"), 2, "conversions", "must not be negative"),
    ("no journeys on a path", body(PATH, "douyin,0,0,0"), 2, None, "counts no journey"),
    (
        "repeated path",
        body(PATH, "douyin>tmall,1,5,0", "DOUYIN > tmall,1,5,0"),
        3,
        "path",
        "repeats the path of row 2",
    ),
    ("formula", body(PATH, "=cmd|' /C calc'!A0,1,5,0"), 2, "path", "spreadsheet formula"),
]


@pytest.mark.parametrize(
    ("what", "content", "row", "column", "part"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_a_bad_file_is_refused_with_a_precise_message_and_nothing_written(
    world, what, content, row, column, part
):
    run(world, body(PATH, "douyin > tmall,2,300,5"))  # what is stored must survive
    before = stored(world)
    record = run(world, content)
    assert record.status == "failed"
    assert record.error_count >= 1
    assert any(
        e["row"] == row and e["column"] == column and part in e["message"] for e in record.errors
    ), record.errors
    assert stored(world) == before


def test_xlsx_and_json_rows_are_read_as_the_metrics_importer_reads_them(world):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["path", "conversions", "conversion_value", "nulls"])
    sheet.append(["douyin", 1, 5, 0, "stray"])
    buffer = io.BytesIO()
    book.save(buffer)
    record = run(world, buffer.getvalue())
    assert record.status == "failed"
    assert [(e["row"], e["column"]) for e in record.errors] == [(2, "E")]
    assert "no header" in record.errors[0]["message"]
    rows = [
        {"path": "douyin", "conversions": 1, "conversion_value": 5, "nulls": 0},
        {"path": "tmall", "conversions": 1, "conversion_value": 5},
        "tmall",
    ]
    record = run(world, rows)
    assert record.status == "failed"
    assert [(e["row"], e["column"]) for e in record.errors] == [(2, None), (3, None)]
    assert "missing: nulls" in record.errors[0]["message"]
    assert "must be an object" in record.errors[1]["message"]
    assert not JourneyPath.objects.exists()


def test_errors_are_capped_with_a_count_of_the_rest(world):
    rows = [f"j{i},2027-03-01 10:00,tiktok,1,5" for i in range(80)]
    record = run(world, body(TOUCH, *rows))
    assert record.error_count == 80 and len(record.errors) == 50
    assert record.errors[0]["row"] == 2


def test_a_viewer_cannot_import_and_an_archived_plan_refuses(world):
    from core.errors import Locked, NotAllowed

    with pytest.raises(NotAllowed):
        run(world, body(TOUCH, *GOOD_TOUCHES), actor="viewer")
    world.plan.status = "archived"
    world.plan.save(update_fields=["status"])
    with pytest.raises(Locked):
        run(world, body(TOUCH, *GOOD_TOUCHES))


def test_the_recompute_stores_every_model_idempotently(world):
    # given
    run(world, body(TOUCH, *GOOD_TOUCHES))
    # when run twice
    recompute_plan(world.plan.pk)
    first = sorted(
        AttributionResult.objects.values_list("model", "channel", "conversions", "value")
    )
    recompute_plan(world.plan.pk)
    second = sorted(
        AttributionResult.objects.values_list("model", "channel", "conversions", "value")
    )
    # then
    assert first == second
    assert {m for m, *_ in first} == {
        "last_click",
        "first_click",
        "linear",
        "time_decay",
        "position_based",
        "markov",
    }
    for model in {m for m, *_ in first}:
        rows = [r for r in first if r[0] == model]
        assert sum(r[2] for r in rows) == pytest.approx(2)
        assert sum(r[3] for r in rows) == Decimal("200.50")
    last = {r[1]: r[2] for r in first if r[0] == "last_click"}
    assert last[channel(world, "tmall").pk] == 2
    run_row = AttributionRun.objects.get(plan=world.plan)
    assert (run_row.journeys, run_row.conversions, run_row.has_timestamps) == (3, 2, True)


def test_path_rows_have_no_time_decay(world):
    run(world, body(PATH, "douyin > tmall,2,300,5", "sem_baidu,1,50,2"))
    recompute_plan(world.plan.pk)
    models = set(AttributionResult.objects.values_list("model", flat=True))
    assert "time_decay" not in models and "markov" in models
    assert AttributionRun.objects.get(plan=world.plan).has_timestamps is False


def test_settings_are_validated_versioned_and_used(world):
    from core.errors import InvalidInput, StaleVersion

    current = service.settings_for(world.plan)
    with pytest.raises(InvalidInput) as refused:
        service.settings_update(
            plan=world.plan,
            expected_version=current.version,
            changes={"first_share": "0.7", "last_share": "0.5"},
            actor=world.users["editor"],
        )
    assert "last_share" in refused.value.fields
    fresh = service.settings_update(
        plan=world.plan,
        expected_version=current.version,
        changes={"half_life_days": "3", "first_share": "0.3", "last_share": "0.5"},
        actor=world.users["editor"],
    )
    assert fresh.version == current.version + 1
    with pytest.raises(StaleVersion):
        service.settings_update(
            plan=world.plan,
            expected_version=current.version,
            changes={"half_life_days": "4"},
            actor=world.users["editor"],
        )
    run(world, body(PATH, "douyin > tmall,2,300,0"))
    recompute_plan(world.plan.pk)
    credit = dict(
        AttributionResult.objects.filter(model="position_based").values_list(
            "channel__code", "conversions"
        )
    )
    assert credit == pytest.approx({"douyin": 0.75, "tmall": 1.25})  # 30:50 of two touches


def test_the_command_imports_and_exits_non_zero_on_bad_input(world, tmp_path):
    good = tmp_path / "journeys.csv"
    good.write_bytes(body(TOUCH, *GOOD_TOUCHES))
    out = StringIO()
    call_command("import_journeys", world.plan.pk, str(good), stdout=out)
    assert "3 journeys" in out.getvalue()
    assert JourneyImport.objects.get(status="succeeded").created_by is None
    bad = tmp_path / "bad.csv"
    bad.write_bytes(body(TOUCH, "j1,2027-03-01 10:00,tiktok,1,5"))
    err = StringIO()
    with pytest.raises(CommandError, match="refused"):
        call_command("import_journeys", world.plan.pk, str(bad), stderr=err)
    assert "Row 2, channel" in err.getvalue()
    with pytest.raises(CommandError, match="no plan"):
        call_command("import_journeys", 999999, str(good))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_journeys", world.plan.pk, str(tmp_path / "missing.csv"))
