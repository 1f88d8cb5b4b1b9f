"""Data monitoring in a real browser: an editor uploads a metrics file (and a broken
one), reads the overview (funnel, trend with the campaign band, grades) and
acknowledges the alert the data raised, in English and in Chinese; the progress
card of a background import follows it to the end."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from monitoring.models import Alert, AlertStatus, DailyMetric, MetricImport
from tests.content.helpers import campaign
from tests.monitoring.seed import channel, rule

PHONE = {"width": 390, "height": 844}
FIRST, DAYS = date(2027, 1, 4), 56
COLLAPSE = (date(2027, 2, 18), date(2027, 2, 19))  # Douyin's CTR falls to 0.2%
HEADER = (
    "date,channel,campaign,impressions,clicks,visits,signups,conversions,new_users,spend,revenue"
)


def metrics_csv() -> str:
    """Eight weeks of Douyin and WeChat, with a two-day CTR collapse on Douyin."""
    lines = [HEADER]
    for n in range(DAYS):
        day = FIRST + timedelta(days=n)
        for k, code in enumerate(("douyin", "wechat")):
            impressions = 30000 + 5000 * k + 400 * day.weekday()
            clicks = impressions * (3 + k) // 100
            if code == "douyin" and COLLAPSE[0] <= day <= COLLAPSE[1]:
                clicks = impressions // 500
            conversions = clicks * (6 + 4 * k) // 100
            lines.append(
                f"{day.isoformat()},{code},,{impressions},{clicks},{clicks * 9 // 10},"
                f"{clicks // 5},{conversions},{conversions // 2},{600 + 200 * k}.00,"
                f"{conversions * 70}.00"
            )
    return "\n".join(lines) + "\n"


def csv_file(text: str, name: str = "metrics.csv") -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}


def switch_language(page, language: str) -> None:
    if language == "en":
        return
    with page.expect_navigation():
        page.locator("#language-select").select_option("zh-hans")  # app.js submits
    expect(page.locator("html[lang=zh-Hans]")).to_have_count(1)


def upload(page, text: str, name: str) -> None:
    page.locator("#imp_file").set_input_files(files=[csv_file(text, name)])
    with page.expect_navigation():
        page.locator("#upload button[type=submit]").click()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_editor_uploads_metrics_reads_the_overview_and_acknowledges_an_alert(
    page, world, login, plan_url, shot, language
):
    # given a campaign in the period and a rule on Douyin's CTR
    spring = campaign(world)
    douyin = channel(world, "douyin")
    rule(
        world,
        name="Douyin CTR below 1%",
        metric="ctr",
        kind="bounds",
        lower=0.01,
        upper=None,
        channel=douyin,
        severity="critical",
    )
    login(page, "editor")
    page.goto(plan_url("monitoring/imports/"))
    switch_language(page, language)

    # a broken file is refused with its problems listed and nothing saved
    broken = HEADER + "\n2027-13-01,douyin,,100,10,9,2,1,1,5.00,9.00\n"
    upload(page, broken, "broken.csv")
    result = page.locator("#import-result")
    expect(result).to_have_attribute("data-status", "failed")
    expect(result.locator("#import-problems tbody tr")).to_have_count(1)
    expect(result.locator("#import-problems tbody td").nth(1)).to_have_text("date")
    assert not DailyMetric.objects.exists()
    shot(page, f"refused-{language}")

    # the good file is imported: the counts, and the history row
    upload(page, metrics_csv(), "q1.csv")
    result = page.locator("#import-result")
    expect(result).to_have_attribute("data-status", "succeeded")
    expect(result).to_contain_text(f"{DAYS * 2}")
    expect(page.locator("#history-table tbody tr")).to_have_count(2)
    assert DailyMetric.objects.filter(plan=world.plan).count() == DAYS * 2
    shot(page, f"imported-{language}")

    # the overview: the totals, the funnel and trend drawn, the band, the grades
    page.locator(f"nav.tabs a[href='{plan_url('monitoring/')}']").click()
    expect(page.locator("#funnel .chart[data-chart-drawn='1'] .main-svg").first).to_be_visible()
    expect(page.locator("#funnel-stages tbody tr")).to_have_count(5)
    trend = page.locator("#trend .chart[data-chart-drawn='1']")
    expect(trend.locator(".shapelayer path").first).to_be_attached()
    expect(page.locator("#band-legend li")).to_have_count(1)
    expect(page.locator("#band-legend li")).to_contain_text(spring.name)
    expect(page.locator("#grade-table tbody tr")).to_have_count(2)
    for code in ("douyin", "wechat"):
        expect(page.locator(f"#grade-{code} .grade")).to_have_text(re.compile("^[ABC]$"))
    expect(page.locator("#open-alerts [data-severity='critical']")).to_have_text("1")
    shot(page, f"overview-{language}")

    # the inbox: the CTR incident, acknowledged in place with a note
    page.locator("#open-alerts a.severity-row").first.click()
    incident = Alert.objects.get(plan=world.plan, channel=douyin, metric="ctr")
    assert (incident.window_start, incident.window_end) == COLLAPSE
    card = page.locator(f"#alert-{incident.pk}")
    expect(card).to_have_attribute("data-status", "open")
    card.locator("textarea[name=note]").fill("Creative rotated back")
    card.locator("button[value=acknowledge]").click()
    card = page.locator(f"#alert-{incident.pk}")
    expect(card).to_have_attribute("data-status", "acknowledged")
    expect(card.locator(".alert-note")).to_contain_text("Creative rotated back")
    expect(card.locator("button[value=acknowledge]")).to_have_count(0)
    expect(card.locator("button[value=resolve]")).to_be_visible()
    incident.refresh_from_db()
    assert incident.status == AlertStatus.ACKNOWLEDGED
    assert incident.acknowledged_by == world.users["editor"]
    shot(page, f"inbox-{language}")


def test_the_progress_card_follows_a_background_import(page, world, login, plan_url, shot):
    # given an import a worker has started
    record = MetricImport.objects.create(
        plan=world.plan,
        created_by=world.users["editor"],
        filename="year.csv",
        status="running",
        progress=35,
    )
    login(page, "viewer")
    page.goto(plan_url("monitoring/imports/"))
    card = page.locator("#import-result")
    expect(card.locator("progress")).to_have_attribute("value", "35")
    shot(page, "running")
    # when the worker moves on, then finishes, the card follows without a reload
    page.evaluate("window.__e2eNoReload = 'still here'")
    MetricImport.objects.filter(pk=record.pk).update(progress=80)
    expect(page.locator("#import-result progress")).to_have_attribute("value", "80")
    MetricImport.objects.filter(pk=record.pk).update(
        status="succeeded", progress=100, rows_total=730, rows_inserted=730
    )
    expect(page.locator("#import-result")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#import-result progress")).to_have_count(0)
    assert page.evaluate("window.__e2eNoReload") == "still here"
    # the history row has followed, and polling has stopped
    expect(page.locator(f"#import-{record.pk} .import-status")).to_have_class(
        re.compile("status-succeeded")
    )
    expect(page.locator("#import-result[hx-trigger]")).to_have_count(0)
    shot(page, "finished")


def test_monitoring_pages_on_a_phone(new_page, world, login, plan_url, shot):
    campaign(world)
    page = new_page(viewport=PHONE)
    login(page, "editor")
    page.goto(plan_url("monitoring/imports/"))
    upload(page, metrics_csv(), "q1.csv")
    expect(page.locator("#import-result")).to_have_attribute("data-status", "succeeded")
    for suffix in ("monitoring/", "monitoring/alerts/", "monitoring/imports/", "monitoring/rules/"):
        page.goto(plan_url(suffix))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{suffix} is {width}px wide on a phone"
        shot(page, suffix.strip("/").replace("/", "-"))
