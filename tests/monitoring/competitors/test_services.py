"""Writes of competitor tracking: validation, versions, screenshots checked by content."""

from __future__ import annotations

import struct
import zlib
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import InvalidInput, Locked, NotAllowed, StaleVersion
from monitoring import competitor_services as services
from monitoring.competitors import CompetitorObservation, FeatureValue
from planner.models import PlanStatus
from tests.monitoring.competitors.helpers import competitor, creative, feature, image, voice

pytestmark = pytest.mark.django_db
D = Decimal


def fields_of(excinfo) -> dict:
    return {k: [str(m) for m in v] for k, v in excinfo.value.fields.items()}


def test_competitor_names_are_unique_per_plan_in_any_case(world):
    competitor(world, "HeyTea")
    with pytest.raises(InvalidInput) as excinfo:
        services.competitor_create(plan=world.plan, actor=world.users["editor"], name=" heytea ")
    assert "already tracks" in fields_of(excinfo)["name"][0]


def test_competitor_website_must_be_http_or_https(world):
    with pytest.raises(InvalidInput) as excinfo:
        services.competitor_create(
            plan=world.plan, actor=world.users["editor"], name="X", website="ftp://x.com"
        )
    assert "http://" in fields_of(excinfo)["website"][0]


def test_viewer_cannot_add_a_competitor(world):
    with pytest.raises(NotAllowed):
        services.competitor_create(plan=world.plan, actor=world.users["viewer"], name="X")


def test_archived_plan_refuses_observations(world):
    rival = competitor(world)
    world.plan.status = PlanStatus.ARCHIVED
    world.plan.save(update_fields=["status"])
    with pytest.raises(Locked):
        voice(world, rival, 1, 100)


def test_competitor_update_is_versioned(world):
    rival = competitor(world)
    services.competitor_update(
        competitor=rival, expected_version=1, changes={"notes": "a"}, actor=world.users["editor"]
    )
    with pytest.raises(StaleVersion):
        services.competitor_update(
            competitor=rival,
            expected_version=1,
            changes={"notes": "b"},
            actor=world.users["editor"],
        )
    rival.refresh_from_db()
    assert (rival.notes, rival.version) == ("a", 2)


def test_promotion_needs_its_dates_and_mechanism_and_a_web_link(world):
    with pytest.raises(InvalidInput) as excinfo:
        services.observation_create(
            plan=world.plan,
            actor=world.users["editor"],
            competitor=competitor(world),
            kind="promotion",
            observed_on=date(2027, 6, 1),
            title="618",
            promo_start=date(2027, 6, 18),
            promo_end=date(2027, 6, 1),
            link="javascript:alert(1)",
        )
    problems = fields_of(excinfo)
    assert set(problems) == {"promo_end", "mechanism", "link"}
    assert CompetitorObservation.objects.count() == 0


def test_promotion_keeps_its_channels_and_clears_other_kinds_fields(world):
    obs = services.observation_create(
        plan=world.plan,
        actor=world.users["editor"],
        competitor=competitor(world),
        kind="promotion",
        observed_on=date(2027, 6, 1),
        title="618",
        promo_start=date(2027, 6, 1),
        mechanism="gift",
        seen_on="Tmall， Douyin live, Tmall",
        mentions=5,
    )
    assert obs.seen_on == ["Tmall", "Douyin live"]
    assert obs.mentions is None
    assert obs.recorded_by == world.users["editor"]


def test_only_voice_and_traffic_may_be_about_us(world):
    with pytest.raises(InvalidInput) as excinfo:
        services.observation_create(
            plan=world.plan,
            actor=world.users["editor"],
            competitor=None,
            kind="promotion",
            observed_on=date(2027, 6, 1),
            title="Ours",
        )
    assert "competitor" in fields_of(excinfo)


def test_a_competitor_of_another_plan_is_refused(world):
    rival = competitor(world, "Rival", plan=world.other_plan)
    with pytest.raises(InvalidInput) as excinfo:
        voice(world, rival, 1, 10)
    assert fields_of(excinfo)["competitor"] == ["Choose a competitor of this plan."]


def test_traffic_shares_sum_to_at_most_one(world):
    with pytest.raises(InvalidInput) as excinfo:
        services.observation_create(
            plan=world.plan,
            actor=world.users["editor"],
            competitor=None,
            kind="traffic_share",
            observed_on=date(2027, 3, 1),
            traffic={"Search": "0.6", "social": "0.5"},
        )
    assert "add up to 1.1000" in fields_of(excinfo)["traffic"][0]
    obs = services.observation_create(
        plan=world.plan,
        actor=world.users["editor"],
        competitor=None,
        kind="traffic_share",
        observed_on=date(2027, 3, 1),
        traffic={"Search": "0.6", "social": "0.3"},
    )
    assert obs.traffic == {"search": "0.6000", "social": "0.3000"}


def test_voice_shares_sum_to_one_and_the_figure_is_monthly(world):
    with pytest.raises(InvalidInput) as excinfo:
        voice(world, None, 3, 100, positive=D("0.5"), neutral=D("0.3"), negative=D("0.1"))
    assert "add up to 0.9000" in fields_of(excinfo)["positive"][0]
    obs = services.observation_create(
        plan=world.plan,
        actor=world.users["editor"],
        competitor=None,
        kind="voice",
        observed_on=date(2027, 3, 17),
        mentions=100,
        positive=D("0.5"),
        neutral=D("0.4"),
        negative=D("0.1"),
    )
    assert obs.observed_on == date(2027, 3, 1)
    with pytest.raises(InvalidInput) as excinfo:
        voice(world, None, 3, 120)
    assert "already a figure" in fields_of(excinfo)["observed_on"][0]


