"""The KOL/KOC roster import: CSV or Excel in, the whole file checked, all or nothing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.models import Creator, CreatorTier
from channels.roster_import import (
    MAX_BYTES,
    MAX_ROWS,
    ImportResult,
    RosterImportError,
    RowError,
    import_roster,
    read_table,
    validate,
)
from core.errors import InvalidInput, Locked, NotAllowed
from planner.models import Plan, PlanStatus

HEADER = "name,platform,tier,followers,fee,category,profile_url,contact_owner"


def run(world, content, *, filename="roster.csv", persona="editor", **kwargs) -> ImportResult:
    upload = content.encode() if isinstance(content, str) else content
    return import_roster(
        plan=world.plan, upload=upload, filename=filename, actor=world.users[persona], **kwargs
    )


def refused(world, content, **kwargs) -> RosterImportError:
    before = Creator.objects.count()
    with pytest.raises(RosterImportError) as caught:
        run(world, content, **kwargs)
    assert Creator.objects.count() == before, "a refused file must write nothing"
    return caught.value


def xlsx(rows, *, extra_sheet=False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        workbook.create_sheet("Notes").append(["not", "a", "roster"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster(world):
    return {(c.platform, c.name): c for c in Creator.objects.filter(plan=world.plan)}


# --- reading good files ----------------------------------------------------------------


def test_a_csv_roster_adds_every_creator_with_its_values(world):
    content = (
        f"{HEADER}\n"
        "Li Jiaqi,Douyin,head,12000,5000.50,beauty,https://douyin.com/lj,editor-user\n"
        "Tea Girl,Xiaohongshu,koc,,,,,\n"
    )
    result = run(world, content)
    assert result == ImportResult(created=2, updated=0)
    creators = roster(world)
    head = creators[("Douyin", "Li Jiaqi")]
    assert (head.tier, head.followers, head.fee, head.category) == (
        CreatorTier.HEAD,
        12000,
        Decimal("5000.50"),
        "beauty",
    )
    assert head.profile_url == "https://douyin.com/lj"
    assert head.contact_owner == world.users["editor"]
    koc = creators[("Xiaohongshu", "Tea Girl")]
    assert (koc.tier, koc.followers, koc.fee, koc.category, koc.profile_url) == (
        CreatorTier.KOC,
        0,
        Decimal("0"),
        "",
        "",
    )
    assert koc.contact_owner is None


def test_an_xlsx_roster_is_read_from_its_first_sheet_with_numeric_cells(world):
    content = xlsx(
        [
            ["Name", "Platform", "Tier", "Followers", "Fee"],
            ["Xiao Ming", "Bilibili", "mid", 250000, 8800.5],
            ["Da Wei", "Weibo", "head", 3_000_000.0, 120000],
        ],
        extra_sheet=True,
    )
    assert run(world, content, filename="roster.XLSX") == ImportResult(created=2, updated=0)
    creators = roster(world)
    assert creators[("Bilibili", "Xiao Ming")].followers == 250000
    assert creators[("Bilibili", "Xiao Ming")].fee == Decimal("8800.50")
    assert creators[("Weibo", "Da Wei")].followers == 3_000_000


def test_header_names_ignore_case_surrounding_spaces_and_order(world):
    content = " TIER , Platform,NAME \nmid,Douyin,Ada\n"
    run(world, content)
    assert roster(world)[("Douyin", "Ada")].tier == CreatorTier.MID


def test_chinese_tier_words_wan_followers_and_yuan_fees_are_understood(world):
    content = (
        "name,platform,tier,followers,fee\n"
        '甲,抖音,头部,1.2万,"¥12,000"\n'
        "乙,小红书,腰部,3.5w,￥800.5\n"
        '丙,微博,素人,"12,000",1.5万\n'
        "丁,微博,KOC,８８,300元\n"
    )
    run(world, content)
    creators = roster(world)
    assert (creators[("抖音", "甲")].tier, creators[("抖音", "甲")].followers) == ("head", 12000)
    assert creators[("抖音", "甲")].fee == Decimal("12000")
    assert (creators[("小红书", "乙")].tier, creators[("小红书", "乙")].followers) == ("mid", 35000)
    assert creators[("小红书", "乙")].fee == Decimal("800.50")
    assert (creators[("微博", "丙")].tier, creators[("微博", "丙")].followers) == ("koc", 12000)
    assert creators[("微博", "丙")].fee == Decimal("15000")
    assert (creators[("微博", "丁")].tier, creators[("微博", "丁")].followers) == ("koc", 88)
    assert creators[("微博", "丁")].fee == Decimal("300")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_or_utf8_with_or_without_bom_is_read(world, encoding):
    content = "name,platform,tier,category\n李佳琪,抖音,头部,美妆护肤\n".encode(encoding)
    run(world, content)
    assert roster(world)[("抖音", "李佳琪")].category == "美妆护肤"


def test_a_django_uploaded_file_is_accepted(world):
    upload = SimpleUploadedFile("roster.csv", b"name,platform,tier\nAda,Douyin,mid\n")
    result = import_roster(
        plan=world.plan, upload=upload, filename=upload.name, actor=world.users["editor"]
    )
    assert result.created == 1


def test_empty_rows_are_skipped_and_rows_are_numbered_as_in_a_spreadsheet(world):
    table = read_table(
        b"name,platform,tier\n\nAda,Douyin,mid\n,,\nBo,Douyin,bad\n", filename="r.csv"
    )
    assert list(table.index) == [3, 5]
    _, errors = validate(table, plan=world.plan)
    assert errors == [RowError(5, "tier", errors[0].message)]


def test_xlsx_rows_are_numbered_as_excel_shows_them(world):
    content = xlsx(
        [
            [None],
            ["name", "platform", "tier"],
            ["Ada", "Douyin", "mid"],
            [None],
            ["Bo", "Douyin", 7],
        ]
    )
    error = refused(world, content, filename="roster.xlsx")
    assert [(e.row, e.column) for e in error.errors] == [(5, "tier")]
    assert "“7” is not a tier" in error.errors[0].message


# --- updating ---------------------------------------------------------------------------


def test_a_creator_already_on_the_roster_is_updated_with_a_new_version_and_history(world):
    creator = Creator.objects.create(
        plan=world.plan, name="Ada", platform="Douyin", tier="koc", followers=10, category="food"
    )
    content = (
        "name,platform,tier,followers,fee,category\nAda,Douyin,mid,20000,,\nBo,Douyin,koc,,,\n"
    )
    assert run(world, content) == ImportResult(created=1, updated=1)
    creator.refresh_from_db()
    assert (creator.tier, creator.followers, creator.version) == ("mid", 20000, 2)
    assert creator.category == "food", "an empty cell keeps the current value"
    latest = creator.history.latest()
    assert latest.history_user == world.users["editor"]
    assert latest.history_change_reason == "roster_import"
    assert roster(world)[("Douyin", "Bo")].history.latest().history_user == world.users["editor"]


def test_a_row_with_the_same_values_leaves_the_creator_untouched(world):
    creator = Creator.objects.create(
        plan=world.plan, name="Ada", platform="Douyin", tier="mid", followers=20000
    )
    result = run(world, "name,platform,tier,followers\nAda,Douyin,mid,2万\n")
    assert result == ImportResult(created=0, updated=0, unchanged=1)
    creator.refresh_from_db()
    assert creator.version == 1


def test_a_column_left_out_of_the_file_keeps_the_current_values(world):
    owner = world.users["manager"]
    creator = Creator.objects.create(
        plan=world.plan, name="Ada", platform="Douyin", tier="koc", fee=50, contact_owner=owner
    )
    run(world, "name,platform,tier\nAda,Douyin,head\n")
    creator.refresh_from_db()
    assert (creator.tier, creator.fee, creator.contact_owner) == ("head", Decimal("50"), owner)


def test_create_mode_refuses_a_creator_already_on_the_roster(world):
    Creator.objects.create(plan=world.plan, name="Ada", platform="Douyin", tier="koc")
    error = refused(world, "name,platform,tier\nBo,Douyin,mid\nAda,Douyin,mid\n", mode="create")
    assert [(e.row, e.column) for e in error.errors] == [(3, "name")]


# --- refusing bad files ---------------------------------------------------------------

BAD_CELLS = [
    pytest.param("followers", "lots", "must be a whole number ≥ 0", id="followers-not-a-number"),
    pytest.param("followers", "-3", "must be a whole number ≥ 0", id="followers-negative"),
    pytest.param("followers", "1.5", "must be a whole number ≥ 0", id="followers-fraction"),
    pytest.param("followers", "1.23456万", "must be a whole number", id="followers-wan-fraction"),
    pytest.param("followers", '"1,5"', "must be a whole number", id="followers-decimal-comma"),
    pytest.param("fee", "-5", "must be a number ≥ 0", id="fee-negative"),
    pytest.param("fee", "cheap", "must be a number ≥ 0", id="fee-not-a-number"),
    pytest.param("fee", "12.345", "at most 2 decimal places", id="fee-three-decimals"),
    pytest.param("fee", "$100", "CNY", id="fee-other-currency"),
    pytest.param("fee", "1000000000000", "must be at most", id="fee-too-large"),
    pytest.param("fee", "9" * 29, "must be at most", id="fee-huge"),
    pytest.param("followers", "9" * 25, "must be at most", id="followers-huge"),
    pytest.param("followers", "1" * 40, "must be a whole number", id="followers-absurd"),
    pytest.param("tier", "superstar", "is not a tier", id="tier-unknown"),
    pytest.param("profile_url", "douyin.com/ada", "http:// or https://", id="url-no-scheme"),
    pytest.param("profile_url", "ftp://douyin.com/ada", "http:// or https://", id="url-ftp"),
    pytest.param("contact_owner", "outsider-user", "not a member", id="owner-other-workspace"),
    pytest.param("contact_owner", "nobody", "not a member", id="owner-unknown"),
    pytest.param("name", "x" * 121, "at most 120 characters", id="name-too-long"),
    pytest.param("category", "y" * 81, "at most 80 characters", id="category-too-long"),
]


@pytest.mark.parametrize(("column", "value", "reason"), BAD_CELLS)
def test_a_bad_cell_is_named_by_row_column_and_reason_and_nothing_is_written(
    world, column, value, reason
):
    cells = {"name": "Bad", "platform": "Douyin", "tier": "mid", column: value}
    header = ",".join(cells)
    content = f"{header}\nGood,Douyin,head{',' * (len(cells) - 3)}\n{','.join(cells.values())}\n"
    error = refused(world, content)
    assert [(e.row, e.column) for e in error.errors] == [(3, column)]
    assert reason in error.errors[0].message
    assert error.fields["file"] == [f"Row 3, column {column}: {error.errors[0].message}"]


@pytest.mark.parametrize("column", ["name", "platform", "tier"])
def test_an_empty_required_cell_is_refused(world, column):
    cells = {"name": "Ada", "platform": "Douyin", "tier": "mid", column: ""}
    error = refused(world, "name,platform,tier\n" + ",".join(cells.values()) + "\n")
    assert [(e.row, e.column, e.message) for e in error.errors] == [
        (2, column, "must not be empty")
    ]


def test_an_unknown_column_is_named(world):
    error = refused(world, "name,platform,tier,xyz\nAda,Douyin,mid,1\n")
    assert [(e.row, e.column) for e in error.errors] == [(1, "xyz")]
    assert "unknown column" in error.errors[0].message
    assert "Row 1, column xyz: unknown column" in error.fields["file"][0]


def test_a_missing_required_column_is_named(world):
    error = refused(world, "name,platform,followers\nAda,Douyin,10\n")
    assert [(e.row, e.column) for e in error.errors] == [(1, "tier")]
    assert "required column is missing" in error.errors[0].message


def test_a_column_given_twice_or_values_without_a_header_are_refused(world):
    error = refused(world, "name,platform,tier,Name,\nAda,Douyin,mid,Ada,oops\n")
    assert [(e.row, e.column) for e in error.errors] == [(1, "name"), (1, "E")]


def test_the_same_platform_and_name_twice_in_the_file_names_both_rows(world):
    content = "name,platform,tier\nAda,Douyin,mid\nBo,Douyin,koc\nAda,Douyin,head\n"
    error = refused(world, content)
    assert [(e.row, e.column) for e in error.errors] == [(2, "name"), (4, "name")]
    assert "row 4" in error.errors[0].message and "row 2" in error.errors[1].message


def test_every_problem_is_reported_at_once(world):
    content = (
        "name,platform,tier,followers,fee\n"
        "Ada,Douyin,mid,10,-1\n"
        "Bo,Douyin,nope,many,5\n"
        "Cy,Douyin,koc,1,1\n"
    )
    error = refused(world, content)
    assert [(e.row, e.column) for e in error.errors] == [
        (2, "fee"),
        (3, "tier"),
        (3, "followers"),
    ]
    assert "3 problems" in str(error.message)
    assert isinstance(error, InvalidInput)


def test_one_bad_row_at_the_end_keeps_every_good_row_out(world):
    good = "".join(f"Creator {i},Douyin,koc\n" for i in range(200))
    refused(world, f"name,platform,tier\n{good}Last,Douyin,???\n")
    assert not Creator.objects.filter(plan=world.plan).exists()


def test_a_long_list_of_problems_is_shortened_for_display_but_kept_whole(world):
    content = "name,platform,tier\n" + "".join(f"C{i},Douyin,bad\n" for i in range(150))
    error = refused(world, content)
    assert len(error.errors) == 150
    assert len(error.fields["file"]) == 101
    assert "50 more problems" in error.fields["file"][-1]


@pytest.mark.parametrize(
    ("content", "filename", "reason"),
    [
        pytest.param(b"", "roster.csv", "The file is empty.", id="empty"),
        pytest.param(b"\n \n,,\n", "roster.csv", "The file is empty.", id="blank-lines-only"),
        pytest.param(b"name,platform,tier\n", "roster.csv", "no data rows", id="header-only"),
        pytest.param(b"name,platform,tier\nA,B,mid\n", "roster.txt", ".csv or .xlsx", id="txt"),
        pytest.param(b"name,platform,tier\nA,B,mid\n", "roster", ".csv or .xlsx", id="no-ext"),
        pytest.param(b"not a zip", "roster.xlsx", "not a readable Excel", id="bad-xlsx"),
        pytest.param(b"PK\x03\x04\x00\x00", "roster.csv", "not a CSV text", id="binary-csv"),
        pytest.param(b"\xff\xfe\x00\x00\x81", "roster.csv", "cannot be read as text", id="enc"),
    ],
)
def test_a_file_that_is_not_a_roster_is_refused_as_a_whole(world, content, filename, reason):
    error = refused(world, content, filename=filename)
    assert [(e.row, e.column) for e in error.errors] == [(0, "")]
    assert reason in error.errors[0].message
    assert error.fields["file"] == [error.errors[0].message]


def test_an_xlsx_with_only_a_header_has_no_data_rows(world):
    error = refused(world, xlsx([["name", "platform", "tier"]]), filename="roster.xlsx")
    assert "no data rows" in error.errors[0].message


def test_more_than_the_row_limit_is_refused(world):
    rows = "".join(f"C{i},Douyin,koc\n" for i in range(MAX_ROWS + 1))
    error = refused(world, "name,platform,tier\n" + rows)
    assert "more than 5,000 data rows" in error.errors[0].message


def test_exactly_the_row_limit_is_read(world):
    rows = "".join(f"C{i},Douyin,koc\n" for i in range(MAX_ROWS))
    table = read_table(("name,platform,tier\n" + rows).encode(), filename="roster.csv")
    assert len(table) == MAX_ROWS


@pytest.mark.parametrize("as_uploaded_file", [False, True])
def test_a_file_over_two_megabytes_is_refused(world, as_uploaded_file):
    content = b"name,platform,tier\n" + b"x" * MAX_BYTES
    if as_uploaded_file:
        content = SimpleUploadedFile("roster.csv", content)
    error = refused(world, content)
    assert "larger than 2 MB" in error.errors[0].message


# --- who may import, and when --------------------------------------------------------


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_only_editors_of_the_workspace_may_import(world, persona):
    with pytest.raises(NotAllowed):
        run(world, "name,platform,tier\nAda,Douyin,mid\n", persona=persona)
    assert not Creator.objects.exists()


def test_a_viewer_is_refused_before_the_file_is_even_read(world):
    with pytest.raises(NotAllowed):
        run(world, b"", persona="viewer")


def test_a_submitted_plan_is_locked(world):
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.IN_REVIEW)
    with pytest.raises(Locked):
        run(world, "name,platform,tier\nAda,Douyin,mid\n")
    assert not Creator.objects.exists()


# --- property: whatever valid roster goes in comes out --------------------------------

NAMES = st.text(alphabet='ab张三,"', min_size=1, max_size=5)
PLATFORMS = st.sampled_from(["抖音", "小红书", "Weibo", "B站"])
TIERS = st.sampled_from(
    [
        ("head", "head"),
        ("头部", "head"),
        ("Mid", "mid"),
        ("腰部", "mid"),
        ("KOC", "koc"),
        ("素人", "koc"),
    ]
)
FOLLOWERS = st.integers(min_value=0, max_value=10**12)
FEES = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
ROWS = st.lists(
    st.tuples(NAMES, PLATFORMS, TIERS, FOLLOWERS, FEES),
    min_size=1,
    max_size=12,
    unique_by=lambda row: (row[1], row[0]),
)


def _roster_file(rows, kind):
    if kind == "xlsx":
        body = [
            [name, platform, word, followers, float(fee)]
            for name, platform, (word, _), followers, fee in rows
        ]
        return xlsx([["name", "platform", "tier", "followers", "fee"], *body]), "roster.xlsx"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["fee", "followers", "tier", "platform", "name"])
    for name, platform, (word, _), followers, fee in rows:
        writer.writerow([f"¥{fee:,}", f"{followers:,}", word, platform, name])
    return buffer.getvalue().encode("gb18030"), "roster.csv"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS, kind=st.sampled_from(["csv", "xlsx"]))
def test_every_row_of_a_valid_roster_is_on_the_roster_exactly_once_with_its_values(
    world, rows, kind
):
    Creator.objects.filter(plan=world.plan).delete()
    content, filename = _roster_file(rows, kind)
    result = run(world, content, filename=filename)
    assert result == ImportResult(created=len(rows), updated=0)
    stored = list(Creator.objects.filter(plan=world.plan))
    assert len(stored) == len(rows)
    got = {(c.name, c.platform): (c.tier, c.followers, c.fee) for c in stored}
    want = {
        (name, platform): (tier, followers, fee)
        for name, platform, (_, tier), followers, fee in rows
    }
    assert got == want
    # importing the same file again changes nothing
    assert run(world, content, filename=filename) == ImportResult(0, 0, unchanged=len(rows))
