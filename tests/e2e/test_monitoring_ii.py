"""Data monitoring II in a real browser: attribution (a journeys upload, and a broken
one, then the models side by side), the ROI model (a manager's sign-off, the layered
tables, the sensitivity chart and the "what if" form) and competitor tracking (a
competitor, an ad creative with its screenshot, an in-place matrix edit, the share of
voice). Every page is also checked at phone width (390 px): no horizontal scroll.

Console errors, page errors and CSP violations fail a test through tests/e2e/conftest.py.
"""

from __future__ import annotations

import re
import struct
import zlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from monitoring import competitor_services
from monitoring.competitors import Competitor, CompetitorObservation, Feature, FeatureValue
from monitoring.models import DailyMetric, JourneyImport, JourneyPath
from monitoring.recompute import recompute_plan
from monitoring.roi.models import RoiSignoff
from tests.monitoring.seed import channel

PHONE = {"width": 390, "height": 844}
DRAWN_ATTR = "[data-chart-drawn='1'] .main-svg"
DRAWN = f".chart{DRAWN_ATTR}"

# --------------------------------------------------------------------------- helpers


def switch_language(page, language: str) -> None:
    if language == "en":
        return
    with page.expect_navigation():
        page.locator("#language-select").select_option("zh-hans")  # app.js submits
    expect(page.locator("html[lang=zh-Hans]")).to_have_count(1)


def number(text: str) -> float:
    """A number as a page shows it ("1,234.5", "4.0", "¥1,200.00")."""
    found = re.search(r"-?[\d,]+(?:\.\d+)?", text.replace("\u00a0", ""))
    assert found, f"no number in {text!r}"
    return float(found.group(0).replace(",", ""))


def on_a_phone(page, shot, name: str) -> None:
    """The page at 390 px: charts redrawn, nothing wider than the screen, photographed."""
    page.set_viewport_size(PHONE)
    page.reload()
    for chart in page.locator(".chart[data-chart]").all():
        expect(chart).to_have_attribute("data-chart-drawn", "1")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{page.url} is {width}px wide on a phone"
    shot(page, f"phone-{name}")


# --------------------------------------------------------------------------- attribution

TOUCH_HEADER = "journey_id,timestamp,channel,conversion,conversion_value"
JOURNEYS = [
    # five journeys, four of them convert (value 268 + 120 + 80 + 99 = 567)
    ("J-1", "2027-03-01 10:00:00", "douyin", 0, ""),
    ("J-1", "2027-03-02 10:00:00", "sem_baidu", 0, ""),
    ("J-1", "2027-03-04 10:00:00", "tmall", 1, "268.00"),
    ("J-2", "2027-03-02 09:00:00", "douyin", 0, ""),
    ("J-2", "2027-03-03 21:00:00", "tmall", 1, "120.00"),
    ("J-3", "2027-03-05 12:00:00", "wechat", 1, "80.00"),
    ("J-4", "2027-03-06 08:00:00", "douyin", 0, ""),
    ("J-4", "2027-03-07 08:00:00", "wechat", 0, ""),
    ("J-5", "2027-03-08 18:00:00", "sem_baidu", 0, ""),
    ("J-5", "2027-03-09 18:00:00", "tmall", 1, "99.00"),
]
CONVERSIONS = 4
CHANNELS = ("douyin", "sem_baidu", "tmall", "wechat")


def journeys_csv(rows=JOURNEYS) -> str:
    return "\n".join([TOUCH_HEADER, *(",".join(map(str, r)) for r in rows)]) + "\n"