def test_product_update_needs_an_impact(world):
    with pytest.raises(InvalidInput) as excinfo:
        services.observation_create(
            plan=world.plan,
            actor=world.users["editor"],
            competitor=competitor(world),
            kind="product_update",
            observed_on=date(2027, 4, 8),
            title="Light range",
        )
    assert list(fields_of(excinfo)) == ["impact"]


# --- screenshots ---------------------------------------------------------------------------------


def upload(data: bytes, name: str = "shot.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type)


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares a canvas (the pixel data is tiny: a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + b"\x00" * 64
    )


def create_with(world, shot):
    return services.observation_create(
        plan=world.plan,
        actor=world.users["editor"],
        screenshot=shot,
        competitor=competitor(world),
        kind="ad_creative",
        observed_on=date(2027, 5, 28),
        title="618 key visual",
    )


def test_a_screenshot_is_stored_under_a_random_name_with_its_real_type(world, settings):
    obs = create_with(world, image(24, 16, name="../../etc/passwd.jpg"))
    assert obs.screenshot.name.startswith(f"competitors/{world.plan.pk}/")
    assert obs.screenshot.name.endswith(".png")  # what the bytes are, not what it was called
    assert "passwd" not in obs.screenshot.name
    assert (obs.screenshot_type, obs.screenshot_width, obs.screenshot_height) == (
        "image/png",
        24,
        16,
    )


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (
            b"MZ\x90\x00" + b"\x00" * 200,
            "creative.png",
            "is not a PNG, JPEG or WebP",
        ),  # renamed exe
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00", "anim.gif", "is not a PNG, JPEG or WebP"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg", "is not a PNG, JPEG or WebP"),
        (png_header(50_000, 50_000), "bomb.png", "declares 50000 × 50000 pixels"),
        (png_header(30_000, 10), "wide.png", "20000 pixels a side"),
    ],
)
def test_bad_screenshots_are_refused_and_nothing_is_written(world, data, name, expected):
    with pytest.raises(InvalidInput) as excinfo:
        create_with(world, upload(data, name))
    assert expected in fields_of(excinfo)["screenshot"][0]
    assert CompetitorObservation.objects.count() == 0


def test_an_oversized_screenshot_is_refused(world):
    big = image()
    big.size = services.SCREENSHOT_MAX_BYTES + 1
    with pytest.raises(InvalidInput) as excinfo:
        create_with(world, big)
    assert "the limit is 5 MB" in fields_of(excinfo)["screenshot"][0]


def test_only_creatives_and_landing_pages_take_a_screenshot(world):
    with pytest.raises(InvalidInput) as excinfo:
        services.observation_create(
            plan=world.plan,
            actor=world.users["editor"],
            screenshot=image(),
            competitor=competitor(world),
            kind="product_update",
            observed_on=date(2027, 4, 8),
            title="x",
            impact="low",
        )
    assert "screenshot" in fields_of(excinfo)


def test_replacing_and_removing_a_screenshot_deletes_the_old_file(
    world, django_capture_on_commit_callbacks
):
    obs = creative(world)
    storage = obs.screenshot.storage
    first = obs.screenshot.name
    with django_capture_on_commit_callbacks(execute=True):
        fresh = services.observation_update(
            observation=obs,
            expected_version=obs.version,
            changes={"title": "New"},
            actor=world.users["editor"],
            screenshot=image(30, 20),
        )
    assert fresh.screenshot.name != first and not storage.exists(first)
    assert (fresh.screenshot_width, fresh.title) == (30, "New")
    with django_capture_on_commit_callbacks(execute=True):
        fresh = services.observation_update(
            observation=fresh,
            expected_version=fresh.version,
            changes={},
            actor=world.users["editor"],
            remove_screenshot=True,
        )
    assert not fresh.screenshot and fresh.screenshot_type == ""


def test_stale_observation_update_writes_no_file(world):
    obs = creative(world)
    with pytest.raises(StaleVersion):
        services.observation_update(
            observation=obs,
            expected_version=obs.version + 5,
            changes={"title": "x"},
            actor=world.users["editor"],
            screenshot=image(),
        )
    obs.refresh_from_db()
    assert obs.title == "618 key visual"


# --- matrix --------------------------------------------------------------------------------------


def test_cell_set_creates_then_updates_with_versions(world):
    feat, rival = feature(world), competitor(world)
    editor = world.users["editor"]
    cell = services.cell_set(
        feature=feat, competitor=rival, expected_version=0, level="has", note="", actor=editor
    )
    assert cell.version == 1
    with pytest.raises(StaleVersion):  # someone created it meanwhile
        services.cell_set(
            feature=feat, competitor=rival, expected_version=0, level="no", note="", actor=editor
        )
    cell = services.cell_set(
        feature=feat, competitor=rival, expected_version=1, level="partial", note="x", actor=editor
    )
    assert (cell.level, cell.note, cell.version) == ("partial", "x", 2)
    with pytest.raises(StaleVersion):
        services.cell_set(
            feature=feat, competitor=rival, expected_version=1, level="no", note="", actor=editor
        )
    assert FeatureValue.objects.get().level == "partial"


def test_feature_weight_is_0_to_10_and_the_note_belongs_to_differentiators(world):
    with pytest.raises(InvalidInput) as excinfo:
        services.feature_create(plan=world.plan, actor=world.users["editor"], name="A", weight=11)
    assert "weight" in fields_of(excinfo)
    feat = services.feature_create(
        plan=world.plan,
        actor=world.users["editor"],
        name="A",
        weight="2.5",
        differentiator_note="ignored: not a differentiator",
    )
    assert (feat.weight, feat.differentiator_note) == (D("2.5"), "")
