"""Channel pages: catalogue editing, the matrix, the KOL/KOC programme, the mix."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.models import Channel, ChannelPlan, Creator
from tests.channels.helpers import cell, channel, cooperation

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(world, suffix=""):
    return f"/plans/{world.plan.pk}/channels/{suffix}"


def test_catalogue_page_lists_families_with_grade_placeholder(world, client_for):
    content = client_for("viewer").get(url(world)).content.decode()
    for family in ("online", "offline", "crossover"):
        assert f'id="channels-{family}"' in content
    assert "Not graded yet" in content and "WeChat Channels" in content


def test_matrix_cell_form_is_a_fragment_and_saves_with_refresh(world, client_for):
    douyin = channel(world)
    client = client_for("editor")
    fragment = client.get(url(world, f"matrix/{douyin.pk}/q2/"), **HTMX).content.decode()
    assert "<html" not in fragment and 'id="cell-form"' in fragment
    response = client.post(
        url(world, f"matrix/{douyin.pk}/q2/"),
        {"role": "Reach", "budget": "250000", "formats": ["short_video"], "version": "0"},
        **HTMX,
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    saved = ChannelPlan.objects.get(channel=douyin, quarter=2)
    assert (saved.budget, saved.formats) == (Decimal(250000), ["short_video"])
    content = client.get(url(world, "matrix/")).content.decode()
    assert content.count("¥250,000") >= 4  # the cell, its row, the family subtotal and the total


def test_matrix_query_count_does_not_grow_with_cells(world, client_for):
    client = client_for("viewer")
    cell(world, "douyin", 1)
    client.get(url(world, "matrix/"))
    with CaptureQueriesContext(connection) as few:
        client.get(url(world, "matrix/"))
    for code in ("tmall", "jd", "weibo", "popup"):
        for quarter in (1, 2, 3):
            cell(world, code, quarter)
    with CaptureQueriesContext(connection) as many:
        client.get(url(world, "matrix/"))
    assert len(many) == len(few) <= 12


def test_stale_cell_save_says_so_and_keeps_the_saved_value(world, client_for):
    c = cell(world)
    client = client_for("editor")
    client.post(
        url(world, f"matrix/{c.channel_id}/q1/"), {"budget": "1", "version": c.version}, **HTMX
    )
    content = client.post(
        url(world, f"matrix/{c.channel_id}/q1/"), {"budget": "2", "version": c.version}, **HTMX
    ).content.decode()
    assert "in the meantime" in content
    assert ChannelPlan.objects.get(pk=c.pk).budget == 1


def test_channel_edit_fragment_and_save(world, client_for):
    wechat = channel(world, "wechat")
    client = client_for("editor")
    assert "<html" not in client.get(url(world, f"{wechat.pk}/edit/"), **HTMX).content.decode()
    response = client.post(
        url(world, f"{wechat.pk}/edit/"),
        {
            "code": "wechat",
            "name": "WeChat OA",
            "name_zh": "公众号",
            "family": "online",
            "group": "social",
            "platform": "WeChat",
            "formats": ["graphic"],
            "is_active": "on",
            "version": wechat.version,
        },
        **HTMX,
    )
    assert response.status_code == 204
    assert Channel.objects.get(pk=wechat.pk).name_zh == "公众号"


def test_kol_page_shows_tier_metrics(world, client_for):
    cooperation(world)
    content = client_for("viewer").get(url(world, "kol/")).content.decode()
    assert "¥5.00" in content and "¥100.00" in content and "1.30×" in content
    assert 'data-chart="tier-figure"' in content


def test_kol_page_query_count_is_bounded(world, client_for):
    cooperation(world)
    client = client_for("editor")
    client.get(url(world, "kol/"))
    with CaptureQueriesContext(connection) as queries:
        client.get(url(world, "kol/"))
    assert len(queries) <= 15, [q["sql"] for q in queries.captured_queries]


def test_roster_upload_page_reports_rows_and_writes_nothing(world, client_for):
    client = client_for("editor")
    bad = SimpleUploadedFile("roster.csv", b"name,platform,tier,fee\nA,Weibo,koc,-5\n")
    response = client.post(url(world, "kol/import/"), {"file": bad}, follow=True)
    assert "Row 2, column fee" in response.content.decode()
    assert not Creator.objects.filter(plan=world.plan).exists()


def test_mix_page_shares_and_goal(world, client_for):
    cell(world, "douyin", 1)
    cell(world, "popup", 1)
    content = client_for("viewer").get(url(world, "mix/")).content.decode()
    assert 'data-chart="mix-figure"' in content
    assert "50.0%" in content


def test_creator_edit_form_in_place_and_update(world, client_for):
    from tests.channels.helpers import creator

    c = creator(world)
    client = client_for("editor")
    fragment = client.get(url(world, f"kol/creators/{c.pk}/"), **HTMX).content.decode()
    assert "<html" not in fragment and 'value="Tea Master Lin"' in fragment
    client.post(
        url(world, f"kol/creators/{c.pk}/"),
        {
            "name": "Tea Master Lin",
            "platform": "Douyin",
            "tier": "head",
            "followers": "6000000",
            "fee": "220000",
            "category": "",
            "profile_url": "",
            "version": c.version,
        },
    )
    assert Creator.objects.get(pk=c.pk).fee == Decimal(220000)


def test_cooperation_results_can_be_updated(world, client_for):
    from channels.models import Cooperation

    co = cooperation(world)
    client_for("editor").post(
        url(world, f"kol/cooperations/{co.pk}/"),
        {
            "creator": co.creator_id,
            "campaign": co.campaign,
            "date": "2027-01-20",
            "deliverables": "",
            "fee": "200000",
            "views": "1500000",
            "engagements": "50000",
            "clicks": "20000",
            "conversions": "2500",
            "gmv": "325000",
            "version": co.version,
        },
    )
    assert Cooperation.objects.get(pk=co.pk).conversions == 2500
