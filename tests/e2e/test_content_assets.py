"""Assets and licences in a real browser: an asset whose font licence has expired
cannot be published (neither with the Publish button nor with the review-status
select); renewing the licence on the Licences tab lets it through. In English and
in Chinese: assertions are on structure and state, not on translated text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from content import services
from content.models import Asset, Licence
from tests.content.helpers import campaign, licence, spec

PHONE = {"width": 390, "height": 844}


def expired_font_asset(world):
    """An approved asset whose headline font's licence ran out ten days ago."""
    today = timezone.localdate()
    font = licence(
        world,
        "FZ Lanting Hei",
        source="Founder Type",
        expires=today - timedelta(days=10),
        document_ref="FZ-2026-0412",
    )
    photo = licence(world, "Tea field photo set", kind="image", source="VCG")
    services.brand_standard_save(
        plan=world.plan,
        expected_version=0,
        changes={
            "colours": [
                {"name": "Lumi red", "hex": "#C8102E"},
                {"name": "Jade green", "hex": "#00A86B"},
            ],
            "fonts": ["FZ Lanting Hei", "Source Han Sans SC"],
            "graphic_elements": "Tea-leaf pattern; seal logo with clear space.",
            "vi_review_required": True,
        },
        actor=world.users["editor"],
    )
    services.asset_create(
        campaign=campaign(world),
        actor=world.users["editor"],
        name="Teaser without a call to action",
        layers=["selling_point", "emotional_story"],
        review_status="draft",
        elements=[{"kind": "image", "name": "Tea field", "licence": photo}],
    )
    return services.asset_create(
        campaign=campaign(world),
        actor=world.users["editor"],
        name="Reunion poster",
        spec=spec(world),
        layers=["selling_point", "emotional_story", "call_to_action"],
        review_status="approved",
        vi_passed=True,
        elements=[
            {"kind": "font", "name": "Lanting headline", "licence": font},
            {"kind": "image", "name": "Tea field", "licence": photo},
        ],
    ), font


def switch_language(page, language):
    if language == "en":
        expect(page.locator("html")).to_have_attribute("lang", "en")
        return
    with page.expect_navigation():
        page.locator("#language-select").select_option("zh-hans")  # app.js submits
    expect(page.locator("html[lang=zh-Hans]")).to_have_count(1)


def publish_button(page, asset):
    return page.locator(f"#asset-{asset.pk} form[action$='/assets/{asset.pk}/publish/'] button")


def tab(page, name):
    return page.locator(f"nav.tabs a[href$='/content/{name}/']")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_expired_font_licence_blocks_publishing_until_renewed(
    page, world, login, plan_url, shot, language
):
    # given
    asset, font = expired_font_asset(world)
    login(page, "editor")
    page.goto(plan_url("content/assets/"))
    switch_language(page, language)
    card = page.locator(f"#asset-{asset.pk}")
    expect(card.locator(".licence-alert")).to_contain_text("Lanting headline")
    shot(page, f"assets-{language}")

    # when: the editor tries to publish
    with page.expect_navigation():
        publish_button(page, asset).click()

    # then: refused, naming the element and the licence to renew; nothing changed
    refusal = page.locator(f"#refusal-{asset.pk}")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("Lanting headline")
    expect(refusal).to_contain_text("FZ Lanting Hei (Founder Type)")
    expect(page.locator(".flash.error")).to_contain_text("FZ Lanting Hei")
    expect(card.locator(".badge.review-approved")).to_be_visible()
    asset.refresh_from_db()
    assert asset.review_status == "approved" and asset.published_at is None

    # when: the licence is renewed on the Licences tab, in place
    tab(page, "licences").click()
    report = page.locator(f"#bucket-expired #report-licence-{font.pk}")
    expect(report).to_be_visible()
    shot(page, f"licences-{language}")
    row = page.locator(f"#licence-{font.pk}")
    expect(row).to_have_class("expired-row")
    row.locator(f"a[href$='/licences/{font.pk}/']").click()
    editor = page.locator("#licence-editor #licence-form")
    expect(editor).to_be_visible()
    renewed = timezone.localdate() + timedelta(days=365)
    editor.locator("input[name=expires]").fill(renewed.isoformat())
    with page.expect_navigation():  # HX-Refresh reloads the page after the save
        editor.locator("button[type=submit]:not([name])").click()

    # then
    expect(page.locator(f"#licence-{font.pk}")).not_to_have_class("expired-row")
    expect(page.locator("#bucket-expired")).to_have_count(0)
    assert Licence.objects.get(pk=font.pk).expires == renewed

    # when: publishing again
    tab(page, "assets").click()
    expect(page.locator(f"#asset-{asset.pk} .licence-alert")).to_have_count(0)
    with page.expect_navigation():
        publish_button(page, asset).click()

    # then
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator(f"#asset-{asset.pk} .badge.review-published")).to_be_visible()
    asset.refresh_from_db()
    assert asset.review_status == "published" and asset.published_at is not None

    tab(page, "creative").click()
    expect(page.locator("#brand-colours .swatch")).to_have_count(2)
    expect(page.locator("#spec-table")).to_be_visible()
    shot(page, f"creative-{language}")


def test_status_select_cannot_publish_an_asset_with_an_expired_licence(
    page, world, login, plan_url, shot
):
    # given
    asset, _font = expired_font_asset(world)
    login(page, "editor")
    page.goto(plan_url("content/assets/"))
    page.evaluate("window.__e2eNoReload = 'still here'")

    # when: the edit form opens in place and the status is set to published
    page.locator(f"#asset-{asset.pk} .asset-actions a[href$='/assets/{asset.pk}/']").click()
    form = page.locator(f"#asset-form-{asset.pk}")
    expect(form).to_be_visible()
    form.locator("select[name=review_status]").select_option("published")
    form.locator("button[type=submit]:not([name])").click()

    # then: refused in the form, the page kept, the asset unchanged
    errors = page.locator(f"#asset-form-{asset.pk} .form-errors")
    expect(errors).to_contain_text("Lanting headline")
    expect(errors).to_contain_text("FZ Lanting Hei (Founder Type)")
    assert page.evaluate("window.__e2eNoReload") == "still here"
    shot(page, "asset-form-refused")
    assert Asset.objects.get(pk=asset.pk).review_status == "approved"


def test_asset_and_licence_pages_fit_a_phone(new_page, world, login, plan_url, shot):
    expired_font_asset(world)
    page = new_page(viewport=PHONE)
    login(page, "editor")
    for name in ("assets", "licences", "creative"):
        page.goto(plan_url(f"content/{name}/"))
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{name} page scrolls sideways on a phone by {overflow}px"
        shot(page, f"{name}-phone")