def upload_journeys(page, text: str, name: str) -> None:
    page.locator("#jim_file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}]
    )
    with page.expect_navigation():
        page.locator("#journeys-upload button[type=submit]").click()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_editor_imports_journeys_and_compares_the_attribution_models(
    page, world, login, plan_url, shot, language
):
    login(page, "editor")
    page.goto(plan_url("monitoring/attribution/"))
    switch_language(page, language)
    expect(page.locator("#no-journeys")).to_be_visible()

    # a file naming a channel the plan does not have: refused, the cell named, nothing stored
    broken = journeys_csv([*JOURNEYS[:2], ("J-1", "2027-03-03 10:00:00", "tiktok", 1, "50.00")])
    upload_journeys(page, broken, "broken.csv")
    result = page.locator("#journeys-result")
    expect(result).to_have_class(re.compile(r"\bresult-failed\b"))
    problems = result.locator("#journeys-problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.locator("td").nth(0)).to_have_text("4")  # the header is row 1
    expect(problems.locator("td").nth(1)).to_have_text("channel")
    expect(problems.locator("td").nth(2)).to_contain_text("tiktok")
    assert not JourneyPath.objects.filter(plan=world.plan).exists()
    assert JourneyImport.objects.get(plan=world.plan).status == "failed"
    expect(page.locator("#attribution-table")).to_have_count(0)
    shot(page, f"journeys-refused-{language}")

    # the good file: its counts, then the six models side by side
    upload_journeys(page, journeys_csv(), "march.csv")
    result = page.locator("#journeys-result")
    expect(result).to_have_class(re.compile(r"\bresult-succeeded\b"))
    expect(result.locator(".result-line.ok")).to_contain_text("10")  # rows
    expect(page.locator("#journeys-history tbody tr")).to_have_count(2)
    assert JourneyPath.objects.filter(plan=world.plan).exists()

    page.goto(plan_url("monitoring/attribution/"))
    expect(page.locator(f"#attribution-chart {DRAWN}").first).to_be_visible()
    # one bar trace per model, all six available (the journeys have timestamps)
    expect(page.locator("#attribution-chart .barlayer .trace")).to_have_count(6)
    expect(page.locator("#dataset-journeys")).to_have_text("5")
    table = page.locator("#attribution-table table")
    expect(table.locator("thead th")).to_have_count(1 + 6)
    expect(table.locator("tbody tr")).to_have_count(len(CHANNELS))
    for code in CHANNELS:
        expect(table.locator(f"#att-{code}")).to_be_visible()
    totals = table.locator("tfoot td strong")
    expect(totals).to_have_count(6)
    for k in range(6):
        assert number(totals.nth(k).inner_text()) == pytest.approx(CONVERSIONS)
        column = [
            number(row.locator("td").nth(k + 1).locator("strong").inner_text())
            for row in table.locator("tbody tr").all()
        ]
        assert sum(column) == pytest.approx(CONVERSIONS, abs=0.05 * len(CHANNELS))
    # last click: tmall finished three journeys, wechat one
    last_click = table.locator("#att-tmall td").nth(1).locator("strong")
    assert number(last_click.inner_text()) == pytest.approx(3)
    expect(page.locator("#model-definitions .att-model")).to_have_count(6)
    shot(page, f"attribution-{language}")

    on_a_phone(page, shot, f"attribution-{language}")


# --------------------------------------------------------------------------- ROI

WEEKS = 12
FIRST_MONDAY = date(2027, 1, 4)


def metrics_for_roi(world) -> None:
    """Twelve weeks of Douyin (brand) and Baidu SEM (performance), spend varying week by
    week with diminishing revenue, so that response curves can be fitted."""
    rows = []
    for code, base, scale in (("douyin", 1000.0, 40.0), ("sem_baidu", 600.0, 55.0)):
        found = channel(world, code)
        for w in range(WEEKS):
            spend = base * (1 + 0.25 * (w % 6))
            for d in range(7):
                rows.append(
                    DailyMetric(
                        plan=world.plan,
                        date=FIRST_MONDAY + timedelta(days=7 * w + d),
                        channel=found,
                        impressions=int(spend * 40),
                        clicks=int(spend),
                        visits=int(spend * 0.8),
                        conversions=int(spend / 50),
                        new_users=int(spend / 100),
                        spend=Decimal(f"{spend:.2f}"),
                        revenue=Decimal(f"{scale * spend**0.5:.2f}"),
                    )
                )
    DailyMetric.objects.bulk_create(rows)
    recompute_plan(world.plan.pk)


def test_roi_sign_off_layers_and_what_if(new_page, world, login, plan_url, shot):
    metrics_for_roi(world)

    # a manager signs the definition on behalf of finance: operations is still pending
    manager = new_page()
    login(manager, "manager")
    manager.goto(plan_url("monitoring/roi/"))
    expect(manager.locator("#signoffs .pending")).to_have_count(2)
    with manager.expect_navigation():
        manager.locator("#signoff-finance button[type=submit]").click()
    expect(manager.locator("#signoff-finance")).to_have_class(re.compile(r"\bsigned\b"))
    expect(manager.locator("#signoff-finance")).to_contain_text("manager-user")
    expect(manager.locator("#signoffs .pending")).to_have_count(1)
    expect(manager.locator("#signoff-operations")).to_have_class(re.compile(r"\bpending\b"))
    expect(manager.locator("#agreement")).to_have_text("Not yet agreed")
    # the same person cannot sign for operations too: no button, the reason instead
    operations = manager.locator("#signoff-operations")
    expect(operations.locator("button")).to_have_count(0)
    expect(operations).to_contain_text("must come from someone else")
    signed = RoiSignoff.objects.get(definition__plan=world.plan, cleared_at__isnull=True)
    assert (signed.department, signed.signed_by) == ("finance", world.users["manager"])
    shot(manager, "signed-for-finance")

    # an editor reads the layers and the sensitivity, and asks "what if"
    page = new_page()
    login(page, "editor")
    page.goto(plan_url("monitoring/roi/"))
    expect(page.locator("#signoff-finance button")).to_have_count(0)  # editors do not sign
    expect(page.locator("#layer-brand #roi-channel-douyin")).to_be_visible()
    expect(page.locator("#layer-performance #roi-channel-sem_baidu")).to_be_visible()
    expect(page.locator("#layer-brand #roi-channel-sem_baidu")).to_have_count(0)
    expect(page.locator("#ltv-table tbody tr")).to_have_count(2)
    expect(page.locator(f"#sensitivity .chart-scenarios{DRAWN_ATTR}").first).to_be_visible()
    expect(page.locator(f"#sensitivity .chart-curves{DRAWN_ATTR}").first).to_be_visible()
    scenarios = page.locator("#scenario-table tbody")
    expect(scenarios.locator("#scenario-baseline")).to_be_visible()
    expect(scenarios.locator("tr.custom")).to_have_count(0)
    rows_before = scenarios.locator("tr").count()
    shot(page, "roi-editor")

    page.locator("#mv_move_from").select_option("douyin")
    page.locator("#mv_move_to").select_option("sem_baidu")
    page.locator("#mv_percent").fill("20")
    with page.expect_navigation():
        page.locator("#move-form button[type=submit]").click()
    moved = page.locator("#scenario-move")
    expect(moved).to_be_visible()
    expect(moved.locator("th")).to_contain_text("20 %")
    expect(moved.locator("th")).to_contain_text("Douyin")
    expect(moved.locator("th")).to_contain_text("SEM on Baidu")
    expect(scenarios.locator("tr")).to_have_count(rows_before + 1)
    baseline = page.locator("#scenario-baseline td")
    # a move keeps the media spend; the expected revenue changes
    assert number(moved.locator("td").nth(0).inner_text()) == pytest.approx(
        number(baseline.nth(0).inner_text())
    )
    assert number(moved.locator("td").nth(1).inner_text()) != pytest.approx(
        number(baseline.nth(1).inner_text())
    )
    expect(page.locator("#mv_percent")).to_have_value("20")  # the form keeps the question
    shot(page, "roi-what-if")

    on_a_phone(page, shot, "roi")


# --------------------------------------------------------------------------- competitors


def tiny_png(width: int = 48, height: int = 30) -> bytes:
    """A valid PNG: a blue rectangle, 8-bit RGB, no filter."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x3b\x49\xdf" * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_competitor_creative_matrix_and_share_of_voice(
    page, world, login, plan_url, shot, media_in_tmp
):
    login(page, "editor")
    page.goto(plan_url("monitoring/competitors/"))

    # add a competitor
    form = page.locator("#new-competitor")
    form.locator("#comp_name").fill("HeyTea")
    form.locator("#comp_website").fill("https://www.heytea.com")
    form.locator("#comp_positioning").fill("Premium fresh tea")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    rival = Competitor.objects.get(plan=world.plan, name="HeyTea")
    expect(page).to_have_url(re.compile(rf"/monitoring/competitors/{rival.pk}/$"))
    expect(page.locator("#competitor-head h2")).to_have_text("HeyTea")

    # record an ad creative with a screenshot
    page.locator("#competitor-head .add-menu summary").click()
    page.locator("#competitor-head .add-menu a[href*='kind=ad_creative']").click()
    expect(page.locator("#obs_competitor")).to_have_value(str(rival.pk))
    page.locator("#obs_observed_on").fill("2027-05-28")
    page.locator("#obs_title").fill("618 key visual")
    page.locator("#obs_screenshot").set_input_files(
        files=[{"name": "kv.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    with page.expect_navigation():
        page.locator("#observation-form button[type=submit]").first.click()
    obs = CompetitorObservation.objects.get(plan=world.plan, kind="ad_creative")
    assert obs.competitor == rival and obs.screenshot
    item = page.locator(f"#obs-{obs.pk}")
    expect(item).to_contain_text("618 key visual")
    thumb = item.locator(".tl-shot img")
    expect(thumb).to_have_attribute(
        "src", f"/plans/{world.plan.pk}/monitoring/competitors/observations/{obs.pk}/screenshot/"
    )
    thumb.scroll_into_view_if_needed()
    loaded = "img => img.complete && img.naturalWidth > 0"  # through the access-checked view
    page.wait_for_function(loaded, arg=thumb.element_handle())
    assert thumb.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [48, 30]
    shot(page, "competitor-timeline")
    on_a_phone(page, shot, "competitor")

    # the feature matrix: a feature, then a cell edited in place
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(plan_url("monitoring/competitors/matrix/"))
    new = page.locator("#new-feature")
    new.locator("#feat_name").fill("Low-sugar option")
    with page.expect_navigation():
        new.locator("button[type=submit]").click()
    feature = Feature.objects.get(plan=world.plan, name="Low-sugar option")
    page.evaluate("window.__e2eNoReload = 'still here'")
    cell = page.locator(f"#cell-{feature.pk}-{rival.pk}")
    cell.locator("a.cell-link").click()
    editor = page.locator(f"#cell-{feature.pk}-{rival.pk} form.cell-form")
    expect(editor).to_be_visible()
    editor.locator("select[name=level]").select_option("partial")
    editor.locator("input[name=note]").fill("Only in summer")
    editor.locator("button[type=submit]").click()
    cell = page.locator(f"#cell-{feature.pk}-{rival.pk}")
    expect(cell.locator("form")).to_have_count(0)
    expect(cell.locator(".lvl-partial")).to_be_visible()
    expect(cell.locator(".cell-note")).to_have_text("Only in summer")
    # the footer follows: one feature, partly there → 50 % weighted coverage
    expect(page.locator(f"#cov-{rival.pk}")).to_have_text(re.compile(r"^\s*50\s*%\s*$"))
    expect(page.locator("#cov-us")).to_have_text(re.compile("—"))
    assert page.evaluate("window.__e2eNoReload") == "still here"
    value = FeatureValue.objects.get(feature=feature, competitor=rival)
    assert (value.level, value.note) == ("partial", "Only in summer")
    shot(page, "matrix")
    on_a_phone(page, shot, "matrix")

    # share of voice: three months of mentions for us and HeyTea
    for month, ours, theirs in ((3, 300, 700), (4, 450, 550), (5, 600, 400)):
        for brand, mentions in ((None, ours), (rival, theirs)):
            competitor_services.observation_create(
                plan=world.plan,
                actor=world.users["editor"],
                competitor=brand,
                kind="voice",
                observed_on=date(2027, month, 1),
                mentions=mentions,
                positive=Decimal("0.6"),
                neutral=Decimal("0.3"),
                negative=Decimal("0.1"),
            )
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(plan_url("monitoring/competitors/share-of-voice/"))
    expect(page.locator(f"#sov-card {DRAWN}").first).to_be_visible()
    expect(page.locator("#sov-table tbody tr")).to_have_count(3)
    expect(page.locator("#sov-table tbody tr").last.locator(".sov-cell")).to_contain_text("60")
    shot(page, "share-of-voice")
    on_a_phone(page, shot, "share-of-voice")

    page.goto(plan_url("monitoring/competitors/"))
    expect(page.locator("#competitor-list .sov-us")).to_contain_text("60")
    on_a_phone(page, shot, "competitors")
