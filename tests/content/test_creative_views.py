"""Creative standards, assets and licences pages: what they show, the forms that edit
them, the publish rule as a person meets it in the browser, and who may do what."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from channels.models import Channel
from content import services
from content.models import Asset, AssetElement, BrandStandard, Licence, SizeSpec
from planner.models import Plan, PlanStatus
from tests.content.helpers import asset, campaign, licence, spec
from tests.factories import PlanFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(world: Any, suffix: str = "") -> str:
    return f"/plans/{world.plan.pk}/content/{suffix}"


def text(response: Any) -> str:
    return response.content.decode()


def approve(world: Any) -> None:
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.APPROVED)


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


def asset_post(a: Asset, *, rows: list[dict[str, Any]] | None = None, **overrides: Any) -> dict:
    """The asset form as the page posts it, elements included (current ones by default)."""
    a.refresh_from_db()
    data: dict[str, Any] = {
        "name": a.name,
        "spec": a.spec_id or "",
        "layers": list(a.layers),
        "review_status": a.review_status,
        "owner": a.owner_id or "",
        "file_ref": a.file_ref,
        "notes": a.notes,
        "version": a.version,
    }
    if a.vi_passed:
        data["vi_passed"] = "on"
    if rows is None:
        rows = [
            {"kind": e.kind, "name": e.name, "licence": e.licence_id or ""}
            for e in a.elements.order_by("id")
        ]
    prefix = f"el{a.pk}"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(len(rows) + 1),
            f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "60",
        }
    )
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    data.update(overrides)
    return data


def approved_asset(world: Any, name: str, elements: list[dict[str, Any]]) -> Asset:
    return services.asset_create(
        campaign=campaign(world),
        actor=world.users["editor"],
        name=name,
        spec=spec(world),
        layers=["selling_point", "emotional_story", "call_to_action"],
        review_status="approved",
        vi_passed=True,
        elements=elements,
    )


# --- creative standards ----------------------------------------------------------------------


def test_creative_page_shows_brand_swatches_and_specs_grouped_by_channel(world, client_for):
    # given
    services.brand_standard_save(
        plan=world.plan,
        expected_version=0,
        changes={
            "colours": [{"name": "Lumi red", "hex": "#C8102E"}],
            "fonts": ["Source Han Sans SC"],
            "graphic_elements": "Tea-leaf pattern",
            "vi_review_required": True,
        },
        actor=world.users["editor"],
    )
    # when
    page = text(client_for("viewer").get(url(world, "creative/")))
    # then
    assert 'style="background-color: #C8102E"' in page and "Lumi red" in page
    assert "Source Han Sans SC" in page and "Tea-leaf pattern" in page
    assert "VI review required" in page
    douyin = Channel.objects.get(plan=world.plan, code="douyin")
    assert f'<th colspan="8">{douyin.display_name}</th>' in page  # a group per channel
    assert "1080 × 1920" in page and "9:16" in page and "1 min" in page
    assert "Add the standard specs" not in page  # viewers read only


def test_brand_save_parses_colour_lines_and_creates_the_standard(world, client_for):
    response = client_for("editor").post(
        url(world, "creative/brand/"),
        {
            "version": "0",
            "colours": "Lumi red #c8102e\r\nJade green: #00A86B\r\n\r\n",
            "fonts": "Source Han Sans SC\r\nMontserrat\r\n",
            "graphic_elements": "Seal logo",
            "vi_review_required": "on",
        },
    )
    assert response.status_code == 302
    standard = BrandStandard.objects.get(plan=world.plan)
    assert standard.colours == [
        {"name": "Lumi red", "hex": "#C8102E"},
        {"name": "Jade green", "hex": "#00A86B"},
    ]
    assert standard.fonts == ["Source Han Sans SC", "Montserrat"]
    assert standard.vi_review_required is True


def test_brand_save_names_the_bad_colour_line_on_the_field(world, client_for):
    response = client_for("editor").post(
        url(world, "creative/brand/"),
        {"version": "0", "colours": "Lumi red #C8102E\nJade green 00A86", "fonts": ""},
    )
    assert response.status_code == 400
    page = text(response)
    assert "Line 2" in page and "Jade green 00A86" in page
    assert not BrandStandard.objects.filter(plan=world.plan).exists()


def test_brand_save_with_a_stale_version_shows_the_conflict_and_keeps_the_saved_one(
    world, client_for
):
    # given: a standard saved twice (version 2)
    editor = world.users["editor"]
    first = services.brand_standard_save(
        plan=world.plan, expected_version=0, changes={"fonts": ["A"]}, actor=editor
    )
    services.brand_standard_save(
        plan=world.plan, expected_version=first.version, changes={"fonts": ["B"]}, actor=editor
    )
    # when: someone posts the form they opened at version 1
    response = client_for("editor").post(
        url(world, "creative/brand/"), {"version": first.version, "colours": "", "fonts": "C"}
    )
    # then
    assert response.status_code == 409
    assert "Not saved" in text(response)
    assert BrandStandard.objects.get(plan=world.plan).fonts == ["B"]


def test_specs_install_says_how_many_were_added(world, client_for):
    SizeSpec.objects.filter(plan=world.plan).delete()
    client = client_for("editor")
    response = client.post(url(world, "creative/specs/install/"), follow=True)
    count = SizeSpec.objects.filter(plan=world.plan).count()
    assert count > 0
    assert f"{count} standard specs added." in text(response)
    again = client.post(url(world, "creative/specs/install/"), follow=True)
    assert "Nothing to add" in text(again)
    assert SizeSpec.objects.filter(plan=world.plan).count() == count


def test_spec_is_added_edited_in_place_and_removed(world, client_for):
    client = client_for("editor")
    douyin = Channel.objects.get(plan=world.plan, code="douyin")
    # add
    response = client.post(
        url(world, "creative/specs/new/"),
        {
            "channel": douyin.pk,
            "name": "Square teaser",
            "kind": "image",
            "width": 1080,
            "height": 1080,
            "file_format": "JPG",
        },
    )
    assert response.status_code == 302
    teaser = SizeSpec.objects.get(plan=world.plan, name="Square teaser")
    # edit in place
    fragment = text(client.get(url(world, f"creative/specs/{teaser.pk}/"), **HTMX))
    assert "<html" not in fragment and 'id="spec-form"' in fragment
    response = client.post(
        url(world, f"creative/specs/{teaser.pk}/"),
        {
            "channel": douyin.pk,
            "name": "Square teaser",
            "kind": "image",
            "width": 1080,
            "height": 1350,
            "file_format": "JPG",
            "version": teaser.version,
        },
        **HTMX,
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    teaser.refresh_from_db()
    assert (teaser.height, teaser.aspect_ratio) == (1350, "4:5")
    # a stale edit shows the conflict in place
    stale = client.post(
        url(world, f"creative/specs/{teaser.pk}/"),
        {
            "channel": douyin.pk,
            "name": "Square teaser",
            "kind": "image",
            "width": 1080,
            "height": 1920,
            "version": teaser.version - 1,
        },
        **HTMX,
    )
    assert stale.status_code == 200 and "Not saved" in text(stale)
    teaser.refresh_from_db()
    assert teaser.height == 1350
    # remove
    client.post(
        url(world, f"creative/specs/{teaser.pk}/"), {"delete": "1", "version": teaser.version}
    )
    assert not SizeSpec.objects.filter(pk=teaser.pk).exists()


def test_spec_errors_are_shown_on_the_field(world, client_for):
    response = client_for("editor").post(
        url(world, "creative/specs/new/"), {"name": "Poster", "kind": "image"}
    )
    assert response.status_code == 400
    assert "Give the width and height in pixels." in text(response)


# --- assets ----------------------------------------------------------------------------------


def test_assets_page_shows_spec_layers_and_a_flag_for_each_missing_layer(world, client_for):
    # given
    a = asset(world, layers=["selling_point"])
    # when
    page = text(client_for("viewer").get(url(world, "assets/")))
    # then
    card = page[page.index(f'id="asset-{a.pk}"') :]
    assert "Reunion poster" in card and campaign(world).name in page
    assert a.spec is None and "No spec" in card
    assert "Missing: Emotional story" in card and "Missing: Call to action" in card
    assert "Missing: Selling point" not in card
    assert "Source Han Sans" in card and "Valid until" in card
    assert "Edit" not in card.split("</article>")[0]  # viewers read only


def test_assets_page_shows_size_ratio_and_licence_problems_prominently(world, client_for):
    expired = licence(world, "Old brush font", expires=days(-3))
    a = approved_asset(
        world,
        "Banner",
        [
            {"kind": "font", "name": "Old brush", "licence": expired},
            {"kind": "music", "name": "Jingle", "licence": None},
        ],
    )
    page = text(client_for("editor").get(url(world, "assets/")))
    card = page[page.index(f'id="asset-{a.pk}"') :].split("</article>")[0]
    assert "has-problems" in page[page.index(f'id="asset-{a.pk}"') - 40 :][:60]
    assert "Cannot be published yet" in card
    assert "Jingle (Music) has no licence." in card
    assert f"expired on {date_format(days(-3))}" in card
    assert a.spec is not None and f"{a.spec.width} × {a.spec.height}" in card


def test_assets_can_be_filtered_by_campaign_and_review_status(world, client_for):
    first = asset(world)
    other = campaign(
        world,
        code="mid-autumn-2027",
        name="Mid-Autumn",
        festival="",
        start=date(2027, 9, 1),
        end=date(2027, 9, 30),
    )
    second = services.asset_create(
        campaign=other, actor=world.users["editor"], name="Moon poster", review_status="draft"
    )
    client = client_for("viewer")
    only_other = text(client.get(url(world, f"assets/?campaign={other.pk}")))
    assert f'id="asset-{second.pk}"' in only_other and f'id="asset-{first.pk}"' not in only_other
    drafts = text(client.get(url(world, "assets/?status=draft")))
    assert f'id="asset-{second.pk}"' in drafts and f'id="asset-{first.pk}"' not in drafts
    everything = text(client.get(url(world, "assets/?campaign=nonsense&status=bogus")))
    assert f'id="asset-{second.pk}"' in everything and f'id="asset-{first.pk}"' in everything


def test_asset_is_created_with_its_elements(world, client_for):
    font = licence(world)
    c = campaign(world)
    response = client_for("editor").post(
        url(world, "assets/new/"),
        {
            "campaign": c.pk,
            "name": "Story video",
            "spec": spec(world).pk,
            "layers": ["selling_point", "call_to_action"],
            "review_status": "draft",
            "owner": world.users["editor"].pk,
            "el-new-TOTAL_FORMS": "3",
            "el-new-INITIAL_FORMS": "0",
            "el-new-MIN_NUM_FORMS": "0",
            "el-new-MAX_NUM_FORMS": "60",
            "el-new-0-kind": "font",
            "el-new-0-name": "Source Han Sans",
            "el-new-0-licence": font.pk,
            "el-new-1-kind": "music",
            "el-new-1-name": "Theme tune",
            "el-new-1-licence": "",
            # row 2 left empty: skipped
        },
    )
    assert response.status_code == 302
    created = Asset.objects.get(campaign=c, name="Story video")
    assert created.layers == ["selling_point", "call_to_action"]
    assert [(e.kind, e.name, e.licence_id) for e in created.elements.order_by("id")] == [
        ("font", "Source Han Sans", font.pk),
        ("music", "Theme tune", None),
    ]


def test_asset_create_shows_element_problems_on_the_elements_block(world, client_for):
    response = client_for("editor").post(
        url(world, "assets/new/"),
        {
            "campaign": campaign(world).pk,
            "name": "Story video",
            "review_status": "draft",
            "el-new-TOTAL_FORMS": "1",
            "el-new-INITIAL_FORMS": "0",
            "el-new-0-kind": "font",
            "el-new-0-name": "",
            "el-new-0-licence": licence(world).pk,
        },
    )
    assert response.status_code == 400
    assert "Element 1: give its name." in text(response)
    assert not Asset.objects.filter(name="Story video").exists()


def test_asset_edit_replaces_the_elements_and_removes_a_ticked_one(world, client_for):
    a = asset(world)
    music = licence(world, "Theme tune", kind="music")
    rows = [
        {"kind": "font", "name": "Source Han Sans", "licence": licence(world).pk, "remove": "on"},
        {"kind": "music", "name": "Theme tune", "licence": music.pk},
    ]
    response = client_for("editor").post(
        url(world, f"assets/{a.pk}/"), asset_post(a, rows=rows), **HTMX
    )
    assert response.status_code == 204
    assert [(e.name, e.licence_id) for e in a.elements.all()] == [("Theme tune", music.pk)]


def test_asset_form_in_place_lists_licences_with_their_expiry(world, client_for):
    a = asset(world)
    licence(world, "Old brush font", expires=days(-3))
    fragment = text(client_for("editor").get(url(world, f"assets/{a.pk}/"), **HTMX))
    assert "<html" not in fragment and f'id="asset-form-{a.pk}"' in fragment
    assert f"Old brush font (expired {date_format(days(-3))})" in fragment
    assert f"Source Han Sans (until {date_format(days(400))})" in fragment
    # the review select offers only the steps the flow allows from "approved"
    options = re.findall(
        r'<option value="(\w+)"[^>]*>',
        fragment.split('name="review_status"')[1].split("</select>")[0],
    )
    assert options == ["in_review", "approved", "published"]


# --- publishing ------------------------------------------------------------------------------


def test_publish_is_refused_naming_the_element_without_licence(world, client_for):
    # given
    a = approved_asset(world, "Poster", [{"kind": "font", "name": "Brush Script", "licence": None}])
    # when
    response = client_for("editor").post(
        url(world, f"assets/{a.pk}/publish/"), {"version": a.version}, follow=True
    )
    # then
    page = text(response)
    assert "Poster was not published:" in page
    assert "Brush Script (Font) has no licence." in page
    assert f'id="refusal-{a.pk}"' in page  # also on the asset itself
    a.refresh_from_db()
    assert (a.review_status, a.published_at) == ("approved", None)


def test_publish_is_refused_naming_the_date_the_licence_expired(world, client_for):
    expired_on = days(-10)
    old = licence(world, "FZ Lanting Hei", expires=expired_on, source="Founder Type")
    a = approved_asset(world, "Poster", [{"kind": "font", "name": "Lanting", "licence": old}])
    response = client_for("editor").post(
        url(world, f"assets/{a.pk}/publish/"), {"version": a.version}, follow=True
    )
    page = text(response)
    assert f"The licence of Lanting (Font) expired on {date_format(expired_on)}." in page
    assert "FZ Lanting Hei (Founder Type)" in page  # which licence to renew
    a.refresh_from_db()
    assert a.review_status == "approved" and a.published_at is None


def test_publish_with_valid_licences_publishes(world, client_for):
    a = asset(world)  # approved, its font licence valid for 400 days
    response = client_for("editor").post(
        url(world, f"assets/{a.pk}/publish/"), {"version": a.version}, follow=True
    )
    assert "Reunion poster is published." in text(response)
    a.refresh_from_db()
    assert a.review_status == "published"
    assert a.published_at is not None and a.published_by == world.users["editor"]


def test_publish_with_a_stale_version_is_refused(world, client_for):
    a = asset(world)
    response = client_for("editor").post(
        url(world, f"assets/{a.pk}/publish/"), {"version": a.version - 1}, follow=True
    )
    assert "changed in the meantime" in text(response)
    a.refresh_from_db()
    assert a.review_status == "approved"


def test_status_select_to_published_is_refused_like_the_button(world, client_for):
    # given
    old = licence(world, "Old brush font", expires=days(-3))
    a = approved_asset(world, "Poster", [{"kind": "font", "name": "Brush", "licence": old}])
    # when: the form sets the review status to published
    response = client_for("editor").post(
        url(world, f"assets/{a.pk}/"), asset_post(a, review_status="published")
    )
    # then
    assert response.status_code == 400
    page = text(response)
    assert "The asset cannot be marked published:" in page
    assert f"The licence of Brush (Font) expired on {date_format(days(-3))}." in page
    a.refresh_from_db()
    assert a.review_status == "approved" and a.published_at is None


def test_status_select_to_published_with_a_missing_licence_is_refused(world, client_for):
    a = approved_asset(world, "Poster", [{"kind": "image", "name": "Tea field", "licence": None}])
    response = client_for("editor").post(
        url(world, f"assets/{a.pk}/"), asset_post(a, review_status="published"), **HTMX
    )
    assert response.status_code == 200  # the form again, in place
    assert "Tea field (Image) has no licence." in text(response)
    a.refresh_from_db()
    assert a.review_status == "approved"


def test_status_select_to_published_with_valid_licences_publishes(world, client_for):
    a = asset(world)
    response = client_for("editor").post(
        url(world, f"assets/{a.pk}/"), asset_post(a, review_status="published"), **HTMX
    )
    assert response.status_code == 204
    a.refresh_from_db()
    assert a.review_status == "published" and a.published_at is not None


def test_asset_edit_with_a_stale_version_shows_the_conflict(world, client_for):
    a = asset(world)
    data = asset_post(a, name="Renamed by me")
    services.asset_update(
        asset=a,
        expected_version=a.version,
        changes={"name": "Renamed by them"},
        actor=world.users["manager"],
    )
    response = client_for("editor").post(url(world, f"assets/{a.pk}/"), data)
    assert response.status_code == 409
    page = text(response)
    assert "Not saved" in page and "Renamed by me" in page and "Renamed by them" in page
    a.refresh_from_db()
    assert a.name == "Renamed by them"


def test_asset_of_another_plan_in_the_same_workspace_is_not_found(world, client_for):
    other_plan = cast(Plan, PlanFactory(workspace=world.workspace, name="Scenario B"))
    other_campaign = services.campaign_create(
        plan=other_plan,
        actor=world.users["editor"],
        code="x",
        name="X",
        theme="csr",
        start=date(2027, 3, 1),
        end=date(2027, 3, 9),
    )
    stray = services.asset_create(
        campaign=other_campaign, actor=world.users["editor"], name="Stray"
    )
    stray_licence = services.licence_create(
        plan=other_plan,
        actor=world.users["editor"],
        name="L",
        kind="font",
        source="S",
        scope="All",
        document_ref="D",
    )
    client = client_for("editor")
    assert client.get(url(world, f"assets/{stray.pk}/")).status_code == 404
    assert client.post(url(world, f"assets/{stray.pk}/publish/"), {"version": 1}).status_code == 404
    assert client.get(url(world, f"licences/{stray_licence.pk}/")).status_code == 404
    other_spec = SizeSpec.objects.filter(plan=world.other_plan).first()
    assert other_spec is not None
    assert client.get(url(world, f"creative/specs/{other_spec.pk}/")).status_code == 404


def test_assets_page_query_count_does_not_grow_with_assets(world, client_for):
    # given
    font = licence(world)
    music = licence(world, "Theme tune", kind="music")
    client = client_for("editor")

    def add(n: int) -> None:
        start = Asset.objects.count()
        for i in range(start, start + n):
            services.asset_create(
                campaign=campaign(world),
                actor=world.users["editor"],
                name=f"Asset {i}",
                spec=spec(world),
                layers=["selling_point"],
                elements=[
                    {"kind": "font", "name": "Sans", "licence": font},
                    {"kind": "music", "name": "Tune", "licence": music},
                ],
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(world, "assets/")).status_code == 200
        return len(queries)

    # when
    add(3)
    with_three = count()
    add(17)
    with_twenty = count()
    # then
    assert with_three == with_twenty


@pytest.mark.parametrize("n", [3, 20])
def test_assets_page_stays_under_a_fixed_query_budget(
    world, client_for, n, django_assert_max_num_queries
):
    font = licence(world)
    for i in range(n):
        services.asset_create(
            campaign=campaign(world),
            actor=world.users["editor"],
            name=f"Asset {i}",
            elements=[{"kind": "font", "name": "Sans", "licence": font}],
        )
    client = client_for("editor")
    with django_assert_max_num_queries(12):
        client.get(url(world, "assets/"))


# --- licences --------------------------------------------------------------------------------


def _report(page: str) -> str:
    return page[page.index('id="expiry"') : page.index('id="licences"')]


def test_expiry_report_buckets_follow_the_chosen_period(world, client_for):
    # given
    soon = licence(world, "In 10 days", expires=days(10))
    mid = licence(world, "In 45 days", expires=days(45))
    late = licence(world, "In 80 days", expires=days(80))
    far = licence(world, "In 200 days", expires=days(200))
    gone = licence(world, "Expired", expires=days(-5))
    licence(world, "Expired unused", expires=days(-5))
    a = approved_asset(
        world, "Uses the expired one", [{"kind": "font", "name": "F", "licence": gone}]
    )
    client = client_for("viewer")

    def shown(within: int) -> set[str]:
        report = _report(text(client.get(url(world, f"licences/?within={within}"))))
        return {
            name
            for name, obj in {
                "soon": soon,
                "mid": mid,
                "late": late,
                "far": far,
                "gone": gone,
            }.items()
            if f'id="report-licence-{obj.pk}"' in report
        }

    # then
    assert shown(30) == {"soon", "gone"}
    assert shown(60) == {"soon", "mid", "gone"}
    assert shown(90) == {"soon", "mid", "late", "gone"}
    report = _report(text(client.get(url(world, "licences/?within=90"))))
    assert 'id="bucket-expired"' in report and "Uses the expired one" in report
    assert 'id="bucket-30"' in report and 'id="bucket-60"' in report and 'id="bucket-90"' in report
    # the expired bucket comes first, and each licence sits in its own bucket
    assert report.index(f"report-licence-{gone.pk}") < report.index('id="bucket-30"')
    assert (
        report.index('id="bucket-60"')
        < report.index(f"report-licence-{mid.pk}")
        < report.index('id="bucket-90"')
    )
    assert f"?campaign={a.campaign_id}#asset-{a.pk}" in report
    # a nonsense period falls back to 90 days
    assert 'id="bucket-90"' in _report(text(client.get(url(world, "licences/?within=7"))))


def test_licences_table_lists_every_licence_with_its_use(world, client_for):
    asset(world)
    licence(world, "Forever font", expires=None)
    page = text(client_for("viewer").get(url(world, "licences/")))
    table = page[page.index('id="licence-table"') :]
    assert "Source Han Sans" in table and "Forever font" in table and "Perpetual" in table
    assert "Worldwide" in table and "OFL-1.1" in table
    row = table[table.index("Source Han Sans") :].split("</tr>")[0]
    assert '<td class="num">1</td>' in row


def test_licence_is_added_edited_in_place_and_removed(world, client_for):
    client = client_for("editor")
    response = client.post(
        url(world, "licences/new/"),
        {
            "name": "Tea photos",
            "kind": "image",
            "source": "VCG",
            "scope": "Online",
            "territory": "mainland_china",
            "expires": days(30).isoformat(),
            "document_ref": "VCG-1",
        },
    )
    assert response.status_code == 302
    photos = Licence.objects.get(plan=world.plan, name="Tea photos")
    fragment = text(client.get(url(world, f"licences/{photos.pk}/"), **HTMX))
    assert "<html" not in fragment and 'id="licence-form"' in fragment
    response = client.post(
        url(world, f"licences/{photos.pk}/"),
        {
            "name": "Tea photos",
            "kind": "image",
            "source": "VCG",
            "scope": "Online",
            "territory": "mainland_china",
            "expires": days(400).isoformat(),
            "document_ref": "VCG-1",
            "version": photos.version,
        },
        **HTMX,
    )
    assert response.status_code == 204
    photos.refresh_from_db()
    assert photos.expires == days(400)
    client.post(url(world, f"licences/{photos.pk}/"), {"delete": "1", "version": photos.version})
    assert not Licence.objects.filter(pk=photos.pk).exists()


def test_licence_errors_and_stale_versions_are_shown(world, client_for):
    font = licence(world)
    client = client_for("editor")
    bad = client.post(url(world, "licences/new/"), {"name": "X", "kind": "font"})
    assert bad.status_code == 400 and "Give the licensor or library." in text(bad)
    stale = client.post(
        url(world, f"licences/{font.pk}/"),
        {
            "name": "Renamed",
            "kind": "font",
            "source": font.source,
            "scope": font.scope,
            "territory": font.territory,
            "document_ref": font.document_ref,
            "version": font.version + 5,
        },
    )
    assert stale.status_code == 409 and "Not saved" in text(stale)
    assert Licence.objects.get(pk=font.pk).name == "Source Han Sans"


def test_deleting_a_licence_in_use_shows_the_services_message(world, client_for):
    a = asset(world)
    used = a.elements.get().licence
    assert used is not None
    response = client_for("editor").post(
        url(world, f"licences/{used.pk}/"), {"delete": "1", "version": used.version}, follow=True
    )
    assert "uses this licence" in text(response)
    assert Licence.objects.filter(pk=used.pk).exists()


# --- who may do what -------------------------------------------------------------------------


def test_viewer_gets_403_on_every_write(world, client_for):
    a = asset(world)
    lic = licence(world)
    s = spec(world)
    client = client_for("viewer")
    for path, data in [
        ("creative/brand/", {"version": 0, "fonts": "A"}),
        ("creative/specs/new/", {"name": "X", "kind": "audio"}),
        (f"creative/specs/{s.pk}/", {"delete": "1", "version": s.version}),
        ("creative/specs/install/", {}),
        ("assets/new/", {"campaign": a.campaign_id, "name": "X"}),
        (f"assets/{a.pk}/", {"delete": "1", "version": a.version}),
        (f"assets/{a.pk}/publish/", {"version": a.version}),
        ("licences/new/", {"name": "X"}),
        (f"licences/{lic.pk}/", {"delete": "1", "version": lic.version}),
    ]:
        assert client.post(url(world, path), data).status_code == 403, path
    assert Asset.objects.filter(pk=a.pk, review_status="approved").exists()
    assert Licence.objects.filter(pk=lic.pk).exists() and SizeSpec.objects.filter(pk=s.pk).exists()


def test_approved_plan_keeps_assets_and_licences_editable_but_not_specs_or_brand(world, client_for):
    # given
    a = asset(world)
    approve(world)
    client = client_for("editor")
    # then: execution data goes on
    assert "Add an asset" in text(client.get(url(world, "assets/")))
    assert "Add a licence" in text(client.get(url(world, "licences/")))
    response = client.post(
        url(world, "licences/new/"),
        {
            "name": "Late photo",
            "kind": "image",
            "source": "VCG",
            "scope": "Online",
            "territory": "mainland_china",
            "document_ref": "VCG-2",
        },
    )
    assert response.status_code == 302 and Licence.objects.filter(name="Late photo").exists()
    response = client.post(url(world, f"assets/{a.pk}/"), asset_post(a, name="Final poster"))
    assert response.status_code == 302
    assert Asset.objects.get(pk=a.pk).name == "Final poster"
    publish = client.post(url(world, f"assets/{a.pk}/publish/"), {"version": a.version + 1})
    assert publish.status_code == 302
    assert Asset.objects.get(pk=a.pk).review_status == "published"
    # and planning data is frozen
    page = text(client.get(url(world, "creative/")))
    assert "Add the standard specs" not in page and "Edit the brand standard" not in page
    assert "Set the brand standard" not in page
    brand = client.post(url(world, "creative/brand/"), {"version": 0, "fonts": "A"}, follow=True)
    assert "Only a draft plan can be edited" in text(brand)
    assert not BrandStandard.objects.filter(plan=world.plan).exists()
    before = SizeSpec.objects.filter(plan=world.plan).count()
    new_spec = client.post(
        url(world, "creative/specs/new/"),
        {"name": "Late", "kind": "image", "width": 1, "height": 1},
        follow=True,
    )
    assert "Only a draft plan can be edited" in text(new_spec)
    assert not SizeSpec.objects.filter(plan=world.plan, name="Late").exists()
    SizeSpec.objects.filter(plan=world.plan).delete()
    install = client.post(url(world, "creative/specs/install/"), follow=True)
    assert "Only a draft plan can be edited" in text(install)
    assert SizeSpec.objects.filter(plan=world.plan).count() == 0
    assert before > 0


def test_element_rows_keep_their_licence_after_an_error(world, client_for):
    font = licence(world)
    a = asset(world)
    rows = [{"kind": "font", "name": "Sans", "licence": font.pk}]
    response = client_for("editor").post(
        url(world, f"assets/{a.pk}/"), asset_post(a, rows=rows, name=""), **HTMX
    )
    assert response.status_code == 200
    fragment = text(response)
    assert "Name the asset." in fragment
    assert f'<option value="{font.pk}" selected>' in fragment
    assert AssetElement.objects.filter(asset=a, name="Source Han Sans").exists()


def test_archived_plan_refuses_asset_and_licence_changes_with_a_message(world, client_for):
    a = asset(world)
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.ARCHIVED)
    client = client_for("editor")
    page = text(client.get(url(world, "assets/")))
    assert "Add an asset" not in page and "The plan is archived" in page
    response = client.post(url(world, f"assets/{a.pk}/"), asset_post(a, name="Late"), follow=True)
    assert "archived" in text(response)
    assert Asset.objects.get(pk=a.pk).name == "Reunion poster"
    publish = client.post(
        url(world, f"assets/{a.pk}/publish/"), {"version": a.version}, follow=True
    )
    assert "archived" in text(publish)
    assert Asset.objects.get(pk=a.pk).review_status == "approved"


def test_editing_a_published_asset_keeps_the_licence_rule(world, client_for):
    a = asset(world)
    a = services.asset_publish(asset=a, expected_version=a.version, actor=world.users["editor"])
    rows = [{"kind": "music", "name": "New jingle", "licence": ""}]
    response = client_for("editor").post(
        url(world, f"assets/{a.pk}/"), asset_post(a, rows=rows), **HTMX
    )
    assert response.status_code == 200
    page = text(response)
    assert "A published asset must keep a valid licence for every element:" in page
    assert "New jingle (Music) has no licence." in page
    assert [e.name for e in Asset.objects.get(pk=a.pk).elements.all()] == ["Source Han Sans"]
