"""CSV imports of traffic shares and voice figures: all or nothing, precise problems."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from monitoring.competitor_import import import_csv
from monitoring.competitors import CompetitorObservation
from tests.monitoring.competitors.helpers import competitor

pytestmark = pytest.mark.django_db


def run(world, kind: str, text: str | bytes):
    competitor(world, "HeyTea")
    competitor(world, "Nayuki")
    raw = text.encode() if isinstance(text, str) else text
    return import_csv(
        plan=world.plan, actor=world.users["editor"], kind=kind, raw=raw, filename="f.csv"
    )


def test_traffic_import_groups_rows_into_one_split_per_brand_and_day(world):
    outcome = run(
        world,
        "traffic",
        "date,competitor,source,share\n"
        "2027-03-01,HeyTea,search,0.36\n"
        "2027-03-01,heytea,Social,24%\n"
        "2027-03-01,us,search,0.31\n",
    )
    assert outcome.ok, outcome.problems
    assert (outcome.created, outcome.replaced, outcome.rows) == (2, 0, 3)
    hey = CompetitorObservation.objects.get(competitor__name="HeyTea")
    assert hey.traffic == {"search": "0.3600", "social": "0.2400"}
    assert hey.observed_on == date(2027, 3, 1) and hey.kind == "traffic_share"
    ours = CompetitorObservation.objects.get(competitor__isnull=True)
    assert ours.traffic == {"search": "0.3100"}


def test_a_second_import_replaces_the_figure(world):
    run(
        world,
        "voice",
        "month,competitor,mentions,positive,neutral,negative\n2027-01,us,100,0.6,0.3,0.1\n",
    )
    outcome = run(
        world,
        "voice",
        "month,competitor,mentions,positive,neutral,negative\n"
        '2027-01,us,"1,200",0.5,0.4,0.1\n2027-01,Nayuki,800,0.5,0.3,0.2\n',
    )
    assert (outcome.created, outcome.replaced) == (1, 1)
    ours = CompetitorObservation.objects.get(competitor__isnull=True)
    assert (ours.mentions, ours.positive, ours.version) == (1200, Decimal("0.5"), 2)


VOICE_HEADER = "month,competitor,mentions,positive,neutral,negative\n"
TRAFFIC_HEADER = "date,competitor,source,share\n"

BAD_FILES = [
    # (kind, content, [(row, column, part of the message)])
    ("traffic", "", [(None, None, "The file is empty.")]),
    ("traffic", "date,competitor,source\n2027-03-01,us,search\n", [(1, "share", "missing")]),
    (
        "traffic",
        "date,competitor,source,share,extra\n2027-03-01,us,search,0.3,x\n",
        [(1, "extra", "Unknown column; the columns are: date, competitor, source, share")],
    ),
    ("traffic", TRAFFIC_HEADER, [(None, None, "a header but no rows")]),
    (
        "traffic",
        TRAFFIC_HEADER + "2027-02-30,us,search,0.3\n",
        [(2, "date", "“2027-02-30” is not a date written YYYY-MM-DD.")],
    ),
    (
        "traffic",
        TRAFFIC_HEADER + "2026-12-31,us,search,0.3\n",
        [(2, "date", "outside the plan year 2027")],
    ),
    (
        "traffic",
        TRAFFIC_HEADER + "2027-03-01,Mixue,search,0.3\n",
        [(2, "competitor", "“Mixue” is not a competitor of this plan")],
    ),
    (
        "traffic",
        TRAFFIC_HEADER + "2027-03-01,us,search,abc\n2027-03-01,us,social,1.5\n",
        [(2, "share", "“abc” is not a number."), (3, "share", "1.5 is not a share from 0 to 1")],
    ),
    (
        "traffic",
        TRAFFIC_HEADER + "2027-03-01,us,search,0.7\n2027-03-01,us,social,0.4\n",
        [(3, "share", "The shares of us on 2027-03-01 (rows 2, 3) add up to 1.1000")],
    ),
    (
        "traffic",
        TRAFFIC_HEADER + "2027-03-01,us,search,0.3\n2027-03-01,us,Search,0.2\n",
        [(3, "source", "“search” for this brand and date is already on row 2.")],
    ),
    (
        "traffic",
        TRAFFIC_HEADER + "2027-03-01,us,search\n",
        [(2, None, "The row has 3 values; the header has 4.")],
    ),
    ("traffic", b"\x00\x01binary\xff", [(None, None, "not a CSV file")]),
    (
        "voice",
        VOICE_HEADER + "2027-3,us,100,0.6,0.3,0.1\n",
        [(2, "month", "“2027-3” is not a month written YYYY-MM.")],
    ),
    (
        "voice",
        VOICE_HEADER + "2027-03,us,-5,0.6,0.3,0.1\n",
        [(2, "mentions", "“-5” is not a whole number of mentions")],
    ),
    (
        "voice",
        VOICE_HEADER + "2027-03,us,100,0.6,0.3,0.2\n",
        [(2, "negative", "add up to 1.1000; they must add up to 1")],
    ),
    (
        "voice",
        VOICE_HEADER + "2027-03,us,100,0.6,0.3,0.1\n2027-03,US,90,0.6,0.3,0.1\n",
        [(3, "month", "The figure of this brand for 2027-03 is already on row 2.")],
    ),
    (
        "voice",
        "month,month,competitor,mentions,positive,neutral,negative\n",
        [(1, "month", "The column appears more than once.")],
    ),
]


@pytest.mark.parametrize(("kind", "content", "expected"), BAD_FILES)
def test_bad_files_are_refused_with_row_column_and_reason(world, kind, content, expected):
    # given a file with a mistake (and, for mixed files, good rows too)
    # when it is imported
    outcome = run(world, kind, content)
    # then every problem names its row, column and reason, and nothing is written
    assert not outcome.ok
    found = [(p.row, p.column, p.message) for p in outcome.problems]
    assert len(found) == len(expected), found
    for (row, column, message), (want_row, want_column, part) in zip(found, expected, strict=True):
        assert (row, column) == (want_row, want_column), found
        assert part in message, found
    assert CompetitorObservation.objects.count() == 0


def test_one_bad_row_keeps_the_good_rows_out_too(world):
    outcome = run(
        world,
        "voice",
        VOICE_HEADER + "2027-01,us,100,0.6,0.3,0.1\n2027-02,HeyTea,xx,0.6,0.3,0.1\n",
    )
    assert [(p.row, p.column) for p in outcome.problems] == [(3, "mentions")]
    assert CompetitorObservation.objects.count() == 0


def test_gbk_files_are_read(world):
    competitor(world, "喜茶")
    body = (TRAFFIC_HEADER + "2027-03-01,喜茶,search,0.3\n").encode("gbk")
    outcome = import_csv(
        plan=world.plan, actor=world.users["editor"], kind="traffic", raw=body, filename="x.csv"
    )
    assert outcome.ok and outcome.created == 1
